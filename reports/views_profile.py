"""The problem profile, the trends dashboard and the persons behind dataset item (iv).

The profile and the dashboard show counts only, with the small-numbers rule outside
the viewer's own area; who looked at (or exported) which area and quarter is audited.
"""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cse import audit, permissions
from cse.csv_export import SafeWriter
from cse.downloads import csv_attachment, pdf_attachment
from cse.forms import Form
from cse.models import AuditEvent, LocalArea, PersonOfInterest
from cse.pdf import render_pdf
from cse.stepup import step_up_required

from . import dashboard as trends
from . import dataset, disclosure
from . import permissions as rules
from . import profile as problem
from .forms import QUARTERS, PeriodForm
from .models import ReportingYear, Snapshot
from .views import CHART_WIDTH, _chart, behind_figure, shown

# --- charts -------------------------------------------------------------------------------


def _table_chart(
    slug: str, title: str, heading: str, labels: list[str], columns, values
) -> dict:
    """A bar chart of the first column with a data table of every column. `values`
    is one dict per label of figures as shown (`reports.disclosure`)."""
    key, _heading = columns[0]
    pairs = [(label, row.get(key)) for label, row in zip(labels, values, strict=True)]
    chart = _chart(slug, title, heading, pairs)
    chart["columns"] = [h for _k, h in columns]
    for row, cells in zip(chart["rows"], values, strict=True):
        row["cells"] = [shown(cells.get(name)) for name, _h in columns]
    return chart


def _percent_base(columns) -> str:
    """The count a percentage is of: the first count column after it."""
    return columns[1][0] if len(columns) > 1 else ""


BAR = 18  # px of one bar
GROUP = 2 * BAR + 14  # px of one quarter's pair of bars and the gap after it
LEGEND = 30  # px above the first pair for the key


def _compare_chart(
    slug: str,
    title: str,
    labels: list[str],
    columns,
    area_name: str,
    area_values,
    region_values,
) -> dict:
    """The area's figures beside the region's (all areas) in every quarter: a pair of
    bars per quarter on one scale, and a data table with the region's figure next
    to each of the area's. Both as shown: the region is the sum of the areas'
    figures as the viewer may see them."""
    area = _table_chart(slug, title, "Quarter", labels, columns, area_values)
    region = _table_chart(slug, title, "Quarter", labels, columns, region_values)
    key = columns[0][0]
    numbers = [
        n
        for row in [*area_values, *region_values]
        if (n := disclosure.magnitude(row.get(key))) is not None
    ]
    top = max(numbers, default=0) or 1
    rows = []
    for index, label in enumerate(labels):
        y = LEGEND + index * GROUP
        bars = []
        for offset, (name, chart, raw, css) in enumerate(
            (
                (area_name, area, area_values[index], "area"),
                ("Region", region, region_values[index], "region"),
            )
        ):
            row = chart["rows"][index]
            number = disclosure.magnitude(raw.get(key)) or 0
            width = CHART_WIDTH * number / top
            bars.append(
                {
                    "series": name,
                    "kind": css,
                    "value": row["value"],
                    "width": width,
                    "y": y + offset * BAR,
                    "text_x": int(200 + width + 6),
                }
            )
        cells = [
            cell
            for pair in zip(
                area["rows"][index]["cells"],
                region["rows"][index]["cells"],
                strict=True,
            )
            for cell in pair
        ]
        rows.append({"label": label, "y": y, "bars": bars, "cells": cells})
    return {
        "slug": slug,
        "title": title,
        "label_heading": "Quarter",
        "area_name": area_name,
        "columns": [h for _k, h in columns],
        "span": 2 * len(columns) + 1,
        "rows": rows,
        "height": LEGEND + max(1, len(rows)) * GROUP,
    }


def _simple_chart(slug, title, heading, counts: dict) -> dict:
    return _table_chart(
        slug,
        title,
        heading,
        list(counts),
        [("n", "Number")],
        [{"n": n} for n in counts.values()],
    )


# --- problem profile ------------------------------------------------------------------------


