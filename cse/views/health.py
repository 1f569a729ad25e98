"""Health endpoints for load balancers and container probes (see cse.health)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cse import health
from cse.security import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # cse.health.HealthCheckMiddleware answers before the middleware that adds these.
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Permissions-Policy"] = PERMISSIONS_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    response["Referrer-Policy"] = "same-origin"
    # cse.health logs which component failed; Django's own line per 503 would
    # repeat it at ERROR on every probe.
    response._has_been_logged = True
    return response


@login_not_required
@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    """The process answers; nothing else is asked."""
    return _json({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and beat are all fine; 503 naming the
    component that is not."""
    checks = health.readiness()
    ready = all(state == health.OK for state in checks.values())
    return _json(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
