"""The meeting's printed documents: agenda, action document, minutes.

Each is built for its reader: the agency that receives it (a document downloaded by
any of its staff, `cse.permissions.AgencyReader`), never the person who asked for it,
whose own grants must not travel to their colleagues. A record that agency may not
see appears as "a record not shared with your agency", with no reference, name,
category, actions or links; actions on such records are left out altogether, with
no count. The same functions serve the on-screen pages with the user as reader.
Long documents use block layout, not tables (WeasyPrint lays out 500 table rows 3-4
times slower than blocks).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cse import permissions
from cse.models import Subject
from cse.pdf import render_pdf
from cse.permissions import Reader
from cse.summaries import NOT_SHARED

from . import permissions as meeting_permissions
from .models import Action, ActionUpdate, AgendaItem, Meeting, quorum_for
from .summaries import previous_meeting_day, summarise_item

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    return None


def agenda_sections(meeting: Meeting) -> list[tuple[str, list[AgendaItem]]]:
    """Items grouped by section in the type's order: standard items first, then one
    section per kind of record the type discusses, each in the administrator's order.
    Callers show each item only as their reader may see its record."""
    items = list(meeting.items.select_related("subject", "referral"))
    order = ["standard", *meeting.meeting_type.subject_sections]
    labels = dict(AgendaItem.Section.choices)
    sections = []
    for section in order + sorted({i.section for i in items} - set(order)):
        chosen = [i for i in items if i.section == section]
        if chosen:
            sections.append((labels[section], chosen))
    return sections


def visible_subject_ids(reader: Reader, items) -> set[int]:
    """Which of the items' records the reader may see, in one query."""
    ids = [item.subject_id for item in items if item.subject_id]
    if not ids:
        return set()
    return set(
        permissions.visible(reader, Subject)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def agenda_context(
    meeting: Meeting, reader: Reader, progress: Progress = _no_progress
) -> dict:
    since = previous_meeting_day(meeting)
    sections = (
        agenda_sections(meeting)
        if meeting_permissions.sees_items(reader, meeting)
        else []
    )
    seen = visible_subject_ids(reader, [i for _, items in sections for i in items])
    total = sum(len(items) for _, items in sections)
    done = 0
    numbered = []
    number = 0
    for title, items in sections:
        rows = []
        for item in items:
            number += 1
            visible = not item.subject_id or item.subject_id in seen
            rows.append(
                {
                    "number": number,
                    "item": item,
                    "label": meeting_permissions.item_label(item, visible),
                    "summary": summarise_item(
                        reader, item, since, meeting.day, visible=visible
                    ),
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
        "printed_for": reader,
        "not_shared": NOT_SHARED,
    }


def open_actions(meeting: Meeting, reader: Reader) -> QuerySet[Action]:
    """The current action document for the reader: open actions of this meeting's
    series (type and area) that the reader may read, with their updates. Actions on
    records the reader may not see are not included, nor counted."""
    return (
        meeting_permissions.visible_actions(reader)
        .filter(
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
    meeting: Meeting, reader: Reader, progress: Progress = _no_progress
) -> bytes:
    return render_pdf(
        "meetings/pdf/agenda.html", agenda_context(meeting, reader, progress)
    )


def render_actions_pdf(
    meeting: Meeting, reader: Reader, progress: Progress = _no_progress
) -> bytes:
    actions = list(open_actions(meeting, reader))
    progress(len(actions), len(actions))
    return render_pdf(
        "meetings/pdf/actions.html",
        {
            "meeting": meeting,
            "actions": actions,
            "printed_at": timezone.now(),
            "printed_for": reader,
        },
    )


def minutes_context(meeting: Meeting, reader: Reader) -> dict:
    """The minutes as the reader may read them: an item whose record they may not
    see is shown as not shared, without its notes, decisions or actions."""
    attendance = list(meeting.attendance.select_related("agency"))
    items = (
        list(
            meeting.items.select_related("subject").prefetch_related(
                "notes", "decisions", "actions__assigned_agency", "actions__assigned_to"
            )
        )
        if meeting_permissions.sees_items(reader, meeting)
        else []
    )
    seen = visible_subject_ids(reader, items)
    rows = []
    for item in items:
        visible = not item.subject_id or item.subject_id in seen
        rows.append(
            {
                "item": item,
                "visible": visible,
                "label": meeting_permissions.item_label(item, visible),
            }
        )
    return {
        "meeting": meeting,
        "attendance": attendance,
        "quorum": quorum_for(meeting, attendance),
        "items": rows,
        "printed_for": reader,
    }


def render_minutes_pdf(
    meeting: Meeting, reader: Reader, progress: Progress = _no_progress
) -> bytes:
    context = minutes_context(meeting, reader)
    progress(len(context["items"]), len(context["items"]))
    return render_pdf("meetings/pdf/minutes.html", context)


RENDERERS = {
    "agenda": render_agenda_pdf,
    "actions": render_actions_pdf,
    "minutes": render_minutes_pdf,
}
