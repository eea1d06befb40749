"""Benchmark: the station board on the Dhi Qar demo (design.md section 7, "list endpoints
with a fixed number of queries").

    .venv/bin/python benchmarks/bench_board.py [--repeat 5] [--postgres URL] [--write]

Loads the demo package (`scenarios/dhi-qar-2010`) into a fresh database (SQLite in a
temporary folder, or a scratch PostgreSQL database created and dropped on the server given
by `--postgres`), makes the expected check-ins of every station, files a check-in at one
station in three so the board has received, late and conflicting slots to show, logs in as
the committee chair (who sees every station) and times through Django's test client (no
network: the server's work; the CPU time of the process too, which a busy machine
disturbs less than the wall time) `GET /api/v1/board` (first page and a large page) and the
board page `/board/`, cold and warm (median and worst of `--repeat`), with the number of
SQL queries each makes.

With `--write` it replaces the `bench:board` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, today, write_section
from bench_web import scratch_postgres, timed

DEMO = Path(__file__).resolve().parent.parent / "scenarios" / "dhi-qar-2010"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--postgres", metavar="URL", help="e.g. postgres://postgres@127.0.0.1/postgres"
    )
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()

    os.environ["POLLGUARD_DATA_DIR"] = tempfile.mkdtemp(prefix="pollguard-bench-board-")
    os.environ.setdefault("POLLGUARD_SECRET_KEY", "benchmark-only-" + uuid.uuid4().hex)
    os.environ.pop("DATABASE_URL", None)
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if args.postgres:
        os.environ["DATABASE_URL"], drop = scratch_postgres(args.postgres)
    try:
        return run(args, "PostgreSQL" if args.postgres else "SQLite")
    finally:
        drop()


def _fill(election: Any) -> int:
    """Check-ins at one station in three: the opening slot, some late, some in conflict."""
    from datetime import timedelta

    from pollguard.fieldreports.actions import CheckinReport, do_record_checkin
    from pollguard.fieldreports.choices import Channel
    from pollguard.fieldreports.models import ExpectedCheckin

    made = 0
    openings = ExpectedCheckin.objects.filter(station__election=election, slot="opening")
    for n, expected in enumerate(openings.select_related("station").order_by("id")):
        if n % 3:
            continue
        late = timedelta(minutes=40 if n % 2 else 0)
        report = CheckinReport(uuid.uuid4(), "opening", "open", None, expected.due_at + late)
        do_record_checkin(
            expected.station, report, channel=Channel.API, reporter_key="bench",
            acting_user=None, now=expected.due_at + timedelta(hours=1),
        )  # fmt: skip
        made += 1
    return made


def run(args: argparse.Namespace, database: str) -> int:
    from pollguard.web.bootstrap import setup

    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pollguard.accounts.actions import do_provision_user
    from pollguard.accounts.choices import Role
    from pollguard.core.package import read_package
    from pollguard.fieldreports.actions import do_generate_expected_checkins
    from pollguard.fieldreports.models import ExpectedCheckin
    from pollguard.registry.loader import do_load_package
    from pollguard.registry.models import Election, Station

    do_load_package(read_package(DEMO), acting_user=None, actor_name="bench")
    election = Election.objects.get()
    do_generate_expected_checkins(election, acting_user=None)
    filled = _fill(election)
    stations, slots = Station.objects.count(), ExpectedCheckin.objects.count()
    print(f"{database}: {stations} stations, {slots} expected slots, {filled} check-ins")

    chair = do_provision_user("bench-chair", password=None, role=Role.CHAIR, acting_user=None)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(chair)

    def get(url: str) -> tuple[float, float, int]:
        with CaptureQueriesContext(connection) as queries:
            cpu = time.process_time()
            seconds, response = timed(lambda: client.get(url))
            cpu = time.process_time() - cpu
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        return seconds, cpu, len(queries)

    rows: list[str] = []
    for url in ["/api/v1/board?limit=5", "/api/v1/board?limit=500", "/board/"]:
        cold, _, n_queries = get(url)
        warms = [get(url) for _ in range(args.repeat)]
        wall, cpus = [w[0] for w in warms], [w[1] for w in warms]
        rows.append(
            f"| `GET {url}` | {cold * 1000:.0f} | {statistics.median(wall) * 1000:.0f} | "
            f"{max(wall) * 1000:.0f} | {statistics.median(cpus) * 1000:.0f} | {n_queries} |"
        )
        print(rows[-1])

    load = os.getloadavg()
    body = "\n".join(
        [
            f"Command: `.venv/bin/python benchmarks/bench_board.py --repeat {args.repeat}"
            f"{' --postgres URL' if database == 'PostgreSQL' else ''} --write`  ",
            f"Machine: {machine()}  ",
            f"Date: {today()}; database: {database}; load average at the end "
            f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}",
            "",
            f"Demo package: {stations:,} stations, {slots:,} expected slots, {filled:,} "
            "check-ins (one station in three reported its opening, half of them late). "
            f"Signed in as the chair (every station). Warm: median and worst of {args.repeat}.",
            "",
            "| Request | cold ms | warm median ms | warm worst ms | warm median CPU ms "
            "| SQL queries |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )
    if args.write:
        write_section("board", body)
    else:
        print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
