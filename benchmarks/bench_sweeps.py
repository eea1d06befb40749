"""Benchmark: EOD/K9 sweep routing on a provincial instance, PyVRP vs OR-Tools vs greedy.

    .venv/bin/python benchmarks/bench_sweeps.py [--time-limit 10] [--seed 1] [--write]

The instance is Dhi Qar sized (~500 centers, ~40 EOD/K9 teams pooled as governorate
reserves): `pollguard.core.synthetic.scaled.provincial(seed)`, the generator the planning
benchmark uses, or when that module is absent `provincial_package(seed)` below (500
centers around the six district towns, 16 EOD and 4 K9 units of two teams). It is
solved twice: teams pooled, then each bound to the sector of its nearest center. For
each solver the script prints the weighted coverage, the risk weight left unswept, the
road kilometres and the seconds, checks every plan with `check_sweeps`, and with
`--write` replaces the `bench:sweeps` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from _report import machine, write_section
from pollguard.core.geo import haversine_km
from pollguard.core.model import (
    PACKAGE_FORMAT_VERSION,
    Agency,
    Center,
    CenterKind,
    Election,
    ElectionPackage,
    Policy,
    RolePolicy,
    Sector,
    SweepPolicy,
    Unit,
    UnitKind,
)
from pollguard.core.planning.sweeps import SweepResult, check_sweeps, needs_sweep, plan_sweeps

ROOT = Path(__file__).resolve().parent.parent
BAGHDAD = timezone(timedelta(hours=3))

# District towns of Dhi Qar (approximate), the share of centers and the spread in degrees.
TOWNS = {
    "BALDA": ("Nasiriyah city", 31.05, 46.26, 0.26, 0.05),
    "QADA": ("Nasiriyah district", 31.00, 46.15, 0.14, 0.18),
    "SHATRA": ("al-Shatra", 31.41, 46.17, 0.17, 0.15),
    "RIFAI": ("al-Rifai", 31.72, 46.11, 0.15, 0.15),
    "SUQ": ("Suq al-Shuyukh", 30.88, 46.47, 0.18, 0.15),
    "CHIB": ("al-Chibayish", 30.95, 47.03, 0.10, 0.12),
}


def provincial_package(
    seed: int = 1,
    *,
    n_centers: int = 500,
    n_units: int = 1000,
    eod_units: int = 16,
    k9_units: int = 4,
    teams_per_sweep_unit: int = 2,
    pooled: bool = True,
) -> ElectionPackage:
    """A Dhi Qar sized package: centers, cordon units and pooled (or sector) sweep units."""
    rng = random.Random(seed)
    sectors = tuple(Sector(code, name, name) for code, (name, *_rest) in TOWNS.items())
    codes = list(TOWNS)
    shares = [TOWNS[c][3] for c in codes]
    centers = []
    for i in range(n_centers):
        sec = rng.choices(codes, shares)[0]
        _, lat, lon, _, spread = TOWNS[sec]
        stations = rng.randint(1, 9)  # ~5 per center: ~2,600 stations in Dhi Qar
        risk = round(min(1.0, rng.betavariate(2, 4) + (0.25 if rng.random() < 0.1 else 0.0)), 3)
        centers.append(
            Center(
                f"C-{i + 1:04d}",
                f"Center {i + 1}",
                f"مركز {i + 1}",
                sec,
                round(lat + rng.gauss(0, spread), 5),
                round(lon + rng.gauss(0, spread), 5),
                stations,
                stations * rng.randint(350, 550),
                risk=risk,
            )
        )
    units: list[Unit] = []
    cordon_kinds = (
        [UnitKind.POLICE] * 6
        + [UnitKind.ARMY] * 2
        + [
            UnitKind.TRAFFIC,
            UnitKind.CIVIL_DEFENSE,
        ]
    )
    for i in range(n_units):
        sec = rng.choices(codes, shares)[0]
        _, lat, lon, _, spread = TOWNS[sec]
        kind = rng.choice(cordon_kinds)
        units.append(
            Unit(
                f"U-{i + 1:04d}",
                "IP" if kind != UnitKind.ARMY else "ARMY",
                kind,
                rng.choice((8, 12, 16, 24)),
                None if rng.random() < 0.08 else sec,
                round(lat + rng.gauss(0, spread / 2), 5),
                round(lon + rng.gauss(0, spread / 2), 5),
                team_size=rng.choice((None, 4, 8)),
            )
        )
    for i in range(eod_units + k9_units):
        kind = UnitKind.EOD if i < eod_units else UnitKind.K9
        sec = codes[i % len(codes)]
        _, lat, lon, _, _ = TOWNS[sec]
        units.append(
            Unit(
                f"{'EOD' if kind == UnitKind.EOD else 'K9'}-{i + 1:02d}",
                "IP",
                kind,
                4 * teams_per_sweep_unit,
                None if pooled else sec,
                round(lat + rng.uniform(-0.02, 0.02), 5),
                round(lon + rng.uniform(-0.02, 0.02), 5),
                team_size=4,
            )
        )
    start = datetime(2010, 3, 6, 6, 0, tzinfo=BAGHDAD)
    policy = Policy(
        roles={
            "inner_cordon": RolePolicy(frozenset({UnitKind.POLICE}), 4, 2, 0.5, 3),
            "outer_cordon": RolePolicy(frozenset({UnitKind.ARMY, UnitKind.POLICE}), 8, 0, 1.0, 2),
            "traffic": RolePolicy(frozenset({UnitKind.TRAFFIC}), 2, weight=1, min_voters=3000),
            "civil_defense": RolePolicy(
                frozenset({UnitKind.CIVIL_DEFENSE}), 3, weight=1, min_stations=8
            ),
        },
        sweep=SweepPolicy(window_start=start, window_end=start + timedelta(hours=12)),
    )
    election = Election(
        "bench-dq",
        "Benchmark Dhi Qar",
        "ذي قار",
        "DQ",
        "Dhi Qar",
        "ذي قار",
        "Asia/Baghdad",
        date(2010, 3, 4),
        date(2010, 3, 7),
        time(7),
        time(17),
    )
    return ElectionPackage(
        version=PACKAGE_FORMAT_VERSION,
        election=election,
        policy=policy,
        agencies=(Agency("IP", "Police", "الشرطة"), Agency("ARMY", "Army", "الجيش")),
        sectors=sectors,
        centers=tuple(centers),
        units=tuple(units),
    )


def load() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


def unswept_risk(pkg: ElectionPackage, risks: dict[str, float], result: SweepResult) -> float:
    """Share of the required risk weight (1 + risk_weight x risk) left unswept."""
    weight = {c.code: 1.0 + pkg.policy.risk_weight * risks.get(c.code, 0.0) for c in pkg.centers}
    done = sum(weight[s.center] for r in result.routes for s in r.stops)
    missing = sum(weight[s.center] for s in result.unswept)
    return missing / max(done + missing, 1e-9)


def bind_to_sectors(pkg: ElectionPackage) -> ElectionPackage:
    """The same sweep units held to sectors, as sector commanders would hold them.

    Each kind's units are shared out over the sectors in proportion to their general
    centers (largest remainder), and each unit is based at the center of its sector
    nearest to the sector's mean position.
    """
    general = [c for c in pkg.centers if c.kind == CenterKind.GENERAL]
    by_sector: dict[str, list[Center]] = {}
    for c in general:
        by_sector.setdefault(c.sector, []).append(c)
    hubs = {}
    for code, members in by_sector.items():
        lat = sum(c.lat for c in members) / len(members)
        lon = sum(c.lon for c in members) / len(members)
        hubs[code] = min(members, key=lambda c: haversine_km(lat, lon, c.lat, c.lon))
    order = sorted(by_sector)
    units = list(pkg.units)
    for kind in (UnitKind.EOD, UnitKind.K9):
        idx = [i for i, u in enumerate(units) if u.kind == kind]
        quota = {s: len(idx) * len(by_sector[s]) / len(general) for s in order}
        seats = {s: int(q) for s, q in quota.items()}
        rest = sorted(order, key=lambda s: (-(quota[s] - seats[s]), s))
        for s in rest[: len(idx) - sum(seats.values())]:
            seats[s] += 1
        sectors = [s for s in order for _ in range(seats[s])]
        for i, sec in zip(idx, sectors, strict=True):
            hub = hubs[sec]
            units[i] = replace(units[i], sector=sec, lat=hub.lat, lon=hub.lon)
    return replace(pkg, units=tuple(units))


def instance(seed: int) -> tuple[ElectionPackage, str]:
    """The provincial package: the shared generator when present, else this script's."""
    try:
        from pollguard.core.synthetic.scaled import provincial
    except ImportError:
        return provincial_package(seed), f"`provincial_package({seed})` in bench_sweeps.py"
    return provincial(seed), f"`pollguard.core.synthetic.scaled.provincial({seed})`"


