"""Writes for meetings. Each function is one transaction that checks the rule it
guards, audits, adds to the records' chronologies and notifies, so no view can forget
to."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Max
from django.urls import reverse
from django.utils import timezone

from cse import audit, permissions
from cse import services as core
from cse.models import (
    Agency,
    AuditEvent,
    Category,
    CategoryAssessment,
    Child,
    LocalArea,
    Referral,
    SharingDecision,
    Subject,
    SubjectAccess,
    User,
)
from cse.permissions import AgencyReader, Reader

from . import permissions as meeting_permissions
from .models import (
    Action,
    ActionReminder,
    ActionUpdate,
    AgendaItem,
    Attendance,
    Decision,
    ItemNote,
    Meeting,
    MeetingDocument,
    MeetingMember,
    MeetingType,
)

Audit = AuditEvent.Action
CIRCULATION_CONSENT_REASON = "Circulated for a multi-agency meeting"
ALREADY_ON_AGENDA = "This record is already on the agenda"


def _meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def _member_staff(meeting: Meeting, agency_ids: list[int] | None = None):
    ids = agency_ids or list(meeting.members.values_list("agency_id", flat=True))
    return User.objects.filter(
        agency_id__in=ids,
        is_active=True,
        role_assignments__role__in=permissions.CASEWORK_ROLES,
    ).distinct()


# --- meetings and agendas --------------------------------------------------------------


@transaction.atomic
def create_meeting(
    *,
    by: User,
    meeting_type: MeetingType,
    starts_at: datetime.datetime,
    venue: str = "",
    chair: User | None = None,
) -> Meeting:
    """A meeting of the organiser's area, with the area's agencies of the type's
    member kinds as core and virtual members, the type's standard agenda items, and
    the standing items carried over from the previous meeting of the same type."""
    permissions.require(meeting_permissions.may_organise(by))
    area = by.agency.local_area
    if chair is not None and not chair.has_role(meeting_type.chair_role):
        raise ValidationError({"chair": "Choose someone who holds the chair's role"})
    meeting = Meeting.objects.create(
        meeting_type=meeting_type,
        local_area=area,
        organiser_agency=by.agency,
        starts_at=starts_at,
        venue=venue,
        chair=chair,
        created_by=by,
    )
    agencies = Agency.objects.filter(local_area=area, is_active=True)
    for agency in agencies:
        if agency.kind in meeting_type.core_agency_kinds or agency.pk == by.agency_id:
            kind = MeetingMember.Kind.CORE
        elif agency.kind in meeting_type.virtual_agency_kinds:
            kind = MeetingMember.Kind.VIRTUAL
        else:
            continue
        MeetingMember.objects.create(meeting=meeting, agency=agency, kind=kind)
    for position, title in enumerate(meeting_type.standard_items, start=1):
        AgendaItem.objects.create(
            meeting=meeting,
            position=position * 10,
            section=AgendaItem.Section.STANDARD,
            title=title,
            added_by=by,
        )
    for previous_item in standing_items(meeting):
        # The referral travels with the record, so removing it later tells the referrer.
        _append_item(
            meeting=meeting,
            subject=previous_item.subject,
            by=by,
            referral=previous_item.referral,
            standing=True,
        )
    audit.record(by=by, action=Audit.CREATE, obj=meeting, summary=str(meeting))
    return meeting


def standing_items(meeting: Meeting) -> list[AgendaItem]:
    """Records discussed at the previous meeting of the same type and area whose
    latest decision did not take them off the list."""
    previous = (
        Meeting.objects.filter(
            meeting_type=meeting.meeting_type,
            local_area=meeting.local_area,
            starts_at__lt=meeting.starts_at,
        )
        .exclude(pk=meeting.pk)
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        return []
    kept = []
    items = previous.items.filter(subject__isnull=False).select_related(
        "subject", "referral"
    )
    for item in items.prefetch_related("decisions"):
        decisions = list(item.decisions.all())
        if decisions and decisions[-1].outcome in Decision.REMOVES:
            continue
        kept.append(item)
    return kept


def _append_item(
    *,
    meeting: Meeting,
    subject: Subject,
    by: User,
    referral: Referral | None = None,
    standing: bool = False,
    late: bool = False,
) -> AgendaItem:
    if meeting.items.filter(subject=subject).exists():
        raise ValidationError(ALREADY_ON_AGENDA)
    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    try:
        # In a savepoint: a record added by someone else at the same moment (the
        # same referral accepted twice, or two referrals of one record) gets the
        # same answer as one added earlier, not an error page.
        with transaction.atomic():
            return AgendaItem.objects.create(
                meeting=meeting,
                position=last + 10,
                section=subject.kind,
                subject=subject,
                referral=referral,
                is_standing=standing,
                is_late_addition=late,
                added_by=by,
            )
    except IntegrityError:
        if meeting.items.filter(subject=subject).exists():
            raise ValidationError(ALREADY_ON_AGENDA) from None
        raise


def triage_queue(meeting: Meeting, reader: Reader):
    """Referrals to this meeting's forum in its area waiting for a decision, each
    with `reader_sees`: whether the reader may see the referred record (the referral
    itself shares it with the forum's organising agency, see
    `forum_administrators`). Where they may not, neither the record's name nor its
    reference nor the synopsis may be shown."""
    return (
        Referral.objects.filter(
            local_area=meeting.local_area,
            forum=meeting.meeting_type.forum,
            status__in=[Referral.Status.PENDING, Referral.Status.DEFERRED],
        )
        .annotate(
            reader_sees=ExpressionWrapper(
                permissions.agency_access(reader, "subject_id"),
                output_field=BooleanField(),
            )
        )
        .select_related("subject", "referred_by_agency")
        .order_by("-is_urgent", "referred_at", "pk")
    )


def forum_administrators(area: LocalArea, forum: str) -> list[Agency]:
    """The agencies that administer a forum's meetings in an area, with whom a
    referral to that forum is shared: the organisers of its meetings not yet held,
    or else the organiser of its latest meeting. None when the area has never had
    such a meeting (the triage pages then show the record as not shared)."""
    meetings = Meeting.objects.filter(local_area=area, meeting_type__forum=forum)
    upcoming = meetings.filter(
        status__in=[Meeting.Status.PLANNED, Meeting.Status.CIRCULATED]
    )
    ids = set(upcoming.values_list("organiser_agency_id", flat=True))
    if not ids:
        latest = meetings.order_by("-starts_at").first()
        ids = {latest.organiser_agency_id} if latest else set()
    return list(Agency.objects.filter(pk__in=ids).order_by("pk"))


class Triage:
    ACCEPT = "accept"
    DECLINE = "decline"
    DEFER = "defer"
    CHOICES = [
        (ACCEPT, "Accept onto this meeting's agenda"),
        (DEFER, "Defer to a later meeting"),
        (DECLINE, "Decline"),
    ]


@transaction.atomic
def triage_referral(
    *,
    by: User,
    meeting: Meeting,
    referral: Referral,
    decision: str,
    reason: str = "",
    urgent: bool = False,
) -> Referral:
    """Accept a referral onto the meeting's agenda, defer it, or decline it with a
    reason the referrer is told. Once the agenda has gone out (or its deadline has
    passed) only urgent additions are accepted, and they are marked as late.

    A late addition is not shared with the member agencies by accepting it: like
    every item it reaches them only by circulation ("circulate again"), which records
    the sharing decisions. Until then every page and document built for a member
    agency shows it as a record not shared with that agency."""
    permissions.require(meeting_permissions.can_run(by, meeting))
    if referral.status not in {Referral.Status.PENDING, Referral.Status.DEFERRED}:
        raise ValidationError("This referral has already been triaged")
    if (
        referral.local_area_id != meeting.local_area_id
        or referral.forum != meeting.meeting_type.forum
    ):
        raise ValidationError("This referral is not for this meeting")
    if meeting.status in {Meeting.Status.HELD, Meeting.Status.CLOSED}:
        raise ValidationError("This meeting has already been held")
    if decision == Triage.ACCEPT:
        late = meeting.circulated_at is not None or meeting.circulation_is_late()
        if late and not (urgent or referral.is_urgent):
            raise ValidationError(
                {
                    "urgent": "The agenda has closed: accept it only as an urgent late "
                    "addition, or defer it"
                }
            )
        _append_item(
            meeting=meeting,
            subject=referral.subject,
            by=by,
            referral=referral,
            late=late,
        )
        status = Referral.Status.ACCEPTED
        reason = reason or f"Accepted onto the agenda of {meeting}"
    elif decision == Triage.DEFER:
        status = Referral.Status.DEFERRED
    elif decision == Triage.DECLINE:
        if not reason.strip():
            raise ValidationError(
                {
                    "reason": "Enter the reason for declining, which the referrer will be told"
                }
            )
        status = Referral.Status.DECLINED
    else:
        raise ValidationError({"decision": "Select a decision"})
    return core.set_referral_status(
        by=by, referral=referral, status=status, reason=reason
    )


@transaction.atomic
def move_item(*, by: User, item: AgendaItem, direction: str) -> None:
    """Swap an item with its neighbour above or below."""
    permissions.require(meeting_permissions.can_run(by, item.meeting))
    items = list(item.meeting.items.order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(items):
        return
    items[index], items[other_index] = items[other_index], items[index]
    for position, entry in enumerate(items, start=1):
        if entry.position != position * 10:
            AgendaItem.objects.filter(pk=entry.pk).update(position=position * 10)


@transaction.atomic
def remove_item(*, by: User, item: AgendaItem) -> None:
    """Take an item off an agenda before anything is recorded against it; an
    accepted referral goes back to the queue."""
    permissions.require(meeting_permissions.can_run(by, item.meeting))
    if item.notes.exists() or item.decisions.exists() or item.actions.exists():
        raise ValidationError(
            "This item has notes, decisions or actions: record a decision instead"
        )
    if item.referral_id:
        core.set_referral_status(
            by=by, referral=item.referral, status=Referral.Status.PENDING
        )
    audit.record(
        by=by,
        action=Audit.CHANGE,
        obj=item.meeting,
        subject=item.subject_id,
        summary=f"agenda item removed: {item}",
    )
    item.delete()


# --- circulation -------------------------------------------------------------------------


@transaction.atomic
def allow_late_circulation(*, by: User, meeting: Meeting, reason: str) -> Meeting:
    """The chair allows the agenda to go out after its deadline; recorded."""
    permissions.require(meeting_permissions.is_chair(by, meeting))
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the agenda may go out late"})
    meeting.late_circulation_allowed_by = by
    meeting.late_circulation_allowed_at = timezone.now()
    meeting.late_circulation_reason = reason.strip()
    meeting.save(
        update_fields=[
            "late_circulation_allowed_by",
            "late_circulation_allowed_at",
            "late_circulation_reason",
        ]
    )
    audit.record(
        by=by,
        action=Audit.CHANGE,
        obj=meeting,
        summary="late circulation allowed",
        detail={"reason": meeting.late_circulation_reason},
    )
    return meeting


@transaction.atomic
def circulate_meeting(*, by: User, meeting: Meeting) -> int:
    """Send the agenda to the member agencies: each gets access to the items' records
    by a recorded sharing decision (context: meeting), and their staff are told.
    Refused after the circulation deadline unless the chair has allowed it late.
    Circulating again (after a late addition) shares only what is new.
    Returns the number of shares recorded."""
    permissions.require(meeting_permissions.can_run(by, meeting))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status in {Meeting.Status.HELD, Meeting.Status.CLOSED}:
        raise ValidationError("This meeting has already been held")
    if meeting.circulation_is_late() and meeting.late_circulation_allowed_at is None:
        raise ValidationError(
            f"The deadline for circulating this agenda was "
            f"{meeting.circulation_deadline:%d %B %Y}. The chair must allow a late "
            "circulation first."
        )
    members = list(meeting.members.select_related("agency"))
    subjects = [
        item.subject
        for item in meeting.items.filter(subject__isnull=False).select_related(
            "subject"
        )
    ]
    existing = set(
        SubjectAccess.objects.filter(
            subject__in=subjects, agency__in=[m.agency_id for m in members]
        ).values_list("subject_id", "agency_id")
    )
    shares = 0
    for member in members:
        for subject in subjects:
            if (subject.pk, member.agency_id) in existing:
                continue
            core.record_sharing_decision(
                by=by,
                subject=subject,
                agency=member.agency,
                decision=SharingDecision.Decision.SHARE,
                purpose=f"Agenda of {meeting} ({member.get_kind_display().lower()})",
                consent=SharingDecision.Consent.NOT_SOUGHT,
                consent_reason=CIRCULATION_CONSENT_REASON,
                context=SharingDecision.Context.MEETING,
                notify_recipients=False,  # members get one notice for the circulation
            )
            shares += 1
    now = timezone.now()
    newly = [m for m in members if m.circulated_at is None]
    MeetingMember.objects.filter(pk__in=[m.pk for m in newly]).update(circulated_at=now)
    if meeting.circulated_at is None:
        meeting.circulated_at = now
        meeting.status = Meeting.Status.CIRCULATED
        meeting.save(update_fields=["circulated_at", "status"])
    core.notify(
        users=_member_staff(meeting),
        message=f"The agenda of {meeting} has been circulated to your agency.",
        url=_meeting_url(meeting),
    )
    audit.record(
        by=by,
        action=Audit.SHARE,
        obj=meeting,
        summary=f"agenda circulated: {meeting}",
        detail={
            "agencies": [m.agency_id for m in members],
            "subjects": [s.pk for s in subjects],
            "late": meeting.circulation_is_late(),
        },
    )
    return shares


# --- in the meeting ----------------------------------------------------------------------


@transaction.atomic
def record_attendance(
    *,
    by: User,
    meeting: Meeting,
    name: str,
    agency: Agency,
    status: str,
    role: str = "",
    deputy_for: str = "",
    accepted_confidentiality: bool = False,
) -> Attendance:
    permissions.require(meeting_permissions.can_run(by, meeting))
    if not meeting.members.filter(agency=agency).exists():
        raise ValidationError({"agency": "Choose a member agency of this meeting"})
    if status == Attendance.Status.DEPUTY and not deputy_for.strip():
        raise ValidationError({"deputy_for": "Enter who they are deputising for"})
    if status != Attendance.Status.APOLOGIES and not accepted_confidentiality:
        raise ValidationError(
            {
                "accepted_confidentiality": "Confirm they have accepted the "
                "confidentiality statement"
            }
        )
    attendance = Attendance.objects.create(
        meeting=meeting,
        name=name.strip(),
        agency=agency,
        role=role.strip(),
        status=status,
        deputy_for=deputy_for.strip(),
        accepted_confidentiality_at=timezone.now()
        if accepted_confidentiality
        else None,
        recorded_by=by,
    )
    if meeting.status in {Meeting.Status.PLANNED, Meeting.Status.CIRCULATED}:
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
    audit.record(by=by, action=Audit.CREATE, obj=attendance, summary="attendance")
    return attendance


@transaction.atomic
def add_note(
    *, by: User, item: AgendaItem, kind: str, basis: str, text: str
) -> ItemNote:
    permissions.require(meeting_permissions.can_run(by, item.meeting))
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    note = ItemNote.objects.create(
        item=item,
        kind=kind,
        basis=basis,
        text=text.strip(),
        agency=by.agency,
        recorded_by=by,
    )
    audit.record(by=by, action=Audit.CREATE, obj=note, subject=item.subject_id)
    return note


@transaction.atomic
def record_decision(
    *,
    by: User,
    item: AgendaItem,
    outcome: str,
    rationale: str,
    category_reviewed: int | None = None,
    next_review_on: datetime.date | None = None,
    refer_to: str = "",
) -> Decision:
    """The meeting's decision on a record: the reviewed category goes into the
    child's category history; for meetings that review plans, the next review is at
    most three months after this one; taking a record off the standing list needs the
    record's actions completed and tells the referrer (via the referral's closure)."""
    meeting = item.meeting
    permissions.require(meeting_permissions.can_run(by, meeting))
    errors = {}
    if not rationale.strip():
        errors["rationale"] = "Enter the rationale for the decision"
    limit = meeting.review_limit
    subject = item.subject
    if limit and subject is not None and outcome == Decision.Outcome.CONTINUE:
        next_review_on = next_review_on or limit
        if next_review_on > limit:
            errors["next_review_on"] = (
                f"The next review must be by {limit:%d %B %Y}, at most 3 months after "
                "this meeting"
            )
        elif next_review_on < meeting.day:
            errors["next_review_on"] = "The next review must be after this meeting"
    if outcome in Decision.REMOVES and subject is not None:
        open_actions = Action.objects.filter(
            subject=subject,
            status=Action.Status.OPEN,
            meeting__meeting_type__forum=meeting.meeting_type.forum,
            meeting__local_area=meeting.local_area,
        )
        if open_actions.exists():
            errors["outcome"] = (
                "Complete or dismiss this record's open actions before removing it "
                "from the list"
            )
    if outcome == Decision.Outcome.ESCALATE and not refer_to:
        errors["refer_to"] = "Select the meeting to refer to"
    if category_reviewed is not None and (
        subject is None or subject.kind != Subject.Kind.CHILD
    ):
        errors["category_reviewed"] = "Only a child has a CSE category"
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        item=item,
        outcome=outcome,
        rationale=rationale.strip(),
        category_reviewed=category_reviewed,
        next_review_on=next_review_on if outcome == Decision.Outcome.CONTINUE else None,
        decided_by=by,
    )
    if subject is not None:
        if category_reviewed is not None:
            core.record_category(
                by=by,
                child=Child.objects.get(pk=subject.pk),
                category=category_reviewed,
                assessed_on=min(meeting.day, timezone.localdate()),
                source=CategoryAssessment.Source.MEETING,
                rationale=f"{meeting}: {rationale.strip()}",
                source_obj=decision,
            )
        core.add_chronology_entry(
            subject=subject,
            occurred_at=decision.decided_at,
            kind="meeting",
            title=f"{meeting}: {decision.get_outcome_display().lower()}",
            description=decision.rationale,
            by=by,
            source=decision,
        )
        if outcome in Decision.REMOVES and item.referral_id:
            core.set_referral_status(
                by=by,
                referral=item.referral,
                status=Referral.Status.CLOSED,
                reason=f"Removed from the list by {meeting}: {decision.rationale}",
            )
        if outcome == Decision.Outcome.ESCALATE:
            core.create_referral(
                by=by,
                subject=subject,
                forum=refer_to,
                source=Referral.Source.MEETING,
                synopsis=f"Referred by {meeting}: {decision.rationale}",
                local_area=meeting.local_area,
                source_obj=decision,
            )
    audit.record(
        by=by,
        action=Audit.CREATE,
        obj=decision,
        subject=item.subject_id,
        summary=decision.outcome,
    )
    return decision


@transaction.atomic
def add_action(
    *,
    by: User,
    meeting: Meeting,
    description: str,
    assigned_agency: Agency,
    due_on: datetime.date,
    item: AgendaItem | None = None,
    assigned_to: User | None = None,
) -> Action:
    permissions.require(meeting_permissions.can_run(by, meeting))
    errors = {}
    if not description.strip():
        errors["description"] = "Enter what is to be done"
    if not meeting.members.filter(agency=assigned_agency).exists():
        errors["assigned_agency"] = "Choose a member agency of this meeting"
    if assigned_to is not None and assigned_to.agency_id != assigned_agency.pk:
        errors["assigned_to"] = (
            "Choose someone from the agency the action is assigned to"
        )
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(
        meeting=meeting,
        item=item,
        subject=item.subject if item else None,
        description=description.strip(),
        assigned_agency=assigned_agency,
        assigned_to=assigned_to,
        due_on=due_on,
        created_by=by,
    )
    audit.record(
        by=by,
        action=Audit.CREATE,
        obj=action,
        subject=action.subject_id,
        summary="action",
    )
    owners = (
        [assigned_to]
        if assigned_to
        else list(_member_staff(meeting, [assigned_agency.pk]))
    )
    core.notify(
        users=owners,
        message=f"A new action from {meeting} is assigned to you, due {due_on:%d %B %Y}.",
        url=reverse("meetings:action_detail", args=[meeting.pk, action.pk]),
    )
    return action


@transaction.atomic
def add_action_update(*, by: User, action: Action, text: str) -> ActionUpdate:
    """The action's owners say what has been done, dated, before the next meeting."""
    permissions.require(meeting_permissions.can_update_action(by, action))
    if not text.strip():
        raise ValidationError({"text": "Enter the update"})
    if action.status != Action.Status.OPEN:
        raise ValidationError("This action is closed")
    update = ActionUpdate.objects.create(
        action=action, text=text.strip(), recorded_by=by, agency=by.agency
    )
    audit.record(by=by, action=Audit.CREATE, obj=update, subject=action.subject_id)
    return update


