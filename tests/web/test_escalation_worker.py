"""Escalation through the deployed processes, on both queue set-ups (design.md section 4).

The real `pollguard worker` (Celery) takes `pollguard.operations.escalate` from the broker
(the task Celery beat sends every minute) and raises an overdue incident sector →
operations room → chair. The clock is controlled: the incident is filed an hour in the
past and the task is sent with an explicit `now`, exactly what beat sends without one.
Once on the embedded SQLAlchemy transport and once on Redis (db 3); nothing waits on
time except for states, with generous deadlines.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .served import clean_environment, scratch_database
from .test_jobs_worker import _redis_up

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

SETUP = f"""
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
sys.path.insert(0, {str(REPO)!r})
from pollguard.web.bootstrap import setup
setup()
from pollguard.core.package import read_package, write_package
from pollguard.operations.actions import IncidentDraft, do_file_incident
from pollguard.operations.choices import IncidentKind
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Center, Election
from tests.web.personas import make_package
folder = Path(sys.argv[1])
write_package(make_package(), folder)
do_load_package(read_package(folder), acting_user=None, source=folder)
election = Election.objects.get()
start = datetime.now(timezone.utc) - timedelta(hours=1)
draft = IncidentDraft(kind=IncidentKind.CROWD, severity=2, text="", observed_at=start,
                      center=Center.objects.get(code="C-0001"))
print(do_file_incident(election, draft, acting_user=None, now=start)[0].code)
"""

SEND = """
import sys
from pollguard.web.bootstrap import setup
setup()
from django.conf import settings
from pollguard.jobs.queue import configure
configure().send_task("pollguard.operations.escalate", args=[sys.argv[1]],
                      queue=settings.POLLGUARD_QUEUE)
"""

LEVEL = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from pollguard.web.bootstrap import setup
setup()
from pollguard.operations.models import Incident
print(Incident.objects.get(code=sys.argv[1]).escalation_level)
"""


@dataclass
class Instance:
    env: dict[str, str]
    code: str

    def run(self, script: str, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            env=self.env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def wait_for_level(self, level: int, deadline_s: float = 120) -> None:
        deadline = time.monotonic() + deadline_s
        seen = ""
        while time.monotonic() < deadline:
            seen = self.run(LEVEL, self.code)
            if seen == str(level):
                return
            time.sleep(0.5)
        raise AssertionError(f"{self.code} stayed at level {seen}, expected {level}")


@pytest.fixture(scope="module", params=["embedded", "redis"])
def instance(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Instance]:
    transport = request.param
    tmp = tmp_path_factory.mktemp(f"escalate-{transport}")
    env = clean_environment()
    database, drop = scratch_database("escalate")
    if database:
        env["DATABASE_URL"] = database
    env.update(
        POLLGUARD_DATA_DIR=str(tmp / "data"),
        POLLGUARD_SECRET_KEY="escalate-test-secret-key-" + uuid.uuid4().hex,
        POLLGUARD_QUEUE=f"pollguard-test-{uuid.uuid4().hex[:8]}",
    )
    if transport == "redis":
        if not _redis_up():
            raise AssertionError("Redis is not running on 127.0.0.1:6379 (scripts/test starts it)")
        env["POLLGUARD_BROKER_URL"] = "redis://127.0.0.1:6379/3"
    worker: subprocess.Popen[str] | None = None
    try:
        prepared = Instance(env=env, code="")
        code = prepared.run(SETUP, str(tmp / "package"))
        worker = subprocess.Popen(
            [sys.executable, "-m", "pollguard", "worker", "--loglevel", "WARNING"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        yield Instance(env=env, code=code)
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        drop()


def test_an_overdue_incident_climbs_to_the_chair_through_the_worker(instance: Instance) -> None:
    from datetime import UTC, datetime, timedelta

    assert instance.run(LEVEL, instance.code) == "0"
    later = datetime.now(UTC)
    for level in (1, 2, 3):
        later += timedelta(days=1)
        instance.run(SEND, later.isoformat())
        instance.wait_for_level(level)
    # Once at the chair, another beat changes nothing.
    instance.run(SEND, (later + timedelta(days=1)).isoformat())
    instance.run(SEND, (later + timedelta(days=2)).isoformat())
    instance.wait_for_level(3)


def test_the_beat_schedule_sends_the_escalation_every_minute() -> None:
    from pollguard.jobs.queue import BEAT_SCHEDULE, app
    from pollguard.operations import tasks

    entry = BEAT_SCHEDULE["operations-escalate"]
    assert entry["task"] == tasks.escalate.name == "pollguard.operations.escalate"
    assert entry["schedule"].total_seconds() == 60
    assert entry["task"] in app.tasks
