"""The meeting's printed documents: agenda, action document, minutes.

Each is rendered as the person who asked for it sees the records (a record their
agency cannot see appears by reference only). Long documents use block layout, not
tables (WeasyPrint lays out 500 table rows 3-4 times slower than blocks).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch
from django.utils import timezone

from cse.models import User
from cse.pdf import render_pdf

from .models import Action, ActionUpdate, AgendaItem, Meeting, quorum_for
from .summaries import previous_meeting_day, summarise_item

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


def agenda_sections(meeting: Meeting) -> list[tuple[str, list[AgendaItem]]]:
    """Items grouped by section in the type's order: standard items first, then one
    section per kind of record the type discusses, each in the administrator's order."""
    items = list(meeting.items.select_related("subject", "referral"))
    order = ["standard", *meeting.meeting_type.subject_sections]
    labels = dict(AgendaItem.Section.choices)
    sections = []
    for section in order + sorted({i.section for i in items} - set(order)):
        chosen = [i for i in items if i.section == section]
        if chosen:
            sections.append((labels[section], chosen))
    return sections


def agenda_context(
    meeting: Meeting, user: User, progress: Progress = _no_progress
) -> dict:
    since = previous_meeting_day(meeting)
    sections = agenda_sections(meeting)
    total = sum(len(items) for _, items in sections)
    done = 0
    numbered = []
    number = 0
    for title, items in sections:
        rows = []
        for item in items:
            number += 1
            rows.append(
                {
                    "number": number,
                    "item": item,
                    "summary": summarise_item(user, item, since, meeting.day),
                }
            )
            done += 1
            progress(done, total)
        numbered.append({"title": title, "rows": rows})
    return {
        "meeting": meeting,
        "sections": numbered,
        "since": since,
        "printed_at": timezone.now(),
        "printed_by": user,
    }


def open_actions(meeting: Meeting):
    """The current action document: open actions of this meeting's series (type and
    area), with their updates."""
    return (
        Action.objects.filter(
            meeting__meeting_type=meeting.meeting_type,
            meeting__local_area=meeting.local_area,
            status=Action.Status.OPEN,
        )
        .select_related("meeting", "assigned_agency", "assigned_to", "subject")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ActionUpdate.objects.select_related("recorded_by", "agency"),
            )
        )
        .order_by("due_on", "pk")
    )


def render_agenda_pdf(
    meeting: Meeting, user: User, progress: Progress = _no_progress
) -> bytes:
    return render_pdf(
        "meetings/pdf/agenda.html", agenda_context(meeting, user, progress)
    )


def render_actions_pdf(
    meeting: Meeting, user: User, progress: Progress = _no_progress
) -> bytes:
    actions = list(open_actions(meeting))
    progress(len(actions), len(actions))
    return render_pdf(
        "meetings/pdf/actions.html",
        {"meeting": meeting, "actions": actions, "printed_at": timezone.now()},
    )


def minutes_context(meeting: Meeting) -> dict:
    attendance = list(meeting.attendance.select_related("agency"))
    items = list(
        meeting.items.select_related("subject").prefetch_related(
            "notes", "decisions", "actions__assigned_agency", "actions__assigned_to"
        )
    )
    return {
        "meeting": meeting,
        "attendance": attendance,
        "quorum": quorum_for(meeting, attendance),
        "items": items,
    }


def render_minutes_pdf(
    meeting: Meeting, user: User, progress: Progress = _no_progress
) -> bytes:
    context = minutes_context(meeting)
    progress(len(context["items"]), len(context["items"]))
    return render_pdf("meetings/pdf/minutes.html", context)


RENDERERS = {
    "agenda": render_agenda_pdf,
    "actions": render_actions_pdf,
    "minutes": render_minutes_pdf,
}
