"""Django admin for the registry (staff tool; everyday work happens in the pages).

Rows come from election packages, so the admin is mostly for looking; edits made here
bypass the actions layer and are therefore limited to read-only views of package data.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from pollguard.registry import models


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Package data changes by loading a package (audited), never by hand in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.Election)
class ElectionAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "name_en",
        "name_ar",
        "governorate_en",
        "general_vote_date",
        "loaded_at",
    ]
    search_fields = ["code", "name_en", "name_ar"]


@admin.register(models.Component)
class ComponentAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_ar", "seats", "election"]
    list_filter = ["election"]
    search_fields = ["code", "name_en", "name_ar"]


@admin.register(models.BallotEntity)
class BallotEntityAdmin(ReadOnlyAdmin):
    list_display = ["number", "name_en", "name_ar", "component", "election"]
    list_filter = ["election", "component"]
    search_fields = ["name_en", "name_ar"]


@admin.register(models.Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_ar", "active", "election"]
    list_filter = ["election", "active"]
    search_fields = ["code", "name_en", "name_ar"]


@admin.register(models.Sector)
class SectorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_ar", "active", "election"]
    list_filter = ["election", "active"]
    search_fields = ["code", "name_en", "name_ar"]


@admin.register(models.District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_ar", "parent", "active"]
    list_filter = ["election", "active"]
    list_select_related = ["parent"]
    search_fields = ["code", "name_en", "name_ar"]


@admin.register(models.Center)
class CenterAdmin(ReadOnlyAdmin):
    list_display = [
        "code", "name_en", "name_ar", "sector", "kind", "stations_count", "voters", "status",
        "version", "active",
    ]  # fmt: skip
    list_filter = ["election", "sector", "kind", "status", "active"]
    list_select_related = ["sector"]
    search_fields = ["code", "name_en", "name_ar", "search_name"]


@admin.register(models.Station)
class StationAdmin(ReadOnlyAdmin):
    list_display = ["code", "center", "number", "voters", "active"]
    list_filter = ["election", "active"]
    list_select_related = ["center"]
    search_fields = ["code", "center__code"]


@admin.register(models.Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_ar", "agency", "kind", "headcount", "sector", "active"]
    list_filter = ["election", "agency", "kind", "sector", "active"]
    list_select_related = ["agency", "sector"]
    search_fields = ["code", "name_en", "name_ar", "search_name"]


@admin.register(models.Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_ar", "name_en", "unit", "active"]
    list_filter = ["election", "active"]
    list_select_related = ["unit"]
    search_fields = ["code", "name_ar", "name_en", "unit__code"]


@admin.register(models.SpecialVoter)
class SpecialVoterAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_ar", "name_en", "special_center", "unit", "active"]
    list_filter = ["election", "active"]
    list_select_related = ["special_center", "unit"]
    search_fields = ["code", "name_ar", "name_en"]


@admin.register(models.PastIncident)
class PastIncidentAdmin(ReadOnlyAdmin):
    list_display = ["code", "occurred_at", "kind", "severity", "center"]
    list_filter = ["election", "kind"]
    list_select_related = ["center"]
    search_fields = ["code", "description"]


# Intelligence reports are deliberately not in the admin: every read of them must be an
# audit entry naming the reports (registry.intel_views, registry.api), and the admin's
# pages would be reads that nobody records. The chair, intelligence officers and the
# auditor read them on /intel/.
