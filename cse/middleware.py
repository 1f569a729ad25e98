from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cse.audit import (
    RequestContext,
    new_request_id,
    reset_request_context,
    set_request_context,
)


class RequestContextMiddleware:
    """Gives each request an id (returned in a header, shown on error pages) and makes
    the caller's address available to the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
        if request.user.is_authenticated:
            # Personal data must not linger in shared or browser caches.
            response["Cache-Control"] = "no-store"
        return response
