"""The CSE delivery plan: plans, objectives, actions, progress and ratings, and the
board's CSV and PDF. Access rules are in reports.permissions."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cse import audit, concurrency, permissions
from cse.csv_export import SafeWriter
from cse.downloads import csv_attachment, pdf_attachment
from cse.models import AuditEvent
from cse.pdf import render_pdf
from cse.stepup import step_up_required

from . import delivery_plan as plans
from . import permissions as rules
from .forms_delivery import (
    ActionForm,
    EvidenceForm,
    FilterForm,
    ImportForm,
    ObjectiveForm,
    PlanForm,
    RagForm,
    SubObjectiveForm,
)
from .models import DeliveryObjective, DeliveryPlan, DeliverySubObjective, Rag


def _form_page(request, form, *, title: str, back: str, button: str, **extra):
    return render(
        request,
        "reports/delivery_form.html",
        {"form": form, "title": title, "back": back, "button": button, **extra},
    )


def _conflict_page(request, conflict, *, title: str, back: str, button: str, **extra):
    """The form page again for a save from an overtaken form (cse.concurrency)."""
    return concurrency.conflict_response(
        request,
        conflict,
        "reports/delivery_form.html",
        {"title": title, "back": back, "button": button, **extra},
        subject=None,
    )


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
def delivery_index(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_read_plans(request.user))
    return render(
        request,
        "reports/delivery_index.html",
        {
            "plans": rules.visible_plans(request.user),
            "may_create": rules.may_create_plan(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def delivery_plan_create(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_create_plan(request.user))
    form = PlanForm(
        request.POST or None, areas=rules.areas_user_may_plan_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.create_plan(
                by=request.user,
                local_area=form.local_area(),
                title=form.cleaned_data["title"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Plan created: now add its objectives")
            return redirect("reports:delivery_plan_detail", plan.pk)
    return _form_page(
        request,
        form,
        title="Create a delivery plan",
        back=reverse("reports:delivery_index"),
        button="Create plan",
    )


@require_http_methods(["GET", "POST"])
def delivery_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = rules.get_plan_or_404(request.user, pk)
    rules.require_manage_plan(request.user, plan)
    form = PlanForm(
        request.POST or None,
        areas=[],
        initial={
            "title": plan.title,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
        },
        version_of=plan,
    )
    page = {
        "title": f"Change the plan: {plan.title}",
        "back": reverse("reports:delivery_plan_detail", args=[plan.pk]),
        "button": "Save",
    }
    if request.method == "POST" and form.is_valid():
        try:
            with concurrency.saving(form):
                plans.update_plan(by=request.user, plan=plan, **form.cleaned_data)
        except concurrency.EditConflict as conflict:
            return _conflict_page(request, conflict, **page)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Plan saved")
            return redirect("reports:delivery_plan_detail", plan.pk)
    return _form_page(request, form, **page)


@require_GET
def delivery_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as the board reads it: counts per objective, then every action under
    its objective and sub-objective, with filters."""
    plan = rules.get_plan_or_404(request.user, pk)
    today = timezone.localdate()
    objectives = list(plan.objectives.prefetch_related("sub_objectives"))
    actions = plans.plan_actions(plan)
    counts, total = plans.summary(objectives, actions, today)
    form = FilterForm(request.GET or None, plan=plan, objectives=objectives)
    filters = form.filters()
    shown = plans.filtered(actions, today=today, **filters)
    narrowed = any(value for name, value in filters.items() if name != "order")
    groups = []
    for objective in objectives:
        rows = [a for a in shown if a.objective_id == objective.pk]
        if rows or not narrowed:
            groups.append({"objective": objective, "actions": rows})
    return render(
        request,
        "reports/delivery_plan_detail.html",
        {
            "plan": plan,
            "today": today,
            "counts": counts,
            "total": total,
            "rags": Rag.choices,
            "groups": groups,
            "shown": len(shown),
            "filtered": narrowed,
            "form": form,
            "may_manage": rules.may_manage_plan(request.user, plan),
            "query": request.GET.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
def delivery_objective_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = rules.get_plan_or_404(request.user, pk)
    rules.require_manage_plan(request.user, plan)
    next_number = (max((o.number for o in plan.objectives.all()), default=0)) + 1
    return _objective_page(request, plan, None, {"number": next_number})


@require_http_methods(["GET", "POST"])
def delivery_objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    objective = rules.get_objective_or_404(request.user, pk)
    rules.require_manage_plan(request.user, objective.plan)
    initial = {
        "number": objective.number,
        "title": objective.title,
        "description": objective.description,
    }
    return _objective_page(request, objective.plan, objective, initial)


def _objective_page(request, plan: DeliveryPlan, objective, initial) -> HttpResponse:
    form = ObjectiveForm(request.POST or None, initial=initial, version_of=objective)
    page = {
        "title": "Change the objective" if objective else "Add an objective",
        "back": reverse("reports:delivery_plan_detail", args=[plan.pk]),
        "button": "Save objective",
    }
    if request.method == "POST" and form.is_valid():

        def save() -> None:
            plans.save_objective(
                by=request.user, plan=plan, objective=objective, **form.cleaned_data
            )

        try:
            _saving(form, save)
        except concurrency.EditConflict as conflict:
            return _conflict_page(request, conflict, **page)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Objective saved")
            return redirect("reports:delivery_plan_detail", plan.pk)
    return _form_page(request, form, **page)


def _saving(form, save) -> None:
    """Save a change through its version check; an addition has none to check."""
    if form.version_of is None:
        save()
        return
    with concurrency.saving(form):
        save()


@require_http_methods(["GET", "POST"])
def delivery_sub_objective_create(request: HttpRequest, pk: int) -> HttpResponse:
    objective = rules.get_objective_or_404(request.user, pk)
    rules.require_manage_plan(request.user, objective.plan)
    numbers = [s.number for s in objective.sub_objectives.all()]
    return _sub_objective_page(
        request, objective, None, {"number": max(numbers, default=0) + 1}
    )


@require_http_methods(["GET", "POST"])
def delivery_sub_objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(rules.may_read_plans(request.user))
    sub = (
        DeliverySubObjective.objects.select_related("objective__plan__local_area")
        .filter(pk=pk, objective__plan__in=rules.visible_plans(request.user))
        .first()
    )
    if sub is None:
        raise Http404("No such sub-objective")
    rules.require_manage_plan(request.user, sub.objective.plan)
    return _sub_objective_page(
        request, sub.objective, sub, {"number": sub.number, "text": sub.text}
    )


def _sub_objective_page(
    request, objective: DeliveryObjective, sub, initial
) -> HttpResponse:
    form = SubObjectiveForm(request.POST or None, initial=initial, version_of=sub)
    page = {
        "title": f"{'Change a' if sub else 'Add a'} sub-objective of objective "
        f"{objective.number}",
        "back": reverse("reports:delivery_plan_detail", args=[objective.plan_id]),
        "button": "Save sub-objective",
    }
    if request.method == "POST" and form.is_valid():

        def save() -> None:
            plans.save_sub_objective(
                by=request.user,
                objective=objective,
                sub_objective=sub,
                **form.cleaned_data,
            )

        try:
            _saving(form, save)
        except concurrency.EditConflict as conflict:
            return _conflict_page(request, conflict, **page)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Sub-objective saved")
            return redirect("reports:delivery_plan_detail", objective.plan_id)
    return _form_page(request, form, **page)


@require_http_methods(["GET", "POST"])
def delivery_action_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = rules.get_plan_or_404(request.user, pk)
    rules.require_manage_plan(request.user, plan)
    initial = {}
    if request.GET.get("objective", "").isdigit():
        initial["objective"] = int(request.GET["objective"])
    return _action_page(request, plan, None, initial)


@require_http_methods(["GET", "POST"])
def delivery_action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = rules.get_delivery_action_or_404(request.user, pk)
    plan = action.objective.plan
    rules.require_manage_plan(request.user, plan)
    initial = {
        name: getattr(action, name)
        for name in plans.ACTION_FIELDS
        if name not in ("sub_objective",)
    }
    initial["sub_objective"] = str(action.sub_objective_id or "")
    initial["partners"] = list(action.partners.all())
    return _action_page(request, plan, action, initial)


def _action_page(request, plan: DeliveryPlan, action, initial) -> HttpResponse:
    form = ActionForm(
        request.POST or None, plan=plan, initial=initial, version_of=action
    )
    back = (
        reverse("reports:delivery_action_detail", args=[action.pk])
        if action
        else reverse("reports:delivery_plan_detail", args=[plan.pk])
    )
    page = {
        "title": f"Change action {action.reference}" if action else "Add an action",
        "back": back,
        "button": "Save action",
        "intro": "Ratings are not set here: they change on the action's page, with "
        "a reason.",
    }
    if request.method == "POST" and form.is_valid():
        saved = []

        def save() -> None:
            saved.append(
                plans.save_action(
                    by=request.user,
                    plan=plan,
                    action=action,
                    partners=form.cleaned_data["partners"],
                    **form.values(),
                )
            )

        try:
            _saving(form, save)
        except concurrency.EditConflict as conflict:
            return _conflict_page(request, conflict, **page)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Action {saved[0].reference} saved")
            return redirect("reports:delivery_action_detail", saved[0].pk)
    return _form_page(request, form, **page)


@require_GET
def delivery_action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = rules.get_delivery_action_or_404(request.user, pk)
    plan = action.objective.plan
    return render(
        request,
        "reports/delivery_action_detail.html",
        {
            "action": action,
            "plan": plan,
            "today": timezone.localdate(),
            "partners": list(action.partners.all()),
            "evidence": action.evidence_entries.select_related("entered_by__agency"),
            "history": action.rag_changes.select_related("changed_by__agency"),
            "may_manage": rules.may_manage_plan(request.user, plan),
            "may_update": rules.may_update_action(request.user, action),
        },
    )


@require_http_methods(["GET", "POST"])
def delivery_action_rag(request: HttpRequest, pk: int) -> HttpResponse:
    action = rules.get_delivery_action_or_404(request.user, pk)
    permissions.require(rules.may_update_action(request.user, action))
    current = (action.action_rag, action.outcome_rag)
    form = RagForm(
        request.POST or None,
        current=current,
        initial={"action_rag": current[0], "outcome_rag": current[1]},
        version_of=action,
    )
    page = {
        "title": f"Change the ratings of action {action.reference}",
        "back": reverse("reports:delivery_action_detail", args=[action.pk]),
        "button": "Save ratings",
        "intro": action.description,
    }
    if request.method == "POST" and form.is_valid():
        try:
            with concurrency.saving(form):
                changed = plans.change_rag(
                    by=request.user, action=action, **form.cleaned_data
                )
        except concurrency.EditConflict as conflict:
            return _conflict_page(request, conflict, **page)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                "Rating changed" if changed else "The ratings were already as chosen",
            )
            return redirect("reports:delivery_action_detail", action.pk)
    return _form_page(request, form, **page)


@require_http_methods(["GET", "POST"])
def delivery_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = rules.get_delivery_action_or_404(request.user, pk)
    permissions.require(rules.may_update_action(request.user, action))
    form = EvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plans.add_evidence(by=request.user, action=action, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Evidence added")
            return redirect("reports:delivery_action_detail", action.pk)
    return _form_page(
        request,
        form,
        title=f"Add evidence to action {action.reference}",
        back=reverse("reports:delivery_action_detail", args=[action.pk]),
        button="Add evidence",
        intro=action.description,
    )


def _filename(plan: DeliveryPlan, today, ext: str) -> str:
    return f"delivery-plan-{plan.pk}-as-at-{today.isoformat()}.{ext}"


@require_GET
@step_up_required(download=True)
def delivery_plan_csv(request: HttpRequest, pk: int) -> HttpResponse:
    plan = rules.get_plan_or_404(request.user, pk)
    today = timezone.localdate()
    stream = io.StringIO()
    writer = SafeWriter(stream)
    writer.writerow(["plan", plan.title, "area", plan.area_name])
    writer.writerow(["period", plan.period, "as at", today.isoformat()])
    writer.writerow(plans.CSV_COLUMNS)
    writer.writerows(
        plans.csv_rows(plans.plan_actions(plan, with_evidence=True), today)
    )
    audit.record(
        by=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=plan,
        summary=f"Exported the delivery plan {plan.title} as CSV",
    )
    return csv_attachment(_filename(plan, today, "csv"), stream.getvalue())


@require_GET
@step_up_required(download=True)
def delivery_plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The board's copy: a landscape table in the document's columns, as at today."""
    plan = rules.get_plan_or_404(request.user, pk)
    today = timezone.localdate()
    objectives = list(plan.objectives.all())
    actions = plans.plan_actions(plan, with_evidence=True)
    counts, total = plans.summary(objectives, actions, today)
    content = render_pdf(
        "reports/pdf/delivery_plan.html",
        {
            "plan": plan,
            "today": today,
            "generated": timezone.now(),
            "counts": counts,
            "total": total,
            "rags": Rag.choices,
            "groups": [
                {
                    "objective": o,
                    "actions": [a for a in actions if a.objective_id == o.pk],
                }
                for o in objectives
            ],
        },
    )
    audit.record(
        by=request.user,
        action=AuditEvent.Action.PRINT,
        obj=plan,
        summary=f"Printed the delivery plan {plan.title}",
    )
    return pdf_attachment(content, _filename(plan, today, "pdf"))


@require_http_methods(["GET", "POST"])
def delivery_plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    plan = rules.get_plan_or_404(request.user, pk)
    rules.require_manage_plan(request.user, plan)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = plans.import_plan_csv(
                by=request.user, plan=plan, text=form.cleaned_data["file"]
            )
        except ValidationError as error:
            row_errors = error.messages
            form.add_error(
                "file",
                f"The file has {len(row_errors)} "
                f"problem{'s' if len(row_errors) != 1 else ''} and nothing was imported",
            )
        else:
            messages.success(
                request,
                f"Imported {result.actions} actions ({result.objectives} new "
                f"objectives, {result.sub_objectives} new sub-objectives)",
            )
            return redirect("reports:delivery_plan_detail", plan.pk)
    return render(
        request,
        "reports/delivery_import.html",
        {
            "form": form,
            "plan": plan,
            "row_errors": row_errors,
            "columns": plans.IMPORT_COLUMNS,
        },
    )
