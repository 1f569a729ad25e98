"""The security-key ceremony in a real browser: a user whose role must use a key
registers one (Chromium's virtual authenticator, driven through the DevTools
protocol), signs out, and signs in again with password then key. A code from the
authenticator app no longer lets them in, and the key pages run their scripts under
the strict Content-Security-Policy."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cse.models import AuditEvent, Role

from .conftest import PASSWORD, current_code, ensure_authenticator

pytestmark = pytest.mark.browser


@pytest.fixture
def key_site(settings, live_server):
    """Security keys for system administrators, bound to the live server's origin.

    Browsers treat http://localhost as a secure context, so the ceremony runs over
    the test server's plain HTTP; 127.0.0.1 would not be allowed as a key's site."""
    origin = urlsplit(live_server.url)
    assert origin.hostname == "localhost", live_server.url
    settings.STRONG_FACTOR_ROLES = [Role.SYSTEM_ADMINISTRATOR]
    settings.SITE_URL = live_server.url
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return live_server.url


def _virtual_authenticator(page: Page) -> tuple:
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    created = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session, created["authenticatorId"]


def _watch_policy(page: Page) -> list[str]:
    """Messages about blocked content, and any error thrown by the pages' scripts."""
    blocked: list[str] = []
    page.on("pageerror", lambda error: blocked.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return blocked


def _password(page: Page, user) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_key_is_registered_and_then_the_only_way_in(
    page: Page, key_site, sam, sign_out
):
    from django_otp_webauthn.models import WebAuthnCredential

    blocked = _watch_policy(page)
    session, authenticator_id = _virtual_authenticator(page)
    ensure_authenticator(sam)

    # First sign-in: password and app code, then the role's key must be registered.
    _password(page, sam)
    page.get_by_label("Code from your authenticator app").fill(current_code(sam))
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", level=1, name="Register a security key")
    ).to_be_visible()
    expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    page.get_by_role("button", name="Register my security key").click()
    expect(page.locator("#passkey-register-status-message")).to_contain_text(
        "Registration successful"
    )
    credential = WebAuthnCredential.objects.get(user=sam)
    assert credential.confirmed
    stored = session.send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator_id}
    )["credentials"]
    assert len(stored) == 1
    assert stored[0]["rpId"] == "localhost"
    assert AuditEvent.objects.filter(
        user=sam,
        action=AuditEvent.Action.FACTOR_CHANGE,
        summary="Registered a security key",
    ).exists()

    # Registering is not yet signing in with the key: the next step asks for it.
    page.get_by_role("link", name="continue").click()
    expect(
        page.get_by_role("heading", level=1, name="Use your security key")
    ).to_be_visible()
    page.get_by_role("button", name="Use my security key").click()
    expect(page.get_by_role("heading", level=1, name="Hello Sam")).to_be_visible()
    sign_out(page)

    # Signing in again: password, then the key; no code box is offered.
    _password(page, sam)
    expect(
        page.get_by_role("heading", level=1, name="Use your security key")
    ).to_be_visible()
    expect(page.get_by_label("Code from your authenticator app")).to_have_count(0)
    page.get_by_role("button", name="Use my security key").click()
    expect(page.get_by_role("heading", level=1, name="Hello Sam")).to_be_visible()
    assert AuditEvent.objects.filter(
        user=sam,
        action=AuditEvent.Action.SECOND_FACTOR,
        detail__factor="WebAuthnCredential",
    ).exists()
    sign_out(page)

    # A code from the app is refused now that the user has a key.
    _password(page, sam)
    expect(
        page.get_by_role("heading", level=1, name="Use your security key")
    ).to_be_visible()
    response = page.request.post(
        f"{key_site}{reverse('second_factor')}",
        form={
            "code": current_code(sam),
            "csrfmiddlewaretoken": page.locator(
                "input[name=csrfmiddlewaretoken]"
            ).first.input_value(),
        },
        headers={"Referer": f"{key_site}{reverse('second_factor')}"},
    )
    assert response.status == 200
    assert "Use your security key to sign in" in response.text()
    page.goto("/")
    expect(
        page.get_by_role("heading", level=1, name="Use your security key")
    ).to_be_visible()
    assert blocked == []
