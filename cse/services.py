"""Writes to the core records. Each function is one transaction that also audits,
adds to the chronology, grants access and notifies, so no caller can forget to."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from cse import audit, permissions
from cse.models import (
    Address,
    Agency,
    Alias,
    AuditEvent,
    CategoryAssessment,
    Child,
    ChildFlag,
    ChildPlan,
    ChronologyEntry,
    Link,
    LocalArea,
    Location,
    Notification,
    PersonOfInterest,
    PhoneNumber,
    Referral,
    Role,
    SharingDecision,
    Subject,
    SubjectAccess,
    User,
    Vehicle,
    WarningNote,
)
from cse.models.subjects import MAX_AGE
from cse.search import (
    build_search_text,
    format_postcode,
    normalise_phone,
    normalise_postcode,
    normalise_registration,
    possible_duplicate_children,
)

Action = AuditEvent.Action
KIND_OF_MODEL: dict[type[Subject], str] = {
    Child: Subject.Kind.CHILD,
    PersonOfInterest: Subject.Kind.PERSON,
    Location: Subject.Kind.LOCATION,
    Vehicle: Subject.Kind.VEHICLE,
}


# --- records -------------------------------------------------------------------------


def _check_child_age(child: Child) -> None:
    today = timezone.localdate()
    if child.date_of_birth:
        if child.date_of_birth > today:
            raise ValidationError(
                {"date_of_birth": "Date of birth must be in the past"}
            )
        if (child.age_on(today) or 0) > MAX_AGE:
            raise ValidationError(
                {
                    "date_of_birth": f"A young person must be {MAX_AGE} or under to be recorded here"
                }
            )


def _before_save(subject: Subject) -> None:
    if isinstance(subject, Child):
        _check_child_age(subject)
    if isinstance(subject, Vehicle):
        subject.registration_normalised = normalise_registration(subject.registration)
    if isinstance(subject, Location):
        subject.postcode = format_postcode(subject.postcode)


@transaction.atomic
def create_subject(
    *,
    by: User | None,
    subject: Subject,
    aliases: Sequence[str] = (),
    owner_agency: Agency | None = None,
    context: str = "created",
) -> Subject:
    """Save a new child, person of interest, location or vehicle, owned by the
    creator's agency (or `owner_agency`, for imports), visible to that agency alone."""
    owner = owner_agency or (by.agency if by else None)
    if owner is None:
        raise ValidationError("Only a member of an agency can create records")
    subject.kind = KIND_OF_MODEL[type(subject)]
    subject.owner_agency = owner
    subject.created_by = by
    _before_save(subject)
    subject.full_clean(exclude=["owner_agency", "kind", "created_by"])
    subject.save()
    for name in aliases:
        if name.strip():
            Alias.objects.create(subject=subject, name=name.strip())
    _refresh_search_text(subject)
    SubjectAccess.objects.create(
        agency=owner,
        subject=subject,
        kind=subject.kind,
        basis=SubjectAccess.Basis.OWNER,
    )
    add_chronology_entry(
        subject=subject,
        occurred_at=subject.created_at,
        kind="record",
        title=f"Record {context} by {owner}",
        by=by,
        agency=owner,
    )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=subject,
        summary=f"{context} {subject.reference}",
    )
    return subject


@transaction.atomic
def update_subject(*, by: User, subject: Subject, fields: dict) -> Subject:
    """Change a record's details, keeping the before and after in the audit trail.
    Only `fields` (and what follows from them) are written: a column the form did
    not edit keeps whatever someone else saved there meanwhile."""
    permissions.require(permissions.can_edit(by, subject))
    before = audit.snapshot(subject, fields.keys())
    for name, value in fields.items():
        setattr(subject, name, value)
    _before_save(subject)
    subject.full_clean(exclude=["owner_agency", "kind", "created_by"])
    subject.updated_at = timezone.now()
    derived = ["registration_normalised"] if isinstance(subject, Vehicle) else []
    subject.save(update_fields=[*fields, *derived, "updated_at"])
    _refresh_search_text(subject)
    changes = audit.diff(before, audit.snapshot(subject, fields.keys()))
    if changes:
        audit.record(by=by, action=Action.CHANGE, obj=subject, changes=changes)
    return subject


def _refresh_search_text(subject: Subject) -> None:
    text = build_search_text(subject)
    if text != subject.search_text:
        subject.search_text = text
        Subject.objects.filter(pk=subject.pk).update(search_text=text)


