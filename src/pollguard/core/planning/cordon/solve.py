"""The solve of one part (runs in a worker process): the pipeline of stages.

LP bound and starts, column generation and its rounding (price-and-branch when not
proven), the compact MILP where classes are few, the sector bound, the neighbourhood
search, then phase 2 (travel). "highs-compact" and "cbc" run the compact MILP alone.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pollguard.core.planning.cordon.aggregate import ComponentModel, _feasible, _moves, _shortfall
from pollguard.core.planning.cordon.bounds import _sector_bound
from pollguard.core.planning.cordon.budget import (
    CG_SHARE,
    COMPACT_CLASSES,
    COMPACT_SHARE,
    LAG_SHARE,
    MASTER_SHARE,
    _proven,
)
from pollguard.core.planning.cordon.colgen import _cg_solve
from pollguard.core.planning.cordon.milp import _cbc_milp, _highs_milp, _lp_relaxation
from pollguard.core.planning.cordon.search import _improve
from pollguard.core.planning.cordon.stages import _BEST, _STAGES, _mark, _report
from pollguard.core.planning.cordon.starts import _exact_fit, _repair


@dataclass(frozen=True)
class ComponentResult:
    """What a worker sends back for one component."""

    name: str
    x: np.ndarray
    objective: float
    bound: float
    lp_bound: float
    status: str
    solver: str
    seconds: float
    phase2: bool = False
    stages: tuple[str, ...] = ()  # the solver stages that ran, in order


def solve_component(
    model: ComponentModel,
    *,
    solver: str,
    time_limit: float,
    seed: int,
    on_lp: Callable[[float, np.ndarray], None] | None = None,
    on_best: Callable[[float, np.ndarray | None], None] | None = None,
) -> ComponentResult:
    """LP bound, LP rounding, then the MILP warm-started from the best start."""
    started = time.perf_counter()
    deadline = started + time_limit
    _STAGES.clear()
    _BEST["send"], _BEST["value"], _BEST["bound"] = on_best, math.inf, 0.0
    P = len(model.pair_k)
    if P == 0:
        value = float((model.need * model.weight).sum())
        return ComponentResult(model.name, np.zeros(0), value, value, value, "optimal", "none", 0.0)
    lp = _lp_relaxation(model)
    lp_bound = lp.bound
    rounded = _repair(model, np.floor(lp.x + 1e-6))
    for guide in (lp.x, None):
        fitted = _repair(model, _exact_fit(model, guide))
        if _shortfall(model, fitted) < _shortfall(model, rounded):
            rounded = fitted
    if on_lp is not None:
        on_lp(lp_bound, rounded)
    starts = [rounded, *[w for w in model.warm if _feasible(model, w)]]
    if model.current is not None and _feasible(model, model.current):
        starts.append(model.current)
    start = min(starts, key=lambda s: (round(_shortfall(model, s), 9), _moves(model, s)))
    objective = _shortfall(model, start)
    _BEST["value"] = objective  # the parent already has this plan (or a better warm one)
    if objective <= lp_bound + 1e-9 and model.current is None:
        return ComponentResult(
            model.name,
            start,
            objective,
            lp_bound,
            lp_bound,
            "optimal",
            "lp-rounding",
            time.perf_counter() - started,
        )
    limit = deadline - time.perf_counter()
    _mark("lp")
    if solver == "highs":
        _mark("column_generation")
        cg = _cg_solve(model, starts, deadline, seed, share=CG_SHARE, master_share=MASTER_SHARE)
        cg_bound = cg.bound
        if cg.x is not None and _shortfall(model, cg.x) <= objective + 1e-9:
            start = cg.x
        _report(model, start, max(cg_bound, lp_bound))
        if not _proven(_shortfall(model, start), cg_bound) and len(model.cap) <= COMPACT_CLASSES:
            # The compact MILP over classes, warm-started from the best plan: where classes
            # are few it often closes what column generation's rounding leaves (issue 9).
            left = deadline - time.perf_counter()
            _mark("compact_milp")
            compact = _highs_milp(
                model,
                start,
                COMPACT_SHARE * left,
                seed,
                deadline,
                phase2_cap=0.0,
            )
            cg_bound = max(cg_bound, compact.bound)
            if _shortfall(model, compact.x) < _shortfall(model, start) - 1e-9:
                start = compact.x
            _report(model, start, max(cg_bound, lp_bound))
        if not _proven(_shortfall(model, start), cg_bound):
            left = deadline - time.perf_counter()
            lag = _sector_bound(
                model, cg.prices, start, time.perf_counter() + LAG_SHARE * left, seed
            )
            start = lag.x
            cg_bound = max(cg_bound, lag.bound)
            _report(model, start, max(cg_bound, lp_bound))
        proven = _proven(_shortfall(model, start), cg_bound)
        if not proven:
            # Not proven: neighbourhood search with most of what is left, then travel.
            left = deadline - time.perf_counter()
            start = _improve(
                model, start, cg_bound, starts, time.perf_counter() + 0.85 * left, seed
            )
        # Proven optimal for the shortfall, or searched: only travel (and moves) remain.
        final = _highs_milp(
            model,
            start,
            0.0,
            seed,
            deadline,
            phase1=False,
            phase2_cap=max(0.3, 0.15 * time_limit),
        )
        bound = cg_bound
        proven = proven or _proven(_shortfall(model, final.x), cg_bound)
        status = "optimal" if proven else "time_limit"
    else:
        milp = _cbc_milp if solver == "cbc" else _highs_milp  # "highs-compact"
        _mark(solver)
        final = milp(model, start, limit, seed, deadline)
        bound, status = final.bound, final.status
    x, x2 = final.x, final.phase2_x
    if x2 is not None and _shortfall(model, x2) <= _shortfall(model, x) + 1e-9:
        x = x2
    return ComponentResult(
        name=model.name,
        x=x,
        objective=_shortfall(model, x),
        bound=max(bound, lp_bound),
        lp_bound=lp_bound,
        status=status,
        solver=solver,
        seconds=time.perf_counter() - started,
        phase2=final.phase2,
        stages=tuple(_STAGES),
    )
