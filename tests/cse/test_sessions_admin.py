"""Administrators end a user's sessions, deactivate users and reset their factors;
each is audited and only system administrators can do it."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cse import two_factor
from cse.models import AuditEvent, User, UserSession

CHANGELIST = "/administration/site/cse/user/"


def _signed_in(user) -> Client:
    other = Client()
    other.force_login(user)
    assert other.get(reverse("cse:home")).status_code == 200
    return other


@pytest.fixture(autouse=True)
def _staff(sam, carol):
    """Django's admin site lets in staff only; the role decides the rest."""
    for user in (sam, carol):
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def _action(client, action, user):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [user.pk]}, follow=True
    )


@pytest.mark.django_db
def test_sign_in_indexes_the_session_and_sign_out_forgets_it(alice):
    client = _signed_in(alice)
    assert UserSession.objects.filter(
        user=alice, session_key=client.session.session_key
    ).exists()
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_an_administrator_ends_all_of_a_users_sessions(client_for, sam, alice):
    first, second = _signed_in(alice), _signed_in(alice)
    response = _action(client_for(sam), "end_sessions", alice)
    assert "Ended 2 session(s)" in response.content.decode()
    for other in (first, second):
        assert other.get(reverse("cse:home"))["Location"].startswith(reverse("login"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.SESSIONS_ENDED)
    assert event.user == sam and event.detail["user_id"] == alice.pk


@pytest.mark.django_db
def test_only_system_administrators_can_end_sessions(client_for, carol, alice):
    other = _signed_in(alice)
    response = client_for(carol).post(
        CHANGELIST, {"action": "end_sessions", "_selected_action": [alice.pk]}
    )
    assert response.status_code in {302, 403}
    assert other.get(reverse("cse:home")).status_code == 200
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.SESSIONS_ENDED
    ).exists()


@pytest.mark.django_db
def test_deactivating_a_user_ends_their_sessions(client_for, sam, alice):
    other = _signed_in(alice)
    _action(client_for(sam), "deactivate", alice)
    alice.refresh_from_db()
    assert not alice.is_active
    assert not UserSession.objects.filter(user=alice).exists()
    assert other.get(reverse("cse:home"))["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SESSIONS_ENDED).exists()


@pytest.mark.django_db
def test_an_account_saved_inactive_anywhere_loses_its_sessions(alice):
    other = _signed_in(alice)
    assert UserSession.objects.filter(user=alice).exists()
    alice.is_active = False
    alice.save()  # as a command or the shell would
    assert not UserSession.objects.filter(user=alice).exists()
    assert other.get(reverse("cse:home"))["Location"].startswith(reverse("login"))
    ended = AuditEvent.objects.get(action=AuditEvent.Action.SESSIONS_ENDED)
    assert ended.user is None and ended.detail["user_id"] == alice.pk


@pytest.mark.django_db
def test_unticking_active_on_the_change_form_ends_their_sessions(sam, alice):
    _signed_in(alice)
    admin = site._registry[User]
    request = RequestFactory().post("/")
    request.user = sam
    alice.is_active = False

    class Form:
        changed_data = ["is_active"]

    admin.save_model(request, alice, Form(), change=True)
    assert not UserSession.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_an_administrator_resets_a_users_factors(
    client_for, sam, alice, django_capture_on_commit_callbacks
):
    other = _signed_in(alice)
    two_factor.new_recovery_codes(alice)
    with django_capture_on_commit_callbacks(execute=True):
        _action(client_for(sam), "reset_factors", alice)
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert two_factor.recovery_codes_left(alice) == 0
    assert other.get(reverse("cse:home"))["Location"].startswith(reverse("login"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.FACTOR_CHANGE)
    assert event.user == sam and event.detail == {"user_id": alice.pk}
    from django.core import mail

    assert mail.outbox[-1].subject.endswith("Your sign-in factors were reset")
    assert mail.outbox[-1].to == [alice.email]


# --- step-up before changing anyone's sign-in ----------------------------------


def _stale(client) -> None:
    import time

    from django.conf import settings

    from cse import stepup

    session = client.session
    session[stepup.CHECKED_AT] = time.time() - settings.STEP_UP_MINUTES * 60 - 5
    session.save()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["end_sessions", "deactivate", "reset_factors"])
def test_a_stale_check_sends_the_administrator_to_confirm_and_does_nothing(
    client_for, sam, alice, action, django_capture_on_commit_callbacks
):
    from django.contrib.messages import get_messages
    from django.core import mail

    from cse import stepup

    other = _signed_in(alice)
    two_factor.new_recovery_codes(alice)
    client = client_for(sam)
    _stale(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": action, "_selected_action": [alice.pk]}
        )
    assert response.status_code == 302
    assert response["Location"] == stepup.confirm_url(CHANGELIST)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "For your security, confirm it is you again, then choose the action again."
    ]
    alice.refresh_from_db()
    assert alice.is_active
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert two_factor.recovery_codes_left(alice) > 0
    assert UserSession.objects.filter(user=alice).exists()
    assert other.get(reverse("cse:home")).status_code == 200
    assert not AuditEvent.objects.filter(
        action__in=[
            AuditEvent.Action.SESSIONS_ENDED,
            AuditEvent.Action.FACTOR_CHANGE,
        ]
    ).exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_after_confirming_the_action_goes_through(client_for, sam, alice):
    _signed_in(alice)
    client = client_for(sam)
    _stale(client)
    confirm = client.post(
        CHANGELIST, {"action": "end_sessions", "_selected_action": [alice.pk]}
    )["Location"]
    back = client.post(
        confirm, {"password": "a-long-test-password", "next": CHANGELIST}
    )
    assert back["Location"] == CHANGELIST
    response = _action(client, "end_sessions", alice)
    assert "Ended 1 session(s)" in response.content.decode()
    assert not UserSession.objects.filter(user=alice).exists()


def test_every_action_on_users_asks_for_a_fresh_check():
    admin = site._registry[User]
    for name in ("end_sessions", "deactivate", "reset_factors"):
        assert getattr(getattr(admin, name), "step_up", False), name
