"""Writes for screenings: start, save a draft, submit (category, actions, referral,
chronology, notifications), correct, acknowledge, and keep actions up to date."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cse import audit, permissions, services
from cse.models import (
    Agency,
    AuditEvent,
    CategoryAssessment,
    Child,
    Forum,
    Link,
    PersonOfInterest,
    Referral,
    Role,
    User,
)

from . import permissions as access
from .models import Screening, ScreeningAction, ToolDefinition

Action = AuditEvent.Action
SELECT_CATEGORY = "Select the category of risk, or no CSE concerns identified"
ENTER_RATIONALE = "Enter the rationale for your professional judgement"


# --- reading the definition --------------------------------------------------------


def field_name(section_key: str, item_key: str) -> str:
    return f"{section_key}__{item_key}"


def missing_answers(screening: Screening, answers: dict) -> dict[str, str]:
    """{form field name: GOV.UK message} for each required answer left empty."""
    errors = {}
    for section in screening.definition.sections:
        values = answers.get(section["key"]) or {}
        for item in section["items"]:
            if item.get("required") and not str(values.get(item["key"], "")).strip():
                errors[field_name(section["key"], item["key"])] = (
                    f"Enter the {item['label'][0].lower()}{item['label'][1:].lower()}"
                    if section["type"] == "details"
                    else f"Enter the {section['title'][0].lower()}{section['title'][1:]}"
                )
    return errors


def person_pks(screening: Screening) -> list[int]:
    """Persons of interest named in `persons` sections, as record ids."""
    pks: list[int] = []
    for section in screening.definition.sections:
        if section["type"] == "persons":
            pks += (screening.answers.get(section["key"]) or {}).get("person_ids", [])
    return pks


def prefill(*, definition: ToolDefinition, child: Child, by: User) -> dict:
    """Answers for the `details` sections from the child's record and the user."""
    address = child.addresses.first()
    phone = child.phone_numbers.first()
    age = child.age
    dob = f"{child.date_of_birth:%d/%m/%Y}" if child.date_of_birth else ""
    values = {
        "child.name": f"{child.forename} {child.surname}",
        "child.known_as": ", ".join(
            [child.known_as] * bool(child.known_as)
            + [alias.name for alias in child.aliases.all()]
        ),
        "child.name_alias": child.full_name,
        "child.date_of_birth": dob,
        "child.age_dob": ", ".join(
            part for part in [f"{age}" if age is not None else "", dob] if part
        ),
        "child.gender": child.get_gender_display(),
        "child.ethnicity": child.get_ethnicity_display(),
        "child.disability": child.get_disability_display(),
        "child.address": str(address) if address else "",
        "child.contact_number": str(phone) if phone else "",
        "child.lives_with": child.lives_with,
        "child.parental_responsibility": child.parental_responsibility,
        "child.first_language": child.first_language,
        "child.legal_status": child.get_legal_status_display(),
        "child.local_authority": str(child.home_area or ""),
        "user.name": by.get_full_name() or by.get_username(),
        "user.agency": str(by.agency or ""),
        "user.phone": by.phone,
        "user.email": by.email,
        "user.name_role": ", ".join(
            part for part in [by.get_full_name(), by.job_title] if part
        ),
        "user.agency_contact": ", ".join(
            part for part in [str(by.agency or ""), by.phone, by.email] if part
        ),
        "today": f"{timezone.localdate():%d/%m/%Y}",
    }
    answers: dict = {}
    for section in definition.sections:
        if section["type"] != "details":
            continue
        answers[section["key"]] = {
            item["key"]: values.get(item.get("prefill", ""), "")
            for item in section["items"]
        }
    return answers


# --- drafts ---------------------------------------------------------------------------


@transaction.atomic
def start_screening(*, by: User, child: Child, definition: ToolDefinition) -> Screening:
    """A new draft for the child, prefilled from the record and the user."""
    permissions.require(access.can_start(by, child))
    if not definition.is_active:
        raise ValidationError({"definition": "This tool is no longer in use"})
    screening = Screening.objects.create(
        child=child,
        definition=definition,
        answers=prefill(definition=definition, child=child, by=by),
        author=by,
        author_agency=by.agency,
    )
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=screening,
        subject=child,
        summary=f"draft {definition.key} v{definition.version}",
    )
    return screening


