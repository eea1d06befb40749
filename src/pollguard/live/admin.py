"""Django admin for the live feed (read-only; events are written by actions)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from pollguard.live.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "created_at", "kind", "sector", "center"]
    list_filter = ["kind"]
    list_select_related = ["sector", "center"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
