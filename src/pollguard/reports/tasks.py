"""The Celery task of the reports, run by beat every minute (`jobs.queue.BEAT_SCHEDULE`)."""

from __future__ import annotations

from datetime import datetime

from pollguard.jobs.queue import app


@app.task(name="pollguard.reports.sitreps", ignore_result=True)
def scheduled_sitreps(now: str | None = None) -> int:
    """Issue the situation reports that are due. `now` (ISO 8601) replaces the clock."""
    from pollguard.reports.actions import do_issue_scheduled_sitreps

    return do_issue_scheduled_sitreps(now=datetime.fromisoformat(now) if now else None)
