"""Each area's missing-pattern thresholds are configuration for system administrators."""

from django.contrib import admin

from cse.admin import AuditedAdmin
from missing.models import MissingRules


@admin.register(MissingRules)
class MissingRulesAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["local_area"]
