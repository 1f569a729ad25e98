"""Writes for disruption. Each function is one transaction that checks the rule,
audits, adds to the records' chronologies and keeps the "CAWN in force" flag."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cse import audit, permissions, uploads
from cse import services as core
from cse.dates import add_months
from cse.models import (
    AuditEvent,
    Child,
    ChildFlag,
    ChronologyEntry,
    Link,
    PersonOfInterest,
    Subject,
    User,
)
from disruption import cawn_rules
from disruption import permissions as rules
from disruption.models import (
    Cawn,
    CawnBreach,
    DisruptionTactic,
    IntelligenceReport,
    Plan,
    PlanReview,
    ReportSubject,
    TacticType,
    default_review_on,
)

Action = AuditEvent.Action
MENTION = ChronologyEntry.MENTION
MAX_SIGNED_COPY_BYTES = 10 * 1024 * 1024
SIGNED_COPY_TYPES = uploads.SCAN_TYPES


# --- notices -------------------------------------------------------------------------


def _other_party(cawn: Cawn, subject: Subject) -> Subject:
    """The notice's other party, named on `subject`'s chronology for each reader."""
    return cawn.child if subject.pk == cawn.person_id else cawn.person


def _phones(area) -> str:
    parts = [
        (
            area.children_services_department or "Children's services",
            area.children_services_phone,
        ),
        ("Out of hours", area.out_of_hours_phone),
        ("CSE team", area.cse_team_phone),
        ("Police", area.police_phone or "101"),
    ]
    return "; ".join(f"{label} {number}" for label, number in parts if number)


@transaction.atomic
def issue_cawn(
    *,
    by: User,
    person: PersonOfInterest,
    child: Child,
    issue_date: datetime.date,
    child_name: str,
    parental_responsibility: str,
    recipient_name: str,
    recipient_date_of_birth: datetime.date | None,
    recipient_address: str,
) -> Cawn:
    """Prepare a notice for printing. The variant follows from the one rule in
    `disruption.cawn_rules`; when it allows none, nothing is created."""
    permissions.require(permissions.can_add_to(by, person))
    permissions.require(permissions.can_see(by, child))
    decision = cawn_rules.decide_for(child, issue_date)
    if not decision.allowed:
        raise ValidationError({"child": decision.reason})
    permissions.require(rules.may_issue(by, decision))
    area = child.home_area or by.agency.local_area
    department = area.children_services_department or f"{area.name} children's services"
    if decision.variant == cawn_rules.Variant.LOOKED_AFTER:
        # The local authority holds parental responsibility; 6B speaks in its name.
        parental_responsibility = department
    errors = {}
    for name, value in (
        ("child_name", child_name),
        ("parental_responsibility", parental_responsibility),
        ("recipient_name", recipient_name),
        ("recipient_address", recipient_address),
    ):
        if not value.strip():
            errors[name] = {
                "child_name": "Enter the child's name as the recipient knows it",
                "parental_responsibility": "Enter the person or department with parental responsibility",
                "recipient_name": "Enter the recipient's name",
                "recipient_address": "Enter the recipient's address",
            }[name]
    if errors:
        raise ValidationError(errors)
    cawn = Cawn.objects.create(
        person=person,
        child=child,
        local_area=area,
        variant=decision.variant,
        cites_section_2=decision.cites_section_2,
        issue_date=issue_date,
        ends_on=decision.ends_on,
        child_name=child_name.strip(),
        child_age=decision.age,
        child_date_of_birth=child.date_of_birth,
        parental_responsibility=parental_responsibility.strip(),
        department_name=department,
        contact_phones=_phones(area),
        recipient_name=recipient_name.strip(),
        recipient_date_of_birth=recipient_date_of_birth,
        recipient_address=recipient_address.strip(),
        officer_name=by.get_full_name() or by.get_username(),
        officer_collar_number=by.collar_number,
        officer_station=by.station or str(by.agency),
        issued_by=by,
        issuing_agency=by.agency,
    )
    for subject in (person, child):
        core.add_chronology_entry(
            subject=subject,
            occurred_at=cawn.created_at,
            kind="cawn",
            title=f"Child abduction warning notice {cawn.reference} prepared, "
            f"concerning {MENTION}",
            by=by,
            source=cawn,
            mentions=_other_party(cawn, subject),
        )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=cawn,
        subject=person,
        summary=f"{cawn.reference} prepared ({cawn.variant})",
        detail={"child": child.pk},
    )
    return cawn


def check_signed_copy(upload: UploadedFile) -> str:
    """The upload's real type (read from its content, not its name or the browser's
    claim): a PDF, JPG or PNG under the size limit that really is one, with nothing
    in it that runs (cse.uploads). Returns the MIME type."""
    return uploads.check_upload(
        upload,
        field="signed_copy",
        what="The signed copy",
        max_bytes=MAX_SIGNED_COPY_BYTES,
        types=SIGNED_COPY_TYPES,
    )


def _store_signed_copy(cawn: Cawn, upload: UploadedFile) -> None:
    """Store the checked upload as the notice's signed copy. A copy it replaces is
    deleted once the change is committed (kept if the transaction rolls back)."""
    mime = check_signed_copy(upload)
    name = f"disruption/cawns/{uuid.uuid4().hex}.{SIGNED_COPY_TYPES[mime]}"
    saved = default_storage.save(name, ContentFile(upload.read()))
    replaced = cawn.signed_copy
    cawn.signed_copy = saved
    cawn.signed_copy_type = mime
    if replaced and replaced != saved:
        transaction.on_commit(lambda: default_storage.delete(replaced))


@transaction.atomic
def serve_cawn(
    *,
    by: User,
    cawn: Cawn,
    served_at: datetime.datetime,
    photograph_shown: bool,
    knowledge_verified_by: str,
    signature: str,
    refusal_reason: str,
    review_on: datetime.date | None,
    signed_copy: UploadedFile | None = None,
) -> Cawn:
    """Record that the notice was served: from now it is in force, and the child
    carries the "CAWN in force" flag."""
    permissions.require(rules.may_manage_cawn(by, cawn))
    if cawn.status != Cawn.Status.ISSUED:
        raise ValidationError("This notice has already been served or has ended")
    errors = {}
    if served_at > timezone.now():
        errors["served_at"] = "The time served must be in the past"
    elif served_at.date() < cawn.issue_date - datetime.timedelta(days=1):
        errors["served_at"] = "The time served must be on or after the issue date"
    if not photograph_shown and not knowledge_verified_by.strip():
        errors["knowledge_verified_by"] = (
            "Enter how you verified that the person knows which child is meant"
        )
    if signature == Cawn.Signature.REFUSED and not refusal_reason.strip():
        errors["refusal_reason"] = "Enter the reason given for refusing to sign"
    review_on = review_on or default_review_on(served_at.date())
    if review_on <= served_at.date():
        errors["review_on"] = "The review date must be after the day it was served"
    if signed_copy is not None:
        try:
            check_signed_copy(signed_copy)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if signed_copy is not None:
        _store_signed_copy(cawn, signed_copy)
    cawn.status = Cawn.Status.SERVED
    cawn.served_at = served_at
    cawn.served_by = by
    cawn.photograph_shown = photograph_shown
    cawn.knowledge_verified_by = knowledge_verified_by.strip()
    cawn.signature = signature
    cawn.refusal_reason = (
        refusal_reason.strip() if signature == Cawn.Signature.REFUSED else ""
    )
    cawn.review_on = review_on
    cawn.flag = _flag_child(cawn, by=by)
    cawn.save(
        update_fields=[
            "status",
            "served_at",
            "served_by",
            "photograph_shown",
            "knowledge_verified_by",
            "signature",
            "refusal_reason",
            "review_on",
            "flag",
            "signed_copy",
            "signed_copy_type",
        ]
    )
    for subject in (cawn.person, cawn.child):
        core.add_chronology_entry(
            subject=subject,
            occurred_at=served_at,
            kind="cawn",
            title=f"Child abduction warning notice {cawn.reference} served, "
            f"concerning {MENTION}",
            description=cawn.get_signature_display(),
            by=by,
            source=cawn,
            mentions=_other_party(cawn, subject),
        )
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=cawn,
        subject=cawn.person,
        summary=f"{cawn.reference} served",
        changes={"status": [Cawn.Status.ISSUED, Cawn.Status.SERVED]},
    )
    return cawn


def _flag_child(cawn: Cawn, *, by: User) -> ChildFlag:
    """One "CAWN in force" flag per child, shared by every notice in force for it.

    Set in the server's name (`by`): core's set_flag(by=None) fails its own
    full_clean (ChildFlag.set_by is not blank=True), so the system cannot set it."""
    existing = cawn.child.flags.filter(
        kind=ChildFlag.Kind.CAWN_IN_FORCE, removed_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return core.set_flag(
        by=by,
        child=cawn.child,
        kind=ChildFlag.Kind.CAWN_IN_FORCE,
        # The person is not named: the flag is read by everyone who sees the child,
        # and the person may be a record their agency does not hold.
        reason=f"Child abduction warning notice {cawn.reference} served.",
        set_on=timezone.localdate(),
    )


@transaction.atomic
def upload_signed_copy(*, by: User, cawn: Cawn, signed_copy: UploadedFile) -> Cawn:
    permissions.require(rules.may_manage_cawn(by, cawn))
    if cawn.status == Cawn.Status.ISSUED:
        raise ValidationError("Record the service of the notice first")
    replacing = bool(cawn.signed_copy)
    _store_signed_copy(cawn, signed_copy)
    cawn.save(update_fields=["signed_copy", "signed_copy_type"])
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=cawn,
        subject=cawn.person,
        summary=f"{cawn.reference} signed copy "
        + ("replaced" if replacing else "uploaded"),
    )
    return cawn


@transaction.atomic
def record_breach(
    *,
    by: User,
    cawn: Cawn,
    occurred_on: datetime.date,
    details: str,
    outcome: str,
    outcome_details: str = "",
) -> CawnBreach:
    permissions.require(rules.may_manage_cawn(by, cawn))
    errors = {}
    if cawn.served_at is None:
        errors["occurred_on"] = "A notice can be breached only once it has been served"
    elif occurred_on < timezone.localtime(cawn.served_at).date():
        errors["occurred_on"] = (
            "The breach must be on or after the day the notice was served"
        )
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date of the breach must be today or in the past"
    if not details.strip():
        errors["details"] = "Enter the details of the breach"
    if outcome == CawnBreach.Outcome.OTHER and not outcome_details.strip():
        errors["outcome_details"] = "Enter the outcome"
    if errors:
        raise ValidationError(errors)
    breach = CawnBreach.objects.create(
        cawn=cawn,
        occurred_on=occurred_on,
        details=details.strip(),
        outcome=outcome,
        outcome_details=outcome_details.strip(),
        recorded_by=by,
    )
    for subject in (cawn.person, cawn.child):
        core.add_chronology_entry(
            subject=subject,
            occurred_at=timezone.now(),
            kind="cawn",
            title=f"Breach of {cawn.reference} concerning {MENTION}: "
            f"{breach.get_outcome_display()}",
            description=breach.details,
            by=by,
            source=breach,
            mentions=_other_party(cawn, subject),
        )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=breach,
        subject=cawn.person,
        summary=f"{cawn.reference} breach recorded",
    )
    return breach


def _end(cawn: Cawn, *, by: User | None, status: str, reason: str) -> Cawn:
    before = cawn.status
    cawn.status = status
    cawn.ended_at = timezone.now()
    cawn.ended_by = by
    cawn.end_reason = reason
    cawn.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    still_in_force = Cawn.objects.filter(
        child_id=cawn.child_id, status=Cawn.Status.SERVED
    ).exists()
    if cawn.flag_id and not still_in_force:
        flag = ChildFlag.objects.get(pk=cawn.flag_id)
        if flag.removed_at is None:
            core.remove_flag(by=None, flag=flag, reason=f"{cawn.reference}: {reason}")
    for subject in (cawn.person, cawn.child):
        core.add_chronology_entry(
            subject=subject,
            occurred_at=cawn.ended_at,
            kind="cawn",
            title=f"Child abduction warning notice {cawn.reference} "
            f"{cawn.get_status_display().lower()}, concerning {MENTION}",
            description=reason,
            by=by,
            source=cawn,
            mentions=_other_party(cawn, subject),
        )
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=cawn,
        subject=cawn.person,
        summary=f"{cawn.reference} {status}",
        changes={"status": [before, status]},
    )
    return cawn


@transaction.atomic
def withdraw_cawn(*, by: User, cawn: Cawn, reason: str) -> Cawn:
    permissions.require(rules.may_manage_cawn(by, cawn))
    if not cawn.is_open:
        raise ValidationError("This notice has already ended")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the notice is being withdrawn"})
    return _end(cawn, by=by, status=Cawn.Status.WITHDRAWN, reason=reason.strip())


def expire_cawns(*, today: datetime.date | None = None) -> int:
    """End every open notice whose child has reached the notice's age limit. Each
    notice is ended in its own transaction, locked, so that two runs (or a run
    after a worker died) end each once."""
    today = today or timezone.localdate()
    ended = 0
    due = Cawn.objects.filter(
        status__in=[Cawn.Status.ISSUED, Cawn.Status.SERVED], ends_on__lte=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            cawn = (
                Cawn.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status__in=[Cawn.Status.ISSUED, Cawn.Status.SERVED])
                .first()
            )
            if cawn is None:
                continue
            _end(
                cawn,
                by=None,
                status=Cawn.Status.EXPIRED,
                reason=f"The child reached {cawn.age_limit} on {cawn.ends_on:%d/%m/%Y}.",
            )
            ended += 1
    return ended


# --- tactics -------------------------------------------------------------------------


@transaction.atomic
def record_tactic(
    *, by: User, subject: Subject, tactic: DisruptionTactic
) -> DisruptionTactic:
    permissions.require(rules.may_record_disruption(by, subject))
    if not tactic.tactic.applies_to_kind(subject.kind):
        raise ValidationError(
            {
                "tactic": f"{tactic.tactic} is not used against a {subject.get_kind_display().lower()}"
            }
        )
    tactic.subject = subject
    tactic.recorded_by = by
    tactic.full_clean()
    tactic.save()
    core.add_chronology_entry(
        subject=subject,
        occurred_at=timezone.now(),
        kind="disruption",
        title=f"Disruption: {tactic.tactic} ({tactic.get_status_display().lower()})",
        description=tactic.details,
        by=by,
        source=tactic,
    )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=tactic,
        subject=subject,
        summary=tactic.tactic.code,
    )
    return tactic


@transaction.atomic
def update_tactic(
    *,
    by: User,
    tactic: DisruptionTactic,
    status: str,
    ends_on: datetime.date | None,
    outcome: str,
) -> DisruptionTactic:
    permissions.require(rules.may_record_disruption(by, tactic.subject))
    before = audit.snapshot(tactic, ["status", "ends_on", "outcome"])
    tactic.status = status
    tactic.ends_on = ends_on
    tactic.outcome = outcome.strip()
    tactic.updated_at = timezone.now()
    tactic.full_clean()
    tactic.save(update_fields=["status", "ends_on", "outcome", "updated_at"])
    changes = audit.diff(
        before, audit.snapshot(tactic, ["status", "ends_on", "outcome"])
    )
    if changes:
        core.add_chronology_entry(
            subject=tactic.subject,
            occurred_at=tactic.updated_at,
            kind="disruption",
            title=f"Disruption: {tactic.tactic} now {tactic.get_status_display().lower()}",
            description=tactic.outcome,
            by=by,
            source=tactic,
        )
        audit.record(
            by=by,
            action=Action.CHANGE,
            obj=tactic,
            subject=tactic.subject_id,
            changes=changes,
        )
    return tactic


def _in_areas(field: str, local_area_ids) -> Q:
    return Q() if local_area_ids is None else Q(**{f"{field}__in": local_area_ids})


def disruption_events(
    *,
    start: datetime.date,
    end: datetime.date,
    local_area_ids: list[int] | None = None,
    as_at: datetime.datetime | None = None,
) -> list[tuple[int, datetime.date, bool]]:
    """(person id, day, counts as a prosecution) for every disruption of a person of
    interest in the period: a tactic that took effect (by its start date) or a notice
    served. A person's area is their owning agency's for tactics and the notice's
    area for notices, so one person can be disrupted in two areas; callers count
    distinct ids. `local_area_ids=None` means every area. Two queries."""
    tactics = DisruptionTactic.objects.filter(
        _in_areas("subject__owner_agency__local_area_id", local_area_ids),
        subject__kind=Subject.Kind.PERSON,
        status__in=DisruptionTactic.EFFECTIVE,
        started_on__range=(start, end),
    )
    notices = Cawn.objects.filter(
        _in_areas("local_area_id", local_area_ids),
        served_at__date__range=(start, end),
    )
    if as_at is not None:
        tactics = tactics.filter(recorded_at__lte=as_at)
        notices = notices.filter(served_at__lte=as_at)
    events = [
        (person, day, bool(prosecution))
        for person, day, prosecution in tactics.values_list(
            "subject_id", "started_on", "tactic__counts_as_prosecution"
        )
    ]
    events += [
        (person, timezone.localtime(served).date(), False)
        for person, served in notices.values_list("person_id", "served_at")
    ]
    return events


def offenders_disrupted_ids(
    *,
    start: datetime.date,
    end: datetime.date,
    local_area_ids: list[int] | None = None,
    as_at: datetime.datetime | None = None,
) -> dict[str, set[int]]:
    """The distinct persons of interest disrupted and prosecuted in the period, in
    the given areas together (None: all areas): a person active in two areas is one
    person. Ids only; callers show persons through `cse.permissions.visible`."""
    events = disruption_events(
        start=start, end=end, local_area_ids=local_area_ids, as_at=as_at
    )
    return {
        "disrupted": {person for person, _day, _p in events},
        "prosecuted": {person for person, _day, prosecuted in events if prosecuted},
    }


def offenders_disrupted(
    *, local_area_id: int, start: datetime.date, end: datetime.date
) -> dict:
    """For the quarterly dataset: how many persons of interest of an area were
    disrupted (a tactic took effect, or a notice was served) or prosecuted (charge
    or conviction) in the period. Counts only, never identities."""
    ids = offenders_disrupted_ids(start=start, end=end, local_area_ids=[local_area_id])
    return {"disrupted": len(ids["disrupted"]), "prosecuted": len(ids["prosecuted"])}


# --- plans ---------------------------------------------------------------------------

ALREADY_PLANNED = "This record already has an open plan"
PLAN_KIND_OF = {
    Subject.Kind.PERSON: Plan.Kind.PERPETRATOR,
    Subject.Kind.LOCATION: Plan.Kind.LOCATIONAL,
}


@transaction.atomic
def start_plan(*, by: User, subject: Subject, plan: Plan) -> Plan:
    permissions.require(rules.may_record_disruption(by, subject))
    if subject.kind not in PLAN_KIND_OF:
        raise ValidationError("Plans are for persons of interest and locations")
    if Plan.objects.filter(subject=subject, deselected_on__isnull=True).exists():
        raise ValidationError(ALREADY_PLANNED)
    plan.subject = subject
    plan.kind = PLAN_KIND_OF[subject.kind]
    plan.owner_agency = by.agency
    plan.created_by = by
    if not plan.next_review_on:
        plan.next_review_on = add_months(plan.started_on, Plan.REVIEW_INTERVAL_MONTHS)
    plan.full_clean()
    if plan.next_review_on <= plan.started_on:
        raise ValidationError(
            {"next_review_on": "The next review must be after the start date"}
        )
    try:
        # In a savepoint: a plan started by someone else at the same moment gets the
        # same answer as one started earlier, not an error page.
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        if Plan.objects.filter(subject=subject, deselected_on__isnull=True).exists():
            raise ValidationError(ALREADY_PLANNED) from None
        raise
    core.add_chronology_entry(
        subject=subject,
        occurred_at=timezone.now(),
        kind="disruption",
        title=f"{plan.get_kind_display()} started",
        description=plan.actions,
        by=by,
        source=plan,
    )
    audit.record(
        by=by, action=Action.CREATE, obj=plan, subject=subject, summary=plan.kind
    )
    return plan


@transaction.atomic
def review_plan(
    *,
    by: User,
    plan: Plan,
    reviewed_on: datetime.date,
    progress: str,
    risk: str,
    next_review_on: datetime.date | None = None,
) -> PlanReview:
    permissions.require(rules.may_record_disruption(by, plan.subject))
    if not plan.is_open:
        raise ValidationError("This plan has been closed")
    next_review_on = next_review_on or add_months(
        reviewed_on, Plan.REVIEW_INTERVAL_MONTHS
    )
    errors = {}
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = "The review date must be today or in the past"
    if next_review_on <= reviewed_on:
        errors["next_review_on"] = "The next review must be after this review"
    if not progress.strip():
        errors["progress"] = "Enter the progress made"
    if errors:
        raise ValidationError(errors)
    review = PlanReview.objects.create(
        plan=plan,
        reviewed_on=reviewed_on,
        progress=progress.strip(),
        risk=risk,
        next_review_on=next_review_on,
        recorded_by=by,
    )
    plan.risk = risk
    plan.next_review_on = next_review_on
    plan.save(update_fields=["risk", "next_review_on"])
    core.add_chronology_entry(
        subject=plan.subject,
        occurred_at=timezone.now(),
        kind="disruption",
        title=f"{plan.get_kind_display()} reviewed",
        description=review.progress,
        by=by,
        source=review,
    )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=review,
        subject=plan.subject_id,
        summary="plan review",
    )
    return review


@transaction.atomic
def deselect_plan(
    *, by: User, plan: Plan, deselected_on: datetime.date, reason: str
) -> Plan:
    permissions.require(rules.may_record_disruption(by, plan.subject))
    if not plan.is_open:
        raise ValidationError("This plan has already been closed")
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for de-selection"})
    if deselected_on < plan.started_on:
        raise ValidationError(
            {"deselected_on": "De-selection must be on or after the start date"}
        )
    plan.deselected_on = deselected_on
    plan.deselection_reason = reason.strip()
    plan.deselected_by = by
    plan.save(update_fields=["deselected_on", "deselection_reason", "deselected_by"])
    core.add_chronology_entry(
        subject=plan.subject,
        occurred_at=timezone.now(),
        kind="disruption",
        title=f"{plan.get_kind_display()} closed: de-selected",
        description=plan.deselection_reason,
        by=by,
        source=plan,
    )
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=plan,
        subject=plan.subject_id,
        summary="plan de-selected",
    )
    return plan


# --- information reports -------------------------------------------------------------


@transaction.atomic
def submit_report(*, by: User, report: IntelligenceReport) -> IntelligenceReport:
    """Send a report to the police intelligence staff of the submitter's area. They
    are told by reference only."""
    permissions.require(rules.may_submit_report(by))
    report.submitted_by = by
    report.submitter_agency = by.agency
    report.local_area = by.agency.local_area
    if report.received_at and report.received_at > timezone.now():
        raise ValidationError(
            {"received_at": "The date and time received must be in the past"}
        )
    if report.licensed_premises and not report.premises_trading_name.strip():
        raise ValidationError(
            {"premises_trading_name": "Enter the trading name of the premises"}
        )
    if not (
        report.who_at_risk.strip()
        or report.who_putting_at_risk.strip()
        or report.where.strip()
    ):
        raise ValidationError(
            "Say who may be at risk, who may be putting them at risk, or where"
        )
    report.full_clean()
    report.save()
    analysts = list(
        User.objects.filter(
            agency__local_area=report.local_area,
            is_active=True,
            role_assignments__role=rules.Role.POLICE_INTELLIGENCE,
        )
        .exclude(pk=by.pk)
        .distinct()
    )
    # Collection, and disclosure to the area's analysts: s.62 wants the recipients.
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=report,
        summary=f"{report.reference} submitted",
        detail={
            "operation": "collection",
            "recipients": [user.get_username() for user in analysts],
        },
    )
    from django.urls import reverse

    core.notify(
        users=analysts,
        message=f"New information report {report.reference} to grade.",
        url=reverse("disruption:report_detail", args=[report.pk]),
    )
    return report


@transaction.atomic
def grade_report(
    *,
    by: User,
    report: IntelligenceReport,
    source_evaluation: str,
    assessment: str,
    handling_code: str,
    handling_conditions: str,
    sanitised_text: str,
) -> IntelligenceReport:
    """Grade with the national 3x5x2 model. Handling code C needs its conditions."""
    permissions.require(rules.may_grade(by, report))
    if (
        handling_code == IntelligenceReport.Handling.C
        and not handling_conditions.strip()
    ):
        raise ValidationError(
            {
                "handling_conditions": "Enter the conditions for sharing (handling code C)"
            }
        )
    before = audit.snapshot(
        report, ["source_evaluation", "assessment", "handling_code"]
    )
    report.source_evaluation = source_evaluation
    report.assessment = assessment
    report.handling_code = handling_code
    report.handling_conditions = (
        handling_conditions.strip()
        if handling_code == IntelligenceReport.Handling.C
        else ""
    )
    report.sanitised_text = sanitised_text.strip()
    report.graded_by = by
    report.graded_at = timezone.now()
    if report.status == IntelligenceReport.Status.SUBMITTED:
        report.status = IntelligenceReport.Status.GRADED
    report.full_clean()
    report.save(
        update_fields=[
            "source_evaluation",
            "assessment",
            "handling_code",
            "handling_conditions",
            "sanitised_text",
            "graded_by",
            "graded_at",
            "status",
        ]
    )
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=report,
        summary=f"{report.reference} graded {report.grading}",
        detail={"operation": "alteration"},
        changes=audit.diff(
            before,
            audit.snapshot(
                report, ["source_evaluation", "assessment", "handling_code"]
            ),
        ),
    )
    return report


def _report_source(report: IntelligenceReport) -> str:
    return f"Information report {report.reference}"


@transaction.atomic
def attach_subject(
    *, by: User, report: IntelligenceReport, subject: Subject, created: bool = False
) -> ReportSubject:
    """Record that a report concerns a record the analyst can see."""
    permissions.require(rules.may_grade(by, report))
    permissions.require(permissions.can_see(by, subject))
    row, made = ReportSubject.objects.get_or_create(
        report=report,
        subject=subject,
        defaults={"added_by": by, "created_from_report": created},
    )
    if made:
        core.add_chronology_entry(
            subject=subject,
            occurred_at=timezone.now(),
            kind="intelligence",
            title=f"Mentioned in {_report_source(report).lower()}",
            by=by,
            source=report,
        )
        audit.record(
            by=by,
            action=Action.CHANGE,
            obj=report,
            subject=subject,
            summary=f"{report.reference} linked to {subject.reference}",
            detail={"operation": "combination"},
        )
    return row


@transaction.atomic
def create_subject_from_report(
    *, by: User, report: IntelligenceReport, subject: Subject
) -> Subject:
    permissions.require(rules.may_grade(by, report))
    permissions.require(permissions.may_record(by))
    created = core.create_subject(
        by=by, subject=subject, context=f"created from {report.reference}"
    )
    attach_subject(by=by, report=report, subject=created, created=True)
    return created


@transaction.atomic
def link_from_report(
    *,
    by: User,
    report: IntelligenceReport,
    from_subject: Subject,
    to_subject: Subject,
    kind: str,
    confidence: str,
    notes: str = "",
) -> Link:
    """Link two records the report concerns, with the report as the link's source."""
    permissions.require(rules.may_grade(by, report))
    attached = set(report.report_subjects.values_list("subject_id", flat=True))
    if from_subject.pk not in attached or to_subject.pk not in attached:
        raise ValidationError("Link only records this report has been linked to")
    link = core.create_link(
        by=by,
        from_subject=from_subject,
        to_subject=to_subject,
        kind=kind,
        source=Link.Source.INFORMATION_REPORT,
        source_detail=_report_source(report),
        confidence=confidence,
        notes=notes,
    )
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=report,
        subject=from_subject,
        summary=(
            f"{report.reference}: linked {from_subject.reference} "
            f"to {to_subject.reference}"
        ),
        detail={"operation": "combination", "link_id": link.pk},
    )
    return link


