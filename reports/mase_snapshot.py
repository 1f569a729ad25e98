"""The MASE monthly data snapshot (seed 004, MASE terms of reference: "Provide a data
snapshot for the previous month", with new cases, existing cases and existing cases
out of borough for each borough, reported to the LSCB CSE sub-group).

A child is a case of an area's MASE in a month when, in that month (UK time), they
were on the agenda of a meeting of the area whose type is a MASE, or were referred to
the area's MASE (a referral not declined or withdrawn).

* New: not on the area's MASE list before the month: no earlier MASE agenda item or
  referral, or discharged (discharge or no further action) at their latest meeting
  before the month.
* Existing: on the list before the month and not discharged since.
* Out of borough: placed out of the area by it, placed into the area by another
  authority, or belonging to another area (home area, else owning agency's area).
  The placement is the one recorded now: a stored snapshot keeps it as it was.

Counted per area; "all areas" is the sum of the areas (a child discussed by two
areas' MASEs is a case of each). Pure reads in four queries for any number of months.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from cse.dates import add_months, local_day_end
from cse.models import Child, Forum, LocalArea, Referral, Subject

from .models import MaseSnapshot

FIGURES = [
    ("new", "New cases"),
    ("existing", "Existing cases"),
    ("existing_out_of_borough", "Existing cases out of borough"),
    ("total", "All cases"),
    ("new_out_of_borough", "New cases out of borough (included in new cases)"),
]
LABELS = dict(FIGURES)
NOT_REFERRED = (Referral.Status.DECLINED, Referral.Status.WITHDRAWN)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return add_months(self.first, 1) - datetime.timedelta(days=1)

    @property
    def start_moment(self) -> datetime.datetime:
        return local_day_end(self.first - datetime.timedelta(days=1))

    @property
    def end_moment(self) -> datetime.datetime:
        return local_day_end(self.last)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return self.first.strftime("%B %Y")

    def shift(self, months: int) -> Month:
        day = add_months(self.first, months)
        return Month(day.year, day.month)

    @classmethod
    def before(cls, day: datetime.date) -> Month:
        """The last month that has ended before `day`."""
        return cls(day.year, day.month).shift(-1)


def last_months(end: Month, count: int = 12) -> list[Month]:
    return [end.shift(-offset) for offset in range(count - 1, -1, -1)]


def empty() -> dict:
    return {key: 0 for key, _ in FIGURES}


def _events(area_id: int | None, until: datetime.datetime):
    """(area, child) -> involvement moments and discharge moments before `until`."""
    from meetings.models import AgendaItem, Decision

    involved: dict[tuple, list] = defaultdict(list)
    discharged: dict[tuple, list] = defaultdict(list)
    area_q = {"meeting__local_area_id": area_id} if area_id else {}
    items = AgendaItem.objects.filter(
        meeting__meeting_type__forum=Forum.MASE,
        subject__kind=Subject.Kind.CHILD,
        meeting__starts_at__lt=until,
        **area_q,
    ).values_list("meeting__local_area_id", "subject_id", "meeting__starts_at")
    for area, child, when in items.iterator(chunk_size=5000):
        involved[area, child].append((when, "meeting"))
    referrals = (
        Referral.objects.filter(
            forum=Forum.MASE,
            subject__kind=Subject.Kind.CHILD,
            referred_at__lt=until,
            **({"local_area_id": area_id} if area_id else {}),
        )
        .exclude(status__in=NOT_REFERRED)
        .values_list("local_area_id", "subject_id", "referred_at")
    )
    for area, child, when in referrals.iterator(chunk_size=5000):
        involved[area, child].append((when, "referral"))
    decisions = Decision.objects.filter(
        outcome__in=Decision.REMOVES,
        item__meeting__meeting_type__forum=Forum.MASE,
        item__subject__kind=Subject.Kind.CHILD,
        item__meeting__starts_at__lt=until,
        **{f"item__{k}": v for k, v in area_q.items()},
    ).values_list(
        "item__meeting__local_area_id", "item__subject_id", "item__meeting__starts_at"
    )
    for area, child, when in decisions.iterator(chunk_size=5000):
        discharged[area, child].append(when)
    return involved, discharged


def compute(area: LocalArea | None, months: list[Month]) -> dict:
    """{month key: {"areas": {area id: counts}, "total": counts, "ids": {area id:
    {figure: set of child ids}}}} for each month."""
    months = sorted(months, key=lambda m: m.first)
    area_id = area.pk if area else None
    involved, discharged = _events(area_id, months[-1].end_moment)
    # Each (area, child) once: its moments sorted, each month it was involved in
    # found by bisection, so the work grows with the records, not records x months.
    bounds = [(month.key, month.start_moment, month.end_moment) for month in months]
    cohorts: dict[str, dict[tuple, bool]] = {month.key: {} for month in months}
    for key, moments in involved.items():
        times = sorted(w for w, _ in moments)
        ends = sorted(discharged.get(key, ()))
        for month_key, start, end in bounds:
            first = bisect_left(times, start)
            if first == len(times) or times[first] >= end:
                continue
            # times[first - 1] is the latest involvement before the month.
            last_end = bisect_left(ends, start)
            cohorts[month_key][key] = first > 0 and (
                last_end == 0 or times[first - 1] > ends[last_end - 1]
            )
    child_ids = {child for cohort in cohorts.values() for _, child in cohort}
    away = {}
    ordered = sorted(child_ids)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        for pk, placement, home, owner in Child.objects.filter(
            pk__in=chunk
        ).values_list("pk", "placement", "home_area_id", "owner_agency__local_area_id"):
            away[pk] = (placement, home or owner)
    out = {}
    for month in months:
        areas: dict[int, dict] = {}
        ids: dict[int, dict[str, set]] = {}
        for (case_area, child), existing in cohorts[month.key].items():
            placement, child_area = away.get(child, (Child.Placement.NOT_PLACED, None))
            out_of_borough = (
                placement != Child.Placement.NOT_PLACED or child_area != case_area
            )
            counts = areas.setdefault(case_area, empty())
            found = ids.setdefault(case_area, {key: set() for key, _ in FIGURES})
            if existing:
                figure = "existing_out_of_borough" if out_of_borough else "existing"
            else:
                figure = "new"
                if out_of_borough:
                    counts["new_out_of_borough"] += 1
                    found["new_out_of_borough"].add(child)
            counts[figure] += 1
            counts["total"] += 1
            found[figure].add(child)
            found["total"].add(child)
        total = empty()
        for counts in areas.values():
            for key in total:
                total[key] += counts[key]
        out[month.key] = {"areas": areas, "total": total, "ids": ids}
    return out


def as_json(area: LocalArea | None, month: Month, result: dict) -> dict:
    names = dict(LocalArea.objects.values_list("pk", "name"))
    return {
        "area": area.slug if area else "all",
        "month": month.key,
        "rows": [
            {"area_id": pk, "area": names.get(pk, ""), **counts}
            for pk, counts in sorted(
                result["areas"].items(), key=lambda kv: names.get(kv[0], "")
            )
        ],
        "total": result["total"],
    }


def store_month(area: LocalArea | None, month: Month) -> MaseSnapshot | None:
    """Store a month's figures once (a second call for the same month does nothing)."""
    if MaseSnapshot.objects.filter(
        local_area=area, year=month.year, month=month.month
    ).exists():
        return None
    figures = as_json(area, month, compute(area, [month])[month.key])
    try:
        with transaction.atomic():
            return MaseSnapshot.objects.create(
                local_area=area,
                year=month.year,
                month=month.month,
                figures=figures,
            )
    except IntegrityError:
        return None


def store_previous_month(today: datetime.date | None = None) -> int:
    """The monthly job: the month just ended, for every area and for all areas.
    Run daily, it stores them on the 1st and catches up if a day was missed."""
    month = Month.before(today or timezone.localdate())
    made = 0
    for area in [None, *LocalArea.objects.order_by("pk")]:
        if store_month(area, month):
            made += 1
    return made
