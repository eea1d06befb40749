"""API v1 shapes of operations (design.md section 5: these field names are the contract).

Strict: JSON `true` is not a severity, a string is not a version; text is bounded and
may not carry control or text-direction override characters (422 naming the field).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema
from pydantic import StrictFloat, StrictInt, field_validator, model_validator

from pollguard.common.schemas import ConflictOut as ConflictOut
from pollguard.common.schemas import ErrorOut as ErrorOut
from pollguard.core.package.reader import BIDI_CONTROLS
from pollguard.operations.choices import (
    IncidentKind,
    IncidentState,
    OutsideForce,
    OutsideForceState,
    UnitStatus,
)
from pollguard.operations.models import (
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Assignment,
    Incident,
    IncidentPhoto,
    IncidentTransition,
    OutsideForceRequest,
)


def clean_text(value: str, field: str) -> str:
    """`value` if it holds no control or bidi-override characters (newlines and tabs allowed)."""
    for char in value:
        if char in BIDI_CONTROLS or (ord(char) < 32 and char not in "\n\t") or ord(char) == 127:
            raise ValueError(f"{field}: control and text-direction characters are not allowed")
    return value


class IncidentIn(Schema):
    """A new incident: at a center, or at a point (lat and lon), exactly one."""

    center: str | None = Field(None, max_length=32, description="A center code, or lat/lon.")
    lat: StrictFloat | StrictInt | None = Field(None, ge=-90, le=90)
    lon: StrictFloat | StrictInt | None = Field(None, ge=-180, le=180)
    kind: IncidentKind
    severity: StrictInt = Field(ge=1, le=4, description="1 (low) to 4 (critical).")
    text: str = Field("", max_length=TEXT_MAX_LENGTH)
    observed_at: datetime = Field(description="The reporter's clock, with a time zone.")

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return clean_text(value, "text")

    @field_validator("center")
    @classmethod
    def _center(cls, value: str | None) -> str | None:
        return clean_text(value, "center") if value is not None else None

    @field_validator("observed_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("observed_at: give a time zone")
        return value

    @model_validator(mode="after")
    def _center_or_point(self) -> IncidentIn:
        point = self.lat is not None or self.lon is not None
        if (self.center is None) == (not point) or (
            point and (self.lat is None or self.lon is None)
        ):
            raise ValueError("center: give a center or a point (lat and lon), exactly one")
        return self


class TransitionIn(Schema):
    to: IncidentState
    reason: str = Field("", max_length=REASON_MAX_LENGTH)
    duplicate_of: str | None = Field(None, max_length=32, description="The master's code.")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return clean_text(value, "reason")


class DispatchIn(Schema):
    unit: str = Field(max_length=32)
    override_reason: str = Field("", max_length=REASON_MAX_LENGTH)

    @field_validator("override_reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return clean_text(value, "override_reason")


class UnitStatusIn(Schema):
    status: UnitStatus
    version: StrictInt = Field(ge=1, description="The version you read (1 for a unit never set).")


class OutsideForceIn(Schema):
    incident: str | None = Field(None, max_length=32)
    center: str | None = Field(None, max_length=32)
    force: OutsideForce
    size: StrictInt = Field(ge=1, le=100_000)
    justification: str = Field(min_length=1, max_length=TEXT_MAX_LENGTH)

    @field_validator("justification")
    @classmethod
    def _justification(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("justification: required")
        return clean_text(value, "justification")

    @model_validator(mode="after")
    def _one_target(self) -> OutsideForceIn:
        if (self.incident is None) == (self.center is None):
            raise ValueError("incident: give an incident or a center, exactly one")
        return self


class OutsideForceStateIn(Schema):
    to: OutsideForceState


class CreatedOut(Schema):
    code: str
    state: IncidentState


class PhotoOut(Schema):
    id: UUID = Field(description="The photo's public id.")
    incident: str
    content_type: str
    size: int
    received_at: datetime

    @staticmethod
    def resolve_id(obj: IncidentPhoto) -> UUID:
        return obj.uuid

    @staticmethod
    def resolve_incident(obj: IncidentPhoto) -> str:
        return obj.incident.code


class TransitionOut(Schema):
    from_state: IncidentState
    to: IncidentState
    reason: str
    actor: str
    at: datetime

    @staticmethod
    def resolve_to(obj: IncidentTransition) -> str:
        return obj.to_state

    @staticmethod
    def resolve_actor(obj: IncidentTransition) -> str:
        return obj.actor_name


class AssignmentOut(Schema):
    unit: str
    dispatched_at: datetime
    en_route_at: datetime | None
    on_scene_at: datetime | None
    cleared_at: datetime | None
    override_reason: str
    leaves_gap: list[str]

    @staticmethod
    def resolve_unit(obj: Assignment) -> str:
        return obj.unit.code


class IncidentOut(Schema):
    code: str
    state: IncidentState
    kind: IncidentKind
    severity: int
    center: str | None
    sector: str | None
    lat: float
    lon: float
    text: str
    source: str
    observed_at: datetime
    received_at: datetime
    due_at: datetime | None
    escalation_level: int
    version: int
    duplicate_of: str | None

    @staticmethod
    def resolve_center(obj: Incident) -> str | None:
        return obj.center.code if obj.center is not None else None

    @staticmethod
    def resolve_sector(obj: Incident) -> str | None:
        return obj.sector.code if obj.sector is not None else None

    @staticmethod
    def resolve_duplicate_of(obj: Incident) -> str | None:
        return obj.duplicate_of.code if obj.duplicate_of is not None else None


class IncidentDetailOut(IncidentOut):
    transitions: list[TransitionOut]
    assignments: list[AssignmentOut]
    reporters: list[str]
    response_times: dict[str, float | None]

    @staticmethod
    def resolve_transitions(obj: Incident) -> list[IncidentTransition]:
        return list(obj.transitions.all())

    @staticmethod
    def resolve_assignments(obj: Incident) -> list[Assignment]:
        return list(obj.assignments.select_related("unit"))

    @staticmethod
    def resolve_reporters(obj: Incident) -> list[str]:
        return sorted(obj.reporters.values_list("name", flat=True))

    @staticmethod
    def resolve_response_times(obj: Incident) -> dict[str, float | None]:
        from pollguard.operations.metrics import incident_times

        return incident_times(obj, list(obj.assignments.all())).as_dict()


class IncidentFilters(Schema):
    state: IncidentState | None = None
    kind: IncidentKind | None = None
    severity: int | None = Field(None, ge=1, le=4)
    sector: str | None = Field(None, max_length=32)


class SuggestionOut(Schema):
    unit: str
    eta_minutes: float
    distance_km: float
    is_reserve: bool
    leaves_gap: list[str]
    reason: str


class UnitStatusOut(Schema):
    unit: str
    status: UnitStatus
    version: int
    changed_at: datetime | None


class OutsideForceOut(Schema):
    code: str
    incident: str | None
    center: str | None
    force: OutsideForce
    size: int
    justification: str
    state: OutsideForceState
    version: int
    requested_by: str
    requested_at: datetime
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    released_at: datetime | None

    @staticmethod
    def resolve_incident(obj: OutsideForceRequest) -> str | None:
        return obj.incident.code if obj.incident is not None else None

    @staticmethod
    def resolve_center(obj: OutsideForceRequest) -> str | None:
        return obj.center.code if obj.center is not None else None
