"""Admin registration of the reports (read mostly: reports are issued through the app)."""

from __future__ import annotations

from django.contrib import admin

from pollguard.reports.models import PreviousElection, SituationReport


@admin.register(SituationReport)
class SituationReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("election", "number", "version", "period_from", "period_to", "issued_at")
    search_fields = ("summary", "issued_by_name")
    list_select_related = ("election",)


@admin.register(PreviousElection)
class PreviousElectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("election", "code", "name_en", "held", "loaded_at")
    search_fields = ("code", "name_en", "name_ar")
    list_select_related = ("election",)
