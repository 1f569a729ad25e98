"""The trends dashboard: measures by reporting quarter for an area (or all areas),
computed from the records as they stand.

Each measure reads its records for the whole range of quarters at once (one grouped
query labelled by quarter, or one query bucketed in Python), so the number of
queries does not grow with the number of quarters shown. Counts only.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from cse.dates import LONDON, add_working_days
from cse.models import LocalArea

from . import dataset
from .models import ReportingYear

MAX_QUARTERS = 12


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int
    period: dataset.Period

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}/{(self.year + 1) % 100:02d}"


def quarters_between(
    area: LocalArea | None, first: tuple[int, int], last: tuple[int, int]
) -> list[Quarter]:
    """The reporting quarters from `first` to `last` (year, quarter) inclusive."""
    start_month = ReportingYear.start_month_for(area.pk if area else None)
    out = []
    year, quarter = first
    while (year, quarter) <= last and len(out) < MAX_QUARTERS:
        out.append(
            Quarter(year, quarter, dataset.quarter_period(year, quarter, start_month))
        )
        year, quarter = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    return out


def _label(field: str, quarters: list[Quarter], moments: bool) -> Case:
    whens = []
    for index, q in enumerate(quarters):
        if moments:
            when = {
                f"{field}__gte": q.period.start_moment,
                f"{field}__lt": q.period.end_moment,
            }
        else:
            when = {f"{field}__range": (q.period.start, q.period.end)}
        whens.append(When(**when, then=Value(index)))
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def by_quarter(
    queryset: QuerySet,
    field: str,
    quarters: list[Quarter],
    *,
    moments: bool = True,
    **aggregates,
) -> list[dict]:
    """One grouped query: the aggregates (default: a count) of rows whose `field`
    falls in each quarter, as a list in the quarters' order."""
    aggregates = aggregates or {"count": Count("pk")}
    first, last = quarters[0].period, quarters[-1].period
    span = (
        {f"{field}__gte": first.start_moment, f"{field}__lt": last.end_moment}
        if moments
        else {f"{field}__range": (first.start, last.end)}
    )
    rows = (
        queryset.filter(**span)
        .annotate(quarter_index=_label(field, quarters, moments))
        .values("quarter_index")
        .annotate(**aggregates)
        .order_by()
    )
    found = {row["quarter_index"]: row for row in rows}
    return [
        {name: found.get(i, {}).get(name, 0) for name in aggregates}
        for i in range(len(quarters))
    ]


def _area_q(area_id: int | None, field: str) -> Q:
    return Q() if area_id is None else Q(**{field: area_id})


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- the measures -----------------------------------------------------------------------


def victims_by_category(area_id, quarters, now) -> list[dict]:
    found = dataset.victims(
        area_id, {str(i): q.period for i, q in enumerate(quarters)}, now
    )
    out = []
    for i in range(len(quarters)):
        # Only the total and the categories: the rest of `dataset.profile`'s
        # tallies are not shown here.
        counts = Counter(str(p["category"]) for p in found[str(i)].values())
        out.append(
            {"total": len(found[str(i)])}
            | {category: counts.get(category, 0) for category in ("1", "2", "3")}
        )
    return out


def new_screenings(area_id, quarters, now) -> list[dict]:
    """Screenings submitted in the quarter; a correction is not a new screening."""
    from screening.models import Screening

    return by_quarter(
        Screening.objects.filter(
            dataset.in_area(area_id, "child__"),
            status=Screening.Status.SUBMITTED,
            supersedes__isnull=True,
        ),
        "submitted_at",
        quarters,
    )


def missing_episodes(area_id, quarters, now) -> list[dict]:
    from missing.models import MissingEpisode

    return by_quarter(
        MissingEpisode.objects.filter(
            dataset.child_in_area(area_id),
            category=MissingEpisode.Category.MISSING,
        ),
        "started_at",
        quarters,
    )


def frequently_missing(area_id, quarters, now) -> list[dict]:
    found = dataset.frequently_missing(area_id, [q.period for q in quarters], now)
    return [
        {"count": len(found[q.period]["home"] | found[q.period]["care"])}
        for q in quarters
    ]


