"""Screening pages. Same shape as the core's: fetch through permissions (404 for an
unseen record or a draft of another agency), 403 for a user who may see but not do
this, bind the form, call the service, message, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cse import audit, concurrency, permissions
from cse import services as core_services
from cse.downloads import pdf_attachment
from cse.kept_work import keeps_work
from cse.models import AuditEvent, Child, PersonOfInterest
from cse.stepup import step_up_required
from cse.views.common import open_subject, tabs_for

from . import permissions as access
from . import services
from .forms import ActionUpdateForm, FindChildForm, ScreeningForm, StartForm
from .models import Screening, ScreeningAction, display_sections
from .pdf import render_screening_pdf

Action = AuditEvent.Action


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def index(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.sees_records(request.user))
    user = request.user
    drafts = list(
        access.visible_screenings(user)
        .filter(status=Screening.Status.DRAFT, author_agency=user.agency_id)
        .select_related("child", "definition", "author")
        .order_by("-updated_at")[:50]
    )
    queue = access.queue_for(user)
    queue_rows = list(queue[:100]) if queue is not None else None
    actions = list(
        ScreeningAction.objects.filter(
            screening__in=access.visible_screenings(user),
            owner_agency=user.agency_id,
            status=ScreeningAction.Status.OPEN,
        )
        .select_related("screening__child", "owner_user")
        .order_by("due_on", "pk")[:100]
    )
    shown = [s.child for s in drafts] + [s.child for s in queue_rows or []]
    audit.record_many(by=user, action=Action.LIST, subjects=shown, summary="screenings")
    return render(
        request,
        "screening/index.html",
        {
            "drafts": drafts,
            "queue": queue_rows,
            "actions": actions,
            "can_start": permissions.may_record(user),
        },
    )


def child_screenings(request: HttpRequest, pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk)
    screenings = list(
        access.visible_screenings(request.user)
        .filter(child=child)
        .select_related("definition", "author", "author_agency")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "screening/child_screenings.html",
        {
            "subject": child,
            "child": child,
            "tabs": tabs_for(request, child),
            "screenings": screenings,
            "can_start": access.can_start(request.user, child),
        },
    )


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, pk: int) -> HttpResponse:
    child = open_subject(request, Child, pk, audit_view=False)
    permissions.require(access.can_start(request.user, child))
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.start_screening(
                by=request.user, child=child, definition=form.cleaned_data["definition"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Draft {screening.reference} started")
            return redirect("screening:edit", screening.pk)
    return render(
        request,
        "screening/start.html",
        {"form": form, "child": child, "subject": child},
    )


@require_http_methods(["GET", "POST"])
def start_fresh(request: HttpRequest) -> HttpResponse:
    """Starting without a record: find the child first, so no duplicate is made."""
    permissions.require(permissions.may_record(request.user))
    form = FindChildForm(request.POST or None)
    check = None
    if request.method == "POST" and form.is_valid():
        check = core_services.check_new_child(
            by=request.user,
            forename=form.cleaned_data["forename"],
            surname=form.cleaned_data["surname"],
            date_of_birth=form.cleaned_data.get("date_of_birth"),
        )
        audit.record_many(
            by=request.user,
            action=Action.SEARCH,
            subjects=check.visible,
            summary="screening: possible matches",
        )
    return render(request, "screening/start_fresh.html", {"form": form, "check": check})


@require_http_methods(["GET", "POST"])
@keeps_work
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    screening = access.get_screening_or_404(request.user, pk)
    if not screening.is_draft:
        return redirect(screening)
    permissions.require(access.can_edit_draft(request.user, screening))
    submitting = request.POST.get("action") == "submit"
    form = ScreeningForm(
        request.POST or None,
        screening=screening,
        user=request.user,
        submitting=submitting,
    )
    if request.method == "POST" and form.is_valid():
        service = services.submit_screening if submitting else services.save_draft
        try:
            with concurrency.saving(form):
                service(
                    by=request.user,
                    screening=screening,
                    answers=form.answers(),
                    category=form.cleaned_data.get("category"),
                    rationale=form.cleaned_data.get("rationale", ""),
                )
        except concurrency.EditConflict as conflict:
            return concurrency.conflict_response(
                request,
                conflict,
                "screening/edit.html",
                {
                    "screening": screening,
                    "child": screening.child,
                    "definition": screening.definition,
                    "significant": screening.significant_count(),
                },
                subject=screening.child_id,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if submitting:
                messages.success(request, f"Screening {screening.reference} submitted")
                return redirect("screening:detail", screening.pk)
            messages.success(request, "Draft saved. You can come back to it later.")
            return redirect("screening:edit", screening.pk)
    if request.method == "GET":
        audit.record(
            by=request.user,
            action=Action.VIEW,
            obj=screening,
            subject=screening.child_id,
            summary=request.path,
        )
    significant = _posted_significant(form) if form.is_bound else None
    if significant is None:
        significant = screening.significant_count()
    return render(
        request,
        "screening/edit.html",
        {
            "form": form,
            "screening": screening,
            "child": screening.child,
            "definition": screening.definition,
            "significant": significant,
        },
    )


@require_POST
def autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Save the draft as the user moves from one section of the form to another
    (static/js/autosave.js): what "Save as draft" does, answered in JSON for the
    page's status line. Nothing is required yet, as for any draft."""
    screening = access.get_screening_or_404(request.user, pk)
    permissions.require(access.can_edit_draft(request.user, screening))
    form = ScreeningForm(request.POST, screening=screening, user=request.user)
    if not form.is_valid():
        return JsonResponse(
            {
                "saved": False,
                "error": "Draft not saved automatically: an answer needs changing. "
                "Select Save as draft to see which.",
            },
            status=400,
        )
    try:
        # The same version check as "Save as draft": a draft someone else saved
        # since the page was read is not overwritten in the background.
        with concurrency.saving(form):
            screening = services.save_draft(
                by=request.user,
                screening=screening,
                answers=form.answers(),
                category=form.cleaned_data.get("category"),
                rationale=form.cleaned_data.get("rationale", ""),
            )
    except concurrency.EditConflict:
        return JsonResponse(
            {
                "saved": False,
                "error": "Draft not saved automatically: someone else saved this "
                "screening since you opened it. Select Save as draft to see what "
                "changed.",
            },
            status=409,
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "error": " ".join(error.messages)}, 409)
    # Hidden fields that change with a save (a version) go back to the page, so its
    # next save is judged against this one.
    fresh = ScreeningForm(screening=screening, user=request.user)
    return JsonResponse(
        {
            "saved": True,
            "saved_at": timezone.localtime(screening.updated_at).strftime("%H:%M"),
            "hidden": {
                field.html_name: "" if field.value() is None else str(field.value())
                for field in fresh.hidden_fields()
            },
        }
    )


