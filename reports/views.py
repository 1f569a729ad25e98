"""The LSCB quarterly dataset: choose a period, compute snapshots, read the figures,
their definitions and (for users allowed to see children) the children behind them."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cse import audit, permissions
from cse.downloads import csv_attachment, pdf_attachment
from cse.models import AuditEvent
from cse.pdf import render_pdf
from cse.stepup import step_up_required

from . import dataset, export, services
from . import permissions as rules
from .forms import ManualFigureForm, PeriodForm
from .models import ManualFigure, Snapshot

FEWER_THAN_5 = "fewer than 5"


def shown(value, suppress: bool):
    """A count as it may be shown: None is "not entered", 1-4 outside the viewer's area
    is "fewer than 5"."""
    if value is None:
        return "Not available"
    if suppress and isinstance(value, int) and 1 <= value <= 4:
        return FEWER_THAN_5
    return value


def _snapshot_for(request: HttpRequest, pk: int) -> Snapshot:
    permissions.require(rules.may_view(request.user))
    return get_object_or_404(Snapshot.objects.select_related("local_area"), pk=pk)


def _default_period() -> dict:
    year, quarter = dataset.quarter_ending_before(timezone.localdate())
    return {"area": "all", "year": year, "quarter": quarter}


@require_GET
def dataset_index(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_view(request.user))
    form = PeriodForm(request.GET or None, initial=_default_period())
    snapshots = Snapshot.objects.select_related("local_area", "requested_by")
    if form.is_bound and form.is_valid():
        snapshots = snapshots.filter(
            local_area=form.local_area(),
            year=form.cleaned_data["year"],
            quarter=form.cleaned_data["quarter"],
        )
    return render(
        request,
        "reports/dataset_index.html",
        {
            "form": form,
            "snapshots": snapshots[:50],
            "may_run": rules.may_run(request.user),
            "may_enter": rules.may_enter(request.user),
        },
    )


@require_POST
def snapshot_create(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_run(request.user))
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an area, a reporting year and a quarter")
        return redirect("reports:dataset")
    snapshot = services.request_snapshot(
        by=request.user,
        area=form.local_area(),
        year=form.cleaned_data["year"],
        quarter=form.cleaned_data["quarter"],
    )
    messages.success(request, "The dataset is being computed")
    return redirect("reports:snapshot_detail", snapshot.pk)


def _rows(snapshot: Snapshot, suppress: bool, published: Snapshot | None) -> list:
    figures = snapshot.figures
    before = (
        {row[:3]: row[3] for row in export.rows(published.figures)}
        if published and published.pk != snapshot.pk
        else None
    )
    changed = set()
    if before is not None:
        changed = {
            row[0]
            for row in export.rows(figures)
            if before.get(row[:3], row[3]) != row[3]
        }
    table = []
    for key, label in export.ITEMS:
        cells = []
        for period in dataset.PERIODS:
            value = figures.get(key, {}).get(period)
            if key == "i_victims":
                value = shown((value or {}).get("total"), suppress)
            elif key == "iii_reduction_percent":
                percent = (value or {}).get("percent")
                value = "Not available" if percent is None else f"{percent}%"
            elif key == "iv_offenders_disrupted":
                value = (
                    "Not available"
                    if value is None
                    else f"{shown(value['disrupted'], suppress)} disrupted, "
                    f"{shown(value['prosecuted'], suppress)} prosecuted"
                )
            else:
                value = shown(value, suppress)
            cells.append({"period": period, "value": value})
        table.append(
            {
                "key": key,
                "label": label,
                "cells": cells,
                "listable": key in export.LISTABLE,
                "changed": key in changed,
            }
        )
    return table


def _breakdowns(snapshot: Snapshot, suppress: bool) -> list:
    victims = snapshot.figures.get("i_victims", {})
    out = []
    names = {
        "by_category": "Category at period end",
        "by_gender": "Gender",
        "by_age_band": "Age at period end",
        "by_ethnicity": "Ethnicity",
        "by_looked_after": "Looked after",
    }
    for breakdown, title in names.items():
        keys = []
        for period in dataset.PERIODS:
            for name in (victims.get(period) or {}).get(breakdown, {}):
                if name not in keys:
                    keys.append(name)
        out.append(
            {
                "title": title,
                "rows": [
                    {
                        "name": name,
                        "values": [
                            shown(
                                (victims.get(period) or {})
                                .get(breakdown, {})
                                .get(name, 0),
                                suppress,
                            )
                            for period in dataset.PERIODS
                        ],
                    }
                    for name in keys
                ],
            }
        )
    return out


CHART_WIDTH = 380  # px of the 640 viewBox left for the longest bar


def _chart(slug: str, title: str, heading: str, pairs, suppress: bool) -> dict:
    """A bar chart's geometry. A suppressed count draws no bar (its length would
    give the number away)."""
    numbers = [n for _, n in pairs if isinstance(n, int | float) and n is not None]
    top = max(numbers, default=0) or 1
    rows = []
    for index, (label, number) in enumerate(pairs):
        value = shown(number, suppress)
        width = 0
        if isinstance(value, int | float) and not isinstance(value, bool):
            width = CHART_WIDTH * value / top
        rows.append(
            {
                "label": label,
                "value": value,
                "width": width,
                "y": index * 26,
                "text_x": int(200 + width + 6),
            }
        )
    return {
        "slug": slug,
        "title": title,
        "label_heading": heading,
        "rows": rows,
        "height": max(26, 26 * len(rows)),
    }


def _charts(snapshot: Snapshot, suppress: bool) -> list[dict]:
    figures = snapshot.figures
    victims = (figures.get("i_victims") or {}).get("year_to_date") or {}
    reduction = figures.get("iii_reduction_percent") or {}
    missing = []
    for period, name in (("quarter", "quarter"), ("year_to_date", "year to date")):
        values = reduction.get(period) or {}
        missing += [
            (f"Last year, {name}", values.get("previous_year")),
            (f"This year, {name}", values.get("this_year")),
        ]
    return [
        _chart(
            "category",
            "CSE victims by category, year to date",
            "Category",
            [
                (f"Category {c}", (victims.get("by_category") or {}).get(c, 0))
                for c in ("1", "2", "3")
            ],
            suppress,
        ),
        _chart(
            "age",
            "CSE victims by age at period end, year to date",
            "Age",
            list((victims.get("by_age_band") or {}).items()),
            suppress,
        ),
        _chart(
            "missing",
            "Frequently missing young people, this year and last",
            "Period",
            missing,
            suppress,
        ),
    ]


@require_GET
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot_for(request, pk)
    suppress = rules.suppress_small(request.user, snapshot.local_area)
    runs = Snapshot.objects.filter(
        local_area=snapshot.local_area, year=snapshot.year, quarter=snapshot.quarter
    ).order_by("requested_at", "pk")
    published = runs.filter(
        trigger=Snapshot.Trigger.SCHEDULED, status=Snapshot.Status.DONE
    ).first()
    done = snapshot.status == Snapshot.Status.DONE
    return render(
        request,
        "reports/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "done": done,
            "rows": _rows(snapshot, suppress, published) if done else [],
            "breakdowns": _breakdowns(snapshot, suppress) if done else [],
            "charts": _charts(snapshot, suppress) if done else [],
            "suppress": suppress,
            "published": published,
            "runs": runs,
            "sees_identities": rules.sees_identities(request.user),
            "may_run": rules.may_run(request.user),
            "periods": dataset.PERIODS,
        },
    )


@require_GET
@step_up_required
def snapshot_csv(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot_for(request, pk)
    if snapshot.status != Snapshot.Status.DONE:
        raise Http404("Not computed yet")
    suppress = rules.suppress_small(request.user, snapshot.local_area)
    figures = snapshot.figures
    stream = io.StringIO()
    writer_rows = [
        (item, period, measure, shown(value, suppress) if value != "" else "")
        for item, period, measure, value in export.rows(figures)
    ]
    from cse.csv_export import SafeWriter

    writer = SafeWriter(stream)
    writer.writerow(["area", snapshot.area_name, "year", snapshot.year])
    writer.writerow(["quarter", snapshot.quarter, "as_at", snapshot.as_at.isoformat()])
    writer.writerow(["item", "period", "measure", "value"])
    writer.writerows(writer_rows)
    audit.record(
        by=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=snapshot,
        summary=f"Exported the quarterly dataset (snapshot {snapshot.pk}) as CSV",
    )
    return csv_attachment(
        f"lscb-dataset-{snapshot.year}-q{snapshot.quarter}-{snapshot.pk}.csv",
        stream.getvalue(),
    )


@require_GET
@step_up_required
def snapshot_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The board's PDF: the figures, the profile and the charts; never identities."""
    snapshot = _snapshot_for(request, pk)
    if snapshot.status != Snapshot.Status.DONE:
        raise Http404("Not computed yet")
    suppress = rules.suppress_small(request.user, snapshot.local_area)
    content = render_pdf(
        "reports/pdf/dataset.html",
        {
            "snapshot": snapshot,
            "rows": _rows(snapshot, suppress, None),
            "breakdowns": _breakdowns(snapshot, suppress),
            "charts": _charts(snapshot, suppress),
            "suppress": suppress,
            "definitions": export.DEFINITIONS,
        },
    )
    audit.record(
        by=request.user,
        action=AuditEvent.Action.PRINT,
        obj=snapshot,
        summary=f"Printed the quarterly dataset (snapshot {snapshot.pk})",
    )
    return pdf_attachment(
        content, f"lscb-dataset-{snapshot.year}-q{snapshot.quarter}-{snapshot.pk}.pdf"
    )


