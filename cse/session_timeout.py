"""The idle limit: how long a signed-in session has left, asked without extending it.

A session ends SESSION_COOKIE_AGE seconds (SESSION_IDLE_MINUTES) after the last
request: SESSION_SAVE_EVERY_REQUEST saves it on every request, which pushes its
expiry on. The timeout warning (static/js/timeout-warning.js) needs to ask how long
is left without that question counting as activity, or the warning would keep the
session alive for ever. So every saved signed-in session carries the time of its
last activity, and a request marked with `peek` is answered without the session
being saved. The server is the only clock that counts: a tab asks it before it warns
or signs out, so a keep-alive in one tab is never undone by another tab's timer.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

from cse.security import SIGNED_IN_AT

ACTIVE_AT = "active_at"
MARGIN_SECONDS = 1


def peek(request: HttpRequest) -> None:
    """Answer this request without saving the session: it is not activity."""
    request.session_peek = True


def idle_seconds() -> int:
    return settings.SESSION_COOKIE_AGE


def idle_minutes_text() -> str:
    minutes = max(1, round(idle_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def seconds_left(request: HttpRequest, *, active_now: bool = False) -> tuple[int, bool]:
    """Seconds until the session ends, and whether activity can still extend it
    (not when the absolute limit, SESSION_ABSOLUTE_HOURS after sign-in, comes first).
    `active_now`: this request counts as activity (it is not a peek)."""
    now = time.time()
    session = request.session
    active_at = now if active_now else session.get(ACTIVE_AT, now)
    # The stored expiry is a moment after the stamp (the session is saved after it
    # is stamped): a second's margin, so that "none left" means it has truly ended.
    idle_left = active_at + idle_seconds() + MARGIN_SECONDS - now
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is not None:
        absolute_left = (
            signed_in_at + settings.SESSION_ABSOLUTE_HOURS * 3600 + MARGIN_SECONDS - now
        )
        if absolute_left < idle_left:
            return max(0, math.ceil(absolute_left)), False
    return max(0, math.ceil(idle_left)), True


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, which also stamps each signed-in session with the
    time of its last activity, and leaves the session untouched (not saved, its
    cookie neither renewed nor deleted) for a request marked with `peek`."""

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        if getattr(request, "session_peek", False):
            return response
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) is not None:
            session[ACTIVE_AT] = time.time()
        return super().process_response(request, response)
