"""Configuration screens for system administrators: areas, agencies and users.

Case records are deliberately not registered here: they are reached only through
the app's own pages, which scope and audit every access.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from cse import permissions
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


@admin.register(User)
class UserAdmin(AdministratorsOnly, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "is_active"]
    list_filter = ["agency__local_area", "agency", "is_active"]
    inlines = [UserRoleInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Agency",
            {"fields": ("agency", "job_title", "phone", "collar_number", "station")},
        ),
    )
