"""How long the user's session has left, and "Stay signed in", for the timeout
warning (cse.session_timeout, static/js/timeout-warning.js). Neither shows any
personal data; both answer a signed-out caller too, so the script can tell."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from cse import session_timeout, stepup


def _signed_in(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and user.is_verified()


def _status(request: HttpRequest, *, active_now: bool = False) -> dict:
    if not _signed_in(request):
        return {"signed_in": False, "seconds_left": 0, "can_extend": False}
    left, can_extend = session_timeout.seconds_left(request, active_now=active_now)
    return {
        "signed_in": left > 0,
        "seconds_left": left,
        "can_extend": can_extend,
        "warn_seconds": settings.SESSION_TIMEOUT_WARNING_SECONDS,
    }


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_not_required
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the idle (or absolute) limit. Asking is not activity."""
    session_timeout.peek(request)
    return JsonResponse(_status(request))


@login_not_required
@require_POST
def session_keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": this request is activity, so it pushes the idle limit on.
    The script gets the new status; without the script, the form comes back to the
    page it was on."""
    if _wants_json(request):
        status = _status(request, active_now=True)
        return JsonResponse(status, status=200 if status["signed_in"] else 401)
    if not _signed_in(request):
        return redirect(settings.LOGIN_URL)
    return redirect(stepup.safe_next(request))
