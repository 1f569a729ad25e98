"""What the core writes once stays written once when two transactions write it at
the same moment, and neither of them fails: an automatic referral from one source,
an agency's access to a record."""

from __future__ import annotations

from cse import services
from cse.models import ChildFlag, Referral, SharingDecision, SubjectAccess
from tests.concurrency import at_once, concurrent

pytestmark = concurrent


def test_one_source_raising_the_same_referral_twice_at_once_raises_it_once(
    alice, carol, child
):
    flag = services.set_flag(
        by=alice,
        child=child,
        kind=ChildFlag.Kind.MISSING_PATTERN,
        reason="Test reason",
        set_on=child.created_at.date(),
    )

    def refer():
        return services.create_referral(
            by=None,
            subject=child,
            forum="cmog",
            source=Referral.Source.MISSING_PATTERN,
            synopsis="Test synopsis",
            source_obj=flag,
        ).pk

    referrals, errors = at_once(refer, refer)

    assert not errors, errors
    assert len(set(referrals)) == 1
    assert Referral.objects.filter(subject=child).count() == 1
    assert carol.notifications.filter(message__contains="referral").count() == 1


def test_two_shares_with_one_agency_at_once_both_record_a_decision_and_grant_once(
    alice, child, agency_b, dave
):
    def share():
        return services.record_sharing_decision(
            by=alice,
            subject=child,
            agency=agency_b,
            decision=SharingDecision.Decision.SHARE,
            purpose="Joint investigation of exploitation concerns",
            consent=SharingDecision.Consent.GIVEN,
        ).pk

    decisions, errors = at_once(share, share)

    assert not errors, errors
    assert len(set(decisions)) == 2
    access = SubjectAccess.objects.get(subject=child, agency=agency_b)
    assert access.decision_id in decisions