@transaction.atomic
def add_alias(*, by: User, subject: Subject, name: str, notes: str = "") -> Alias:
    permissions.require(permissions.can_add_to(by, subject))
    alias = Alias.objects.create(subject=subject, name=name.strip(), notes=notes)
    _refresh_search_text(subject)
    audit.record(
        by=by, action=Action.CREATE, obj=alias, subject=subject, summary="alias added"
    )
    return alias


@transaction.atomic
def add_address(*, by: User, subject: Subject, address: Address) -> Address:
    permissions.require(permissions.can_add_to(by, subject))
    address.subject = subject
    address.postcode = format_postcode(address.postcode)
    address.postcode_normalised = normalise_postcode(address.postcode)
    address.full_clean()
    address.save()
    _refresh_search_text(subject)
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=address,
        subject=subject,
        summary="address added",
    )
    return address


@transaction.atomic
def add_phone_number(
    *, by: User, subject: Subject, number: str, notes: str = ""
) -> PhoneNumber:
    permissions.require(permissions.can_add_to(by, subject))
    phone = PhoneNumber.objects.create(
        subject=subject,
        number=number,
        number_normalised=normalise_phone(number),
        notes=notes,
    )
    _refresh_search_text(subject)
    audit.record(
        by=by, action=Action.CREATE, obj=phone, subject=subject, summary="phone added"
    )
    return phone


# --- duplicates ------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateCheck:
    visible: list[Child]
    hidden_count: int
    hidden: list[Child]


def check_new_child(
    *, by: User, forename: str, surname: str, date_of_birth: datetime.date | None
) -> DuplicateCheck:
    """Possible existing records of a child about to be created.

    The user sees only matches their agency may see. Matches held by other agencies
    are never revealed to the user; instead their owners are told, once the new record
    exists, so they can decide whether to share (see `notify_hidden_duplicates`).
    """
    matches = possible_duplicate_children(
        by=by, forename=forename, surname=surname, date_of_birth=date_of_birth
    )
    visible_ids = set(
        permissions.visible_children(by)
        .filter(pk__in=[c.pk for c in matches])
        .values_list("pk", flat=True)
    )
    visible = [child for child in matches if child.pk in visible_ids]
    hidden = [child for child in matches if child.pk not in visible_ids]
    return DuplicateCheck(visible=visible, hidden_count=len(hidden), hidden=hidden)


def notify_hidden_duplicates(
    *, by: User, child: Child, hidden: Iterable[Child]
) -> None:
    """Tell the CSE coordinators of agencies holding a possible match that another
    agency has just recorded what may be the same child (references only)."""
    by_agency: dict[int, list[Child]] = {}
    for match in hidden:
        by_agency.setdefault(match.owner_agency_id, []).append(match)
    for agency_id, matches in by_agency.items():
        coordinators = User.objects.filter(
            agency_id=agency_id,
            is_active=True,
            role_assignments__role=Role.CSE_COORDINATOR,
        )
        refs = ", ".join(match.reference for match in matches)
        notify(
            users=coordinators,
            message=(
                f"{by.agency} has created record {child.reference}, which may be the same "
                f"child as your record {refs}. Consider sharing your record with them."
            ),
            url=reverse("cse:child_detail", args=[matches[0].pk]),
        )


# --- category, flags, warnings, plans ---------------------------------------------------


@transaction.atomic
def record_category(
    *,
    by: User | None,
    child: Child,
    category: int,
    assessed_on: datetime.date,
    source: str,
    rationale: str,
    agency: Agency | None = None,
    source_obj: Model | None = None,
) -> CategoryAssessment:
    """Add to the child's category history; the newest entry is the current category.

    Screening, meetings and risk assessments call this with their own source.
    """
    if not rationale.strip():
        raise ValidationError({"rationale": "Enter the rationale for the category"})
    if assessed_on > timezone.localdate():
        raise ValidationError(
            {"assessed_on": "The assessment date must be today or in the past"}
        )
    entry = CategoryAssessment.objects.create(
        child=child,
        category=category,
        assessed_on=assessed_on,
        source=source,
        rationale=rationale.strip(),
        agency=agency or by.agency,
        recorded_by=by,
    )
    latest = current_category(child)
    Child.objects.filter(pk=child.pk).update(current_category=latest.category)
    child.current_category = latest.category
    add_chronology_entry(
        subject=child,
        occurred_at=timezone.now(),
        kind="category",
        title=entry.get_category_display(),
        description=f"{entry.get_source_display()}: {entry.rationale}",
        by=by,
        agency=entry.agency,
        source=source_obj or entry,
    )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=entry,
        subject=child,
        summary=entry.get_category_display(),
    )
    return entry


