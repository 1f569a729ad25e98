"""What the missing part adds to the core's pages: the child's Missing tab, the
navigation entry, the home panel and the agenda summary."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cse import home, permissions, summaries
from cse.context_processors import NavItem, add_nav_item
from cse.models import Subject, User
from cse.views.common import Tab, add_tab
from missing import permissions as access
from missing import services

add_tab(Tab("Missing", "missing:child_missing", frozenset({Subject.Kind.CHILD}), 40))
add_nav_item(NavItem("Missing", "missing:interviews_due", 35, permissions.sees_records))


@home.register(25)
def interviews_panel(user: User) -> dict | None:
    """Return-home interviews due and overdue for the user's agency."""
    if not permissions.sees_records(user):
        return None
    rows = list(
        access.interviews_for_agency(user)
        .select_related("child")
        .order_by("due_at", "pk")[:20]
    )
    return {
        "title": "Return-home interviews due for your agency",
        "template": "missing/home_panel.html",
        "interviews": rows,
        "now": timezone.now(),
        "empty": "No return-home interview is waiting for your agency.",
    }


@summaries.register(30)
def missing_summary(
    reader: permissions.Reader,
    subject: Subject,
    since: datetime.date | None,
    until: datetime.date | None,
) -> summaries.Summary | None:
    """A child's episodes in the period: called only for a child the reader may see,
    whose episodes hang off the child and share its visibility."""
    if subject.kind != Subject.Kind.CHILD:
        return None
    lines = services.summary_lines(subject.pk, since, until)
    return summaries.Summary("Missing episodes", lines) if lines else None
