"""API v1 shapes of the reports (design.md section 5)."""

from typing import Literal

from ninja import Field, Schema


class ReportRequestIn(Schema):
    kind: Literal["sitrep", "after_action"] = Field(
        description="sitrep: the newest issued situation report (or `number`); without one, "
        "the situation since the last report, made on demand. after_action: the whole election."
    )
    format: Literal["pdf", "xlsx", "csv"]
    lang: Literal["ar", "en"] = Field("ar", description="The file's language.")
    number: int | None = Field(None, ge=1, description="A situation report's number (sitrep only).")


class ReportJobOut(Schema):
    job: int = Field(
        description="GET /api/v1/jobs/{job}; when it succeeded, result.url is the file."
    )
    created: bool = Field(description="False when the same export was already under way.")
