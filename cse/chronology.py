"""A record's chronology as one reader may see it.

Entries are written once (cse.services.add_chronology_entry) and read by people of
many agencies. An entry about another record holds it in `mentions` and names it as
`{record}` in its title; here the title is rendered for the reader: the other
record's reference if the reader may see that record, otherwise "a record not
shared with your agency". Every page or export that shows a chronology reads it
through `chronology_for`, so none can show the stored text as it stands.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from cse import permissions
from cse.models import Agency, ChronologyEntry, Subject, User

NOT_SHARED = "a record not shared with your agency"
PAGE_SIZE = 50


@dataclass(frozen=True)
class ChronologyLine:
    """One entry, its text rendered for one reader (what the timeline shows)."""

    pk: int
    occurred_at: datetime.datetime
    kind: str
    title: str
    description: str
    byline: str
    agency: Agency | None


def chronology_for(
    viewer: User, subject: Subject, *, page_number: int | str | None = 1
) -> Page:
    """One page of `subject`'s chronology, newest first, rendered for `viewer`.

    The caller has opened `subject` for the viewer (get_visible_or_404); the other
    records the entries mention are checked here, with one query per page.
    """
    entries = ChronologyEntry.objects.filter(subject_id=subject.pk).select_related(
        "recorded_by", "agency", "mentions"
    )
    page = Paginator(entries, PAGE_SIZE).get_page(page_number)
    page.object_list = render_entries(viewer, list(page.object_list))
    return page


def render_entries(
    viewer: User, entries: list[ChronologyEntry]
) -> list[ChronologyLine]:
    """The entries' text for `viewer`: a mentioned record is named only if the viewer
    may see it."""
    mentioned = {entry.mentions_id for entry in entries if entry.mentions_id}
    seen = (
        set(
            permissions.visible(viewer, Subject)
            .filter(pk__in=mentioned)
            .values_list("pk", flat=True)
        )
        if mentioned
        else set()
    )
    return [_line(entry, entry.mentions_id in seen) for entry in entries]


def _line(entry: ChronologyEntry, may_see_mentioned: bool) -> ChronologyLine:
    title = entry.title
    if entry.mentions_id is not None:
        shown = entry.mentions.reference if may_see_mentioned else NOT_SHARED
        title = title.replace(ChronologyEntry.MENTION, shown)
    return ChronologyLine(
        pk=entry.pk,
        occurred_at=entry.occurred_at,
        kind=entry.kind,
        title=title,
        description=entry.description,
        byline=entry.byline,
        agency=entry.agency,
    )