@transaction.atomic
def close_action(*, by: User, action: Action, status: str, note: str = "") -> Action:
    """Only the chair closes (completed) or dismisses an action."""
    permissions.require(meeting_permissions.is_chair(by, action.meeting))
    if status not in {Action.Status.COMPLETED, Action.Status.DISMISSED}:
        raise ValidationError({"status": "Select completed or dismissed"})
    if action.status != Action.Status.OPEN:
        raise ValidationError("This action is already closed")
    if status == Action.Status.DISMISSED and not note.strip():
        raise ValidationError({"note": "Enter why the action is dismissed"})
    action.status = status
    action.closed_by = by
    action.closed_at = timezone.now()
    action.closure_note = note.strip()
    action.save(update_fields=["status", "closed_by", "closed_at", "closure_note"])
    audit.record(
        by=by,
        action=Audit.CHANGE,
        obj=action,
        subject=action.subject_id,
        changes={"status": [Action.Status.OPEN, status]},
    )
    return action


@transaction.atomic
def approve_minutes(*, by: User, meeting: Meeting) -> Meeting:
    """The chair approves the minutes drafted from the record; members are told
    they can read them."""
    permissions.require(meeting_permissions.is_chair(by, meeting))
    if meeting.minutes_approved_at:
        raise ValidationError("The minutes are already approved")
    if not meeting.attendance.exists():
        raise ValidationError("Record the attendance before approving the minutes")
    meeting.minutes_approved_by = by
    meeting.minutes_approved_at = timezone.now()
    meeting.status = Meeting.Status.CLOSED
    meeting.save(update_fields=["minutes_approved_by", "minutes_approved_at", "status"])
    audit.record(by=by, action=Audit.CHANGE, obj=meeting, summary="minutes approved")
    core.notify(
        users=_member_staff(meeting),
        message=f"The minutes of {meeting} are approved and circulated.",
        url=_meeting_url(meeting),
    )
    return meeting


