"""Benchmark: `pollguard plan` on the planning family, against each instance's proven optimum.

    .venv/bin/python benchmarks/bench_plan_family.py [--runs 5] [--time-limit 10] [--write]
        [NAME ...]

For each instance of `plan_family.INSTANCES` (or the names given) that has a stored
benchmarks/instances/<name>/optimum.json (written by prove_family.py), the package is
built from its name, written to a temporary folder and planned `--runs` times end to end
with `pollguard plan --time-limit` in a subprocess (as deployed). The report gives the
plan's objective against the stored optimum (when it was proven) or against the best
known bound (when not), median and worst over the runs, and the load average around each
run. `--write` replaces the bench:plan-family section of docs/benchmarks.md. Every figure
written is one this run measured or one read from optimum.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import plan_family
from _report import machine, today, write_section
from pollguard.core.package import write_package

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "pollguard"]


def runs(name: str, count: int, limit: float) -> list[dict[str, Any]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / name
        write_package(plan_family.build(name), folder, comment=f"planning family {name}")
        for i in range(count):
            plan = Path(tmp) / f"plan-{i}.json"
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            proc = subprocess.run(
                [
                    *CLI,
                    "plan",
                    str(folder),
                    "--out",
                    str(plan),
                    "--time-limit",
                    f"{limit:g}",
                    "--quiet",
                    "--seed",
                    str(i),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.perf_counter() - t0
            if proc.returncode != 0:
                raise SystemExit(f"{name}: pollguard plan exited {proc.returncode}: {proc.stderr}")
            metrics = json.loads(plan.read_text(encoding="utf-8"))["metrics"]
            row = {
                "objective": float(metrics["objective"]),
                "bound": float(metrics["bound"]),
                "greedy": float(metrics["greedy_objective"]),
                "seconds": seconds,
                "load": (load, os.getloadavg()[0]),
            }
            print(
                f"  {name} run {i + 1}: objective {row['objective']:.2f}, bound "
                f"{row['bound']:.2f}, {seconds:.1f} s, load {load:.1f}/{row['load'][1]:.1f}",
                flush=True,
            )
            out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    host, when = machine(), today()
    table = []
    for name in args.names or plan_family.INSTANCES:
        stored = HERE / "instances" / name / "optimum.json"
        if not stored.exists():
            print(f"{name}: no optimum.json, skipped (run prove_family.py)")
            continue
        opt = json.loads(stored.read_text(encoding="utf-8"))
        rows = runs(name, args.runs, args.time_limit)
        ref = opt["objective"] if opt["proven"] else opt["bound"]

        def above(value: float, ref: float = ref) -> float:
            return (value - ref) / max(ref, 1.0)

        objs = [r["objective"] for r in rows]
        table.append(
            {
                "name": name,
                "opt": opt,
                "median": statistics.median(objs),
                "worst": max(objs),
                "median_above": above(statistics.median(objs)),
                "worst_above": above(max(objs)),
                "bound": max(r["bound"] for r in rows),
                "greedy": rows[0]["greedy"],
                "seconds": max(r["seconds"] for r in rows),
                "load": (min(r["load"][0] for r in rows), max(r["load"][1] for r in rows)),
                "runs": len(rows),
            }
        )
        t = table[-1]
        print(
            f"{name}: reference {ref:.2f} ({'optimum' if opt['proven'] else 'best bound'}), "
            f"median {t['median']:.2f} (+{t['median_above']:.2%}), worst {t['worst']:.2f} "
            f"(+{t['worst_above']:.2%})",
            flush=True,
        )
    if not args.write:
        return 0
    lines = [
        f"Measured {when} on {host}. The machine was shared with other engineers' test runs "
        "(load averages below; it has 2 cores).",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_plan_family.py --runs {args.runs} "
        f"--time-limit {args.time_limit:g} --write` (each run is `pollguard plan` in a "
        "subprocess, sweep router included; instances from `benchmarks/plan_family.py`, "
        "references from `benchmarks/instances/<name>/optimum.json`).",
        "",
        "| Instance | Classes | Reference | Reference is | Median plan (above) | Worst plan "
        "(above) | Best plan bound | Greedy | Runs | Slowest run s | Load min/max |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for t in table:
        opt = t["opt"]
        how = (
            "compact MILP"
            if str(opt.get("solver", "")).startswith("highs-compact")
            else "planner + compact MILP"
        )
        kind = (
            f"proven optimum ({opt['seconds']:g} s {how})"
            if opt["proven"]
            else f"best bound of {opt['seconds']:g} s {how} (best plan "
            f"{opt['objective']:.2f}, gap {opt['gap']:.2%}): not proven"
        )
        ref = opt["objective"] if opt["proven"] else opt["bound"]
        lines.append(
            f"| {t['name']} | {opt['classes']} | {ref:.2f} | {kind} | {t['median']:.2f} "
            f"({t['median_above']:+.2%}) | {t['worst']:.2f} ({t['worst_above']:+.2%}) | "
            f"{t['bound']:.2f} | {t['greedy']:.2f} | {t['runs']} | {t['seconds']:.1f} | "
            f"{t['load'][0]:.1f}/{t['load'][1]:.1f} |"
        )
    write_section("plan-family", "\n".join(lines) + "\n")
    print("docs/benchmarks.md updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
