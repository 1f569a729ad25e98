"""Who may see and change which records: the one scoping path for every query.

Deny by default. A record (child, person of interest, location, vehicle) is visible
to a user only when
  * the user holds a case-working role (partnership managers see aggregates only,
    system administrators manage configuration, not cases), and
  * the user's agency has a row in `SubjectAccess` for the record: the owning agency
    gets one when the record is created, other agencies one per recorded sharing
    decision (or meeting circulation), written by the same service that records
    the decision.
Detail pages additionally honour a per-user guardian grant (`view_<model>`), used for
grants to one person rather than an agency.

Why an explicit access table rather than guardian's `get_objects_for_user` for lists:
at regional scale (100k children) the guardian shortcut's pair of user/group
subqueries made PostgreSQL misjudge how many rows are visible and scan everything
(6–7x slower, measured). A single `EXISTS` over `(agency_id, subject_id)`, served by
the unique index, keeps list, search and export queries flat as data grows. Because
children, persons, locations and vehicles share the `Subject` parent table, one
access table and one function serve them all.

Every path — pages, lists, search, autocomplete, PDFs, exports, background jobs —
gets records through `visible(user, Model)`, `get_visible_or_404` or, for rows hung
off a record (screenings, episodes...), `scope_by_subject(user, queryset, field)`.

Break-glass (cse.break_glass): a case worker may, for an emergency, open one record
not shared with their agency for up to an hour. The grant is honoured only where a
record is opened by its address — `get_visible_or_404`, for a GET — and from then on,
for the rest of that one request, `agency_access` ORs in that single record, so the
record's own tabs (rows scoped by `scope_by_subject`) show it too and every audit
event of the request carries the grant. Lists, search, exports, counts and
background jobs never include it: each is another request (or no request at all) in
which nothing was opened through break-glass. Nothing can be changed through it:
POSTs do not honour it and `can_add_to`/`can_edit` look at agency access only. Users
without a grant pay nothing: the grant lookup runs only after the ordinary lookup
failed, once per request (cached on the user object).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_user_perms, remove_perm

from cse import audit
from cse.models import (
    Agency,
    AuditEvent,
    BreakGlass,
    Child,
    ChildUserObjectPermission,
    Link,
    Location,
    LocationUserObjectPermission,
    PersonOfInterest,
    PersonUserObjectPermission,
    Role,
    Subject,
    SubjectAccess,
    User,
    Vehicle,
    VehicleUserObjectPermission,
    WarningNote,
)

S = TypeVar("S", bound=Subject)

# Roles whose work is with individual records. Anyone else sees no person-level data.
CASEWORK_ROLES = frozenset(
    {
        Role.PRACTITIONER,
        Role.CSE_COORDINATOR,
        Role.MEETING_ADMINISTRATOR,
        Role.MEETING_CHAIR,
        Role.POLICE_OFFICER,
        Role.POLICE_INTELLIGENCE,
    }
)
# Roles that may create and change records their agency owns, and share them.
RECORDING_ROLES = frozenset(
    {
        Role.PRACTITIONER,
        Role.CSE_COORDINATOR,
        Role.POLICE_OFFICER,
        Role.POLICE_INTELLIGENCE,
    }
)
SUBJECT_MODELS: tuple[type[Subject], ...] = (Child, PersonOfInterest, Location, Vehicle)
# Where guardian keeps each record type's grants to one person (direct foreign keys).
_USER_GRANT_MODELS = {
    Child: ChildUserObjectPermission,
    PersonOfInterest: PersonUserObjectPermission,
    Location: LocationUserObjectPermission,
    Vehicle: VehicleUserObjectPermission,
}


@dataclass(frozen=True)
class AgencyReader:
    """An agency as the reader of something built for all its staff (a circulated
    agenda, minutes or action document). It sees exactly what the agency's
    `SubjectAccess` rows give: never a per-user grant or a break-glass look, which
    belong to one person and must not travel in a document to their colleagues."""

    agency: Agency

    @property
    def agency_id(self) -> int:
        return self.agency.pk

    def __str__(self) -> str:
        return str(self.agency)


# Who a rendered, summarised or exported piece of personal data is for.
Reader: TypeAlias = User | AgencyReader


def sees_records(user: User | AgencyReader) -> bool:
    """Whether the user (or agency) may see any person-level record at all."""
    if isinstance(user, AgencyReader):
        return user.agency.is_active
    return bool(
        user.is_authenticated
        and user.is_active
        and user.agency_id is not None
        and user.has_role(*CASEWORK_ROLES)
    )


def may_record(user: User) -> bool:
    """Whether the user may create records for their agency."""
    return sees_records(user) and user.has_role(*RECORDING_ROLES)


def agency_access(user: User | AgencyReader, subject_ref: str = "pk") -> Exists | Q:
    """An EXISTS condition: the reader's agency has access to the subject at
    `subject_ref`. The reader is a user or an `AgencyReader`.

    Returns an always-false condition for users who may not see records.
    """
    if not sees_records(user):
        return Q(pk__in=[])
    condition = Exists(
        SubjectAccess.objects.filter(
            agency_id=user.agency_id, subject_id=OuterRef(subject_ref)
        )
    )
    if isinstance(user, AgencyReader):
        return condition
    opened = opened_under_break_glass(user)
    if opened is not None:
        return condition | Q(**{subject_ref: opened})
    return condition


# --- break-glass -----------------------------------------------------------------------

_GRANTS_ATTR = "_break_glass_grants"


def _unexpired_grants(user: User) -> dict[int, tuple[int, object]]:
    """{subject id: (grant id, expires at)} of the user's grants not yet expired,
    read once per request and kept on the user object."""
    grants = getattr(user, _GRANTS_ATTR, None)
    if grants is None:
        grants = {
            subject_id: (grant_id, expires_at)
            for grant_id, subject_id, expires_at in BreakGlass.objects.filter(
                user_id=user.pk, expires_at__gt=timezone.now()
            )
            .order_by("expires_at")
            .values_list("pk", "subject_id", "expires_at")
        }
        setattr(user, _GRANTS_ATTR, grants)
    return grants


def forget_break_glass_grants(user: User) -> None:
    """After a grant is made, so the next check reads it."""
    setattr(user, _GRANTS_ATTR, None)


def active_break_glass(user: User, subject_id: int) -> int | None:
    """The id of the user's grant over this record still in force, if any."""
    if not sees_records(user):
        return None
    found = _unexpired_grants(user).get(subject_id)
    if found is None or found[1] <= timezone.now():
        return None
    return found[0]