# --- documents and reminders --------------------------------------------------------------


@transaction.atomic
def request_document(*, by: User, meeting: Meeting, kind: str) -> MeetingDocument:
    """Queue a PDF for the requester's agency to render in the background (after
    this transaction commits). It is built as that agency may see the records, and
    only its staff may download it: the organisers get theirs, a member agency its
    own once the agenda has been circulated to it, and minutes once approved."""
    from .tasks import render_document

    permissions.require(meeting_permissions.sees_items(by, meeting))
    if kind not in MeetingDocument.Kind.values:
        raise ValidationError({"kind": "Choose a document"})
    if not meeting_permissions.sees_items(AgencyReader(by.agency), meeting):
        raise ValidationError("The agenda has not been circulated to your agency yet")
    if kind == MeetingDocument.Kind.MINUTES and not meeting.minutes_approved_at:
        raise ValidationError("The minutes are not approved yet")
    document = MeetingDocument.objects.create(
        meeting=meeting, kind=kind, agency=by.agency, requested_by=by
    )
    render_document.delay_on_commit(document.pk)
    return document


def requeue_waiting_documents(*, waiting_longer_than: datetime.timedelta) -> int:
    """Enqueue again the documents still waiting to render after a while: their
    message was lost (the broker was down when they were asked for, or a worker died
    with it). Rendering claims a document under a row lock, so a repeat is harmless."""
    from .tasks import render_document

    stale = MeetingDocument.objects.filter(
        status=MeetingDocument.Status.QUEUED,
        requested_at__lt=timezone.now() - waiting_longer_than,
    ).values_list("pk", flat=True)
    return sum(render_document.enqueue_best_effort((pk,), {}) for pk in stale)


