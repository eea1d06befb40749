"""Plan runs through the deployed processes, on both queue set-ups (design.md section 4).

The real `pollguard serve` answers the API; the real `pollguard worker` (Celery, solo
pool) takes the job from the broker, runs the planner in its own processes and writes the
plan version. Once on the embedded transport (kombu's SQLAlchemy transport on a SQLite
file: what `pollguard serve` starts by itself for the demo) and once on Redis
(127.0.0.1:6379, the production broker; scripts/test starts it when it is not running),
each on SQLite and, when DATABASE_URL is set, on a scratch PostgreSQL database.
Nothing here depends on timing: the tests wait for states, with generous deadlines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .served import clean_environment, free_port, scratch_database, wait_for_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

SETUP = f"""
import json, sys
from pathlib import Path
sys.path.insert(0, {str(REPO)!r})
from pollguard.web.bootstrap import setup
setup()
from django.contrib.auth.models import User
from pollguard.accounts.actions import do_create_api_token, do_provision_user
from pollguard.accounts.choices import Role
from pollguard.core.package import read_package, write_package
from pollguard.registry.loader import do_load_package
from pollguard.registry.models import Sector
from tests.web.personas import make_package
folder = Path(sys.argv[1])
write_package(make_package(), folder)
do_load_package(read_package(folder), acting_user=None, source=folder)
tokens = {{}}
for name, role, scope in [
    ("ops", Role.OPERATIONS, {{}}),
    ("chair", Role.CHAIR, {{}}),
    ("cmd-rifai", Role.SECTOR_COMMANDER, {{"sector": Sector.objects.get(code="RIF")}}),
]:
    user = do_provision_user(name, password="x" * 20, role=role, acting_user=None, **scope)
    tokens[name] = do_create_api_token(user, acting_user=None).raw
