"""`limit`/`offset` pagination of every API list, with documented bounds.

Out-of-range values are refused with 422 (the same error shape as any bad input) rather
than clamped: a client asking for 10,000 rows learns it gets at most `MAX_LIMIT` instead
of silently receiving fewer. `offset` is bounded too, so a value such as 2**63 is a 422
and never reaches the database (where it overflowed into a 500).
"""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000  # far beyond any election's rows, far below a 64-bit overflow


class Pagination(LimitOffsetPagination):
    """ninja's LimitOffsetPagination with `1 <= limit <= 500` and `0 <= offset <= 10**7`."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page, 1 to {MAX_LIMIT}."
        )
        offset: int = Field(
            0, ge=0, le=MAX_OFFSET, description=f"Rows to skip, 0 to {MAX_OFFSET:,}."
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