def send_overdue_reminders(today: datetime.date | None = None) -> int:
    """Remind the owners of each overdue open action, once. The unique reminder row,
    claimed under a row lock that skips rows another worker holds, makes repeats and
    concurrent runs harmless."""
    today = today or timezone.localdate()
    sent = 0
    candidates = Action.objects.filter(
        status=Action.Status.OPEN, due_on__lt=today, reminder__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            action = (
                Action.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, status=Action.Status.OPEN)
                .select_related("meeting__meeting_type", "assigned_to")
                .first()
            )
            if action is None or ActionReminder.objects.filter(action=action).exists():
                continue
            ActionReminder.objects.create(action=action)
            owners = (
                [action.assigned_to]
                if action.assigned_to_id
                else list(_member_staff(action.meeting, [action.assigned_agency_id]))
            )
            core.notify(
                users=owners,
                message=(
                    f"Action {action.pk} from {action.meeting} was due on "
                    f"{action.due_on:%d %B %Y} and is still open: please add an update."
                ),
                url=reverse(
                    "meetings:action_detail", args=[action.meeting_id, action.pk]
                ),
            )
            sent += 1
    return sent


def default_category_choices() -> list[tuple[str, str]]:
    return [("", "Not reviewed")] + [(str(v), label) for v, label in Category.choices]
