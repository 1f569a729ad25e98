"""Break-glass services: opening a record another agency holds, by the reference
that agency gave, for a limited time with a recorded reason, and the owning
agency's review.

The user types the record's printed reference (C-000123, P-…, L-…, V-…) together
with the reason; nothing is looked up until the whole request is complete, so
nothing said before a reason is given depends on whether the record exists. After
that, a reference with no record and a record the user can already see get the
same neutral answer (NO_ACCESS_OPENED). Each user may be granted at most
BREAK_GLASS_DAILY_LIMIT accesses a day; each grant is a new request with its own
reason, and each one tells the CSE coordinators of both the holding agency and the
user's own agency. See cse.permissions for how a grant is honoured.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cse import audit, permissions
from cse.models import AuditEvent, BreakGlass, Role, Subject, User
from cse.models.subjects import _REFERENCE_PREFIX
from cse.services import notify

MAX_MINUTES = 60
_KIND_OF_PREFIX = {prefix: kind for kind, prefix in _REFERENCE_PREFIX.items()}
_REFERENCE = re.compile(r"^\s*([CPLV])\s*-?\s*0*(\d{1,12})\s*$", re.IGNORECASE)

BAD_REFERENCE = (
    "Enter the record reference as a letter (C, P, L or V), a dash and the number, "
    "for example C-001234"
)
NO_ACCESS_OPENED = (
    "No access was opened. Either no record has that reference, or your agency can "
    "already see that record, or your break-glass access to it is still in force: "
    "look for it in your lists, your search or your access below."
)
SAME_REASON = (
    "You have opened this record through break-glass before with this reason. A new "
    "access is a new request: say why you need the record now"
)


def duration() -> datetime.timedelta:
    """BREAK_GLASS_MINUTES, never more than an hour."""
    minutes = min(int(getattr(settings, "BREAK_GLASS_MINUTES", MAX_MINUTES)), 60)
    return datetime.timedelta(minutes=max(minutes, 1))


def daily_limit() -> int:
    return int(settings.BREAK_GLASS_DAILY_LIMIT)


def limit_message() -> str:
    limit = daily_limit()
    return (
        f"You have had {limit} break-glass {'access' if limit == 1 else 'accesses'} "
        "today, the most allowed in one day (opening a record again counts too). If "
        "a child is at immediate risk, telephone the agency that holds the record"
    )


def roles() -> frozenset[str]:
    """The roles that may break glass (BREAK_GLASS_ROLES): case-working roles only,
    meeting administrators and chairs only when the setting names them."""
    return frozenset(settings.BREAK_GLASS_ROLES) & permissions.CASEWORK_ROLES


def may_break_glass(user: User) -> bool:
    return permissions.sees_records(user) and user.has_role(*roles())


def normalise_reference(reference: str) -> str:
    """The reference in its printed form (c 1234 -> C-001234); ValidationError when
    it cannot be a reference. Says nothing about whether a record has it."""
    match = _REFERENCE.match(reference or "")
    if match is None:
        raise ValidationError(BAD_REFERENCE, code="bad_reference")
    return f"{match.group(1).upper()}-{int(match.group(2)):06d}"


def find_by_reference(reference: str) -> Subject | None:
    """The record with this reference, whoever holds it (the caller decides what to
    say about it: never more than whether it exists)."""
    try:
        printed = normalise_reference(reference)
    except ValidationError:
        return None
    prefix, number = printed.split("-", 1)
    return Subject.objects.filter(pk=int(number), kind=_KIND_OF_PREFIX[prefix]).first()


def coordinators_of(agency_id: int):
    return User.objects.filter(
        agency_id=agency_id,
        is_active=True,
        role_assignments__role=Role.CSE_COORDINATOR,
    ).distinct()


def _start_of_today() -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )


def grants_today(user: User) -> int:
    """How many grants the user has had since local midnight, ended ones included."""
    return BreakGlass.objects.filter(
        user=user, granted_at__gte=_start_of_today()
    ).count()


def _same_reason(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def _check_reason(reason_category: str, reason: str) -> None:
    if reason_category not in BreakGlass.Reason.values:
        raise ValidationError({"reason_category": "Choose the reason"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you need to see this record now"})


def _refusal(by: User, subject: Subject | None, reason: str) -> str | None:
    """Why `by` may not have a new grant over `subject` now, or None. The daily
    limit is checked first, so once it is reached the answer no longer depends on
    the record either."""
    if grants_today(by) >= daily_limit():
        return "daily_limit"
    if subject is None or permissions.holds_access(by, subject):
        return "no_access_opened"
    earlier = BreakGlass.objects.filter(user=by, subject=subject)
    if earlier.filter(expires_at__gt=timezone.now()).exists():
        return "no_access_opened"
    if any(
        _same_reason(old, reason) for old in earlier.values_list("reason", flat=True)
    ):
        return "same_reason"
    return None


_MESSAGES = {
    "no_access_opened": lambda: NO_ACCESS_OPENED,
    "daily_limit": limit_message,
    "same_reason": lambda: SAME_REASON,
}


def _grant(
    *, by: User, subject: Subject | None, reason_category: str, reason: str
) -> BreakGlass | str:
    """The new grant, or the code of the refusal (no error raised, so the caller can
    record the refusal in the trail outside this transaction)."""
    with transaction.atomic():
        # One request at a time per user, so two at once cannot pass the limit.
        User.objects.select_for_update().filter(pk=by.pk).first()
        refusal = _refusal(by, subject, reason)
        if refusal is not None:
            return refusal
        now = timezone.now()
        grant = BreakGlass.objects.create(
            user=by,
            agency_id=by.agency_id,
            owner_agency_id=subject.owner_agency_id,
            subject=subject,
            reason_category=reason_category,
            reason=reason.strip(),
            granted_at=now,
            expires_at=now + duration(),
        )
        permissions.forget_break_glass_grants(by)
        audit.record(
            by=by,
            action=AuditEvent.Action.BREAK_GLASS,
            break_glass=grant,
            obj=grant,
            subject=subject,
            summary=f"{grant.reference} granted until {grant.expires_at:%H:%M} UTC",
            detail={
                "reference": subject.reference,
                "reason_category": reason_category,
                "reason": grant.reason,
                "minutes": int(duration().total_seconds() // 60),
                "grants_today": grants_today(by),
            },
        )
        category = grant.get_reason_category_display().lower()
        notify(
            users=coordinators_of(subject.owner_agency_id),
            message=(
                f"{by.agency} opened your record {subject.reference} through "
                f"break-glass ({grant.reference}, {category}). Review it."
            ),
            url=reverse("cse:break_glass_review", args=[grant.pk]),
        )
        # The user's own agency hears of it too, without the other agency's record
        # reference (a record not shared with them) and without names.
        notify(
            users=coordinators_of(by.agency_id).exclude(pk=by.pk),
            message=(
                "Someone in your agency opened a record not shared with your agency "
                f"through break-glass ({grant.reference}, {category}). The agency "
                "that holds the record reviews it."
            ),
        )
        return grant


def _refused(
    *, by: User, reference: str, subject: Subject | None, refusal: str
) -> ValidationError:
    audit.record(
        by=by,
        action=AuditEvent.Action.SEARCH,
        subject=subject,
        summary=f"break-glass request refused: {refusal.replace('_', ' ')}",
        detail={
            "reference": reference,
            "found": subject is not None,
            "outcome": refusal,
        },
    )
    return ValidationError(_MESSAGES[refusal](), code=refusal)


def request_break_glass(
    *, by: User, reference: str, reason_category: str, reason: str
) -> BreakGlass:
    """The whole request, as the start page makes it: find the record by its printed
    reference and open it. Every refusal is a ValidationError and an event in the
    trail (with the reference: the trail is for the holding agency and the
    administrators); a missing record and one the user can already see get the
    same message."""
    permissions.require(may_break_glass(by))
    _check_reason(reason_category, reason)
    printed = normalise_reference(reference)
    subject = find_by_reference(printed)
    outcome = _grant(
        by=by, subject=subject, reason_category=reason_category, reason=reason
    )
    if isinstance(outcome, str):
        raise _refused(by=by, reference=printed, subject=subject, refusal=outcome)
    return outcome


def open_break_glass(
    *, by: User, subject: Subject, reason_category: str, reason: str
) -> BreakGlass:
    """Grant `by` a read-only look at one record their agency does not hold, for at
    most an hour; tell the CSE coordinators of the owning agency (who review it) and
    of the user's own agency. Refused (ValidationError) past the daily limit, for a
    record the user can already see or has a grant in force over, and for a reason
    already given for an earlier grant over the same record."""
    permissions.require(may_break_glass(by))
    _check_reason(reason_category, reason)
    outcome = _grant(
        by=by, subject=subject, reason_category=reason_category, reason=reason
    )
    if isinstance(outcome, str):
        raise _refused(
            by=by, reference=subject.reference, subject=subject, refusal=outcome
        )
    return outcome


def record_incomplete_request(*, by: User, reference: str, missing: list[str]) -> None:
    """A request sent without everything it needs: in the trail with what was typed,
    but nothing is looked up, so the answer cannot depend on the record."""
    try:
        typed = normalise_reference(reference)
    except ValidationError:
        # As typed, without what a database text column or a log cannot hold.
        typed = "".join(ch for ch in (reference or "") if ch.isprintable())
    audit.record(
        by=by,
        action=AuditEvent.Action.SEARCH,
        summary="break-glass request incomplete",
        detail={"reference": typed.strip()[:20], "missing": missing},
    )


@transaction.atomic
def end_break_glass(*, by: User, grant: BreakGlass) -> BreakGlass:
    """The user who broke glass closes the record again before the hour is up: the
    grant's expiry becomes now, so the record is hidden from them at once. The
    owning agency's review still follows; the audit trail shows the early end."""
    grant = BreakGlass.objects.select_for_update().get(pk=grant.pk)
    if grant.user_id != by.pk:
        raise PermissionDenied("Only the holder of a grant may end it")
    now = timezone.now()
    if grant.expires_at <= now:
        raise ValidationError("This access has already ended")
    grant.expires_at = now
    grant.save(update_fields=["expires_at"])
    permissions.forget_break_glass_grants(by)
    audit.record(
        by=by,
        action=AuditEvent.Action.BREAK_GLASS,
        break_glass=grant,
        obj=grant,
        subject=grant.subject_id,
        summary=f"{grant.reference} ended early by its holder",
        detail={"grant": grant.pk, "ended": True},
    )
    return grant


