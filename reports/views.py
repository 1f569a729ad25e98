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

from . import dataset, disclosure, export, services
from . import permissions as rules
from .forms import ManualFigureForm, PeriodForm
from .models import ManualFigure, Snapshot


def shown(value):
    """A figure as it is printed: the rule's `Figure` or `Share` (see
    `reports.disclosure`), or "Not available" for nothing."""
    return disclosure.NOT_AVAILABLE if value is None or value == "" else value


def shown_figures(user, snapshot: Snapshot) -> dict:
    """The snapshot's figures as this viewer may see them: their own area's exact,
    another area's rounded, all areas the sum of the areas' figures as shown (an
    all-areas snapshot keeps each area's figures for that; one computed before it
    did has no figures to show)."""
    rule = rules.disclosure_for(user)
    figures = snapshot.figures
    if snapshot.local_area_id is not None:
        shown_tree = rule.shown_tree(figures, snapshot.local_area_id)
    else:
        by_area = figures.get("by_area") or {}
        shown_tree = rule.combine(
            {int(pk): area_figures for pk, area_figures in by_area.items()}
        ) or {key: {} for key, _ in export.ITEMS}
    shown_tree = {
        key: value for key, value in shown_tree.items() if key in dict(export.ITEMS)
    }
    for period, values in (shown_tree.get("iii_reduction_percent") or {}).items():
        if not values:
            continue
        before, now = values.get("previous_year"), values.get("this_year")
        percent = None
        if before is not None and now is not None:
            percent = dataset.reduction_percent(before.value, now.value)
        values["percent"] = (
            None
            if percent is None
            else disclosure.Share(percent, rounded=before.rounded or now.rounded)
        )
        shown_tree["iii_reduction_percent"][period] = values
    return shown_tree


def _note(user, area_id: int | None) -> str:
    """The rounding note, for a page or export that shows another area's figures."""
    exact = rules.disclosure_for(user).exact_for(area_id)
    return "" if exact else disclosure.NOTE


def behind_figure(user, area_id: int | None, total: int, listed: list) -> dict:
    """How many are behind a figure, for the page that lists them: exactly in the
    viewer's own area; elsewhere (or over several areas) no number at all, since
    the exact count, or the count left unlisted, would undo the rounding."""
    if not rules.disclosure_for(user).exact_for(area_id):
        return {"total": None, "hidden": None}
    return {"total": total, "hidden": total - len(listed)}


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


def _rows(figures: dict, published: dict | None) -> list:
    """The table of items by period; `published` (the figures of the published run,
    as shown) marks the items that differ from it."""
    before = (
        {row[:3]: str(row[3]) for row in export.rows(published)}
        if published is not None
        else None
    )
    changed = set()
    if before is not None:
        changed = {
            row[0]
            for row in export.rows(figures)
            if before.get(row[:3], str(row[3])) != str(row[3])
        }
    table = []
    for key, label in export.ITEMS:
        cells = []
        for period in dataset.PERIODS:
            value = figures.get(key, {}).get(period)
            if key == "i_victims":
                value = shown((value or {}).get("total"))
            elif key == "iii_reduction_percent":
                value = shown((value or {}).get("percent"))
            elif key == "iv_offenders_disrupted":
                value = (
                    disclosure.NOT_AVAILABLE
                    if not value
                    else f"{shown(value['disrupted'])} disrupted, "
                    f"{shown(value['prosecuted'])} prosecuted"
                )
            else:
                value = shown(value)
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


def _breakdowns(figures: dict) -> list:
    victims = figures.get("i_victims", {})
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
                                (victims.get(period) or {}).get(breakdown, {}).get(name)
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


def _chart(slug: str, title: str, heading: str, pairs) -> dict:
    """A bar chart's geometry, drawn from the figures as shown (a rounded figure's
    bar is as long as its rounded value)."""
    numbers = [disclosure.magnitude(n) for _, n in pairs]
    top = max((n for n in numbers if n is not None), default=0) or 1
    rows = []
    for index, ((label, value), number) in enumerate(zip(pairs, numbers, strict=True)):
        value = shown(value)
        width = 0
        if number:
            width = CHART_WIDTH * number / top
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


def _charts(figures: dict) -> list[dict]:
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
                (f"Category {c}", (victims.get("by_category") or {}).get(c))
                for c in ("1", "2", "3")
            ],
        ),
        _chart(
            "age",
            "CSE victims by age at period end, year to date",
            "Age",
            list((victims.get("by_age_band") or {}).items()),
        ),
        _chart(
            "missing",
            "Frequently missing young people, this year and last",
            "Period",
            missing,
        ),
    ]


@require_GET
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot_for(request, pk)
    runs = Snapshot.objects.filter(
        local_area=snapshot.local_area, year=snapshot.year, quarter=snapshot.quarter
    ).order_by("requested_at", "pk")
    published = runs.filter(
        trigger=Snapshot.Trigger.SCHEDULED, status=Snapshot.Status.DONE
    ).first()
    done = snapshot.status == Snapshot.Status.DONE
    figures = shown_figures(request.user, snapshot) if done else {}
    before = (
        shown_figures(request.user, published)
        if done and published and published.pk != snapshot.pk
        else None
    )
    return render(
        request,
        "reports/snapshot_detail.html",
        {
            "snapshot": snapshot,
            "done": done,
            "rows": _rows(figures, before) if done else [],
            "breakdowns": _breakdowns(figures) if done else [],
            "charts": _charts(figures) if done else [],
            "disclosure_note": _note(request.user, snapshot.local_area_id),
            "published": published,
            "runs": runs,
            "sees_identities": rules.sees_identities(request.user),
            "may_run": rules.may_run(request.user),
            "periods": dataset.PERIODS,
        },
    )


@require_GET
@step_up_required(download=True)
def snapshot_csv(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot_for(request, pk)
    if snapshot.status != Snapshot.Status.DONE:
        raise Http404("Not computed yet")
    figures = shown_figures(request.user, snapshot)
    stream = io.StringIO()
    writer_rows = [
        (item, period, measure, "" if value is None else value)
        for item, period, measure, value in export.rows(figures)
    ]
    from cse.csv_export import SafeWriter

    writer = SafeWriter(stream)
    writer.writerow(["area", snapshot.area_name, "year", snapshot.year])
    writer.writerow(["quarter", snapshot.quarter, "as_at", snapshot.as_at.isoformat()])
    note = _note(request.user, snapshot.local_area_id)
    if note:
        writer.writerow(["note", note])
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
@step_up_required(download=True)
def snapshot_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The board's PDF: the figures, the profile and the charts; never identities."""
    snapshot = _snapshot_for(request, pk)
    if snapshot.status != Snapshot.Status.DONE:
        raise Http404("Not computed yet")
    figures = shown_figures(request.user, snapshot)
    content = render_pdf(
        "reports/pdf/dataset.html",
        {
            "snapshot": snapshot,
            "rows": _rows(figures, None),
            "breakdowns": _breakdowns(figures),
            "charts": _charts(figures),
            "disclosure_note": _note(request.user, snapshot.local_area_id),
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
            **behind_figure(request.user, snapshot.local_area_id, len(ids), children),
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