def current_category(child: Child) -> CategoryAssessment | None:
    return child.category_history.order_by(
        "-assessed_on", "-recorded_at", "-id"
    ).first()


@transaction.atomic
def set_flag(
    *, by: User | None, child: Child, kind: str, reason: str, set_on: datetime.date
) -> ChildFlag:
    """Set a flag on a child. `by=None` is the system (a rule met, a notice served)."""
    if by is not None:
        permissions.require(permissions.can_add_to(by, child))
    if child.flags.filter(kind=kind, removed_at__isnull=True).exists():
        raise ValidationError({"kind": "This flag is already set"})
    flag = ChildFlag(child=child, kind=kind, reason=reason, set_on=set_on, set_by=by)
    flag.full_clean()
    flag.save()
    add_chronology_entry(
        subject=child,
        occurred_at=timezone.now(),
        kind="flag",
        title=f"Flag set: {flag.get_kind_display()}",
        description=reason,
        by=by,
        source=flag,
    )
    audit.record(
        by=by, action=Action.CREATE, obj=flag, subject=child, summary=flag.kind
    )
    return flag


@transaction.atomic
def remove_flag(*, by: User | None, flag: ChildFlag, reason: str) -> ChildFlag:
    if by is not None:
        permissions.require(permissions.can_add_to(by, flag.child))
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the flag is being removed"})
    if flag.removed_at is not None:
        raise ValidationError("This flag has already been removed")
    flag.removed_at = timezone.now()
    flag.removed_by = by
    flag.removal_reason = reason.strip()
    flag.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    add_chronology_entry(
        subject=flag.child,
        occurred_at=flag.removed_at,
        kind="flag",
        title=f"Flag removed: {flag.get_kind_display()}",
        description=flag.removal_reason,
        by=by,
        source=flag,
    )
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=flag,
        subject=flag.child,
        changes={"removed_at": [None, flag.removed_at.isoformat()]},
        summary=flag.kind,
    )
    return flag


@transaction.atomic
def add_warning(
    *, by: User, subject: Subject, text: str, review_on: datetime.date
) -> WarningNote:
    permissions.require(permissions.can_add_to(by, subject))
    warning = WarningNote(
        subject=subject, text=text, review_on=review_on, created_by=by
    )
    warning.full_clean()
    warning.save()
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=warning,
        subject=subject,
        summary="warning added",
    )
    return warning


@transaction.atomic
def add_plan(*, by: User, child: Child, plan: ChildPlan) -> ChildPlan:
    permissions.require(permissions.can_add_to(by, child))
    plan.child = child
    plan.recorded_by = by
    plan.full_clean()
    plan.save()
    add_chronology_entry(
        subject=child,
        occurred_at=timezone.now(),
        kind="plan",
        title=f"{plan.get_kind_display()} plan from {plan.start_date:%d %B %Y}",
        by=by,
        source=plan,
    )
    audit.record(
        by=by, action=Action.CREATE, obj=plan, subject=child, summary=plan.kind
    )
    return plan


# --- links -------------------------------------------------------------------------------