def _posted_significant(form: ScreeningForm) -> int | None:
    if not hasattr(form, "cleaned_data"):
        return None
    return sum(
        1
        for section in form.definition.sections
        if section["type"] == "timed"
        for item in section["items"]
        if form.cleaned_data.get(services.field_name(section["key"], item["key"]))
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    screening = access.get_screening_or_404(request.user, pk)
    audit.record(
        by=request.user,
        action=Action.VIEW,
        obj=screening,
        subject=screening.child_id,
        summary=request.path,
    )
    user = request.user
    actions = list(
        screening.actions.select_related("owner_agency", "owner_user", "referral")
    )
    for action in actions:
        action.can_update = access.can_update_action(user, action)
        if action.can_update:
            action.version = ActionUpdateForm(version_of=action).fresh_version()
    correction = (
        access.visible_screenings(user)
        .filter(supersedes=screening)
        .only("pk", "status")
        .first()
    )
    return render(
        request,
        "screening/detail.html",
        {
            "screening": screening,
            "child": screening.child,
            "definition": screening.definition,
            "sections": display_sections(screening, _persons(user, screening)),
            "category": screening.definition.category(screening.category),
            "actions": actions,
            "correction": correction,
            "supersedes_visible": screening.supersedes_id is not None,
            "can_edit": access.can_edit_draft(user, screening),
            "can_correct": access.can_correct(user, screening) and correction is None,
            "can_acknowledge": access.can_acknowledge(user, screening)
            and screening.acknowledged_at is None,
            "action_form": ActionUpdateForm(),
        },
    )


def _persons(user, screening: Screening) -> dict:
    pks = services.person_pks(screening)
    if not pks:
        return {}
    return {
        person.pk: f"{person.display_name} ({person.reference})"
        for person in permissions.visible(user, PersonOfInterest).filter(pk__in=pks)
    }


@step_up_required(download=True)
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    screening = access.get_screening_or_404(request.user, pk)
    if screening.is_draft:
        raise Http404("Only a submitted screening can be printed")
    content = render_screening_pdf(screening, persons=_persons(request.user, screening))
    audit.record(
        by=request.user,
        action=Action.PRINT,
        obj=screening,
        subject=screening.child_id,
        summary=f"screening {screening.reference} PDF",
    )
    return pdf_attachment(content, f"screening-{screening.reference}.pdf")


@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    screening = access.get_screening_or_404(request.user, pk)
    permissions.require(access.can_correct(request.user, screening))
    try:
        correction = services.correct_screening(by=request.user, screening=screening)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(screening)
    messages.success(
        request, f"Correction {correction.reference} started from {screening.reference}"
    )
    return redirect("screening:edit", correction.pk)


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    screening = access.get_screening_or_404(request.user, pk)
    permissions.require(access.can_acknowledge(request.user, screening))
    try:
        services.acknowledge_screening(by=request.user, screening=screening)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Screening {screening.reference} acknowledged")
    if request.POST.get("next") == "queue":
        return redirect("screening:index")
    return redirect(screening)


@require_POST
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = (
        ScreeningAction.objects.filter(
            screening__in=access.visible_screenings(request.user), pk=pk
        )
        .select_related("screening")
        .first()
    )
    if action is None:
        raise Http404("No such action")
    permissions.require(access.can_update_action(request.user, action))
    form = ActionUpdateForm(request.POST, version_of=action)
    if form.is_valid():
        try:
            with concurrency.saving(form):
                services.update_action(
                    by=request.user,
                    action=action,
                    status=form.cleaned_data["status"],
                    notes=form.cleaned_data["notes"],
                )
        except concurrency.EditConflict as conflict:
            return concurrency.conflict_response(
                request,
                conflict,
                "cse/edit_conflict.html",
                {
                    "title": f"Update the action: {action.title}",
                    "caption": action.screening.reference,
                    "back": f"{action.screening.get_absolute_url()}#actions",
                },
                subject=action.screening.child_id,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Action updated: {action.get_status_display()}")
    else:
        messages.error(request, "Select what has happened to the action")
    return redirect(f"{action.screening.get_absolute_url()}#actions")
