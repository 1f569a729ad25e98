"""What the health endpoints check, and the middleware that answers them first.

`/health/live`: the process answers (nothing else is touched, so a restart decision
never hangs on the database). `/health/ready`: the database answers, the broker
accepts a connection, and beat's last sweep (its heartbeat, written by
cse.tasks.sweep_outbox) is no older than HEALTH_BEAT_MAX_AGE_SECONDS. `/health/` is
the readiness check under its old address.

They are public, so they say which component is not ready and nothing more: no
error text, no host names, no versions, no times.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

logger = logging.getLogger("cse.health")

OK, UNAVAILABLE, STALE, UNKNOWN = "ok", "unavailable", "stale", "unknown"


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("Readiness: database unavailable (%s)", type(error).__name__)
        return UNAVAILABLE
    return OK


def broker() -> str:
    from cse import celery_app

    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)
    except Exception as error:  # kombu wraps the transport's own errors
        logger.warning("Readiness: broker unavailable (%s)", type(error).__name__)
        return UNAVAILABLE
    return OK


def beat(database_state: str) -> str:
    """Whether the periodic sweep ran lately: beat scheduled it and a worker ran it."""
    from cse.models import Heartbeat

    if database_state != OK:
        return UNKNOWN
    try:
        last = (
            Heartbeat.objects.filter(name="beat").values_list("at", flat=True).first()
        )
    except DatabaseError:
        return UNKNOWN
    max_age = datetime.timedelta(seconds=settings.HEALTH_BEAT_MAX_AGE_SECONDS)
    if last is None or timezone.now() - last > max_age:
        return STALE
    return OK


def readiness() -> dict[str, str]:
    checks = {"database": database(), "broker": broker()}
    checks["beat"] = beat(checks["database"])
    return checks


class HealthCheckMiddleware:
    """Answers the health endpoints before anything else runs: no session, no
    sign-in, no HTTPS redirect and no host check, so a load balancer's or
    container's probe over plain HTTP to an internal address gets the JSON, and
    with the database down nothing before the check can fail into an HTML page.
    Only GET and HEAD: other methods meet CSRF and the views' refusal as usual.
    It goes first in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from cse.views import health as views

        view = {
            "/health/live": views.live,
            "/health/ready": views.ready,
            "/health/": views.ready,
        }.get(request.path_info)
        if view is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)  # anything else takes the usual path
        return view(request)