@transaction.atomic
def create_link(
    *,
    by: User,
    from_subject: Subject,
    to_subject: Subject,
    kind: str,
    source: str,
    confidence: str,
    source_detail: str = "",
    first_seen: datetime.date | None = None,
    last_seen: datetime.date | None = None,
    notes: str = "",
) -> Link:
    """Link two records the user can see. The link belongs to the user's agency and
    is shown only to users who can see both ends."""
    permissions.require(permissions.can_add_to(by, from_subject))
    permissions.require(permissions.can_see(by, to_subject))
    if from_subject.pk == to_subject.pk:
        raise ValidationError("A record cannot be linked to itself")
    allowed_from, allowed_to = Link.ALLOWED[Link.Kind(kind)]
    if from_subject.kind not in allowed_from or to_subject.kind not in allowed_to:
        raise ValidationError(
            {
                "kind": f"“{Link.Kind(kind).label}” cannot link a {from_subject.get_kind_display().lower()} "
                f"to a {to_subject.get_kind_display().lower()}"
            }
        )
    if kind == Link.Kind.OTHER and not notes.strip():
        raise ValidationError({"notes": "Describe the association"})
    link = Link(
        from_subject=from_subject,
        to_subject=to_subject,
        kind=kind,
        source=source,
        source_detail=source_detail,
        confidence=confidence,
        first_seen=first_seen,
        last_seen=last_seen,
        notes=notes,
        owner_agency=by.agency,
        created_by=by,
    )
    link.full_clean()
    link.save()
    for end in (from_subject, to_subject):
        add_chronology_entry(
            subject=end,
            occurred_at=link.created_at,
            kind="link",
            title=f"Linked: {link.get_kind_display().lower()} {ChronologyEntry.MENTION}",
            by=by,
            source=link,
            mentions=link.other_end(end.pk),
        )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=link,
        subject=from_subject,
        detail={"to_subject": to_subject.pk, "kind": kind},
    )
    return link


@transaction.atomic
def end_link(*, by: User, link: Link, reason: str) -> Link:
    permissions.require(permissions.can_add_to(by, link.from_subject))
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the link no longer applies"})
    link.ended_at = timezone.now()
    link.end_reason = reason.strip()
    link.save(update_fields=["ended_at", "end_reason"])
    for end in (link.from_subject, link.to_subject):
        add_chronology_entry(
            subject=end,
            occurred_at=link.ended_at,
            kind="link",
            title=f"Link ended: {link.get_kind_display().lower()} "
            f"{ChronologyEntry.MENTION}",
            description=link.end_reason,
            by=by,
            source=link,
            mentions=link.other_end(end.pk),
        )
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=link,
        subject=link.from_subject,
        summary="link ended",
    )
    return link


# --- sharing -----------------------------------------------------------------------------


@transaction.atomic
def record_sharing_decision(
    *,
    by: User | None,
    subject: Subject,
    agency: Agency,
    decision: str,
    purpose: str,
    consent: str,
    consent_reason: str = "",
    context: str = SharingDecision.Context.MANUAL,
    notify_recipients: bool = True,
) -> SharingDecision:
    """Record a decision to share a record with an agency (or not to, or to withdraw
    a share) and grant or remove that agency's access in the same transaction.
    `notify_recipients=False` is for callers that send one notice for many shares
    (a meeting's circulation). `by=None` is for a decision the product takes on the
    owning agency's behalf (an automatic referral), never a manual one."""
    if context == SharingDecision.Context.MANUAL:
        permissions.require(permissions.can_share(by, subject))
    errors = {}
    if not purpose.strip():
        errors["purpose"] = "Enter the purpose of the decision"
    if consent != SharingDecision.Consent.GIVEN and not consent_reason.strip():
        errors["consent_reason"] = (
            "Enter why consent was not sought"
            if consent == SharingDecision.Consent.NOT_SOUGHT
            else "Enter why information is shared without consent"
            if decision == SharingDecision.Decision.SHARE
            else "Enter the reason consent was refused"
        )
    if agency.pk == subject.owner_agency_id:
        errors["agency"] = "The owning agency already sees this record"
    if errors:
        raise ValidationError(errors)
    sharing = SharingDecision.objects.create(
        subject=subject,
        agency=agency,
        decision=decision,
        purpose=purpose.strip(),
        consent=consent,
        consent_reason=consent_reason.strip(),
        context=context,
        decided_by=by,
        decided_by_agency=by.agency if by else subject.owner_agency,
    )
    access = SubjectAccess.objects.filter(subject=subject, agency=agency).first()
    if decision == SharingDecision.Decision.SHARE:
        if access is None:
            basis = (
                SubjectAccess.Basis.MEETING
                if context == SharingDecision.Context.MEETING
                else SubjectAccess.Basis.SHARED
            )
            # In a savepoint: a share with the same agency made at the same moment
            # (two referrals of one record) leaves the access it granted.
            SubjectAccess.objects.get_or_create(
                subject=subject,
                agency=agency,
                defaults={"kind": subject.kind, "basis": basis, "decision": sharing},
            )
        action, title = Action.SHARE, f"Shared with {agency}"
        if notify_recipients:
            coordinators = User.objects.filter(
                agency=agency,
                is_active=True,
                role_assignments__role=Role.CSE_COORDINATOR,
            )
            notify(
                users=coordinators,
                message=f"{sharing.decided_by_agency} has shared record "
                f"{subject.reference} with your agency.",
                url=subject.specific.get_absolute_url(),
            )
    elif decision == SharingDecision.Decision.WITHDRAW:
        if access is None or access.basis == SubjectAccess.Basis.OWNER:
            raise ValidationError(
                {"agency": "This record is not shared with that agency"}
            )
        access.delete()
        action, title = Action.WITHDRAW_SHARE, f"Share with {agency} withdrawn"
    else:
        action, title = Action.DECLINE_SHARE, f"Decided not to share with {agency}"
    add_chronology_entry(
        subject=subject,
        occurred_at=sharing.decided_at,
        kind="sharing",
        title=title,
        description=sharing.purpose,
        by=by,
        source=sharing,
    )
    audit.record(
        by=by,
        action=action,
        obj=sharing,
        subject=subject,
        detail={"agency": agency.pk, "consent": consent},
        summary=title,
    )
    return sharing


