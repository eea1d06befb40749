"""Benchmark: incident create and transition over HTTP on PostgreSQL (design.md section 7).

    .venv/bin/python benchmarks/bench_incidents.py --postgres URL [--clients 32]
        [--per-client 20] [--runs 3] [--write]

For each run: a scratch PostgreSQL database on the server at URL, the Dhi Qar 2010 demo
loaded, one operations officer with an API token, and a real `pollguard serve` process
(waitress, 32 threads, no worker). `--clients` threads then each file `--per-client`
incidents (`POST /api/v1/incidents` with its own `Idempotency-Key`; one create in ten is
sent a second time with the same key and body, as a client that lost the answer would)
and verify each one (`POST …/transitions {"to": "verified"}`). Afterwards the database must
hold exactly one incident per key, every code distinct, every retry answered 200 with the
first answer's code: zero lost, zero doubled.

The dispatch suggestion is timed inside the server process's code path: `suggestions_for`
(core `DispatchIndex` on the election's units, the approved plan's posts when there is one)
for 200 incidents after the index is built, and over HTTP (`GET …/suggestions`).

With `--write` it replaces the `bench:incidents` section of docs/benchmarks.md.
"""

# The report is Markdown: table rows are long and "  " at a line's end is a line break.
# ruff: noqa: E501, W291

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, today, write_section


def scratch_postgres(url: str) -> tuple[str, Any]:
    """A fresh database on the server at `url`, and a function that drops it."""
    import psycopg

    name = f"pollguard_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = url.rpartition("/")

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop

REPO = Path(__file__).resolve().parent.parent

SETUP = f"""
import json, sys, time
sys.path.insert(0, {str(REPO / "src")!r})
from pollguard.web.bootstrap import setup
setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from pollguard.accounts.actions import do_create_api_token, do_provision_user
from pollguard.accounts.choices import Role
from pollguard.core.package import read_package
from pollguard.registry.loader import do_load_package
from pathlib import Path
folder = Path({str(REPO / "scenarios" / "dhi-qar-2010")!r})
do_load_package(read_package(folder), acting_user=None, source=folder)
user = do_provision_user("bench-ops", password="x" * 24, role=Role.OPERATIONS, acting_user=None)
print(json.dumps({{"token": do_create_api_token(user, acting_user=None).raw}}))
"""

TIME_SUGGESTIONS = f"""
import json, random, statistics, sys, time
sys.path.insert(0, {str(REPO / "src")!r})
from pollguard.web.bootstrap import setup
setup()
from pollguard.operations.dispatch import index_for, suggestions_for
from pollguard.operations.models import Incident
incidents = list(Incident.objects.select_related("election")[:200])
start = time.perf_counter(); index_for(incidents[0].election); build = time.perf_counter() - start
times = []
for incident in incidents:
    start = time.perf_counter()
    suggestions_for(incident)
    times.append(time.perf_counter() - start)
times.sort()
print(json.dumps({{"build_ms": build * 1000, "p50_ms": statistics.median(times) * 1000,
                   "p99_ms": times[int(len(times) * 0.99) - 1] * 1000, "n": len(times)}}))
"""


