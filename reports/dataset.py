"""Computing the LSCB quarterly CSE dataset (seed 000 Appendix 8, seed 001 ch. 19).

Pure reads in a bounded number of queries, whatever the number of children: each
item is one streamed query (two for missing per quarter), grouped in Python. A child
belongs to its home area, or to its owning agency's area when it has none (the same
rule as the missing app's `area_id_of`).

`compute(...)` returns JSON-safe figures (counts only, no identities); with
`with_ids=True` it also returns the child ids behind each figure, which the views
intersect with `cse.permissions.visible_children` before showing anyone a list.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from cse.dates import add_months, age_on, local_day_end
from cse.models import Category, CategoryAssessment, Child, ChildPlan, LocalArea

from .models import ManualFigure, ManualItem, ReportingYear

PERIODS = ("quarter", "year_to_date")
AGE_BANDS = ("under 10", "10-13", "14-15", "16-17", "18+", "not known")
NO_SOURCE_YET = "not available: its source is not recorded in the system"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def start_moment(self) -> datetime.datetime:
        return local_day_end(self.start - datetime.timedelta(days=1))

    @property
    def end_moment(self) -> datetime.datetime:
        """The first instant after the period (Europe/London), exclusive."""
        return local_day_end(self.end)

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def quarter_period(year: int, quarter: int, start_month: int = 4) -> Period:
    start = add_months(datetime.date(year, start_month, 1), 3 * (quarter - 1))
    return Period(start, add_months(start, 3) - datetime.timedelta(days=1))


def year_to_date(year: int, quarter: int, start_month: int = 4) -> Period:
    return Period(
        datetime.date(year, start_month, 1),
        quarter_period(year, quarter, start_month).end,
    )


def quarter_ending_before(day: datetime.date, start_month: int = 4) -> tuple[int, int]:
    """The (reporting year, quarter) of the last quarter that ended before `day`."""
    previous = day - datetime.timedelta(days=1)
    months = (previous.year * 12 + previous.month - 1) - (start_month - 1)
    year, offset = divmod(months, 12)
    quarter = offset // 3 + 1
    if quarter_period(year, quarter, start_month).end != previous:
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return year, quarter


def in_area(area_id: int | None, prefix: str = "") -> Q:
    if area_id is None:
        return Q()
    return Q(**{f"{prefix}home_area_id": area_id}) | Q(
        **{
            f"{prefix}home_area__isnull": True,
            f"{prefix}owner_agency__local_area_id": area_id,
        }
    )


def child_in_area(area_id: int | None) -> Q:
    """`in_area` for a model with a `child`, as a list of the area's children
    rather than a join: over many episodes the database hashes the list once
    instead of looking up each child's episodes in turn."""
    if area_id is None:
        return Q()
    return Q(child_id__in=Child.objects.filter(in_area(area_id)).values("pk"))


def age_band(age: int | None) -> str:
    if age is None:
        return "not known"
    if age < 10:
        return "under 10"
    if age <= 13:
        return "10-13"
    if age <= 15:
        return "14-15"
    if age <= 17:
        return "16-17"
    return "18+"


# --- (i) victims -------------------------------------------------------------------------


