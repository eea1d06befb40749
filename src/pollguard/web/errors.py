"""Moved to `pollguard.common.errors` (the bottom layer, importable by every app).

Kept so code written against the old path keeps working; apps must import
`pollguard.common.errors` (the import-linter layers contract in pyproject.toml).
"""

from pollguard.common.errors import Conflict, Forbidden, NotFound

__all__ = ["Conflict", "Forbidden", "NotFound"]