@transaction.atomic
def mark_actioned(
    *, by: User, report: IntelligenceReport, action_taken: str
) -> IntelligenceReport:
    permissions.require(rules.may_grade(by, report))
    if not report.source_evaluation:
        raise ValidationError("Grade the report before marking it actioned")
    if not action_taken.strip():
        raise ValidationError({"action_taken": "Enter the action taken"})
    report.status = IntelligenceReport.Status.ACTIONED
    report.actioned_by = by
    report.actioned_at = timezone.now()
    report.action_taken = action_taken.strip()
    report.save(update_fields=["status", "actioned_by", "actioned_at", "action_taken"])
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=report,
        summary=f"{report.reference} actioned",
        detail={"operation": "alteration"},
    )
    return report


__all__ = [
    "TacticType",
    "attach_subject",
    "check_signed_copy",
    "create_subject_from_report",
    "deselect_plan",
    "disruption_events",
    "expire_cawns",
    "grade_report",
    "issue_cawn",
    "link_from_report",
    "mark_actioned",
    "offenders_disrupted",
    "offenders_disrupted_ids",
    "record_breach",
    "record_tactic",
    "review_plan",
    "serve_cawn",
    "start_plan",
    "submit_report",
    "update_tactic",
    "upload_signed_copy",
    "withdraw_cawn",
]