print(json.dumps(tokens))
"""


@dataclass
class Instance:
    port: int
    tokens: dict[str, str]
    package: Path
    env: dict[str, str]

    def call(self, user: str, method: str, path: str, body: object = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.tokens[user]}",
                "Content-Type": "application/json",
                "Accept-Language": "en",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def wait_for_job(self, job: int, deadline_s: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            status, body = self.call("ops", "GET", f"/jobs/{job}")
            assert status == 200, body
            if body["state"] in ("succeeded", "failed", "cancelled"):
                return dict(body)
            time.sleep(0.5)
        raise AssertionError(f"job {job} did not finish: {body}")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture(scope="module", params=["embedded", "redis"])
def instance(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Instance]:
    transport = request.param
    tmp = tmp_path_factory.mktemp(f"jobs-{transport}")
    env = clean_environment()
    database, drop = scratch_database("jobs")
    if database:
        env["DATABASE_URL"] = database
    queue = f"pollguard-test-{uuid.uuid4().hex[:8]}"
    env.update(
        POLLGUARD_DATA_DIR=str(tmp / "data"),
        POLLGUARD_SECRET_KEY="jobs-test-secret-key-" + uuid.uuid4().hex,
        POLLGUARD_QUEUE=queue,
        # Two worker processes started below in both set-ups, never one inside serve.
        POLLGUARD_SERVE_WORKER="0",
        # The tests' package (a dozen centers) runs as one job, the national one in parts.
        POLLGUARD_PLAN_SPLIT_MIN_CENTERS="50",
    )
    if transport == "redis":
        if not _redis_up():
            raise AssertionError("Redis is not running on 127.0.0.1:6379 (scripts/test starts it)")
        env["POLLGUARD_BROKER_URL"] = "redis://127.0.0.1:6379/0"
    processes: list[subprocess.Popen[str]] = []
    try:
        prepared = subprocess.run(
            [sys.executable, "-c", SETUP, str(tmp / "package")],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert prepared.returncode == 0, prepared.stderr
        tokens = json.loads(prepared.stdout.strip().splitlines()[-1])
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "pollguard", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        processes.append(server)
        worker = subprocess.Popen(
            [sys.executable, "-m", "pollguard", "worker", "--processes", "2",
             "--loglevel", "WARNING"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        processes.append(worker)
        wait_for_port(port, server, "pollguard serve")
        yield Instance(port=port, tokens=tokens, package=tmp / "package", env=env)
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        drop()


def test_a_plan_run_reaches_its_plan_and_the_chair_approves_it(instance: Instance) -> None:
    status, body = instance.call("ops", "POST", "/plan-runs", {"time_limit": 4, "seed": 1})
    assert status == 202, body
    job = body["job"]
    # The same run asked again while it is queued or running is the same job.
    again_status, again = instance.call("ops", "POST", "/plan-runs", {"time_limit": 4, "seed": 1})
    finished = instance.wait_for_job(job)
    assert again_status == 202
    if again["job"] != job:  # only possible when the first had already finished
        assert finished["finished_at"] is not None
        assert again["created"] is True
    assert finished["state"] == "succeeded", json.dumps(finished, ensure_ascii=False)
    assert finished["work_done"] == finished["work_total"] > 0
    plan_id = finished["result"]["plan"]
    status, plan = instance.call("ops", "GET", f"/plans/{plan_id}")
    assert status == 200
    assert plan["state"] == "draft"
    assert plan["document"]["schema"] == "pollguard.plan/1"
    assert plan["metrics"]["bound"] <= plan["metrics"]["objective"] + 1e-6
    # A commander does not see versions; the ops officer may submit, not approve.
    assert instance.call("cmd-rifai", "GET", f"/plans/{plan_id}")[0] == 404
    assert instance.call("ops", "POST", f"/plans/{plan_id}/approve", {})[0] == 403
    assert instance.call("ops", "POST", f"/plans/{plan_id}/submit", {})[0] == 200
    status, approved = instance.call(
        "chair", "POST", f"/plans/{plan_id}/approve", {"comment": "ok"}
    )
    assert status == 200
    assert approved["state"] == "approved"
    assert instance.call("chair", "POST", f"/plans/{plan_id}/approve", {})[0] == 409


def test_a_changed_or_broken_package_fails_the_job_with_its_messages(instance: Instance) -> None:
    centers = instance.package / "centers.csv"
    original = centers.read_text(encoding="utf-8")
    try:
        # Changed since it was loaded: the registry and the plan would disagree.
        centers.write_text(original + "\n", encoding="utf-8")
        status, body = instance.call("ops", "POST", "/plan-runs", {"time_limit": 2, "seed": 7})
        assert status == 202
        failed = instance.wait_for_job(body["job"])
        assert failed["state"] == "failed"
        # In the user's language (Arabic, the default), like every answer.
        assert "تغيّرت الحزمة" in failed["message"]
        assert "Traceback" not in json.dumps(failed)
        # Broken: every problem by file and line, as `pollguard validate` says them.
        lines = original.splitlines()
        header = lines[0].split(",")
        row = lines[1].split(",")
        row[header.index("lat")] = "north"
        centers.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", "utf-8")
        status, body = instance.call("ops", "POST", "/plan-runs", {"time_limit": 2, "seed": 8})
        failed = instance.wait_for_job(body["job"])
        assert failed["state"] == "failed"
        assert any(e.startswith("centers.csv:2:") for e in failed["result"]["errors"]), failed
    finally:
        centers.write_text(original, encoding="utf-8")


def test_a_national_run_is_planned_in_parts_by_the_workers_and_merged(
    instance: Instance, tmp_path: Path
) -> None:
    """Last in this module: it loads a second election, which becomes the current one."""
    folder = tmp_path / "national"
    write = (
        "import random, sys; from pollguard.core.package import write_package; "
        "from pollguard.core.synthetic.scaled import Scale, build; "
        "write_package(build(random.Random(5), Scale(3, 2, 20, 2, 2, national=True), 'nat-5'), "
        "__import__('pathlib').Path(sys.argv[1]))"
    )
    subprocess.run([sys.executable, "-c", write, str(folder)], env=instance.env, check=True)
    subprocess.run(
        [sys.executable, "-m", "pollguard", "load", str(folder)],
        env=instance.env, check=True, capture_output=True,
    )  # fmt: skip
    status, body = instance.call("ops", "POST", "/plan-runs", {"time_limit": 2, "seed": 3})
    assert status == 202, body
    finished = instance.wait_for_job(body["job"], deadline_s=300)
    assert finished["state"] == "succeeded", json.dumps(finished, ensure_ascii=False)
    assert finished["result"]["failed_parts"] == []
    status, plan = instance.call("ops", "GET", f"/plans/{finished['result']['plan']}")
    assert status == 200
    assert plan["metrics"]["parts"] == 3
    assert plan["metrics"]["bound"] <= plan["metrics"]["objective"] + 1e-6
    assert plan["metrics"]["centers"] == 60  # every governorate's centers, merged