def interviews_in_time(area_id, quarters, now) -> list[dict]:
    """Return-home interviews due in the quarter and how many were completed within
    the 72 hours."""
    from missing.models import ReturnInterview

    rows = by_quarter(
        ReturnInterview.objects.filter(dataset.in_area(area_id, "child__")),
        "due_at",
        quarters,
        due=Count("pk"),
        in_time=Count("pk", filter=Q(completed_at__lte=F("due_at"))),
    )
    return [row | {"percent": percent(row["in_time"], row["due"])} for row in rows]


def cawns(area_id, quarters, now) -> list[dict]:
    from disruption.models import Cawn, CawnBreach

    issued = by_quarter(
        Cawn.objects.filter(_area_q(area_id, "local_area_id")),
        "issue_date",
        quarters,
        moments=False,
    )
    breached = by_quarter(
        CawnBreach.objects.filter(_area_q(area_id, "cawn__local_area_id")),
        "occurred_on",
        quarters,
        moments=False,
        notices=Count("cawn_id", distinct=True),
    )
    return [
        {"issued": i["count"], "breached": b["notices"]}
        for i, b in zip(issued, breached, strict=True)
    ]


def disruptions(area_id, quarters, now) -> list[dict]:
    """Distinct persons of interest disrupted and prosecuted in each quarter, from
    the disruption app's events for the whole range."""
    from disruption.services import disruption_events

    events = disruption_events(
        start=quarters[0].period.start,
        end=quarters[-1].period.end,
        local_area_ids=None if area_id is None else [area_id],
    )
    out = []
    for q in quarters:
        inside = [e for e in events if q.period.start <= e[1] <= q.period.end]
        out.append(
            {
                "disrupted": len({person for person, _d, _p in inside}),
                "prosecuted": len({person for person, _d, p in inside if p}),
            }
        )
    return out


def meeting_actions(area_id, quarters, now) -> list[dict]:
    """Actions open at each quarter's end (created before it, not closed by it), and
    of those the ones past their due date. One query."""
    from meetings.models import Action

    aggregates = {}
    for i, q in enumerate(quarters):
        end = q.period.end_moment
        still_open = Q(created_at__lt=end) & (
            Q(closed_at__isnull=True) | Q(closed_at__gte=end)
        )
        aggregates[f"open_{i}"] = Count("pk", filter=still_open)
        aggregates[f"overdue_{i}"] = Count(
            "pk", filter=still_open & Q(due_on__lte=q.period.end)
        )
    got = Action.objects.filter(
        _area_q(area_id, "meeting__local_area_id"),
        created_at__lt=quarters[-1].period.end_moment,
    ).aggregate(**aggregates)
    return [
        {"open": got[f"open_{i}"], "overdue": got[f"overdue_{i}"]}
        for i in range(len(quarters))
    ]