def _profile_period(
    request: HttpRequest,
) -> tuple[PeriodForm, LocalArea | None, int, int]:
    year, quarter = dataset.quarter_ending_before(timezone.localdate())
    own = rules.area_of(request.user)
    area_slug = (
        LocalArea.objects.filter(pk=own).values_list("slug", flat=True).first()
        if own
        else None
    ) or "all"
    form = PeriodForm(
        request.GET or None,
        initial={"area": area_slug, "year": year, "quarter": quarter},
    )
    if form.is_bound and form.is_valid():
        return (
            form,
            form.local_area(),
            form.cleaned_data["year"],
            form.cleaned_data["quarter"],
        )
    area = LocalArea.objects.filter(slug=area_slug).first()
    return form, area, year, quarter


def _profile_figures(user, area, year, quarter) -> dict:
    """The profile's figures as this viewer may see them (`reports.disclosure`):
    one area's, or all areas' as the sum of each area's figures as shown."""
    rule = rules.disclosure_for(user)
    if area is not None:
        figures = problem.compute(area=area, year=year, quarter=quarter)
        counts = {key: figures[key] for key in problem.SECTIONS}
        return figures | rule.shown_tree(counts, area.pk)
    now = timezone.now()
    every = {
        each.pk: {
            key: value
            for key, value in problem.compute(
                area=each, year=year, quarter=quarter, now=now
            ).items()
            if key in problem.SECTIONS
        }
        for each in LocalArea.objects.order_by("name")
    }
    combined = rule.combine(every) or {}
    for section, key, _label in problem.FIGURES:
        combined.setdefault(section, {}).setdefault(key, disclosure.Figure(0))
    for section, key, _title, _heading in problem.BREAKDOWNS:
        combined.setdefault(section, {}).setdefault(key, {})
    return combined | {
        "area": "all",
        "area_name": "All areas",
        "year": year,
        "quarter": quarter,
        "period": problem.period_for(None, year, quarter).as_json(),
        "as_at": now.isoformat(),
    }


def _profile_context(user, area, year, quarter) -> dict:
    figures = _profile_figures(user, area, year, quarter)
    rule = rules.disclosure_for(user)
    sections = []
    for section, title in problem.SECTIONS.items():
        sections.append(
            {
                "slug": section,
                "title": title,
                "figures": [
                    (label, shown(figures[s][key]))
                    for s, key, label in problem.FIGURES
                    if s == section
                ],
                "charts": [
                    _simple_chart(
                        f"{s}-{key}".replace("_", "-"),
                        chart_title,
                        heading,
                        figures[s][key],
                    )
                    for s, key, chart_title, heading in problem.BREAKDOWNS
                    if s == section
                ],
            }
        )
    due = figures["missing"]["interviews_due"]
    in_time = figures["missing"]["interviews_in_time"]
    share = rule.percent(in_time, due, places=0)
    if share is None:
        rhi = "Not available (none due)" if not due.rounded else "Not available"
    else:
        rhi = str(share)
    return {
        "figures": figures,
        "sections": sections,
        "rhi_percent": rhi,
        "disclosure_note": _note(user, area),
        "gaps": list(problem.gaps_for(area, year, quarter)),
        "area": area,
        "year": year,
        "quarter": quarter,
    }


def _note(user, area) -> str:
    exact = rules.disclosure_for(user).exact_for(area.pk if area else None)
    return "" if exact else disclosure.NOTE


class GapForm(Form):
    year = forms.IntegerField(
        label="Reporting year (the year it starts in)", min_value=2000, max_value=2100
    )
    quarter = forms.TypedChoiceField(
        choices=QUARTERS, coerce=int, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="Intelligence gap",
        help_text="What is not known and should be. Do not name or describe anyone.",
        widget=forms.Textarea,
        max_length=2000,
    )


def _query(area, year, quarter) -> str:
    return f"?area={area.slug if area else 'all'}&year={year}&quarter={quarter}"


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    permissions.require(problem.may_view(request.user))
    form, area, year, quarter = _profile_period(request)
    context = _profile_context(request.user, area, year, quarter)
    problem.record_access(
        by=request.user,
        action=AuditEvent.Action.VIEW,
        area=area,
        year=year,
        quarter=quarter,
    )
    may_record = problem.may_record_gaps(request.user)
    return render(
        request,
        "reports/profile.html",
        context
        | {
            "form": form,
            "query": _query(area, year, quarter),
            "may_record_gaps": may_record,
            "gap_form": GapForm(initial={"year": year, "quarter": quarter})
            if may_record
            else None,
        },
    )


