"""Pieces every record page shares: fetching through permissions, tabs, recent records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from cse import audit, permissions
from cse.models import (
    AuditEvent,
    Child,
    Location,
    PersonOfInterest,
    Subject,
    User,
    Vehicle,
)
from cse.models.subjects import SPECIFIC_ATTR

RECENT_KEY = "recent_records"
RECENT_MAX = 10

DETAIL_URL = {
    Subject.Kind.CHILD: "cse:child_detail",
    Subject.Kind.PERSON: "cse:person_detail",
    Subject.Kind.LOCATION: "cse:location_detail",
    Subject.Kind.VEHICLE: "cse:vehicle_detail",
}
MODEL_OF_KIND: dict[str, type[Subject]] = {
    Subject.Kind.CHILD: Child,
    Subject.Kind.PERSON: PersonOfInterest,
    Subject.Kind.LOCATION: Location,
    Subject.Kind.VEHICLE: Vehicle,
}


@dataclass(frozen=True)
class Tab:
    """A tab on a record's sub-navigation. Other apps add theirs with `add_tab`."""

    label: str
    url_name: str
    kinds: frozenset[str]
    order: int
    visible: Callable[[User, Subject], bool] = lambda user, subject: True


TABS: list[Tab] = [
    Tab("Summary", "detail", frozenset(Subject.Kind.values), 0),
    Tab("Chronology", "cse:child_chronology", frozenset({Subject.Kind.CHILD}), 50),
    Tab("Sharing", "cse:sharing", frozenset(Subject.Kind.values), 80),
    Tab(
        "Access log",
        "cse:access_log",
        frozenset(Subject.Kind.values),
        90,
        lambda user, subject: permissions.can_read_audit_for(user, subject),
    ),
]


def add_tab(tab: Tab) -> None:
    TABS.append(tab)
    TABS.sort(key=lambda t: t.order)


def tabs_for(request: HttpRequest, subject: Subject) -> list[dict]:
    items = []
    for tab in TABS:
        if subject.kind not in tab.kinds or not tab.visible(request.user, subject):
            continue
        url_name = (
            DETAIL_URL[subject.kind] if tab.url_name == "detail" else tab.url_name
        )
        url = reverse(url_name, args=[subject.pk])
        items.append({"label": tab.label, "url": url, "active": request.path == url})
    return items


def open_subject(
    request: HttpRequest, model: type[Subject], pk: int, *, audit_view: bool = True
):
    """Fetch a record the user may see (404 otherwise), note it as recently opened,
    and leave a view event in the audit trail."""
    subject = permissions.get_visible_or_404(request.user, model, pk)
    if request.method == "GET":
        remember(request, subject)
        if audit_view:
            audit.record(
                by=request.user,
                action=AuditEvent.Action.VIEW,
                obj=subject,
                summary=request.path,
            )
    return subject


def remember(request: HttpRequest, subject: Subject) -> None:
    recent = [pk for pk in request.session.get(RECENT_KEY, []) if pk != subject.pk]
    request.session[RECENT_KEY] = [subject.pk, *recent][:RECENT_MAX]


def recent_subjects(request: HttpRequest, exclude: int | None = None) -> list[Subject]:
    """Records the user opened recently and can still see, newest first."""
    ids = [pk for pk in request.session.get(RECENT_KEY, []) if pk != exclude]
    found = {
        subject.pk: subject
        for subject in permissions.visible(request.user, Subject)
        .filter(pk__in=ids)
        .select_related(*SPECIFIC_ATTR.values())
    }
    return [found[pk] for pk in ids if pk in found]


def detail_url(subject: Subject) -> str:
    return reverse(DETAIL_URL[subject.kind], args=[subject.pk])
