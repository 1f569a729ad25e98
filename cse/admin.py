"""Configuration screens for system administrators: areas, agencies and users.

Case records are deliberately not registered here: they are reached only through
the app's own pages, which scope and audit every access.

Every model admin of every app derives from `AuditedAdmin`, so each addition,
change and deletion made here — with its inlines and many-to-many fields — lands in
the append-only trail with the values before and after (Django's own admin log is
an ordinary, editable table). A system check refuses an admin class that does not.
Changes that would widen what an account sees wait for a second administrator
(cse.administration).
"""

from __future__ import annotations

import json
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.forms import CharField, Textarea
from django.forms.models import _get_foreign_key
from django.shortcuts import redirect

from cse import (
    administration,
    audit,
    concurrency,
    outbox,
    permissions,
    stepup,
    two_factor,
)
from cse.models import (
    AdministrationRequest,
    Agency,
    AuditEvent,
    LocalArea,
    OutboundEmail,
    User,
    UserRole,
)

NOT_RECORDED = "(not recorded)"


class AdministratorsOnly:
    """The system administrator role decides, not Django's per-model permissions."""

    def has_module_permission(self, request) -> bool:
        return permissions.can_administer(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_administer(request.user)

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: records and the audit trail refer to them


class AuditedAdmin(AdministratorsOnly):
    """Records each save and delete in the audit trail, before and after.

    The values are read back from the database on both sides (the admin form
    changes the object in place before `save_model`), over the model's own fields,
    its many-to-many fields and the rows of its inlines, so a role added in the
    user's inline shows as a change to the user. Fields in `audit_hidden_fields`
    are named when they change, never their values.
    """

    audit_hidden_fields: frozenset[str] = frozenset({"password"})
    # The change form carries the version it was read at (cse.concurrency).
    change_form_template = "admin/versioned_change_form.html"

    # --- Django's hooks -----------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form
        return concurrency.versioned_admin_form(form, hidden=self.audit_hidden_fields)

    def get_object(self, request, object_id, from_field=None):
        """On a POST (inside the change view's transaction) the row is read under a
        lock, so the version checked is the version saved over."""
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "POST" and self._in_transaction():
            obj = concurrency.lock(obj)
        return obj

    def _in_transaction(self) -> bool:
        return transaction.get_connection(
            router.db_for_write(self.model)
        ).in_atomic_block

    def save_model(self, request, obj, form, change) -> None:
        _before(request)[id(obj)] = self.audit_state(request, obj) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        before = _before(request).pop(id(form.instance), {})
        self.audit_saved(request, form.instance, before, created=not change)

    def delete_model(self, request, obj) -> None:
        before = self.audit_state(request, obj)
        label, pk = str(obj), obj.pk
        super().delete_model(request, obj)
        self._record_deletion(request, obj, before, label, pk)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    # --- the trail ----------------------------------------------------------------

    def audit_state(self, request, obj: models.Model) -> dict:
        """The stored values of `obj`, its many-to-many fields and inline rows."""
        if obj.pk is None:
            return {}
        stored = type(obj)._default_manager.filter(pk=obj.pk).first()
        if stored is None:
            return {}
        opts = stored._meta
        state = audit.snapshot(
            stored, [f.name for f in opts.concrete_fields if not f.primary_key]
        )
        for field in opts.many_to_many:
            state[field.name] = sorted(
                getattr(stored, field.name).values_list("pk", flat=True)
            )
        for inline in self.get_inline_instances(request, stored):
            fk = _get_foreign_key(type(stored), inline.model, fk_name=inline.fk_name)
            names = [
                f.name
                for f in inline.model._meta.concrete_fields
                if not f.primary_key and f.name != fk.name
            ]
            rows = [
                audit.snapshot(row, names)
                for row in inline.model._default_manager.filter(**{fk.name: stored})
            ]
            if len(names) == 1:
                rows = [row[names[0]] for row in rows]
            state[fk.remote_field.get_accessor_name()] = sorted(rows, key=_sort_key)
        return state

    def audit_saved(
        self, request, obj: models.Model, before: dict, *, created: bool = False
    ) -> AuditEvent | None:
        """Record what a save changed (nothing, when nothing did)."""
        changes = self._masked(audit.diff(before, self.audit_state(request, obj)))
        if not changes and not created:
            return None
        verb = "Added" if created else "Changed"
        return audit.record(
            by=request.user,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.CHANGE,
            obj=obj,
            summary=f"{verb} {obj._meta.verbose_name} “{obj}” in the administration site",
            changes=changes,
            detail={"via": "administration site"},
        )

    def _record_deletion(self, request, obj, before: dict, label: str, pk) -> None:
        changes = self._masked({name: [value, None] for name, value in before.items()})
        if obj.pk is None:  # Django clears it on delete; the event names the row
            obj.pk = pk
        audit.record(
            by=request.user,
            action=AuditEvent.Action.DELETE,
            obj=obj,
            summary=f"Deleted {obj._meta.verbose_name} “{label}” in the administration site",
            changes=changes,
            detail={"via": "administration site"},
        )

    def _masked(self, changes: dict) -> dict:
        return {
            name: [NOT_RECORDED, NOT_RECORDED]
            if name in self.audit_hidden_fields
            else values
            for name, values in changes.items()
        }


def _before(request) -> dict:
    """Values read before a save, kept on the request until the save is recorded."""
    if not hasattr(request, "_audit_before"):
        request._audit_before = {}
    return request._audit_before


def _sort_key(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# Other packages' admin screens would change rows outside the trail and outside the
# role check: groups are unused (roles are), sign-in factors are reset through the
# user's actions (an administrator never makes one for someone else), and a
# sign-in pause lifts itself (cse.lockout).
for _model in (
    "auth.Group",
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "otp_static.StaticDevice",
    "otp_totp.TOTPDevice",
):
    _model = apps.get_model(_model)
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@checks.register(checks.Tags.admin)
def check_every_admin_is_audited(app_configs, **kwargs) -> list[checks.Error]:
    """A model registered in the administration site without `AuditedAdmin` would
    be changed outside the trail."""
    return [
        checks.Error(
            f"{type(model_admin).__name__} does not derive from cse.admin.AuditedAdmin.",
            hint="Changes made through it would not reach the audit trail.",
            obj=type(model_admin),
            id="cse.E001",
        )
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, AuditedAdmin)
    ]


@admin.register(LocalArea)
class LocalAreaAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "children_services_department", "cse_team_phone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "local_area", "is_active"]
    list_filter = ["kind", "local_area", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


class UserRoleInline(AdministratorsOnly, admin.TabularInline):
    model = UserRole
    extra = 1

    def has_delete_permission(self, request, obj=None) -> bool:
        return permissions.can_administer(request.user)


def step_up_action(action):
    """An admin action on users' sign-in (their sessions, their account, their
    factors) runs only within STEP_UP_MINUTES of the administrator's last check.
    When the check is stale nothing is done: they confirm it is them and come back
    to the list (the action is a POST from it) to choose the action again."""

    @wraps(action)
    def checked(self, request, queryset):
        if stepup.is_recent(request):
            return action(self, request, queryset)
        messages.info(
            request,
            "For your security, confirm it is you again, then choose the action again.",
        )
        return redirect(stepup.confirm_url(request.get_full_path()))

    checked.step_up = True
    return checked


class AccountChangeForm(UserChangeForm):
    approval_reason = CharField(
        label="Why (for a change that needs a second administrator's approval)",
        help_text=(
            "A new case-working or administrator role, a move to another agency, or "
            "a new e-mail address for an account holding such a role, is applied "
            "only when a second system administrator approves it."
        ),
        required=False,
        max_length=1000,
        widget=Textarea(attrs={"rows": 2}),
    )


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    form = AccountChangeForm
    list_display = ["username", "first_name", "last_name", "agency", "is_active"]
    list_filter = ["agency__local_area", "agency", "is_active"]
    inlines = [UserRoleInline]
    actions = ["end_sessions", "deactivate", "reset_factors"]

    @admin.action(description="End all their sessions", permissions=["change"])
    @step_up_action
    def end_sessions(self, request, queryset) -> None:
        ended = sum(
            two_factor.end_sessions(user, by=request.user, reason="by an administrator")
            for user in queryset
        )
        self.message_user(request, f"Ended {ended} session(s).")

    @admin.action(
        description="Deactivate them and end their sessions", permissions=["change"]
    )
    @step_up_action
    def deactivate(self, request, queryset) -> None:
        for user in queryset.exclude(pk=request.user.pk):
            before = self.audit_state(request, user)
            # Ended first, so the audit names the administrator; saving inactive
            # would end them too (cse.auth_audit), as the system.
            two_factor.end_sessions(user, by=request.user, reason="deactivated")
            user.is_active = False
            user.save(update_fields=["is_active"])
            self.audit_saved(request, user, before)
        self.message_user(request, "Deactivated, and their sessions ended.")

    @admin.action(
        description="Reset their sign-in factors (they set up again at next sign-in)",
        permissions=["change"],
    )
    @step_up_action
    def reset_factors(self, request, queryset) -> None:
        for user in queryset:
            two_factor.reset_factors(user, by=request.user)
        self.message_user(request, "Sign-in factors reset, and their sessions ended.")

    def save_model(self, request, obj, form, change) -> None:
        held = _held(request)
        if change:
            stored = User.objects.get(pk=obj.pk)
            if administration.agency_change_needs_approval(stored, obj.agency_id):
                held["agency"] = obj.agency
                obj.agency_id = stored.agency_id
            if administration.email_change_needs_approval(stored, obj.email):
                held["email"] = obj.email
                obj.email = stored.email
        if change and "is_active" in form.changed_data and not obj.is_active:
            two_factor.end_sessions(obj, by=request.user, reason="deactivated")
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not UserRole:
            return super().save_formset(request, form, formset, change)
        # Removals apply at once; a role that widens what the account sees waits.
        instances = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        for row in instances:
            if row.role not in administration.FOUR_EYES_ROLES:
                row.save()
                continue
            if row.pk is not None:  # the row held another role: that one goes now
                UserRole.objects.filter(pk=row.pk).delete()
            _held(request).setdefault("roles", []).append(row.role)
        formset.save_m2m()
        form.instance._roles_cache = None

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        held = _held(request)
        if not held:
            return
        account = form.instance
        reason = form.cleaned_data.get("approval_reason", "") if change else ""
        try:
            pending = administration.request_change(
                by=request.user,
                account=account,
                agency=held.get("agency"),
                roles=held.get("roles", ()),
                email=held.get("email", ""),
                reason=reason or ("New account" if not change else ""),
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request,
            f"Not applied yet: {pending.change_description}. A second system "
            "administrator must approve it (Administration changes awaiting approval).",
            messages.WARNING,
        )

    def user_change_password(self, request, id, form_url=""):
        # Whoever knows the password of an account that sees records can sign in
        # as it: its holder sets it, through "Forgotten your password?".
        account = User.objects.filter(pk=id).first()
        if account is not None and administration.holds_four_eyes_role(account):
            self.message_user(
                request,
                f"“{account}” holds a role that sees records or administers the "
                "service: they set their own password with “Forgotten your "
                "password?”, which e-mails them a link.",
                messages.ERROR,
            )
            return redirect("admin:cse_user_change", account.pk)
        stored = User.objects.filter(pk=id).values_list("password", flat=True).first()
        response = super().user_change_password(request, id, form_url)
        account = User.objects.filter(pk=id).first()
        if account is not None and account.password != stored:
            audit.record(
                by=request.user,
                action=AuditEvent.Action.CHANGE,
                obj=account,
                summary=f"Set the password of “{account}” in the administration site",
                changes={"password": [NOT_RECORDED, NOT_RECORDED]},
                detail={"via": "administration site"},
            )
        return response

    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Agency",
            {"fields": ("agency", "job_title", "phone", "collar_number", "station")},
        ),
        ("Approval", {"fields": ("pending_changes", "approval_reason")}),
    )
    readonly_fields = ["pending_changes"]

    @admin.display(description="changes awaiting a second administrator")
    def pending_changes(self, obj: User | None) -> str:
        pending = (
            obj.administration_requests.filter(
                state=AdministrationRequest.State.PENDING
            ).select_related("requested_by", "agency", "agency_before")
            if obj is not None and obj.pk
            else []
        )
        return (
            "; ".join(
                f"{held.change_description} (asked by {held.requested_by})"
                for held in pending
            )
            or "None"
        )