# --- chronology and notifications -------------------------------------------------------


def add_chronology_entry(
    *,
    subject: Subject,
    occurred_at: datetime.datetime,
    kind: str,
    title: str,
    description: str = "",
    by: User | None = None,
    agency: Agency | None = None,
    source: Model | None = None,
    mentions: Subject | None = None,
) -> ChronologyEntry:
    """Append to a record's chronology. Other apps call this for their own events.

    An entry about another record passes it as `mentions` and writes `{record}` in
    the title where it is named; each reader then sees the record's reference only
    if they may see the record (cse.chronology). A title naming a record by its
    reference is refused: it would be shown to every reader of this chronology.
    """
    mark = ChronologyEntry.MENTION
    if mentions is not None and mark not in title:
        raise ValueError(f"A chronology title names a mentioned record as {mark}")
    named = {
        reference
        for reference in _RECORD_REFERENCE.findall(title)
        if reference != subject.reference
    }
    if named:
        raise ValueError(
            "A chronology title names another record: pass it as mentions="
        )
    return ChronologyEntry.objects.create(
        subject=subject,
        occurred_at=occurred_at,
        kind=kind,
        title=title[:200],
        description=description,
        agency=agency or (by.agency if by else None),
        recorded_by=by,
        source=source,
        mentions=mentions,
    )


_RECORD_REFERENCE = re.compile(r"\b[CPLV]-\d{6}\b")


def notify(
    *, users: Iterable[User], message: str, url: str = "", email: bool = True
) -> list[Notification]:
    """An in-app notification for each user, and an e-mail that says only that there
    is something to look at: no personal data leaves by e-mail. The e-mail is an
    outbox row in the caller's transaction (cse.outbox), sent once it commits."""
    from cse import outbox

    created = [
        Notification.objects.create(user=user, message=message, url=url)
        for user in users
    ]
    if email:
        for notification in created:
            outbox.queue_notification_email(notification)
    return created


# --- referrals -----------------------------------------------------------------------


