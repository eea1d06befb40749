"""Prove the optimum of each planning-family instance once, by a long compact-MILP run.

    .venv/bin/python benchmarks/prove_family.py [--limit 300] [--method compact|planner]
        [NAME ...]

For each instance of `plan_family.INSTANCES` (or the names given) the cordon problem is
solved for up to `--limit` seconds, and the result is stored in
benchmarks/instances/<name>/optimum.json: objective, proven bound, status, solver,
seconds, the load average and when. Run it in the background; it is not a benchmark
(the figures are what the family report measures plans against).

`--method compact` (the default) runs the compact whole-team MILP alone (HiGHS,
`--solver highs-compact`, one worker, relative gap 1e-4). On the scarce instances with
reserves its bound stays far below the best plan (15-24 % in 150 s) and it hardly
improves its start, so `--method planner` runs the planner itself (`--solver highs`, in
this process) for half the limit, then the compact MILP warm-started from that plan
for the other half: the reference is the better plan and the larger of the two bounds
(both are valid lower bounds of the same problem).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import plan_family
from _report import machine, today
from pollguard.core.planning.cordon import build_instance, optimize
from pollguard.core.risk import scores

HERE = Path(__file__).resolve().parent / "instances"


def prove(name: str, limit: float, method: str = "compact") -> dict[str, object]:
    pkg = plan_family.build(name)
    inst = build_instance(pkg, scores(pkg))
    load = os.getloadavg()[0]
    started = time.perf_counter()
    if method == "planner":
        first = optimize(inst, time_limit=limit / 2, solver="highs", workers=0)
        second = optimize(
            inst, time_limit=limit / 2, solver="highs-compact", workers=1, start=first
        )
        objective = min(first.objective, second.objective)
        bound = max(first.bound, second.bound)
        status = second.status
        solver = (
            f"highs planner {limit / 2:g} s (objective {first.objective:.2f}, bound "
            f"{first.bound:.2f}), then highs-compact warm-started from its plan "
            f"{limit / 2:g} s (objective {second.objective:.2f}, bound {second.bound:.2f})"
        )
    else:
        result = optimize(inst, time_limit=limit, solver="highs-compact", workers=1)
        objective, bound, status = result.objective, result.bound, result.status
        solver = "highs-compact (HiGHS compact whole-team MILP, mip_rel_gap 1e-4)"
    seconds = time.perf_counter() - started
    gap = (objective - bound) / max(objective, 1.0)
    return {
        "instance": name,
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "proven": gap <= 1e-4,
        "status": status,
        "solver": solver,
        "time_limit": limit,
        "seconds": round(seconds, 1),
        "classes": len(inst.classes),
        "units": len(inst.units),
        "needs": len(inst.demands),
        "load_average_before_after": [round(load, 2), round(os.getloadavg()[0], 2)],
        "machine": machine(),
        "when": today(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--limit", type=float, default=300.0)
    parser.add_argument("--method", choices=("compact", "planner"), default="compact")
    args = parser.parse_args(argv)
    for name in args.names or plan_family.INSTANCES:
        row = prove(name, args.limit, args.method)
        out = HERE / name / "optimum.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(row, indent=2) + "\n", encoding="utf-8")
        print(
            f"{name}: objective {row['objective']:.3f}, bound {row['bound']:.3f}, "
            f"gap {row['gap']:.4%}, {row['seconds']} s, {row['classes']} classes",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