@transaction.atomic
def save_draft(
    *,
    by: User,
    screening: Screening,
    answers: dict,
    category: int | None,
    rationale: str,
) -> Screening:
    """Keep what has been entered so far; nothing is required yet."""
    permissions.require(access.can_edit_draft(by, screening))
    screening = Screening.objects.select_for_update().get(pk=screening.pk)
    if not screening.is_draft:
        raise ValidationError("This screening has already been submitted")
    changed = sorted(
        key
        for key in set(answers) | set(screening.answers)
        if answers.get(key) != screening.answers.get(key)
    )
    if category != screening.category:
        changed.append("category")
    if rationale.strip() != screening.rationale:
        changed.append("rationale")
    screening.answers = answers
    screening.category = category
    screening.rationale = rationale.strip()
    screening.updated_at = timezone.now()
    screening.save(update_fields=["answers", "category", "rationale", "updated_at"])
    if changed:
        # The sections changed, not their content: the answers stay in the record.
        audit.record(
            by=by,
            action=Action.CHANGE,
            obj=screening,
            subject=screening.child_id,
            summary="draft saved",
            detail={"sections": changed},
        )
    return screening


@transaction.atomic
def correct_screening(*, by: User, screening: Screening) -> Screening:
    """Open a correction: a new draft, linked to the submitted screening, with its
    answers. The original stays as it was, read-only, in the record and audit trail."""
    permissions.require(access.can_correct(by, screening))
    existing = Screening.objects.filter(supersedes=screening).first()
    if existing is not None:
        return _open_correction(by, existing)
    try:
        # In a savepoint: a correction opened by someone else at the same moment
        # gets the same answer as one opened earlier, not an error page.
        with transaction.atomic():
            correction = Screening.objects.create(
                child=screening.child,
                definition=screening.definition,
                answers=screening.answers,
                category=screening.category,
                rationale=screening.rationale,
                author=by,
                author_agency=by.agency,
                supersedes=screening,
            )
    except IntegrityError:
        existing = Screening.objects.filter(supersedes=screening).first()
        if existing is None:
            raise
        return _open_correction(by, existing)
    audit.record(
        by=by,
        action=Action.CREATE,
        obj=correction,
        subject=screening.child_id,
        summary=f"correction of {screening.reference}",
        detail={"supersedes": screening.pk},
    )
    return correction


def _open_correction(by: User, existing: Screening) -> Screening:
    """The correction already opened: its author's agency carries on with the
    draft; anyone else is told it has been corrected."""
    if existing.is_draft and existing.author_agency_id == by.agency_id:
        return existing
    raise ValidationError("This screening has already been corrected")


# --- submission -----------------------------------------------------------------------


@transaction.atomic
def submit_screening(
    *,
    by: User,
    screening: Screening,
    answers: dict,
    category: int | None,
    rationale: str,
) -> Screening:
    """Submit a screening: it becomes read-only; the category enters the child's
    history; the category's associated actions become tracked tasks (for categories
    2 and 3 with a MASE referral); the area's CSE coordinators are told once; the
    chronology and audit trail record it."""
    screening = save_draft(
        by=by,
        screening=screening,
        answers=answers,
        category=category,
        rationale=rationale,
    )
    errors: dict[str, str] = missing_answers(screening, answers)
    if screening.definition.category(category) is None:
        errors["category"] = SELECT_CATEGORY
    if not screening.rationale:
        errors["rationale"] = ENTER_RATIONALE
    if errors:
        raise ValidationError(errors)
    child = Child.objects.select_for_update().get(pk=screening.child_id)
    now = timezone.now()
    screening.status = Screening.Status.SUBMITTED
    screening.submitted_at = now
    screening.save(update_fields=["status", "submitted_at"])
    services.record_category(
        by=by,
        child=child,
        category=screening.category,
        assessed_on=timezone.localdate(),
        source=CategoryAssessment.Source(screening.definition.category_source),
        rationale=screening.rationale,
        source_obj=screening,
    )
    title = f"{screening.definition.name} submitted: {screening.category_label}"
    if screening.supersedes_id:
        title = f"{screening.definition.name} corrected: {screening.category_label}"
    services.add_chronology_entry(
        subject=child,
        occurred_at=now,
        kind="screening",
        title=title,
        description=(
            f"{screening.significant_count()} significant risk indicator(s) ticked."
            if screening.definition.kind == ToolDefinition.Kind.SCREENING
            else ""
        ),
        by=by,
        source=screening,
    )
    _link_suspects(by=by, screening=screening, child=child)
    create_actions(by=by, screening=screening, child=child)
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=screening,
        subject=child,
        summary=f"submitted, category {screening.category}",
        changes={"status": [Screening.Status.DRAFT, Screening.Status.SUBMITTED]},
    )
    return screening


