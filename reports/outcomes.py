"""Outcome measures for children at risk of exploitation and the distance they travel.

The measures are the list of seed 000 Appendix 9 ("Measuring impact of service
provision on outcomes for young people"), with the long-term outcomes of seed 001
ch. 19 (Barnardo's framework, l.1501) that Appendix 9 does not already name: regular
contact with the service and offending. Seed 001 (l.711) asks for the distance
travelled to be evaluated when the child's plan is reviewed, so the lead professional
records them at the plan's start (the baseline) and at each review.

Distance travelled for a child is the change from the first current assessment (the
baseline) to the latest, measure by measure, judged by the direction that is better
for that measure; overall, a child has improved when more measures improved than
worsened. Superseded assessments (corrected by a newer one) never count.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cse import audit, permissions
from cse import services as core
from cse.dates import local_day_end
from cse.models import AuditEvent, Child, ChildPlan, LocalArea, User

from .dataset import in_area
from .models import OutcomeAssessment

SCALE, YES_NO, COUNT, PERCENT = "scale", "yes_no", "count", "percent"
HIGHER, LOWER = "higher", "lower"
IMPROVED, SAME, WORSE = "improved", "same", "worse"
DIRECTIONS = (IMPROVED, SAME, WORSE)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # as the seed words it
    short: str  # for charts and narrow tables
    kind: str
    better: str
    low: int = 0
    high: int | None = None
    low_means: str = ""
    high_means: str = ""
    source: str = "Appendix 9"

    @property
    def hint(self) -> str:
        if self.kind == SCALE:
            return (
                f"{self.low} = {self.low_means}, {self.high} = {self.high_means}. "
                f"{'Higher' if self.better == HIGHER else 'Lower'} is better."
            )
        if self.kind == YES_NO:
            return f"{'Yes' if self.better == HIGHER else 'No'} is better."
        if self.kind == PERCENT:
            return "A percentage, 0 to 100. Higher is better."
        return f"A number. {'Higher' if self.better == HIGHER else 'Lower'} is better."

    @property
    def span(self) -> int | None:
        return None if self.high is None else self.high - self.low

    def validate(self, value) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{self.short}: enter a whole number")
        top = self.high
        if value < self.low or (top is not None and value > top):
            raise ValidationError(
                f"{self.short}: enter a value from {self.low}"
                + (f" to {top}" if top is not None else " upwards")
            )
        return value

    def display(self, value: int | None) -> str:
        if value is None:
            return "Not assessed"
        if self.kind == YES_NO:
            return "Yes" if value else "No"
        if self.kind == PERCENT:
            return f"{value}%"
        return str(value)

    def direction(self, before: int, after: int) -> str:
        if after == before:
            return SAME
        return IMPROVED if (after > before) == (self.better == HIGHER) else WORSE


MEASURES: list[Measure] = [
    Measure(
        "awareness_of_risk",
        "Increased awareness of risk/exploitative behaviour",
        "Awareness of risk",
        SCALE,
        HIGHER,
        1,
        5,
        "no awareness",
        "recognises risk and exploitative behaviour",
    ),
    Measure(
        "education_attendance",
        "Re-engaged in appropriate education provision/improving school attendance",
        "Education attendance",
        PERCENT,
        HIGHER,
        0,
        100,
    ),
    Measure(
        "missing_episodes",
        "Reduction in \u201cmissing\u201d episodes",
        "Missing episodes",
        COUNT,
        LOWER,
    ),
    Measure(
        "abusive_contact",
        "Reduction in contact (frequency and duration) with coercive/abusive "
        "individuals/peers",
        "Contact with abusive people",
        SCALE,
        LOWER,
        1,
        5,
        "no contact",
        "daily or prolonged contact",
    ),
    Measure(
        "sexual_health",
        "Increased knowledge of positive sexual health behaviours",
        "Sexual health knowledge",
        SCALE,
        HIGHER,
        1,
        5,
        "no knowledge",
        "good knowledge, used",
    ),
    Measure(
        "positive_activities",
        "Engagement (or increased engagement) in positive social/ recreational "
        "activities",
        "Positive activities",
        SCALE,
        HIGHER,
        1,
        5,
        "none",
        "regular and sustained",
    ),
    Measure(
        "family_relationships",
        "Improvement in family relationships",
        "Family relationships",
        SCALE,
        HIGHER,
        1,
        5,
        "broken down",
        "positive and supportive",
    ),
    Measure(
        "stable_accommodation",
        "Living in stable and secure accommodation",
        "Stable accommodation",
        YES_NO,
        HIGHER,
        0,
        1,
    ),
    Measure(
        "safety_strategies",
        "Improving knowledge of safety strategies",
        "Safety strategies",
        SCALE,
        HIGHER,
        1,
        5,
        "none",
        "knows and uses them",
    ),
    Measure(
        "self_esteem",
        "Increased self-esteem (self-report: measured pre and post intervention)",
        "Self-esteem (self-report)",
        SCALE,
        HIGHER,
        1,
        10,
        "very low",
        "very high",
    ),
    Measure(
        "perpetrators_disrupted",
        "Disruption of perpetrators",
        "Perpetrators disrupted",
        YES_NO,
        HIGHER,
        0,
        1,
    ),
    Measure(
        "perpetrators_investigated",
        "Investigation of perpetrators",
        "Perpetrators investigated",
        YES_NO,
        HIGHER,
        0,
        1,
    ),
    Measure(
        "parental_awareness",
        "Increased parental awareness of risk/protective behaviours",
        "Parental awareness",
        SCALE,
        HIGHER,
        1,
        5,
        "no awareness",
        "aware and protective",
    ),
    Measure(
        "substance_misuse",
        "Reduction in young person\u2019s substance misuse",
        "Substance misuse",
        SCALE,
        LOWER,
        1,
        5,
        "none",
        "daily or dependent use",
    ),
    Measure(
        "engagement_with_services",
        "Encouraging the child to remain in regular contact with the service",
        "Engagement with services",
        SCALE,
        HIGHER,
        1,
        5,
        "no contact",
        "regular, willing contact",
        source="Long-term outcomes (framework ch. 19)",
    ),
    Measure(
        "offending",
        "Offences the young person committed in the period",
        "Offending",
        COUNT,
        LOWER,
        source="Long-term outcomes (framework ch. 19)",
    ),
]
BY_KEY = {m.key: m for m in MEASURES}


# --- one child ---------------------------------------------------------------------------


def current(child: Child):
    """A child's assessments that are not superseded, oldest first."""
    return OutcomeAssessment.objects.filter(
        child=child, superseded_by__isnull=True
    ).order_by("assessed_on", "recorded_at", "pk")


