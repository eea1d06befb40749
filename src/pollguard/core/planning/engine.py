"""The planning pipeline: risk -> requirements -> cordons -> sweeps -> metrics -> Plan.

Cordons and sweeps are independent problems, so with worker processes allowed they run
at the same time: the sweep router in one child process, the cordon components in the
others (at least one). Both get the same wall-clock budget, a share of `time_limit`
that leaves room for the set-up before and the assembly after. A sweep process that
overruns is stopped and the greedy sweep plan is used instead.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from pollguard.core.model import ElectionPackage
from pollguard.core.planning.cordon import (
    CordonResult,
    UnitSlot,
    build_instance,
    check_bound,
    greedy,
    optimize,
)
from pollguard.core.planning.plan import Metric, Plan, PlanStop, PlanSweep, SweepGap
from pollguard.core.planning.requirements import planned_centers
from pollguard.core.risk import scores

__all__ = ["PlanOptions", "make_plan", "summary_lines"]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class PlanOptions:
    """Knobs of `make_plan` (the CLI's options; docs/planning.md explains each)."""

    time_limit: float = 10.0
    seed: int = 0
    solver: str = "highs"  # cordon: highs (default) | highs-compact | cbc
    sweep_solver: str = "pyvrp"  # pyvrp | ortools | greedy
    workers: int | None = None  # None: one per CPU (at most 2 on the target); 0: in-process
    now: datetime | None = None  # risk ages are measured at this time


def _sweeps_module() -> Any:
    try:
        from pollguard.core.planning import sweeps
    except ImportError:  # pragma: no cover - sweeps.py ships with the planner
        return None
    return sweeps


def _sweep_child(
    conn: Connection,
    pkg: ElectionPackage,
    risks: Mapping[str, float],
    limit: float,
    seed: int,
    solver: str,
) -> None:
    sweeps = _sweeps_module()
    conn.send(sweeps.plan_sweeps(pkg, risks, time_limit=limit, seed=seed, solver=solver))
    conn.close()


def _plan_sweeps_in_process(
    pkg: ElectionPackage, risks: Mapping[str, float], limit: float, options: PlanOptions
) -> Any:
    sweeps = _sweeps_module()
    if sweeps is None:
        return None
    return sweeps.plan_sweeps(
        pkg, risks, time_limit=max(0.05, limit), seed=options.seed, solver=options.sweep_solver
    )


def make_plan(
    pkg: ElectionPackage,
    options: PlanOptions | None = None,
    *,
    progress: Progress = _quiet,
    risks: Mapping[str, float] | None = None,
    current: Mapping[UnitSlot, int] | None = None,
    keep_sweeps: Plan | None = None,
) -> Plan:
    """A checked-by-construction plan for the package (tests still run the checker).

    `risks` replaces the risk model (re-planning passes changed risks); `current`
    (teams per (unit index, demand index) of the instance) turns on move penalties;
    `keep_sweeps` reuses that plan's sweep routes instead of routing again.
    """
    options = options or PlanOptions()
    started = time.perf_counter()
    deadline = started + options.time_limit
    if risks is None:
        risks = scores(pkg, now=options.now)
        progress(f"risk: {len(risks)} centers scored ({time.perf_counter() - started:.1f}s)")
    risks = dict(risks)
    inst = build_instance(pkg, risks)
    need = sum(d.need for d in inst.demands)
    progress(
        f"requirements: {len(inst.centers)} general centers, {len(inst.demands)} needs, "
        f"{need} people; {len(inst.units)} cordon units"
    )
    base = greedy(inst)
    progress(f"greedy: weighted shortfall {base.objective:.1f} ({base.seconds:.1f}s)")

    sweeps = None if keep_sweeps is not None else _sweeps_module()
    workers = options.workers
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    budget = max(0.2, (deadline - time.perf_counter()) * 0.85 - 0.3)
    sweep_proc = None
    sweep_conn: Connection | None = None
    cordon_workers = workers
    if sweeps is not None and workers > 0 and options.sweep_solver != "greedy":
        # Fork before any solver thread exists in this process.
        ctx: Any = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        )
        sweep_conn, child = ctx.Pipe(duplex=False)
        sweep_proc = ctx.Process(
            target=_sweep_child,
            args=(child, pkg, risks, budget, options.seed, options.sweep_solver),
            daemon=True,
        )
        sweep_proc.start()
        child.close()
        cordon_workers = max(1, workers - 1)
        progress(f"sweeps: routing in a separate process ({options.sweep_solver}, {budget:.1f}s)")

    result: CordonResult = optimize(
        inst,
        time_limit=budget,
        solver=options.solver,
        seed=options.seed,
        workers=cordon_workers,
        start=base,
        current=current,
        progress=progress,
    )
    progress(
        f"cordon: weighted shortfall {result.objective:.1f}, bound {result.bound:.1f} "
        f"({result.status}, {result.seconds:.1f}s)"
    )

    sweep_result = None
    if sweep_proc is not None and sweep_conn is not None:
        wait_for = max(1.0, deadline - time.perf_counter()) + 0.1 * options.time_limit
        if sweep_conn.poll(wait_for):
            try:
                sweep_result = sweep_conn.recv()
            except EOFError:
                sweep_result = None
        if sweep_result is None:
            sweep_proc.terminate()
            progress("sweeps: router stopped at the time limit; using the greedy routes")
        sweep_proc.join(timeout=2)
        if sweep_proc.is_alive():
            sweep_proc.kill()
        sweep_conn.close()
    if sweeps is not None and sweep_result is None:
        if options.sweep_solver == "greedy" or sweep_proc is not None:
            sweep_result = sweeps.greedy_sweeps(pkg, risks)
        else:
            left = deadline - time.perf_counter()
            sweep_result = _plan_sweeps_in_process(pkg, risks, left * 0.9, options)
    greedy_sweep = sweeps.greedy_sweeps(pkg, risks) if sweeps is not None else None
    if sweep_result is not None:
        progress(
            f"sweeps: coverage {sweep_result.coverage:.1%}, {len(sweep_result.unswept)} "
            f"unswept ({sweep_result.solver})"
        )

    need_weight = sum(d.need * d.weight for d in inst.demands)
    deployed = sum(a.headcount for a in result.assignments)
    missing = sum(s.missing for s in result.shortfalls)
    objective = result.objective
    bound = check_bound(result.bound, objective, "plan")
    metrics: dict[str, Metric] = {
        "objective": objective,
        "bound": bound,
        "gap": (objective - bound) / max(objective, 1.0),
        "greedy_objective": base.objective,
        "flow_bound": result.flow_bound,
        "risk_weighted_coverage": 1.0 if need_weight <= 0 else 1.0 - objective / need_weight,
        "greedy_risk_weighted_coverage": (
            1.0 if need_weight <= 0 else 1.0 - base.objective / need_weight
        ),
        "sweep_coverage": sweep_result.coverage if sweep_result is not None else None,
        "greedy_sweep_coverage": greedy_sweep.coverage if greedy_sweep is not None else None,
        "solve_seconds": round(time.perf_counter() - started, 3),
        "travel_km": round(result.travel_km, 3),
        "greedy_travel_km": round(base.travel_km, 3),
        "sweep_travel_km": round(sweep_result.travel_km, 3) if sweep_result is not None else None,
        "solver": result.solver,
        "sweep_solver": sweep_result.solver if sweep_result is not None else None,
        "status": result.status,
        "components": result.components,
        "centers": len(inst.centers),
        "need": need,
        "deployed": deployed,
        "missing": missing,
        "time_limit": options.time_limit,
        "seed": options.seed,
    }
    if result.moves is not None:
        metrics["moves"] = result.moves
    sweeps_out: tuple[PlanSweep, ...] = ()
    gaps: tuple[SweepGap, ...] = ()
    if keep_sweeps is not None:
        sweeps_out, gaps = keep_sweeps.sweeps, keep_sweeps.sweep_shortfalls
        for key in ("sweep_coverage", "greedy_sweep_coverage", "sweep_travel_km", "sweep_solver"):
            metrics[key] = keep_sweeps.metrics.get(key)
        progress("sweeps: current routes kept (the change does not affect them)")
    elif sweep_result is not None:
        sweeps_out = tuple(
            PlanSweep(
                team=r.team,
                unit=r.unit,
                kind=str(r.kind.value if hasattr(r.kind, "value") else r.kind),
                stops=tuple(PlanStop(s.center, s.start, s.end) for s in r.stops),
            )
            for r in sweep_result.routes
        )
        gaps = tuple(
            SweepGap(g.center, str(g.kind.value if hasattr(g.kind, "value") else g.kind))
            for g in sweep_result.unswept
        )
    return Plan(
        election=pkg.election.code,
        assignments=result.assignments,
        shortfalls=result.shortfalls,
        sweeps=sweeps_out,
        sweep_shortfalls=gaps,
        risk={c.code: risks.get(c.code, 0.0) for c in planned_centers(pkg)},
        metrics=metrics,
    )