def _held(request) -> dict:
    """The part of this save that waits for a second administrator."""
    if not hasattr(request, "_administration_held"):
        request._administration_held = {}
    return request._administration_held


@admin.register(AdministrationRequest)
class AdministrationRequestAdmin(AuditedAdmin, admin.ModelAdmin):
    """Changes held for a second administrator. They are made from the user's page
    and decided here, never edited."""

    list_display = [
        "account",
        "account_agency",
        "change_description",
        "reason",
        "requested_by",
        "requested_at",
        "state",
        "decided_by",
    ]
    list_filter = ["state"]
    actions = ["approve", "refuse"]
    readonly_fields = [
        f.name for f in AdministrationRequest._meta.fields if f.name != "id"
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_decide_permission(self, request) -> bool:
        return permissions.can_administer(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="account's agency now")
    def account_agency(self, obj: AdministrationRequest) -> str:
        return str(obj.account.agency or "none")

    @admin.action(
        description="Approve and apply the selected changes", permissions=["decide"]
    )
    @step_up_action
    def approve(self, request, queryset) -> None:
        self._decide(request, queryset, administration.approve_change, "Approved")

    @admin.action(description="Refuse the selected changes", permissions=["decide"])
    @step_up_action
    def refuse(self, request, queryset) -> None:
        self._decide(request, queryset, administration.refuse_change, "Refused")

    def _decide(self, request, queryset, decide, verb: str) -> None:
        for held in queryset:
            try:
                decide(held=held, by=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{held.account}: {' '.join(error.messages)}",
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request, f"{verb}: {held.change_description} for {held.account}."
                )


@admin.register(OutboundEmail)
class OutboundEmailAdmin(AuditedAdmin, admin.ModelAdmin):
    """The outbox (cse.outbox): what was sent, what waits, and what was given up
    after repeated failures, which an administrator may put back in the queue once
    the mail server is fixed. Read-only otherwise; no message text is shown."""

    list_display = [
        "pk",
        "kind",
        "notice",
        "user",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    readonly_fields = [
        f.name
        for f in OutboundEmail._meta.fields
        if f.name not in {"id", "notification"}
    ]
    exclude = ["notification"]  # its text names records: not shown here
    actions = ["try_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        return permissions.can_administer(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changelist_view(self, request, extra_context=None):
        given_up = OutboundEmail.objects.filter(
            status=OutboundEmail.Status.GAVE_UP
        ).count()
        if given_up:
            self.message_user(
                request,
                f"{given_up} e-mail(s) could not be sent after "
                f"{settings.OUTBOX_MAX_ATTEMPTS} tries. Filter by status "
                "“Gave up”, check the mail server, then try them again.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.action(
        description="Try the selected given-up e-mails again", permissions=["retry"]
    )
    def try_again(self, request, queryset) -> None:
        queued = 0
        for email in queryset.filter(status=OutboundEmail.Status.GAVE_UP):
            if outbox.try_again(email):
                queued += 1
                audit.record(
                    by=request.user,
                    action=AuditEvent.Action.CHANGE,
                    obj=email,
                    summary="Put a given-up e-mail back in the outbox",
                    changes={"status": ["gave_up", "pending"]},
                    detail={"via": "administration site"},
                )
        self.message_user(
            request, f"{queued} e-mail(s) will be sent at the next sweep."
        )
