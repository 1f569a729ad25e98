"""Password reset: no answer tells whether an address is known, the e-mail names no
one, the reset ends the user's sessions and e-mails them, and the second factor is
still asked for afterwards."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cse.models import AuditEvent
from tests.factories import UserFactory

NEW_PASSWORD = "a-brand-new-long-password"


def _ask(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("password_reset"), {"email": email})


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer(
    client, alice, django_capture_on_commit_callbacks
):
    known = _ask(client, alice.email, django_capture_on_commit_callbacks)
    unknown = _ask(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    page = client.get(reverse("password_reset_done")).content.decode()
    assert "If the address belongs to an account" in page


@pytest.mark.django_db
def test_the_email_has_a_fixed_subject_and_names_no_one(
    client, alice, django_capture_on_commit_callbacks
):
    _ask(client, alice.email, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.subject == "[CSE case management] Reset your password"
    for personal in (alice.username, alice.first_name, alice.last_name, alice.email):
        assert personal not in message.subject
        assert personal not in message.body


@pytest.mark.django_db
def test_inactive_users_get_no_email(
    client, agency_a, django_capture_on_commit_callbacks
):
    gone = UserFactory(username="gone", agency=agency_a, is_active=False)
    response = _ask(client, gone.email, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and mail.outbox == []


@pytest.mark.django_db
def test_reset_emails_per_account_are_limited(
    client, alice, django_capture_on_commit_callbacks, settings
):
    for _ in range(settings.PASSWORD_RESETS_PER_HOUR + 2):
        response = _ask(client, alice.email, django_capture_on_commit_callbacks)
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == settings.PASSWORD_RESETS_PER_HOUR


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/password/reset/\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_reset_ends_sessions_emails_and_still_asks_for_the_second_factor(
    client, alice, django_capture_on_commit_callbacks
):
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(alice)
    assert elsewhere.get(reverse("cse:home")).status_code == 200

    _ask(client, alice.email, django_capture_on_commit_callbacks)
    form_page = client.get(_link(mail.outbox[0]), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert done["Location"] == reverse("password_reset_complete")

    # The other session has ended.
    assert elsewhere.get(reverse("cse:home"))["Location"].startswith(reverse("login"))
    # The account holder is told, with a fixed subject.
    assert mail.outbox[-1].subject == "[CSE case management] Your password was reset"
    # Not signed in by the reset; signing in still needs the code.
    assert client.get(reverse("cse:home"))["Location"].startswith(reverse("login"))
    client.post(reverse("login"), {"username": "alice", "password": NEW_PASSWORD})
    assert client.get(reverse("cse:home"))["Location"].startswith(
        reverse("second_factor")
    )
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    stages = set(
        AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_RESET).values_list(
            "detail__stage", flat=True
        )
    )
    assert stages == {"requested", "completed"}


@pytest.mark.django_db
def test_the_password_hash_change_alone_ends_other_sessions(client_for, alice):
    """Django's own guard, which the reset relies on besides the session index."""
    client = client_for(alice)
    alice.set_password(NEW_PASSWORD)
    alice.save()
    assert client.get(reverse("cse:home"))["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_used_link_does_not_work_again(
    client, alice, django_capture_on_commit_callbacks
):
    _ask(client, alice.email, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work" in again
