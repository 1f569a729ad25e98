"""A sharing decision is recorded once however often its form is sent: one
decision, one notice to the receiving agency."""

from __future__ import annotations

from django.urls import reverse

from cse.models import Notification, SharingDecision
from tests.factories import UserFactory
from tests.form_tokens import changed, row_counts, said_already_saved, token_on


def test_the_same_share_sent_twice_records_one_decision_and_one_notice(
    client_for, alice, child, agency_b, django_capture_on_commit_callbacks
):
    coordinator = UserFactory(agency=agency_b, roles=["cse_coordinator"])
    client = client_for(alice)
    url = reverse("cse:share_create", args=[child.pk])
    data = {
        "agency": agency_b.pk,
        "decision": SharingDecision.Decision.SHARE,
        "purpose": "Joint investigation of exploitation concerns",
        "consent": SharingDecision.Consent.GIVEN,
        "submission_token": token_on(client.get(url)),
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data)
    assert first.status_code == 302
    before = row_counts()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = client.post(url, data)
    assert second.status_code == 302
    assert (
        second["Location"]
        == first["Location"]
        == reverse("cse:sharing", args=[child.pk])
    )
    assert said_already_saved(second)
    assert changed(before, row_counts()) == {}
    assert callbacks == []  # nothing sent either
    assert SharingDecision.objects.filter(subject=child, agency=agency_b).count() == 1
    assert Notification.objects.filter(user=coordinator).count() == 1
