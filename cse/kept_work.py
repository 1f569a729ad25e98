"""Work posted after the idle sign-out is kept for its author, not thrown away.

Someone who spends half an hour on the phone in the middle of a screening and then
presses "Save as draft" arrives with a session that has ended. Their form is kept
here, bound to the user whose session it was (the sign-in index, `UserSession`,
knows whose an ended session was), encrypted with a key derived from SECRET_KEY,
for KEPT_WORK_MINUTES. The sign-in page says so. Once they have signed in again with
both factors, the form's page shows the form bound to what they typed, with a fresh
CSRF token and the hidden fields (a version, a one-time token) as they were posted,
so that they check it and save it themselves: nothing is replayed, and the checks
the final save makes still apply. It is deleted when shown, or when it expires.

Only views marked ``@keeps_work`` keep and return work. They must be of the house
shape: bind the form to ``request.POST or None`` and act only when
``request.method == "POST"``. Returning the work gives their GET the kept data as
``request.POST``, so the form is bound and shown, never saved.

What was typed is never logged, audited or put in an address. A POST whose CSRF
check fails is refused before it gets here, so no other site can plant work.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.utils.html import escape

from cse.models import KeptWork, UserSession
from cse.session_timeout import idle_minutes_text
from cse.stepup import return_to

# In the anonymous session that follows an ended one: whose it was, and when it was
# found ended, so a form posted from another tab of the same browser is kept too.
SIGNED_OUT = "signed_out_user"
NOT_KEPT = {"csrfmiddlewaretoken"}
MAX_PATH = 500


# --- encryption --------------------------------------------------------------


def _fernet_key(secret: str) -> bytes:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"cse.kept_work",
    ).derive(secret.encode())
    return base64.urlsafe_b64encode(key)


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_fernet_key(secret)) for secret in secrets])


def _lifetime() -> timedelta:
    return timedelta(minutes=settings.KEPT_WORK_MINUTES)


# --- keeping and returning ---------------------------------------------------


def keep(*, user_id: int, path: str, data: QueryDict) -> KeptWork | None:
    """Keep what was posted to `path` for the user: one pending form per user and
    address (a second replaces the first). Not kept: the CSRF token, and any files."""
    if len(path) > MAX_PATH:
        return None
    fields = [
        [name, value]
        for name, values in data.lists()
        if name not in NOT_KEPT
        for value in values
    ]
    plain = json.dumps({"user": user_id, "path": path, "fields": fields})
    token = _fernet().encrypt(plain.encode()).decode()
    kept, _ = KeptWork.objects.update_or_create(
        user_id=user_id,
        path=path,
        defaults={"token": token, "expires_at": timezone.now() + _lifetime()},
    )
    return kept


def take(*, user, path: str) -> QueryDict | None:
    """The form the user posted to `path` after being signed out, deleted as it is
    handed over; None when there is none (or it has expired, or is not theirs)."""
    kept = KeptWork.objects.filter(user=user, path=path).first()
    # Handed over once: of two requests at the same moment, one deletes it.
    if kept is None or not KeptWork.objects.filter(pk=kept.pk).delete()[0]:
        return None
    if kept.expires_at <= timezone.now():
        return None
    try:
        plain = _fernet().decrypt(
            kept.token.encode(), ttl=settings.KEPT_WORK_MINUTES * 60
        )
    except InvalidToken:
        return None
    content = json.loads(plain)
    # The row's columns are not trusted alone: the encrypted text names its owner.
    if content.get("user") != user.pk or content.get("path") != path:
        return None
    data = QueryDict(mutable=True)
    for name, value in content["fields"]:
        data.appendlist(name, value)
    data._mutable = False
    return data


def delete_expired() -> int:
    """Delete the kept forms nobody came back for."""
    deleted, _ = KeptWork.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def keeps_work(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a form view whose form, posted after the idle sign-out, is kept and shown
    again after signing in (see the module's docstring for the shape it needs)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if request.method != "GET" or not (
            user.is_authenticated and user.is_verified()
        ):
            return view(request, *args, **kwargs)
        data = take(user=user, path=request.path)
        if data is None:
            return view(request, *args, **kwargs)
        request.POST = data
        messages.info(
            request,
            "This is what you entered before you were signed out. It has not been "
            "saved yet: check it, then save it.",
        )
        response = view(request, *args, **kwargs)
        return _hidden_fields_as_posted(response, data)

    wrapped.keeps_work = True
    return wrapped


_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(
    r"""\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
)


