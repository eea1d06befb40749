"""HiGHS and CBC on the compact model over classes.

The split-headcount relaxation (people divisible) is the compact model's LP relaxation,
a transportation problem solved by HiGHS; its optimum is the physical limit and a valid
lower bound. The whole-team MILP runs in two phases: phase 1 minimises the weighted
shortfall, phase 2 keeps the shortfall at most phase 1's and minimises the class-mean
travel (and, re-planning, the teams moved). Two phases instead of one epsilon-weighted
objective keep the order strictly lexicographic whatever the weights are.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pollguard.core.planning.cordon.aggregate import ComponentModel, _feasible, _shortfall


@dataclass(frozen=True)
class LpRelaxation:
    """The split-headcount optimum of a part: a valid lower bound, and its solution."""

    bound: float
    x: np.ndarray  # teams per pair, fractional


@dataclass(frozen=True)
class MilpOutcome:
    """What a compact MILP solve found."""

    x: np.ndarray  # phase 1's plan: the start, or better
    bound: float  # the MILP's dual bound (0 when phase 1 did not run or found none)
    status: str  # "optimal" or "time_limit"
    phase2_x: np.ndarray | None  # phase 2's plan (same shortfall, less travel), if any
    phase2: bool  # phase 2 ran


_BANNER_DONE: set[int] = set()


def _new_highs() -> Any:
    """A silent HiGHS instance. HiGHS prints a banner on stdout the first time a process
    creates one, before any option can be set; stdout is the CLI's summary, so the first
    construction in each process happens with file descriptor 1 pointed at /dev/null."""
    import highspy

    highs: Any = highspy.Highs
    pid = os.getpid()
    if pid in _BANNER_DONE:
        h = highs()
    else:
        import sys

        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER_DONE.add(pid)
    h.setOptionValue("output_flag", False)
    return h


def _highs_model(model: ComponentModel, integer: bool) -> Any:
    import highspy

    P, J, K = len(model.pair_k), len(model.need), len(model.cap)
    replan = model.current is not None
    M = P if replan else 0
    n_col = P + J + M
    n_row = K + J + M
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.col_cost_ = np.concatenate([np.zeros(P), model.weight, np.zeros(M)])
    lp.col_lower_ = np.zeros(n_col)
    lp.col_upper_ = np.concatenate([model.pair_ub, model.need, np.full(M, inf)])
    row_lower = [np.full(K, -inf), model.need]
    row_upper = [model.cap, np.full(J, inf)]
    if replan:
        assert model.current is not None
        row_lower.append(model.current.astype(float))
        row_upper.append(np.full(M, inf))
    lp.row_lower_ = np.concatenate(row_lower)
    lp.row_upper_ = np.concatenate(row_upper)
    # Column-wise: x_p in its class row (1), its demand row (team size), its move row (1).
    per_x = 3 if replan else 2
    starts = [np.arange(P) * per_x, P * per_x + np.arange(J)]
    index = np.empty(P * per_x, dtype=np.int32)
    value = np.empty(P * per_x)
    index[0::per_x] = model.pair_k
    value[0::per_x] = 1.0
    index[1::per_x] = K + model.pair_j
    value[1::per_x] = model.size[model.pair_k]
    if replan:
        index[2::per_x] = K + J + np.arange(P)
        value[2::per_x] = 1.0
    idx = [index, K + np.arange(J, dtype=np.int32)]
    val = [value, np.ones(J)]
    if replan:
        starts.append(P * per_x + J + np.arange(M))
        idx.append(K + J + np.arange(M, dtype=np.int32))
        val.append(np.ones(M))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    lp.a_matrix_.start_ = np.concatenate([*starts, [P * per_x + J + M]]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate(idx).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(val)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * P + [
            highspy.HighsVarType.kContinuous
        ] * (J + M)
    h = _new_highs()
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    return h


def _full_solution(model: ComponentModel, x: np.ndarray) -> np.ndarray:
    assigned = np.bincount(
        model.pair_j, weights=x * model.size[model.pair_k], minlength=len(model.need)
    )
    y = np.maximum(0.0, model.need - assigned)
    parts = [x, y]
    if model.current is not None:
        parts.append(np.maximum(0.0, model.current - x))
    return np.concatenate(parts)


def _lp_relaxation(model: ComponentModel) -> LpRelaxation:
    """Split-headcount optimum of the component and its solution (teams per pair)."""
    import highspy

    h = _highs_model(model, integer=False)
    h.setOptionValue("solver", "simplex")
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return LpRelaxation(0.0, np.zeros(len(model.pair_k)))
    # The dual objective of an optimal simplex solve is a bound; the primal value agrees
    # with it to the solver's tolerance, which `max(..., 0)` and callers absorb.
    value = float(h.getInfo().objective_function_value)
    x = np.array(h.getSolution().col_value[: len(model.pair_k)])
    return LpRelaxation(max(0.0, value - 1e-7 * max(1.0, abs(value))), x)


def _round_x(model: ComponentModel, values: Sequence[float]) -> np.ndarray | None:
    x = np.rint(np.array(values[: len(model.pair_k)], dtype=float))
    x = np.maximum(x, 0.0)
    return x if _feasible(model, x) else None


def _highs_milp(
    model: ComponentModel,
    start: np.ndarray,
    limit: float,
    seed: int,
    deadline: float,
    *,
    phase1: bool = True,
    phase2_cap: float | None = None,
) -> MilpOutcome:
    """Phase 1 (shortfall) from `start`, then phase 2 (travel, moves) in what is left.

    `phase1=False` takes `start` as the shortfall-optimal plan and only runs phase 2.
    """
    import highspy

    h = _highs_model(model, integer=True)
    h.setOptionValue("random_seed", seed)
    x = start
    bound = 0.0
    label = "optimal"
    spent = 0.0
    if phase1:
        h.setOptionValue("time_limit", max(0.05, limit))
        h.setOptionValue("mip_rel_gap", 1e-4)
        sol = highspy.HighsSolution()
        sol.col_value = list(_full_solution(model, start))
        sol.value_valid = True
        h.setSolution(sol)
        t0 = time.perf_counter()
        h.run()
        spent = time.perf_counter() - t0
        status = h.getModelStatus()
        info = h.getInfo()
        bound = float(info.mip_dual_bound)
        if not math.isfinite(bound):
            bound = 0.0
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            cand = _round_x(model, h.getSolution().col_value)
            if cand is not None and _shortfall(model, cand) <= _shortfall(model, x) + 1e-9:
                x = cand
        label = "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit"
    # Phase 2: same shortfall or better, then fewer moves (re-planning), then less travel.
    left = deadline - time.perf_counter()
    if model.current is not None:
        budget = left
    elif phase2_cap is not None:
        budget = min(left, phase2_cap)
    else:
        budget = min(left, max(0.3, spent))
    if budget < 0.05 or len(model.pair_k) == 0:
        return MilpOutcome(x, bound, label, None, False)
    P, J = len(model.pair_k), len(model.need)
    S1 = _shortfall(model, x)
    h.addRow(
        -highspy.kHighsInf,
        S1 + 1e-7 * max(1.0, S1),
        J,
        np.arange(P, P + J, dtype=np.int32),
        model.weight,
    )
    travel_scale = 1.0
    if model.current is not None:
        worst = float((model.cap[model.pair_k] * model.pair_cost).sum()) + 1.0
        travel_scale = 1.0 / worst  # all travel together weighs less than one move
    costs = [model.pair_cost * travel_scale, np.zeros(J)]
    if model.current is not None:
        costs.append(np.ones(P))
    n_col = h.getNumCol()
    h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32), np.concatenate(costs))
    h.setOptionValue("time_limit", max(0.05, budget))
    h.setOptionValue("mip_rel_gap", 1e-3)
    sol = highspy.HighsSolution()
    sol.col_value = list(_full_solution(model, x))
    sol.value_valid = True
    h.setSolution(sol)
    h.run()
    info = h.getInfo()
    x2 = None
    if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
        x2 = _round_x(model, h.getSolution().col_value)
    return MilpOutcome(x, bound, label, x2, True)


_CBC_BOUND = re.compile(r"^Lower bound:\s*(-?[0-9.eE+-]+)", re.MULTILINE)


def _cbc_milp(
    model: ComponentModel, start: np.ndarray, limit: float, seed: int, deadline: float
) -> MilpOutcome:
    """CBC through PuLP (phase 1 only). Status is read from `sol_status`, never from `status` alone:
    PuLP reports "Optimal" after a time-out. The dual bound comes from CBC's log."""
    import pulp

    P, J = len(model.pair_k), len(model.need)
    prob = pulp.LpProblem(model.name.replace(" ", "_") or "cordon", pulp.LpMinimize)
    x = [pulp.LpVariable(f"x{p}", 0, int(model.pair_ub[p]), cat=pulp.LpInteger) for p in range(P)]
    y = [pulp.LpVariable(f"y{j}", 0, float(model.need[j])) for j in range(J)]
    prob += pulp.lpSum(float(model.weight[j]) * y[j] for j in range(J))
    by_k: dict[int, list[int]] = {}
    by_j: dict[int, list[int]] = {}
    for p in range(P):
        by_k.setdefault(int(model.pair_k[p]), []).append(p)
        by_j.setdefault(int(model.pair_j[p]), []).append(p)
    for k, ps in by_k.items():
        prob += pulp.lpSum(x[p] for p in ps) <= float(model.cap[k])
    for j in range(J):
        prob += pulp.lpSum(float(model.size[model.pair_k[p]]) * x[p] for p in by_j.get(j, [])) + y[
            j
        ] >= float(model.need[j])
    for p in range(P):
        x[p].setInitialValue(int(start[p]))
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=max(1, round(limit)),
            gapRel=1e-4,
            warmStart=True,
            threads=1,
            logPath=str(log),
            options=[f"randomSeed {seed + 1}"],
        )
        prob.solve(solver)
        text = log.read_text(errors="replace") if log.exists() else ""
    best = start
    status = "time_limit"
    if prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        cand = _round_x(model, [v.varValue or 0.0 for v in x])
        if cand is not None and _shortfall(model, cand) <= _shortfall(model, best) + 1e-9:
            best = cand
    bound = 0.0
    if prob.sol_status == pulp.LpSolutionOptimal and "Optimal solution found" in text:
        status = "optimal"
        bound = _shortfall(model, best) / (1 + 1e-4)
    match = _CBC_BOUND.search(text)
    if match:
        with contextlib.suppress(ValueError):
            bound = max(bound, float(match.group(1)))
    return MilpOutcome(best, bound, status, None, False)
