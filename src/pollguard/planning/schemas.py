"""API v1 shapes of plan runs and plan versions (design.md section 5)."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import StrictInt, field_validator

from pollguard.core.package.reader import BIDI_CONTROLS
from pollguard.planning.choices import PlanState
from pollguard.planning.models import Plan


def _plain_text(value: str, name: str) -> str:
    if any(char in BIDI_CONTROLS for char in value):
        raise ValueError(f"{name}: text-direction control characters are not allowed")
    return value


class PlanRunIn(Schema):
    time_limit: float = Field(
        10.0, ge=1.0, le=600.0, description="Seconds for the whole plan (a province: 10)."
    )
    seed: StrictInt = Field(0, ge=0, le=2**31 - 1, description="Solver seed.")
    from_plan: StrictInt | None = Field(
        None, description="Re-plan from this plan version (id) with the fewest moves."
    )
    changes: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=500,
        description='As in CHANGES.yaml: {"unit_out": "U-1"}, {"center_closed": "C-1"}, '
        '{"risk": {"center": "C-1", "value": 0.9}}.',
    )


class PlanRunOut(Schema):
    job: int = Field(description="GET /api/v1/jobs/{job} for its progress.")
    created: bool = Field(description="False when the same run was already under way.")


class PlanOut(Schema):
    id: int
    version: int
    state: PlanState
    metrics: dict[str, Any]
    sector_shortfalls: dict[str, int] = Field(description="Sector code → people missing.")
    based_on: int | None = Field(description="The version this one re-planned (id).")
    changes: list[dict[str, Any]]
    time_limit: float
    seed: int
    created_at: datetime
    created_by: str | None
    submitted_at: datetime | None
    submitted_by: str | None
    decided_at: datetime | None
    decided_by: str | None
    comment: str
    revision: int = Field(description="Send it back with a decision (409 if stale).")

    @staticmethod
    def resolve_based_on(obj: Plan) -> int | None:
        return obj.based_on_id

    @staticmethod
    def resolve_created_by(obj: Plan) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None

    @staticmethod
    def resolve_submitted_by(obj: Plan) -> str | None:
        return obj.submitted_by.get_username() if obj.submitted_by else None

    @staticmethod
    def resolve_decided_by(obj: Plan) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by else None


class PlanDetailOut(PlanOut):
    document: dict[str, Any] = Field(description="The pollguard.plan/1 file.")


class SubmitIn(Schema):
    revision: StrictInt | None = Field(None, ge=1, description="The revision you read.")


class DecisionIn(Schema):
    comment: str = Field("", max_length=2000, description="The chair's comment.")
    revision: StrictInt | None = Field(None, ge=1, description="The revision you read.")

    @field_validator("comment")
    @classmethod
    def _plain(cls, value: str) -> str:
        return _plain_text(value, "comment")


class ReturnIn(DecisionIn):
    comment: str = Field(
        ..., min_length=1, max_length=2000, description="Why the version goes back (required)."
    )
