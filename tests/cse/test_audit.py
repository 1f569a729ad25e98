"""The audit trail: every access leaves an event; nobody can rewrite it."""

import pytest
from django.db import DatabaseError, connection, transaction  # noqa: F401
from django.urls import reverse

from cse import services
from cse.models import AuditEvent, SharingDecision


def test_opening_listing_and_changing_a_record_leave_events(client, alice, child):
    client.force_login(alice)
    client.get(reverse("cse:child_detail", args=[child.pk]))
    client.get(reverse("cse:child_list"))
    services.update_subject(by=alice, subject=child, fields={"known_as": "TC"})
    view = AuditEvent.objects.get(action="view", subject=child)
    assert (
        view.user == alice
        and view.agency == alice.agency
        and view.ip_address == "127.0.0.1"
    )
    listing = AuditEvent.objects.get(action="list")
    assert listing.detail["subject_ids"] == [child.pk]
    change = AuditEvent.objects.get(action="change", subject=child)
    assert change.changes == {"known_as": ["", "TC"]}


def test_sign_ins_and_failures_are_recorded(client, alice):
    client.post(
        reverse("login"), {"username": "alice", "password": "wrong-password-123"}
    )
    client.post(
        reverse("login"), {"username": "nobody", "password": "wrong-password-123"}
    )
    client.post(
        reverse("login"), {"username": "alice", "password": "a-long-test-password"}
    )
    failures = AuditEvent.objects.filter(action="login_failed").order_by("pk")
    assert [event.detail for event in failures] == [
        {"username": "alice"},
        {"known_user": False},
    ]
    assert AuditEvent.objects.filter(action="login", user=alice).exists()


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the trigger is PostgreSQL's"
)
def test_the_database_refuses_to_change_or_delete_events(alice, child):
    event = AuditEvent.objects.filter(subject=child).first()
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="view"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_a_coordinator_sees_who_accessed_a_child(
    client, alice, carol, dave, child, agency_b
):
    services.record_sharing_decision(
        by=alice,
        subject=child,
        agency=agency_b,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint visit",
        consent=SharingDecision.Consent.GIVEN,
    )
    client.force_login(dave)
    client.get(reverse("cse:child_detail", args=[child.pk]))
    client.force_login(carol)
    html = client.get(reverse("cse:access_log", args=[child.pk])).content.decode()
    assert "dave" in html and "alice" in html
    assert AuditEvent.objects.filter(
        action="view_audit", user=carol, subject=child
    ).exists()


def test_a_system_administrator_searches_the_trail_and_that_is_audited(
    client, sam, alice, child
):
    client.force_login(sam)
    response = client.get(
        reverse("cse:audit_search"), {"reference": child.reference, "action": "create"}
    )
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 1
    assert AuditEvent.objects.filter(action="view_audit", user=sam).exists()


def test_a_bad_date_in_the_audit_search_gets_a_specific_error(client, sam):
    client.force_login(sam)
    response = client.get(reverse("cse:audit_search"), {"since": "yesterday"})
    assert "Enter a date like 23/11/2026" in response.content.decode()
