"""API v1 shapes of the special vote. Check-ins are named by their UUID, people by their id."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, StrictBool, field_validator

from pollguard.core.package.reader import BIDI_CONTROLS
from pollguard.specialvote.choices import BallotKind, CheckinSource, CheckinState
from pollguard.specialvote.models import SpecialCheckin


def _plain_text(value: str, field: str) -> str:
    if any(char in BIDI_CONTROLS for char in value) or any(
        ord(char) < 32 and char not in "\t\n" for char in value
    ):
        raise ValueError(f"{field}: control characters are not allowed")
    return value


class CheckinIn(Schema):
    voter: str = Field(..., min_length=1, max_length=64, description="The person's id.")
    station: str = Field(
        ..., min_length=1, max_length=64, description="A station code of a special center."
    )
    conditional: StrictBool = Field(
        False, description="A conditional ballot for a person not on the register."
    )
    reason: str = Field("", max_length=500, description="Required for a conditional ballot.")
    id: uuid.UUID | None = Field(
        None, description="Client UUID (offline devices): a resend of the same id is stored once."
    )
    observed_at: AwareDatetime | None = Field(
        None,
        description="When the voter came, for a check-in recorded offline and synced later; "
        "a person who voted meanwhile elsewhere is kept as a double-vote conflict.",
    )

    @field_validator("voter", "station", "reason")
    @classmethod
    def _no_controls(cls, value: str) -> str:
        return _plain_text(value, "text")


class PlaceOut(Schema):
    station: str
    center: str
    at: datetime


class CheckinOut(Schema):
    id: uuid.UUID = Field(description="The check-in's UUID.")
    voter: str = Field(description="The person's id.")
    name_ar: str
    station: str
    center: str
    kind: BallotKind
    reason: str
    state: CheckinState
    source: CheckinSource
    observed_at: datetime
    recorded_at: datetime
    recorded_by: str | None
    conflict_with: PlaceOut | None = Field(
        description="For a conflict: where and when the counted vote was cast."
    )
    undone_at: datetime | None
    undo_reason: str
    resolved_at: datetime | None
    resolution: str = Field(description="The committee's decision on a conflict, in words.")

    @staticmethod
    def resolve_id(obj: SpecialCheckin) -> uuid.UUID:
        return obj.uuid

    @staticmethod
    def resolve_voter(obj: SpecialCheckin) -> str:
        return obj.person_code

    @staticmethod
    def resolve_station(obj: SpecialCheckin) -> str:
        return obj.station.code

    @staticmethod
    def resolve_center(obj: SpecialCheckin) -> str:
        return obj.center.code

    @staticmethod
    def resolve_recorded_by(obj: SpecialCheckin) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by else None

    @staticmethod
    def resolve_conflict_with(obj: SpecialCheckin) -> dict[str, object] | None:
        other = obj.conflict_with
        if other is None:
            return None
        return {"station": other.station.code, "center": other.center.code, "at": other.observed_at}


class AlreadyVotedOut(Schema):
    detail: str
    code: str = Field(description="already_voted")
    voted: PlaceOut = Field(description="Where and when the person's counted vote was cast.")
    checkin: uuid.UUID = Field(description="The counted check-in.")


class CheckinFilters(Schema):
    center: str | None = Field(None, max_length=64, description="Special center code.")
    station: str | None = Field(None, max_length=64, description="Station code.")
    state: CheckinState | None = None
    kind: BallotKind | None = None
    voter: str | None = Field(None, max_length=64, description="The person's id.")


class UndoIn(Schema):
    reason: str = Field(..., max_length=500, description="Why the check-in is taken back.")

    @field_validator("reason")
    @classmethod
    def _no_controls(cls, value: str) -> str:
        return _plain_text(value, "reason")


class ResolveIn(Schema):
    keep: Literal["offline", "counted"] = Field(
        ...,
        description="offline: the offline record was the real vote (it is counted, the "
        "other check-in undone); counted: the counted vote stays, the offline record is "
        "dismissed.",
    )
    reason: str = Field(..., max_length=500, description="The committee's reason.")

    @field_validator("reason")
    @classmethod
    def _no_controls(cls, value: str) -> str:
        return _plain_text(value, "reason")


class VoterOut(Schema):
    voter: str = Field(description="The person's id.")
    name_ar: str
    special_center: str | None = Field(
        description="The center the register assigns; null if not on it."
    )
    unit: str | None
    registered: bool = Field(description="Whether the person is on the special register.")
    voted: PlaceOut | None = Field(description="The counted vote, if any.")


class VoterFilters(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="An id or a name (Arabic spelling variants folded).",
    )


class TallyOut(Schema):
    center: str
    name_en: str
    name_ar: str
    registered: int = Field(description="People the register assigns to the center.")
    voted: int = Field(description="Counted register ballots.")
    conditional: int = Field(description="Counted conditional ballots (counted apart).")
    conflicts: int = Field(description="Double-vote conflicts awaiting the committee.")


class CountsOut(Schema):
    deployed: int = Field(description="Personnel of the deployed units.")
    registered: int = Field(description="Entries of the special register.")
    deployed_registered: int = Field(description="Deployed and on the register.")
    deployed_not_registered: int = Field(description="Deployed but missing from the register.")
    registered_not_deployed: int = Field(description="On the register but not deployed.")
    voted: int = Field(description="Registered and counted as voted.")
    registered_not_voted: int = Field(description="Registered, not (yet) voted.")


class RowOut(CountsOut):
    code: str | None = Field(description="Unit, agency or sector code; null: no unit.")
    name_en: str
    name_ar: str
    agency: str | None
    sector: str | None = Field(description="Null for governorate reserves.")


class UnitCountOut(Schema):
    unit: str | None
    agency: str | None
    sector: str | None
    count: int


class CategoryOut(Schema):
    total: int
    by_unit: list[UnitCountOut] = Field(description="Largest first.")


class ReconciliationOut(Schema):
    basis: str = Field(
        description="approved_plan: the approved plan's deployment; roster: no plan is "
        "approved, the whole personnel roster counts as deployed."
    )
    plan: int | None = Field(description="The approved plan's id.")
    plan_version: int | None
    totals: CountsOut
    deployed_not_registered: CategoryOut
    registered_not_deployed: CategoryOut
    registered_not_voted: CategoryOut
    units: list[RowOut]
    agencies: list[RowOut]
    sectors: list[RowOut]
