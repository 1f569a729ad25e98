"""Configuration screens for system administrators: areas, agencies and users.

Case records are deliberately not registered here: they are reached only through
the app's own pages, which scope and audit every access.
"""

from functools import wraps

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect

from cse import permissions, stepup, two_factor
from cse.models import Agency, LocalArea, User, UserRole


class AdministratorsOnly:
    """The system administrator role decides, not Django's per-model permissions."""

    def has_module_permission(self, request) -> bool:
        return permissions.can_administer(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_administer(request.user)

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: records and the audit trail refer to them


@admin.register(LocalArea)
class LocalAreaAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "slug", "children_services_department", "cse_team_phone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agency)
class AgencyAdmin(AdministratorsOnly, admin.ModelAdmin):
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


@admin.register(User)
class UserAdmin(AdministratorsOnly, BaseUserAdmin):
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
            # Ended first, so the audit names the administrator; saving inactive
            # would end them too (cse.auth_audit), as the system.
            two_factor.end_sessions(user, by=request.user, reason="deactivated")
            user.is_active = False
            user.save(update_fields=["is_active"])
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
        if change and "is_active" in form.changed_data and not obj.is_active:
            two_factor.end_sessions(obj, by=request.user, reason="deactivated")
        super().save_model(request, obj, form, change)

    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Agency",
            {"fields": ("agency", "job_title", "phone", "collar_number", "station")},
        ),
    )