def summary_lines(plan: Plan) -> list[str]:
    """The short summary the CLI prints (English; numbers are what matter)."""
    m = plan.metrics

    def num(key: str, fmt: str = "{:.1f}") -> str:
        value = m.get(key)
        return "n/a" if value is None else fmt.format(value)

    lines = [
        f"plan for {plan.election}: {m.get('centers')} centers, need {m.get('need')} people, "
        f"deployed {m.get('deployed')}, missing {m.get('missing')} "
        f"({len(plan.shortfalls)} center-roles short)",
        f"weighted shortfall {num('objective')} (greedy {num('greedy_objective')}), "
        f"proven bound {num('bound')}, gap {num('gap', '{:.2%}')}, "
        f"split-headcount limit {num('flow_bound')}",
        f"risk-weighted coverage {num('risk_weighted_coverage', '{:.1%}')}, "
        f"sweep coverage {num('sweep_coverage', '{:.1%}')} "
        f"(greedy {num('greedy_sweep_coverage', '{:.1%}')}), "
        f"{len(plan.sweep_shortfalls)} sweeps missing",
        f"solver {m.get('solver')} ({m.get('status')}), {num('solve_seconds')} s",
    ]
    if "moves" in m:
        lines.append(f"re-plan: {m['moves']} team(s) moved")
    if m.get("need") == 0:
        lines.append("nothing to deploy: no general center needs anyone under this policy")
    elif m.get("deployed") == 0:
        lines.append("no eligible unit could be deployed: every need is a shortfall")
    return lines
