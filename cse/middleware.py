from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cse import audit, permissions
from cse.audit import (
    RequestContext,
    new_request_id,
    reset_request_context,
    set_request_context,
)
from cse.models import AuditEvent

access_log = logging.getLogger("cse.access")


class RequestContextMiddleware:
    """Gives each request an id (returned in a header, shown on error pages) and makes
    the caller's address available to the audit trail.

    Writes one access-log line per request: method, path, status, duration, request
    id and user id. Never the query string or the body: search text is POSTed and
    paths carry only ids, so the line holds no personal data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        request.request_id = new_request_id()
        token = set_request_context(
            RequestContext(
                ip_address=request.META.get("REMOTE_ADDR") or None,
                path=request.path,
                request_id=request.request_id,
                method=request.method or "GET",
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request.request_id
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Personal data must not linger in shared or browser caches.
            response["Cache-Control"] = "no-store"
        access_log.info(
            "%s %s %s %.1fms request_id=%s user_id=%s",
            request.method,
            request.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            request.request_id,
            user.pk if user is not None and user.is_authenticated else "-",
        )
        return response


# Routes whose `pk` is a record (child, person, location, vehicle): under these the
# event names the record, so it shows in the record's access log.
_RECORD_ROUTE = re.compile(
    r"(?:^|/)(?:children|persons|locations|vehicles|records)/<int:pk>/"
)


# Pages that show no personal data: a visit to them is not an access to a record.
# Each with why; tests/security/test_audit_coverage.py checks that none of them shows
# any of its marker records' details.
UNAUDITED_VIEWS = {
    "accessibility": "the accessibility statement, the same for everyone",
    "health": "the load balancer's health check",
    "health_live": "the process's liveness check",
    "health_ready": "the load balancer's readiness check",
    "password_change": "the user's own password form",
    "password_change_done": "a confirmation message",
    "password_reset": "the reset request form, also shown signed out",
    "password_reset_done": "a confirmation message",
    "password_reset_complete": "a confirmation message",
    "step_up": "the password prompt before a sensitive step",
    "session_status": "how long the user's own session has left",
    "second_factor": "the sign-in code prompt",
    "authenticator_setup": "the user's own authenticator set-up",
    "recovery_codes": "the user's own recovery codes",
    "recovery_codes_new": "the user's own recovery codes",
    "security_key_setup": "the user's own security keys",
    "account_security": "the user's own sign-in methods",
    "otp_webauthn:js-i18n-catalog": "a translation catalogue for the security-key script",
}


class AuditViewMiddleware:
    """Every page a case worker is shown leaves an audit event, whether or not its
    view remembered to write one.

    For a successful GET or HEAD by a user who sees records, if the view wrote no
    event in this request, one VIEW event is written naming the view (its URL name)
    and what the URL names (its integer arguments: ids, never personal data),
    and, where the URL is a record's, the record. Views that audit themselves (a
    VIEW of the record, a LIST of what a page showed, an EXPORT) are left alone, so
    no page gets two events. Must come after RequestContextMiddleware, which holds
    the count of events the request wrote.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        before = audit.events_recorded_in_request()
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and 200 <= response.status_code < 300
            and audit.events_recorded_in_request() == before
            and permissions.sees_records(request.user)
            and not (
                request.resolver_match
                and request.resolver_match.view_name in UNAUDITED_VIEWS
            )
        ):
            self._record_view(request)
        return response

    def _record_view(self, request: HttpRequest) -> None:
        match = request.resolver_match
        view = match.view_name if match else ""
        # The ids the URL names (a reset link's token is not an id, and stays out).
        kwargs = {
            name: value
            for name, value in (match.kwargs if match else {}).items()
            if isinstance(value, int)
        }
        subject = None
        if match and "pk" in match.kwargs and _RECORD_ROUTE.search(match.route or ""):
            subject = int(match.kwargs["pk"])
        audit.record(
            by=request.user,
            action=AuditEvent.Action.VIEW,
            subject=subject,
            summary=view,
            detail={"view": view, "kwargs": kwargs},
        )
