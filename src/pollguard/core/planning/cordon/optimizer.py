"""`optimize`: the whole-team optimizer over all parts, and the split-headcount bound."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from pollguard.core.planning.cordon.aggregate import (
    ComponentModel,
    _aggregate,
    _model,
    _shortfall,
    components,
)
from pollguard.core.planning.cordon.assemble import _teams_from_x
from pollguard.core.planning.cordon.greedy import greedy
from pollguard.core.planning.cordon.instance import CordonInstance, UnitSlot
from pollguard.core.planning.cordon.milp import _lp_relaxation
from pollguard.core.planning.cordon.parallel import Outcome, PartialResult, Progress, _run_parallel
from pollguard.core.planning.cordon.result import CordonResult, _result, check_bound
from pollguard.core.planning.cordon.solve import ComponentResult, solve_component


def _quiet(_: str) -> None:
    return None


def flow_bound(inst: CordonInstance) -> float:
    """The split-headcount optimum (people divisible): the physical limit."""
    total = 0.0
    for i, part in enumerate(components(inst)):
        total += (
            _lp_relaxation(_model(inst, f"part-{i}", part.class_ids, part.demand_ids)).bound
            if part.class_ids
            else float(sum(inst.demands[j].need * inst.demands[j].weight for j in part.demand_ids))
        )
    return total


def optimize(
    inst: CordonInstance,
    *,
    time_limit: float,
    solver: str = "highs",
    seed: int = 0,
    workers: int | None = None,
    start: CordonResult | None = None,
    current: Mapping[UnitSlot, int] | None = None,
    progress: Progress = _quiet,
) -> CordonResult:
    """The whole-team optimum (or the best plan found in `time_limit` s) and its bound.

    `workers=0` solves in this process (no hard stop: for tests and small packages);
    otherwise up to `workers` processes (default: the CPUs, at most 2 on the target).
    `start` is a plan to warm-start from and to beat (default: the greedy plan).
    `current` turns on re-planning: teams per (unit, demand) of the plan in force.
    """
    started = time.perf_counter()
    if solver not in ("highs", "highs-compact", "cbc"):
        raise ValueError(f"unknown cordon solver {solver!r}")
    if start is None:
        start = greedy(inst)
    parts = components(inst)
    models: list[ComponentModel] = []
    trivial_value = 0.0
    for i, part in enumerate(parts):
        js = part.demand_ids
        sectors = sorted(
            {inst.centers[inst.center_index[inst.demands[j].center]].sector for j in js}
        )
        name = sectors[0] if len(sectors) == 1 else f"{sectors[0]}+{len(sectors) - 1}"
        if not part.class_ids:
            trivial_value += float(sum(inst.demands[j].need * inst.demands[j].weight for j in js))
            continue
        model = _model(inst, name, part.class_ids, js)
        model.warm.append(_aggregate(model, inst, start.teams))
        if current is not None:
            model.current = _aggregate(model, inst, current)
        models.append(model)
        del i
    progress(
        f"cordon: {len(inst.demands)} needs, {len(inst.units)} units in {len(inst.classes)} "
        f"classes, {len(models)} independent parts"
    )
    budget = max(0.1, time_limit - (time.perf_counter() - started))
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    outcomes: dict[int, Outcome]
    if workers <= 0 or not models:
        outcomes = {}
        deadline = time.perf_counter() + budget
        for i, model in enumerate(models):
            left = max(0.1, (deadline - time.perf_counter()) / max(1, len(models) - i))
            outcomes[i] = solve_component(model, solver=solver, time_limit=left, seed=seed)
    else:
        outcomes = _run_parallel(
            models, solver=solver, time_limit=budget, seed=seed, workers=workers, progress=progress
        )
    teams: dict[UnitSlot, int] = {}
    bound = trivial_value
    lp_total = trivial_value
    statuses: set[str] = set()
    details: list[Mapping[str, Any]] = []
    for i, model in enumerate(models):
        outcome = outcomes.get(i)
        warm = model.warm[0]
        if isinstance(outcome, ComponentResult):
            x, part_bound, lp_b, status = outcome.x, outcome.bound, outcome.lp_bound, outcome.status
        elif isinstance(outcome, PartialResult):
            lp_b, rounded = outcome.lp_bound, outcome.x
            x = rounded if _shortfall(model, rounded) < _shortfall(model, warm) else warm
            part_bound, status = outcome.bound, "stopped"
        else:
            x, part_bound, lp_b, status = warm, 0.0, 0.0, "stopped"
        statuses.add(status)
        bound += check_bound(part_bound, _shortfall(model, x), f"part {model.name}")
        lp_total += lp_b
        details.append(
            {
                "part": model.name,
                "status": status,
                "objective": _shortfall(model, x),
                "bound": part_bound,
                "pairs": len(model.pair_k),
                "stages": outcome.stages if isinstance(outcome, ComponentResult) else (),
            }
        )
        teams.update(_teams_from_x(inst, model, x, current))
    status = (
        "optimal"
        if statuses <= {"optimal"}
        else ("stopped" if "stopped" in statuses else "time_limit")
    )
    moves = None
    if current is not None:
        moves = sum(max(0, n - teams.get(slot, 0)) for slot, n in current.items())
    result = _result(
        inst,
        teams,
        bound=bound,
        flow=lp_total,
        solver=solver,
        status=status,
        seconds=time.perf_counter() - started,
        components=len(parts),
        moves=moves,
        details=tuple(details),
    )
    if current is None and result.objective > start.objective + 1e-9:
        # Never return worse than the start (cannot happen with a correct solver; this
        # keeps the promise even if a solver misbehaves).
        return _result(
            inst,
            start.teams,
            bound=bound,
            flow=lp_total,
            solver=solver,
            status=status,
            seconds=time.perf_counter() - started,
            components=len(parts),
            details=tuple(details),
            from_start=True,
        )
    return result