def victims(
    area_id: int | None, periods: dict[str, Period], as_at: datetime.datetime
) -> dict[str, dict[int, dict]]:
    """{period: {child_id: profile}} for children with a category 1-3 in force at any
    time in the period. An entry is in force from its `assessed_on` until the next
    entry's (entries on one day: the later-recorded one wins the day)."""
    last_end = max(p.end for p in periods.values())
    rows = (
        CategoryAssessment.objects.filter(
            in_area(area_id, "child__"),
            assessed_on__lte=last_end,
            recorded_at__lte=as_at,
        )
        .order_by("child_id", "assessed_on", "recorded_at", "pk")
        .values_list(
            "child_id",
            "category",
            "assessed_on",
            "child__gender",
            "child__ethnicity",
            "child__legal_status",
            "child__date_of_birth",
            "child__estimated_age",
        )
    )
    found: dict[str, dict[int, dict]] = {name: {} for name in periods}
    bounds = [
        (found[name], period.start, period.end) for name, period in periods.items()
    ]
    at_risk = int(Category.AT_RISK)

    def close(child_id, spans, attrs):
        # Only the concerns (1-3) can make a victim; whether an entry is in force
        # does not depend on the others once `until` is set. The last one in force
        # is the child's category for the period.
        concerns = [span for span in spans if span[0] >= at_risk]
        if not concerns:
            return
        gender, ethnicity, legal_status, born, estimated = attrs
        looked_after = legal_status in Child.LOOKED_AFTER_STATUSES
        for out, start, end in bounds:
            category = next(
                (
                    category
                    for category, since, until in reversed(concerns)
                    if since <= end and (until is None or until > max(start, since))
                ),
                None,
            )
            if category is None:
                continue
            age = age_on(born, end) if born else estimated
            out[child_id] = {
                "category": category,
                "gender": gender,
                "ethnicity": ethnicity,
                "age_band": age_band(age),
                "looked_after": looked_after,
            }

    current, spans, attrs = None, [], None
    for child_id, category, since, *child_attrs in rows.iterator(chunk_size=5000):
        if child_id != current:
            if current is not None:
                close(current, spans, attrs)
            current, spans, attrs = child_id, [], child_attrs
        if spans:
            previous = spans[-1]
            spans[-1] = (previous[0], previous[1], since)
        spans.append((category, since, None))
    if current is not None:
        close(current, spans, attrs)
    return found


def profile(found: dict[int, dict]) -> dict:
    def tally(key, labels=None):
        counts = Counter(str(p[key]) for p in found.values())
        if labels is not None:
            return {label: counts.get(label, 0) for label in labels}
        return dict(sorted(counts.items()))

    looked_after = sum(1 for p in found.values() if p["looked_after"])
    return {
        "total": len(found),
        "by_category": tally("category", ["1", "2", "3"]),
        "by_gender": tally("gender"),
        "by_age_band": tally("age_band", AGE_BANDS),
        "by_ethnicity": tally("ethnicity"),
        "by_looked_after": {
            "looked_after": looked_after,
            "not_looked_after": len(found) - looked_after,
        },
    }


# --- (ii, iii) frequently missing --------------------------------------------------------


def frequently_missing(
    area_id: int | None, quarters: list[Period], as_at: datetime.datetime
) -> dict[Period, dict[str, set[int]]]:
    """{quarter: {"home": ids, "care": ids}}: distinct children missing from home (or
    from care) `MissingRules.frequent_count` (3) or more times within the quarter.

    Reads the missing app's episodes read-only (it offers the rule for one child,
    `missing.rules.frequently_missing`, but no area-wide query): one grouped query over
    all `quarters` at once, each episode labelled with its quarter, so the episode
    table is read once however many quarters are asked for."""
    from missing.models import MissingEpisode, MissingRules

    found = {q: {"home": set(), "care": set()} for q in quarters}
    if not quarters:
        return found
    ordered = sorted(quarters, key=lambda q: q.start)
    label = Case(
        *[
            When(
                started_at__gte=q.start_moment,
                started_at__lt=q.end_moment,
                then=Value(index),
            )
            for index, q in enumerate(ordered)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )
    span = Q()
    for q in ordered:
        span |= Q(started_at__gte=q.start_moment, started_at__lt=q.end_moment)
    rows = (
        MissingEpisode.objects.filter(
            span,
            child_in_area(area_id),
            category=MissingEpisode.Category.MISSING,
            missing_from__in=["home", "care"],
            recorded_at__lte=as_at,
        )
        .annotate(quarter_index=label)
        .values("quarter_index", "child_id", "missing_from")
        .annotate(episodes=Count("id"))
        .filter(episodes__gte=2)  # no area may set fewer than 2 (see below)
        .order_by()
    )
    # Fetched whole, not through a server-side cursor: a cursor is planned for its
    # first rows, which made this grouped query ten times slower at regional scale.
    candidates = [row for row in rows if row["quarter_index"] >= 0]
    # The children's areas (for their area's threshold), for the few candidates only:
    # joining the child in the grouped query above made it several times slower.
    # One query whatever the number of candidates: by id when they are few, else
    # every child of the area (a plain scan is cheaper than a list of 100,000 ids).
    ids = sorted({row["child_id"] for row in candidates})
    children = (
        Child.objects.filter(pk__in=ids)
        if len(ids) <= 5000
        else Child.objects.filter(in_area(area_id))
    )
    areas = {
        pk: home or owner
        for pk, home, owner in children.values_list(
            "pk", "home_area_id", "owner_agency__local_area_id"
        )
    }
    thresholds: dict[int | None, int] = {}
    for row in candidates:
        child_area = areas.get(row["child_id"])
        if child_area not in thresholds:
            thresholds[child_area] = max(
                2, MissingRules.for_area(child_area).frequent_count
            )
        if row["episodes"] >= thresholds[child_area]:
            quarter = ordered[row["quarter_index"]]
            found[quarter][row["missing_from"]].add(row["child_id"])
    return found


def quarters_of(period: Period) -> list[Period]:
    quarters, start = [], period.start
    while start <= period.end:
        quarters.append(
            Period(start, add_months(start, 3) - datetime.timedelta(days=1))
        )
        start = add_months(start, 3)
    return quarters


def reduction_percent(previous: int, current: int) -> float | None:
    """Percentage reduction against last year (negative for a rise); None when last
    year had none (a percentage of zero is undefined)."""
    if previous == 0:
        return None
    return round((previous - current) * 100 / previous, 1)


# --- (vii, viii) plans -------------------------------------------------------------------


def with_plan(kind: str, period: Period, child_ids: set[int]) -> set[int]:
    """Victims with a plan of `kind` open at any time in the period."""
    if not child_ids:
        return set()
    rows = ChildPlan.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.start),
        kind=kind,
        start_date__lte=period.end,
    ).values_list("child_id", flat=True)
    return child_ids & set(rows.iterator(chunk_size=5000))


