"""Two-factor sign-in for everyone, and the sessions an administrator can end.

After the password, every user proves they hold a second factor: a code from an
authenticator app (TOTP through django-otp; each code is accepted once, within one
30-second step of clock drift, and failures slow further tries down), or one of their
single-use recovery codes when the phone is lost. Users holding one of
STRONG_FACTOR_ROLES must use a security key (WebAuthn, django-otp-webauthn) instead:
they enrol an authenticator first, then register a key, and from then on only the key
lets them in.

Until the second factor is passed, SecondFactorRequiredMiddleware lets a signed-in
user reach only the sign-in page, the second-factor step, first-time enrolment,
sign-out, static files and /health/. Everything else is sent to the second-factor step.

Sessions are indexed per user at sign-in (Django's session table has no user column)
so that all of a user's sessions can be ended: by an administrator, when the user is
deactivated, after a password reset, and when their factors are reset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import import_module

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from cse.models import AuditEvent, User, UserSession

CODE = re.compile(r"^\d{6}$")
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
PENDING_CODES = "two_factor_new_recovery_codes"

# Reachable before the second factor is passed (the views check the rest).
BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "health",
    "health_live",
    "health_ready",
    "second_factor",
    "authenticator_setup",
    "recovery_codes_new",
}
# Reachable by a user who must use a security key but signed in without one
# (registering their first key needs a fresh identity check, as every factor
# change does).
BEFORE_SECURITY_KEY = {
    "logout",
    "health",
    "health_live",
    "health_ready",
    "second_factor",
    "security_key_setup",
    "step_up",
}
WEBAUTHN_NAMESPACE = "otp_webauthn"


# --- factors ---------------------------------------------------------------


def needs_security_key(user: User) -> bool:
    return bool(user.roles.intersection(settings.STRONG_FACTOR_ROLES))


def has_security_key(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def has_any_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verified_with_key(request: HttpRequest) -> bool:
    return isinstance(getattr(request.user, "otp_device", None), WebAuthnCredential)


def check_code(user: User, code: str):
    """The device that accepts `code` (a 6-digit authenticator code or a recovery
    code), or None. Returns (device, seconds to wait) when throttled."""
    code = code.strip().replace(" ", "").lower()
    if CODE.match(code):
        candidates = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        candidates = StaticDevice.objects.filter(user=user, confirmed=True)
    wait = None
    for device in candidates:
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            allowed, data = device.verify_is_allowed()
            if not allowed:
                locked_until = (data or {}).get("locked_until")
                if locked_until is not None:
                    wait = max(1, int((locked_until - timezone.now()).total_seconds()))
                continue
            if device.verify_token(code):
                return device, None
    return None, wait


def new_authenticator(user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan; it replaces the confirmed
    one only once a code from it is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, confirmed=False
    )


def pending_authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def confirm_authenticator(device: TOTPDevice, code: str) -> bool:
    if not CODE.match(code.strip().replace(" ", "")):
        return False
    if not device.verify_token(code.strip().replace(" ", "")):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the new ones are shown once, each works once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME)
        codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODES)]
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in codes
        )
    return codes


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code(device: TOTPDevice) -> str:
    """The authenticator's set-up address as a QR code in an SVG data: URI."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def factor_changed(request: HttpRequest, user: User, summary: str) -> None:
    from cse import audit, outbox

    audit.record(by=user, action=AuditEvent.Action.FACTOR_CHANGE, summary=summary)
    outbox.queue_security_notice(user=user, kind="factor_changed")


def reset_factors(user: User, by: User) -> None:
    """An administrator's reset for a user who lost every factor: they enrol again at
    their next sign-in. Their sessions end and they are told by e-mail."""
    from cse import audit, outbox

    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        audit.record(
            by=by,
            action=AuditEvent.Action.FACTOR_CHANGE,
            summary="Reset a user's sign-in factors",
            detail={"user_id": user.pk},
        )
        end_sessions(user, by=by, reason="factors reset")
        outbox.queue_security_notice(user=user, kind="factors_reset")


# --- sessions --------------------------------------------------------------


def record_session(request: HttpRequest, user: User) -> None:
    key = request.session.session_key
    if key:
        UserSession.objects.update_or_create(session_key=key, defaults={"user": user})


def forget_session(request: HttpRequest) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def end_sessions(user: User, *, by: User | None, reason: str) -> int:
    """End every session of `user` that was started by signing in; audited."""
    from cse import audit

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    keys = list(
        UserSession.objects.filter(user=user).values_list("session_key", flat=True)
    )
    for key in keys:
        store.delete(key)
    UserSession.objects.filter(user=user, session_key__in=keys).delete()
    audit.record(
        by=by,
        action=AuditEvent.Action.SESSIONS_ENDED,
        summary=f"Ended a user's sessions: {reason}",
        detail={"user_id": user.pk, "sessions": len(keys)},
    )
    return len(keys)


# --- enforcement -----------------------------------------------------------


def _url_name(request: HttpRequest) -> tuple[str, str]:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return "", ""
    return match.namespace, match.url_name or ""


def step_url(name: str, request: HttpRequest) -> str:
    url = reverse(name)
    if request.method == "GET" and request.path_info != "/":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class SecondFactorRequiredMiddleware:
    """Signed in with a password is not signed in: until the second factor passes,
    only the steps that lead to it answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or request.path_info.startswith(
            settings.STATIC_URL
        ):
            return self.get_response(request)
        namespace, name = _url_name(request)
        if not user.is_verified():
            if name in BEFORE_SECOND_FACTOR or namespace == WEBAUTHN_NAMESPACE:
                return self.get_response(request)
            return redirect(step_url("second_factor", request))
        if (
            settings.STRONG_FACTOR_ROLES
            and needs_security_key(user)
            and not verified_with_key(request)
        ):
            if name in BEFORE_SECURITY_KEY or namespace == WEBAUTHN_NAMESPACE:
                return self.get_response(request)
            return redirect(reverse("security_key_setup"))
        return self.get_response(request)


def rotate_session(request: HttpRequest) -> None:
    """A new session id for the same session data, kept in the sign-in index: an id
    seen before the second factor (a fixated or shoulder-surfed cookie) stops being
    worth anything once the session is verified."""
    old_key = request.session.session_key
    request.session.cycle_key()
    new_key = request.session.session_key
    moved = UserSession.objects.filter(session_key=old_key).update(session_key=new_key)
    if not moved:
        record_session(request, request.user)


def passed(request: HttpRequest, device) -> None:
    """The second factor passed: the session is verified under a new id and counts as
    a fresh check."""
    from django_otp import login as otp_login

    from cse import audit, stepup

    rotate_session(request)
    otp_login(request, device)
    stepup.mark_checked(request)
    audit.record(
        by=request.user,
        action=AuditEvent.Action.SECOND_FACTOR,
        detail={"factor": type(device).__name__},
    )
