"""One-time tokens on every form: the same POST sent twice saves once.

A double click, a browser that sends a form again after a slow answer, or a POST
kept over a sign-in and sent again would otherwise create a second episode, a
second sharing decision (and its notice), a second CAWN. So every form carries a
token, by construction rather than view by view:

- Writing: `{% csrf_token %}`, which every POST form of the app (and the GOV.UK
  crispy template pack) already writes, is replaced as a template built-in
  (cse.templatetags.form_tokens) by a tag that writes the CSRF token and, for a
  signed-in user, a new one-time token: a random value with the user's id, signed
  and dated (django.core.signing), so it is bound to that user and expires.
- Checking: `SubmissionTokenMiddleware`, the innermost middleware. A signed-in
  user's POST carrying a token runs in one transaction. Once every other check has
  let the request through to its view, the row (user, token) is inserted. If the
  token is already claimed, the view does not run: the user is sent where the first
  POST sent them, with "This was already saved", and nothing is written. On
  PostgreSQL the second INSERT of a pair sent at once waits on the unique index
  until the first transaction ends, then fails and replays; on SQLite every write
  transaction begins IMMEDIATE (settings), so the second waits to begin. Either way
  one record is made and neither gets an error.
- A response that is not a redirect (a form shown again with its errors, a refusal),
  or a redirect with an error message (a POST-only form refused), gives the token
  back in the same transaction, so the corrected form can be sent; a server error
  rolls the whole request back.
- A token of another user, a tampered one or one older than SUBMISSION_TOKEN_DAYS
  is refused (400) with a page that says why; nothing is written. Claimed rows
  older than that are deleted daily (cse.tasks.delete_old_submission_tokens): a
  token that old is refused anyway.

A POST without a token is accepted. Every form the app renders has one (the
template walk in tests/security/test_idempotent_creation.py fails for a form
without), so a POST without one is not a form of the current pages: a page opened
before this release, the security-key script's JSON calls, or a client that holds
a session and CSRF token and could as well fetch a form and its token. Refusing it
would protect nothing and lose what a person typed into a page opened before the
release.

The stored location is the path (and query) of the redirect, which on this app's
pages names records by their database id only, never personal data.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from cse.models import SubmissionToken, User

FIELD = "submission_token"
ALREADY_SAVED = "This was already saved"
_SALT = "cse.submission_tokens"
_PENDING = "_submission_token_pending"
_CLAIM = "_submission_token_claim"

# Views whose POST is acted on every time it is sent: signing in and out, identity
# checks and the user's own sign-in factors check credentials afresh on each
# submission and create no case records. Each with why.
EXEMPT_VIEWS = {
    "login": "checks the password every time",
    "logout": "signing out is never answered with an earlier result",
    "step_up": "checks the password or code every time",
    "second_factor": "checks the code every time",
    "authenticator_setup": "checks the new authenticator's code every time",
    "recovery_codes": "the user's own recovery codes",
    "recovery_codes_new": "the user's own recovery codes",
    "security_key_setup": "the user's own security keys",
    "account_security": "the user's own sign-in methods",
    "password_change": "checks the old password every time",
    "password_reset": "also used signed out",
    "password_reset_confirm": "its own one-time link",
}
EXEMPT_NAMESPACES = {"otp_webauthn"}  # JSON calls of the security-key script

log = logging.getLogger("cse.submission_tokens")


class TokenRefused(Exception):
    """A token that cannot be claimed by this user; `reason` says why, for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


OTHER_USER = (
    "This form was opened by a different signed-in user, so it cannot be sent from "
    "this account."
)
EXPIRED = "This form was opened too long ago to be sent."
UNREADABLE = "This form's security token could not be checked."


def max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.SUBMISSION_TOKEN_DAYS)


def new_token(user: User) -> str:
    """A new one-time token for a form shown to `user`."""
    nonce = secrets.token_urlsafe(16)
    return signing.TimestampSigner(salt=_SALT).sign(f"{user.pk}.{nonce}")


