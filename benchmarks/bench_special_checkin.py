"""Benchmark: special-vote check-in over HTTP on PostgreSQL, and the demo's reconciliation.

    .venv/bin/python benchmarks/bench_special_checkin.py [--postgres URL] [--clients 16]
        [--servers 2] [--requests 4000] [--runs 3] [--write]

Loads the Dhi Qar demo (24,600 personnel, 18,300 register entries) into a scratch
PostgreSQL database, starts `--servers` `pollguard serve` processes (the special-vote clock
set to the special-vote morning), and has `--clients` threads, each with its own kept-alive
connection and spread over the servers, POST /api/v1/special-checkins as a commission
liaison (Bearer token). 10 % of the requests repeat a voter another client already sent, at
another station (they must be refused with 409). Each run uses fresh voters. After each
run the database itself is asked: people with more than one counted vote (must be 0), and
counted votes against the distinct voters sent.

Then the reconciliation of the demo (`specialvote.reconciliation.reconcile`) is timed in
this process, on the same database.

With `--write` it replaces the `bench:special-checkin` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, today, wait_until_serving, write_section
from bench_web import scratch_postgres

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "scenarios" / "dhi-qar-2010"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pollguard",
            "serve",
            "--port",
            str(port),
            "--threads",
            "16",
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return wait_until_serving(port, server)


def plan_requests(
    voters: list[tuple[str, str]], stations: dict[str, list[str]], n: int, rng: random.Random
) -> list[tuple[str, str, bool]]:
    """(voter, station, is_repeat): 90 % fresh voters, 10 % repeats at another station."""
    fresh = n - n // 10
    chosen = voters[:fresh]
    out = [(v, rng.choice(stations[c]), False) for v, c in chosen]
    for _ in range(n // 10):
        v, c = rng.choice(chosen)
        first = next(s for vv, s, _ in out if vv == v)
        others = [s for s in stations[c] if s != first] or stations[c]
        out.append((v, rng.choice(others), True))
    rng.shuffle(out)
    return out


BARE = "/api/v1/sectors?limit=1"  # an authenticated request that does almost nothing


def run_clients(
    ports: list[int],
    token: str,
    requests: list[tuple[str, str, bool]],
    clients: int,
    *,
    bare: bool = False,
) -> tuple[float, Counter[int], list[float]]:
    """Send every request from `clients` threads; the wall time, status counts, latencies."""
    lock = threading.Lock()
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    chunks = [requests[i::clients] for i in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", ports[k % len(ports)], timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine: Counter[int] = Counter()
        times: list[float] = []
        barrier.wait()
        for voter, station, _ in chunks[k]:
            body = json.dumps({"voter": voter, "station": station})
            start = time.perf_counter()
            if bare:
                conn.request("GET", BARE, headers=headers)
            else:
                conn.request("POST", "/api/v1/special-checkins", body, headers)
            answer = conn.getresponse()
            answer.read()
            times.append(time.perf_counter() - start)
            mine[answer.status] += 1
        conn.close()
        with lock:
            statuses.update(mine)
            latencies.extend(times)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start, statuses, latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=4000, help="per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="pollguard-bench-sv-")
    os.environ["POLLGUARD_DATA_DIR"] = data_dir
    os.environ.setdefault("POLLGUARD_SECRET_KEY", "benchmark-only-" + uuid.uuid4().hex)
    os.environ["DATABASE_URL"], drop = scratch_postgres(args.postgres)
    header = machine()
    try:
        return run(args, header)
    finally:
        drop()


def run(args: argparse.Namespace, header: str) -> int:
    from pollguard.commands.demo import special_vote_morning
    from pollguard.core.package import read_package

    package = read_package(DEMO)
    os.environ["POLLGUARD_SPECIAL_VOTE_CLOCK"] = special_vote_morning(package)
    from pollguard.web.bootstrap import setup

    setup()
    from django.db import connection
    from django.db.models import Count

    from pollguard.accounts.actions import do_create_api_token, do_provision_user
    from pollguard.accounts.choices import Role
    from pollguard.registry.loader import do_load_package
    from pollguard.registry.models import Election, SpecialVoter, Station
    from pollguard.specialvote.models import SpecialCheckin
    from pollguard.specialvote.reconciliation import reconcile

    do_load_package(package, acting_user=None, actor_name="bench")
    election = Election.objects.get()
    user = do_provision_user("bench-ihec", password=None, role=Role.COMMISSION, acting_user=None)
    token = do_create_api_token(user, name="bench", acting_user=None).raw
    stations: dict[str, list[str]] = {}
    for code, center in Station.objects.filter(
        election=election, center__kind__startswith="special"
    ).values_list("code", "center__code"):
        stations.setdefault(center, []).append(code)
    voters = list(
        SpecialVoter.objects.filter(election=election).values_list("code", "special_center__code")
    )
    rng = random.Random(2010)
    rng.shuffle(voters)
    connection.close()

    env = dict(os.environ)
    ports = [free_port() for _ in range(args.servers)]
    servers = [start_server(p, env) for p in ports]
    fresh_per_run = args.requests - args.requests // 10
    results: list[dict[str, float]] = []
    try:
        for r in range(args.runs):
            batch = voters[r * fresh_per_run : (r + 1) * fresh_per_run]
            requests = plan_requests(batch, stations, args.requests, rng)
            wall, statuses, latencies = run_clients(ports, token, requests, args.clients)
            doubles = (
                SpecialCheckin.objects.filter(state="counted")
                .values("person_code")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .count()
            )
            counted = SpecialCheckin.objects.filter(
                state="counted", person_code__in=[v for v, _ in batch]
            ).count()
            latencies.sort()
            results.append(
                {
                    "rate": len(requests) / wall,
                    "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
                    "created": statuses[201],
                    "refused": statuses[409],
                    "other": sum(n for s, n in statuses.items() if s not in (201, 409)),
                    "doubles": doubles,
                    "counted_ok": float(counted == len(batch)),
                }
            )
            print(f"run {r + 1}: {results[-1]}")
        bare_rates = []
        for _ in range(args.runs):
            wall, statuses, _ = run_clients(ports, token, requests, args.clients, bare=True)
            assert statuses[200] == len(requests), statuses
            bare_rates.append(len(requests) / wall)
        print(f"bare authenticated GET: {[round(r) for r in bare_rates]} /s")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)

    recon: list[float] = []
    for _ in range(args.runs):
        start = time.perf_counter()
        figures = reconcile(election)
        recon.append(time.perf_counter() - start)
    print(
        f"reconciliation: {[round(s, 3) for s in recon]} s, missing "
        f"{figures.totals.deployed_not_registered}"
    )

    rates = [x["rate"] for x in results]
    p99 = [x["p99_ms"] for x in results]
    doubles_max = max(int(x["doubles"]) for x in results)
    other_max = max(int(x["other"]) for x in results)
    body = "\n".join(
        [
            f"Measured {today()} on {header}.",
            "",
            f"Command: `.venv/bin/python benchmarks/bench_special_checkin.py --clients "
            f"{args.clients} --servers {args.servers} --requests {args.requests} --runs "
            f"{args.runs} --write` (PostgreSQL on the same machine, {args.servers} "
            f"`pollguard serve` processes with 16 threads each, {args.clients} clients with "
            "kept-alive connections, Bearer token, 10 % repeat voters at other stations; the "
            "clients run on the same 2 cores as the servers and the database).",
            "",
            "| | median | worst | bar |",
            "|---|---|---|---|",
            f"| check-ins per second | {statistics.median(rates):.0f} | {min(rates):.0f} | ≥ 500 |",
            f"| bare authenticated GET `{BARE}` per second, same servers and clients | "
            f"{statistics.median(bare_rates):.0f} | {min(bare_rates):.0f} | |",
            f"| check-ins as a share of the bare rate | "
            f"{statistics.median(rates) / statistics.median(bare_rates):.0%} | | |",
            f"| p99 latency (ms) | {statistics.median(p99):.0f} | {max(p99):.0f} | |",
            f"| people with two counted votes (from the database) | "
            f"{doubles_max} | {doubles_max} | 0 |",
            f"| repeats refused with 409 (of {args.requests // 10} per run) | "
            f"{statistics.median(x['refused'] for x in results):.0f} | "
            f"{min(x['refused'] for x in results):.0f} | all |",
            f"| other answers (not 201/409) | {other_max} | {other_max} | 0 |",
            f"| reconciliation of the demo (24,600 personnel, 18,300 register), s | "
            f"{statistics.median(recon):.2f} | {max(recon):.2f} | < 2 |",
        ]
    )
    print(body)
    if args.write:
        write_section("special-checkin", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
