from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cse import audit, permissions
from cse.forms import pk_from_reference
from cse.models import AuditEvent, Subject
from cse.search import parse_date
from cse.views.common import open_subject, tabs_for


def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has opened, changed, shared or printed this record (CSE coordinators)."""
    subject = open_subject(request, Subject, pk, audit_view=False)
    events = permissions.audit_events_on(request.user, subject).select_related("agency")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    audit.record(
        by=request.user,
        action=AuditEvent.Action.VIEW_AUDIT,
        obj=subject,
        summary="access log",
    )
    return render(
        request,
        "cse/access_log.html",
        {
            "subject": subject.specific,
            "tabs": tabs_for(request, subject),
            "page_obj": page,
        },
    )


def audit_search(request: HttpRequest) -> HttpResponse:
    """The whole trail, filtered (system administrators). Reading it is audited too."""
    events = permissions.audit_events_for(request.user).select_related("agency")
    filters = {
        name: request.GET.get(name, "").strip()
        for name in ("username", "action", "reference", "since", "until")
    }
    errors = {}
    if filters["username"]:
        events = events.filter(username__iexact=filters["username"])
    if filters["action"] in AuditEvent.Action.values:
        events = events.filter(action=filters["action"])
    if filters["reference"]:
        pk = pk_from_reference(filters["reference"].upper())
        if pk is None:
            errors["reference"] = "Enter a record reference like C-000123"
        else:
            events = events.filter(subject_id=pk)
    for name, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if filters[name]:
            day = parse_date(filters[name])
            if day is None:
                errors[name] = "Enter a date like 23/11/2026"
            else:
                events = events.filter(**{lookup: day})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    audit.record(
        by=request.user,
        action=AuditEvent.Action.VIEW_AUDIT,
        summary="audit search",
        detail={key: value for key, value in filters.items() if value},
    )
    return render(
        request,
        "cse/audit_search.html",
        {
            "page_obj": page,
            "filters": filters,
            "errors": errors,
            "actions": AuditEvent.Action.choices,
        },
    )
