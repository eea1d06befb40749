"""Prove the optimum of each planning-family instance once, by a long compact-MILP run.

    .venv/bin/python benchmarks/prove_family.py [--limit 300] [NAME ...]

For each instance of `plan_family.INSTANCES` (or the names given) the cordon problem is
solved with the compact whole-team MILP (HiGHS, `--solver highs-compact`, one worker,
relative gap 1e-4) for up to `--limit` seconds, and the result is stored in
benchmarks/instances/<name>/optimum.json: objective, proven bound, status, solver,
seconds, the load average and when. Run it in the background; it is not a benchmark
(the figures are what the family report measures plans against).
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


def prove(name: str, limit: float) -> dict[str, object]:
    pkg = plan_family.build(name)
    inst = build_instance(pkg, scores(pkg))
    load = os.getloadavg()[0]
    started = time.perf_counter()
    result = optimize(inst, time_limit=limit, solver="highs-compact", workers=1)
    seconds = time.perf_counter() - started
    gap = (result.objective - result.bound) / max(result.objective, 1.0)
    return {
        "instance": name,
        "objective": result.objective,
        "bound": result.bound,
        "gap": gap,
        "proven": gap <= 1e-4,
        "status": result.status,
        "solver": "highs-compact (HiGHS compact whole-team MILP, mip_rel_gap 1e-4)",
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
    args = parser.parse_args(argv)
    for name in args.names or plan_family.INSTANCES:
        row = prove(name, args.limit)
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
