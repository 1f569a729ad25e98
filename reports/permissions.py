"""Who may do what with the dataset. Aggregates are for the board; identities only
ever through `cse.permissions.visible_children`."""

from __future__ import annotations

from cse import permissions
from cse.models import Agency, LocalArea, Role, User

from .models import ManualItem

ENTERED_BY = {
    # (v, vi) are police figures; (ix) LSCB training is run by the partnership, whose
    # manager is the training lead here; (x) PSHE by education staff (or the manager).
    ManualItem.SOLVED_OFFENCES: "police",
    ManualItem.OPERATIONS: "police",
    ManualItem.TRAINING: "partnership",
    ManualItem.PSHE: "education",
}


def is_manager(user: User) -> bool:
    return user.is_active and user.has_role(Role.PARTNERSHIP_MANAGER)


def may_view(user: User) -> bool:
    return permissions.sees_records(user) or is_manager(user)


def sees_identities(user: User) -> bool:
    """Partnership managers see aggregates only, whatever other role they hold."""
    return permissions.sees_records(user) and not is_manager(user)


def may_run(user: User) -> bool:
    return user.is_active and user.has_role(
        Role.PARTNERSHIP_MANAGER, Role.CSE_COORDINATOR
    )


def may_view_outcomes(user: User) -> bool:
    """The area's distance travelled: partnership managers (counts only) and CSE
    coordinators."""
    return is_manager(user) or (
        permissions.sees_records(user) and user.has_role(Role.CSE_COORDINATOR)
    )


def may_follow_mase(user: User) -> bool:
    """Coordinators and meeting staff may list the children behind a MASE figure."""
    return sees_identities(user) and user.has_role(
        Role.CSE_COORDINATOR, Role.MEETING_ADMINISTRATOR, Role.MEETING_CHAIR
    )


def area_of(user: User) -> int | None:
    return user.agency.local_area_id if user.agency_id else None


def suppress_small(user: User, area: LocalArea | None) -> bool:
    """Counts of 1-4 are shown as "fewer than 5" outside the viewer's own area (the
    all-areas figures included)."""
    return area is None or area.pk != area_of(user)


def items_user_may_enter(user: User) -> list[ManualItem]:
    if not user.is_active or user.agency_id is None:
        return []
    police = user.has_role(Role.POLICE_OFFICER, Role.POLICE_INTELLIGENCE)
    education = is_manager(user) or (
        user.agency.kind == Agency.Kind.EDUCATION and permissions.may_record(user)
    )
    may = {"police": police, "partnership": is_manager(user), "education": education}
    return [item for item, who in ENTERED_BY.items() if may[who]]


def may_enter(user: User) -> bool:
    return bool(items_user_may_enter(user))
