from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cse import audit, stepup
from cse.forms import StepUpForm
from cse.models import AuditEvent


@require_http_methods(["GET", "POST"])
def step_up(request: HttpRequest) -> HttpResponse:
    """Ask for the password again before an action that needs a fresh check."""
    form = StepUpForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            stepup.mark_checked(request)
            audit.record(
                by=request.user,
                action=AuditEvent.Action.STEP_UP,
                summary="Confirmed identity again",
            )
            return redirect(stepup.safe_next(request))
        audit.record(
            by=request.user,
            action=AuditEvent.Action.STEP_UP_FAILED,
            summary="Identity check failed",
        )
    return render(
        request,
        "registration/step_up.html",
        {
            "form": form,
            "next": stepup.safe_next(request),
            "minutes": settings.STEP_UP_MINUTES,
        },
    )
