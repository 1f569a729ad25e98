import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cse import permissions
from cse import services as core
from cse.models import (
    Child,
    Notification,
    Referral,
    SharingDecision,
    SubjectAccess,
)
from meetings import services
from meetings.models import Action, AgendaItem, Decision, Meeting, MeetingMember
from meetings.services import Triage
from tests.factories import make_child, make_location, make_person


def refer(by, subject, urgent=False):
    return core.create_referral(
        by=by,
        subject=subject,
        forum="cmog",
        source=Referral.Source.PROFESSIONAL,
        synopsis="Seen with older males near the sample shop",
        urgent=urgent,
    )


def test_a_meeting_gets_its_members_and_standard_items(meeting, agency_a, agency_b):
    members = {m.agency_id: m.kind for m in meeting.members.all()}
    assert members == {
        agency_a.pk: MeetingMember.Kind.CORE,
        agency_b.pk: MeetingMember.Kind.CORE,
    }
    assert [i.title for i in meeting.items.all()] == [
        "Introductions and apologies",
        "Any other business",
    ]


def test_accepting_a_referral_puts_the_record_on_the_agenda(meeting, bob, alice, child):
    referral = refer(alice, child)
    services.triage_referral(
        by=bob, meeting=meeting, referral=referral, decision=Triage.ACCEPT
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    item = meeting.items.get(subject=child)
    assert item.section == AgendaItem.Section.CHILD and not item.is_late_addition


def test_declining_needs_a_reason_and_tells_the_referrer(meeting, bob, alice, child):
    referral = refer(alice, child)
    with pytest.raises(ValidationError):
        services.triage_referral(
            by=bob, meeting=meeting, referral=referral, decision=Triage.DECLINE
        )
    services.triage_referral(
        by=bob,
        meeting=meeting,
        referral=referral,
        decision=Triage.DECLINE,
        reason="Below the threshold for CMOG",
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    assert Notification.objects.filter(
        user=alice, message__contains="declined"
    ).exists()


def test_a_deferred_referral_stays_in_the_queue(meeting, bob, alice, child):
    referral = refer(alice, child)
    services.triage_referral(
        by=bob, meeting=meeting, referral=referral, decision=Triage.DEFER
    )
    assert list(services.triage_queue(meeting, bob)) == [referral]


def test_after_circulation_only_urgent_late_additions_are_accepted(
    meeting, bob, alice, child
):
    services.circulate_meeting(by=bob, meeting=meeting)
    meeting.refresh_from_db()
    referral = refer(alice, child)
    with pytest.raises(ValidationError):
        services.triage_referral(
            by=bob, meeting=meeting, referral=referral, decision=Triage.ACCEPT
        )
    services.triage_referral(
        by=bob, meeting=meeting, referral=referral, decision=Triage.ACCEPT, urgent=True
    )
    assert meeting.items.get(subject=child).is_late_addition


def test_circulation_shares_the_items_with_members_as_recorded_decisions(
    meeting, bob, alice, dave, erin, child
):
    person = make_person(alice)
    location = make_location(alice)
    for subject in (child, person, location):
        services.triage_referral(
            by=bob, meeting=meeting, referral=refer(alice, subject), decision="accept"
        )
    assert not permissions.can_see(dave, child)
    assert services.circulate_meeting(by=bob, meeting=meeting) == 3
    for subject in (child, person, location):
        assert permissions.can_see(dave, subject)
        assert not permissions.can_see(erin, subject)
    decision = SharingDecision.objects.get(subject=child)
    assert decision.context == SharingDecision.Context.MEETING
    assert decision.consent_reason == "Circulated for a multi-agency meeting"
    access = SubjectAccess.objects.get(subject=child, agency=dave.agency)
    assert access.basis == SubjectAccess.Basis.MEETING
    assert Notification.objects.filter(user=dave, message__contains="agenda").exists()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CIRCULATED
    # Again, nothing new: no more shares.
    assert services.circulate_meeting(by=bob, meeting=meeting) == 0


def test_circulation_after_the_deadline_needs_the_chair(bob, chris, meeting_type):
    starts = timezone.now() + datetime.timedelta(days=2)
    meeting = services.create_meeting(
        by=bob, meeting_type=meeting_type, starts_at=starts, chair=chris
    )
    with pytest.raises(ValidationError, match="chair must allow"):
        services.circulate_meeting(by=bob, meeting=meeting)
    with pytest.raises(PermissionDenied):
        services.allow_late_circulation(by=bob, meeting=meeting, reason="Urgent")
    services.allow_late_circulation(
        by=chris, meeting=meeting, reason="Urgent concerns raised this week"
    )
    services.circulate_meeting(by=bob, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.late_circulation_allowed_by == chris
    assert meeting.circulated_at is not None


def _item_for(meeting, bob, alice, child):
    services.triage_referral(
        by=bob, meeting=meeting, referral=refer(alice, child), decision="accept"
    )
    return meeting.items.get(subject=child)


def test_only_the_chair_closes_or_dismisses_actions(
    meeting, bob, alice, chris, dave, child
):
    item = _item_for(meeting, bob, alice, child)
    action = services.add_action(
        by=bob,
        meeting=meeting,
        item=item,
        description="Visit the sample shop",
        assigned_agency=dave.agency,
        assigned_to=dave,
        due_on=datetime.date(2030, 1, 1),
    )
    for user in (bob, dave, alice):
        with pytest.raises(PermissionDenied):
            services.close_action(
                by=user, action=action, status=Action.Status.COMPLETED
            )
    with pytest.raises(ValidationError):
        services.close_action(by=chris, action=action, status=Action.Status.DISMISSED)
    services.close_action(by=chris, action=action, status=Action.Status.COMPLETED)
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED and action.closed_by == chris


def test_owners_add_dated_updates_but_outsiders_do_not(
    meeting, bob, alice, dave, erin, child
):
    item = _item_for(meeting, bob, alice, child)
    action = services.add_action(
        by=bob,
        meeting=meeting,
        item=item,
        description="Check the sample shop",
        assigned_agency=dave.agency,
        due_on=datetime.date(2030, 1, 1),
    )
    services.add_action_update(by=dave, action=action, text="Visited, closed at night")
    with pytest.raises(PermissionDenied):
        services.add_action_update(by=erin, action=action, text="Nothing")
    assert action.updates.get().agency == dave.agency


def test_a_decision_reviews_the_category_and_the_next_review_is_within_3_months(
    meeting, bob, alice, child
):
    meeting.meeting_type.review_interval_months = 3
    meeting.meeting_type.save()
    meeting.starts_at = timezone.now() - datetime.timedelta(days=1)
    meeting.save()
    item = _item_for_past(meeting, bob, alice, child)
    with pytest.raises(ValidationError) as error:
        services.record_decision(
            by=bob,
            item=item,
            outcome=Decision.Outcome.CONTINUE,
            rationale="Still at risk",
            next_review_on=meeting.day + datetime.timedelta(days=120),
        )
    assert "next_review_on" in error.value.error_dict
    decision = services.record_decision(
        by=bob,
        item=item,
        outcome=Decision.Outcome.CONTINUE,
        rationale="Still at risk",
        category_reviewed=2,
    )
    assert decision.next_review_on == meeting.review_limit
    assert Child.objects.get(pk=child.pk).current_category == 2


def _item_for_past(meeting, bob, alice, child):
    return AgendaItem.objects.create(
        meeting=meeting,
        position=99,
        section="child",
        subject=child,
        added_by=bob,
        referral=refer(alice, child),
    )


def test_removal_from_the_list_needs_actions_completed_and_tells_the_referrer(
    meeting, bob, alice, chris, dave, child
):
    item = _item_for(meeting, bob, alice, child)
    action = services.add_action(
        by=bob,
        meeting=meeting,
        item=item,
        description="Speak to the school",
        assigned_agency=alice.agency,
        due_on=datetime.date(2030, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.record_decision(
            by=bob, item=item, outcome=Decision.Outcome.DISCHARGE, rationale="Safe now"
        )
    assert "outcome" in error.value.error_dict
    services.close_action(by=chris, action=action, status=Action.Status.COMPLETED)
    services.record_decision(
        by=bob, item=item, outcome=Decision.Outcome.DISCHARGE, rationale="Safe now"
    )
    item.referral.refresh_from_db()
    assert item.referral.status == Referral.Status.CLOSED
    assert Notification.objects.filter(user=alice, message__contains="closed").exists()


def test_standing_items_carry_over_unless_removed(
    meeting, bob, alice, chris, child, meeting_type
):
    other = make_child(alice, forename="Testchild", surname="Otherton")
    kept = _item_for(meeting, bob, alice, child)
    gone = _item_for(meeting, bob, alice, other)
    services.record_decision(
        by=bob, item=kept, outcome="continue", rationale="Risk remains"
    )
    services.record_decision(
        by=bob, item=gone, outcome="discharge", rationale="Moved away"
    )
    later = services.create_meeting(
        by=bob,
        meeting_type=meeting_type,
        starts_at=meeting.starts_at + datetime.timedelta(days=28),
        chair=chris,
    )
    standing = later.items.filter(is_standing=True)
    assert [i.subject_id for i in standing] == [child.pk]


def test_items_move_up_and_down(meeting, bob):
    first, second = meeting.items.all()
    services.move_item(by=bob, item=second, direction="up")
    assert [i.pk for i in meeting.items.all()] == [second.pk, first.pk]


def test_a_practitioner_cannot_run_the_meeting(meeting, alice):
    with pytest.raises(PermissionDenied):
        services.circulate_meeting(by=alice, meeting=meeting)