def break_glass_grant_expiry(user: User, subject_id: int) -> tuple[int | None, object]:
    """(grant id, expires at) of the user's grant over this record as read in this
    request (for the banner that says so), or (None, None)."""
    return _unexpired_grants(user).get(subject_id, (None, None))


def opened_under_break_glass(user: User) -> int | None:
    """The record this request opened through the user's break-glass grant, if any."""
    context = audit.current_request_context()
    if context is None or context.break_glass is None:
        return None
    _grant, user_id, subject_id = context.break_glass
    return subject_id if user_id == user.pk else None


def _open_through_break_glass(user: User, subject: Subject) -> bool:
    """Honour a grant for this read-only request, and audit that it was used."""
    context = audit.current_request_context()
    if context is None or context.method not in {"GET", "HEAD"}:
        return False
    grant_id = active_break_glass(user, subject.pk)
    if grant_id is None:
        return False
    already = context.break_glass == (grant_id, user.pk, subject.pk)
    audit.mark_break_glass(grant_id=grant_id, user_id=user.pk, subject_id=subject.pk)
    if not already:
        audit.record(
            by=user,
            action=AuditEvent.Action.BREAK_GLASS,
            obj=subject,
            summary=f"opened through break-glass: {context.path}",
        )
    return True


def visible(user: User | AgencyReader, model: type[S]) -> QuerySet[S]:
    """All records of `model` the user may see."""
    if model not in SUBJECT_MODELS and model is not Subject:
        raise TypeError(f"{model.__name__} is not a record type")
    return model.objects.filter(agency_access(user))


def count_visible(user: User, kind: str, held: str = "") -> int:
    """How many records of `kind` the user may see (optionally only those their agency
    owns, `held="ours"`, or those shared with it, `held="shared"`), counted from the
    access table's index alone: the same number as `visible(...).count()`, without
    touching the records, which matters for paginating lists at regional scale."""
    if not sees_records(user):
        return 0
    rows = SubjectAccess.objects.filter(agency_id=user.agency_id, kind=kind)
    if held == "ours":
        rows = rows.filter(basis=SubjectAccess.Basis.OWNER)
    elif held == "shared":
        rows = rows.exclude(basis=SubjectAccess.Basis.OWNER)
    return rows.count()


def visible_children(user: User) -> QuerySet[Child]:
    return visible(user, Child)


def visible_persons(user: User) -> QuerySet[PersonOfInterest]:
    return visible(user, PersonOfInterest)


def visible_locations(user: User) -> QuerySet[Location]:
    return visible(user, Location)


def visible_vehicles(user: User) -> QuerySet[Vehicle]:
    return visible(user, Vehicle)


def scope_by_subject(
    user: User | AgencyReader, queryset: QuerySet, field: str
) -> QuerySet:
    """Rows hung off a record inherit its visibility: keep those whose `field`
    (a foreign key to a child or other subject) the user may see."""
    return queryset.filter(agency_access(user, f"{field}_id"))


