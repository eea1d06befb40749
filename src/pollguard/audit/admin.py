"""Django admin for the audit trail: read-only, nothing may be edited or deleted."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from pollguard.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "actor_name", "action", "object_type", "object_id", "critical"]
    list_filter = ["critical", "action"]
    search_fields = ["actor_name", "action", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
