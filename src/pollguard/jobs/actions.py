"""Every write to jobs: asking for one, cancelling one, reaping those whose worker died.

`do_request_job` is idempotent: while a job with the same kind, election and parameters is
queued or running, asking again returns that job (a partial unique index on the job's
`dedupe_key` makes this hold for two requests at the same instant, in any database).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from pollguard.accounts.access import AnyUser
from pollguard.audit.actions import jsonable, record
from pollguard.jobs.choices import ACTIVE_STATES, JobState
from pollguard.jobs.models import Job
from pollguard.jobs.queue import send_job
from pollguard.jobs.runner import emit_job, part_finished

log = logging.getLogger(__name__)


def dedupe_key(kind: str, election_id: int | None, parameters: dict[str, Any]) -> str:
    text = json.dumps([kind, election_id, jsonable(parameters)], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _enqueue(job_id: int) -> None:
    """After commit: send the job to the broker; a broker that cannot be reached fails it.

    Three tries: on the embedded transport the first use of the queue file by two
    processes at once (the server sending, the worker creating kombu's tables) can fail
    once with a lock or "table exists" error that the next try does not meet.
    """
    error: Exception | None = None
    for attempt in range(3):
        try:
            send_job(job_id)
            return
        except Exception as exc:
            error = exc
            log.warning("job %s: sending failed (%s), try %s of 3", job_id, exc, attempt + 1)
            time.sleep(0.5 * (attempt + 1))
    name = type(error).__name__
    log.error("job %s: the task queue cannot be reached: %s", job_id, error)
    with transaction.atomic():
        Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
            state=JobState.FAILED,
            finished_at=timezone.now(),
            message=f"the task queue cannot be reached ({name}); is the worker's broker running?",
            message_ar=f"تعذر الوصول إلى طابور المهام ({name})؛ هل وسيط المهام يعمل؟",
        )
    part_finished(Job.objects.get(pk=job_id))


def do_request_job(
    kind: str,
    *,
    parameters: dict[str, Any],
    election_id: int | None,
    acting_user: AnyUser | None,
    parent: Job | None = None,
    dedupe: bool = True,
) -> tuple[Job, bool]:
    """The job for this request and whether it is new (False: the same one is active)."""
    params = jsonable(parameters)
    key = dedupe_key(kind, election_id, params) if dedupe else ""
    user = acting_user if isinstance(acting_user, User) else None
    for _attempt in range(3):
        if key:
            active = Job.objects.filter(dedupe_key=key, state__in=ACTIVE_STATES).first()
            if active is not None:
                return active, False
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    parameters=params,
                    election_id=election_id,
                    requested_by=user,
                    parent=parent,
                    dedupe_key=key,
                )
                record(
                    "jobs.request",
                    acting_user=acting_user,
                    object_type="job",
                    object_id=str(job.pk),
                    after={"kind": kind, "parameters": params, "parent": parent and parent.pk},
                )
                transaction.on_commit(functools.partial(_enqueue, job.pk))
            return job, True
        except IntegrityError:
            continue  # the same request committed first: return it on the next turn
    raise RuntimeError("could not request the job")  # pragma: no cover


def do_cancel_job(job: Job, *, acting_user: AnyUser) -> Job:
    """Cancel a queued job at once, a running one at its next progress report."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        before = {"state": locked.state, "cancel_requested": locked.cancel_requested}
        if locked.state == JobState.QUEUED:
            locked.state = JobState.CANCELLED
            locked.finished_at = timezone.now()
            locked.message, locked.message_ar = "cancelled before it started", "أُلغيت قبل أن تبدأ"
        elif locked.state == JobState.RUNNING:
            locked.cancel_requested = True
        else:
            return locked
        locked.save()
        for part in locked.parts.filter(state__in=ACTIVE_STATES):
            do_cancel_job(part, acting_user=acting_user)
        if locked.state == JobState.CANCELLED and locked.parent_id is not None:
            transaction.on_commit(functools.partial(_part_ended, locked.pk))
        record(
            "jobs.cancel",
            acting_user=acting_user,
            object_type="job",
            object_id=str(locked.pk),
            before=before,
            after={"state": locked.state, "cancel_requested": locked.cancel_requested},
        )
        emit_job(locked)
    return locked


def _part_ended(job_id: int) -> None:
    part_finished(Job.objects.get(pk=job_id))


def do_reap_stale_jobs() -> int:
    """Fail running jobs whose row has not moved for POLLGUARD_JOB_STALE_MINUTES (beat)."""
    cutoff = timezone.now() - timedelta(minutes=settings.POLLGUARD_JOB_STALE_MINUTES)
    reaped = 0
    with transaction.atomic():
        # A split job waits for its parts: it is stale only when they are too.
        stale = Job.objects.filter(state=JobState.RUNNING, updated_at__lt=cutoff).exclude(
            parts__state__in=ACTIVE_STATES
        )
        for job in Job.objects.select_for_update().filter(pk__in=stale.values("pk")):
            job.state = JobState.FAILED
            job.finished_at = timezone.now()
            job.message = "the worker running this job stopped reporting; ask for it again"
            job.message_ar = "توقف العامل المنفّذ لهذه المهمة عن الإبلاغ؛ اطلبها من جديد"
            job.save()
            record("jobs.reap", acting_user=None, object_type="job", object_id=str(job.pk))
            reaped += 1
            if job.parent_id is not None:
                transaction.on_commit(functools.partial(_part_ended, job.pk))
    return reaped
