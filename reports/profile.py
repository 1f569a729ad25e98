"""The quarterly problem profile (seed 001 ch. 16 problem profiling, ch. 6 quarterly
assessment; seed 003 the report to the exploitation priority group): victims,
persons of interest, locations, vehicles, missing patterns, disruption, intelligence
and intelligence gaps for an area (or all areas) and a reporting quarter.

Counts only, never identities: `compute(...)` returns JSON-safe numbers and labels,
read in a fixed number of queries whatever the number of records, and the views show
them under the disclosure-control rule of `reports.disclosure`.

Area rules: a child belongs to its home area, else its owning agency's (as in the
dataset); a person of interest and a vehicle to their owning agency's area; a
location to its own area, else its owning agency's. A record counts when it was
recorded before the quarter ended. Persons' statuses are as they stand now (the
status has no history).
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from cse import audit, permissions
from cse.dates import LONDON
from cse.models import (
    Address,
    AuditEvent,
    Category,
    Child,
    Ethnicity,
    Gender,
    LocalArea,
    Location,
    PersonOfInterest,
    Role,
    Subject,
    User,
    Vehicle,
)
from cse.models import Link as SubjectLink

from . import dataset
from . import permissions as rules
from .models import ProfileGap, ReportingYear

K = Subject.Kind
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIME_BANDS = (
    ("00:00 to 05:59", 0),
    ("06:00 to 11:59", 6),
    ("12:00 to 17:59", 12),
    ("18:00 to 23:59", 18),
)
DURATION_BANDS = (
    "under 24 hours",
    "24 to 72 hours",
    "72 hours or more",
    "not returned by the quarter's end",
)


# --- who may see it ---------------------------------------------------------------------


def may_view(user: User) -> bool:
    """Partnership managers (aggregates only), CSE coordinators and police
    intelligence. Practitioners, meeting staff and response officers work with
    individual cases; the area-wide picture is for those who analyse and task."""
    return user.is_active and user.has_role(
        Role.PARTNERSHIP_MANAGER, Role.CSE_COORDINATOR, Role.POLICE_INTELLIGENCE
    )


def may_record_gaps(user: User) -> bool:
    """The analysts: coordinators and police intelligence, for their own area."""
    return (
        user.is_active
        and rules.area_of(user) is not None
        and user.has_role(Role.CSE_COORDINATOR, Role.POLICE_INTELLIGENCE)
    )


def period_for(area: LocalArea | None, year: int, quarter: int) -> dataset.Period:
    start_month = ReportingYear.start_month_for(area.pk if area else None)
    return dataset.quarter_period(year, quarter, start_month)


# --- area filters -----------------------------------------------------------------------


def _owned_in(area_id: int | None, prefix: str = "") -> Q:
    if area_id is None:
        return Q()
    return Q(**{f"{prefix}owner_agency__local_area_id": area_id})


def _location_in(area_id: int | None) -> Q:
    if area_id is None:
        return Q()
    return Q(local_area_id=area_id) | Q(
        local_area__isnull=True, owner_agency__local_area_id=area_id
    )


def _sum_by(rows, label, labels=None, key="count") -> dict[str, int]:
    """Grouped rows' counts (`key`) summed by `label(row)`, as `_tally` gives them:
    every one of `labels` in order, else the labels found, sorted, leaving out
    those with no count."""
    counts: Counter = Counter()
    for row in rows:
        if row[key]:
            counts[label(row)] += row[key]
    if labels is not None:
        return {name: counts.get(name, 0) for name in labels}
    return dict(sorted(counts.items()))


def time_band(hour: int) -> str:
    return [label for label, first in TIME_BANDS if hour >= first][-1]


def _tally(values, labels=None) -> dict[str, int]:
    counts = Counter(values)
    if labels is not None:
        return {label: counts.get(label, 0) for label in labels}
    return dict(sorted(counts.items()))


# --- the profile ------------------------------------------------------------------------


def compute(
    *,
    area: LocalArea | None,
    year: int,
    quarter: int,
    now: datetime.datetime | None = None,
) -> dict:
    """The profile's figures for one area (None: all areas) and reporting quarter."""
    now = now or timezone.now()
    area_id = area.pk if area else None
    period = period_for(area, year, quarter)
    start, end = period.start_moment, period.end_moment

    # Victims: the dataset's item (i), so the two never disagree.
    found = dataset.victims(area_id, {"quarter": period}, now)["quarter"]
    victim_ids = set(found)
    victims = dataset.profile(found)

    # The links in force at some time in the quarter. The link-based counts are
    # subqueries on them (mostly an IN list the database hashes once), so no link
    # is read into Python except the victims' links to persons of interest below.
    in_force = Q(created_at__lt=end) & (
        Q(ended_at__isnull=True) | Q(ended_at__gte=start)
    )
    links = SubjectLink.objects.filter(in_force).order_by()

    def touching(far_from: Q, far_to: Q) -> Q:
        """Records at one end of a link in force whose other end matches: far_to
        the far end when the record is the link's `from`, far_from when its `to`."""
        return Q(pk__in=links.filter(far_to).values("from_subject_id")) | Q(
            pk__in=links.filter(far_from).values("to_subject_id")
        )

    def linked_to(*models) -> Q:
        """Linked to a record of these kinds, told by their own (smaller) tables
        rather than by joining every link to the subject table."""
        far_from, far_to = Q(), Q()
        for model in models:
            far_from |= Q(from_subject_id__in=model.objects.values("pk"))
            far_to |= Q(to_subject_id__in=model.objects.values("pk"))
        return touching(far_from, far_to)

    # Victims' links to persons of interest, both ways, for the victims (a set
    # computed in Python by the dataset) with and without one: (child, person,
    # whether the person counts in this profile). Only children of the area.
    children_here = Child.objects.filter(dataset.in_area(area_id)).values("pk")
    persons_anywhere = PersonOfInterest.objects.values("pk")
    persons_here = PersonOfInterest.objects.filter(
        _owned_in(area_id), created_at__lt=end
    ).values("pk")

    def child_person(child_end: str, person_end: str):
        return links.filter(
            **{
                f"{child_end}_id__in": children_here,
                f"{person_end}_id__in": persons_anywhere,
            }
        ).values_list(
            f"{child_end}_id",
            f"{person_end}_id",
            Case(
                When(**{f"{person_end}_id__in": persons_here}, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )

    victim_links = list(
        child_person("from_subject", "to_subject").union(
            child_person("to_subject", "from_subject")
        )
    )
    with_person = {child for child, _person, _counted in victim_links}
    linked_to_victims = {
        person
        for child, person, counted in victim_links
        if counted and child in victim_ids
    }

    # Persons of interest, counted by status and area in one grouped query.
    lives_at = touching(
        Q(kind=SubjectLink.Kind.LIVES_AT), Q(kind=SubjectLink.Kind.LIVES_AT)
    )
    persons = list(
        PersonOfInterest.objects.filter(_owned_in(area_id), created_at__lt=end)
        .values("status", "owner_agency__local_area__name")
        .annotate(
            count=Count("pk"),
            no_address=Count(
                "pk",
                filter=~Exists(Address.objects.filter(subject_id=OuterRef("pk")))
                & ~lives_at,
            ),
            no_identity=Count(
                "pk",
                filter=(Q(forename="") | Q(surname="")) & Q(date_of_birth__isnull=True),
            ),
        )
        .order_by()
    )
    status_labels = dict(PersonOfInterest.Status.choices)

    # Locations and vehicles.
    hotspot = Q(is_hotspot=True) & (
        Q(hotspot_since__isnull=True) | Q(hotspot_since__lte=period.end)
    )
    locations = list(
        Location.objects.filter(_location_in(area_id), created_at__lt=end)
        .values("type", "local_area__name", "owner_agency__local_area__name")
        .annotate(
            count=Count("pk"),
            hotspots=Count("pk", filter=hotspot),
            without_person=Count("pk", filter=~linked_to(PersonOfInterest)),
        )
        .order_by()
    )
    type_labels = dict(Location.Type.choices)
    # Vehicles are few: a look-up by index for each beats a pass over every link.
    people = Q(from_subject__kind__in=[K.CHILD, K.PERSON])
    vehicle_linked = Exists(
        links.filter(to_subject_id=OuterRef("pk")).filter(people)
    ) | Exists(
        links.filter(
            from_subject_id=OuterRef("pk"), to_subject__kind__in=[K.CHILD, K.PERSON]
        )
    )
    vehicles = Vehicle.objects.filter(_owned_in(area_id), created_at__lt=end).aggregate(
        total=Count("pk"), linked=Count("pk", filter=vehicle_linked)
    )

    # Missing episodes started in the quarter, grouped by London's day of the week
    # (ISO: 1 is Monday), hour and duration band (at most 7 x 24 x 4 rows) and
    # tallied here; an episode not returned by the quarter's end is in the last band.
    from missing.models import MissingEpisode, ReturnInterview

    in_child_area = dataset.child_in_area(area_id)
    started = MissingEpisode.objects.filter(
        in_child_area,
        category=MissingEpisode.Category.MISSING,
        started_at__gte=start,
        started_at__lt=end,
    )
    grouped = (
        started.alias(
            lasted=ExpressionWrapper(
                F("returned_at") - F("started_at"), output_field=DurationField()
            )
        )
        .annotate(
            iso_day=ExtractIsoWeekDay("started_at", tzinfo=LONDON),
            hour=ExtractHour("started_at", tzinfo=LONDON),
            duration_band=Case(
                When(
                    Q(returned_at__isnull=True) | Q(returned_at__gte=end), then=Value(3)
                ),
                When(lasted__lt=datetime.timedelta(hours=24), then=Value(0)),
                When(lasted__lt=datetime.timedelta(hours=72), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .values_list("iso_day", "hour", "duration_band")
        .annotate(count=Count("pk"))
        .order_by()
    )
    by_day: Counter = Counter()
    by_time: Counter = Counter()
    by_duration: Counter = Counter()
    for iso_day, hour, band, count in grouped:
        by_day[DAYS[iso_day - 1]] += count
        by_time[time_band(hour)] += count
        by_duration[DURATION_BANDS[band]] += count
    # The counts, and the returns in the quarter with no completed interview, in one
    # pass over the episodes (with or without an interview: a left join).
    began = Q(started_at__gte=start, started_at__lt=end)
    came_back = Q(returned_at__gte=start, returned_at__lt=end)
    episodes = (
        MissingEpisode.objects.filter(
            in_child_area, category=MissingEpisode.Category.MISSING
        )
        .filter(began | came_back)
        .aggregate(
            count=Count("pk", filter=began),
            children=Count("child_id", distinct=True, filter=began),
            without_interview=Count(
                "pk", filter=came_back & Q(interview__completed_at__isnull=True)
            ),
        )
    )
    frequent = dataset.frequently_missing(area_id, [period], now)[period]

    interviews = ReturnInterview.objects.filter(
        dataset.in_area(area_id, "child__"), due_at__gte=start, due_at__lt=end
    ).aggregate(
        due=Count("pk"), in_time=Count("pk", filter=Q(completed_at__lte=F("due_at")))
    )
    # Disruption.
    from disruption.models import Cawn, CawnBreach, DisruptionTactic, IntelligenceReport

    tactics = list(
        DisruptionTactic.objects.filter(
            _owned_in(area_id, "subject__"),
            started_on__range=(period.start, period.end),
        ).values_list("tactic__name", "status")
    )
    tactic_status = dict(DisruptionTactic.Status.choices)
    cawn_area = Q() if area_id is None else Q(local_area_id=area_id)
    cawns = Cawn.objects.filter(cawn_area).aggregate(
        issued=Count("pk", filter=Q(issue_date__range=(period.start, period.end))),
        served=Count("pk", filter=Q(served_at__gte=start, served_at__lt=end)),
    )
    breaches = CawnBreach.objects.filter(
        Q() if area_id is None else Q(cawn__local_area_id=area_id),
        occurred_on__range=(period.start, period.end),
    ).aggregate(breaches=Count("pk"), notices=Count("cawn_id", distinct=True))
    offenders = dataset.offenders_ids(area_id, period)

    # Intelligence reports submitted in the quarter.
    reports = list(
        IntelligenceReport.objects.filter(
            cawn_area, submitted_at__gte=start, submitted_at__lt=end
        ).values_list("source_evaluation", "assessment", "handling_code", "status")
    )
    gradings = [f"{s}{a}{h}" if s else "Not graded" for s, a, h, _status in reports]
    actioned = sum(1 for *_g, status in reports if status == "actioned")

    category_labels = {str(c.value): c.label for c in Category if c.value}
    ethnicity_labels = dict(Ethnicity.choices)
    gender_labels = dict(Gender.choices)
    return {
        "area": area.slug if area else "all",
        "area_name": area.name if area else "All areas",
        "year": year,
        "quarter": quarter,
        "period": period.as_json(),
        "as_at": now.isoformat(),
        "victims": {
            "total": victims["total"],
            "by_category": {
                category_labels[k]: v for k, v in victims["by_category"].items()
            },
            "by_gender": {
                gender_labels.get(k, k): v for k, v in victims["by_gender"].items()
            },
            "by_age_band": victims["by_age_band"],
            "by_ethnicity": {
                ethnicity_labels.get(k, k): v
                for k, v in victims["by_ethnicity"].items()
            },
            "by_looked_after": {
                "Looked after": victims["by_looked_after"]["looked_after"],
                "Not looked after": victims["by_looked_after"]["not_looked_after"],
            },
        },
        "persons": {
            "total": sum(p["count"] for p in persons),
            "by_status": _sum_by(
                persons, lambda p: status_labels[p["status"]], status_labels.values()
            ),
            "by_area": _sum_by(persons, lambda p: p["owner_agency__local_area__name"]),
            "linked_to_victims": len(linked_to_victims),
        },
        "locations": {
            "total": sum(loc["count"] for loc in locations),
            "by_type": _sum_by(
                locations, lambda loc: type_labels[loc["type"]], type_labels.values()
            ),
            "by_area": _sum_by(
                locations,
                lambda loc: (
                    loc["local_area__name"] or loc["owner_agency__local_area__name"]
                ),
            ),
            "hotspots": sum(loc["hotspots"] for loc in locations),
            "hotspots_by_type": _sum_by(
                locations, lambda loc: type_labels[loc["type"]], key="hotspots"
            ),
        },
        "vehicles": {"total": vehicles["total"], "linked": vehicles["linked"]},
        "missing": {
            "episodes": episodes["count"],
            "children": episodes["children"],
            "frequently_missing": len(frequent["home"] | frequent["care"]),
            "by_day": {day: by_day[day] for day in DAYS},
            "by_time": {label: by_time[label] for label, _first in TIME_BANDS},
            "by_duration": {band: by_duration[band] for band in DURATION_BANDS},
            "interviews_due": interviews["due"],
            "interviews_in_time": interviews["in_time"],
        },
        "disruption": {
            "tactics": len(tactics),
            "tactics_by_type": _tally(name for name, _s in tactics),
            "tactics_by_outcome": _tally(
                (tactic_status[s] for _n, s in tactics), list(tactic_status.values())
            ),
            "cawns_issued": cawns["issued"],
            "cawns_served": cawns["served"],
            "cawn_breaches": breaches["breaches"],
            "cawns_breached": breaches["notices"],
            "offenders_disrupted": len(offenders["disrupted"]),
            "offenders_prosecuted": len(offenders["prosecuted"]),
        },
        "intelligence": {
            "reports": len(reports),
            "by_grading": _tally(gradings),
            "actioned": actioned,
            "not_actioned": len(reports) - actioned,
        },
        "gaps": {
            "victims_without_person": len(victim_ids - with_person),
            "persons_without_address": sum(p["no_address"] for p in persons),
            "persons_without_identity": sum(p["no_identity"] for p in persons),
            "locations_without_person": sum(loc["without_person"] for loc in locations),
            "episodes_without_interview": episodes["without_interview"],
        },
    }


# --- the profile as tables --------------------------------------------------------------

# (section, key, title, label heading); each breakdown is a chart with its table.
BREAKDOWNS = [
    ("victims", "by_category", "Victims by category", "Category"),
    ("victims", "by_gender", "Victims by gender", "Gender"),
    ("victims", "by_age_band", "Victims by age at the quarter's end", "Age"),
    ("victims", "by_ethnicity", "Victims by ethnicity", "Ethnicity"),
    ("victims", "by_looked_after", "Victims looked after", "Looked after"),
    ("persons", "by_status", "Persons of interest by status", "Status"),
    ("persons", "by_area", "Persons of interest by area", "Area"),
    ("locations", "by_type", "Locations by type", "Type"),
    ("locations", "by_area", "Locations by area", "Area"),
    ("locations", "hotspots_by_type", "Hotspots by type", "Type"),
    ("missing", "by_day", "Missing episodes by day of the week", "Day"),
    ("missing", "by_time", "Missing episodes by time of day", "Time"),
    ("missing", "by_duration", "Missing episodes by duration", "Duration"),
    ("disruption", "tactics_by_type", "Disruption tactics by type", "Tactic"),
    ("disruption", "tactics_by_outcome", "Disruption tactics by outcome", "Outcome"),
    ("intelligence", "by_grading", "Intelligence reports by grading", "Grading"),
]

# (section, key, label): the single figures, in the order shown.
FIGURES = [
    ("victims", "total", "CSE victims (category 1 to 3 in force in the quarter)"),
    ("persons", "total", "Persons of interest recorded"),
    ("persons", "linked_to_victims", "Persons of interest linked to a victim"),
    ("locations", "total", "Locations recorded"),
    ("locations", "hotspots", "Locations marked as hotspots"),
    ("vehicles", "total", "Vehicles recorded"),
    ("vehicles", "linked", "Vehicles linked to a child or person of interest"),
    ("missing", "episodes", "Missing episodes started in the quarter"),
    ("missing", "children", "Children missing in the quarter"),
    ("missing", "frequently_missing", "Children frequently missing (3 or more)"),
    ("missing", "interviews_due", "Return-home interviews due in the quarter"),
    ("missing", "interviews_in_time", "Return-home interviews done within 72 hours"),
    ("disruption", "tactics", "Disruption tactics started in the quarter"),
    ("disruption", "cawns_issued", "CAWNs issued"),
    ("disruption", "cawns_served", "CAWNs served"),
    ("disruption", "cawns_breached", "CAWNs breached"),
    ("disruption", "cawn_breaches", "CAWN breaches recorded"),
    ("disruption", "offenders_disrupted", "Persons of interest disrupted"),
    ("disruption", "offenders_prosecuted", "Persons of interest prosecuted"),
    ("intelligence", "reports", "Intelligence reports submitted"),
    ("intelligence", "actioned", "Intelligence reports actioned"),
    ("intelligence", "not_actioned", "Intelligence reports not yet actioned"),
    ("gaps", "victims_without_person", "Victims with no linked person of interest"),
    (
        "gaps",
        "persons_without_address",
        "Persons of interest with no known address",
    ),
    (
        "gaps",
        "persons_without_identity",
        "Persons of interest with no known identity (no full name or date of birth)",
    ),
    ("gaps", "locations_without_person", "Locations with no linked person of interest"),
    (
        "gaps",
        "episodes_without_interview",
        "Returns in the quarter with no completed return-home interview",
    ),
]

SECTIONS = {
    "victims": "Victims",
    "persons": "Persons of interest",
    "locations": "Locations",
    "vehicles": "Vehicles",
    "missing": "Missing patterns",
    "disruption": "Disruption",
    "intelligence": "Intelligence",
    "gaps": "Intelligence gaps",
}


def rows(figures: dict) -> list[tuple[str, str, str, int]]:
    """(section, measure, label, count) for every figure and breakdown, for CSV."""
    out = [
        (section, key, label, figures[section][key]) for section, key, label in FIGURES
    ]
    for section, key, title, _heading in BREAKDOWNS:
        for label, count in figures[section][key].items():
            out.append((section, key, f"{title}: {label}", count))
    return out


# --- analysts' notes of gaps ------------------------------------------------------------


def gaps_for(area: LocalArea | None, year: int, quarter: int):
    rows = ProfileGap.objects.filter(year=year, quarter=quarter).select_related(
        "local_area"
    )
    if area is not None:
        rows = rows.filter(local_area=area)
    return rows.order_by("local_area__name", "entered_at", "pk")


@transaction.atomic
def record_gap(*, by: User, year: int, quarter: int, text: str) -> ProfileGap:
    """Add an intelligence gap to the user's own area's profile for a quarter."""
    permissions.require(may_record_gaps(by))
    gap = ProfileGap.objects.create(
        local_area_id=rules.area_of(by),
        year=year,
        quarter=quarter,
        text=text.strip(),
        entered_by=by,
    )
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE,
        obj=gap,
        summary=f"Recorded an intelligence gap for the problem profile, Q{quarter} {year}",
    )
    return gap


def record_access(*, by: User, action: str, area: LocalArea | None, year, quarter):
    """Who viewed, exported or printed which area's profile for which quarter."""
    verb = {
        AuditEvent.Action.VIEW: "Viewed",
        AuditEvent.Action.EXPORT: "Exported",
        AuditEvent.Action.PRINT: "Printed",
    }[action]
    audit.record(
        by=by,
        action=action,
        summary=f"{verb} the problem profile for "
        f"{area.name if area else 'all areas'}, Q{quarter} {year}",
        detail={
            "report": "problem_profile",
            "area": area.slug if area else "all",
            "year": year,
            "quarter": quarter,
        },
    )