def _own_view_grant(user: User | AgencyReader, subject_ref: str) -> Exists | Q:
    """An EXISTS condition: the user alone holds a `view_<record type>` grant over the
    subject at `subject_ref` (what `get_visible_or_404` honours besides agency access).
    Never for an agency as reader: a grant to one person does not travel."""
    if isinstance(user, AgencyReader) or not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for model, grants in _USER_GRANT_MODELS.items():
        condition |= Exists(
            grants.objects.filter(
                user_id=user.pk,
                permission__codename=f"view_{model._meta.model_name}",
                content_object_id=OuterRef(subject_ref),
            )
        )
    return condition


def scope_to_opened_record(
    user: User | AgencyReader, queryset: QuerySet, field: str
) -> QuerySet:
    """Rows hung off one record shown on that record's own page (warnings, who holds
    it, disruption): kept when the reader may open the record, by agency access (with
    break-glass), or by a grant to the user alone, as `get_visible_or_404` does."""
    ref = f"{field}_id"
    return queryset.filter(agency_access(user, ref) | _own_view_grant(user, ref))


def has_user_grant(user: User, obj: Subject, codename: str) -> bool:
    """A guardian grant to this user alone (never a superuser or global shortcut)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return codename in get_user_perms(user, obj)


def get_visible_or_404(user: User, model: type[S], pk: int) -> S:
    """The record, if the user may see it; otherwise 404, as if it did not exist."""
    obj = visible(user, model).filter(pk=pk).first()
    if obj is not None:
        return obj
    obj = model.objects.filter(pk=pk).first()
    if obj is not None and has_user_grant(user, obj, f"view_{model._meta.model_name}"):
        return obj
    if obj is not None and _open_through_break_glass(user, obj):
        return obj
    raise Http404("No such record")


def can_see(user: User | AgencyReader, subject: Subject) -> bool:
    return visible(user, Subject).filter(pk=subject.pk).exists()


def holds_access(user: User, subject: Subject) -> bool:
    """The user's agency has the record (owned or shared), not merely a break-glass
    look at it: the test for adding to a record or reading who accessed it."""
    return (
        sees_records(user)
        and SubjectAccess.objects.filter(
            agency_id=user.agency_id, subject_id=subject.pk
        ).exists()
    )


def can_edit(user: User, subject: Subject) -> bool:
    """Only the owning agency's recording staff change a record's core details."""
    return may_record(user) and subject.owner_agency_id == user.agency_id


def can_add_to(user: User, subject: Subject) -> bool:
    """Any recording user who can see a record may add to it (links, notes, flags)."""
    return may_record(user) and holds_access(user, subject)


def can_share(user: User, subject: Subject) -> bool:
    return can_edit(user, subject)


def require(condition: bool) -> None:
    """Raise 403 for a user who can see a record but may not do this to it."""
    if not condition:
        raise PermissionDenied


def visible_links(user: User | AgencyReader) -> QuerySet[Link]:
    """Links whose both ends the user may see: a link never reveals a hidden record."""
    return Link.objects.filter(
        agency_access(user, "from_subject_id"), agency_access(user, "to_subject_id")
    )


def agencies_with_access(subject: Subject) -> QuerySet[Agency]:
    return Agency.objects.filter(
        Exists(SubjectAccess.objects.filter(subject=subject, agency_id=OuterRef("pk")))
    )


def staff_who_can_see(subject: Subject) -> QuerySet[User]:
    """Active staff of agencies that can see the record, for lead-professional choices."""
    return User.objects.filter(
        is_active=True,
        agency__in=agencies_with_access(subject),
        role_assignments__role__in=CASEWORK_ROLES,
    ).distinct()


def grant_user_permission(user: User, codename: str, obj: Subject) -> None:
    """Give one person a right over one record (e.g. a chair's, or exceptional access)."""
    assign_perm(codename, user, obj)


def revoke_user_permission(user: User, codename: str, obj: Subject) -> None:
    remove_perm(codename, user, obj)


def can_read_audit_for(user: User, subject: Subject) -> bool:
    """CSE coordinators of an agency that can see a record may see who accessed it."""
    return user.has_role(Role.CSE_COORDINATOR) and holds_access(user, subject)


def can_search_audit(user: User) -> bool:
    return user.is_active and user.has_role(Role.SYSTEM_ADMINISTRATOR)


def can_administer(user: User) -> bool:
    return user.is_active and user.has_role(Role.SYSTEM_ADMINISTRATOR)


# --- reads for pages, panels and summaries ----------------------------------------------
# Each takes its reader and returns only what that reader may see, so a page never
# queries a personal-data model's manager itself.


def warnings_on(user: User | AgencyReader, subject: Subject) -> QuerySet[WarningNote]:
    """The warning notes in force on a record, if the reader may open the record."""
    return scope_to_opened_record(
        user,
        WarningNote.objects.filter(subject=subject, ended_at__isnull=True),
        "subject",
    )


def records_by_id(user: User | AgencyReader, ids) -> QuerySet[Subject]:
    """The records with these ids that the reader may see (the others are left out)."""
    return visible(user, Subject).filter(pk__in=ids)


def access_to(user: User, subject: Subject) -> QuerySet[SubjectAccess]:
    """Which agencies hold a record, for a reader who may open the record."""
    return scope_to_opened_record(
        user, SubjectAccess.objects.filter(subject=subject), "subject"
    )


def recently_shared_children(user: User, since) -> QuerySet[Child]:
    """Children shared with the user's agency (by decision or meeting) since then."""
    if not sees_records(user):
        return Child.objects.none()
    shared_ids = SubjectAccess.objects.filter(
        agency_id=user.agency_id,
        basis__in=[SubjectAccess.Basis.SHARED, SubjectAccess.Basis.MEETING],
        granted_at__gte=since,
        subject__kind="child",
    ).values("subject_id")
    return visible_children(user).filter(pk__in=shared_ids)


def open_cases_by_category(user: User) -> dict[int | None, int]:
    """{CSE risk category: number of open cases} in a partnership manager's own
    local area: counts only, never who the children are. Empty for anyone else."""
    if not (
        user.is_active
        and user.has_role(Role.PARTNERSHIP_MANAGER)
        and user.agency is not None
    ):
        return {}
    return dict(
        Child.objects.filter(
            home_area=user.agency.local_area_id, case_status=Child.CaseStatus.OPEN
        )
        .values_list("current_category")
        .annotate(n=Count("pk"))
        .values_list("current_category", "n")
    )


def children_to_check_for_duplicates(user: User) -> QuerySet[Child]:
    """Every child, for the check a recording user's new child record runs against
    existing ones. The one deliberate read across agencies: its caller shows the user
    only the matches they may see and tells the owners of the others
    (cse.services.check_new_child). Nobody who may not record gets anything."""
    if not may_record(user):
        return Child.objects.none()
    return Child.objects.all()


# --- the audit trail ------------------------------------------------------------------


def audit_events_on(user: User, subject: Subject) -> QuerySet[AuditEvent]:
    """Who accessed a record, for a CSE coordinator of an agency holding it; 403 for
    anyone else."""
    require(can_read_audit_for(user, subject))
    return AuditEvent.objects.filter(subject=subject)


def audit_events_for(user: User) -> QuerySet[AuditEvent]:
    """The whole trail, for system administrators; 403 for anyone else."""
    require(can_search_audit(user))
    return AuditEvent.objects.all()


def failed_logins_since(user: User, since) -> int:
    """How many log-ins failed since then (a count), for system administrators."""
    if not can_administer(user):
        return 0
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, at__gte=since
    ).count()