def risks_of(pkg: ElectionPackage) -> dict[str, float]:
    """Risk scores as the planner computes them (the model, with package overrides)."""
    from pollguard.core.risk import scores

    return scores(pkg)


class Row(NamedTuple):
    solver: str
    coverage: float
    unswept_weight: float
    unswept_eod: int
    unswept_k9: int
    travel_km: float
    seconds: float
    note: str


def run(pkg: ElectionPackage, risks: dict[str, float], time_limit: float, seed: int) -> list[Row]:
    """Solve with each solver, check each plan, print and return one row per solver."""
    rows: list[Row] = []
    for solver in ("greedy", "ortools", "pyvrp"):
        result = plan_sweeps(pkg, risks, time_limit=time_limit, seed=seed, solver=solver)
        problems = check_sweeps(pkg, risks, result.routes)
        if problems:
            print("\n".join(problems[:10]), file=sys.stderr)
            raise SystemExit(f"{solver}: the checker found {len(problems)} problems")
        eod = sum(1 for s in result.unswept if s.kind == UnitKind.EOD)
        k9 = sum(1 for s in result.unswept if s.kind == UnitKind.K9)
        row = Row(
            solver,
            result.coverage,
            unswept_risk(pkg, risks, result),
            eod,
            k9,
            result.travel_km,
            result.seconds,
            result.solver,
        )
        rows.append(row)
        print(
            f"  {solver:8} coverage {result.coverage:.3f}  "
            f"unswept weight {row.unswept_weight:.1%}  "
            f"unswept EOD {eod} K9 {k9}  {result.travel_km:.0f} km  {result.seconds:.1f} s  "
            f"({result.solver})",
            flush=True,
        )
    return rows


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| Solver | Weighted coverage | Risk weight unswept | Unswept EOD | Unswept K9 "
        "| Travel km | Seconds | Solver note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for solver, cov, uns, eod, k9, km, sec, note in rows:
        lines.append(
            f"| {solver} | {cov:.3f} | {uns:.1%} | {eod} | {k9} | {km:,.0f} | {sec:.1f} | {note} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)

    before = load()
    shared, source = instance(args.seed)
    stress = provincial_package(args.seed)
    cases = [
        ("A", shared, source),
        ("B", stress, f"`provincial_package({args.seed})` in bench_sweeps.py"),
    ]
    sections: list[str] = []
    for label, base, origin in cases:
        risks = risks_of(base)
        sweep = base.policy.sweep
        hours = (sweep.window_end - sweep.window_start).total_seconds() / 3600
        general = sum(1 for c in base.centers if c.kind == CenterKind.GENERAL)
        stations = sum(c.stations for c in base.centers if c.kind == CenterKind.GENERAL)
        k9_needed = sum(
            1 for c in base.centers if needs_sweep(base, c, UnitKind.K9, risks.get(c.code, 0.0))
        )
        eod = sum(u.team_count for u in base.units if u.kind == UnitKind.EOD)
        k9 = sum(u.team_count for u in base.units if u.kind == UnitKind.K9)
        sections += [
            f"**Instance {label}**: {origin}: {general} general centers with {stations} "
            f"stations, {k9_needed} of them at risk >= {sweep.k9_min_risk:g} (K9); {eod} EOD "
            f"and {k9} K9 teams; a {hours:g} h window, road factor {sweep.road_factor:g}, "
            f"{sweep.minutes_base:g} min + {sweep.minutes_per_station:g} min per station.",
            "",
        ]
        for pooled in (True, False):
            pkg = base if pooled else bind_to_sectors(base)
            how = "pooled (governorate reserves)" if pooled else "bound to sectors"
            print(f"instance {label}, teams {how}; time limit {args.time_limit:g} s")
            rows = run(pkg, risks, args.time_limit, args.seed)
            sections += [f"Teams {how}:", "", *table(rows), ""]

    if args.write:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            f"Command: `.venv/bin/python benchmarks/bench_sweeps.py --time-limit "
            f"{args.time_limit:g} --seed {args.seed} --write`  ",
            f"Machine: {machine()}  ",
            f"Date: {now}; load before the run: `{before}`",
            "",
            "Risk from `pollguard.core.risk.scores`; weight = 1 + risk_weight x risk; coverage "
            "= weight swept / weight required (EOD and K9 together). Each solver gets the "
            "whole time limit for both kinds; every plan passed `check_sweeps`. Bound to "
            "sectors = the same units shared out over the sectors in proportion to their "
            "centers, each based at its sector's most central center. "
            "Instance A is the shared provincial generator (short sweeps, few K9 centers); "
            "instance B uses the policy's default sweep times (20 min + 5 per station) and "
            "more high-risk centers, so that the teams cannot sweep everything.",
            "",
            *sections,
        ]
        write_section("sweeps", "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
