"""API v1 shapes of registry objects. Objects are named by their public codes."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictInt, field_validator

# Shared by every app; re-exported for the registry's API.
from pollguard.common.schemas import ConflictOut as ConflictOut
from pollguard.common.schemas import ErrorOut as ErrorOut
from pollguard.core.intel import IntelDraft, draft_from_json
from pollguard.core.package.reader import BIDI_CONTROLS
from pollguard.core.problems import InvalidInput
from pollguard.registry.choices import CenterKind, CenterStatus, IntelSource, UnitKind
from pollguard.registry.models import Center, Election, IntelReport, Station, Unit
from pollguard.registry.templatetags.pollguard_ui import local_name


class ElectionOut(Schema):
    code: str
    name: str = Field(description="The name in the caller's language.")
    name_en: str
    name_ar: str
    governorate_code: str
    timezone: str = Field(description="IANA time zone in which the election's times are shown.")
    special_vote_date: date
    general_vote_date: date
    polls_open: time = Field(description="Local time.")
    polls_close: time = Field(description="Local time.")
    loaded_at: datetime = Field(description="When a package for it was last loaded.")
    current: bool = Field(description="Whether the caller's pages and API show this election.")

    @staticmethod
    def resolve_name(obj: Election) -> str:
        return local_name(obj)

    @staticmethod
    def resolve_current(obj: Election) -> bool:
        return bool(getattr(obj, "is_current", False))


class SectorOut(Schema):
    code: str
    name_en: str
    name_ar: str


class CenterOut(Schema):
    code: str
    name_en: str
    name_ar: str
    sector: str = Field(description="Sector code.")
    district: str | None = Field(description="District code.")
    subdistrict: str | None = Field(description="Sub-district code.")
    lat: float
    lon: float
    stations: int = Field(description="Number of polling stations.")
    voters: int = Field(description="Registered voters.")
    kind: CenterKind
    status: CenterStatus
    status_changed_at: datetime | None
    version: int = Field(description="Send it back when changing the status (409 if stale).")
    risk_override: float | None

    @staticmethod
    def resolve_sector(obj: Center) -> str:
        return obj.sector.code

    @staticmethod
    def resolve_district(obj: Center) -> str | None:
        return obj.district.code if obj.district else None

    @staticmethod
    def resolve_subdistrict(obj: Center) -> str | None:
        return obj.subdistrict.code if obj.subdistrict else None

    @staticmethod
    def resolve_stations(obj: Center) -> int:
        return obj.stations_count


class CenterFilters(Schema):
    sector: str | None = Field(None, description="Sector code.")
    status: CenterStatus | None = None
    kind: CenterKind | None = None
    search: str | None = Field(
        None, description="Code or name, Arabic spelling variants and digits folded."
    )


class CenterStatusIn(Schema):
    status: CenterStatus
    # Strict: JSON `true` or "3" is a bad body (422), not version 1 or 3.
    version: StrictInt = Field(
        ge=1, description="The version you read; the change fails if it moved on."
    )
    remark: str = Field(
        "",
        max_length=500,
        description="Why the status changes (optional); shown in the feed and the history.",
    )

    @field_validator("remark")
    @classmethod
    def _no_bidi_controls(cls, value: str) -> str:
        # An override character would make the feed and the history read backwards to
        # everyone else (the package reader refuses the same characters).
        if any(char in BIDI_CONTROLS for char in value):
            raise ValueError("remark: text-direction control characters are not allowed")
        return value


class StationOut(Schema):
    code: str
    center: str = Field(description="Center code.")
    number: int
    voters: int

    @staticmethod
    def resolve_center(obj: Station) -> str:
        return obj.center.code


class StationFilters(Schema):
    center: str | None = Field(None, description="Center code.")


class UnitOut(Schema):
    code: str
    name_en: str
    name_ar: str
    agency: str = Field(description="Agency code.")
    kind: UnitKind
    headcount: int
    sector: str | None = Field(description="Home sector code; null for a governorate reserve.")
    lat: float
    lon: float
    team_size: int | None
    max_distance_km: float | None
    speed_kmh: float | None

    @staticmethod
    def resolve_agency(obj: Unit) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_sector(obj: Unit) -> str | None:
        return obj.sector.code if obj.sector else None


class UnitFilters(Schema):
    sector: str | None = Field(None, description="Home sector code.")
    agency: str | None = Field(None, description="Agency code.")
    kind: UnitKind | None = None
    search: str | None = Field(None, description="Code or name.")


# --- intelligence reports -------------------------------------------------------------
# Bodies are checked by `pollguard.core.intel.check_draft` (every field named in the
# user's language, 422 `invalid_input`), so the types here are loose on purpose: a
# reliability "G" or a credibility 7 reaches that check instead of a schema error.


class IntelReportOut(Schema):
    code: str = Field(description="INT-<n> for reports filed in the app; the package's code.")
    source: IntelSource
    center: str | None = Field(description="Center code; empty for a place report.")
    lat: float | None = Field(description="Place reports: latitude.")
    lon: float | None = Field(description="Place reports: longitude.")
    severity: float = Field(description="0 (minor) to 1 (grave).")
    reliability: str = Field(description="Source reliability A-F (empty for package rows).")
    credibility: int | None = Field(description="Information credibility 1-6.")
    weight: float = Field(description="How much the report counts: reliability x credibility.")
    text: str
    reported_at: datetime
    valid_until: datetime | None = Field(description="After this the report stops counting.")
    valid: bool = Field(description="False once valid_until has passed.")
    filed_by: str | None
    version: int = Field(description="Send it back with an edit (409 if stale).")
    updated_at: datetime

    @staticmethod
    def resolve_center(obj: IntelReport) -> str | None:
        return obj.center.code if obj.center is not None else None

    @staticmethod
    def resolve_valid(obj: IntelReport) -> bool:
        return obj.is_valid_at(timezone.now())

    @staticmethod
    def resolve_filed_by(obj: IntelReport) -> str | None:
        return obj.filed_by.get_username() if obj.filed_by is not None else None


# Types are checked by `draft()` (`core.intel.draft_from_json`), not by the schema, so that a
# wrong type is a 422 naming the field in the user's language like any other bad value;
# `json_schema_extra` still documents each field's JSON type.
class IntelReportIn(Schema):
    """An intelligence report: about a center or a place (lat and lon), exactly one."""

    center: Any = Field(
        None, json_schema_extra={"type": "string"}, description="A center code, or lat/lon."
    )
    lat: Any = Field(
        None, json_schema_extra={"type": "number"}, description="A place: latitude (with lon)."
    )
    lon: Any = Field(
        None, json_schema_extra={"type": "number"}, description="A place: longitude (with lat)."
    )
    severity: Any = Field(
        None, json_schema_extra={"type": "number"}, description="0 (minor) to 1 (grave)."
    )
    reliability: Any = Field(
        None,
        json_schema_extra={"type": "string", "enum": list("ABCDEF")},
        description="Source reliability: A (completely reliable) to E (unreliable), "
        "F (cannot be judged).",
    )
    credibility: Any = Field(
        None,
        json_schema_extra={"type": "integer", "minimum": 1, "maximum": 6},
        description="Information credibility: 1 (confirmed) to 5 (improbable), "
        "6 (cannot be judged).",
    )
    text: Any = Field(None, json_schema_extra={"type": "string"}, description="The report.")
    valid_until: Any = Field(
        None,
        json_schema_extra={"type": "string", "format": "date-time"},
        description="With a time zone; in the future.",
    )

    def draft(self) -> IntelDraft:
        """The draft, or `InvalidInput` naming each field of the wrong JSON type."""
        draft, problems = draft_from_json(self.model_dump(include=set(DRAFT_FIELDS)))
        if problems:
            raise InvalidInput(problems)
        return draft


DRAFT_FIELDS = (
    "center",
    "lat",
    "lon",
    "severity",
    "reliability",
    "credibility",
    "text",
    "valid_until",
)


class IntelReportPatch(IntelReportIn):
    version: StrictInt = Field(..., ge=1, description="The version you read (409 if stale).")


class IntelReportFilters(Schema):
    valid: bool | None = Field(None, description="true: still counting; false: expired.")
    center: str | None = Field(None, description="Reports about this center (code).")
    severity_min: float | None = Field(None, ge=0, le=1, description="Severity at least.")
    source: IntelSource | None = None
