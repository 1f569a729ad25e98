"""The permissions module's reads for pages and panels give each reader only what
that reader may see."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cse import permissions, services
from cse.models import AuditEvent, BreakGlass, Role
from cse.permissions import AgencyReader
from cse.search import possible_duplicate_children
from tests.factories import UserFactory, make_child

pytestmark = pytest.mark.django_db


def _warning(alice, child, text="Known to carry a knife"):
    return services.add_warning(
        by=alice,
        subject=child,
        text=text,
        review_on=timezone.localdate() + datetime.timedelta(days=30),
    )


def test_warnings_on_a_record_only_for_readers_who_may_open_it(
    alice, erin, agency_c, child
):
    _warning(alice, child)
    assert [w.text for w in permissions.warnings_on(alice, child)] == [
        "Known to carry a knife"
    ]
    assert list(permissions.warnings_on(erin, child)) == []
    assert list(permissions.warnings_on(AgencyReader(agency_c), child)) == []


def test_a_grant_to_one_person_shows_the_warnings_on_the_record_they_open(
    client_for, alice, erin, child
):
    _warning(alice, child)
    permissions.grant_user_permission(erin, "view_child", child)
    assert [w.text for w in permissions.warnings_on(erin, child)] == [
        "Known to carry a knife"
    ]
    page = client_for(erin).get(reverse("cse:child_detail", args=[child.pk]))
    assert page.status_code == 200
    assert "Known to carry a knife" in page.content.decode()
    # ...but not to their agency as a reader of a circulated document.
    assert list(permissions.warnings_on(AgencyReader(erin.agency), child)) == []


def test_who_holds_a_record_only_for_readers_who_may_open_it(alice, erin, child):
    assert [a.agency_id for a in permissions.access_to(alice, child)] == [
        alice.agency_id
    ]
    assert list(permissions.access_to(erin, child)) == []


def test_records_by_id_leave_out_records_the_reader_may_not_see(alice, erin, child):
    assert list(permissions.records_by_id(alice, [child.pk])) == [child.subject_ptr]
    assert list(permissions.records_by_id(erin, [child.pk])) == []


def test_the_access_log_and_the_audit_trail_are_for_their_readers_only(
    alice, carol, sam, child
):
    assert permissions.audit_events_on(carol, child).exists()
    for reader in (alice, sam):
        with pytest.raises(PermissionDenied):
            permissions.audit_events_on(reader, child)
    assert permissions.audit_events_for(sam).exists()
    for reader in (alice, carol):
        with pytest.raises(PermissionDenied):
            permissions.audit_events_for(reader)


def test_failed_logins_are_counted_for_administrators_only(alice, sam):
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN_FAILED, username="x")
    since = timezone.now() - datetime.timedelta(days=1)
    assert permissions.failed_logins_since(sam, since) == 1
    assert permissions.failed_logins_since(alice, since) == 0


def test_the_area_picture_counts_the_managers_own_area_only(pam, alice, child):
    other_area_child = make_child(alice, forename="Elsewhere", surname="Child")
    from tests.factories import LocalAreaFactory

    other_area_child.home_area = LocalAreaFactory(name="Otherland", slug="otherland")
    other_area_child.save()
    child.home_area = pam.agency.local_area
    child.save()
    assert sum(permissions.open_cases_by_category(pam).values()) == 1
    assert permissions.open_cases_by_category(alice) == {}


def test_the_duplicate_check_runs_only_for_users_who_record(alice, bob, erin, child):
    found = possible_duplicate_children(
        by=erin, forename="Testchild", surname="Sampleton", date_of_birth=None
    )
    assert [c.pk for c in found] == [child.pk]  # the owners are told, erin is not
    assert (
        possible_duplicate_children(
            by=bob, forename="Testchild", surname="Sampleton", date_of_birth=None
        )
        == []
    )


def _grant(holder, child, **fields):
    now = timezone.now()
    values = {
        "user": holder,
        "agency": holder.agency,
        "subject": child.subject_ptr,
        "owner_agency": child.owner_agency,
        "reason_category": BreakGlass._meta.get_field("reason_category").choices[0][0],
        "reason": "A child is missing tonight and may be with this person",
        "expires_at": now + datetime.timedelta(hours=1),
    }
    values.update(fields)
    return BreakGlass.objects.create(**values)


def test_break_glass_grants_go_to_their_holder_and_the_owning_reviewers_only(
    alice, carol, dave, erin, child
):
    grant = _grant(erin, child)
    assert list(permissions.break_glass_grants_held_by(erin)) == [grant]
    assert list(permissions.break_glass_grants_held_by(dave)) == []
    assert permissions.break_glass_grant_in_force(erin, grant.pk) == grant
    assert permissions.break_glass_grant_in_force(dave, grant.pk) is None
    assert list(permissions.break_glass_grants_to_review(carol)) == [grant]
    for reader in (alice, dave, erin):
        assert list(permissions.break_glass_grants_to_review(reader)) == []
    assert permissions.break_glass_grant_to_review(carol, grant.pk) == grant
    assert permissions.break_glass_grant_to_review(dave, grant.pk) is None
    AuditEvent.objects.create(
        action=AuditEvent.Action.VIEW, username="erin", break_glass=grant
    )
    assert permissions.break_glass_events(carol, grant).count() == 1
    assert list(permissions.break_glass_events(dave, grant)) == []


def test_an_expired_grant_cannot_be_ended(erin, child):
    grant = _grant(
        erin,
        child,
        granted_at=timezone.now() - datetime.timedelta(hours=2),
        expires_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert permissions.break_glass_grant_in_force(erin, grant.pk) is None


def test_a_coordinator_without_an_agency_reviews_nothing(agency_a, child, erin):
    grant = _grant(erin, child)
    loner = UserFactory(username="loner", agency=None, roles=[Role.CSE_COORDINATOR])
    assert permissions.break_glass_grant_to_review(loner, grant.pk) is None
    assert list(permissions.break_glass_grants_to_review(loner)) == []
