"""Who may see and do what in disruption. Records (persons, children, locations,
vehicles) are always reached through cse.permissions; this module adds the rules
for notices, tactics, plans and information reports on top."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cse import permissions
from cse.models import Agency, Role, Subject, User
from disruption.cawn_rules import CawnDecision, Variant
from disruption.models import Cawn, DisruptionTactic, IntelligenceReport, Plan

POLICE_ROLES = (Role.POLICE_OFFICER, Role.POLICE_INTELLIGENCE)


# --- notices -------------------------------------------------------------------------


def visible_cawns(user: User) -> QuerySet[Cawn]:
    """Notices whose person AND child the user may see: a notice never reveals
    either party to someone who may not see it."""
    qs = permissions.scope_by_subject(user, Cawn.objects.all(), "person")
    return permissions.scope_by_subject(user, qs, "child")


def get_cawn_or_404(user: User, pk: int) -> Cawn:
    cawn = (
        visible_cawns(user)
        .select_related("person", "child", "local_area", "issuing_agency")
        .filter(pk=pk)
        .first()
    )
    if cawn is None:
        raise Http404("No such notice")
    return cawn


def is_police(user: User) -> bool:
    return permissions.may_record(user) and user.has_role(*POLICE_ROLES)


def is_local_authority(user: User) -> bool:
    return (
        permissions.may_record(user)
        and user.agency is not None
        and user.agency.kind == Agency.Kind.SOCIAL_CARE
    )


def may_start_cawns(user: User) -> bool:
    """Police recording staff issue notices; the local authority may too, but only
    for a looked-after 16 or 17-year-old (checked again per child)."""
    return is_police(user) or is_local_authority(user)


def may_issue(user: User, decision: CawnDecision) -> bool:
    if not decision.allowed:
        return False
    if is_police(user):
        return True
    return (
        is_local_authority(user)
        and decision.variant == Variant.LOOKED_AFTER
        and decision.age is not None
        and decision.age >= 16
    )


def may_manage_cawn(user: User, cawn: Cawn) -> bool:
    """Serve, record breaches, withdraw: police, or the issuing agency's staff."""
    return is_police(user) or (
        permissions.may_record(user) and user.agency_id == cawn.issuing_agency_id
    )


# --- tactics and plans ---------------------------------------------------------------


def may_record_disruption(user: User, subject: Subject) -> bool:
    return permissions.can_add_to(user, subject)


# --- information reports -------------------------------------------------------------


def is_intelligence(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.agency_id is not None
        and user.has_role(Role.POLICE_INTELLIGENCE)
    )


def visible_reports(user: User) -> QuerySet[IntelligenceReport]:
    """Information reports the user may read: those they submitted, and, for police
    intelligence staff, every report sent to their local area. Nobody else — not
    the submitter's colleagues or managers, not other police roles — sees them,
    as the information sharing tool promises its sources."""
    if not (user.is_authenticated and user.is_active):
        return IntelligenceReport.objects.none()
    condition = Q(submitted_by=user)
    if is_intelligence(user):
        condition |= Q(local_area_id=user.agency.local_area_id)
    return IntelligenceReport.objects.filter(condition)


def get_report_or_404(user: User, pk: int) -> IntelligenceReport:
    report = visible_reports(user).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report")
    return report


def may_submit_report(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.agency_id)


def may_grade(user: User, report: IntelligenceReport) -> bool:
    return is_intelligence(user) and report.local_area_id == user.agency.local_area_id


def may_export_intelligence_log(user: User) -> bool:
    """System administrators, who already keep the audit trail, answer the Information
    Commissioner. Police intelligence staff are the people these logs are about, so
    they do not export them (and there is no intelligence-lead role to give it to)."""
    return permissions.can_search_audit(user)


# --- reads for pages and summaries -----------------------------------------------------


def _subject_field(subject: Subject) -> str | None:
    return {Subject.Kind.PERSON: "person", Subject.Kind.CHILD: "child"}.get(
        subject.kind
    )


def cawns_on(reader: permissions.Reader, subject: Subject) -> QuerySet[Cawn]:
    """Notices on a person or child, if the reader may open that record. The other
    party is the caller's to name only if the reader may see it too (summaries show
    "not shared" instead); none for locations and vehicles."""
    field = _subject_field(subject)
    if field is None:
        return Cawn.objects.none()
    return permissions.scope_to_opened_record(
        reader, Cawn.objects.filter(**{field: subject}), field
    )


def breach_counts(user: User, pks) -> dict[int, int]:
    """{notice id: number of breaches recorded} for those of these notices the user
    may see."""
    return dict(
        visible_cawns(user)
        .filter(pk__in=pks)
        .annotate(n=Count("breaches"))
        .values_list("pk", "n")
    )


def tactics_on(
    reader: permissions.Reader, subject: Subject
) -> QuerySet[DisruptionTactic]:
    """Disruption tactics on a record, if the reader may open the record."""
    return permissions.scope_to_opened_record(
        reader, DisruptionTactic.objects.filter(subject=subject), "subject"
    )


def plans_on(reader: permissions.Reader, subject: Subject) -> QuerySet[Plan]:
    """Disruption plans of a record, if the reader may open the record."""
    return permissions.scope_to_opened_record(
        reader, Plan.objects.filter(subject=subject), "subject"
    )
