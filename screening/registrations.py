"""What the screening app adds to the core's shared pages: the "Screenings" tab of a
child's record, the navigation entry, the coordinator's home panel of screenings to
acknowledge, and the latest screening in record summaries (agendas)."""

from __future__ import annotations

from django.urls import reverse

from cse import home, permissions, summaries
from cse.context_processors import NavItem, add_nav_item
from cse.models import Role, Subject, User
from cse.views.common import Tab, add_tab

from . import permissions as access
from . import services

add_tab(
    Tab("Screenings", "screening:child_screenings", frozenset({Subject.Kind.CHILD}), 20)
)
add_nav_item(NavItem("Screenings", "screening:index", 35, permissions.sees_records))


@home.register(15)
def screenings_to_acknowledge(user: User) -> dict | None:
    if not user.has_role(Role.CSE_COORDINATOR) or not permissions.sees_records(user):
        return None
    rows = list(access.queue_for(user)[:20])
    return {
        "title": "New screenings to acknowledge",
        "template": "screening/home_panel.html",
        "screenings": rows,
        "link": reverse("screening:index"),
        "empty": "There are no new screenings to acknowledge.",
    }


@summaries.register(15)
def latest_screening(
    reader: permissions.Reader, subject: Subject, since, until
) -> summaries.Summary | None:
    """The newest submitted screening or risk assessment of a child (one query).
    Called only for a child the reader may see, whose submitted screenings they may
    see too (drafts stay with their author's agency and are never summarised)."""
    if subject.kind != Subject.Kind.CHILD:
        return None
    screening = services.latest_submitted(subject.pk, since=since, until=until)
    if screening is None:
        return None
    lines = [
        f"{screening.definition.name}, submitted "
        f"{screening.submitted_at:%d/%m/%Y} by {screening.author_agency}: "
        f"{screening.category_label}",
    ]
    if screening.definition.kind == "screening":
        lines.append(
            f"{screening.significant_count()} significant risk indicator(s), "
            f"{screening.ticked_count('risk')} risk indicator(s), "
            f"{screening.ticked_count('vulnerability')} vulnerability factor(s) ticked"
        )
    lines.append(f"Rationale: {screening.rationale}")
    return summaries.Summary("Latest screening", lines)
