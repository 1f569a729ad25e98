from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cse.audit import (
    RequestContext,
    new_request_id,
    reset_request_context,
    set_request_context,
)

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