def meetings_on_time(area_id, quarters, now) -> list[dict]:
    """For meetings held in the quarter: agendas circulated by their deadline and
    minutes approved by theirs (working days, bank holidays excluded, as the meetings
    app computes them). A meeting whose deadline has not passed and whose agenda or
    minutes are not out yet is not counted either way."""
    from meetings.models import Meeting

    meetings = Meeting.objects.filter(
        _area_q(area_id, "local_area_id"),
        starts_at__gte=quarters[0].period.start_moment,
        starts_at__lt=min(quarters[-1].period.end_moment, now),
    ).values_list(
        "starts_at",
        "circulated_at",
        "minutes_approved_at",
        "meeting_type__circulation_lead_days",
        "meeting_type__minutes_deadline_days",
    )
    today = now.astimezone(LONDON).date()
    out = [
        {"agendas": 0, "agendas_on_time": 0, "minutes": 0, "minutes_on_time": 0}
        for _ in quarters
    ]
    # The deadlines as `Meeting.circulation_deadline` and `Meeting.minutes_due`
    # give them, worked out once for each day and number of working days.
    deadlines: dict[tuple[datetime.date, int], datetime.date] = {}

    def working_days_from(day: datetime.date, days: int) -> datetime.date:
        if (day, days) not in deadlines:
            deadlines[day, days] = add_working_days(day, days)
        return deadlines[day, days]

    bounds = [(q.period.start_moment, q.period.end_moment) for q in quarters]
    for starts_at, sent, approved, lead_days, minutes_days in meetings:
        index = next(
            i for i, (first, end) in enumerate(bounds) if first <= starts_at < end
        )
        row = out[index]
        day = starts_at.astimezone(LONDON).date()
        deadline = working_days_from(day, -lead_days)
        if sent or deadline < today:
            row["agendas"] += 1
            if sent and sent.astimezone(LONDON).date() <= deadline:
                row["agendas_on_time"] += 1
        due = working_days_from(day, minutes_days)
        if approved or due < today:
            row["minutes"] += 1
            if approved and approved.astimezone(LONDON).date() <= due:
                row["minutes_on_time"] += 1
    for row in out:
        row["agendas_percent"] = percent(row["agendas_on_time"], row["agendas"])
        row["minutes_percent"] = percent(row["minutes_on_time"], row["minutes"])
    return out


@dataclass(frozen=True)
class Measure:
    slug: str
    title: str
    compute: Callable
    # (key, column heading); the first is drawn as the bar.
    columns: tuple[tuple[str, str], ...]
    # The key whose count the small-numbers rule applies to for percentages.
    base: str | None = None


MEASURES = [
    Measure(
        "victims",
        "CSE victims by category",
        victims_by_category,
        (
            ("total", "Victims"),
            ("1", "Category 1"),
            ("2", "Category 2"),
            ("3", "Category 3"),
        ),
    ),
    Measure("screenings", "New screenings", new_screenings, (("count", "Screenings"),)),
    Measure("missing", "Missing episodes", missing_episodes, (("count", "Episodes"),)),
    Measure(
        "frequent",
        "Children frequently missing (3 or more times in the quarter)",
        frequently_missing,
        (("count", "Children"),),
    ),
    Measure(
        "rhi",
        "Return-home interviews completed within 72 hours",
        interviews_in_time,
        (("percent", "Per cent"), ("due", "Due"), ("in_time", "Within 72 hours")),
        base="due",
    ),
    Measure("cawns_issued", "CAWNs issued", cawns, (("issued", "Issued"),)),
    Measure("cawns_breached", "CAWNs breached", cawns, (("breached", "Breached"),)),
    Measure(
        "disruptions",
        "Persons of interest disrupted",
        disruptions,
        (("disrupted", "Disrupted"), ("prosecuted", "Prosecuted")),
    ),
    Measure(
        "actions",
        "Meeting actions open at the end of the quarter",
        meeting_actions,
        (("open", "Open"), ("overdue", "Overdue")),
    ),
    Measure(
        "agendas",
        "Agendas circulated by their deadline",
        meetings_on_time,
        (
            ("agendas_percent", "Per cent"),
            ("agendas", "Meetings"),
            ("agendas_on_time", "On time"),
        ),
        base="agendas",
    ),
    Measure(
        "minutes",
        "Minutes approved within their deadline",
        meetings_on_time,
        (
            ("minutes_percent", "Per cent"),
            ("minutes", "Meetings"),
            ("minutes_on_time", "On time"),
        ),
        base="minutes",
    ),
]


def compute(
    *,
    area: LocalArea | None,
    quarters: list[Quarter],
    now: datetime.datetime | None = None,
) -> dict[str, list[dict]]:
    """{measure slug: [values per quarter]}; a function serving two measures (CAWNs,
    meetings) runs once."""
    now = now or timezone.now()
    area_id = area.pk if area else None
    done: dict[Callable, list[dict]] = {}
    out = {}
    if not quarters:
        return {m.slug: [] for m in MEASURES}
    for measure in MEASURES:
        if measure.compute not in done:
            done[measure.compute] = measure.compute(area_id, quarters, now)
        out[measure.slug] = done[measure.compute]
    return out
