"""Job kinds: the handler each kind runs, registered by the app that owns the work.

An app registers its handlers in its `AppConfig.ready()` (for example `planning` registers
"plan_run"), so this app never imports the apps above it. A handler receives a
`JobContext`, reports progress through it and returns the job's `result` (JSON), or raises
`JobFailed` with a message for the user; anything else is an internal error whose
traceback goes to the worker's log, never to the user.

A handler may instead return `SplitInto`: the work is then done by one part job per
entry (spread over the workers), and the kind's `merge` handler, registered with it, runs
once in the worker that finishes the last part, with every part's job row. The job stays
running meanwhile; its progress counts the finished parts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pollguard.jobs.models import Job
    from pollguard.jobs.runner import JobContext


@dataclass(frozen=True)
class SplitInto:
    """A handler's answer meaning "run these parts, then merge" (module docstring).

    `parts` are (name, parameters) pairs; each becomes a job of kind `kind` whose
    parameters carry its `name`, shown to the user when that part fails.
    """

    kind: str
    parts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    message: str = ""
    message_ar: str = ""


Handler = Callable[["JobContext"], "dict[str, Any] | SplitInto | None"]
Merger = Callable[["JobContext", "list[Job]"], dict[str, Any] | None]

_HANDLERS: dict[str, Handler] = {}
_MERGERS: dict[str, Merger] = {}


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


def register(kind: str, handler: Handler, *, merge: Merger | None = None) -> None:
    _HANDLERS[kind] = handler
    if merge is not None:
        _MERGERS[kind] = merge


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def merger_for(kind: str) -> Merger | None:
    return _MERGERS.get(kind)

