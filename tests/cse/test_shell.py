"""What every response does: sign-in by default, no caching of personal data,
inactivity expiry, a request reference on errors."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import verify_client


def test_pages_need_sign_in_by_default(client, db):
    response = client.get(reverse("cse:child_list"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("login")
    )


def test_signed_in_pages_are_not_cached(client, alice):
    client.force_login(alice)
    response = client.get(reverse("cse:home"))
    assert response["Cache-Control"] == "no-store"
    assert response["X-Request-ID"]


def test_a_session_ends_after_thirty_minutes_without_activity(client, alice):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(alice)
    session = client.session
    session.set_expiry(-1)  # as if the idle time had run out
    session.save()
    response = client.get(reverse("cse:home"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("login")
    )


def test_signing_in_and_out_works_through_the_pages(alice):
    client = Client(enforce_csrf_checks=False)
    response = client.post(
        reverse("login"), {"username": "alice", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    verify_client(client, alice)  # the second factor: tests/cse/test_two_factor.py
    assert client.get(reverse("cse:home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # sign-out is a POST
    client.post(reverse("logout"))
    assert client.get(reverse("cse:home")).status_code == 302


@pytest.mark.urls("tests.cse.failing_urls")
def test_an_error_page_shows_a_reference_and_no_detail(alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    response = client.get("/fail/")
    assert response.status_code == 500
    html = response.content.decode()
    assert response["X-Request-ID"] in html
    assert "Traceback" not in html and "deliberate failure" not in html


def test_a_system_administrator_manages_agencies_in_the_admin(client, sam, alice):
    sam.is_staff = True
    sam.save()
    client.force_login(sam)
    assert client.get("/administration/site/cse/agency/").status_code == 200
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    assert client.get("/administration/site/cse/agency/").status_code == 403


def test_every_response_carries_the_security_headers(client, alice):
    client.force_login(alice)
    for url in (reverse("cse:home"), reverse("login"), "/health/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_signing_out_clears_the_browsers_copy(client, alice):
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, alice):
    import time

    from cse.security import SIGNED_IN_AT

    client.post(
        reverse("login"), {"username": "alice", "password": "a-long-test-password"}
    )
    verify_client(client, alice)
    assert client.get(reverse("cse:home")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 3600 - 60
    session.save()
    response = client.get(reverse("cse:home"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("login")
    )
    assert client.get(reverse("cse:home")).status_code == 302


def test_a_system_administrator_configures_meeting_types_and_missing_rules(client, sam):
    sam.is_staff = True
    sam.save()
    client.force_login(sam)
    for url in (
        "/administration/site/meetings/meetingtype/",
        "/administration/site/missing/missingrules/",
    ):
        assert client.get(url).status_code == 200
