"""Two-factor sign-in: the enforcement over every URL, authenticator codes that work
once, recovery codes, throttling, enrolment, factor changes and security-key roles."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.urls import get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cse import stepup, two_factor
from cse.models import AuditEvent, Role
from tests.conftest import verify_client
from tests.test_url_coverage import all_url_names

PASSWORD = "a-long-test-password"
ALLOWED = two_factor.BEFORE_SECOND_FACTOR


def _code(device: TOTPDevice, drift: int = 0) -> str:
    """The code the user's app shows now, `drift` steps off."""
    code = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=drift,
    )
    return f"{code:0{device.digits}d}"


def _reverse_with_ids(name: str) -> str:
    resolver = get_resolver()
    *namespaces, short = name.split(":")
    for namespace in namespaces:
        resolver = resolver.namespace_dict[namespace][1]
    possibilities = resolver.reverse_dict.getlist(short)
    params = possibilities[0][0][0][1] if possibilities else []
    return reverse(name, kwargs=dict.fromkeys(params, 1) or None)


def _password_only(client, user):
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client


# --- enforcement -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(all_url_names()))
def test_a_password_only_session_reaches_nothing_but_the_second_factor(
    unverified_client_for, alice, name, beat_alive
):
    client = unverified_client_for(alice)
    TOTPDevice.objects.create(user=alice, name="Authenticator app", confirmed=True)
    url = _reverse_with_ids(name)
    response = client.get(url)
    if name in ALLOWED or name.startswith("otp_webauthn:"):
        # The steps themselves: each view decides (see the tests below).
        assert response.status_code < 500, name
        return
    assert response.status_code == 302, name
    assert response["Location"].startswith(reverse("second_factor")), name


@pytest.mark.django_db
def test_the_admin_site_also_needs_the_second_factor(unverified_client_for, sam):
    response = unverified_client_for(sam).get("/administration/site/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor"))


@pytest.mark.django_db
def test_health_and_static_answer_before_the_second_factor(
    unverified_client_for, alice, beat_alive
):
    client = unverified_client_for(alice)
    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("health_live")).status_code == 200


# --- signing in with a code ---------------------------------------------------


@pytest.mark.django_db
def test_sign_in_asks_for_the_code_then_lets_the_user_in(client, alice):
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get(reverse("cse:home"))
    assert home["Location"].startswith(reverse("second_factor"))
    page = client.get(reverse("second_factor"))
    assert "Enter your code" in page.content.decode()
    done = client.post(reverse("second_factor"), {"code": _code(device)})
    assert done.status_code == 302
    assert client.get(reverse("cse:home")).status_code == 200
    assert AuditEvent.objects.filter(
        user=alice, action=AuditEvent.Action.SECOND_FACTOR
    ).exists()


