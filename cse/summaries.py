"""Short summaries of a record that each part of the product can contribute, for
places that show a record's whole picture without knowing every app: a meeting's
agenda item, a printed agenda. Apps register a provider from AppConfig.ready.

A provider takes the record and a period, and returns a `Summary` or None when it
has nothing to say. It must fetch only through cse.permissions-scoped or
record-scoped queries, and make a bounded number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from cse.models import Subject


@dataclass(frozen=True)
class Summary:
    title: str
    lines: list[str] = field(default_factory=list)


Provider = Callable[
    [Subject, datetime.date | None, datetime.date | None], Summary | None
]
PROVIDERS: list[tuple[int, Provider]] = []


def register(order: int) -> Callable[[Provider], Provider]:
    def decorator(provider: Provider) -> Provider:
        PROVIDERS.append((order, provider))
        PROVIDERS.sort(key=lambda item: item[0])
        return provider

    return decorator


def for_subject(
    subject: Subject,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[Summary]:
    return [
        s
        for _, provider in PROVIDERS
        if (s := provider(subject, since, until)) is not None
    ]


@register(10)
def category_summary(subject: Subject, since, until) -> Summary | None:
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
