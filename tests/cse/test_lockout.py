"""Failed sign-ins lock the username-and-address pair, escalate, cap each account,
tell the account holder, and never reveal whether an account exists."""

import datetime

from django.core import mail
from django.test import Client
from django.urls import reverse

from cse import audit
from cse.lockout import cool_off
from cse.models import AuditEvent

URL = reverse("login")
GOOD = "a-long-test-password"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(
        URL, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_pause_that_username_at_that_address_only(alice, bob):
    client = Client()
    for _ in range(4):
        assert attempt(client, "alice", "wrong-password-1").status_code == 200
    assert attempt(client, "alice", "wrong-password-1").status_code == 429  # the 5th
    locked = attempt(client, "alice", GOOD)
    assert locked.status_code == 429 and "Sign-in paused" in locked.content.decode()
    # A colleague behind the same address, and alice from elsewhere, still sign in.
    assert attempt(Client(), "bob", GOOD).status_code == 302
    assert attempt(Client(), "alice", GOOD, ip="10.0.0.2").status_code == 302


def test_the_account_holder_is_emailed_once_when_locked(
    alice, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(8):
            attempt(client, "alice", "wrong-password-1")
    notices = [m for m in mail.outbox if "Sign-in paused" in m.subject]
    assert len(notices) == 1 and notices[0].to == [alice.email]


def test_an_unknown_username_is_answered_like_a_known_one(alice):
    known, unknown = Client(), Client()
    for n in range(5):
        a = attempt(known, "alice", "wrong-password-1")
        b = attempt(unknown, "nobody-here", "wrong-password-1", ip="10.0.0.9")
        assert a.status_code == b.status_code == (429 if n == 4 else 200)
        if n < 4:
            for response in (a, b):
                assert (
                    "Please enter a correct username and password"
                    in response.content.decode()
                )
    assert attempt(known, "alice", GOOD).status_code == 429
    assert attempt(unknown, "nobody-here", GOOD, ip="10.0.0.9").status_code == 429
    assert AuditEvent.objects.filter(action="locked_out").count() == 2


def test_an_account_takes_at_most_100_failures_an_hour_from_anywhere(alice):
    for _ in range(100):
        audit.record(
            by=None, action=AuditEvent.Action.LOGIN_FAILED, detail={"username": "alice"}
        )
    response = attempt(Client(), "alice", GOOD, ip="10.9.9.9")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_the_cool_off_doubles_and_stops_at_an_hour(rf, db):
    def after(failures):
        for _ in range(failures):
            audit.record(
                by=None,
                action=AuditEvent.Action.LOGIN_FAILED,
                detail={"username": "carl"},
            )
        return cool_off(rf.post(URL, {"username": "carl"}))

    assert after(5) == datetime.timedelta(minutes=1)
    assert after(5) == datetime.timedelta(minutes=2)
    assert after(10) == datetime.timedelta(minutes=8)
    assert after(40) == datetime.timedelta(hours=1)


def test_a_password_change_is_emailed_to_the_account_holder(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_change"),
            {
                "old_password": GOOD,
                "new_password1": "another-long-pass-2026",
                "new_password2": "another-long-pass-2026",
            },
        )
    assert response.status_code == 302
    assert any("Your password was changed" in m.subject for m in mail.outbox)
