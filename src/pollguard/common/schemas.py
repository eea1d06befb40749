"""API v1 error shapes shared by every app (design.md section 5)."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    code: str


class ConflictOut(Schema):
    detail: str
    code: str
    current_version: int | None


class InvalidOut(Schema):
    detail: list[str]
    code: str
