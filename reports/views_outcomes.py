"""Pages for outcome measures (a child's Outcomes tab, recording and correcting an
assessment, the area's distance travelled) and the MASE monthly data snapshot.

Aggregates are for the board and coordinators: counts only, under the rounding rule
of `reports.disclosure` outside the viewer's own area. Identities only through
`cse.permissions.visible_children`, audited as a list."""

from __future__ import annotations

import datetime
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cse import audit, concurrency, permissions
from cse.csv_export import SafeWriter
from cse.dates import add_months
from cse.downloads import csv_attachment
from cse.models import AuditEvent, Child, LocalArea, User
from cse.stepup import step_up_required
from cse.views.common import open_subject, tabs_for

from . import disclosure, mase_snapshot, outcomes
from . import permissions as rules
from .forms_outcomes import AreaMonthForm, AreaPeriodForm, AssessmentForm
from .models import MaseSnapshot
from .views import _chart, behind_figure

DIRECTION_TAGS = {
    outcomes.IMPROVED: ("Improved", "govuk-tag--green"),
    outcomes.SAME: ("No change", "govuk-tag--grey"),
    outcomes.WORSE: ("Worse", "govuk-tag--red"),
}


# --- a child's Outcomes tab --------------------------------------------------------------

CHANGE_CENTRE, CHANGE_HALF = 410, 150


def change_chart(rows: list[dict]) -> dict:
    """A diverging bar per measure: right (green) towards better, left (red) towards
    worse, as a share of the measure's range. Measures not assessed twice draw no
    bar; the table beside it has every figure."""
    drawn = []
    for index, row in enumerate(r for r in rows if r["direction"]):
        width = min(abs(row["progress"]), 1) * CHANGE_HALF
        better = row["progress"] > 0
        change = row["change"]
        drawn.append(
            {
                "label": row["measure"].short,
                "y": index * 26,
                "x": CHANGE_CENTRE if better else CHANGE_CENTRE - width,
                "width": round(width, 1),
                "fill": "#00703c" if better else "#d4351c",
                "text": f"{change:+d} ({DIRECTION_TAGS[row['direction']][0].lower()})",
            }
        )
    return {
        "slug": "distance",
        "title": "Distance travelled from the baseline, by measure",
        "rows": drawn,
        "height": max(26, 26 * len(drawn)),
        "centre": CHANGE_CENTRE,
    }


@require_GET
def child_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk)
    assessments = list(rules.assessments_of(request.user, child))
    live = [a for a in assessments if not hasattr(a, "superseded_by")]
    distance = outcomes.distance_travelled(live)
    if distance:
        for row in distance["rows"]:
            row["tag"] = DIRECTION_TAGS.get(row["direction"])
    history = []
    for assessment in reversed(assessments):
        history.append(
            {
                "assessment": assessment,
                "values": [
                    (m.label, m.display(assessment.values.get(m.key)))
                    for m in outcomes.MEASURES
                    if m.key in assessment.values
                ],
                "superseded_by": getattr(assessment, "superseded_by", None),
            }
        )
    return render(
        request,
        "reports/outcomes_child.html",
        {
            "subject": child,
            "child": child,
            "tabs": tabs_for(request, child),
            "distance": distance,
            "chart": change_chart(distance["rows"]) if distance else None,
            "history": history,
            "can_add": permissions.can_add_to(request.user, child),
        },
    )


