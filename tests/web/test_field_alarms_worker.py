"""Missing-report alarms through real Celery workers, on both queue set-ups (design.md 4, 7).

The worker (`pollguard worker`, solo pool) takes the alarm task from the broker: once with
a controlled clock (the task's `now`), which shows the deadline + grace rule exactly, and
once from beat itself on the real clock, where the test election's day is long past, so
every opening is overdue and beat must raise the alarms within a minute. Both on the
embedded SQLAlchemy transport and on Redis (db 6).
"""

from __future__ import annotations

import json
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
PRELUDE = f"""
import json, sys
sys.path.insert(0, {str(REPO)!r})
from pollguard.web.bootstrap import setup
setup()
"""
SETUP = (
    PRELUDE
    + """
from pathlib import Path
from pollguard.core.package import read_package, write_package
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Election
from pollguard.fieldreports.actions import do_generate_expected_checkins
from tests.web.personas import make_package
folder = Path(sys.argv[1])
write_package(make_package(), folder)
do_load_package(read_package(folder), acting_user=None, source=folder)
print(do_generate_expected_checkins(Election.objects.get(), acting_user=None))
"""
)
SEND = (
    PRELUDE
    + """
from pollguard.jobs.queue import configure
from django.conf import settings
configure().send_task(
    "pollguard.fieldreports.alarms", args=[sys.argv[1]], queue=settings.POLLGUARD_QUEUE
)
"""
)
COUNT = (
    PRELUDE
    + """
from datetime import datetime
from pollguard.fieldreports.models import ExpectedCheckin
rows = ExpectedCheckin.objects.filter(slot="opening")
at = datetime.fromisoformat("2010-03-07T04:15:00+00:00")
print(json.dumps({"raised": rows.filter(alarm_raised_at__isnull=False).count(),
                  "raised_at_deadline": rows.filter(alarm_raised_at=at).count(),
                  "cleared": rows.filter(alarm_cleared_at__isnull=False).count(),
                  "total": rows.count()}))
"""
)
REPORT = (
    PRELUDE
    + """
import uuid
from datetime import datetime
from pollguard.fieldreports.actions import CheckinReport, do_record_checkin
from pollguard.fieldreports.choices import Channel
from pollguard.registry.models import Station
at = datetime.fromisoformat(sys.argv[1])
do_record_checkin(Station.objects.get(code="C-0003-01"),
                  CheckinReport(uuid.uuid4(), "opening", "open", None, at),
                  channel=Channel.API, reporter_key="t", acting_user=None, now=at)
"""
)
OPENS = "2010-03-07T04:00:00+00:00"  # 07:00 in Baghdad


@dataclass
class Instance:
    env: dict[str, str]

    def python(self, code: str, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def counts(self) -> dict[str, int]:
        return dict(json.loads(self.python(COUNT)))

    def wait(self, key: str, value: int, deadline_s: float = 90) -> dict[str, int]:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            counts = self.counts()
            if counts[key] == value:
                return counts
            time.sleep(1)
        raise AssertionError(f"{key} never reached {value}: {counts}")


def _worker(env: dict[str, str], *, beat: bool) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "pollguard", "worker", "--loglevel", "WARNING"]
    return subprocess.Popen(
        [*command, "--beat"] if beat else command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(params=["embedded", "redis"])
def instance(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Instance]:
    env = clean_environment()
    database, drop = scratch_database("alarms")
    if database:
        env["DATABASE_URL"] = database
    env.update(
        POLLGUARD_DATA_DIR=str(tmp_path / "data"),
        POLLGUARD_SECRET_KEY="alarms-test-" + uuid.uuid4().hex,
        POLLGUARD_QUEUE=f"pollguard-alarms-{uuid.uuid4().hex[:8]}",
    )
    if request.param == "redis":
        if not _redis_up():
            raise AssertionError("Redis is not running on 127.0.0.1:6379")
        env["POLLGUARD_BROKER_URL"] = "redis://127.0.0.1:6379/6"
    instance = Instance(env)
    try:
        assert int(instance.python(SETUP, str(tmp_path / "package"))) > 0
        yield instance
    finally:
        drop()


def test_the_worker_raises_alarms_at_deadline_plus_grace_and_a_report_clears_one(
    instance: Instance,
) -> None:
    worker = _worker(instance.env, beat=False)
    try:
        total = instance.counts()["total"]
        instance.python(SEND, "2010-03-07T04:14:00+00:00")  # 1 minute inside the grace
        instance.python(SEND, "2010-03-07T04:15:00+00:00")  # deadline + 15 min grace
        counts = instance.wait("raised", total)
        # None was raised by the task whose clock was still inside the grace.
        assert counts["raised_at_deadline"] == total
        assert counts["cleared"] == 0
        instance.python(REPORT, "2010-03-07T04:20:00+00:00")
        assert instance.counts()["cleared"] == 1
    finally:
        _stop(worker)


def test_beat_raises_the_alarm_of_a_missed_opening_within_a_minute(instance: Instance) -> None:
    worker = _worker(instance.env, beat=True)
    try:
        total = instance.counts()["total"]
        started = time.monotonic()
        instance.wait("raised", total, deadline_s=90)
        # Generous for a loaded machine; the beat period is 20 s.
        assert time.monotonic() - started < 90
    finally:
        _stop(worker)
