"""Benchmark: the dashboard with 10,000 centers (design.md section 7).

    .venv/bin/python benchmarks/bench_web.py [--seed 1] [--repeat 5] [--postgres URL] [--write]

Loads the national synthetic package (`pollguard.core.synthetic.scaled.national`: 10,008
centers, 20,000 units) into a fresh database (SQLite in a temporary folder, or a scratch
PostgreSQL database created and dropped on the server given by `--postgres`), logs in as
the committee chair (who sees everything, so the pages are as large as they get), and
times through Django's test client (no network, so the figures are the server's work):

- the first view: the overview page, the map page and the map's centers JSON, cold
  (the first request after start) and warm (median of `--repeat`);
- the list pages and API list endpoints, with the number of SQL queries each makes,
  once for a small page and once for a large one (the count must not grow).

With `--write` it replaces the `bench:web` section of docs/benchmarks.md.
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


def scratch_postgres(url: str) -> tuple[str, Callable[[], None]]:
    """A fresh database on the server at `url`, and a function that drops it."""
    import psycopg

    name = f"pollguard_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = url.rpartition("/")

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--postgres", metavar="URL", help="e.g. postgres://postgres@127.0.0.1/postgres"
    )
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="pollguard-bench-web-")
    os.environ["POLLGUARD_DATA_DIR"] = data_dir
    os.environ.setdefault("POLLGUARD_SECRET_KEY", "benchmark-only-" + uuid.uuid4().hex)
    os.environ.pop("DATABASE_URL", None)
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if args.postgres:
        os.environ["DATABASE_URL"], drop = scratch_postgres(args.postgres)
    database = "PostgreSQL" if args.postgres else "SQLite"

    try:
        return run(args, database)
    finally:
        drop()


def run(args: argparse.Namespace, database: str) -> int:
    from pollguard.core.synthetic import scaled
    from pollguard.web.bootstrap import setup

    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pollguard.accounts.actions import do_provision_user
    from pollguard.accounts.choices import Role
    from pollguard.registry.loader import do_load_package
    from pollguard.registry.models import Center, Unit

    build_s, package = timed(lambda: scaled.national(args.seed))
    load_s, _ = timed(lambda: do_load_package(package, acting_user=None, actor_name="bench"))
    reload_s, _ = timed(lambda: do_load_package(package, acting_user=None, actor_name="bench"))
    centers, units = Center.objects.count(), Unit.objects.count()
    print(
        f"{database}: built in {build_s:.1f} s, loaded {centers} centers and {units} units "
        f"in {load_s:.1f} s (re-load with no change {reload_s:.1f} s)"
    )

    chair = do_provision_user("bench-chair", password=None, role=Role.CHAIR, acting_user=None)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(chair)

    def get(url: str) -> tuple[float, int, int]:
        with CaptureQueriesContext(connection) as queries:
            seconds, response = timed(lambda: client.get(url))
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        return seconds, len(queries), len(response.content)

    first_view = ["/", "/map/", "/map/centers.json"]
    rows: list[str] = []
    cold_total = warm_total = 0.0
    for url in first_view:
        cold, n_queries, size = get(url)
        warm = statistics.median(get(url)[0] for _ in range(args.repeat))
        cold_total += cold
        warm_total += warm
        rows.append(
            f"| `GET {url}` | {cold * 1000:.0f} | {warm * 1000:.0f} | {n_queries} | "
            f"{size / 1024:.0f} KiB |"
        )
        print(rows[-1])

    lists = [
        ("/centers/?page=1", "/centers/?page=40"),
        ("/units/", "/units/?page=40"),
        ("/api/v1/centers?limit=5", "/api/v1/centers?limit=500"),
        ("/api/v1/units?limit=5", "/api/v1/units?limit=500"),
        ("/api/v1/stations?limit=5", "/api/v1/stations?limit=500"),
    ]
    list_rows: list[str] = []
    fixed = True
    for small, large in lists:
        s_time, s_queries, _ = get(small)
        l_time, l_queries, _ = get(large)
        fixed &= s_queries == l_queries
        list_rows.append(
            f"| `{small}` / `{large}` | {s_queries} / {l_queries} | "
            f"{s_time * 1000:.0f} / {l_time * 1000:.0f} |"
        )
        print(list_rows[-1])

    verdict = "met" if cold_total <= 2.0 and fixed else "NOT met"
    body = "\n".join(
        [
            f"Command: `.venv/bin/python benchmarks/bench_web.py --seed {args.seed} --repeat "
            f"{args.repeat}{' --postgres URL' if database == 'PostgreSQL' else ''} --write`  ",
            f"Machine: {machine()}  ",
            f"Date: {today()}; database: {database}",
            "",
            f"National synthetic package: {centers:,} centers, {units:,} units; load "
            f"{load_s:.1f} s in one transaction, re-load with no change {reload_s:.1f} s.",
            "",
            "First view as the committee chair (sees every center), through Django's test client:",
            "",
            "| Request | cold ms | warm ms (median) | SQL queries | size |",
            "|---|---|---|---|---|",
            *rows,
            f"| **first view (overview + map + map data)** | **{cold_total * 1000:.0f}** | "
            f"**{warm_total * 1000:.0f}** | | |",
            "",
            "List pages and API lists: queries for a small and a large page (must be equal):",
            "",
            "| Small / large page | SQL queries | ms |",
            "|---|---|---|",
            *list_rows,
            "",
            f"Bar (first view ≤ 2 s, fixed number of queries): **{verdict}**.",
        ]
    )
    print(body)
    if args.write:
        write_section(f"web-{database.lower()}", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
