"""API v1 shapes of check-ins and the board (design.md section 5: field names are the contract)."""

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema
from pydantic import StrictInt, field_validator

from pollguard.fieldreports.choices import CheckinStatus, ExpectedState, Slot, StationState
from pollguard.fieldreports.models import Checkin


class CheckinIn(Schema):
    id: UUID = Field(description="The client's UUID: a resend with it is the same check-in.")
    station: str = Field(..., min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    slot: Slot
    status: CheckinStatus
    voters: StrictInt | None = Field(None, ge=0, description="Required for the closing slot.")
    observed_at: datetime = Field(description="The device's time, with its offset.")

    @field_validator("observed_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("observed_at: give the time with its UTC offset")
        return value


class CheckinOut(Schema):
    id: UUID
    station: str
    slot: Slot
    status: CheckinStatus
    voters: int | None
    observed_at: datetime
    received_at: datetime
    clock_off: bool = Field(description="The device clock was ahead (tolerated).")
    state: ExpectedState | None = Field(description="The slot's state after this report.")

    @staticmethod
    def resolve_id(obj: Checkin) -> UUID:
        return obj.uuid

    @staticmethod
    def resolve_station(obj: Checkin) -> str:
        return obj.station.code

    @staticmethod
    def resolve_state(obj: Checkin) -> str | None:
        return obj.expected.state if obj.expected else None


class SlotOut(Schema):
    slot: Slot
    sequence: int
    due_at: datetime
    state: ExpectedState
    alarm: bool = Field(description="The missing-report alarm is up.")


class BoardStationOut(Schema):
    station: str
    center: str
    sector: str
    status: StationState
    slots: list[SlotOut]
