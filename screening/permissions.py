"""Who may see and change screenings. Screenings hang off a child, so they inherit
its visibility through cse.permissions; a draft is further kept to its author's
agency until it is submitted (an unfinished judgement is not shared)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from cse import permissions
from cse.models import Role, User

from .models import Screening, ScreeningAction


def visible_screenings(user: User) -> QuerySet[Screening]:
    """Submitted screenings of children the user may see, and their agency's drafts."""
    if not permissions.sees_records(user):
        return Screening.objects.none()
    return permissions.scope_by_subject(user, Screening.objects.all(), "child").filter(
        Q(status=Screening.Status.SUBMITTED) | Q(author_agency_id=user.agency_id)
    )


def get_screening_or_404(user: User, pk: int) -> Screening:
    screening = (
        visible_screenings(user)
        .select_related("child", "definition", "author", "author_agency")
        .filter(pk=pk)
        .first()
    )
    if screening is None:
        raise Http404("No such screening")
    return screening


def can_start(user: User, child) -> bool:
    return permissions.can_add_to(user, child)


def can_edit_draft(user: User, screening: Screening) -> bool:
    """Recording staff of the author's agency may resume a draft (a colleague may
    finish it when the author is away)."""
    return (
        screening.is_draft
        and permissions.may_record(user)
        and screening.author_agency_id == user.agency_id
    )


def can_correct(user: User, screening: Screening) -> bool:
    """A correction is made by the agency that submitted the screening."""
    return (
        screening.status == Screening.Status.SUBMITTED
        and permissions.may_record(user)
        and screening.author_agency_id == user.agency_id
    )


def can_acknowledge(user: User, screening: Screening) -> bool:
    return (
        screening.status == Screening.Status.SUBMITTED
        and user.has_role(Role.CSE_COORDINATOR)
        and permissions.sees_records(user)
    )


def can_update_action(user: User, action: ScreeningAction) -> bool:
    """The owning agency's recording staff, or a CSE coordinator, keep actions up to date."""
    if not permissions.sees_records(user):
        return False
    if user.has_role(Role.CSE_COORDINATOR):
        return True
    return permissions.may_record(user) and action.owner_agency_id == user.agency_id


def queue_for(user):
    """Submitted screenings not yet acknowledged, of the coordinator's area."""
    if not user.has_role(Role.CSE_COORDINATOR) or user.agency is None:
        return None
    area = user.agency.local_area_id
    return (
        visible_screenings(user)
        .filter(status=Screening.Status.SUBMITTED, acknowledged_at__isnull=True)
        .filter(
            Q(child__home_area=area)
            | Q(child__home_area__isnull=True, author_agency__local_area=area)
        )
        .select_related("child", "definition", "author_agency")
        .order_by("submitted_at", "pk")
    )
