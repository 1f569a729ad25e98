"""Disruption pages. Each view: fetch through cse.permissions or
disruption.permissions (404 for what the user may not see), check the right to act
(403), bind the form, call the service, message, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cse import audit, concurrency, permissions
from cse.csv_export import SafeWriter
from cse.downloads import csv_attachment, pdf_attachment
from cse.models import AuditEvent, LocalArea, PersonOfInterest, Subject
from cse.stepup import step_up_required
from cse.views.common import MODEL_OF_KIND, detail_url, open_subject, tabs_for
from disruption import cawn_rules, forms, services
from disruption import intelligence_log as s62
from disruption import permissions as rules
from disruption.models import Cawn, IntelligenceReport, Plan
from disruption.pdf import render_cawn_pdf

Action = AuditEvent.Action
PAGE_SIZE = 25


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form_page(
    request, form, *, title, back, caption="", intro="", button="Save", multipart=False
):
    return render(
        request,
        "disruption/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "caption": caption,
            "intro": intro,
            "button": button,
            "multipart": multipart,
        },
    )


def _conflict_page(request, conflict, *, subject, title, back, caption="", **extra):
    """The form page again for a save from an overtaken form (cse.concurrency)."""
    page = {"title": title, "back": back, "caption": caption, "intro": ""}
    page.update({"button": "Save", "multipart": False, **extra})
    return concurrency.conflict_response(
        request, conflict, "disruption/form.html", page, subject=subject
    )


def _open_any(request: HttpRequest, pk: int, *, audit_view: bool = False):
    base = permissions.get_visible_or_404(request.user, Subject, pk)
    return open_subject(request, MODEL_OF_KIND[base.kind], pk, audit_view=audit_view)


# --- the record tab ------------------------------------------------------------------


def subject_disruption(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _open_any(request, pk, audit_view=True)
    user = request.user
    cawns = []
    if subject.kind in {Subject.Kind.PERSON, Subject.Kind.CHILD}:
        field = "person" if subject.kind == Subject.Kind.PERSON else "child"
        cawns = list(
            rules.visible_cawns(user)
            .filter(**{field: subject})
            .select_related("person", "child")
            .prefetch_related("breaches")
        )
    tactics = list(
        rules.tactics_on(user, subject).select_related("tactic", "lead_agency")
    )
    plans = list(rules.plans_on(user, subject).prefetch_related("reviews"))
    can_add = rules.may_record_disruption(user, subject)
    return render(
        request,
        "disruption/subject_disruption.html",
        {
            "subject": subject,
            "title": str(subject),
            "tabs": tabs_for(request, subject),
            "cawns": cawns,
            "tactics": tactics,
            "plans": plans,
            "open_plan": next((p for p in plans if p.is_open), None),
            "can_add": can_add,
            "can_issue": subject.kind == Subject.Kind.PERSON
            and can_add
            and rules.may_start_cawns(user),
            "plans_apply": subject.kind in services.PLAN_KIND_OF,
        },
    )


# --- notices -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cawn_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = open_subject(request, PersonOfInterest, pk, audit_view=False)
    permissions.require(
        permissions.can_add_to(request.user, person)
        and rules.may_start_cawns(request.user)
    )
    form = forms.CawnStartForm(request.POST or None, user=request.user, person=person)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = data["child"]
        decision = cawn_rules.decide_for(child, data["issue_date"])
        if not decision.allowed:
            refusal = decision.reason
        elif not rules.may_issue(request.user, decision):
            refusal = (
                "Only the police may issue this notice. The local authority may issue "
                "a notice only for a looked-after child aged 16 or 17."
            )
        else:
            try:
                cawn = services.issue_cawn(
                    by=request.user,
                    person=person,
                    child=child,
                    issue_date=data["issue_date"],
                    child_name=form.child_name(),
                    parental_responsibility=data["parental_responsibility"]
                    or child.parental_responsibility,
                    recipient_name=data["recipient_name"],
                    recipient_date_of_birth=data["recipient_date_of_birth"],
                    recipient_address=data["recipient_address"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request, f"Notice {cawn.reference} prepared: print it to serve it"
                )
                return redirect(cawn.get_absolute_url())
    return render(
        request,
        "disruption/cawn_form.html",
        {
            "form": form,
            "subject": person,
            "refusal": refusal,
            "back": detail_url(person),
        },
    )


def cawn_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cawn = rules.get_cawn_or_404(request.user, pk)
    audit.record(
        by=request.user,
        action=Action.VIEW,
        obj=cawn,
        subject=cawn.person,
        summary=request.path,
    )
    return render(
        request,
        "disruption/cawn_detail.html",
        {
            "cawn": cawn,
            "breaches": list(cawn.breaches.select_related("recorded_by")),
            "can_manage": rules.may_manage_cawn(request.user, cawn),
            "withdraw_form": forms.WithdrawForm(version_of=cawn),
            "upload_form": forms.SignedCopyForm(version_of=cawn),
        },
    )


@step_up_required(download=True)
def cawn_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    cawn = rules.get_cawn_or_404(request.user, pk)
    pdf = render_cawn_pdf(cawn)
    audit.record(
        by=request.user,
        action=Action.PRINT,
        obj=cawn,
        subject=cawn.person,
        summary=f"{cawn.reference} printed",
        detail={"child": cawn.child_id},
    )
    response = pdf_attachment(pdf, f"{cawn.reference}.pdf")
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def cawn_serve(request: HttpRequest, pk: int) -> HttpResponse:
    cawn = rules.get_cawn_or_404(request.user, pk)
    permissions.require(rules.may_manage_cawn(request.user, cawn))
    # A form opened before someone else served the notice gets the conflict page,
    # which says who served it; only opening the form again is turned away.
    if cawn.status != Cawn.Status.ISSUED and request.method == "GET":
        messages.info(request, "This notice has already been served or has ended")
        return redirect(cawn.get_absolute_url())
    form = forms.CawnServeForm(
        request.POST or None, request.FILES or None, version_of=cawn
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with concurrency.saving(form):
                services.serve_cawn(
                    by=request.user,
                    cawn=cawn,
                    served_at=data["served_at"],
                    photograph_shown=data["photograph_shown"] == "yes",
                    knowledge_verified_by=data["knowledge_verified_by"],
                    signature=data["signature"],
                    refusal_reason=data["refusal_reason"],
                    review_on=data["review_on"],
                    signed_copy=data["signed_copy"],
                )
        except concurrency.EditConflict as conflict:
            return _conflict_page(
                request,
                conflict,
                subject=cawn.person_id,
                title="Record the service of the notice",
                caption=cawn.reference,
                back=cawn.get_absolute_url(),
                multipart=True,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{cawn.reference} is now in force")
            return redirect(cawn.get_absolute_url())
    return _form_page(
        request,
        form,
        title="Record the service of the notice",
        caption=cawn.reference,
        back=cawn.get_absolute_url(),
        multipart=True,
    )


@require_POST
def cawn_upload(request: HttpRequest, pk: int) -> HttpResponse:
    cawn = rules.get_cawn_or_404(request.user, pk)
    permissions.require(rules.may_manage_cawn(request.user, cawn))
    form = forms.SignedCopyForm(request.POST, request.FILES, version_of=cawn)
    if form.is_valid():
        try:
            with concurrency.saving(form):
                services.upload_signed_copy(
                    by=request.user,
                    cawn=cawn,
                    signed_copy=form.cleaned_data["signed_copy"],
                )
        except concurrency.EditConflict as conflict:
            return _conflict_page(
                request,
                conflict,
                subject=cawn.person_id,
                title="Upload the signed copy",
                caption=cawn.reference,
                back=cawn.get_absolute_url(),
                multipart=True,
                button="Upload",
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Signed copy uploaded")
            return redirect(cawn.get_absolute_url())
    return _form_page(
        request,
        form,
        title="Upload the signed copy",
        caption=cawn.reference,
        back=cawn.get_absolute_url(),
        multipart=True,
        button="Upload",
    )


@step_up_required(download=True)
def cawn_signed_copy(request: HttpRequest, pk: int) -> HttpResponse:
    cawn = rules.get_cawn_or_404(request.user, pk)
    if not cawn.signed_copy:
        raise Http404("No signed copy")
    audit.record(
        by=request.user,
        action=Action.EXPORT,
        obj=cawn,
        subject=cawn.person,
        summary=f"{cawn.reference} signed copy downloaded",
    )
    extension = cawn.signed_copy.rsplit(".", 1)[-1]
    response = FileResponse(
        default_storage.open(cawn.signed_copy, "rb"),
        as_attachment=True,
        filename=f"{cawn.reference}-signed.{extension}",
        content_type=cawn.signed_copy_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def cawn_breach_create(request: HttpRequest, pk: int) -> HttpResponse:
    cawn = rules.get_cawn_or_404(request.user, pk)
    permissions.require(rules.may_manage_cawn(request.user, cawn))
    form = forms.BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_breach(
                by=request.user,
                cawn=cawn,
                occurred_on=data["occurred_on"],
                details=data["details"],
                outcome=data["outcome"],
                outcome_details=data["outcome_details"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Breach recorded")
            return redirect(cawn.get_absolute_url())
    return _form_page(
        request,
        form,
        title="Record a breach of the notice",
        caption=cawn.reference,
        back=cawn.get_absolute_url(),
    )


@require_POST
def cawn_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    cawn = rules.get_cawn_or_404(request.user, pk)
    permissions.require(rules.may_manage_cawn(request.user, cawn))
    form = forms.WithdrawForm(request.POST, version_of=cawn)
    if form.is_valid():
        try:
            with concurrency.saving(form):
                services.withdraw_cawn(
                    by=request.user, cawn=cawn, reason=form.cleaned_data["reason"]
                )
        except concurrency.EditConflict as conflict:
            return _conflict_page(
                request,
                conflict,
                subject=cawn.person_id,
                title="Withdraw the notice",
                caption=cawn.reference,
                back=cawn.get_absolute_url(),
                button="Withdraw notice",
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{cawn.reference} withdrawn")
            return redirect(cawn.get_absolute_url())
    return _form_page(
        request,
        form,
        title="Withdraw the notice",
        caption=cawn.reference,
        back=cawn.get_absolute_url(),
        button="Withdraw notice",
    )


def cawn_register(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.sees_records(request.user))
    areas = LocalArea.objects.all()
    form = forms.RegisterFilterForm(request.GET or None, areas=areas)
    cawns = rules.visible_cawns(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["area"]:
            cawns = cawns.filter(local_area__slug=data["area"])
        if data["start"]:
            cawns = cawns.filter(issue_date__gte=data["start"])
        if data["end"]:
            cawns = cawns.filter(issue_date__lte=data["end"])
        if data["status"]:
            cawns = cawns.filter(status=data["status"])
    elif form.is_bound:
        cawns = cawns.none()  # a filter that cannot be applied shows nothing, not all
    cawns = cawns.select_related("person", "child", "local_area").order_by(
        "-issue_date", "-pk"
    )
    page = Paginator(cawns, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    breach_counts = {}
    if rows:
        breach_counts = rules.breach_counts(request.user, [c.pk for c in rows])
    for cawn in rows:
        cawn.breach_count = breach_counts.get(cawn.pk, 0)
    audit.record_many(
        by=request.user,
        action=Action.LIST,
        subjects=[c.person for c in rows] + [c.child for c in rows],
        summary="CAWN register",
    )
    return render(
        request,
        "disruption/cawn_register.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "query": request.GET.urlencode(),
        },
    )


# --- tactics and plans ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def tactic_create(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _open_any(request, pk)
    permissions.require(rules.may_record_disruption(request.user, subject))
    if subject.kind == Subject.Kind.CHILD:
        permissions.require(False)
    form = forms.TacticForm(request.POST or None, subject=subject, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_tactic(
                by=request.user, subject=subject, tactic=form.save(commit=False)
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Disruption tactic recorded")
            return redirect("disruption:subject_disruption", pk=subject.pk)
    return _form_page(
        request,
        form,
        title="Record a disruption tactic",
        caption=subject.reference,
        back=reverse("disruption:subject_disruption", args=[subject.pk]),
    )


@require_http_methods(["GET", "POST"])
def tactic_update(request: HttpRequest, pk: int, tactic_pk: int) -> HttpResponse:
    subject = _open_any(request, pk)
    tactic = get_object_or_404(
        rules.tactics_on(request.user, subject).select_related("tactic"), pk=tactic_pk
    )
    permissions.require(rules.may_record_disruption(request.user, subject))
    form = forms.TacticUpdateForm(request.POST or None, instance=tactic)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with concurrency.saving(form):
                services.update_tactic(
                    by=request.user,
                    tactic=rules.tactics_on(request.user, subject).get(pk=tactic.pk),
                    status=data["status"],
                    ends_on=data["ends_on"],
                    outcome=data["outcome"],
                )
        except concurrency.EditConflict as conflict:
            return _conflict_page(
                request,
                conflict,
                subject=subject,
                title=f"Update: {tactic.tactic}",
                caption=subject.reference,
                back=reverse("disruption:subject_disruption", args=[subject.pk]),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Disruption tactic updated")
            return redirect("disruption:subject_disruption", pk=subject.pk)
    return _form_page(
        request,
        form,
        title=f"Update: {tactic.tactic}",
        caption=subject.reference,
        back=reverse("disruption:subject_disruption", args=[subject.pk]),
    )


def _plan_subject(request: HttpRequest, pk: int) -> Subject:
    subject = _open_any(request, pk)
    if subject.kind not in services.PLAN_KIND_OF:
        raise Http404("Plans are for persons of interest and locations")
    permissions.require(rules.may_record_disruption(request.user, subject))
    return subject


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _plan_subject(request, pk)
    form = forms.PlanForm(
        request.POST or None, initial={"started_on": timezone.localdate()}
    )
    kind = services.PLAN_KIND_OF[subject.kind]
    if request.method == "POST" and form.is_valid():
        try:
            services.start_plan(
                by=request.user, subject=subject, plan=form.save(commit=False)
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{Plan.Kind(kind).label} started")
            return redirect("disruption:subject_disruption", pk=subject.pk)
    return _form_page(
        request,
        form,
        title=f"Start a {Plan.Kind(kind).label.lower()}",
        caption=subject.reference,
        back=reverse("disruption:subject_disruption", args=[subject.pk]),
    )


@require_http_methods(["GET", "POST"])
def plan_review(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    subject = _plan_subject(request, pk)
    plan = get_object_or_404(Plan, pk=plan_pk, subject=subject)
    form = forms.PlanReviewForm(
        request.POST or None,
        initial={"reviewed_on": timezone.localdate(), "risk": plan.risk},
        version_of=plan,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with concurrency.saving(form):
                services.review_plan(
                    by=request.user,
                    plan=plan,
                    reviewed_on=data["reviewed_on"],
                    progress=data["progress"],
                    risk=data["risk"],
                    next_review_on=data["next_review_on"],
                )
        except concurrency.EditConflict as conflict:
            return _conflict_page(
                request,
                conflict,
                subject=subject,
                title="Review the plan",
                caption=subject.reference,
                back=reverse("disruption:subject_disruption", args=[subject.pk]),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Review recorded")
            return redirect("disruption:subject_disruption", pk=subject.pk)
    return _form_page(
        request,
        form,
        title="Review the plan",
        caption=subject.reference,
        back=reverse("disruption:subject_disruption", args=[subject.pk]),
    )


@require_http_methods(["GET", "POST"])
def plan_deselect(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    subject = _plan_subject(request, pk)
    plan = get_object_or_404(Plan, pk=plan_pk, subject=subject)
    form = forms.DeselectForm(
        request.POST or None,
        initial={"deselected_on": timezone.localdate()},
        version_of=plan,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with concurrency.saving(form):
                services.deselect_plan(
                    by=request.user,
                    plan=plan,
                    deselected_on=data["deselected_on"],
                    reason=data["reason"],
                )
        except concurrency.EditConflict as conflict:
            return _conflict_page(
                request,
                conflict,
                subject=subject,
                title="De-select and close the plan",
                caption=subject.reference,
                back=reverse("disruption:subject_disruption", args=[subject.pk]),
                button="Close plan",
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Plan closed")
            return redirect("disruption:subject_disruption", pk=subject.pk)
    return _form_page(
        request,
        form,
        title="De-select and close the plan",
        caption=subject.reference,
        back=reverse("disruption:subject_disruption", args=[subject.pk]),
        button="Close plan",
    )


# --- information reports -------------------------------------------------------------


def report_list(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_submit_report(request.user))
    reports = rules.visible_reports(request.user).select_related(
        "submitter_agency", "submitted_by"
    )
    status = request.GET.get("status", "")
    if status in IntelligenceReport.Status.values:
        reports = reports.filter(status=status)
    page = Paginator(reports.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit.record(
        by=request.user,
        action=Action.LIST,
        summary=s62.LIST_SUMMARY,
        detail={
            "report_ids": [report.pk for report in page.object_list],
            "operation": s62.CONSULTATION,
        },
    )
    return render(
        request,
        "disruption/report_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": IntelligenceReport.Status.choices,
            "is_intelligence": rules.is_intelligence(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    permissions.require(rules.may_submit_report(request.user))
    user = request.user
    form = forms.ReportForm(
        request.POST or None,
        initial={
            "submitter_contact": ", ".join(p for p in [user.phone, user.email] if p)
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.submit_report(by=user, report=form.save(commit=False))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            s62.remember_justification(
                request, report, purpose="own_report", text="Submitted this report"
            )
            messages.success(
                request, f"Report {report.reference} sent to police intelligence"
            )
            return redirect("disruption:report_detail", pk=report.pk)
    return render(request, "disruption/report_form.html", {"form": form})


def _justified(request: HttpRequest, report: IntelligenceReport):
    """The user's justification for reading this report (DPA 2018 s.62), or the page
    asking for it. Given once, it is kept for the session: opening the report again
    does not ask, but is logged again with it."""
    justification = s62.justification_for(request, report)
    if justification is not None:
        return justification
    posted = request.method == "POST" and request.POST.get("step") == "justify"
    form = forms.JustificationForm(request.POST if posted else None)
    if posted and form.is_valid():
        s62.remember_justification(
            request,
            report,
            purpose=form.cleaned_data["purpose"],
            text=form.cleaned_data["justification"],
        )
        return redirect(request.path)
    return render(
        request,
        "disruption/report_justify.html",
        {"form": form, "report": report},
    )


def _log_consultation(
    request: HttpRequest, report: IntelligenceReport, justification: dict
) -> None:
    audit.record(
        by=request.user,
        action=Action.VIEW,
        obj=report,
        summary=request.path,
        detail={"operation": s62.CONSULTATION, "justification": justification},
    )


@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = rules.get_report_or_404(request.user, pk)
    justification = _justified(request, report)
    if isinstance(justification, HttpResponse):
        return justification
    _log_consultation(request, report, justification)
    can_grade = rules.may_grade(request.user, report)
    attached = (
        list(
            report.report_subjects.filter(
                permissions.agency_access(request.user, "subject_id")
            ).select_related("subject")
        )
        if can_grade
        else []
    )
    return render(
        request,
        "disruption/report_detail.html",
        {
            "report": report,
            "can_grade": can_grade,
            "attached": attached,
            "attach_form": forms.AttachForm(user=request.user),
            "link_form": forms.LinkForm(user=request.user, report=report)
            if can_grade
            else None,
            "actioned_form": forms.ActionedForm(version_of=report),
        },
    )


@require_http_methods(["GET", "POST"])
def report_grade(request: HttpRequest, pk: int) -> HttpResponse:
    report = rules.get_report_or_404(request.user, pk)
    permissions.require(rules.may_grade(request.user, report))
    if request.method == "GET" or request.POST.get("step") == "justify":
        # The form shows the report's grading and sanitised text: a consultation.
        justification = _justified(request, report)
        if isinstance(justification, HttpResponse):
            return justification
        _log_consultation(request, report, justification)
    initial = {
        name: getattr(report, name)
        for name in (
            "source_evaluation",
            "assessment",
            "handling_code",
            "handling_conditions",
            "sanitised_text",
        )
    }
    form = forms.GradeForm(request.POST or None, initial=initial, version_of=report)
    if request.method == "POST" and form.is_valid():
        try:
            with concurrency.saving(form):
                services.grade_report(
                    by=request.user, report=report, **form.cleaned_data
                )
        except concurrency.EditConflict as conflict:
            return _conflict_page(
                request,
                conflict,
                subject=None,
                title="Grade the report (3x5x2)",
                caption=report.reference,
                back=reverse("disruption:report_detail", args=[report.pk]),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{report.reference} graded {report.grading}")
            return redirect("disruption:report_detail", pk=report.pk)
    return _form_page(
        request,
        form,
        title="Grade the report (3x5x2)",
        caption=report.reference,
        back=reverse("disruption:report_detail", args=[report.pk]),
    )


@require_POST
def report_attach(request: HttpRequest, pk: int) -> HttpResponse:
    report = rules.get_report_or_404(request.user, pk)
    permissions.require(rules.may_grade(request.user, report))
    form = forms.AttachForm(request.POST, user=request.user)
    if form.is_valid():
        subject = form.cleaned_data["reference"]
        services.attach_subject(by=request.user, report=report, subject=subject)
        messages.success(request, f"Linked to {subject.reference}")
        return redirect("disruption:report_detail", pk=report.pk)
    return _form_page(
        request,
        form,
        title="Link the report to a record",
        caption=report.reference,
        back=reverse("disruption:report_detail", args=[report.pk]),
        button="Link record",
    )


NEW_SUBJECT_FORMS = {
    "person": (forms.NewPersonForm, "Add a person of interest from this report"),
    "location": (forms.NewLocationForm, "Add a location from this report"),
    "vehicle": (forms.NewVehicleForm, "Add a vehicle from this report"),
}


@require_http_methods(["GET", "POST"])
def report_new_subject(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    report = rules.get_report_or_404(request.user, pk)
    if kind not in NEW_SUBJECT_FORMS:
        raise Http404("No such kind of record")
    permissions.require(
        rules.may_grade(request.user, report) and permissions.may_record(request.user)
    )
    form_class, title = NEW_SUBJECT_FORMS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subject = services.create_subject_from_report(
                by=request.user, report=report, subject=form.save(commit=False)
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Record {subject.reference} created and linked")
            return redirect("disruption:report_detail", pk=report.pk)
    return _form_page(
        request,
        form,
        title=title,
        caption=report.reference,
        back=reverse("disruption:report_detail", args=[report.pk]),
    )


@require_POST
def report_link(request: HttpRequest, pk: int) -> HttpResponse:
    report = rules.get_report_or_404(request.user, pk)
    permissions.require(rules.may_grade(request.user, report))
    form = forms.LinkForm(request.POST, user=request.user, report=report)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.link_from_report(
                by=request.user,
                report=report,
                from_subject=data["from_subject"].specific,
                to_subject=data["to_subject"].specific,
                kind=data["kind"],
                confidence=data["confidence"],
                notes=data["notes"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Link created with this report as its source")
            return redirect("disruption:report_detail", pk=report.pk)
    return _form_page(
        request,
        form,
        title="Link two records",
        caption=report.reference,
        back=reverse("disruption:report_detail", args=[report.pk]),
        button="Create link",
    )


@require_POST
def report_actioned(request: HttpRequest, pk: int) -> HttpResponse:
    report = rules.get_report_or_404(request.user, pk)
    permissions.require(rules.may_grade(request.user, report))
    form = forms.ActionedForm(request.POST, version_of=report)
    if form.is_valid():
        try:
            with concurrency.saving(form):
                services.mark_actioned(
                    by=request.user,
                    report=report,
                    action_taken=form.cleaned_data["action_taken"],
                )
        except concurrency.EditConflict as conflict:
            return _conflict_page(
                request,
                conflict,
                subject=None,
                title="Mark the report actioned",
                caption=report.reference,
                back=reverse("disruption:report_detail", args=[report.pk]),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{report.reference} marked as actioned")
            return redirect("disruption:report_detail", pk=report.pk)
    return _form_page(
        request,
        form,
        title="Mark the report actioned",
        caption=report.reference,
        back=reverse("disruption:report_detail", args=[report.pk]),
    )


# --- the s.62 log for the Information Commissioner -------------------------------------


@require_http_methods(["GET", "POST"])
@step_up_required
def intelligence_log(request: HttpRequest) -> HttpResponse:
    """Every logged operation on information reports over a period, as CSV."""
    permissions.require(rules.may_export_intelligence_log(request.user))
    form = forms.IntelligenceLogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        events = s62.logged_events(
            start=data["start"], end=data["end"], report=data["report"]
        )
        response = csv_attachment(
            f"intelligence-log-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.csv"
        )
        writer = SafeWriter(response)
        writer.writerow(s62.HEADER)
        count = 0
        for row in s62.export_rows(events):
            writer.writerow(row)
            count += 1
        audit.record(
            by=request.user,
            action=Action.EXPORT,
            obj=data["report"],
            summary="DPA 2018 s.62 intelligence log",
            detail={
                "start": data["start"].isoformat(),
                "end": data["end"].isoformat(),
                "report_id": data["report"].pk if data["report"] else None,
                "rows": count,
                "operation": s62.DISCLOSURE,
            },
        )
        return response
    return render(request, "disruption/intelligence_log.html", {"form": form})
