from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cse import audit, stepup
from cse.forms import StepUpForm
from cse.models import AuditEvent


def _back(request: HttpRequest) -> str:
    """The page the user was on before being asked (to offer a way back once a
    download has started): a path on this site, or nothing."""
    back = request.POST.get("back", "")
    if request.method == "GET":
        referer = urlsplit(request.headers.get("Referer", ""))
        back = ""
        if referer.netloc == request.get_host() and referer.path != request.path:
            back = referer.path + (f"?{referer.query}" if referer.query else "")
    return back if back and stepup.same_site_path(request, back) else ""


@require_http_methods(["GET", "POST"])
def step_up(request: HttpRequest) -> HttpResponse:
    """Ask for the password again before an action that needs a fresh check. When
    what comes next is a file, the page that follows says it is downloading and
    the browser fetches it straight away (an instant refresh, no script needed)."""
    form = StepUpForm(request.POST or None, user=request.user)
    next_url = stepup.safe_next(request)
    if request.method == "POST":
        if form.is_valid():
            stepup.mark_checked(request)
            audit.record(
                by=request.user,
                action=AuditEvent.Action.STEP_UP,
                summary="Confirmed identity again",
            )
            if stepup.sends_file(next_url):
                return render(
                    request,
                    "registration/step_up_download.html",
                    {"file_url": next_url, "back": _back(request)},
                )
            return redirect(next_url)
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
            "next": next_url,
            "back": _back(request),
            "minutes": settings.STEP_UP_MINUTES,
        },
    )