def pending_reviews(user: User):
    """Grants over the user's agency's records awaiting a coordinator's review."""
    if not (user.has_role(Role.CSE_COORDINATOR) and permissions.sees_records(user)):
        return BreakGlass.objects.none()
    return BreakGlass.objects.filter(
        owner_agency_id=user.agency_id, review=BreakGlass.Review.PENDING
    )


def may_review(user: User, grant: BreakGlass) -> bool:
    return (
        user.has_role(Role.CSE_COORDINATOR)
        and permissions.sees_records(user)
        and user.agency_id == grant.owner_agency_id
        and user.pk != grant.user_id
    )


@transaction.atomic
def review_break_glass(
    *, by: User, grant: BreakGlass, outcome: str, comment: str
) -> BreakGlass:
    """A coordinator of the owning agency signs the access off as appropriate or not."""
    permissions.require(may_review(by, grant))
    grant = BreakGlass.objects.select_for_update().get(pk=grant.pk)
    if grant.review != BreakGlass.Review.PENDING:
        raise ValidationError("This access has already been reviewed")
    if outcome not in {
        BreakGlass.Review.APPROPRIATE,
        BreakGlass.Review.NOT_APPROPRIATE,
    }:
        raise ValidationError({"outcome": "Choose whether the access was appropriate"})
    if not comment.strip():
        raise ValidationError({"comment": "Enter a comment"})
    grant.review = outcome
    grant.review_comment = comment.strip()
    grant.reviewed_by = by
    grant.reviewed_at = timezone.now()
    grant.save(update_fields=["review", "review_comment", "reviewed_by", "reviewed_at"])
    audit.record(
        by=by,
        action=AuditEvent.Action.BREAK_GLASS_REVIEW,
        obj=grant,
        subject=grant.subject_id,
        summary=f"{grant.reference} reviewed: {grant.get_review_display().lower()}",
        detail={"outcome": outcome, "comment": grant.review_comment},
    )
    return grant


