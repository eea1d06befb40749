"""Benchmark: plan runs as background jobs (design.md section 7, issue "plan workflow").

    .venv/bin/python benchmarks/bench_plan_jobs.py [--runs 3] [--time-limit 10]
        [--part-time-limit 10] [--workers 1,2] [--postgres URL] [--redis URL]
        [--skip-demo] [--skip-national] [--write]

Two measurements, both through the deployed processes, never in this process:

- **Demo from the API**: `pollguard demo --no-serve` into a fresh data folder, then
  `pollguard serve` (which starts its Celery worker and beat on the embedded SQLite
  transport, as the demo does). Signed in as an operations officer, the script POSTs
  `/api/v1/plan-runs` and reads the live feed `/live/events` as a page does: the time to
  the job's first event on the feed (what a page shows first) and to its `succeeded`
  event (the version is stored and can be submitted). Bar: first progress <= 2 s, plan
  <= 15 s.
- **National with 1 and 2 Celery workers on Redis**: the national synthetic package
  (`scaled.national(1)`: 10,008 centers, 18 governorates) loaded into a scratch
  PostgreSQL database, `N` `pollguard worker` processes on a Redis queue of their own, a
  plan run asked for through the action the API calls; wall time from the request to the
  stored version, its gap, and how many parts ran at the same time (from the part rows'
  start and end times). Each part gets `--part-time-limit`.

Median and worst of `--runs` runs each. With `--write` it replaces the `bench:plan-jobs`
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, today, write_section

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "bench-" + uuid.uuid4().hex

SETUP = """
import sys
from pollguard.web.bootstrap import setup
setup()
from pollguard.accounts.actions import do_create_api_token, do_provision_user
from pollguard.accounts.choices import Role
user = do_provision_user("bench-ops", password=sys.argv[1], role=Role.OPERATIONS, acting_user=None)
print(do_create_api_token(user, acting_user=None).raw)
"""


def environment(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLLGUARD_", "DATABASE_"))}
    env.update(POLLGUARD_DATA_DIR=str(data), HOME=str(data), PYTHONUNBUFFERED="1", **extra)
    return env


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


class Browser:
    """A signed-in session (cookies and CSRF), as a page has, plus the ops API token."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> Any:
        with self.opener.open(f"{self.base}{path}", timeout=30) as answer:
            return json.loads(answer.read())

    def login(self) -> None:
        self.opener.open(f"{self.base}/accounts/login/", timeout=30).read()
        csrf = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode(
            {"username": "bench-ops", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the loopback server started here
            f"{self.base}/accounts/login/", data=body, headers={"Referer": self.base + "/"}
        )
        self.opener.open(request, timeout=30).read()

    def post_api(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the loopback server started here
            f"{self.base}/api/v1{path}",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return json.loads(answer.read())


def demo_runs(runs: int, time_limit: float) -> list[dict[str, Any]]:
    """Plan runs of the demo from the API, watched on the live feed (module docstring)."""
    data = Path(tempfile.mkdtemp(prefix="pollguard-bench-jobs-"))
    env = environment(data)
    python = sys.executable
    subprocess.run(
        [python, "-m", "pollguard", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    token = subprocess.run(
        [python, "-c", SETUP, PASSWORD], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    port = free_port()
    log = (data / "serve.log").open("w")
    server = subprocess.Popen(
        [python, "-m", "pollguard", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    results: list[dict[str, Any]] = []
    try:
        base = f"http://127.0.0.1:{port}"
        browser = Browser(base, token)

        def up() -> bool:
            try:
                browser.login()
                return True
            except OSError:
                return False

        wait_for(up, 60, "pollguard serve")
        # One warm-up run, not counted: the worker started with the server and may still
        # be connecting; the bar is about a running system.
        warm = browser.post_api("/plan-runs", {"time_limit": 1, "seed": 999})["job"]
        wait_for(
            lambda: browser.get(f"/api/v1/jobs/{warm}")["state"] == "succeeded", 120, "warm-up"
        )
        for run in range(runs):
            last = browser.get("/live/events")["last"]
            started = time.perf_counter()
            job = browser.post_api("/plan-runs", {"time_limit": time_limit, "seed": run})["job"]
            first = done = None
            while done is None and time.perf_counter() - started < 120:
                answer = browser.get(f"/live/events?after={last}")
                last = answer["last"]
                for event in answer["events"]:  # the feed spreads the payload in the event
                    if event["kind"] != "job" or event.get("job") != job:
                        continue
                    first = first or time.perf_counter() - started
                    if event.get("state") in ("succeeded", "failed", "cancelled"):
                        done = (time.perf_counter() - started, event["state"])
                time.sleep(0.1)
            if done is None:
                raise SystemExit(f"demo run {run}: no end within 120 s")
            results.append({"first": first, "done": done[0], "state": done[1], "job": job})
            print(f"demo run {run}: first event {first:.2f} s, {done[1]} {done[0]:.2f} s")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return results


def national_runs(
    runs: int, workers: int, part_limit: float, postgres: str, redis: str, folder: Path
) -> list[dict[str, Any]]:
    """National plan runs with `workers` Celery workers on Redis (module docstring)."""
    import psycopg

    name = f"pollguard_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{postgres.rpartition('/')[0]}/{name}"
    data = Path(tempfile.mkdtemp(prefix="pollguard-bench-national-"))
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = environment(data, DATABASE_URL=url, POLLGUARD_BROKER_URL=redis, POLLGUARD_QUEUE=queue)
    python = sys.executable
    subprocess.run([python, "-m", "pollguard", "load", str(folder)], env=env, check=True)
    procs = [
        subprocess.Popen(
            [python, "-m", "pollguard", "worker", "--name", f"bench{i}@%h", "--loglevel", "INFO"],
            env=env,
            stdout=(data / f"worker{i}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for i in range(workers)
    ]
    driver = f"""
import json, sys, time
from pollguard.web.bootstrap import setup
setup(migrate=False)
from django.db import transaction
from pollguard.jobs.models import Job
from pollguard.planning.actions import do_request_plan_run
from pollguard.planning.models import Plan
from pollguard.registry.models import Election
election = Election.objects.get()
with transaction.atomic():
    job, _ = do_request_plan_run(election, time_limit={part_limit}, seed=int(sys.argv[1]),
                                 from_plan=None, changes=[], acting_user=None)
started = time.perf_counter()
while True:
    job.refresh_from_db()
    if job.state in ("succeeded", "failed", "cancelled"):
        break
    time.sleep(0.2)
wall = time.perf_counter() - started
parts = list(job.parts.all())
spans = [(p.started_at, p.finished_at) for p in parts if p.started_at and p.finished_at]
overlap = max((sum(1 for a, b in spans if a <= s < b) for s, _ in spans), default=0)
plan = Plan.objects.get(pk=job.result["plan"]) if job.state == "succeeded" else None
print(json.dumps({{"state": job.state, "message": job.message, "wall": wall,
    "parts": len(parts), "overlap": overlap,
    "gap": plan.metrics.get("gap") if plan else None,
    "objective": plan.metrics.get("objective") if plan else None,
    "failed": plan.metrics.get("failed_parts") if plan else None}}))
"""
    results: list[dict[str, Any]] = []
    try:
        wait_for(
            lambda: all("ready" in (data / f"worker{i}.log").read_text() for i in range(workers)),
            120,
            "the workers",
        )
        for run in range(runs):
            out = subprocess.run(
                [python, "-c", driver, str(run + 1)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                timeout=1800,
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
            results.append(result)
            print(f"national, {workers} worker(s), run {run}: {result}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def _stats(values: list[float], fmt: str = "{:.1f}") -> tuple[str, str]:
    return fmt.format(statistics.median(values)), fmt.format(max(values))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--part-time-limit", type=float, default=10.0)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    header = machine()
    started = today()
    lines = [
        f"Command: `.venv/bin/python benchmarks/bench_plan_jobs.py --runs {args.runs} "
        f"--time-limit {args.time_limit:g} --part-time-limit {args.part_time_limit:g} "
        f"--workers {args.workers}`. Machine: {header}. Date: {started}.",
        "",
    ]
    if not args.skip_demo:
        demo = demo_runs(args.runs, args.time_limit)
        first = _stats([r["first"] for r in demo], "{:.2f}")
        done = _stats([r["done"] for r in demo], "{:.1f}")
        states = ", ".join(sorted({r["state"] for r in demo}))
        lines += [
            "Demo plan run from the API (`pollguard serve` with its embedded worker, SQLite):",
            "",
            "| runs | time limit (s) | first job event on the feed (s), median / worst "
            "| plan stored (s), median / worst | states | bar |",
            "|---|---|---|---|---|---|",
            f"| {len(demo)} | {args.time_limit:g} | {first[0]} / {first[1]} "
            f"| {done[0]} / {done[1]} | {states} | first progress <= 2 s, plan <= 15 s |",
            "",
        ]
    if not args.skip_national:
        folder = Path(tempfile.mkdtemp(prefix="pollguard-bench-pkg-")) / "national"
        subprocess.run(
            [
                sys.executable,
                str(REPO / "benchmarks" / "generate.py"),
                "national",
                "--seed",
                "1",
                "--out",
                str(folder),
            ],
            check=True,
        )
        rows = []
        for workers in [int(w) for w in args.workers.split(",")]:
            results = national_runs(
                args.runs, workers, args.part_time_limit, args.postgres, args.redis, folder
            )
            ok = [r for r in results if r["state"] == "succeeded"]
            wall = _stats([r["wall"] for r in results])
            gaps = [float(r["gap"]) for r in ok if r["gap"] is not None]
            gap = _stats([g * 100 for g in gaps], "{:.2f}%") if gaps else ("-", "-")
            overlap = max(r["overlap"] for r in results)
            failed = sum(int(r["failed"] or 0) for r in ok)
            rows.append(
                f"| {workers} | {len(results)} | {results[0]['parts']} | {wall[0]} / {wall[1]} "
                f"| {gap[0]} / {gap[1]} | {overlap} | {failed} | {len(ok)} of {len(results)} |"
            )
        lines += [
            "National plan run (`scaled.national(1)`: 10,008 centers, 18 governorates) on "
            f"PostgreSQL, Celery workers on Redis, {args.part_time_limit:g} s per part:",
            "",
            "| workers | runs | parts | wall time (s), median / worst | gap, median / worst "
            "| most parts at once | failed parts | succeeded |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("plan-jobs", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
