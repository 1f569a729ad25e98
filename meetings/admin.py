"""Meeting types are configuration: system administrators add an area's own types
(members, chair role, quorum, lead times, standard items) beside the regional ones."""

from django.contrib import admin

from cse.admin import AuditedAdmin
from meetings.models import MeetingType


@admin.register(MeetingType)
class MeetingTypeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "forum",
        "local_area",
        "circulation_lead_days",
        "minutes_deadline_days",
    ]
    list_filter = ["forum", "local_area"]
