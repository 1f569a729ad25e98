"""Configuration screens for system administrators: areas, agencies and users.

Case records are deliberately not registered here: they are reached only through
the app's own pages, which scope and audit every access.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from cse.models import Agency, LocalArea, User, UserRole


@admin.register(LocalArea)
class LocalAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "children_services_department", "cse_team_phone"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "local_area", "is_active"]
    list_filter = ["kind", "local_area", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
