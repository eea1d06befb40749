"""Benchmark: one dispatch suggestion on a Dhi Qar sized instance (bar: <= 50 ms).

    .venv/bin/python benchmarks/bench_dispatch.py [--queries 1000] [--seed 1] [--write]

Builds the provincial instance of bench_sweeps.py (~500 centers, ~1,000 units), a
cordon plan for it (the greedy cordon plan of `pollguard.core.planning.cordon` when it
is importable, else a nearest-center fill written here) and the needs of every center
and role, then times `DispatchIndex.suggest` over random incidents: a random point in
the province, a random capability (unit kind or policy role), about 10 % of the units
busy (left out through `available`), the best 5. Reports p50/p99/max per query, the
one-off index build, and the cost of the one-shot `suggest_units` (index included).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime

from bench_sweeps import instance, load, machine, risks_of, write_section
from pollguard.core.geo import haversine_km
from pollguard.core.model import ElectionPackage, UnitKind
from pollguard.core.planning.dispatch import AssignmentLike, DispatchIndex, suggest_units


class _Row:
    """A plan assignment (same fields as pollguard.core.planning.plan.Assignment)."""

    def __init__(self, unit: str, center: str, role: str, headcount: int) -> None:
        self.unit, self.center, self.role, self.headcount = unit, center, role, headcount


def plan_for(
    pkg: ElectionPackage, risks: dict[str, float]
) -> tuple[list[AssignmentLike], dict[str, dict[str, int]], str]:
    """(assignments, needs center -> role -> people, where the plan came from)."""
    from pollguard.core.planning.requirements import requirements

    needs: dict[str, dict[str, int]] = defaultdict(dict)
    for req in requirements(pkg, risks):
        needs[req.center][req.role] = req.need
    try:
        from pollguard.core.planning.cordon import build_instance, greedy

        return list(greedy(build_instance(pkg, risks)).assignments), needs, "cordon greedy"
    except Exception as exc:  # any failure of the other module: fall back
        print(f"cordon greedy unavailable ({exc!r}); using a nearest-center fill")
    rows: list[AssignmentLike] = []
    left = {(c, r): n for c, roles in needs.items() for r, n in roles.items()}
    where = {c.code: c for c in pkg.centers}
    for unit in pkg.units:
        if unit.kind in (UnitKind.EOD, UnitKind.K9):
            continue
        spots = [
            (c, r)
            for (c, r), n in left.items()
            if n > 0
            and unit.kind in pkg.policy.roles[r].kinds
            and (unit.sector is None or where[c].sector == unit.sector)
        ]
        if not spots:
            continue
        c, r = min(
            spots, key=lambda k: haversine_km(unit.lat, unit.lon, where[k[0]].lat, where[k[0]].lon)
        )
        rows.append(_Row(unit.code, c, r, unit.headcount))
        left[c, r] -= unit.headcount
    return rows, needs, "nearest-center fill"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)

    pkg, source_pkg = instance(args.seed)
    risks = risks_of(pkg)
    assignments, needs, source = plan_for(pkg, risks)
    rng = random.Random(args.seed)
    lats = [c.lat for c in pkg.centers]
    lons = [c.lon for c in pkg.centers]
    capabilities: list[UnitKind | str] = [
        UnitKind.POLICE,
        UnitKind.ARMY,
        UnitKind.EOD,
        UnitKind.CIVIL_DEFENSE,
        "inner_cordon",
        "outer_cordon",
    ]
    codes = [u.code for u in pkg.units]
    queries = [
        (
            rng.uniform(min(lats), max(lats)),
            rng.uniform(min(lons), max(lons)),
            rng.choice(capabilities),
            set(codes) - set(rng.sample(codes, len(codes) // 10)),
        )
        for _ in range(args.queries)
    ]

    t0 = time.perf_counter()
    index = DispatchIndex(pkg, assignments, needs)
    build_ms = (time.perf_counter() - t0) * 1000
    gaps = sum(1 for g in index.gaps if g)
    times = []
    empty = 0
    for lat, lon, capability, available in queries:
        t0 = time.perf_counter()
        ranked = index.suggest(lat, lon, capability, available=available, limit=5)
        times.append((time.perf_counter() - t0) * 1000)
        empty += not ranked
    times.sort()
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, round(0.99 * len(times)) - 1)]
    one_shot = []
    for lat, lon, capability, available in queries[:50]:
        t0 = time.perf_counter()
        suggest_units(pkg, assignments, lat, lon, capability, available=available, needs=needs)
        one_shot.append((time.perf_counter() - t0) * 1000)
    one_p50 = statistics.median(one_shot)
    print(
        f"{len(pkg.centers)} centers, {len(pkg.units)} units, {len(assignments)} assignments "
        f"({source}), {gaps} units whose every team is needed"
    )
    print(f"index build {build_ms:.1f} ms")
    print(
        f"DispatchIndex.suggest over {len(times)} incidents: p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
        f"max {times[-1]:.2f} ms ({empty} with no candidate)"
    )
    print(f"suggest_units one-shot (index built per call), 50 incidents: p50 {one_p50:.1f} ms")

    if args.write:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        verdict = "met" if p99 <= 50 else "missed"
        body = "\n".join(
            [
                f"Command: `.venv/bin/python benchmarks/bench_dispatch.py --queries "
                f"{args.queries} --seed {args.seed} --write`  ",
                f"Machine: {machine()}  ",
                f"Date: {now}; load before the run: `{load()}`",
                "",
                f"Instance: {source_pkg} ({len(pkg.centers)} centers, {len(pkg.units)} units),"
                f" risk from `pollguard.core.risk.scores`, {len(assignments)} plan assignments "
                f"({source}), needs from `requirements()`; {gaps} units have every team "
                "needed. Each incident: a random point in the province, a random capability "
                "(kind or role), 10 % of units busy, the best 5.",
                "",
                "| Measure | Value |",
                "|---|---|",
                f"| `DispatchIndex.suggest`, p50 over {len(times)} incidents | {p50:.2f} ms |",
                f"| `DispatchIndex.suggest`, p99 | {p99:.2f} ms |",
                f"| `DispatchIndex.suggest`, max | {times[-1]:.2f} ms |",
                f"| `DispatchIndex` build (once per plan) | {build_ms:.1f} ms |",
                f"| `suggest_units` one-shot (builds the index), p50 of 50 | {one_p50:.1f} ms |",
                "",
                f"Bar: ≤ 50 ms per suggestion; {verdict} at p99 with a prebuilt index.",
                "",
            ]
        )
        write_section("dispatch", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