def _save(request, form: AssessmentForm, child: Child, supersedes=None):
    data = form.cleaned_data
    try:
        outcomes.record_assessment(
            by=request.user,
            child=child,
            occasion=data["occasion"],
            assessed_on=data["assessed_on"],
            values=data["values"],
            notes=data.get("notes", ""),
            plan=data.get("plan"),
            supersedes=supersedes,
            correction_reason=data.get("correction_reason", ""),
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    return True


@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk, audit_view=False)
    permissions.require(permissions.can_add_to(request.user, child))
    previous = outcomes.current(child).last()
    since = previous.assessed_on + datetime.timedelta(days=1) if previous else None
    if since is None:
        plan = child.plans.order_by("start_date").first()
        since = plan.start_date if plan else add_months(timezone.localdate(), -3)
    today = timezone.localdate()
    prefill = outcomes.missing_episodes_between(child, since, today)
    form = AssessmentForm(
        request.POST or None,
        child=child,
        initial={
            "occasion": "review" if previous else "plan_start",
            "assessed_on": today,
            "m_missing_episodes": prefill,
        },
    )
    form.fields["m_missing_episodes"].help_text = (
        f"Missing episodes recorded from {since:%d %B %Y} to today: {prefill}. "
        "Lower is better."
    )
    if request.method == "POST" and form.is_valid() and _save(request, form, child):
        messages.success(request, "Outcome measures recorded")
        return redirect("reports:child_outcomes", child.pk)
    return render(
        request,
        "reports/outcomes_form.html",
        {
            "form": form,
            "subject": child,
            "title": "Record outcome measures",
            "button": "Save the measures",
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_correct(request: HttpRequest, pk: int, assessment: int) -> HttpResponse:
    child = open_subject(request, Child, pk, audit_view=False)
    permissions.require(permissions.can_add_to(request.user, child))
    old = rules.get_assessment_or_404(request.user, child, assessment)
    # A form opened before someone else's correction gets the conflict page (what
    # they changed); only opening the form again is turned away.
    if old.is_corrected and request.method == "GET":
        messages.error(request, "That assessment has already been corrected")
        return redirect("reports:child_outcomes", child.pk)
    form = AssessmentForm(
        request.POST or None,
        child=child,
        correcting=True,
        initial=AssessmentForm.initial_from(old),
        version_of=old,
    )
    context = {
        "subject": child,
        "title": f"Correct the outcome measures of {old.assessed_on:%d %B %Y}",
        "button": "Save the correction",
    }
    if request.method == "POST" and form.is_valid():
        try:
            with concurrency.saving(form):
                # Seen at the values now in force, the correction replaces those.
                saved = _save(request, form, child, supersedes=outcomes.in_force(old))
        except concurrency.EditConflict as conflict:
            return concurrency.conflict_response(
                request,
                conflict,
                "reports/outcomes_form.html",
                context,
                subject=child,
            )
        if saved:
            messages.success(request, "Correction recorded")
            return redirect("reports:child_outcomes", child.pk)
    return render(request, "reports/outcomes_form.html", {**context, "form": form})


# --- the area's distance travelled -------------------------------------------------------


def _own_area(user: User) -> LocalArea | None:
    area_id = rules.area_of(user)
    return LocalArea.objects.filter(pk=area_id).first() if area_id else None


def _outcomes_period(request: HttpRequest):
    today = timezone.localdate()
    own = _own_area(request.user)
    initial = {
        "area": own.slug if own else "all",
        "start": add_months(today, -12),
        "end": today,
    }
    form = AreaPeriodForm(request.GET or None, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, form.local_area(), data["start"], data["end"]
    return form, own, initial["start"], initial["end"]


def _outcomes_figures(user, area, start, end) -> dict:
    """Distance travelled as this viewer may see it (`reports.disclosure`): each
    area's counts exact or rounded, several areas their sum as shown, children
    compared the sum of improved, unchanged and worse as shown, and a mean only
    when it rests on enough children outside the viewer's area."""
    rule = rules.disclosure_for(user)
    every = outcomes.aggregate_by_area(start=start, end=end)
    if area is not None:
        every = {area.pk: every.get(area.pk) or outcomes.aggregate_empty(start, end)}
    rows = []
    for index, measure in enumerate(outcomes.MEASURES):
        counts = {
            direction: disclosure.total(
                rule.figure(result["measures"][index]["counts"][direction], pk)
                for pk, result in every.items()
            )
            for direction in outcomes.DIRECTIONS
        }
        own, others = [], []
        for pk, result in every.items():
            changes = result["measures"][index]["changes"]
            (own if rule.exact_for(pk) else others).extend(changes)
        mean = rule.mean(own, others)
        rows.append(
            {
                "label": measure.label,
                "better": "Higher" if measure.better == outcomes.HIGHER else "Lower",
                "improved": counts[outcomes.IMPROVED],
                "same": counts[outcomes.SAME],
                "worse": counts[outcomes.WORSE],
                "assessed": disclosure.total(counts.values()),
                "mean_raw": "" if mean is None else mean,
                "mean_change": (
                    (
                        f"fewer than {disclosure.MEAN_MINIMUM} children"
                        if others
                        else "Not available"
                    )
                    if mean is None
                    else f"{mean:+.2f}"
                    if not others
                    else f"~{mean:+.1f}"
                ),
            }
        )
    children = {
        direction: disclosure.total(
            rule.figure(result["children"][direction], pk)
            for pk, result in every.items()
        )
        for direction in outcomes.DIRECTIONS
    }
    exact = area is not None and rule.exact_for(area.pk)
    return {
        "rows": rows,
        "children": children,
        "total": disclosure.total(children.values()),
        "disclosure_note": "" if exact else disclosure.NOTE,
    }


@require_GET
def outcomes_report(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_view_outcomes(request.user))
    form, area, start, end = _outcomes_period(request)
    result = _outcomes_figures(request.user, area, start, end)
    children = result["children"]
    chart = _chart(
        "outcomes-overall",
        "Children by overall distance travelled",
        "Overall",
        [
            ("Improved", children[outcomes.IMPROVED]),
            ("No change", children[outcomes.SAME]),
            ("Worse", children[outcomes.WORSE]),
        ],
    )
    return render(
        request,
        "reports/outcomes_report.html",
        {
            "form": form,
            "area_name": area.name if area else "All areas",
            "start": start,
            "end": end,
            "rows": result["rows"],
            "total": result["total"],
            "chart": chart,
            "disclosure_note": result["disclosure_note"],
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@step_up_required(download=True)
def outcomes_report_csv(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_view_outcomes(request.user))
    form, area, start, end = _outcomes_period(request)
    result = _outcomes_figures(request.user, area, start, end)
    stream = io.StringIO()
    writer = SafeWriter(stream)
    writer.writerow(["area", area.name if area else "All areas"])
    writer.writerow(["from", start.isoformat(), "to", end.isoformat()])
    if result["disclosure_note"]:
        writer.writerow(["note", result["disclosure_note"]])
    writer.writerow(
        ["measure", "better", "improved", "no change", "worse", "children", "mean"]
    )
    for row in result["rows"]:
        writer.writerow(
            [
                row["label"],
                row["better"],
                row["improved"],
                row["same"],
                row["worse"],
                row["assessed"],
                row["mean_raw"],
            ]
        )
    children = result["children"]
    writer.writerow(
        [
            "Overall (children)",
            "",
            children[outcomes.IMPROVED],
            children[outcomes.SAME],
            children[outcomes.WORSE],
            result["total"],
            "",
        ]
    )
    audit.record(
        by=request.user,
        action=AuditEvent.Action.EXPORT,
        summary=f"Exported outcome measures distance travelled {start} to {end}",
        detail={"area": area.slug if area else "all"},
    )
    return csv_attachment(f"outcomes-{start}-{end}.csv", stream.getvalue())


# --- the MASE monthly data snapshot ------------------------------------------------------


def _mase_choice(request: HttpRequest):
    own = _own_area(request.user)
    month = mase_snapshot.Month.before(timezone.localdate())
    initial = {
        "area": own.slug if own else "all",
        "year": month.year,
        "month": month.month,
    }
    form = AreaMonthForm(request.GET or None, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, form.local_area(), mase_snapshot.Month(data["year"], data["month"])
    return form, own, month


def _mase_figures(area: LocalArea | None, month: mase_snapshot.Month) -> dict:
    """The 12 months to `month`: live figures, and the stored snapshot where one
    exists (what was reported)."""
    months = mase_snapshot.last_months(month)
    live = mase_snapshot.compute(area, months)
    stored = {
        (s.year, s.month): s
        for s in MaseSnapshot.objects.filter(
            local_area=area, year__in={m.year for m in months}
        )
    }
    names = {a.pk: a for a in LocalArea.objects.order_by("name")}
    return {"months": months, "live": live, "stored": stored, "areas": names}


def _mase_row(rule, row: dict) -> dict:
    """One area's counts as shown; its "all cases" the sum of the three kinds of
    case as shown (`reports.disclosure`)."""
    counts = {
        key: rule.figure(row.get(key, 0), row.get("area_id"))
        for key, _ in mase_snapshot.FIGURES
    }
    counts["total"] = disclosure.total(
        counts[key] for key in ("new", "existing", "existing_out_of_borough")
    )
    return counts


def _mase_rows(stored_or_live) -> list[dict]:
    return sorted(stored_or_live, key=lambda r: r["area"])


def _mase_context(request: HttpRequest, area, month, figures) -> dict:
    user = request.user
    rule = rules.disclosure_for(user)
    follow = rules.may_follow_mase(user)

    def rows_of(m) -> list[dict]:
        saved = figures["stored"].get((m.year, m.month))
        if saved:
            return saved.figures["rows"]
        return [
            {"area_id": pk, "area": figures["areas"][pk].name, **counts}
            for pk, counts in figures["live"][m.key]["areas"].items()
        ]

    stored = figures["stored"].get((month.year, month.month))
    source_rows = _mase_rows(rows_of(month))
    area_rows = []
    shown_rows = []
    for row in source_rows:
        row_area = figures["areas"].get(row["area_id"])
        counts = _mase_row(rule, row)
        shown_rows.append(counts)
        area_rows.append(
            {
                "area": row["area"],
                "cells": [
                    {
                        "key": key,
                        "value": counts[key],
                        # A link only where the figure shown is more than 0:
                        # its presence would tell a rounded ~0 from none.
                        "follow": follow
                        and row_area is not None
                        and counts[key].value > 0,
                        "slug": row_area.slug if row_area else "",
                    }
                    for key, _ in mase_snapshot.FIGURES
                ],
            }
        )

    def summed(rows: list[dict]) -> dict:
        return {
            key: disclosure.total(row[key] for row in rows)
            for key, _ in mase_snapshot.FIGURES
        }

    trend = []
    for m in figures["months"]:
        counts = summed([_mase_row(rule, row) for row in rows_of(m)])
        trend.append(
            {
                "month": m,
                "stored": (m.year, m.month) in figures["stored"],
                "values": [counts[key] for key, _ in mase_snapshot.FIGURES],
                "counts": counts,
            }
        )
    charts = [
        _chart(
            f"mase-{key}",
            f"{label}, last 12 months",
            "Month",
            [
                (row["month"].first.strftime("%b %Y"), row["counts"][key])
                for row in trend
            ],
        )
        for key, label in mase_snapshot.FIGURES[:3]
    ]
    total = summed(shown_rows)
    exact = area is not None and rule.exact_for(area.pk)
    return {
        "area": area,
        "area_name": area.name if area else "All areas",
        "month": month,
        "figures": mase_snapshot.FIGURES,
        "area_rows": area_rows,
        "total": [total[key] for key, _ in mase_snapshot.FIGURES],
        "show_total": area is None,
        "stored": stored,
        "trend": trend,
        "charts": charts,
        "disclosure_note": "" if exact else disclosure.NOTE,
        "follow": follow,
    }


@require_GET
def mase_report(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_view(request.user))
    form, area, month = _mase_choice(request)
    context = _mase_context(request, area, month, _mase_figures(area, month))
    context.update({"form": form, "query": request.GET.urlencode()})
    return render(request, "reports/mase_snapshot.html", context)


@require_GET
@step_up_required(download=True)
def mase_report_csv(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_view(request.user))
    form, area, month = _mase_choice(request)
    context = _mase_context(request, area, month, _mase_figures(area, month))
    stream = io.StringIO()
    writer = SafeWriter(stream)
    labels = [label for _, label in mase_snapshot.FIGURES]
    writer.writerow(["MASE data snapshot", context["area_name"], month.key])
    writer.writerow(
        ["source", "stored snapshot" if context["stored"] else "live figures"]
    )
    if context["disclosure_note"]:
        writer.writerow(["note", context["disclosure_note"]])
    writer.writerow(["area", *labels])
    for row in context["area_rows"]:
        writer.writerow([row["area"], *[cell["value"] for cell in row["cells"]]])
    if context["show_total"]:
        writer.writerow(["All areas", *context["total"]])
    writer.writerow([])
    writer.writerow(["month", "stored", *labels])
    for row in context["trend"]:
        writer.writerow(
            [row["month"].key, "yes" if row["stored"] else "no", *row["values"]]
        )
    audit.record(
        by=request.user,
        action=AuditEvent.Action.EXPORT,
        summary=f"Exported the MASE data snapshot for {month.key}",
        detail={"area": area.slug if area else "all"},
    )
    return csv_attachment(f"mase-snapshot-{month.key}.csv", stream.getvalue())


@require_GET
def mase_children(
    request: HttpRequest, area: str, year: int, month: int, figure: str
) -> HttpResponse:
    """The children behind one area's figure, recomputed from the records now, and
    only those the user may see."""
    permissions.require(rules.may_follow_mase(request.user))
    local_area = get_object_or_404(LocalArea, slug=area)
    if figure not in mase_snapshot.LABELS or not 1 <= month <= 12:
        raise Http404("No such figure")
    chosen = mase_snapshot.Month(year, month)
    result = mase_snapshot.compute(local_area, [chosen])[chosen.key]
    ids = result["ids"].get(local_area.pk, {}).get(figure, set())
    children = list(
        permissions.visible_children(request.user)
        .filter(pk__in=ids)
        .order_by("surname", "forename", "pk")[:500]
    )
    audit.record_many(
        by=request.user,
        action=AuditEvent.Action.LIST,
        subjects=children,
        summary=f"Listed the children behind MASE figure {figure} for {chosen.key}",
    )
    return render(
        request,
        "reports/mase_snapshot_children.html",
        {
            "area": local_area,
            "month": chosen,
            "label": mase_snapshot.LABELS[figure],
            "children": children,
            **behind_figure(request.user, local_area.pk, len(ids), children),
        },
    )