def coordinators_for(child: Child, screening: Screening) -> QuerySet[User]:
    """The CSE coordinators of the child's area (the author's, if it has none)."""
    area = child.home_area_id or screening.author_agency.local_area_id
    return (
        User.objects.filter(
            agency__local_area=area,
            is_active=True,
            role_assignments__role=Role.CSE_COORDINATOR,
        )
        .select_related("agency")
        .distinct()
        .order_by("pk")
    )


def create_actions(*, by: User, screening: Screening, child: Child) -> list:
    """The associated actions of the chosen category, as the definition lists them.

    A correction does not repeat what the screening it corrects already set going:
    actions with the same key (and its MASE referral) carry on.
    """
    category = screening.definition.category(screening.category) or {}
    earlier = set()
    if screening.supersedes_id:
        earlier = set(
            ScreeningAction.objects.filter(screening=screening.supersedes_id)
            .exclude(status=ScreeningAction.Status.CANCELLED)
            .values_list("key", flat=True)
        )
    coordinators = list(coordinators_for(child, screening))
    specs = [a for a in category.get("actions", []) if a["key"] not in earlier]
    # The MASE referral goes first: create_referral tells the coordinators itself,
    # and they are then not told a second time about the same screening.
    specs.sort(key=lambda spec: spec.get("auto") != "mase_referral")
    told = False
    created = []
    today = timezone.localdate()
    for spec in specs:
        agency, owner = _owner(spec["owner"], screening, child, coordinators)
        action = ScreeningAction(
            screening=screening,
            key=spec["key"],
            title=spec["title"],
            owner_agency=agency,
            owner_user=owner,
            due_on=today + datetime.timedelta(days=spec["due_days"])
            if spec.get("due_days") is not None
            else None,
        )
        if spec.get("auto") == "mase_referral":
            action.referral = services.create_referral(
                by=by,
                subject=child,
                forum=Forum.MASE,
                source=Referral.Source.SCREENING,
                source_obj=screening,
                synopsis=(
                    f"{screening.definition.name} ({screening.reference}): "
                    f"{screening.category_label}. {screening.rationale}"
                ),
                urgent=screening.category == 3,
            )
            told = True
        elif spec.get("auto") == "notify_coordinator":
            if not told:
                services.notify(
                    users=coordinators,
                    message=(
                        f"New screening {screening.reference} of record "
                        f"{child.reference} to acknowledge."
                    ),
                    url=screening.get_absolute_url(),
                )
                told = True
            action.status = ScreeningAction.Status.DONE
            action.completed_at = timezone.now()
            action.notes = (
                "The area's CSE coordinators were notified."
                if coordinators
                else "No CSE coordinator is recorded for the area."
            )
        action.save()
        created.append(action)
    if not told:
        services.notify(
            users=coordinators,
            message=(
                f"New screening {screening.reference} of record "
                f"{child.reference} to acknowledge."
            ),
            url=screening.get_absolute_url(),
        )
    return created


def _owner(
    kind: str, screening: Screening, child: Child, coordinators: list[User]
) -> tuple[Agency, User | None]:
    if kind == "coordinator" and coordinators:
        preferred = [
            c for c in coordinators if c.agency_id == child.owner_agency_id
        ] or [c for c in coordinators if c.agency_id == screening.author_agency_id]
        chosen = (preferred or coordinators)[0]
        return chosen.agency, chosen
    if kind == "social_care":
        owner_agency = child.owner_agency
        if owner_agency.kind == Agency.Kind.SOCIAL_CARE:
            worker = child.allocated_social_worker
            return owner_agency, (
                worker if worker and worker.agency_id == owner_agency.pk else None
            )
        area = child.home_area_id or screening.author_agency.local_area_id
        agency = (
            Agency.objects.filter(
                local_area=area, kind=Agency.Kind.SOCIAL_CARE, is_active=True
            )
            .order_by("name")
            .first()
        )
        if agency is not None:
            return agency, None
    return screening.author_agency, screening.author


