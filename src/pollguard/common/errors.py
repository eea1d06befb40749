"""Errors that actions and access helpers raise, shared by pages, the API and the CLI.

`NotFound` is raised for "does not exist" *and* "exists but is not yours", so that a
response never tells an outsider which codes exist (style.md, access helpers).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


class NotFound(Http404):
    """The object does not exist or the user may not see it (the same answer on purpose)."""


class Forbidden(PermissionDenied):
    """The user may see the object but not change it (read-only roles)."""


class Conflict(Exception):
    """The change cannot be made as asked: someone else changed the object since the user
    read it (`stale_version`, with the version now current), or its state forbids it.

    `code` names the case for programs (API v1's `code`); `detail` is the message. A
    subclass for one case sets `default_code`.
    """

    default_code = "conflict"

    def __init__(self, message: str, *, current_version: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.current_version = current_version
        self.code = code or ("stale_version" if current_version is not None else self.default_code)