def corrections_of(assessment: OutcomeAssessment) -> list[OutcomeAssessment]:
    """The assessment and the corrections that followed it, oldest first."""
    chain = [assessment]
    while True:
        following = OutcomeAssessment.objects.filter(supersedes=chain[-1]).first()
        if following is None or len(chain) > 100:
            return chain
        chain.append(following)


def in_force(assessment: OutcomeAssessment) -> OutcomeAssessment:
    """What an assessment now reads as: its latest correction, or itself."""
    return corrections_of(assessment)[-1]


def _change_rows(baseline: dict, latest: dict) -> list[dict]:
    rows = []
    for measure in MEASURES:
        before, after = baseline.get(measure.key), latest.get(measure.key)
        row = {
            "measure": measure,
            "baseline": measure.display(before),
            "latest": measure.display(after),
            "change": None,
            "direction": None,
            "progress": 0.0,  # -1..1 towards "better", for the chart
        }
        if before is not None and after is not None:
            row["change"] = after - before
            row["direction"] = measure.direction(before, after)
            span = measure.span or max(abs(before), abs(after), 1)
            gain = (after - before) / span
            row["progress"] = gain if measure.better == HIGHER else -gain
        rows.append(row)
    return rows


def overall(directions: list[str | None]) -> str | None:
    """A child improved overall when more measures improved than worsened."""
    counted = [d for d in directions if d]
    if not counted:
        return None
    net = counted.count(IMPROVED) - counted.count(WORSE)
    return IMPROVED if net > 0 else WORSE if net < 0 else SAME


def distance_travelled(assessments: list[OutcomeAssessment]) -> dict | None:
    """Baseline to latest for one child's current assessments (oldest first)."""
    if not assessments:
        return None
    baseline, latest = assessments[0], assessments[-1]
    rows = _change_rows(baseline.values, latest.values)
    directions = [r["direction"] for r in rows]
    return {
        "baseline": baseline,
        "latest": latest,
        "rows": rows,
        "counts": {d: directions.count(d) for d in DIRECTIONS},
        "overall": overall(directions) if latest.pk != baseline.pk else None,
    }


def missing_episodes_between(
    child: Child, since: datetime.date | None, until: datetime.date
) -> int:
    """Missing (not absent) episodes that started in the period, UK days inclusive:
    the prefill for the "missing episodes" measure."""
    from missing.models import MissingEpisode

    episodes = MissingEpisode.objects.filter(
        child=child,
        category=MissingEpisode.Category.MISSING,
        started_at__lt=local_day_end(until),
    )
    if since is not None:
        episodes = episodes.filter(
            started_at__gte=local_day_end(since - datetime.timedelta(days=1))
        )
    return episodes.count()


# --- writes ------------------------------------------------------------------------------


def clean_values(values: dict) -> dict:
    cleaned = {}
    for key, value in values.items():
        if key not in BY_KEY:
            raise ValidationError(f"Unknown measure {key}")
        if value is None or value == "":
            continue
        cleaned[key] = BY_KEY[key].validate(value)
    if not cleaned:
        raise ValidationError("Record at least one measure")
    return cleaned


