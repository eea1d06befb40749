"""API v1 shape of a job (design.md section 5)."""

from datetime import datetime
from typing import Any

from django.utils.translation import get_language
from ninja import Field, Schema

from pollguard.jobs.choices import JobState
from pollguard.jobs.models import Job


class JobOut(Schema):
    id: int
    kind: str
    state: JobState
    work_done: int
    work_total: int
    message: str = Field(description="Where the job is or why it ended, in your language.")
    result: dict[str, Any] | None = Field(
        description='A plan run\'s: {"plan": id, "version": n}; a failed job\'s: {"errors": [...]}.'
    )
    parent: int | None = Field(description="The job this is one part of.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested: bool

    @staticmethod
    def resolve_message(obj: Job) -> str:
        return obj.message_in(get_language() or "ar")

    @staticmethod
    def resolve_result(obj: Job) -> dict[str, Any] | None:
        if not obj.result:
            return obj.result
        result = dict(obj.result)
        arabic = result.pop("errors_ar", None)
        if arabic is not None and (get_language() or "ar") == "ar":
            result["errors"] = arabic
        return result

    @staticmethod
    def resolve_parent(obj: Job) -> int | None:
        return obj.parent_id
