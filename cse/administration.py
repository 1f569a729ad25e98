"""Four-eyes administration of accounts.

What an account can see follows from its agency and its roles. So a change that
widens it — a case-working role, the system administrator role (which could make
a second administrator to approve one's own requests), a move of an account that
already belongs to an agency (or holds such a role) to another agency, or a new
e-mail address for an account holding such a role (password-reset links go there)
— is not applied by the administrator who makes it. It becomes an `AdministrationRequest`,
applied only when a different active system administrator, who is not the account
either, approves it; the trail records both names. Taking roles away, clearing an
agency and deactivating narrow what an account sees and apply at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cse import audit, permissions, services
from cse.models import AdministrationRequest, Agency, AuditEvent, Role, User, UserRole

# Roles that need a second administrator's approval to be given.
FOUR_EYES_ROLES = frozenset(permissions.CASEWORK_ROLES | {Role.SYSTEM_ADMINISTRATOR})


def agency_change_needs_approval(account: User, agency_id: int | None) -> bool:
    """Whether setting `account`'s agency to `agency_id` must wait for approval: a
    move of an account that has an agency, or that holds a role giving sight of
    records. Clearing the agency, or giving a first agency to an account with no
    such role (it sees nothing until a role is approved), applies at once."""
    if agency_id is None or agency_id == account.agency_id or account.pk is None:
        return False
    if account.agency_id is not None:
        return True
    return holds_four_eyes_role(account)


def holds_four_eyes_role(account: User) -> bool:
    return (
        account.pk is not None
        and UserRole.objects.filter(user=account, role__in=FOUR_EYES_ROLES).exists()
    )


def email_change_needs_approval(account: User, email: str) -> bool:
    """Whether a new e-mail address must wait: for an account holding such a role,
    whoever receives its password-reset links can sign in as it."""
    return bool(email) and email != account.email and holds_four_eyes_role(account)


def _account_state(account: User) -> dict:
    return {
        "agency": account.agency_id,
        "email": account.email,
        "roles": sorted(
            UserRole.objects.filter(user=account).values_list("role", flat=True)
        ),
    }


@transaction.atomic
def request_change(
    *,
    by: User,
    account: User,
    agency: Agency | None = None,
    roles: Iterable[str] = (),
    email: str = "",
    reason: str = "",
) -> AdministrationRequest:
    """Hold a change of agency, e-mail address and/or new roles for `account` until
    a second system administrator approves it. Nothing about the account changes
    here."""
    roles = sorted(set(roles))
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValidationError(f"Unknown role: {', '.join(unknown)}.")
    if agency is None and not roles and not email:
        raise ValidationError("Ask for a new agency, e-mail address or role.")
    held = AdministrationRequest.objects.create(
        account=account,
        requested_by=by,
        agency=agency,
        agency_before_id=account.agency_id if agency is not None else None,
        roles_to_add=roles,
        email=email,
        email_before=account.email if email else "",
        reason=reason.strip(),
    )
    audit.record(
        by=by,
        action=AuditEvent.Action.ADMIN_REQUEST,
        obj=held,
        summary=f"Asked for approval: {held.change_description} for {account}",
        changes={
            "agency": [held.agency_before_id, agency.pk] if agency else None,
            "roles_to_add": roles,
            "email": [held.email_before, email] if email else None,
        },
        detail={
            "account_id": account.pk,
            "account": account.get_username(),
            "requested_by": by.get_username(),
            "reason": held.reason,
        },
    )
    deciders = (
        User.objects.filter(
            is_active=True, role_assignments__role=Role.SYSTEM_ADMINISTRATOR
        )
        .exclude(pk__in=[by.pk, account.pk])
        .distinct()
    )
    services.notify(
        users=deciders,
        message=(
            f"{by} asked for a change to a user account that needs a second "
            "administrator's approval."
        ),
        url=reverse("admin:cse_administrationrequest_changelist"),
    )
    return held


# Until the service has this many, there is no second administrator to approve.
BOOTSTRAP_ADMINISTRATORS = 2


@transaction.atomic
def bootstrap_administrator(*, account: User) -> None:
    """Give `account` the system administrator role from the server (manage.py),
    only while the service has fewer than two active system administrators: the
    way the first two are made. From then on the role is given four-eyes."""
    administrators = User.objects.filter(
        is_active=True, role_assignments__role=Role.SYSTEM_ADMINISTRATOR
    ).distinct()
    if administrators.filter(pk=account.pk).exists():
        raise ValidationError(f"{account.get_username()} is already an administrator.")
    if administrators.count() >= BOOTSTRAP_ADMINISTRATORS:
        raise ValidationError(
            "The service already has two system administrators: one of them asks "
            "for the role in the administration site and another approves it."
        )
    if not account.is_active:
        raise ValidationError(f"{account.get_username()} is deactivated.")
    before = _account_state(account)
    UserRole.objects.create(user=account, role=Role.SYSTEM_ADMINISTRATOR)
    account.is_staff = True  # Django's admin site lets in staff only
    account.save(update_fields=["is_staff"])
    account._roles_cache = None
    audit.record(
        by=None,
        action=AuditEvent.Action.CHANGE,
        obj=account,
        summary=f"Made {account} a system administrator from the server",
        changes=audit.diff(before, _account_state(account)),
        detail={"via": "manage.py bootstrap_administrator"},
    )


def _check_decider(held: AdministrationRequest, by: User) -> None:
    if not permissions.can_administer(by):
        raise ValidationError("Only an active system administrator can decide this.")
    if by.pk == held.requested_by_id:
        raise ValidationError(
            "A second administrator must decide: you asked for this change."
        )
    if by.pk == held.account_id:
        raise ValidationError(
            "Another administrator must decide on a change to your own account."
        )


def _lock_pending(held: AdministrationRequest) -> AdministrationRequest:
    locked = AdministrationRequest.objects.select_for_update().get(pk=held.pk)
    if locked.state != AdministrationRequest.State.PENDING:
        raise ValidationError(f"This change was already {locked.get_state_display()}.")
    return locked


@transaction.atomic
def approve_change(
    *, held: AdministrationRequest, by: User, comment: str = ""
) -> AdministrationRequest:
    """Apply a held change, as approved by `by`: a different active system
    administrator than the one who asked, and not the account itself."""
    held = _lock_pending(held)
    _check_decider(held, by)
    account = User.objects.select_for_update().get(pk=held.account_id)
    if held.agency_id is not None and account.agency_id != held.agency_before_id:
        raise ValidationError(
            "The account's agency has changed since this was asked: refuse it, "
            "and ask again if the move is still needed."
        )
    if held.email and account.email != held.email_before:
        raise ValidationError(
            "The account's e-mail address has changed since this was asked: "
            "refuse it, and ask again if the change is still needed."
        )
    before = _account_state(account)
    if held.agency_id is not None:
        account.agency_id = held.agency_id
        account.save(update_fields=["agency"])
    if held.email:
        account.email = held.email
        account.save(update_fields=["email"])
    for role in held.roles_to_add:
        UserRole.objects.get_or_create(user=account, role=role)
    account._roles_cache = None
    held.state = AdministrationRequest.State.APPROVED
    held.decided_by = by
    held.decided_at = timezone.now()
    held.decision_comment = comment.strip()
    held.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
    audit.record(
        by=by,
        action=AuditEvent.Action.ADMIN_APPROVE,
        obj=account,
        summary=(
            f"Approved {held.requested_by}'s change to {account}: "
            f"{held.change_description}"
        ),
        changes=audit.diff(before, _account_state(account)),
        detail=_decision_detail(held),
    )
    return held


@transaction.atomic
def refuse_change(
    *, held: AdministrationRequest, by: User, comment: str = ""
) -> AdministrationRequest:
    """Close a held change without applying it."""
    held = _lock_pending(held)
    _check_decider(held, by)
    held.state = AdministrationRequest.State.REFUSED
    held.decided_by = by
    held.decided_at = timezone.now()
    held.decision_comment = comment.strip()
    held.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
    audit.record(
        by=by,
        action=AuditEvent.Action.ADMIN_REFUSE,
        obj=held.account,
        summary=(
            f"Refused {held.requested_by}'s change to {held.account}: "
            f"{held.change_description}"
        ),
        detail=_decision_detail(held),
    )
    return held


def _decision_detail(held: AdministrationRequest) -> dict:
    return {
        "request_id": held.pk,
        "account_id": held.account_id,
        "requested_by_id": held.requested_by_id,
        "requested_by": held.requested_by.get_username(),
        "decided_by": held.decided_by.get_username(),
        "agency": held.agency_id,
        "roles_to_add": held.roles_to_add,
        "email": held.email,
        "reason": held.reason,
        "comment": held.decision_comment,
    }