def call(port: int, token: str, method: str, path: str, body: object, key: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 - loopback
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def one_run(url: str, clients: int, per_client: int, seed: int) -> dict[str, Any]:
    database, drop = scratch_postgres(url)
    tmp = tempfile.mkdtemp(prefix="bench-incidents-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLLGUARD_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database,
        POLLGUARD_DATA_DIR=tmp,
        POLLGUARD_SECRET_KEY="bench-" + uuid.uuid4().hex,
        POLLGUARD_SERVE_WORKER="0",
    )
    server = None
    try:
        done = subprocess.run(
            [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        token = json.loads(done.stdout.strip().splitlines()[-1])["token"]
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "pollguard", "serve", "--port", str(port), "--threads", "32"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        _, centers = call(port, token, "GET", "/centers?limit=500", None)
        codes = [c["code"] for c in centers["items"]]
        rng = random.Random(seed)
        plans = [
            [(str(uuid.uuid4()), rng.choice(codes), rng.random() < 0.10) for _ in range(per_client)]
            for _ in range(clients)
        ]
        lock = threading.Lock()
        latencies: dict[str, list[float]] = {"create": [], "transition": []}
        answers: dict[str, str] = {}
        problems: list[str] = []
        barrier = threading.Barrier(clients)

        def client(i: int) -> None:
            barrier.wait()
            for key, center, retry in plans[i]:
                body = {"center": center, "kind": "crowd", "severity": 2, "text": f"bench {key}",
                        "observed_at": "2010-03-07T09:00:00+03:00"}  # fmt: skip
                start = time.perf_counter()
                status, got = call(port, token, "POST", "/incidents", body, key)
                elapsed = time.perf_counter() - start
                if status != 201:
                    problems.append(f"create {status} {got}")
                    continue
                code = got["code"]
                if retry:
                    again, same = call(port, token, "POST", "/incidents", body, key)
                    if again != 200 or same.get("code") != code:
                        problems.append(f"retry {again} {same} for {code}")
                start2 = time.perf_counter()
                moved, _ = call(port, token, "POST", f"/incidents/{code}/transitions",
                                {"to": "verified"})  # fmt: skip
                elapsed2 = time.perf_counter() - start2
                if moved != 200:
                    problems.append(f"transition {moved} for {code}")
                with lock:
                    latencies["create"].append(elapsed)
                    latencies["transition"].append(elapsed2)
                    answers[key] = code

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        wall = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - wall
        _, listed = call(port, token, "GET", "/incidents?limit=1", None)
        stored = listed["count"]
        expected = clients * per_client
        retries = sum(r for p in plans for _, _, r in p)
        some = next(iter(answers.values()))
        http_suggest = []
        for code in list(answers.values())[:50]:
            start = time.perf_counter()
            call(port, token, "GET", f"/incidents/{code}/suggestions", None)
            http_suggest.append(time.perf_counter() - start)
        del some
        inproc = json.loads(
            subprocess.run(
                [sys.executable, "-c", TIME_SUGGESTIONS], env=env, capture_output=True,
                text=True, check=True,
            ).stdout.strip().splitlines()[-1]
        )  # fmt: skip

        def pct(values: list[float], q: float) -> float:
            values = sorted(values)
            return values[max(0, int(len(values) * q) - 1)] * 1000

        return {
            "requests": expected * 2 + retries,
            "wall": wall,
            "throughput": (expected * 2 + retries) / wall,
            "create_p50": pct(latencies["create"], 0.5),
            "create_p99": pct(latencies["create"], 0.99),
            "transition_p50": pct(latencies["transition"], 0.5),
            "transition_p99": pct(latencies["transition"], 0.99),
            "stored": stored,
            "expected": expected,
            "retries": retries,
            "distinct_codes": len(set(answers.values())),
            "problems": problems,
            "suggest_http_p50": statistics.median(http_suggest) * 1000,
            "suggest_http_max": max(http_suggest) * 1000,
            "suggest": inproc,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="postgres://… of a server to use")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    header = machine()
    runs = []
    for run in range(args.runs):
        result = one_run(args.postgres, args.clients, args.per_client, seed=run)
        runs.append(result)
        print(json.dumps({k: v for k, v in result.items() if k != "problems"}), flush=True)
        for problem in result["problems"][:10]:
            print("PROBLEM", problem, flush=True)

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    def worst(key: str, low: bool = False) -> float:
        return (min if low else max)(r[key] for r in runs)

    lost = sum(max(0, r["expected"] - r["stored"]) for r in runs)
    doubled = sum(max(0, r["stored"] - r["expected"]) for r in runs)
    failures = sum(len(r["problems"]) for r in runs)
    suggest_p50 = statistics.median(r["suggest"]["p50_ms"] for r in runs)
    suggest_p99 = max(r["suggest"]["p99_ms"] for r in runs)
    body = f"""Command: `.venv/bin/python benchmarks/bench_incidents.py --postgres URL --clients {args.clients} --per-client {args.per_client} --runs {args.runs} --write`  
Machine: {header}  
Date: {today()}; database: PostgreSQL; server: `pollguard serve --threads 32` (waitress), no worker

{args.clients} clients over HTTP, each filing {args.per_client} incidents with its own `Idempotency-Key` (one in ten resent with the same key and body) and verifying each; the Dhi Qar 2010 demo loaded. Median and worst of {args.runs} runs:

| Figure | median | worst |
|---|---|---|
| requests per run | {med("requests"):.0f} | |
| throughput (requests/s) | {med("throughput"):.0f} | {worst("throughput", low=True):.0f} |
| create p50 / p99 ms | {med("create_p50"):.0f} / {med("create_p99"):.0f} | {worst("create_p50"):.0f} / {worst("create_p99"):.0f} |
| transition p50 / p99 ms | {med("transition_p50"):.0f} / {med("transition_p99"):.0f} | {worst("transition_p50"):.0f} / {worst("transition_p99"):.0f} |
| dispatch suggestion in the server's code path, p50 / p99 ms ({runs[0]["suggest"]["n"]} incidents, index built) | {suggest_p50:.1f} / {suggest_p99:.1f} | |
| dispatch suggestion over HTTP (`GET …/suggestions`), p50 / max ms | {med("suggest_http_p50"):.0f} / {med("suggest_http_max"):.0f} | {worst("suggest_http_max"):.0f} |

Incidents stored vs keys sent: {sum(r["stored"] for r in runs)} / {sum(r["expected"] for r in runs)} over the runs ({sum(r["retries"] for r in runs)} retries); lost {lost}, doubled {doubled}; failed requests {failures}.

Bar (zero lost or doubled; suggestion ≤ 50 ms): **{"met" if lost == doubled == failures == 0 and suggest_p99 <= 50 else "not met"}**.
"""
    print(body)
    if args.write:
        write_section("incidents", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
