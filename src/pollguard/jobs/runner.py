"""Running one job in a worker: claim the row, run the handler, record how it ended.

A job is claimed by moving its row from queued to running in one UPDATE, so a message
delivered twice (a broker retry, a redelivery after a lost worker) runs the work once,
and a job cancelled while queued never starts. Progress and the end are written to the
row and pushed to open pages as `job.*` events of the live feed.

A split job (`kinds.SplitInto`) stays running while its parts run; each part that ends,
however it ends (done, failed, cancelled, never sent, reaped), calls `part_finished`, and
the one that finds every part ended claims the merge with a conditional UPDATE, so the
merge runs exactly once even when two parts finish at the same instant on two machines.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from pollguard.jobs.choices import FINAL_STATES, JobState
from pollguard.jobs.kinds import JobCancelled, JobFailed, SplitInto, handler_for, merger_for
from pollguard.jobs.models import Job
from pollguard.live.actions import emit
from pollguard.live.choices import EventKind

log = logging.getLogger(__name__)

# Progress rows are written at most this often (the last report always is).
REPORT_INTERVAL = 0.5


def job_payload(job: Job) -> dict[str, Any]:
    return {
        "job": job.pk,
        "job_kind": job.kind,
        "state": job.state,
        "work_done": job.work_done,
        "work_total": job.work_total,
        "message": job.message,
        "message_ar": job.message_ar,
    }


def emit_job(job: Job) -> None:
    emit(EventKind.JOB, election_id=job.election_id, payload=job_payload(job))


class JobContext:
    """What a handler sees of its job: parameters, and a way to report and to be stopped."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.parameters: dict[str, Any] = dict(job.parameters or {})
        self._last_report = 0.0

    def progress(
        self, done: int, total: int | None = None, message: str = "", message_ar: str = ""
    ) -> None:
        """Record how far the job got; raises `JobCancelled` once a cancel was asked."""
        job = self.job
        job.work_done = max(0, done)
        if total is not None:
            job.work_total = max(total, job.work_done)
        job.message, job.message_ar = message[:2000], (message_ar or message)[:2000]
        now = time.monotonic()
        final = job.work_total and job.work_done >= job.work_total
        if now - self._last_report >= REPORT_INTERVAL or final:
            self._last_report = now
            with transaction.atomic():
                Job.objects.filter(pk=job.pk).update(
                    work_done=job.work_done,
                    work_total=job.work_total,
                    message=job.message,
                    message_ar=job.message_ar,
                    updated_at=timezone.now(),
                )
                emit_job(job)
        self.check_cancelled()

    def check_cancelled(self) -> None:
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
            state=JobState.RUNNING,
            started_at=timezone.now(),
            worker=socket.gethostname()[:200],
        )
        if not claimed:
            return None
        job = Job.objects.get(pk=job_id)
        emit_job(job)
        return job


def finish(
    job: Job,
    state: JobState,
    *,
    message: str,
    message_ar: str = "",
    result: dict[str, Any] | None = None,
) -> None:
    """Record the end of a job (state, message, result) and push it to open pages."""
    with transaction.atomic():
        job.state = state
        job.message, job.message_ar = message, message_ar or message
        job.result = result
        job.finished_at = timezone.now()
        if state is JobState.SUCCEEDED and job.work_total:
            job.work_done = job.work_total
        job.save(
            update_fields=[
                "state",
                "message",
                "message_ar",
                "result",
                "finished_at",
                "work_done",
                "updated_at",
            ]
        )
        emit_job(job)


def _start_parts(job: Job, split: SplitInto) -> None:
    """Ask for one job per part; the parent stays running until they have all ended."""
    from pollguard.jobs.actions import do_request_job

    total = len(split.parts)
    with transaction.atomic():
        job.work_done, job.work_total = 0, total
        job.message = split.message or f"{total} parts sent to the workers"
        job.message_ar = split.message_ar or f"أُرسلت {total} أجزاء إلى العمّال"
        job.save(update_fields=["work_done", "work_total", "message", "message_ar", "updated_at"])
        emit_job(job)
        for name, parameters in split.parts:
            do_request_job(
                split.kind,
                parameters={**parameters, "name": name},
                election_id=job.election_id,
                acting_user=job.requested_by,
                parent=job,
                dedupe=False,
            )


def _execute(job: Job, call: Callable[[JobContext], Any]) -> None:
    """Run `call` for `job` and record how it ended (the user sees words, never a trace)."""
    context = JobContext(job)
    try:
        result = call(context)
    except JobCancelled:
        finish(job, JobState.CANCELLED, message="cancelled", message_ar="أُلغيت")
    except JobFailed as failed:
        finish(
            job,
            JobState.FAILED,
            message=failed.message,
            message_ar=failed.message_ar,
            result={"errors": failed.details, "errors_ar": failed.details_ar},
        )
    except Exception as exc:
        # The traceback is for the operator's log; the user gets what happened, in words.
        log.exception("job %s (%s) failed", job.pk, job.kind)
        finish(
            job,
            JobState.FAILED,
            message=f"internal error ({type(exc).__name__}); the server log has the details",
            message_ar=f"خطأ داخلي ({type(exc).__name__})؛ التفاصيل في سجل الخادم",
        )
    else:
        if isinstance(result, SplitInto):
            _start_parts(job, result)
            return
        finish(
            job,
            JobState.SUCCEEDED,
            message=context.job.message or "done",
            message_ar=context.job.message_ar or "تمّت",
            result=result or {},
        )


def part_finished(part: Job) -> None:
    """Count an ended part on its parent; the caller that sees the last one merges."""
    if part.parent_id is None:
        return
    parts = list(Job.objects.filter(parent_id=part.parent_id).order_by("pk"))
    ended = sum(p.state in FINAL_STATES for p in parts)
    with transaction.atomic():
        Job.objects.filter(pk=part.parent_id, state=JobState.RUNNING).update(
            work_done=ended,
            message=f"{ended} of {len(parts)} parts done",
            message_ar=f"أُنجز {ended} من {len(parts)} أجزاء",
            updated_at=timezone.now(),
        )
        parent = Job.objects.get(pk=part.parent_id)
        emit_job(parent)
    if ended < len(parts):
        return
    claimed = Job.objects.filter(
        pk=parent.pk, state=JobState.RUNNING, merge_claimed=False
    ).update(merge_claimed=True)
    if not claimed:
        return  # another worker merges, or the parent ended already
    parent.refresh_from_db()
    merger = merger_for(parent.kind)

    def merge(context: JobContext) -> dict[str, Any] | None:
        context.check_cancelled()
        if merger is None:
            raise JobFailed(f"job kind {parent.kind!r} has no merge step")
        return merger(context, parts)

    _execute(parent, merge)


def run(job_id: int) -> None:
    """Run job `job_id` if it is still queued (module docstring)."""
    job = _claim(job_id)
    if job is None:
        log.info("job %s is not queued any more; nothing to do", job_id)
        return
    handler = handler_for(job.kind)
    if handler is None:
        finish(job, JobState.FAILED, message=f"unknown job kind {job.kind!r}")
    else:
        _execute(job, handler)
    part_finished(job)
