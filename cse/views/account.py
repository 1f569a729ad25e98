"""The user's own account: password change and reset, the second sign-in factor,
recovery codes and security keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_otp_webauthn.exceptions import (
    NotVerified,
    OTPWebAuthnApiError,
    PasswordlessLoginDisabled,
)
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from cse import audit, outbox, stepup, two_factor
from cse.forms import AuthenticatorForm, PasswordResetForm, SecondFactorForm
from cse.models import AuditEvent
from cse.stepup import step_up_required


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (which ends the user's other sessions), plus an e-mail
    to the account holder so an unexpected change is noticed."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            outbox.queue_security_notice(
                user=self.request.user, kind="password_changed"
            )
        return response


# --- the second factor -------------------------------------------------------


def _next(request: HttpRequest) -> str:
    return stepup.safe_next(request)


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """The step after the password: a code from the authenticator app, a recovery
    code, or (for roles that must use one) a security key."""
    user = request.user
    if not two_factor.has_any_factor(user):
        return redirect("authenticator_setup")
    key_only = two_factor.needs_security_key(user) and two_factor.has_security_key(user)
    if user.is_verified() and (
        not two_factor.needs_security_key(user) or two_factor.verified_with_key(request)
    ):
        return redirect(_next(request))
    form = SecondFactorForm(request.POST or None, user=user)
    if request.method == "POST":
        if key_only:
            form.add_error(None, "Use your security key to sign in")
        elif form.is_valid():
            two_factor.passed(request, form.device)
            if two_factor.needs_security_key(user):
                return redirect("security_key_setup")
            return redirect(_next(request))
        audit.record(
            by=user,
            action=AuditEvent.Action.SECOND_FACTOR_FAILED,
            summary="Wrong or reused code at sign-in",
        )
    return render(
        request,
        "registration/second_factor.html",
        {
            "form": form,
            "next": _next(request),
            "key_only": key_only,
            "codes_allowed": not key_only,
        },
    )


@require_http_methods(["GET", "POST"])
def authenticator_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: at first sign-in (no factor yet), or later to
    replace the phone (a factor change: needs a fresh check and e-mails the user)."""
    user = request.user
    first_time = not two_factor.has_any_factor(user)
    if not first_time:
        if not user.is_verified():
            return redirect("second_factor")
        if not stepup.is_recent(request):
            return redirect(stepup.confirm_url(request.path))
    device = two_factor.pending_authenticator(user)
    if device is None or request.method == "GET":
        device = two_factor.new_authenticator(user)
    form = AuthenticatorForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.refresh_from_db()
        two_factor.factor_changed(request, user, "Set up an authenticator app")
        two_factor.passed(request, device)
        if first_time or two_factor.recovery_codes_left(user) == 0:
            request.session[two_factor.PENDING_CODES] = two_factor.new_recovery_codes(
                user
            )
            return redirect("recovery_codes_new")
        messages.success(request, "Your new authenticator app is set up")
        return redirect("account_security")
    if request.method == "POST":
        audit.record(
            by=user,
            action=AuditEvent.Action.SECOND_FACTOR_FAILED,
            summary="Wrong code while setting up an authenticator app",
        )
    return render(
        request,
        "registration/authenticator_setup.html",
        {
            "form": form,
            "first_time": first_time,
            "qr_code": two_factor.qr_code(device),
            "secret": two_factor.secret_text(device),
        },
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Make a new set of recovery codes (the old ones stop working)."""
    if request.method == "POST":
        return _make_recovery_codes(request)
    return render(
        request,
        "registration/recovery_codes.html",
        {"left": two_factor.recovery_codes_left(request.user)},
    )


@step_up_required
def _make_recovery_codes(request: HttpRequest) -> HttpResponse:
    request.session[two_factor.PENDING_CODES] = two_factor.new_recovery_codes(
        request.user
    )
    two_factor.factor_changed(request, request.user, "Made new recovery codes")
    return redirect("recovery_codes_new")


@require_GET
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once."""
    if not request.user.is_verified():
        return redirect("second_factor")
    codes = request.session.pop(two_factor.PENDING_CODES, None)
    if not codes:
        return redirect("account_security")
    return render(request, "registration/recovery_codes_new.html", {"codes": codes})


@require_GET
def security_key_setup(request: HttpRequest) -> HttpResponse:
    """Register a security key (WebAuthn). The ceremony runs in the browser through
    django-otp-webauthn's script, served from this site; it needs JavaScript."""
    user = request.user
    if not user.is_verified():
        return redirect("second_factor")
    must = two_factor.needs_security_key(user)
    if must and two_factor.has_security_key(user):
        if two_factor.verified_with_key(request):
            return redirect("cse:home")
        return redirect("second_factor")
    # Like every factor change, and checked again by the ceremony's own steps
    # (KeyRegistrationChecks). At first sign-in the code just given is the check.
    if not stepup.is_recent(request):
        return redirect(stepup.confirm_url(request.path))
    return render(
        request,
        "registration/security_key_setup.html",
        {"must": must, "next": reverse("second_factor")},
    )


@require_GET
def account_security(request: HttpRequest) -> HttpResponse:
    """The user's own sign-in factors and where to change them."""
    user = request.user
    return render(
        request,
        "registration/account_security.html",
        {
            "authenticator": two_factor.authenticator(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "keys": list(
                WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by(
                    "created_at"
                )
            ),
            "must_use_key": two_factor.needs_security_key(user),
        },
    )


# --- password reset ----------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The answer is the same page whether or not the address
    belongs to anyone (see PasswordResetForm)."""

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the e-mailed link. The user is not signed in: they
    sign in afterwards with the new password and their second factor. Their sessions
    end (the password hash changes; indexed sessions are also ended at once)."""

    post_reset_login = False
    template_name = "registration/password_reset_confirm.html"

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            user = form.user
            two_factor.end_sessions(user, by=user, reason="password reset")
            audit.record(
                by=user,
                action=AuditEvent.Action.PASSWORD_RESET,
                summary="Password reset through an e-mailed link",
                detail={"user_id": user.pk, "stage": "completed"},
            )
            outbox.queue_security_notice(user=user, kind="password_reset")
        return response


class StepUpRequired(OTPWebAuthnApiError):
    status_code = 403
    default_code = "step_up_required"
    default_detail = (
        "For your security, confirm it is you again before registering a security "
        "key: reload this page."
    )


class KeyRegistrationChecks:
    """What registering a key needs here, on both of the ceremony's steps (the
    scripts call them directly, so the setup page's checks are not enough): the
    second factor passed in this session (the package lets a user with no factor
    yet register a key first; here the authenticator app comes first) and a fresh
    identity check, as for every other change of sign-in factors."""

    def check_can_register(self) -> None:
        super().check_can_register()
        if not self.request.user.is_verified():
            raise NotVerified()
        if not stepup.is_recent(self.request):
            raise StepUpRequired()


class SecurityKeyRegistrationStarted(
    KeyRegistrationChecks, BeginCredentialRegistrationView
):
    """django-otp-webauthn's first registration step, with the checks above."""


class SecurityKeyRegistered(KeyRegistrationChecks, CompleteCredentialRegistrationView):
    """django-otp-webauthn's last registration step, with the checks above, plus
    what every factor change gets here: an audit event and an e-mail to the account
    holder."""

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            two_factor.factor_changed(
                self.request, self.request.user, "Registered a security key"
            )
        return response


class SecurityKeyUsed(CompleteCredentialAuthenticationView):
    """django-otp-webauthn's last sign-in step, passed the way every second factor
    is passed here (two_factor.passed): the session is verified by the key, counts
    as a fresh check for step-up, and the sign-in is audited; a refused key is
    audited as a failed second factor. A key is never a password here, so a user
    who has not given theirs is refused."""

    def complete_auth(self, device: WebAuthnCredential) -> None:
        if not self.request.user.is_authenticated:
            raise PasswordlessLoginDisabled()
        two_factor.passed(self.request, device)

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code != 200 and self.request.user.is_authenticated:
            audit.record(
                by=self.request.user,
                action=AuditEvent.Action.SECOND_FACTOR_FAILED,
                summary="Security key refused at sign-in",
            )
        return response


REPLACED_STEPS = {
    "credential-registration-begin": SecurityKeyRegistrationStarted,
    "credential-registration-complete": SecurityKeyRegistered,
    "credential-authentication-complete": SecurityKeyUsed,
}


def webauthn_urls():
    """The package's URLs under its namespace, with the two last steps above."""
    from django.urls import path
    from django_otp_webauthn import urls

    patterns = [
        path(str(p.pattern), REPLACED_STEPS[p.name].as_view(), name=p.name)
        if p.name in REPLACED_STEPS
        else p
        for p in urls.urlpatterns
    ]
    return patterns, urls.app_name
