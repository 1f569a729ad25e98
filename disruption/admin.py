"""The catalogue of disruption tactics is configuration: the regional list is
loaded by a migration, and system administrators add an area's own or retire one."""

from django.contrib import admin

from cse.admin import AuditedAdmin
from disruption.models import TacticType


@admin.register(TacticType)
class TacticTypeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "category", "applies_to", "is_active"]
    list_filter = ["category", "is_active"]
    prepopulated_fields = {"code": ["name"]}
