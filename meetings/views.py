"""Pages for meetings. Same shape as the core's: fetch through meetings.permissions
(404 for a meeting or item the user may not see), 403 for a user who may see but not
do, bind the form, call the service, message, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cse import audit, concurrency, permissions
from cse.models import AuditEvent, Subject
from cse.permissions import AgencyReader
from cse.stepup import step_up_required
from cse.summaries import NOT_SHARED
from cse.views.common import detail_url
from cse.views.records import _apply_errors

from . import forms, services
from . import permissions as mp
from .models import (
    Action,
    AgendaItem,
    Meeting,
    MeetingDocument,
    quorum_for,
)
from .pdf import agenda_sections, minutes_context, open_actions
from .summaries import previous_meeting_day, summarise_item

Audit = AuditEvent.Action


def _url(meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def _form_page(request, form, *, meeting, title, back, intro="") -> HttpResponse:
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "meeting": meeting,
            "title": title,
            "back": back,
            "intro": intro,
        },
    )


# --- meetings ------------------------------------------------------------------------


def meeting_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.sees_records(request.user))
    meetings = (
        mp.visible_meetings(request.user)
        .select_related("meeting_type", "organiser_agency")
        .order_by("-starts_at")[:100]
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {"meetings": meetings, "can_create": mp.may_organise(request.user)},
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    permissions.require(mp.may_organise(request.user))
    form = forms.MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(
                by=request.user,
                meeting_type=form.cleaned_data["meeting_type"],
                starts_at=form.cleaned_data["starts_at"],
                venue=form.cleaned_data["venue"],
                chair=form.cleaned_data["chair"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Meeting set up")
            return redirect(_url(meeting))
    return _form_page(
        request,
        form,
        meeting=None,
        title="Set up a meeting",
        back=reverse("meetings:meeting_list"),
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda builder: items in order with what each record shows at a glance,
    members and circulation, documents, quorum and deadlines."""
    meeting = mp.get_meeting_or_404(request.user, pk)
    sees_items = mp.sees_items(request.user, meeting)
    sections = agenda_sections(meeting) if sees_items else []
    subject_ids = [i.subject_id for _, items in sections for i in items if i.subject_id]
    visible = {
        s.pk: s
        for s in permissions.visible(request.user, Subject)
        .filter(pk__in=subject_ids)
        .select_related("child", "personofinterest", "location", "vehicle")
    }
    # Counted only for records the user may see: beside a record not shared with
    # them, even a number of actions says something about it.
    open_counts = dict(
        mp.visible_actions(request.user)
        .filter(subject_id__in=list(visible), status=Action.Status.OPEN)
        .values_list("subject_id")
        .annotate(n=Count("pk"))
        .values_list("subject_id", "n")
    )
    rows = []
    for title, items in sections:
        rows.append(
            {
                "title": title,
                "items": [
                    {
                        "item": item,
                        "record": visible.get(item.subject_id),
                        "label": mp.item_label(
                            item, not item.subject_id or item.subject_id in visible
                        ),
                        "open_actions": open_counts.get(item.subject_id, 0),
                    }
                    for item in items
                ],
            }
        )
    if subject_ids and visible:
        audit.record(
            by=request.user,
            action=Audit.LIST,
            obj=meeting,
            summary="meeting agenda",
            detail={"subject_ids": list(visible)},
        )
    attendance = list(meeting.attendance.select_related("agency"))
    can_run = mp.can_run(request.user, meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "sections": rows,
            "sees_items": sees_items,
            "can_run": can_run,
            "is_chair": mp.is_chair(request.user, meeting),
            "members": list(meeting.members.select_related("agency")),
            "quorum": quorum_for(meeting, attendance),
            "attendance": attendance,
            "documents": list(
                meeting.documents.filter(agency_id=request.user.agency_id)[:6]
            )
            if sees_items
            else [],
            "may_print": sees_items
            and mp.sees_items(AgencyReader(request.user.agency), meeting),
            "queue_count": services.triage_queue(meeting, request.user).count()
            if can_run
            else 0,
            "circulation_late": meeting.circulation_is_late(),
            "minutes_warning": meeting.minutes_warning(),
        },
    )