def _hidden_fields_as_posted(response: HttpResponse, data: QueryDict) -> HttpResponse:
    """Hidden inputs the page renders afresh (a version read now, a new one-time
    token) carry what was posted instead, so the checks made on saving judge the work
    as it was when typed. The CSRF token stays the fresh one."""
    if (
        response.status_code != 200
        or response.streaming
        or not response.get("Content-Type", "").startswith("text/html")
    ):
        return response
    content = response.content.decode(response.charset)
    remaining = {
        name: list(data.getlist(name)) for name in data if name not in NOT_KEPT
    }

    def replace(match: re.Match) -> str:
        tag = match.group(0)
        attributes = {
            name.lower(): (value or "").strip("\"'")
            for name, value in _ATTRIBUTE.findall(tag)
        }
        name = attributes.get("name", "")
        if attributes.get("type", "").lower() != "hidden" or not remaining.get(name):
            return tag
        value = escape(remaining[name].pop(0))
        without_value = re.sub(
            r"""\svalue\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""",
            "",
            tag,
            flags=re.IGNORECASE,
        )
        return f'{without_value[:6]} value="{value}"{without_value[6:]}'

    response.content = _INPUT.sub(replace, content).encode(response.charset)
    return response


# --- the sign-in after an ended session ---------------------------------------


def _ended_session_user(request: HttpRequest) -> int | None:
    """Whose session this browser's cookie named, if it ended by itself (idle): the
    sign-in index still has it. Signing out and ended sessions remove it."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key or request.session.session_key == key:
        return None
    row = UserSession.objects.filter(session_key=key).only("user_id").first()
    if row is None:
        return None
    row.delete()
    return row.user_id


def _signed_out_user(request: HttpRequest) -> tuple[int | None, bool]:
    """The user this browser was signed in as before the idle limit ended their
    session (and whether that was found just now), within KEPT_WORK_MINUTES."""
    ended = _ended_session_user(request)
    if ended is not None:
        request.session[SIGNED_OUT] = [ended, time.time()]
        return ended, True
    user_id, at = request.session.get(SIGNED_OUT) or (None, 0)
    if user_id is None or time.time() - at > settings.KEPT_WORK_MINUTES * 60:
        return None, False
    return user_id, False


class KeptWorkMiddleware:
    """For a request to a signed-in page from a browser whose session ended through
    inactivity: the sign-in page says why, and a form of a ``@keeps_work`` view is
    kept for the user whose session it was."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated:
            request.session.pop(SIGNED_OUT, None)
            return None
        if not getattr(view_func, "login_required", True):
            return None
        user_id, just_now = _signed_out_user(request)
        if user_id is None:
            return None
        if "application/json" in request.headers.get("Accept", ""):
            # A page's script (an autosave): it says so on the page; the sign-in
            # page's messages are for what the user did.
            return JsonResponse({"signed_in": False}, status=401)
        signed_out = (
            f"You were signed out because you had not done anything for "
            f"{idle_minutes_text()}."
        )
        if (
            request.method == "POST"
            and getattr(view_func, "keeps_work", False)
            and keep(user_id=user_id, path=request.path, data=request.POST)
        ):
            messages.info(
                request,
                f"{signed_out} What you entered has been kept for "
                f"{settings.KEPT_WORK_MINUTES} minutes: sign in again to go back "
                "to the form, check it and save it.",
            )
            return redirect_to_login(request.get_full_path())
        if request.method == "POST":
            # Back to the page the form was on (a POST-only address answers 405).
            messages.info(request, f"{signed_out} What you entered was not saved.")
            return redirect_to_login(return_to(request))
        if just_now:
            messages.info(request, signed_out)
        return None