def nonce_for(user: User, value: str) -> str:
    """The random part of `value` if it is a token of `user` and not expired;
    raises TokenRefused otherwise."""
    try:
        payload = signing.TimestampSigner(salt=_SALT).unsign(value, max_age=max_age())
    except signing.SignatureExpired as error:
        raise TokenRefused(EXPIRED) from error
    except signing.BadSignature as error:
        raise TokenRefused(UNREADABLE) from error
    user_id, _, nonce = payload.partition(".")
    if user_id != str(user.pk) or not nonce:
        raise TokenRefused(OTHER_USER)
    return nonce


def delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete claimed tokens older than SUBMISSION_TOKEN_DAYS. Safe: a row is made
    after its token was issued, so any token of a deleted row is older than that and
    refused before a row is looked for. Returns how many went."""
    cutoff = (now or timezone.now()) - max_age()
    deleted, _ = SubmissionToken.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _exempt(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # Django answers 404; there is nothing to protect
    return match.view_name in EXEMPT_VIEWS or bool(
        set(match.namespaces) & EXEMPT_NAMESPACES
    )


def _stored_location(request: HttpRequest, location: str) -> str:
    """The redirect's own-site path and query; home for anything else."""
    if not url_has_allowed_host_and_scheme(
        location, allowed_hosts={request.get_host()}, require_https=False
    ):
        return reverse("cse:home")
    parts = urlsplit(location)
    path = parts.path or "/"
    full = path + (f"?{parts.query}" if parts.query else "")
    full += f"#{parts.fragment}" if parts.fragment else ""
    return full if len(full) <= 2000 else path[:2000]


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    back = urlsplit(request.META.get("HTTP_REFERER", ""))
    again = (
        back.path + (f"?{back.query}" if back.query else "")
        if back.netloc == request.get_host() and back.path
        else None
    )
    log.warning("form token refused user_id=%s path=%s", request.user.pk, request.path)
    return render(
        request,
        "cse/submission_refused.html",
        {"reason": reason, "again": again},
        status=400,
    )


def _told_of_an_error(request: HttpRequest) -> bool:
    """Whether the view sent the user back with an error message (a POST-only form
    that was refused): that is not a result to answer a repeat with. Looks at the
    messages queued in this request without taking them (iterating the storage
    would mark them as read)."""
    storage = getattr(request, "_messages", None)
    queued = getattr(storage, "_queued_messages", ())
    return any(message.level >= messages.ERROR for message in queued)


def _replay(request: HttpRequest, first: SubmissionToken) -> HttpResponse:
    response = HttpResponseRedirect(first.location or reverse("cse:home"))
    if first.status_code in {301, 302, 303, 307, 308}:
        response.status_code = first.status_code
    messages.success(request, ALREADY_SAVED)
    return response


class SubmissionTokenMiddleware:
    """Claims a POST's one-time token for its view, or answers with the first result
    (see the module's docstring). Last in MIDDLEWARE, so that the sign-in, second
    factor, CSRF and every other check run before a token is claimed, and the
    transaction holds only the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method != "POST"
            or not request.user.is_authenticated
            or not request.POST.get(FIELD)
            or _exempt(request.path_info)
        ):
            return self.get_response(request)
        setattr(request, _PENDING, request.POST[FIELD])
        with transaction.atomic():
            response = self.get_response(request)
            claim: SubmissionToken | None = getattr(request, _CLAIM, None)
            if claim is not None:
                if (
                    300 <= response.status_code < 400
                    and response.has_header("Location")
                    and not _told_of_an_error(request)
                ):
                    claim.location = _stored_location(request, response["Location"])
                    claim.status_code = response.status_code
                    claim.save(update_fields=["location", "status_code"])
                elif response.status_code >= 500:
                    transaction.set_rollback(True)
                else:
                    claim.delete()
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        value = getattr(request, _PENDING, None)
        if value is None:
            return None
        try:
            nonce = nonce_for(request.user, value)
        except TokenRefused as refusal:
            return _refused(request, refusal.reason)
        try:
            with transaction.atomic():
                claim = SubmissionToken.objects.create(user=request.user, token=nonce)
        except IntegrityError:
            first = SubmissionToken.objects.filter(
                user=request.user, token=nonce
            ).first()
            if first is None:  # deleted as expired in between: as old as refused
                return _refused(request, EXPIRED)
            return _replay(request, first)
        setattr(request, _CLAIM, claim)
        return None
