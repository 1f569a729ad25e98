from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cse import audit, permissions
from cse.home import panels_for
from cse.models import AuditEvent, Notification


def home(request: HttpRequest) -> HttpResponse:
    panels = panels_for(request.user)
    shown = [child for panel in panels for child in panel.get("children", ())]
    if shown:
        audit.record_many(
            by=request.user,
            action=AuditEvent.Action.LIST,
            subjects=shown,
            summary="home page",
        )
    return render(
        request,
        "cse/home.html",
        {
            "panels": panels,
            "can_record": permissions.may_record(request.user),
        },
    )


def notifications(request: HttpRequest) -> HttpResponse:
    items = list(request.user.notifications.all()[:100])
    return render(request, "cse/notifications.html", {"notifications": items})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect(target)
    return redirect("cse:notifications")


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "cse/accessibility.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """A plain error page with the request's reference and no detail of the fault."""
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(
        template.render({"request_id": getattr(request, "request_id", "")}), status=500
    )
