"""What an agenda item shows about its record: the summaries other parts of the
product register (category history, missing episodes, screenings...), this app's
open actions, and the record's linked persons and locations, all read as the given
reader (a user, or the agency a document is built for) may see them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from cse import permissions
from cse import summaries as core_summaries
from cse.models import Subject
from cse.permissions import Reader

from . import permissions as meeting_permissions
from .models import Action, AgendaItem


@dataclass
class ItemSummary:
    visible: bool
    name: str = ""
    summaries: list = field(default_factory=list)
    open_actions: list = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def summarise_item(
    reader: Reader,
    item: AgendaItem,
    since: datetime.date | None,
    until: datetime.date | None,
    *,
    visible: bool | None = None,
) -> ItemSummary:
    """The item's record as the reader may see it; nothing about a record they may
    not see. `visible` is for callers that checked every item's record at once."""
    subject = item.subject
    if subject is None:
        return ItemSummary(visible=True)
    if visible is None:
        visible = permissions.can_see(reader, subject)
    if not visible:
        return ItemSummary(visible=False)
    specific = subject.specific
    actions = list(
        meeting_permissions.visible_actions(reader)
        .filter(subject=subject, status=Action.Status.OPEN)
        .select_related("assigned_agency", "assigned_to")
        .order_by("due_on", "pk")
    )
    links = (
        permissions.visible_links(reader)
        .filter(Q(from_subject=subject) | Q(to_subject=subject), ended_at__isnull=True)
        .select_related(
            "from_subject__personofinterest",
            "from_subject__location",
            "to_subject__personofinterest",
            "to_subject__location",
        )
    )
    linked = []
    for link in links:
        other = link.other_end(subject.pk)
        if other.kind in {Subject.Kind.PERSON, Subject.Kind.LOCATION}:
            linked.append(
                f"{link.get_kind_display()}: {other.specific} ({other.reference})"
            )
    return ItemSummary(
        visible=True,
        name=str(specific),
        summaries=core_summaries.for_subject(
            reader, subject, since, until, known_visible=True
        ),
        open_actions=actions,
        links=linked,
    )


def previous_meeting_day(item_or_meeting) -> datetime.date | None:
    meeting = getattr(item_or_meeting, "meeting", item_or_meeting)
    previous = (
        type(meeting)
        .objects.filter(
            meeting_type=meeting.meeting_type,
            local_area=meeting.local_area,
            starts_at__lt=meeting.starts_at,
        )
        .order_by("-starts_at")
        .first()
    )
    return previous.day if previous else None
