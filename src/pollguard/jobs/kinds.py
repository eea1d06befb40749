"""Job kinds: the handler each kind runs, registered by the app that owns the work.

An app registers its handlers in its `AppConfig.ready()` (for example `planning` registers
"plan_run"), so this app never imports the apps above it. A handler receives a
`JobContext`, reports progress through it and returns the job's `result` (JSON), or raises
`JobFailed` with a message for the user; anything else is an internal error whose
traceback goes to the worker's log, never to the user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pollguard.jobs.runner import JobContext

Handler = Callable[["JobContext"], dict[str, Any] | None]

_HANDLERS: dict[str, Handler] = {}


class JobFailed(Exception):
    """The job cannot be done, for a reason the user can act on (shown as its message).

    `details` are shown below the message (e.g. every `file:line: message` of an invalid
    package); `message_ar`/`details_ar` are the same in Arabic when the work knows them.
    """

    def __init__(
        self,
        message: str,
        *,
        details: list[str] | None = None,
        message_ar: str = "",
        details_ar: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.message_ar = message_ar or message
        self.details_ar = details_ar if details_ar is not None else self.details


class JobCancelled(Exception):
    """Raised inside a handler at its next progress report after a cancel was asked."""


def register(kind: str, handler: Handler) -> None:
    _HANDLERS[kind] = handler


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)

