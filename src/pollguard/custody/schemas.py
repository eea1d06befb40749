"""API v1 shapes of the chain of custody. Items by code, hand-overs and exceptions by UUID."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Field, Schema
from pydantic import AwareDatetime, StrictInt, field_validator

from pollguard.core.package.reader import BIDI_CONTROLS
from pollguard.custody.choices import DepotKind, ExceptionKind, ExceptionState, ItemKind
from pollguard.custody.models import CustodyException, Handover, Item


def _plain(value: str) -> str:
    if any(c in BIDI_CONTROLS or (ord(c) < 32 and c not in "\t") for c in value):
        raise ValueError("control characters are not allowed")
    return value


class HandoverIn(Schema):
    item: str = Field(..., min_length=1, max_length=64, description="Item code.")
    from_: str = Field(
        ...,
        alias="from",
        min_length=1,
        max_length=64,
        description="The holder handing over: warehouse, center, station or counting center code.",
    )
    to: str = Field(..., min_length=1, max_length=64, description="The next holder's code.")
    witness: str = Field(..., max_length=200, description="Someone other than giver and receiver.")
    seals: list[str] = Field(
        ...,
        max_length=20,
        description="Seal serials as the receiver reads them (Arabic-Indic digits accepted).",
    )
    broken: list[str] = Field(
        [], max_length=20, description="Those of `seals` the receiver found broken."
    )
    given_by: str = Field("", max_length=200, description="Name of the person handing over.")
    received_by: str = Field(
        "", max_length=200, description="Name of the receiver; default the caller."
    )
    released_at: AwareDatetime | None = Field(None, description="Default now.")
    received_at: AwareDatetime | None = Field(None, description="Default now.")
    place: str = Field("", max_length=200)
    vehicle: str = Field("", max_length=64, description="Road legs: required.")
    escort: str = Field("", max_length=64, description="Road legs: the escort unit's code.")

    model_config = {"populate_by_name": True}

    @field_validator(
        "item", "from_", "to", "witness", "given_by", "received_by", "place", "vehicle", "escort"
    )
    @classmethod
    def _no_controls(cls, value: str) -> str:
        return _plain(value)

    @field_validator("seals", "broken")
    @classmethod
    def _short_seals(cls, value: list[str]) -> list[str]:
        for seal in value:
            if len(seal) > 32:
                raise ValueError("a seal serial has at most 32 characters")
            _plain(seal)
        return value


class SealOut(Schema):
    serial: str
    condition: str = Field(description="intact, broken or mismatch.")


class HandoverOut(Schema):
    id: uuid.UUID
    item: str
    from_: str = Field(serialization_alias="from")
    to: str
    from_stage: str
    to_stage: str
    given_by: str
    received_by: str
    witness: str
    released_at: datetime
    received_at: datetime
    place: str
    vehicle: str
    escort: str | None
    seals: list[SealOut]
    seals_ok: bool
    exception: uuid.UUID | None = Field(None, description="The custody exception it opened.")

    @staticmethod
    def resolve_id(obj: Handover) -> uuid.UUID:
        return obj.uuid

    @staticmethod
    def resolve_item(obj: Handover) -> str:
        return obj.item.code

    @staticmethod
    def resolve_from_(obj: Handover) -> str:
        return obj.from_code

    @staticmethod
    def resolve_to(obj: Handover) -> str:
        return obj.to_code

    @staticmethod
    def resolve_from_stage(obj: Handover) -> str:
        return _STAGES[obj.from_stage]

    @staticmethod
    def resolve_to_stage(obj: Handover) -> str:
        return _STAGES[obj.to_stage]

    @staticmethod
    def resolve_escort(obj: Handover) -> str | None:
        return obj.escort.code if obj.escort else None


_STAGES = {0: "warehouse", 1: "center", 2: "station", 3: "counting"}


class ItemIn(Schema):
    code: str = Field(..., min_length=1, max_length=64)
    kind: ItemKind
    station: str = Field(..., max_length=64, description="The station the item is meant for.")
    warehouse: str = Field(..., max_length=64, description="The warehouse it starts at.")
    seals: list[str] = Field(..., max_length=20)
    ballots_from: StrictInt | None = Field(None, ge=0, description="Ballot papers: first serial.")
    ballots_to: StrictInt | None = Field(None, ge=0, description="Ballot papers: last serial.")


class ItemOut(Schema):
    code: str
    kind: ItemKind
    station: str
    center: str
    seals: list[str]
    ballots_from: int | None
    ballots_to: int | None
    holder: str = Field(description="Code of the holder now.")
    holder_stage: str
    version: int
    open_exceptions: int

    @staticmethod
    def resolve_station(obj: Item) -> str:
        return obj.station.code

    @staticmethod
    def resolve_center(obj: Item) -> str:
        return obj.station.center.code

    @staticmethod
    def resolve_holder(obj: Item) -> str:
        return obj.holder_code

    @staticmethod
    def resolve_holder_stage(obj: Item) -> str:
        return _STAGES[obj.holder_stage]

    @staticmethod
    def resolve_open_exceptions(obj: Item) -> int:
        return int(getattr(obj, "open_exceptions", 0))


class ItemDetailOut(ItemOut):
    timeline: list[HandoverOut]


class DepotIn(Schema):
    code: str = Field(..., min_length=1, max_length=64)
    kind: DepotKind
    name_en: str = Field("", max_length=200)
    name_ar: str = Field("", max_length=200)


class DepotOut(Schema):
    code: str
    kind: DepotKind
    name_en: str
    name_ar: str


class ExceptionOut(Schema):
    id: uuid.UUID
    item: str
    station: str
    kind: ExceptionKind
    state: ExceptionState
    seals: list[SealOut]
    handover: uuid.UUID
    opened_at: datetime
    closed_at: datetime | None
    closing_reason: str

    @staticmethod
    def resolve_id(obj: CustodyException) -> uuid.UUID:
        return obj.uuid

    @staticmethod
    def resolve_item(obj: CustodyException) -> str:
        return obj.item.code

    @staticmethod
    def resolve_station(obj: CustodyException) -> str:
        return obj.item.station.code

    @staticmethod
    def resolve_handover(obj: CustodyException) -> uuid.UUID:
        return obj.handover.uuid


class CloseIn(Schema):
    reason: str = Field(..., max_length=500, description="How the exception was settled.")

    @field_validator("reason")
    @classmethod
    def _no_controls(cls, value: str) -> str:
        return _plain(value)


class ReportOut(Schema):
    deadline: datetime = Field(description="When every item should be at a counting center.")
    gaps: list[HandoverOut] = Field(description="Release to receipt longer than 60 minutes.")
    late: list[HandoverOut] = Field(description="Reached a counting center after the deadline.")
    missing: list[ItemOut] = Field(description="Not at a counting center after the deadline.")
