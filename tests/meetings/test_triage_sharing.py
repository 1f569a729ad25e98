"""A referral's record and synopsis reach the administrators of another agency only
through the sharing decision the referral records; the agenda item page keeps a
referral's synopsis from a member agency the record is not shared with."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from cse import services as core
from cse.models import Referral, SharingDecision, SubjectAccess
from cse.summaries import NOT_SHARED
from meetings import services
from tests.factories import make_child

SYNOPSIS = "Zqsynopsis seen at 9 Marker Road with older males"


def police_referral(dave):
    child = make_child(dave, forename="Zqpolice", surname="Childby")
    referral = core.create_referral(
        by=dave,
        subject=child,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis=SYNOPSIS,
    )
    return child, referral


def test_referring_to_a_forum_shares_the_record_with_its_organisers(
    client_for, meeting, bob, dave
):
    child, referral = police_referral(dave)
    decision = SharingDecision.objects.get(subject=child, agency=bob.agency)
    assert decision.context == SharingDecision.Context.REFERRAL
    assert decision.decided_by == dave
    assert "Referral to the" in decision.purpose
    assert SubjectAccess.objects.filter(subject=child, agency=bob.agency).exists()
    page = client_for(bob).get(reverse("meetings:triage", args=[meeting.pk]))
    text = page.content.decode()
    assert "Zqpolice" in text and "Zqsynopsis" in text


def test_without_a_sharing_decision_triage_shows_no_synopsis_nor_record(
    client_for, meeting_type, bob, chris, dave
):
    child, referral = police_referral(dave)  # no meeting of the forum yet
    assert not SubjectAccess.objects.filter(subject=child, agency=bob.agency).exists()
    meeting = services.create_meeting(
        by=bob,
        meeting_type=meeting_type,
        starts_at=timezone.now() + datetime.timedelta(days=30),
        chair=chris,
    )
    client = client_for(bob)
    pages = [
        client.get(reverse("meetings:triage", args=[meeting.pk])),
        client.get(reverse("meetings:triage_decide", args=[meeting.pk, referral.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert "Zqsynopsis" not in text and "Marker Road" not in text
        assert "Zqpolice" not in text and child.reference not in text
        assert NOT_SHARED in text.lower()


def test_an_automatic_referral_is_shared_on_the_owners_behalf(meeting, bob, dave):
    child = make_child(dave, forename="Zqauto")
    core.create_referral(
        by=None,
        subject=child,
        forum="cmog",
        source=Referral.Source.MISSING_PATTERN,
        synopsis="Meets a missing rule",
    )
    decision = SharingDecision.objects.get(subject=child, agency=bob.agency)
    assert decision.decided_by is None
    assert decision.decided_by_agency == dave.agency


def test_the_organisers_own_record_is_not_shared_again(meeting, bob, alice, child):
    core.create_referral(
        by=alice,
        subject=child,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis="Concerns",
    )
    assert not SharingDecision.objects.filter(subject=child).exists()


def test_a_late_addition_keeps_its_synopsis_from_members_until_circulated(
    client_for, meeting, bob, alice, dave
):
    services.circulate_meeting(by=bob, meeting=meeting)
    meeting.refresh_from_db()
    child = make_child(alice, forename="Zqlate")
    referral = core.create_referral(
        by=alice,
        subject=child,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis=SYNOPSIS,
        urgent=True,
    )
    services.triage_referral(
        by=bob, meeting=meeting, referral=referral, decision="accept"
    )
    item = meeting.items.get(subject=child)
    url = reverse("meetings:item_detail", args=[meeting.pk, item.pk])
    page = client_for(dave).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Zqsynopsis" not in text and "Zqlate" not in text
    assert child.reference not in text
    assert "has not been shared with your agency" in text
    services.circulate_meeting(by=bob, meeting=meeting)
    assert "Zqsynopsis" in client_for(dave).get(url).content.decode()


def test_coordinators_who_may_not_see_the_record_are_told_without_its_reference(
    meeting, alice, carol, agency_b
):
    from cse.models import Notification, Role
    from tests.factories import UserFactory

    police_coordinator = UserFactory(
        username="pcoord", agency=agency_b, roles=[Role.CSE_COORDINATOR]
    )
    child = make_child(alice)
    core.create_referral(
        by=alice,
        subject=child,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis="Concerns",
    )
    told = Notification.objects.get(user=police_coordinator)
    assert child.reference not in told.message
    assert NOT_SHARED in told.message
    assert child.reference in Notification.objects.get(user=carol).message