@require_GET
@step_up_required(download=True)
def profile_csv(request: HttpRequest) -> HttpResponse:
    permissions.require(problem.may_view(request.user))
    _form, area, year, quarter = _profile_period(request)
    figures = _profile_figures(request.user, area, year, quarter)
    stream = io.StringIO()
    writer = SafeWriter(stream)
    writer.writerow(["area", figures["area_name"], "year", year, "quarter", quarter])
    writer.writerow(
        ["from", figures["period"]["start"], "to", figures["period"]["end"]]
    )
    note = _note(request.user, area)
    if note:
        writer.writerow(["note", note])
    writer.writerow(["section", "measure", "label", "value"])
    for section, key, label, count in problem.rows(figures):
        writer.writerow([section, key, label, shown(count)])
    for gap in problem.gaps_for(area, year, quarter):
        writer.writerow(["gaps", "recorded", gap.local_area.name, gap.text])
    problem.record_access(
        by=request.user,
        action=AuditEvent.Action.EXPORT,
        area=area,
        year=year,
        quarter=quarter,
    )
    return csv_attachment(
        f"problem-profile-{figures['area']}-{year}-q{quarter}.csv", stream.getvalue()
    )


@require_GET
@step_up_required(download=True)
def profile_pdf(request: HttpRequest) -> HttpResponse:
    permissions.require(problem.may_view(request.user))
    _form, area, year, quarter = _profile_period(request)
    context = _profile_context(request.user, area, year, quarter)
    content = render_pdf("reports/pdf/profile.html", context)
    problem.record_access(
        by=request.user,
        action=AuditEvent.Action.PRINT,
        area=area,
        year=year,
        quarter=quarter,
    )
    return pdf_attachment(
        content, f"problem-profile-{context['figures']['area']}-{year}-q{quarter}.pdf"
    )


@require_POST
def profile_gap_create(request: HttpRequest) -> HttpResponse:
    permissions.require(problem.may_record_gaps(request.user))
    form = GapForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the gap, a reporting year and a quarter")
        return redirect("reports:profile")
    problem.record_gap(by=request.user, **form.cleaned_data)
    messages.success(request, "Intelligence gap recorded")
    area = LocalArea.objects.get(pk=rules.area_of(request.user))
    return redirect(
        reverse("reports:profile")
        + _query(area, form.cleaned_data["year"], form.cleaned_data["quarter"])
    )


# --- dashboard ------------------------------------------------------------------------------


class DashboardForm(Form):
    """An area (or all areas) and a range of reporting quarters."""

    area = forms.ChoiceField(label="Area")
    from_year = forms.IntegerField(
        label="From reporting year", min_value=2000, max_value=2100
    )
    from_quarter = forms.TypedChoiceField(
        label="From quarter", choices=QUARTERS, coerce=int
    )
    to_year = forms.IntegerField(
        label="To reporting year", min_value=2000, max_value=2100
    )
    to_quarter = forms.TypedChoiceField(
        label="To quarter", choices=QUARTERS, coerce=int
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("all", "All areas")] + [
            (area.slug, area.name) for area in LocalArea.objects.order_by("name")
        ]

    def clean(self):
        data = super().clean()
        first = (data.get("from_year"), data.get("from_quarter"))
        last = (data.get("to_year"), data.get("to_quarter"))
        if None not in first and None not in last:
            if first > last:
                self.add_error(
                    "to_year", "The last quarter must not be before the first"
                )
            elif (last[0] - first[0]) * 4 + last[1] - first[1] >= trends.MAX_QUARTERS:
                self.add_error(
                    "to_year",
                    f"Show at most {trends.MAX_QUARTERS} quarters at a time",
                )
        return data

    def local_area(self) -> LocalArea | None:
        slug = self.cleaned_data["area"]
        return None if slug == "all" else LocalArea.objects.get(slug=slug)


def _dashboard_figures(user, area, quarters) -> tuple[dict, dict | None]:
    """The measures as this viewer may see them (`reports.disclosure`): the chosen
    area's, and the region's beside it as the sum of every area's figures as shown
    (or, for all areas, that sum alone). Each area is computed once; percentages
    are worked out again from the figures shown."""
    rule = rules.disclosure_for(user)
    now = timezone.now()
    every = {
        each.pk: trends.compute(area=each, quarters=quarters, now=now)
        for each in LocalArea.objects.order_by("name")
    }
    combined = rule.combine(every) if every else None
    if combined is None:
        combined = {m.slug: [{} for _ in quarters] for m in trends.MEASURES}
    if area is None:
        return _with_percents(rule, combined), None
    chosen = rule.shown_tree(every[area.pk], area.pk)
    return _with_percents(rule, chosen), _with_percents(rule, combined)