@transaction.atomic
def create_referral(
    *,
    by: User | None,
    subject: Subject,
    forum: str,
    source: str,
    synopsis: str,
    local_area: LocalArea | None = None,
    source_obj: Model | None = None,
    urgent: bool = False,
) -> Referral:
    """Refer a record to a multi-agency forum of an area.

    Raised automatically (a screening at category 2 or 3, a missing-pattern flag) it is
    idempotent: the same source refers the same record to the same forum once. The
    area's CSE coordinators are told, by reference only.

    Referring is a recorded sharing decision with the agencies that administer the
    forum's meetings in the area (purpose: the referral), so their administrators may
    read the record and its synopsis at triage. Where the area has no such meeting
    yet, nothing is shared and triage shows the record as not shared.
    """
    if not synopsis.strip():
        raise ValidationError({"synopsis": "Enter a synopsis of the concerns"})
    area = local_area or _area_of(subject, by)
    fields = {
        "local_area": area,
        "source": source,
        "synopsis": synopsis.strip(),
        "is_urgent": urgent,
        "referred_by": by,
        "referred_by_agency": by.agency if by else None,
    }
    if source_obj is None:
        referral = Referral.objects.create(subject=subject, forum=forum, **fields)
    else:
        # In a savepoint (get_or_create): when another transaction raises the same
        # referral at the same moment, this one finds it instead of failing.
        referral, made = Referral.objects.get_or_create(
            source_type=ContentType.objects.get_for_model(source_obj),
            source_id=source_obj.pk,
            forum=forum,
            subject=subject,
            defaults=fields,
        )
        if not made:
            return referral
    _share_with_forum_administrators(referral, by)
    add_chronology_entry(
        subject=subject,
        occurred_at=referral.referred_at,
        kind="referral",
        title=f"Referred to {referral.get_forum_display()}",
        description=referral.synopsis,
        by=by,
        agency=referral.referred_by_agency,
        source=referral,
    )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=referral,
        subject=subject,
        summary=f"referral to {forum}",
    )
    coordinators = User.objects.filter(
        agency__local_area=area,
        is_active=True,
        role_assignments__role=Role.CSE_COORDINATOR,
    ).distinct()
    # The reference only to those whose agency may see the record.
    holding = set(
        SubjectAccess.objects.filter(subject=subject).values_list(
            "agency_id", flat=True
        )
    )
    recipients = list(coordinators)
    forum = referral.get_forum_display()
    notify(
        users=[u for u in recipients if u.agency_id in holding],
        message=f"New {forum} referral of record {subject.reference}.",
        url=reverse("cse:referral_list"),
    )
    notify(
        users=[u for u in recipients if u.agency_id not in holding],
        message=f"New {forum} referral of a record not shared with your agency.",
        url=reverse("cse:referral_list"),
    )
    return referral


# Which agencies administer a forum's meetings in an area. The meetings app answers
# (registered from its AppConfig.ready: the core does not know meetings).
ForumAdministrators = Callable[[LocalArea, str], Iterable[Agency]]
_forum_administrators: list[ForumAdministrators] = []


def register_forum_administrators(finder: ForumAdministrators) -> ForumAdministrators:
    _forum_administrators.append(finder)
    return finder


def _share_with_forum_administrators(referral: Referral, by: User | None) -> None:
    """The referral's sharing decisions: the record goes to each agency that
    administers the forum's meetings in the area and cannot see it yet."""
    subject = referral.subject
    agencies = {
        agency.pk: agency
        for finder in _forum_administrators
        for agency in finder(referral.local_area, referral.forum)
        if agency.pk != subject.owner_agency_id
    }
    if not agencies:
        return
    held = set(
        SubjectAccess.objects.filter(
            subject=subject, agency_id__in=list(agencies)
        ).values_list("agency_id", flat=True)
    )
    for agency_id, agency in sorted(agencies.items()):
        if agency_id in held:
            continue
        record_sharing_decision(
            by=by,
            subject=subject,
            agency=agency,
            decision=SharingDecision.Decision.SHARE,
            purpose=f"Referral to the {referral.get_forum_display()} of "
            f"{referral.local_area}, for its administrators to triage",
            consent=SharingDecision.Consent.NOT_SOUGHT,
            consent_reason="Referred for multi-agency triage",
            context=SharingDecision.Context.REFERRAL,
            notify_recipients=False,  # the area's coordinators are told below
        )


def _area_of(subject: Subject, by: User | None) -> LocalArea:
    specific = subject.specific
    area = getattr(specific, "home_area", None) or getattr(specific, "local_area", None)
    return area or (
        by.agency.local_area if by and by.agency else subject.owner_agency.local_area
    )


@transaction.atomic
def set_referral_status(
    *, by: User, referral: Referral, status: str, reason: str = ""
) -> Referral:
    """Record a triage decision on a referral (the meetings part calls this)."""
    if (
        status in {Referral.Status.DECLINED, Referral.Status.CLOSED}
        and not reason.strip()
    ):
        raise ValidationError(
            {"reason": "Enter the reason, which the referrer will be told"}
        )
    before = referral.status
    referral.status = status
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.decision_reason = reason.strip()
    referral.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason"]
    )
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=referral,
        subject=referral.subject_id,
        changes={"status": [before, status]},
    )
    if referral.referred_by_id and referral.referred_by_id != by.pk:
        notify(
            users=[referral.referred_by],
            message=(
                f"Your {referral.get_forum_display()} referral of record "
                f"{referral.subject.reference} is now: {referral.get_status_display().lower()}."
            ),
            url=reverse("cse:referral_list"),
        )
    return referral
