"""The Celery application: configuration from the settings, the tasks and the beat schedule.

Only one Celery task runs jobs, `pollguard.jobs.run(job_id)`: the broker message carries
the job's id and nothing else, and everything the job needs (its kind, parameters and
requester) is read from the job row. The same code runs on Redis and on the embedded
SQLAlchemy transport (a SQLite file in the data folder).

Workers use the *solo* pool on purpose: the planner starts its own solver processes,
which a prefork pool's daemonic children may not do, and a solo worker runs the planner
in its main thread, as `pollguard plan` does. Parallel jobs come from several worker
processes (`pollguard worker --processes N`) or machines.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery
from django.conf import settings

app = Celery("pollguard")

# Timed work (design.md section 4): one beat for the whole installation.
BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "audit-chain": {"task": "pollguard.audit.chain", "schedule": timedelta(seconds=10)},
    "audit-checkpoint": {"task": "pollguard.audit.checkpoint", "schedule": timedelta(minutes=15)},
    "jobs-reap": {"task": "pollguard.jobs.reap", "schedule": timedelta(minutes=1)},
    "live-prune": {"task": "pollguard.live.prune", "schedule": timedelta(hours=1)},
    # Registered by the operations app (`operations/tasks.py`): named here, not imported.
    "operations-escalate": {
        "task": "pollguard.operations.escalate",
        "schedule": timedelta(minutes=1),
    },
    # Registered by pollguard.fieldreports.tasks; every 20 s keeps alarms within 60 s.
    "fieldreports-alarms": {
        "task": "pollguard.fieldreports.alarms",
        "schedule": timedelta(seconds=20),
    },
    # Registered by pollguard.reports.tasks: issues a situation report when one is due.
    "reports-sitreps": {
        "task": "pollguard.reports.sitreps",
        "schedule": timedelta(minutes=1),
    },
}


def configure() -> Celery:
    """Configure the app from Django's settings (idempotent); returns it."""
    if app.conf.get("pollguard_configured"):
        return app
    options: dict[str, Any] = {}
    if settings.POLLGUARD_BROKER_EMBEDDED:
        # kombu hands these to SQLAlchemy's create_engine: writers (web threads sending,
        # the worker taking) wait for SQLite's lock instead of failing. The worker polls
        # the table once a second (kombu's default for virtual transports).
        options["connect_args"] = {"timeout": 30}
    app.conf.update(
        pollguard_configured=True,
        broker_url=settings.POLLGUARD_BROKER_URL,
        broker_transport_options=options,
        broker_connection_retry_on_startup=True,
        task_default_queue=settings.POLLGUARD_QUEUE,
        task_ignore_result=True,  # results live in the job row
        task_acks_late=True,  # a worker that dies mid-job leaves the message to another
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a long plan run must not hold messages hostage
        worker_pool="solo",
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=True,
        worker_redirect_stdouts_level="INFO",
        beat_schedule=BEAT_SCHEDULE,
        beat_schedule_filename=str(settings.DATA_DIR / "celerybeat-schedule"),
        timezone="UTC",
    )
    return app


def send_job(job_id: int) -> None:
    """Put "run job N" on the queue; raises when the broker cannot be reached."""
    configure().send_task(
        "pollguard.jobs.run",
        args=[job_id],
        queue=settings.POLLGUARD_QUEUE,
        retry=True,
        retry_policy={"max_retries": 3, "interval_start": 0, "interval_step": 0.5},
    )


@app.task(name="pollguard.jobs.run", ignore_result=True)
def run_job(job_id: int) -> None:
    from pollguard.jobs.runner import run

    run(job_id)


@app.task(name="pollguard.jobs.reap", ignore_result=True)
def reap_jobs() -> int:
    from pollguard.jobs.actions import do_reap_stale_jobs

    return do_reap_stale_jobs()


@app.task(name="pollguard.audit.chain", ignore_result=True)
def chain_audit() -> int:
    from pollguard.audit.actions import do_chain_entries

    return do_chain_entries()


@app.task(name="pollguard.audit.checkpoint", ignore_result=True)
def checkpoint_audit() -> None:
    from pollguard.audit.actions import do_make_checkpoint

    do_make_checkpoint(acting_user=None)


@app.task(name="pollguard.live.prune", ignore_result=True)
def prune_live() -> None:
    from pollguard.live.actions import do_prune_events

    do_prune_events(acting_user=None)