@transaction.atomic
def record_assessment(
    *,
    by: User,
    child: Child,
    occasion: str,
    assessed_on: datetime.date,
    values: dict,
    notes: str = "",
    plan: ChildPlan | None = None,
    supersedes: OutcomeAssessment | None = None,
    correction_reason: str = "",
) -> OutcomeAssessment:
    """Record a child's outcome measures, or correct an earlier recording by a new
    one that supersedes it (the old one stays, marked as superseded). The lead
    professional's agency must be able to see the child and record."""
    permissions.require(permissions.can_add_to(by, child))
    if occasion not in OutcomeAssessment.Occasion.values:
        raise ValidationError("Choose when the measures were taken")
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The date cannot be in the future"})
    if plan is not None and plan.child_id != child.pk:
        raise ValidationError({"plan": "Choose one of this child's plans"})
    if supersedes is not None:
        locked = (
            OutcomeAssessment.objects.select_for_update()
            .filter(pk=supersedes.pk, child=child)
            .first()
        )
        if (
            locked is None
            or OutcomeAssessment.objects.filter(supersedes=locked).exists()
        ):
            raise ValidationError("That assessment has already been corrected")
        if not correction_reason.strip():
            raise ValidationError(
                {"correction_reason": "Say why the assessment is being corrected"}
            )
    assessment = OutcomeAssessment.objects.create(
        child=child,
        plan=plan,
        occasion=occasion,
        assessed_on=assessed_on,
        values=clean_values(values),
        notes=notes,
        supersedes=supersedes,
        correction_reason=correction_reason.strip(),
        agency_id=by.agency_id,
        recorded_by=by,
    )
    title = (
        f"Outcome measures of {assessed_on:%d/%m/%Y} corrected"
        if supersedes
        else f"Outcome measures recorded ({assessment.get_occasion_display().lower()})"
    )
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE,
        obj=assessment,
        subject=child,
        summary=title,
        detail={
            "values": assessment.values,
            "supersedes": supersedes.pk if supersedes else None,
        },
    )
    core.add_chronology_entry(
        subject=child,
        occurred_at=local_day_end(assessed_on) - datetime.timedelta(hours=12),
        kind="outcome_measures",
        title=title,
        description=correction_reason.strip(),
        by=by,
        source=assessment,
    )
    return assessment


# --- the area's aggregate ----------------------------------------------------------------


def aggregate(
    *, area: LocalArea | None, start: datetime.date, end: datetime.date
) -> dict:
    """Distance travelled for the children of an area (None: all areas) reviewed in
    the period: those whose latest current assessment on or before `end` is dated in
    the period and is not their baseline. Per measure, how many improved, stayed the
    same or worsened and the mean change; overall, how many children improved. One
    query, whatever the number of children."""
    rows = (
        OutcomeAssessment.objects.filter(
            in_area(area.pk if area else None, "child__"),
            superseded_by__isnull=True,
            assessed_on__lte=end,
        )
        .order_by("child_id", "assessed_on", "recorded_at", "pk")
        .values_list("child_id", "assessed_on", "values")
    )
    per_child: dict[int, list[tuple]] = defaultdict(list)
    for child_id, day, values in rows.iterator(chunk_size=2000):
        per_child[child_id].append((day, values))
    return _distance(per_child, start, end)


def aggregate_by_area(*, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """`aggregate` for each area at once ({area id: result}), a child in their home
    area, else their owning agency's (as `in_area` places them); children in no
    area are left out. One query."""
    rows = (
        OutcomeAssessment.objects.filter(
            superseded_by__isnull=True, assessed_on__lte=end
        )
        .order_by("child_id", "assessed_on", "recorded_at", "pk")
        .values_list(
            "child_id",
            "assessed_on",
            "values",
            "child__home_area_id",
            "child__owner_agency__local_area_id",
        )
    )
    by_area: dict[int, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for child_id, day, values, home, owner in rows.iterator(chunk_size=2000):
        if home or owner:
            by_area[home or owner][child_id].append((day, values))
    return {pk: _distance(children, start, end) for pk, children in by_area.items()}


def aggregate_empty(start: datetime.date, end: datetime.date) -> dict:
    """`aggregate` for an area with no children compared."""
    return _distance({}, start, end)


def _distance(per_child: dict[int, list[tuple]], start, end) -> dict:
    measures = {
        m.key: {"counts": dict.fromkeys(DIRECTIONS, 0), "changes": []} for m in MEASURES
    }
    children = dict.fromkeys(DIRECTIONS, 0)
    ids: dict[str, set[int]] = {d: set() for d in DIRECTIONS}
    for child_id, found in per_child.items():
        if len(found) < 2 or not start <= found[-1][0] <= end:
            continue
        changed = _change_rows(found[0][1], found[-1][1])
        for row in changed:
            if row["direction"]:
                bucket = measures[row["measure"].key]
                bucket["counts"][row["direction"]] += 1
                bucket["changes"].append(row["change"])
        result = overall([r["direction"] for r in changed])
        if result:
            children[result] += 1
            ids[result].add(child_id)
    out = []
    for measure in MEASURES:
        bucket = measures[measure.key]
        changes = bucket["changes"]
        out.append(
            {
                "key": measure.key,
                "label": measure.label,
                "better": measure.better,
                "kind": measure.kind,
                "counts": bucket["counts"],
                "assessed": len(changes),
                "changes": changes,
                "mean_change": (
                    round(sum(changes) / len(changes), 2) if changes else None
                ),
            }
        )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "children": children,
        "total": sum(children.values()),
        "measures": out,
        "ids": ids,
    }
