"""The idle limit as the timeout warning sees it: asking how long is left is not
activity; "Stay signed in" is; the server's answer is the same for every tab."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from cse import session_timeout
from cse.models import AuditEvent
from cse.security import SIGNED_IN_AT

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def _row(client) -> Session:
    return Session.objects.get(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    )


def _idle_for(client, seconds: float) -> None:
    """As if the last request had been `seconds` ago."""
    session = client.session
    session[session_timeout.ACTIVE_AT] = time.time() - seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now()
        + timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    )


def test_asking_how_long_is_left_does_not_extend_the_session(client, alice):
    client.force_login(alice)
    client.get(reverse("cse:home"))
    _idle_for(client, 600)
    expires = _row(client).expire_date
    events = AuditEvent.objects.count()
    response = client.get(reverse("session_status"))
    assert response.status_code == 200
    status = response.json()
    assert status["signed_in"] is True and status["can_extend"] is True
    assert (
        settings.SESSION_COOKIE_AGE - 602
        <= status["seconds_left"]
        <= (settings.SESSION_COOKIE_AGE - 599)
    )
    assert status["warn_seconds"] == settings.SESSION_TIMEOUT_WARNING_SECONDS
    assert _row(client).expire_date == expires
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert AuditEvent.objects.count() == events


def test_a_page_is_activity_and_resets_the_time_left(client, alice):
    client.force_login(alice)
    _idle_for(client, 600)
    client.get(reverse("cse:home"))
    status = client.get(reverse("session_status")).json()
    assert status["seconds_left"] >= settings.SESSION_COOKIE_AGE - 2


def test_stay_signed_in_extends_the_session(client, alice):
    client.force_login(alice)
    _idle_for(client, settings.SESSION_COOKIE_AGE - 60)
    response = client.post(reverse("session_keep_alive"), **JSON)
    assert response.status_code == 200
    assert response.json()["seconds_left"] >= settings.SESSION_COOKIE_AGE - 2
    left = (_row(client).expire_date - timezone.now()).total_seconds()
    assert left >= settings.SESSION_COOKIE_AGE - 5
    assert client.get(reverse("session_status")).json()["seconds_left"] >= (
        settings.SESSION_COOKIE_AGE - 5
    )


def test_without_the_script_stay_signed_in_comes_back_to_the_page(client, alice):
    client.force_login(alice)
    here = reverse("cse:child_list")
    response = client.post(reverse("session_keep_alive"), {"next": here})
    assert response.status_code == 302 and response["Location"] == here
    elsewhere = client.post(
        reverse("session_keep_alive"), {"next": "https://elsewhere.example/"}
    )
    assert elsewhere["Location"] == reverse("cse:home")


def test_a_signed_out_browser_is_told_so(client, alice):
    assert client.get(reverse("session_status")).json() == {
        "signed_in": False,
        "seconds_left": 0,
        "can_extend": False,
    }
    response = client.post(reverse("session_keep_alive"), **JSON)
    assert response.status_code == 401 and response.json()["signed_in"] is False
    plain = client.post(reverse("session_keep_alive"))
    assert plain["Location"] == reverse("login")


def test_an_ended_session_is_signed_out_not_extended(client, alice):
    client.force_login(alice)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("session_status")).json()["signed_in"] is False
    assert client.post(reverse("session_keep_alive"), **JSON).status_code == 401


def test_the_password_alone_is_not_signed_in_for_the_warning(
    unverified_client_for, alice
):
    """Until the second factor passes, only the steps to it answer."""
    client = unverified_client_for(alice)
    response = client.get(reverse("session_status"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor"))


def test_near_the_absolute_limit_staying_signed_in_is_not_offered(client, alice):
    client.force_login(alice)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - settings.SESSION_ABSOLUTE_HOURS * 3600 + 90
    session.save()
    status = client.get(reverse("session_status")).json()
    assert status["can_extend"] is False
    assert 86 <= status["seconds_left"] <= 91


def test_keep_alive_is_post_only(client, alice):
    client.force_login(alice)
    assert client.get(reverse("session_keep_alive")).status_code == 405


def test_signed_in_pages_carry_the_warning_with_the_time_left(client, alice):
    client.force_login(alice)
    page = client.get(reverse("cse:home")).content.decode()
    assert 'data-module="app-timeout-warning"' in page
    left = int(re.search(r'data-seconds-left="(\d+)"', page)[1])
    assert settings.SESSION_COOKIE_AGE <= left <= settings.SESSION_COOKIE_AGE + 1
    assert f'data-warn-seconds="{settings.SESSION_TIMEOUT_WARNING_SECONDS}"' in page
    assert f'action="{reverse("session_keep_alive")}"' in page


def test_the_sign_in_pages_do_not(client, alice, unverified_client_for):
    assert "app-timeout-warning" not in client.get(reverse("login")).content.decode()
    unverified = unverified_client_for(alice)
    page = unverified.get(reverse("second_factor")).content.decode()
    assert "app-timeout-warning" not in page
