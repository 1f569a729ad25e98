"""When each area's reporting year starts is configuration (1 April by default)."""

from django.contrib import admin

from cse.admin import AuditedAdmin
from reports.models import ReportingYear


@admin.register(ReportingYear)
class ReportingYearAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["local_area", "start_month"]