# --- triage and agenda -------------------------------------------------------------------


def triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Referrals to this meeting's forum waiting for the pre-meeting triage."""
    meeting = mp.get_meeting_or_404(request.user, pk)
    permissions.require(mp.can_run(request.user, meeting))
    referrals = list(
        services.triage_queue(meeting, request.user).select_related(
            "subject__child",
            "subject__personofinterest",
            "subject__location",
            "subject__vehicle",
        )[:200]
    )
    shown = [r.subject_id for r in referrals if r.reader_sees]
    if shown:
        audit.record(
            by=request.user,
            action=Audit.LIST,
            obj=meeting,
            summary="triage queue",
            detail={"subject_ids": shown},
        )
    return render(
        request,
        "meetings/triage.html",
        {
            "meeting": meeting,
            "referrals": [
                {"referral": r, "visible": r.reader_sees, "not_shared": NOT_SHARED}
                for r in referrals
            ],
            "late": meeting.circulated_at is not None or meeting.circulation_is_late(),
        },
    )


@require_http_methods(["GET", "POST"])
def triage_decide(request: HttpRequest, pk: int, referral_pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    permissions.require(mp.can_run(request.user, meeting))
    referral = (
        services.triage_queue(meeting, request.user).filter(pk=referral_pk).first()
    )
    if referral is None:
        raise Http404("No such referral")
    label = referral.subject.reference if referral.reader_sees else NOT_SHARED
    if referral.reader_sees and request.method == "GET":
        audit.record(
            by=request.user,
            action=Audit.VIEW,
            obj=referral,
            subject=referral.subject_id,
            summary="referral at triage",
        )
    form = forms.TriageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.triage_referral(
                by=request.user,
                meeting=meeting,
                referral=referral,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                urgent=form.cleaned_data["urgent"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Referral of {label} triaged")
            return redirect(reverse("meetings:triage", args=[meeting.pk]))
    return _form_page(
        request,
        form,
        meeting=meeting,
        title=f"Triage referral of {label}",
        back=reverse("meetings:triage", args=[meeting.pk]),
        intro=referral.synopsis
        if referral.reader_sees
        else "The referral's synopsis is not shown: the record has not been shared "
        "with your agency.",
    )


def _item(request: HttpRequest, meeting: Meeting, item_pk: int) -> AgendaItem:
    if not mp.sees_items(request.user, meeting):
        raise Http404("No such item")
    item = (
        meeting.items.select_related("subject", "referral").filter(pk=item_pk).first()
    )
    if item is None:
        raise Http404("No such item")
    return item


@require_POST
def item_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    item = _item(request, meeting, item_pk)
    permissions.require(mp.can_run(request.user, meeting))
    services.move_item(
        by=request.user,
        item=item,
        direction="up" if request.POST.get("direction") == "up" else "down",
    )
    return redirect(f"{_url(meeting)}#item-{item.pk}")


@require_POST
def item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    item = _item(request, meeting, item_pk)
    permissions.require(mp.can_run(request.user, meeting))
    try:
        services.remove_item(by=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Item removed from the agenda")
    return redirect(_url(meeting))


@require_POST
@step_up_required
def circulate(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    permissions.require(mp.can_run(request.user, meeting))
    try:
        shares = services.circulate_meeting(by=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Agenda circulated to the members ({shares} records shared)"
        )
    return redirect(_url(meeting))


@require_http_methods(["GET", "POST"])
def allow_late(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    permissions.require(mp.is_chair(request.user, meeting))
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allow_late_circulation(
                by=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Late circulation allowed")
            return redirect(_url(meeting))
    return _form_page(
        request,
        form,
        meeting=meeting,
        title="Allow the agenda to go out late",
        back=_url(meeting),
    )


# --- in the meeting ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    permissions.require(mp.sees_items(request.user, meeting))
    can_run = mp.can_run(request.user, meeting)
    form = forms.AttendanceForm(request.POST or None, meeting=meeting)
    if request.method == "POST":
        permissions.require(can_run)
        if form.is_valid():
            try:
                services.record_attendance(
                    by=request.user, meeting=meeting, **form.cleaned_data
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "Attendance recorded")
                return redirect(reverse("meetings:attendance", args=[meeting.pk]))
    register = list(meeting.attendance.select_related("agency"))
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "form": form,
            "register": register,
            "quorum": quorum_for(meeting, register),
            "can_run": can_run,
        },
    )


def item_detail(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """One agenda item: the record's current summary, notes, decisions, actions."""
    meeting = mp.get_meeting_or_404(request.user, pk)
    item = _item(request, meeting, item_pk)
    summary = summarise_item(
        request.user, item, previous_meeting_day(meeting), meeting.day
    )
    # Of a record not shared with the user's agency nothing is shown: not the
    # referral's synopsis, nor the notes, decisions and actions about it.
    shown = summary.visible
    if item.subject_id and summary.visible:
        audit.record(
            by=request.user,
            action=Audit.VIEW,
            obj=item.subject,
            summary=request.path,
        )
    return render(
        request,
        "meetings/item_detail.html",
        {
            "meeting": meeting,
            "item": item,
            "summary": summary,
            "record_url": detail_url(item.subject)
            if item.subject_id and summary.visible
            else "",
            "label": mp.item_label(item, shown),
            "notes": list(item.notes.select_related("agency")) if shown else [],
            "decisions": list(item.decisions.all()) if shown else [],
            "actions": list(
                item.actions.select_related("assigned_agency", "assigned_to")
            )
            if shown
            else [],
            "can_run": mp.can_run(request.user, meeting),
        },
    )


def _item_form_view(request, pk, item_pk, form_class, title, save, form_kwargs=None):
    meeting = mp.get_meeting_or_404(request.user, pk)
    item = _item(request, meeting, item_pk)
    permissions.require(mp.can_run(request.user, meeting))
    form = form_class(
        request.POST or None, **(form_kwargs(meeting) if form_kwargs else {})
    )
    back = reverse("meetings:item_detail", args=[meeting.pk, item.pk])
    label = mp.item_label(
        item, not item.subject_id or permissions.can_see(request.user, item.subject)
    )
    if request.method == "POST" and form.is_valid():
        try:
            save(meeting, item, form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{title} saved")
            return redirect(back)
    return _form_page(
        request, form, meeting=meeting, title=f"{title}: {label}", back=back
    )


@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return _item_form_view(
        request,
        pk,
        item_pk,
        forms.NoteForm,
        "Note",
        lambda meeting, item, data: services.add_note(
            by=request.user, item=item, **data
        ),
    )


@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return _item_form_view(
        request,
        pk,
        item_pk,
        forms.DecisionForm,
        "Decision",
        lambda meeting, item, data: services.record_decision(
            by=request.user, item=item, **data
        ),
    )


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return _item_form_view(
        request,
        pk,
        item_pk,
        forms.ActionForm,
        "Action",
        lambda meeting, item, data: services.add_action(
            by=request.user, meeting=meeting, item=item, **data
        ),
        form_kwargs=lambda meeting: {"meeting": meeting},
    )


def action_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The current action document on screen: open actions of this meeting's series
    that the user may read."""
    meeting = mp.get_meeting_or_404(request.user, pk)
    permissions.require(mp.sees_items(request.user, meeting))
    return render(
        request,
        "meetings/action_list.html",
        {
            "meeting": meeting,
            "actions": list(open_actions(meeting, request.user)[:500]),
        },
    )


@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    action = mp.get_action_or_404(request.user, meeting, action_pk)
    may_update = mp.can_update_action(request.user, action)
    form = forms.ActionUpdateForm(request.POST or None)
    if request.method == "POST":
        permissions.require(may_update)
        if form.is_valid():
            try:
                services.add_action_update(
                    by=request.user, action=action, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "Update added")
                return redirect(
                    reverse("meetings:action_detail", args=[meeting.pk, action.pk])
                )
    is_chair = mp.is_chair(request.user, meeting)
    return render(
        request,
        "meetings/action_detail.html",
        {
            "meeting": meeting,
            "action": action,
            "updates": list(action.updates.select_related("recorded_by", "agency")),
            "form": form
            if may_update and action.status == Action.Status.OPEN
            else None,
            "close_form": forms.CloseActionForm(version_of=action)
            if is_chair and action.status == Action.Status.OPEN
            else None,
        },
    )


@require_POST
def action_close(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    action = mp.get_action_or_404(request.user, meeting, action_pk)
    permissions.require(mp.is_chair(request.user, meeting))
    form = forms.CloseActionForm(request.POST, version_of=action)
    if form.is_valid():
        try:
            with concurrency.saving(form):
                services.close_action(
                    by=request.user,
                    action=action,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
        except concurrency.EditConflict as conflict:
            return concurrency.conflict_response(
                request,
                conflict,
                "cse/edit_conflict.html",
                {
                    "title": f"Close action {action.pk}",
                    "caption": str(meeting),
                    "back": reverse(
                        "meetings:action_detail", args=[meeting.pk, action.pk]
                    ),
                    "button": "Close action",
                },
                subject=action.subject_id,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Action {action.pk} closed")
    else:
        messages.error(request, "Select completed or dismissed")
    return redirect(reverse("meetings:action_detail", args=[meeting.pk, action.pk]))


# --- minutes and documents ---------------------------------------------------------------


def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes as drafted from the record, for the chair to approve."""
    meeting = mp.get_meeting_or_404(request.user, pk)
    permissions.require(mp.sees_items(request.user, meeting))
    context = minutes_context(meeting, request.user)
    audit.record(
        by=request.user,
        action=Audit.VIEW,
        obj=meeting,
        summary="minutes",
        detail={
            "subject_ids": [
                row["item"].subject_id
                for row in context["items"]
                if row["item"].subject_id and row["visible"]
            ]
        },
    )
    return render(
        request,
        "meetings/minutes.html",
        {
            **context,
            "is_chair": mp.is_chair(request.user, meeting),
            "warning": meeting.minutes_warning(),
        },
    )


@require_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    permissions.require(mp.is_chair(request.user, meeting))
    try:
        services.approve_minutes(by=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Minutes approved and circulated")
    return redirect(reverse("meetings:minutes", args=[meeting.pk]))


@require_POST
@step_up_required
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = mp.get_meeting_or_404(request.user, pk)
    permissions.require(mp.sees_items(request.user, meeting))
    kind = request.POST.get("kind", "")
    if kind not in MeetingDocument.Kind.values:
        raise Http404("No such document")
    try:
        document = services.request_document(
            by=request.user, meeting=meeting, kind=kind
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_url(meeting))
    return redirect(reverse("meetings:document_status", args=[meeting.pk, document.pk]))


def _document(request, pk: int, document_pk: int) -> tuple[Meeting, MeetingDocument]:
    meeting = mp.get_meeting_or_404(request.user, pk)
    if not mp.sees_items(request.user, meeting):
        raise Http404("No such document")
    # A document is its agency's: another agency's staff do not find it.
    document = meeting.documents.filter(
        pk=document_pk, agency_id=request.user.agency_id
    ).first()
    if document is None:
        raise Http404("No such document")
    return meeting, document


def document_status(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    meeting, document = _document(request, pk, document_pk)
    return render(
        request,
        "meetings/document_status.html",
        {"meeting": meeting, "document": document},
    )


@step_up_required(download=True)
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """The rendered PDF, only through this permission-checked, audited view."""
    meeting, document = _document(request, pk, document_pk)
    if document.status != MeetingDocument.Status.DONE or not document.file:
        raise Http404("The document is not ready")
    audit.record(
        by=request.user,
        action=Audit.PRINT,
        obj=document,
        summary=f"{document.get_kind_display()} of {meeting}",
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.kind}-meeting-{meeting.pk}.pdf",
        content_type="application/pdf",
    )