def break_glass_events(user: User, grant: BreakGlass) -> QuerySet[AuditEvent]:
    """What was done under a break-glass grant, for a reviewer in the owning agency
    (the caller has checked `cse.break_glass.may_review`); nothing for anyone else."""
    if not sees_records(user) or grant.owner_agency_id != user.agency_id:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(break_glass=grant)


# --- break-glass grants -----------------------------------------------------------------


def break_glass_grants_held_by(user: User) -> QuerySet[BreakGlass]:
    """The user's own break-glass grants, newest first as the model orders them."""
    if not (user.is_authenticated and user.is_active):
        return BreakGlass.objects.none()
    return BreakGlass.objects.filter(user_id=user.pk)


def break_glass_grant_in_force(user: User, pk: int) -> BreakGlass | None:
    """The user's own grant with this id, while it is still in force (else None)."""
    return (
        break_glass_grants_held_by(user)
        .filter(pk=pk, expires_at__gt=timezone.now())
        .select_related("subject")
        .first()
    )


def break_glass_grants_to_review(user: User) -> QuerySet[BreakGlass]:
    """Grants over records the user's agency owns, for its CSE coordinators."""
    if not (user.has_role(Role.CSE_COORDINATOR) and sees_records(user)):
        return BreakGlass.objects.none()
    return BreakGlass.objects.filter(owner_agency_id=user.agency_id)


def break_glass_grant_to_review(user: User, pk: int) -> BreakGlass | None:
    """One grant over a record the user's agency owns (the caller still checks
    `cse.break_glass.may_review`), or None."""
    if user.agency_id is None:
        return None
    return (
        BreakGlass.objects.filter(pk=pk, owner_agency_id=user.agency_id)
        .select_related("subject", "user", "agency", "reviewed_by")
        .first()
    )
