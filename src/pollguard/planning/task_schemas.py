"""API v1 shapes of tasks (design.md section 5: `phase, agency, sector, unit, center,
starts_at, due_at, state`; the registry rows are named by their codes)."""

from datetime import datetime
from uuid import UUID

from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictInt, field_validator

from pollguard.core.package.reader import BIDI_CONTROLS
from pollguard.planning.choices import TaskKind, TaskPhase, TaskSource, TaskState
from pollguard.planning.models import Task
from pollguard.planning.task_text import task_text, task_title


def _code(row: object) -> str | None:
    return getattr(row, "code", None) if row is not None else None


class TaskOut(Schema):
    id: UUID = Field(description="The task's public id (URLs use it).")
    phase: TaskPhase
    agency: str | None = Field(description="Agency code.")
    sector: str | None = Field(description="Sector code; empty for a governorate-wide task.")
    unit: str | None = Field(description="Unit code.")
    center: str | None = Field(description="Center code.")
    starts_at: datetime
    due_at: datetime
    state: TaskState
    version: int = Field(description="Send it back when you answer (409 if stale).")
    kind: TaskKind
    source: TaskSource
    title: str = Field(description="In the caller's language.")
    text: str = Field(description="Instructions in the caller's language; a sweep's stops.")
    role: str = Field(description="Cordon role, or the sweep kind.")
    headcount: int | None
    stops: list[list[str]] = Field(description="Sweeps: [center, start, end] per stop (UTC).")
    plan: int | None = Field(description="The plan version (id) the task came from.")
    overdue: bool = Field(description="Still awaiting acknowledgement after its start.")
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    declined_by: str | None
    declined_at: datetime | None
    decline_reason: str

    @staticmethod
    def resolve_id(obj: Task) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_agency(obj: Task) -> str | None:
        return _code(obj.agency)

    @staticmethod
    def resolve_sector(obj: Task) -> str | None:
        return _code(obj.sector)

    @staticmethod
    def resolve_unit(obj: Task) -> str | None:
        return _code(obj.unit)

    @staticmethod
    def resolve_center(obj: Task) -> str | None:
        return _code(obj.center)

    @staticmethod
    def resolve_title(obj: Task) -> str:
        return task_title(obj)

    @staticmethod
    def resolve_text(obj: Task) -> str:
        return task_text(obj)

    @staticmethod
    def resolve_plan(obj: Task) -> int | None:
        return obj.plan_id

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return obj.state == TaskState.OPEN and obj.starts_at <= timezone.now()

    @staticmethod
    def resolve_acknowledged_by(obj: Task) -> str | None:
        return obj.acknowledged_by.get_username() if obj.acknowledged_by else None

    @staticmethod
    def resolve_declined_by(obj: Task) -> str | None:
        return obj.declined_by.get_username() if obj.declined_by else None


class AcknowledgeIn(Schema):
    version: StrictInt | None = Field(
        None, ge=1, description="The version you read; 409 when the task changed since."
    )


class DeclineIn(AcknowledgeIn):
    reason: str = Field(..., min_length=1, max_length=2000, description="Why (required).")

    @field_validator("reason")
    @classmethod
    def _plain(cls, value: str) -> str:
        if any(char in BIDI_CONTROLS for char in value):
            raise ValueError("reason: text-direction control characters are not allowed")
        if not value.strip():
            raise ValueError("reason: give the reason for declining")
        return value.strip()
