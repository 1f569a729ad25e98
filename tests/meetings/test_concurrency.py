"""A record goes on a meeting's agenda once, even when two referrals of it are
accepted at the same moment: the second gets the answer it would get a moment
later, not an error page."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from cse import services as core
from cse.models import Referral
from meetings import services
from meetings.services import Triage
from tests.concurrency import at_once, concurrent

pytestmark = concurrent


def test_two_referrals_of_one_record_accepted_at_once_put_it_on_the_agenda_once(
    meeting, bob, alice, child
):
    referrals = [
        core.create_referral(
            by=alice,
            subject=child,
            forum="cmog",
            source=Referral.Source.PROFESSIONAL,
            synopsis=f"Test synopsis {n}",
        )
        for n in (1, 2)
    ]

    def accept(referral):
        return lambda: (
            services.triage_referral(
                by=bob, meeting=meeting, referral=referral, decision=Triage.ACCEPT
            ).pk
        )

    accepted, errors = at_once(*(accept(referral) for referral in referrals))

    assert len(accepted) == 1
    assert [type(error) for error in errors] == [ValidationError]
    assert errors[0].messages == ["This record is already on the agenda"]
    assert meeting.items.filter(subject=child).count() == 1
    statuses = sorted(
        Referral.objects.filter(pk__in=[r.pk for r in referrals]).values_list(
            "status", flat=True
        )
    )
    assert statuses == sorted([Referral.Status.ACCEPTED, Referral.Status.PENDING])