def _with_percents(rule, values: dict) -> dict:
    """Each measure's percentage from its count and base as shown."""
    for measure in trends.MEASURES:
        if measure.base is None:
            continue
        share, whole = measure.columns[0][0], measure.base
        part = measure.columns[2][0]
        for row in values[measure.slug]:
            row[share] = rule.percent(row.get(part), row.get(whole))
    return values


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Trends by quarter for the viewer's area (or any area) beside the region's, or
    for all areas: counts only, for every viewer of the dataset (partnership
    managers first of all)."""
    permissions.require(rules.may_view(request.user))
    last = dataset.quarter_ending_before(timezone.localdate())
    first = (last[0] - 1, last[1] + 1) if last[1] < 4 else (last[0], 1)
    own = rules.area_of(request.user)
    own_area = LocalArea.objects.filter(pk=own).first() if own else None
    form = DashboardForm(
        request.GET or None,
        initial={
            "area": own_area.slug if own_area else "all",
            "from_year": first[0],
            "from_quarter": first[1],
            "to_year": last[0],
            "to_quarter": last[1],
        },
    )
    area = own_area
    if form.is_bound and form.is_valid():
        area = form.local_area()
        first = (form.cleaned_data["from_year"], form.cleaned_data["from_quarter"])
        last = (form.cleaned_data["to_year"], form.cleaned_data["to_quarter"])
    quarters = trends.quarters_between(area, first, last)
    values, region = _dashboard_figures(request.user, area, quarters)
    labels = [q.label for q in quarters]
    if region is None:
        charts = [
            _table_chart(
                measure.slug,
                measure.title,
                "Quarter",
                labels,
                measure.columns,
                values[measure.slug],
            )
            for measure in trends.MEASURES
        ]
    else:
        charts = [
            _compare_chart(
                measure.slug,
                measure.title,
                labels,
                measure.columns,
                area.name,
                values[measure.slug],
                region[measure.slug],
            )
            for measure in trends.MEASURES
        ]
    audit.record(
        by=request.user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed the dashboard for {area.name if area else 'all areas'}",
        detail={
            "report": "dashboard",
            "area": area.slug if area else "all",
            "region": region is not None,
            "from": list(first),
            "to": list(last),
        },
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "area_name": area.name if area else "All areas",
            "with_region": region is not None,
            "quarters": quarters,
            "charts": charts,
            "disclosure_note": _note(request.user, area)
            if region is None
            else (disclosure.NOTE),
        },
    )


# --- the persons behind dataset item (iv) ---------------------------------------------------


@require_GET
def figure_persons(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    """The persons of interest behind "offenders disrupted", recomputed for the
    snapshot's area and period, and only those the user may see."""
    permissions.require(rules.sees_identities(request.user))
    permissions.require(rules.may_view(request.user))
    snapshot = get_object_or_404(Snapshot.objects.select_related("local_area"), pk=pk)
    if period not in dataset.PERIODS:
        raise Http404("No such figure")
    start_month = ReportingYear.start_month_for(snapshot.local_area_id)
    span = (
        dataset.quarter_period(snapshot.year, snapshot.quarter, start_month)
        if period == "quarter"
        else dataset.year_to_date(snapshot.year, snapshot.quarter, start_month)
    )
    ids = dataset.offenders_ids(snapshot.local_area_id, span, snapshot.as_at)[
        "disrupted"
    ]
    persons = list(
        permissions.visible(request.user, PersonOfInterest)
        .filter(pk__in=ids)
        .order_by("surname", "forename", "pk")[:500]
    )
    audit.record_many(
        by=request.user,
        action=AuditEvent.Action.LIST,
        subjects=persons,
        summary="Listed the persons behind dataset figure iv_offenders_disrupted",
    )
    return render(
        request,
        "reports/profile_figure_persons.html",
        {
            "snapshot": snapshot,
            "period": period,
            "persons": persons,
            **behind_figure(request.user, snapshot.local_area_id, len(ids), persons),
        },
    )