# --- (iv) disruption ---------------------------------------------------------------------


def offenders_ids(
    area_id: int | None, period: Period, as_at: datetime.datetime | None = None
) -> dict[str, set[int]]:
    """The distinct persons disrupted and prosecuted in the area (None: all areas
    together, each person once however many areas they were disrupted in)."""
    from disruption.services import offenders_disrupted_ids

    return offenders_disrupted_ids(
        start=period.start,
        end=period.end,
        local_area_ids=None if area_id is None else [area_id],
        as_at=as_at,
    )


def offenders(area_id: int | None, period: Period, as_at=None) -> dict:
    ids = offenders_ids(area_id, period, as_at)
    return {"disrupted": len(ids["disrupted"]), "prosecuted": len(ids["prosecuted"])}


# --- (v, vi, ix, x) entered by hand ------------------------------------------------------

SUMMED_OVER_YEAR = {
    ManualItem.SOLVED_OFFENCES,
    ManualItem.OPERATIONS,
    ManualItem.TRAINING,
}


def manual(
    area_ids: list[int], year: int, quarter: int, as_at: datetime.datetime
) -> dict[str, dict]:
    """The newest entry per area, item and quarter (as at `as_at`); the quarter's value,
    and for counts the year to date as the sum of the quarters entered. None where
    nothing was entered: never a made-up zero."""
    rows = (
        ManualFigure.objects.filter(
            local_area_id__in=area_ids,
            year=year,
            quarter__lte=quarter,
            entered_at__lte=as_at,
        )
        .order_by("local_area_id", "item", "quarter", "-entered_at", "-pk")
        .values_list("local_area_id", "item", "quarter", "value")
    )
    newest: dict[tuple, int] = {}
    for area_id, item, q, value in rows:
        newest.setdefault((area_id, item, q), value)
    out = {}
    for item in ManualItem:
        this_quarter = [
            v for (a, i, q), v in newest.items() if i == item and q == quarter
        ]
        to_date = [v for (a, i, q), v in newest.items() if i == item]
        out[item.value] = {
            "quarter": sum(this_quarter) if this_quarter else None,
            "year_to_date": (
                (sum(to_date) if to_date else None)
                if item in SUMMED_OVER_YEAR
                else None
            ),
        }
    return out


# --- the whole dataset -------------------------------------------------------------------


