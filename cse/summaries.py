"""Short summaries of a record that each part of the product can contribute, for
places that show a record's whole picture without knowing every app: a meeting's
agenda item, a printed agenda. Apps register a provider from AppConfig.ready.

A provider takes the reader (a user, or an `AgencyReader` for a document built for
an agency), the record and a period, and returns a `Summary` or None when it has
nothing to say. It is called only for a record the reader may see, and must show
of anything else (the other party of a notice, a linked record) only what that
reader may see: a record they may not see appears as `NOT_SHARED`, never with its
reference, name, count or text. It fetches only through cse.permissions-scoped or
record-scoped queries, and makes a bounded number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from cse import permissions
from cse.models import Subject
from cse.permissions import Reader

NOT_SHARED = "a record not shared with your agency"


@dataclass(frozen=True)
class Summary:
    title: str
    lines: list[str] = field(default_factory=list)


Provider = Callable[
    [Reader, Subject, datetime.date | None, datetime.date | None], Summary | None
]
PROVIDERS: list[tuple[int, Provider]] = []


def register(order: int) -> Callable[[Provider], Provider]:
    def decorator(provider: Provider) -> Provider:
        PROVIDERS.append((order, provider))
        PROVIDERS.sort(key=lambda item: item[0])
        return provider

    return decorator


def for_subject(
    reader: Reader,
    subject: Subject,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    *,
    known_visible: bool = False,
) -> list[Summary]:
    """Every provider's summary of the record for this reader; nothing at all for a
    record the reader may not see. `known_visible` is for callers that have just
    checked (an agenda checks all its records in one query)."""
    if not known_visible and not permissions.can_see(reader, subject):
        return []
    return [
        s
        for _, provider in PROVIDERS
        if (s := provider(reader, subject, since, until)) is not None
    ]


@register(10)
def category_summary(reader: Reader, subject: Subject, since, until) -> Summary | None:
    """The core's own contribution: the CSE category and its history."""
    if subject.kind != Subject.Kind.CHILD:
        return None
    history = list(subject.specific.category_history.all()[:5])
    if not history:
        return Summary("CSE risk category", ["Not assessed"])
    lines = [
        f"{entry.get_category_display()} ({entry.assessed_on:%d/%m/%Y}, "
        f"{entry.get_source_display().lower()})"
        for entry in history
    ]
    return Summary("CSE risk category", lines)