def _link_suspects(*, by: User, screening: Screening, child: Child) -> None:
    """Known suspects named by reference become links from the child."""
    pks = person_pks(screening)
    if not pks:
        return
    persons = permissions.visible_persons(by).filter(pk__in=pks)
    linked = set(
        Link.objects.filter(
            from_subject=child, to_subject__in=pks, ended_at__isnull=True
        ).values_list("to_subject_id", flat=True)
    )
    for person in persons:
        if person.pk in linked:
            continue
        services.create_link(
            by=by,
            from_subject=child,
            to_subject=person,
            kind=Link.Kind.RELATIONSHIP_OF_CONCERN,
            source=Link.Source.SCREENING,
            source_detail=f"Known suspect named in {screening.reference}",
            confidence=Link.Confidence.POSSIBLE,
        )


# --- after submission ---------------------------------------------------------------


@transaction.atomic
def acknowledge_screening(*, by: User, screening: Screening) -> Screening:
    """The CSE coordinator has seen the new screening; it leaves their queue."""
    permissions.require(access.can_acknowledge(by, screening))
    updated = Screening.objects.filter(
        pk=screening.pk,
        status=Screening.Status.SUBMITTED,
        acknowledged_at__isnull=True,
    ).update(acknowledged_at=timezone.now(), acknowledged_by=by)
    if not updated:
        raise ValidationError("This screening has already been acknowledged")
    screening.refresh_from_db()
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=screening,
        subject=screening.child_id,
        summary="acknowledged by CSE coordinator",
    )
    return screening


@transaction.atomic
def update_action(
    *, by: User, action: ScreeningAction, status: str, notes: str = ""
) -> ScreeningAction:
    """Mark an associated action done or not needed (with a reason), or reopen it."""
    permissions.require(access.can_update_action(by, action))
    if status not in ScreeningAction.Status.values:
        raise ValidationError({"status": "Select what has happened to the action"})
    if status == ScreeningAction.Status.CANCELLED and not notes.strip():
        raise ValidationError({"notes": "Enter why the action is not needed"})
    before = action.status
    action.status = status
    if notes.strip():
        action.notes = notes.strip()
    if status == ScreeningAction.Status.OPEN:
        action.completed_at, action.completed_by = None, None
    else:
        action.completed_at, action.completed_by = timezone.now(), by
    action.save(update_fields=["status", "notes", "completed_at", "completed_by"])
    audit.record(
        by=by,
        action=Action.CHANGE,
        obj=action,
        subject=action.screening.child_id,
        changes={"status": [before, status]},
        summary=action.key,
    )
    return action


def latest_submitted(
    child_id: int,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> Screening | None:
    """The child's newest submitted screening, optionally within a period."""
    screenings = Screening.objects.filter(
        child_id=child_id, status=Screening.Status.SUBMITTED
    )
    if since is not None:
        screenings = screenings.filter(submitted_at__date__gte=since)
    if until is not None:
        screenings = screenings.filter(submitted_at__date__lte=until)
    return (
        screenings.select_related("definition", "author_agency")
        .order_by("-submitted_at", "-pk")
        .first()
    )


def active_definitions() -> QuerySet[ToolDefinition]:
    return ToolDefinition.objects.filter(is_active=True).order_by("kind", "name")


def persons_from_references(by: User, text: str) -> tuple[list[int], list[str]]:
    """Parse "P-000123" references: (ids the user may see, references not found)."""
    refs = [line.strip().upper() for line in text.replace(",", "\n").splitlines()]
    refs = [ref for ref in refs if ref]
    wanted = {}
    for ref in refs:
        prefix, _, number = ref.partition("-")
        if prefix == "P" and number.isdigit():
            wanted[ref] = int(number)
    found = set(
        permissions.visible(by, PersonOfInterest)
        .filter(pk__in=wanted.values())
        .values_list("pk", flat=True)
    )
    unknown = [ref for ref in refs if wanted.get(ref) not in found]
    return [wanted[ref] for ref in refs if wanted.get(ref) in found], unknown
