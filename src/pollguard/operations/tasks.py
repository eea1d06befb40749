"""The Celery task of operations, run by beat every minute (`jobs.queue.BEAT_SCHEDULE`)."""

from __future__ import annotations

from datetime import datetime

from pollguard.jobs.queue import app


@app.task(name="pollguard.operations.escalate", ignore_result=True)
def escalate(now: str | None = None) -> int:
    """Escalate overdue incidents. `now` (ISO 8601) replaces the clock, for tests and drills."""
    from pollguard.operations.actions import do_escalate_overdue

    return do_escalate_overdue(now=datetime.fromisoformat(now) if now else None)
