"""The files jobs leave behind: `<folder>/<job id>/<result.file>`, found again for download."""

from __future__ import annotations

from pathlib import Path

from pollguard.common.errors import NotFound
from pollguard.jobs.choices import JobState
from pollguard.jobs.models import Job


def job_file(folder: Path, job_id: int, filename: str) -> Path:
    return Path(folder) / str(job_id) / filename


def finished_file(job: Job, folder: Path) -> tuple[Path, str]:
    """The file a succeeded job stored and its name; `NotFound` while there is none.

    The caller has checked that the user may have the job's file (its access helper).
    """
    name = str((job.result or {}).get("file") or "")
    if job.state != JobState.SUCCEEDED or not name:
        raise NotFound(str(job.pk))
    path = job_file(folder, job.pk, name)
    if not path.is_file():
        raise NotFound(str(job.pk))
    return path, name