@require_GET
def figure_children(
    request: HttpRequest, pk: int, item: str, period: str
) -> HttpResponse:
    """The children behind a figure, recomputed from the records as they stood at the
    snapshot's time, and only those the user may see."""
    permissions.require(rules.sees_identities(request.user))
    snapshot = _snapshot_for(request, pk)
    if item not in export.LISTABLE or period not in dataset.PERIODS:
        raise Http404("No such figure")
    result = dataset.compute(
        area=snapshot.local_area,
        year=snapshot.year,
        quarter=snapshot.quarter,
        as_at=snapshot.as_at,
        with_ids=True,
    )
    ids = result["ids"][period][item]
    children = (
        permissions.visible_children(request.user)
        .filter(pk__in=ids)
        .order_by("surname", "forename", "pk")
    )
    children = list(children[:500])
    audit.record_many(
        by=request.user,
        action=AuditEvent.Action.LIST,
        subjects=children,
        summary=f"Listed the children behind dataset figure {item}",
    )
    return render(
        request,
        "reports/figure_children.html",
        {
            "snapshot": snapshot,
            "label": export.LABELS[item],
            "period": period,
            "children": children,
            "total": len(ids),
            "hidden": len(ids) - len(children),
        },
    )


@require_GET
def definitions(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_view(request.user))
    items = [
        {
            "key": key,
            "label": label,
            "appendix": export.APPENDIX_8[key],
            "definition": export.DEFINITIONS[key],
        }
        for key, label in export.ITEMS
    ]
    return render(request, "reports/definitions.html", {"items": items})


@require_http_methods(["GET", "POST"])
def manual_entry(request: HttpRequest) -> HttpResponse:
    items = rules.items_user_may_enter(request.user)
    permissions.require(bool(items))
    form = ManualFigureForm(
        request.POST or None, items=items, initial=_default_period()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_manual_figure(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Figure saved")
            return redirect("reports:manual_entry")
    entries = ManualFigure.objects.filter(
        local_area_id=rules.area_of(request.user), item__in=items
    ).select_related("entered_by")[:50]
    return render(
        request,
        "reports/manual_entry.html",
        {"form": form, "entries": entries, "back": reverse("reports:dataset")},
    )
