"""Break-glass services: finding a record by the reference another agency gave,
opening it for a limited time with a recorded reason, and the owning agency's review.

The reference is the record's own (C-000123, P-…, L-…, V-…), which is opaque: saying
that one exists is a small disclosure we accept; the record's name and details are
shown only once a grant is in force. See cse.permissions for how a grant is honoured.
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


def duration() -> datetime.timedelta:
    """BREAK_GLASS_MINUTES, never more than an hour."""
    minutes = min(int(getattr(settings, "BREAK_GLASS_MINUTES", MAX_MINUTES)), 60)
    return datetime.timedelta(minutes=max(minutes, 1))


def may_break_glass(user: User) -> bool:
    return permissions.sees_records(user)


def find_by_reference(reference: str) -> Subject | None:
    """The record with this reference, whoever holds it (the caller decides what to
    say about it: never more than whether it exists)."""
    match = _REFERENCE.match(reference or "")
    if match is None:
        return None
    kind = _KIND_OF_PREFIX[match.group(1).upper()]
    return Subject.objects.filter(pk=int(match.group(2)), kind=kind).first()


def coordinators_of(agency_id: int):
    return User.objects.filter(
        agency_id=agency_id,
        is_active=True,
        role_assignments__role=Role.CSE_COORDINATOR,
    ).distinct()


@transaction.atomic
def open_break_glass(
    *, by: User, subject: Subject, reason_category: str, reason: str
) -> BreakGlass:
    """Grant `by` a read-only look at one record their agency does not hold, for at
    most an hour; tell the owning agency's CSE coordinators and queue it for their
    review. A user who already holds the record, or already has a grant in force over
    it, gets no new grant."""
    permissions.require(may_break_glass(by))
    if permissions.holds_access(by, subject):
        raise ValidationError("Your agency can already see this record")
    if reason_category not in BreakGlass.Reason.values:
        raise ValidationError({"reason_category": "Choose the reason"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you need to see this record now"})
    current = BreakGlass.objects.filter(
        user=by, subject=subject, expires_at__gt=timezone.now()
    ).first()
    if current is not None:
        return current
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
            "reason_category": reason_category,
            "reason": grant.reason,
            "minutes": int(duration().total_seconds() // 60),
        },
    )
    notify(
        users=coordinators_of(subject.owner_agency_id),
        message=(
            f"{by.agency} opened your record {subject.reference} through break-glass "
            f"({grant.get_reason_category_display().lower()}). Review it."
        ),
        url=reverse("cse:break_glass_review", args=[grant.pk]),
    )
    return grant


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