# --- the home page and navigation ------------------------------------------------------


def _register_home_and_nav() -> None:
    from cse.context_processors import NavItem, add_nav_item
    from cse.home import register

    @register(15)
    def break_glass_reviews_panel(user: User) -> dict | None:
        if not user.has_role(Role.CSE_COORDINATOR):
            return None
        rows = list(
            pending_reviews(user).select_related("subject", "agency", "user")[:20]
        )
        if not rows:
            return None
        return {
            "title": "Break-glass access to review",
            "template": "cse/home/break_glass_panel.html",
            "grants": rows,
            "link": reverse("cse:break_glass_reviews"),
        }

    @register(16)
    def my_break_glass_panel(user: User) -> dict | None:
        if not may_break_glass(user):
            return None
        rows = list(
            BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now())
            .select_related("subject")
            .order_by("expires_at")
        )
        if not rows:
            return None
        from cse.views.common import detail_url

        return {
            "title": "Your break-glass access in force",
            "template": "cse/home/my_break_glass_panel.html",
            "grants": [(grant, detail_url(grant.subject)) for grant in rows],
        }

    add_nav_item(
        NavItem(
            "Break-glass reviews",
            "cse:break_glass_reviews",
            95,
            lambda user: pending_reviews(user).exists(),
        )
    )
