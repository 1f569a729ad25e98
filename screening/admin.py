"""Which screening tool versions are offered for new screenings is configuration.

A definition's content is never edited here: a change is a new version, loaded and
checked by `manage.py load_tool_definition`, so screenings already answered keep the
version they were answered against.
"""

from django.contrib import admin

from cse.admin import AuditedAdmin
from screening.models import ToolDefinition


@admin.register(ToolDefinition)
class ToolDefinitionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "key", "version", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    fields = ["key", "version", "name", "kind", "is_active", "created_at"]
    readonly_fields = ["key", "version", "name", "kind", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
