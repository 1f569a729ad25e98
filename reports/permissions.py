"""Who may do what in the reports app: the dataset and its reports, the rule for
showing their figures (`disclosure_for`, see `reports.disclosure`), and the CSE
delivery plan (who may read, manage and update a plan, as `reports.delivery_plan`
states). Aggregates are for the board; identities only ever through
`cse.permissions.visible_children`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cse import permissions
from cse.models import Agency, Child, LocalArea, Role, User

from .disclosure import Disclosure
from .models import (
    DeliveryAction,
    DeliveryObjective,
    DeliveryPlan,
    ManualItem,
    OutcomeAssessment,
)

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


def disclosure_for(user: User) -> Disclosure:
    """The disclosure-control rule for this viewer (see `reports.disclosure`): their
    own area's figures exact, every other area's rounded to the nearest 5, figures
    over several areas the sum of the areas' figures as shown."""
    return Disclosure(own_area_id=area_of(user))


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


# --- the CSE delivery plan (rules stated in reports.delivery_plan) ----------------

PLAN_READER_ROLES = frozenset(permissions.CASEWORK_ROLES | {Role.PARTNERSHIP_MANAGER})


def may_read_plans(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.agency_id is not None
        and user.has_role(*PLAN_READER_ROLES)
    )


def is_plan_manager(user: User) -> bool:
    return may_read_plans(user) and user.has_role(Role.PARTNERSHIP_MANAGER)


def visible_plans(user: User) -> QuerySet[DeliveryPlan]:
    """Plans of the user's own area and the regional plans."""
    if not may_read_plans(user):
        return DeliveryPlan.objects.none()
    return DeliveryPlan.objects.filter(
        Q(local_area_id=area_of(user)) | Q(local_area__isnull=True)
    ).select_related("local_area")


def get_plan_or_404(user: User, pk: int) -> DeliveryPlan:
    """The plan, if the user may read it: 403 for a role that reads no plans, 404 for
    a plan outside the user's area."""
    permissions.require(may_read_plans(user))
    plan = visible_plans(user).filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan")
    return plan


def get_delivery_action_or_404(user: User, pk: int) -> DeliveryAction:
    permissions.require(may_read_plans(user))
    action = (
        DeliveryAction.objects.select_related(
            "objective__plan__local_area",
            "sub_objective__objective",
            "accountable_user",
            "responsible_user",
        )
        .filter(pk=pk, objective__plan__in=visible_plans(user))
        .first()
    )
    if action is None:
        raise Http404("No such action")
    return action


def get_objective_or_404(user: User, pk: int) -> DeliveryObjective:
    permissions.require(may_read_plans(user))
    objective = (
        DeliveryObjective.objects.select_related("plan__local_area")
        .filter(pk=pk, plan__in=visible_plans(user))
        .first()
    )
    if objective is None:
        raise Http404("No such objective")
    return objective


def may_create_plan(user: User) -> bool:
    return is_plan_manager(user)


def areas_user_may_plan_for(user: User) -> list[LocalArea | None]:
    """The manager's own area, and None for a regional plan."""
    if not is_plan_manager(user):
        return []
    return [user.agency.local_area, None]


def may_manage_plan(user: User, plan: DeliveryPlan) -> bool:
    if not is_plan_manager(user):
        return False
    return plan.local_area_id is None or plan.local_area_id == area_of(user)


def may_update_action(user: User, action: DeliveryAction) -> bool:
    """Progress and ratings: the plan's managers, the area's CSE coordinators, and
    whoever is named as accountable or responsible for this action."""
    plan = action.objective.plan
    if not may_read_plans(user):
        return False
    if may_manage_plan(user, plan):
        return True
    if (
        plan.local_area_id is not None
        and plan.local_area_id == area_of(user)
        and user.has_role(Role.CSE_COORDINATOR)
    ):
        return True
    return user.pk in (action.accountable_user_id, action.responsible_user_id)


def require_manage_plan(user: User, plan: DeliveryPlan) -> None:
    if not may_manage_plan(user, plan):
        raise PermissionDenied


def nameable_users(plan_area: LocalArea | None) -> QuerySet[User]:
    """Who may be named as accountable or responsible: active staff of the plan's area
    (any area for a regional plan) who can read the plan."""
    users = User.objects.filter(
        is_active=True,
        agency__isnull=False,
        role_assignments__role__in=PLAN_READER_ROLES,
    )
    if plan_area is not None:
        users = users.filter(agency__local_area=plan_area)
    return (
        users.select_related("agency")
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def partner_agencies(plan_area: LocalArea | None) -> QuerySet[Agency]:
    agencies = Agency.objects.filter(is_active=True).select_related("local_area")
    if plan_area is not None:
        agencies = agencies.filter(local_area=plan_area)
    return agencies


# --- a child's outcome measures -----------------------------------------------------------


def assessments_of(user: User, child: Child) -> QuerySet[OutcomeAssessment]:
    """The outcome assessments of a child the user has opened (they hang off the
    child and share its visibility), oldest first."""
    return (
        permissions.scope_to_opened_record(
            user, OutcomeAssessment.objects.filter(child=child), "child"
        )
        .select_related("recorded_by", "agency", "plan", "superseded_by__recorded_by")
        .order_by("assessed_on", "recorded_at", "pk")
    )


def get_assessment_or_404(user: User, child: Child, pk: int) -> OutcomeAssessment:
    """One assessment of a child the user has opened, with `is_corrected` set: an
    assessment is corrected at most once."""
    assessment = (
        permissions.scope_to_opened_record(
            user, OutcomeAssessment.objects.filter(child=child, pk=pk), "child"
        )
        .annotate(
            is_corrected=Exists(
                OutcomeAssessment.objects.filter(supersedes=OuterRef("pk"))
            )
        )
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment")
    return assessment