def compute(
    *,
    area: LocalArea | None,
    year: int,
    quarter: int,
    as_at: datetime.datetime | None = None,
    with_ids: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """The dataset for one area (None: all areas together) and quarter, with the year
    to date at the quarter's end, from the records as they stood at `as_at`."""
    as_at = as_at or timezone.now()
    step = progress or (lambda percent: None)
    area_id = area.pk if area else None
    start_month = ReportingYear.start_month_for(area_id)
    periods = {
        "quarter": quarter_period(year, quarter, start_month),
        "year_to_date": year_to_date(year, quarter, start_month),
    }
    last_year = {
        "quarter": quarter_period(year - 1, quarter, start_month),
        "year_to_date": year_to_date(year - 1, quarter, start_month),
    }
    area_ids = (
        [area_id]
        if area_id
        else list(LocalArea.objects.order_by("pk").values_list("pk", flat=True))
    )
    ids: dict[str, dict[str, set[int]]] = {}
    person_ids: dict[str, dict[str, set[int]]] = {}

    found = victims(area_id, periods, as_at)
    step(30)
    by_quarter = frequently_missing(
        area_id,
        list(
            {
                q
                for p in [*periods.values(), *last_year.values()]
                for q in quarters_of(p)
            }
        ),
        as_at,
    )

    def missing_in(period: Period) -> dict[str, set[int]]:
        found = {"home": set(), "care": set()}
        for q in quarters_of(period):
            found["home"] |= by_quarter[q]["home"]
            found["care"] |= by_quarter[q]["care"]
        return found

    missing_now = {name: missing_in(p) for name, p in periods.items()}
    step(55)
    missing_then = {name: missing_in(p) for name, p in last_year.items()}
    step(75)
    figures: dict = {
        "area": area.slug if area else "all",
        "year": year,
        "quarter": quarter,
        "as_at": as_at.isoformat(),
        "periods": {name: p.as_json() for name, p in periods.items()},
        "i_victims": {},
        "ii_missing_home": {},
        "ii_missing_care": {},
        "iii_reduction_percent": {},
        "iv_offenders_disrupted": {},
        "vii_child_in_need_plan": {},
        "viii_child_protection_plan": {},
    }
    for name, period in periods.items():
        victim_ids = set(found[name])
        cin = with_plan(ChildPlan.Kind.CHILD_IN_NEED, period, victim_ids)
        cp = with_plan(ChildPlan.Kind.CHILD_PROTECTION, period, victim_ids)
        now = missing_now[name]
        then = missing_then[name]
        frequent_now = now["home"] | now["care"]
        frequent_then = then["home"] | then["care"]
        figures["i_victims"][name] = profile(found[name])
        figures["ii_missing_home"][name] = len(now["home"])
        figures["ii_missing_care"][name] = len(now["care"])
        figures["iii_reduction_percent"][name] = {
            "previous_year": len(frequent_then),
            "this_year": len(frequent_now),
            "percent": reduction_percent(len(frequent_then), len(frequent_now)),
        }
        offender_ids = offenders_ids(area_id, period, as_at)
        figures["iv_offenders_disrupted"][name] = {
            "disrupted": len(offender_ids["disrupted"]),
            "prosecuted": len(offender_ids["prosecuted"]),
        }
        figures["vii_child_in_need_plan"][name] = len(cin)
        figures["viii_child_protection_plan"][name] = len(cp)
        ids[name] = {
            "i_victims": victim_ids,
            "ii_missing_home": now["home"],
            "ii_missing_care": now["care"],
            "iii_reduction_percent": frequent_now,
            "vii_child_in_need_plan": cin,
            "viii_child_protection_plan": cp,
        }
        # Persons, not children: listed through their own view.
        person_ids[name] = {"iv_offenders_disrupted": offender_ids["disrupted"]}
    step(90)
    for item, values in manual(area_ids, year, quarter, as_at).items():
        key = {
            "v": "v_solved_offences",
            "vi": "vi_police_operations",
            "ix": "ix_training_attendance",
            "x": "x_pshe_delivery",
        }[item]
        figures[key] = values
    step(100)
    if with_ids:
        return {"figures": figures, "ids": ids, "person_ids": person_ids}
    return figures