@pytest.mark.django_db
def test_a_code_works_once(client, alice):
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    code = _code(device)
    _password_only(client, alice)
    assert client.post(reverse("second_factor"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    _password_only(client, alice)
    again = client.post(reverse("second_factor"), {"code": code})
    assert again.status_code == 200
    assert "not right or was used already" in again.content.decode()
    assert client.get(reverse("cse:home")).status_code == 302
    assert AuditEvent.objects.filter(
        user=alice, action=AuditEvent.Action.SECOND_FACTOR_FAILED
    ).exists()


@pytest.mark.django_db
def test_a_code_one_step_old_is_accepted_for_clock_drift(client, alice):
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    _password_only(client, alice)
    response = client.post(reverse("second_factor"), {"code": _code(device, -1)})
    assert response.status_code == 302


@pytest.mark.django_db
def test_wrong_codes_are_throttled_and_audited(client, alice):
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    _password_only(client, alice)
    client.post(reverse("second_factor"), {"code": "000000"})
    client.post(reverse("second_factor"), {"code": "000001"})
    # Even the right code is refused while throttled.
    refused = client.post(reverse("second_factor"), {"code": _code(device)})
    assert refused.status_code == 200
    assert "Too many wrong codes" in refused.content.decode()
    assert (
        AuditEvent.objects.filter(
            user=alice, action=AuditEvent.Action.SECOND_FACTOR_FAILED
        ).count()
        == 3
    )


@pytest.mark.django_db
def test_a_recovery_code_lets_the_user_in_once(client, alice):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    codes = two_factor.new_recovery_codes(alice)
    _password_only(client, alice)
    assert client.post(reverse("second_factor"), {"code": codes[0]}).status_code == 302
    assert StaticToken.objects.filter(device__user=alice).count() == len(codes) - 1
    client.post(reverse("logout"))
    _password_only(client, alice)
    assert client.post(reverse("second_factor"), {"code": codes[0]}).status_code == 200


# --- enrolment ----------------------------------------------------------------


@pytest.mark.django_db
def test_first_sign_in_enrols_an_authenticator_and_shows_recovery_codes(
    client, alice, django_capture_on_commit_callbacks
):
    _password_only(client, alice)
    response = client.get(reverse("second_factor"))
    assert response["Location"] == reverse("authenticator_setup")
    page = client.get(reverse("authenticator_setup"))
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    assert 'id="authenticator-secret"' in body
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert two_factor.secret_text(device) in body
    wrong = client.post(reverse("authenticator_setup"), {"code": "123456"})
    assert wrong.status_code == 200 and "is not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code slows the next try down by a second
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("authenticator_setup"), {"code": _code(device)})
    assert done["Location"] == reverse("recovery_codes_new")
    codes_page = client.get(reverse("recovery_codes_new")).content.decode()
    token = StaticToken.objects.filter(device__user=alice).first().token
    assert token in codes_page
    # Shown once.
    assert client.get(reverse("recovery_codes_new")).status_code == 302
    assert client.get(reverse("cse:home")).status_code == 200
    assert len(mail.outbox) == 1
    assert "factors were changed" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(
        user=alice, action=AuditEvent.Action.FACTOR_CHANGE
    ).exists()


@pytest.mark.django_db
def test_a_user_with_a_factor_cannot_enrol_another_before_passing_it(
    unverified_client_for, alice
):
    client = unverified_client_for(alice)
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    response = client.get(reverse("authenticator_setup"))
    assert response["Location"] == reverse("second_factor")
    assert not TOTPDevice.objects.filter(user=alice, confirmed=False).exists()


@pytest.mark.django_db
def test_replacing_the_authenticator_needs_a_fresh_check(client_for, alice):
    client = client_for(alice)
    session = client.session
    session[stepup.CHECKED_AT] = time.time() - 3600
    session.save()
    response = client.get(reverse("authenticator_setup"))
    assert response["Location"] == stepup.confirm_url(reverse("authenticator_setup"))


@pytest.mark.django_db
def test_replacing_the_authenticator_keeps_the_old_until_confirmed(
    client_for, alice, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    old = TOTPDevice.objects.get(user=alice, confirmed=True)
    client.get(reverse("authenticator_setup"))
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    new = TOTPDevice.objects.get(user=alice, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("authenticator_setup"), {"code": _code(new)})
    assert list(TOTPDevice.objects.filter(user=alice).values_list("pk", flat=True)) == [
        new.pk
    ]
    assert mail.outbox and "factors were changed" in mail.outbox[-1].subject


@pytest.mark.django_db
def test_new_recovery_codes_need_a_fresh_check_and_replace_the_old(
    client_for, alice, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    old = two_factor.new_recovery_codes(alice)
    session = client.session
    session[stepup.CHECKED_AT] = time.time() - 3600
    session.save()
    stale = client.post(
        reverse("recovery_codes"),
        HTTP_REFERER="http://testserver/account/recovery-codes/",
    )
    assert stale["Location"] == stepup.confirm_url(reverse("recovery_codes"))
    assert set(
        StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)
    ) == set(old)
    stepup_ok = client.post(
        stepup.confirm_url(reverse("recovery_codes")),
        {"password": PASSWORD, "next": reverse("recovery_codes")},
    )
    assert stepup_ok.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        fresh = client.post(reverse("recovery_codes"))
    assert fresh["Location"] == reverse("recovery_codes_new")
    new = set(
        StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)
    )
    assert new and not new & set(old)
    assert mail.outbox and "factors were changed" in mail.outbox[-1].subject


@pytest.mark.django_db
def test_account_security_page_lists_the_factors(client_for, alice):
    two_factor.new_recovery_codes(alice)
    body = client_for(alice).get(reverse("account_security")).content.decode()
    assert "Authenticator app" in body and "10 left" in body


# --- security keys for strong-factor roles ------------------------------------


@pytest.mark.django_db
def test_a_strong_factor_role_with_only_an_authenticator_must_register_a_key(
    client_for, sam, settings
):
    settings.STRONG_FACTOR_ROLES = [Role.SYSTEM_ADMINISTRATOR]
    client = client_for(sam)  # verified by an authenticator app
    for url in (
        reverse("cse:home"),
        "/administration/site/",
        reverse("cse:audit_search"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("security_key_setup")
    page = client.get(reverse("security_key_setup"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="passkey-register-button"' in body
    assert "django_otp_webauthn/otp_webauthn_register.js" in body
    # No inline script to run: only a JSON data block and same-origin files.
    assert "<script>" not in body


@pytest.mark.django_db
def test_a_strong_factor_role_with_a_key_cannot_sign_in_with_a_code(
    client, sam, settings
):
    from django_otp_webauthn.models import WebAuthnCredential

    settings.STRONG_FACTOR_ROLES = [Role.SYSTEM_ADMINISTRATOR]
    device = TOTPDevice.objects.create(user=sam, name="app", confirmed=True)
    WebAuthnCredential.objects.create(
        user=sam,
        name="key",
        confirmed=True,
        credential_id=b"x",
        public_key=b"y",
        sign_count=0,
    )
    _password_only(client, sam)
    page = client.get(reverse("second_factor"))
    assert 'id="passkey-verification-button"' in page.content.decode()
    refused = client.post(reverse("second_factor"), {"code": _code(device)})
    assert refused.status_code == 200
    assert "Use your security key" in refused.content.decode()
    assert client.get(reverse("cse:home"))["Location"].startswith(
        reverse("second_factor")
    )


@pytest.mark.django_db
def test_other_roles_are_not_asked_for_a_key(client_for, alice, settings):
    settings.STRONG_FACTOR_ROLES = [Role.SYSTEM_ADMINISTRATOR]
    assert client_for(alice).get(reverse("cse:home")).status_code == 200


@pytest.mark.django_db
def test_the_test_helper_marks_force_login_verified(client, alice):
    client.force_login(alice)
    assert DEVICE_ID_SESSION_KEY in client.session
    verify_client(client, alice)
    assert TOTPDevice.objects.filter(user=alice).count() == 1


@pytest.mark.django_db
def test_registering_a_security_key_is_audited_and_emailed(
    client_for, alice, monkeypatch, django_capture_on_commit_callbacks
):
    from django.http import JsonResponse
    from django_otp_webauthn.views import CompleteCredentialRegistrationView

    monkeypatch.setattr(
        CompleteCredentialRegistrationView,
        "post",
        lambda self, *args, **kwargs: JsonResponse({"id": 1}),
    )
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("otp_webauthn:credential-registration-complete"),
            "{}",
            content_type="application/json",
        )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        user=alice, action=AuditEvent.Action.FACTOR_CHANGE
    ).exists()
    assert mail.outbox[-1].subject.endswith("Your sign-in factors were changed")


def test_the_menu_waits_for_the_second_factor(unverified_client_for, alice):
    from django.test import Client

    page = unverified_client_for(alice).get(reverse("second_factor"), follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-label="Menu"' not in html and "Change password" not in html
    assert "Sign out" in html
    verified = Client()
    verified.force_login(alice)
    home = verified.get(reverse("cse:home")).content.decode()
    assert 'aria-label="Menu"' in home and "Change password" in home


# --- the session id changes when the second factor passes --------------------


@pytest.mark.django_db
def test_passing_a_code_gives_the_session_a_new_id_and_keeps_its_data(client, alice):
    from cse.models import UserSession

    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    _password_only(client, alice)
    before = client.session.session_key
    session = client.session
    session["kept"] = "yes"
    session.save()
    assert client.post(reverse("second_factor"), {"code": _code(device)}).status_code
    after = client.session
    assert after.session_key != before
    assert after["kept"] == "yes"
    assert client.get(reverse("cse:home")).status_code == 200
    # The index an administrator ends sessions by follows the new id.
    assert list(
        UserSession.objects.filter(user=alice).values_list("session_key", flat=True)
    ) == [after.session_key]
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=before).exists()


@pytest.mark.django_db
def test_passing_a_recovery_code_gives_the_session_a_new_id(client, alice):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    codes = two_factor.new_recovery_codes(alice)
    _password_only(client, alice)
    before = client.session.session_key
    assert client.post(reverse("second_factor"), {"code": codes[0]}).status_code == 302
    assert client.session.session_key != before
    assert client.get(reverse("cse:home")).status_code == 200


@pytest.mark.django_db
def test_signing_in_with_a_security_key_gives_the_session_a_new_id(
    client, sam, settings, monkeypatch
):
    from django_otp_webauthn.models import WebAuthnCredential
    from django_otp_webauthn.views import CompleteCredentialAuthenticationView

    settings.STRONG_FACTOR_ROLES = [Role.SYSTEM_ADMINISTRATOR]
    TOTPDevice.objects.create(user=sam, name="app", confirmed=True)
    key = WebAuthnCredential.objects.create(
        user=sam,
        name="key",
        confirmed=True,
        credential_id=b"x",
        public_key=b"y",
        sign_count=0,
    )
    # The browser's signed answer is checked by the package (and in the browser
    # test); here the check passes and the view completes the sign-in.
    monkeypatch.setattr(
        CompleteCredentialAuthenticationView, "get_state", lambda self: {}
    )
    monkeypatch.setattr(
        "django_otp_webauthn.helpers.WebAuthnHelper.authenticate_complete",
        lambda self, **kwargs: key,
    )
    _password_only(client, sam)
    before = client.session.session_key
    response = client.post(
        reverse("otp_webauthn:credential-authentication-complete"),
        "{}",
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert client.session.session_key != before
    assert client.get(reverse("cse:home")).status_code == 200


# --- registering a security key is a factor change: it needs a fresh check -----


def _stale(client) -> None:
    session = client.session
    session[stepup.CHECKED_AT] = time.time() - 3600
    session.save()


REGISTRATION_STEPS = (
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
)


@pytest.mark.django_db
@pytest.mark.parametrize("step", REGISTRATION_STEPS)
def test_registering_a_key_needs_a_fresh_check(client_for, alice, step):
    from django_otp_webauthn.models import WebAuthnCredential

    client = client_for(alice)
    _stale(client)
    response = client.post(reverse(step), "{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "step_up_required"
    assert "confirm it is you again" in response.json()["detail"]
    assert "otp_webauthn_register_state" not in client.session
    assert not WebAuthnCredential.objects.filter(user=alice).exists()
    assert not AuditEvent.objects.filter(
        user=alice, action=AuditEvent.Action.FACTOR_CHANGE
    ).exists()


@pytest.mark.django_db
def test_registering_a_key_starts_after_a_fresh_check(client_for, alice):
    client = client_for(alice)  # signing in is a fresh check
    response = client.post(
        reverse("otp_webauthn:credential-registration-begin"),
        "{}",
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "challenge" in response.json()
    assert "otp_webauthn_register_state" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("step", REGISTRATION_STEPS)
def test_a_user_with_no_factor_cannot_register_a_key_first(
    unverified_client_for, alice, step
):
    client = unverified_client_for(alice)
    TOTPDevice.objects.filter(user=alice).delete()
    response = client.post(reverse(step), "{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "user_not_verified"


@pytest.mark.django_db
def test_the_key_page_asks_for_a_fresh_check(client_for, alice):
    client = client_for(alice)
    _stale(client)
    response = client.get(reverse("security_key_setup"))
    assert response["Location"] == stepup.confirm_url(reverse("security_key_setup"))


@pytest.mark.django_db
def test_a_role_that_must_register_a_key_confirms_again_when_the_check_is_old(
    client_for, sam, settings
):
    """At first sign-in the code just given is the check; after a long pause the
    user confirms again on the identity-check page, reachable before the key."""
    settings.STRONG_FACTOR_ROLES = [Role.SYSTEM_ADMINISTRATOR]
    client = client_for(sam)
    assert client.get(reverse("security_key_setup")).status_code == 200
    _stale(client)
    target = stepup.confirm_url(reverse("security_key_setup"))
    assert client.get(reverse("security_key_setup"))["Location"] == target
    assert client.get(target).status_code == 200
    confirmed = client.post(
        target, {"password": PASSWORD, "next": reverse("security_key_setup")}
    )
    assert confirmed["Location"] == reverse("security_key_setup")
    assert client.get(reverse("security_key_setup")).status_code == 200
    # The identity check is all it opens: the rest still waits for the key.
    assert client.get(reverse("cse:home"))["Location"] == reverse("security_key_setup")
