"""record_sharing_decision: the one way access to a record reaches another agency."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cse import permissions, services
from cse.models import AuditEvent, Notification, SharingDecision, SubjectAccess
from tests.factories import UserFactory

Decision, Consent = SharingDecision.Decision, SharingDecision.Consent


def share(by, child, agency, **overrides):
    fields = {
        "decision": Decision.SHARE,
        "purpose": "Joint investigation of exploitation concerns",
        "consent": Consent.GIVEN,
    }
    fields.update(overrides)
    return services.record_sharing_decision(
        by=by, subject=child, agency=agency, **fields
    )


def test_a_share_grants_the_agency_access_and_records_everything(
    alice, child, dave, agency_b
):
    assert not permissions.visible_children(dave).filter(pk=child.pk).exists()
    decision = share(alice, child, agency_b)
    assert permissions.visible_children(dave).filter(pk=child.pk).exists()
    access = SubjectAccess.objects.get(subject=child, agency=agency_b)
    assert access.decision == decision and access.basis == SubjectAccess.Basis.SHARED
    assert decision.decided_by == alice and decision.decided_by_agency == alice.agency
    assert AuditEvent.objects.filter(action="share", subject=child, user=alice).exists()
    assert child.chronology.filter(kind="sharing").exists()


def test_the_receiving_coordinator_is_told_without_personal_data_in_the_email(
    alice, child, agency_b, django_capture_on_commit_callbacks
):
    coordinator = UserFactory(agency=agency_b, roles=["cse_coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        share(alice, child, agency_b)
    notification = Notification.objects.get(user=coordinator)
    assert child.reference in notification.message
    assert "Sampleton" not in notification.message
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [coordinator.email]
    assert "Sampleton" not in email.subject + email.body
    assert "Testchild" not in email.subject + email.body


def test_sharing_without_consent_needs_a_reason(alice, child, agency_b):
    with pytest.raises(ValidationError) as error:
        share(alice, child, agency_b, consent=Consent.NOT_SOUGHT)
    assert "consent_reason" in error.value.error_dict
    assert not SubjectAccess.objects.filter(subject=child, agency=agency_b).exists()
    assert not SharingDecision.objects.exists()


def test_a_decision_not_to_share_is_recorded_and_grants_nothing(
    alice, child, agency_b, dave
):
    share(
        alice,
        child,
        agency_b,
        decision=Decision.DO_NOT_SHARE,
        consent=Consent.REFUSED,
        consent_reason="Young person refused; no significant harm threshold met",
    )
    assert SharingDecision.objects.filter(
        subject=child, decision=Decision.DO_NOT_SHARE
    ).exists()
    assert not permissions.visible_children(dave).filter(pk=child.pk).exists()


def test_withdrawing_a_share_removes_access(alice, child, agency_b, dave):
    share(alice, child, agency_b)
    share(
        alice,
        child,
        agency_b,
        decision=Decision.WITHDRAW,
        consent=Consent.NOT_SOUGHT,
        consent_reason="Withdrawal",
        purpose="Investigation closed",
    )
    assert not permissions.visible_children(dave).filter(pk=child.pk).exists()
    assert AuditEvent.objects.filter(action="withdraw_share", subject=child).exists()


def test_only_the_owning_agency_may_share(child, agency_b, agency_c, alice, dave, bob):
    share(alice, child, agency_b)
    for user in (dave, bob):
        with pytest.raises(Exception) as error:
            share(user, child, agency_c)
        assert error.type.__name__ == "PermissionDenied"


def test_the_share_page_records_a_decision(client, alice, child, agency_b):
    client.force_login(alice)
    response = client.post(
        f"/records/{child.pk}/sharing/new/",
        {
            "agency": agency_b.pk,
            "decision": "share",
            "purpose": "Strategy meeting",
            "consent": "not_sought",
            "consent_reason": "Seeking consent would place the child at risk",
        },
    )
    assert response.status_code == 302
    assert SubjectAccess.objects.filter(subject=child, agency=agency_b).exists()


def test_the_share_page_shows_an_error_summary_for_a_missing_reason(
    client, alice, child, agency_b
):
    client.force_login(alice)
    response = client.post(
        f"/records/{child.pk}/sharing/new/",
        {
            "agency": agency_b.pk,
            "decision": "share",
            "purpose": "Strategy meeting",
            "consent": "refused",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_consent_reason"' in html
    assert not SubjectAccess.objects.filter(subject=child, agency=agency_b).exists()
