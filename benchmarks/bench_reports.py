"""Benchmark: the demo's after-action report as an Arabic PDF, made by its job (bar: ≤ 30 s).

    .venv/bin/python benchmarks/bench_reports.py [--incidents 300] [--repeat 3] [--write]

Loads the Dhi Qar demo into a SQLite database in a temporary folder, plans and approves
it (as bench_orders.py), loads the 2009 comparison (as `pollguard demo` does) and plays a
synthetic election day through the actions: `--incidents` incidents between 07:00 and
17:00 on 7 March 2010 (seeded; most verified, half answered by a unit on scene) and the
opening of the general centers. Then, `--repeat` times, asks for the after-action report
as an Arabic PDF (`do_request_export`, what `POST /api/v1/reports` calls) and runs the
job with the jobs runner (`jobs.runner.run`, what a Celery worker calls for the message),
timing from the request to the stored file. The broker's hop (at most a second's poll on
the embedded transport) is not in the figure. With `--write` it replaces the
`bench:reports` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, today, write_section
from bench_orders import approved_demo_plan, setup

BAGHDAD = timezone(timedelta(hours=3))
OPENS = datetime(2010, 3, 7, 7, 0, tzinfo=BAGHDAD)


def election_day(incidents: int, seed: int) -> None:
    """The synthetic day (module docstring), through the actions."""
    from pollguard.accounts.choices import Role
    from pollguard.accounts.models import Profile
    from pollguard.operations.actions import (
        IncidentDraft,
        do_dispatch_unit,
        do_file_incident,
        do_set_unit_status,
        do_transition_incident,
    )
    from pollguard.operations.choices import IncidentKind, IncidentState, UnitStatus
    from pollguard.operations.models import UnitState
    from pollguard.registry.actions import do_set_center_status
    from pollguard.registry.choices import CenterKind, CenterStatus
    from pollguard.registry.models import Center, CenterStatusChange, Election, Unit
    from pollguard.reports.actions import do_load_bundled_comparison

    rng = random.Random(seed)
    election = Election.objects.get()
    ops = Profile.objects.get(role=Role.OPERATIONS).user
    do_load_bundled_comparison(election, acting_user=None)
    centers = list(Center.objects.filter(election=election, kind=CenterKind.GENERAL))
    for center in centers:
        roll = rng.random()
        status = CenterStatus.DISRUPTED if roll < 0.01 else CenterStatus.OPEN
        do_set_center_status(center, status, acting_user=ops, expected_version=center.version)
        at = OPENS + timedelta(minutes=rng.choice([-10, -5, 0, 5, 10, 20, 40, 75]))
        CenterStatusChange.objects.filter(center=center).update(changed_at=at)
    units = {}
    for unit in Unit.objects.filter(election=election, kind="police").select_related("sector"):
        units.setdefault(unit.sector_id, []).append(unit)
    kinds = list(IncidentKind)
    for _ in range(incidents):
        center = rng.choice(centers)
        at = OPENS + timedelta(minutes=rng.randrange(0, 600))
        incident, _ = do_file_incident(
            election,
            IncidentDraft(
                kind=rng.choice(kinds),
                severity=rng.choice([1, 1, 2, 2, 3, 4]),
                text="بلاغ تجريبي",
                observed_at=at,
                center=center,
            ),
            acting_user=ops,
            now=at,
        )
        if rng.random() < 0.1:
            do_transition_incident(
                incident, IncidentState.REJECTED, acting_user=ops, reason="كاذب", now=at
            )
            continue
        incident = do_transition_incident(
            incident, IncidentState.VERIFIED, acting_user=ops, now=at + timedelta(minutes=2)
        )
        pool = units.get(center.sector_id) or []
        if pool and rng.random() < 0.5:
            unit = rng.choice(pool)
            sent = at + timedelta(minutes=rng.randrange(3, 10))
            do_dispatch_unit(incident, unit, acting_user=ops, override_reason="bench", now=sent)
            version = UnitState.objects.get(unit=unit).version
            do_set_unit_status(
                unit,
                UnitStatus.ON_SCENE,
                acting_user=ops,
                expected_version=version,
                now=sent + timedelta(minutes=rng.randrange(4, 50)),
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pollguard-bench-reports-") as data_dir:
        setup(data_dir)
        from pollguard.accounts.choices import Role
        from pollguard.accounts.models import Profile
        from pollguard.jobs.models import Job
        from pollguard.jobs.runner import run
        from pollguard.registry.models import Election
        from pollguard.reports.actions import do_request_export
        from pollguard.reports.choices import ExportFormat, ExportSubject

        started = time.monotonic()
        approved_demo_plan(args.time_limit)
        election_day(args.incidents, seed=1)
        print(f"demo loaded, planned and played in {time.monotonic() - started:.0f} s", flush=True)
        election = Election.objects.get()
        chair = Profile.objects.get(role=Role.CHAIR).user
        load_before = os.getloadavg()
        times, pages, size = [], 0, 0
        for _ in range(args.repeat):
            begun = time.monotonic()
            job, _created = do_request_export(
                election, ExportSubject.AFTER_ACTION, ExportFormat.PDF, lang="ar",
                acting_user=chair,
            )  # fmt: skip
            run(job.pk)
            times.append(time.monotonic() - begun)
            done = Job.objects.get(pk=job.pk)
            assert done.state == "succeeded", done.message
            assert done.result is not None
            pages, size = done.result["pages"], done.result["bytes"]
            print(f"  {times[-1]:.2f} s, {pages} pages, {size} bytes", flush=True)
        load_after = os.getloadavg()
        body = "\n".join(
            [
                f"Command: `.venv/bin/python benchmarks/bench_reports.py --incidents "
                f"{args.incidents} --repeat {args.repeat}{' --write' if args.write else ''}`  ",
                f"Machine: {machine()}  ",
                f"Date: {today()}; load average before/after the timed runs "
                f"{load_before[0]:.2f} / {load_after[0]:.2f}",
                "",
                f"The demo (500 general centers) with an approved plan, the 2009 comparison and "
                f"{args.incidents} synthetic incidents; the after-action report as an Arabic PDF "
                f"({pages} pages, {size / 1024:.0f} KiB, three charts), from the request to the "
                "stored file through the jobs runner (the broker hop not included).",
                "",
                "| Runs | Median | Worst | Bar |",
                "|---|---|---|---|",
                f"| {len(times)} | {statistics.median(times):.2f} s | {max(times):.2f} s "
                f"| ≤ 30 s: {'met' if max(times) <= 30 else 'not met'} |",
            ]
        )
        print(body)
        if args.write:
            write_section("reports", body)


if __name__ == "__main__":
    main()
