from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cse import forms, permissions, services
from cse.models import Subject
from cse.views.common import detail_url, open_subject, recent_subjects
from cse.views.records import _apply_errors


@require_http_methods(["GET", "POST"])
def link_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Link this record to another the user can see: one opened recently, or any by
    its reference."""
    subject = open_subject(request, Subject, pk, audit_view=False)
    permissions.require(permissions.can_add_to(request.user, subject))
    candidates = recent_subjects(request, exclude=subject.pk)
    initial = {}
    preselected = request.GET.get("to", "")
    if preselected.isdigit() and any(c.pk == int(preselected) for c in candidates):
        initial["to_subject"] = preselected
    form = forms.LinkForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        subject=subject,
        candidates=candidates,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_link(
                by=request.user,
                from_subject=subject,
                to_subject=data["target"],
                kind=data["kind"],
                source=data["source"],
                source_detail=data["source_detail"],
                confidence=data["confidence"],
                first_seen=data["first_seen"],
                last_seen=data["last_seen"],
                notes=data["notes"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Link to {data['target'].reference} added")
            return redirect(detail_url(subject))
    return render(
        request,
        "cse/link_form.html",
        {"form": form, "subject": subject.specific, "back": detail_url(subject)},
    )


@require_POST
def link_end(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    subject = open_subject(request, Subject, pk, audit_view=False)
    link = get_object_or_404(permissions.visible_links(request.user), pk=link_pk)
    permissions.require(permissions.can_add_to(request.user, subject))
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        services.end_link(
            by=request.user, link=link, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Link ended")
    else:
        messages.error(request, "Enter why the link no longer applies")
    return redirect(detail_url(subject))
