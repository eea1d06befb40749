"""Column generation: the per-demand (pattern) formulation.

The compact model's LP relaxation lets a need of 7 be met by 7/12 of a 12-person team,
so its bound is weak exactly where whole teams matter, and branch-and-bound spends its
time closing that gap. The pattern formulation gives each demand a choice among
*patterns* (how many teams of each eligible class it receives) with the class
capacities as the only coupling rows:

    min sum_q c_q l_q   s.t.  sum_{q of j} l_q = 1 (each demand j),
                              sum_q a_kq l_q <= N_k (each class k),  l in {0, 1}

where c_q = w_j * max(0, need_j - sum_k s_k a_kq). Its LP relaxation convexifies each
demand's knapsack (Dantzig-Wolfe), which is much tighter. Patterns are generated on
demand: with class prices -pi_k from the master LP's duals, the best pattern of every
demand is a bounded knapsack over coverage, solved for all demands at once by a
vectorised dynamic program. For any pi <= 0 the Lagrangian

    L(pi) = sum_j min_q (c_q - sum_k pi_k a_kq) + sum_k pi_k N_k

is a valid lower bound, so the bound holds even when generation stops early. The
plan is then the best integer choice among the generated patterns (price-and-branch),
warm-started from the best start; it is a feasible plan, and its quality is measured
against L, never assumed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from pollguard.core.planning.cordon.aggregate import (
    ComponentModel,
    _feasible,
    _shortfall,
    _submodel,
)
from pollguard.core.planning.cordon.budget import (
    DIVE_SHARE,
    OPTIMALITY_GAP,
    ROUND_SHARE,
    _proven,
)
from pollguard.core.planning.cordon.milp import _highs_milp, _new_highs
from pollguard.core.planning.cordon.stages import _mark, _report
from pollguard.core.planning.cordon.starts import _exact_fit, _repair

Pattern = tuple[tuple[int, int], ...]  # ((pair, teams), ...)


@dataclass(frozen=True)
class Pricing:
    """The best pattern of every demand under class prices, as the pricer's tables."""

    values: np.ndarray  # best reduced value per demand (shortfall cost + priced teams)
    coverage: np.ndarray  # people the best pattern covers, per demand
    choices: list[np.ndarray]  # per piece: taken at each coverage (to trace a pattern back)


@dataclass(frozen=True)
class ColgenOutcome:
    """What column generation found."""

    x: np.ndarray | None  # the best plan among the generated patterns, or None
    bound: float  # the Lagrangian bound, valid even when generation stopped early
    status: str  # "optimal" when `x` meets the bound, else "time_limit"
    prices: np.ndarray  # the class prices (<= 0) of the best bound


@dataclass(frozen=True)
class _Piece:
    """One 0/1 item of the pricer's knapsack: `teams` teams of one slot, for some rows."""

    slot: int
    rows: np.ndarray  # demands that have the slot and this piece
    teams: np.ndarray  # teams the piece adds, per row of `rows`
    pos: np.ndarray  # per demand: its row in `rows`, or -1


class _Pricer:
    """Best pattern of every demand under class prices (vectorised bounded knapsack).

    Each demand's slot (an eligible class) may take 0..ub teams; the bound is split into
    binary pieces (1, 2, 4, ..., the rest), each a 0/1 item, so a slot costs about
    log2(ub) passes over the table instead of ub, and each pass touches only the demands
    that have the slot (measured on the city family instance with 243 classes, side by
    side on a machine at load 13: a price call from 1.5-2.0 s to 0.3-0.5 s, about 4x;
    the values and the traced patterns were the same)."""

    def __init__(self, model: ComponentModel) -> None:
        J = len(model.need)
        order = np.argsort(model.pair_j, kind="stable")
        counts = np.bincount(model.pair_j, minlength=J)
        width = int(counts.max()) if len(counts) else 0
        self.width = width
        self.pair = np.full((J, width), -1, dtype=int)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slot = np.arange(len(order)) - starts[model.pair_j[order]]
        self.pair[model.pair_j[order], slot] = order
        valid = self.pair >= 0
        safe = np.where(valid, self.pair, 0)
        self.cls = np.where(valid, model.pair_k[safe], 0)
        self.size = np.where(valid, model.size[model.pair_k[safe]], 0).astype(int)
        self.ub = np.where(valid, model.pair_ub[safe], 0).astype(int)
        self.need = model.need.astype(int)
        self.weight = model.weight
        self.top = int(self.need.max() + self.size.max()) if J and width else 0
        self.grid = np.arange(self.top + 1)
        self.pieces: list[_Piece] = []
        for i in range(width):
            rows = np.nonzero(valid[:, i])[0]
            ub = self.ub[rows, i]
            done, step = 0, 1
            while len(rows) and int(ub.max()) > done:
                teams = np.clip(ub - done, 0, step)
                keep = teams > 0
                pos = np.full(J, -1, dtype=int)
                pos[rows[keep]] = np.arange(int(keep.sum()))
                self.pieces.append(_Piece(i, rows[keep], teams[keep], pos))
                done, step = done + step, 2 * step

    def price(self, prices: np.ndarray) -> Pricing:
        """Best value and coverage per demand, and the choices per piece."""
        J = len(self.need)
        inf = np.inf
        F = np.full((J, self.top + 1), inf)
        F[:, 0] = 0.0
        choices: list[np.ndarray] = []
        for piece in self.pieces:
            rows = piece.rows
            shift = piece.teams * self.size[rows, piece.slot]
            cost = piece.teams * prices[self.cls[rows, piece.slot]]
            old = F[rows]
            src = self.grid[None, :] - shift[:, None]
            cand = np.where(
                src >= 0,
                old[np.arange(len(rows))[:, None], np.maximum(src, 0)] + cost[:, None],
                inf,
            )
            better = cand < old - 1e-12
            F[rows] = np.where(better, cand, old)
            choices.append(better)
        cost = self.weight[:, None] * np.maximum(0.0, self.need[:, None] - self.grid[None, :]) + F
        best_t = np.argmin(cost, axis=1)
        return Pricing(cost[np.arange(J), best_t], best_t, choices)

    def patterns(self, js: np.ndarray, ts: np.ndarray, choices: list[np.ndarray]) -> list[Pattern]:
        """The patterns of demands `js` at coverages `ts`, traced back through the pieces
        (a 0/1 knapsack traced in reverse item order), all demands at once."""
        js = np.asarray(js, dtype=int)
        t = np.asarray(ts, dtype=int).copy()
        taken = np.zeros((len(js), self.width), dtype=int)
        for q in range(len(self.pieces) - 1, -1, -1):
            piece = self.pieces[q]
            r = piece.pos[js]
            has = np.nonzero(r >= 0)[0]
            if not len(has):
                continue
            hit = has[choices[q][r[has], t[has]]]
            if not len(hit):
                continue
            teams = piece.teams[r[hit]]
            taken[hit, piece.slot] += teams
            t[hit] -= teams * self.size[js[hit], piece.slot]
        out: list[Pattern] = []
        for row, j in enumerate(js.tolist()):
            slots = np.nonzero(taken[row])[0]
            out.append(
                tuple(sorted((int(self.pair[j, i]), int(taken[row, i])) for i in slots.tolist()))
            )
        return out

    def pattern(self, j: int, t: int, choices: list[np.ndarray]) -> Pattern:
        return self.patterns(np.array([j]), np.array([t]), choices)[0]


def _patterns_of(model: ComponentModel, x: np.ndarray) -> list[Pattern]:
    out: list[list[tuple[int, int]]] = [[] for _ in model.need]
    for p in np.nonzero(x > 0.5)[0].tolist():
        out[int(model.pair_j[p])].append((p, round(float(x[p]))))
    return [tuple(sorted(q)) for q in out]


def _pattern_cost(model: ComponentModel, j: int, q: Pattern) -> float:
    cover = sum(model.size[model.pair_k[p]] * a for p, a in q)
    return float(model.weight[j] * max(0.0, model.need[j] - cover))


def _cg_solve(
    model: ComponentModel,
    starts: list[np.ndarray],
    deadline: float,
    seed: int,
    share: float,
    master_share: float = 0.0,
    round_share: float = ROUND_SHARE,
    dive_share: float = DIVE_SHARE,
) -> ColgenOutcome:
    """The pattern LP by column generation from the `starts`' patterns, for `share` of
    the time to `deadline`, its Lagrangian bound, and its rounding to a plan.

    With `master_share` > 0 and the rounded plan not proven, the master over the
    generated patterns is then solved as a MILP (price-and-branch) for that share of the
    time left, warm-started from the rounded plan: a plan, never a bound.
    """
    import highspy

    J, K = len(model.need), len(model.cap)
    pricer = _Pricer(model)
    pool: dict[tuple[int, Pattern], int] = {}
    col_j: list[int] = []
    col_q: list[Pattern] = []

    def column(j: int, q: Pattern) -> tuple[float, list[int], list[float]]:
        rows = [j]
        vals = [1.0]
        per: dict[int, float] = {}
        for p, teams in q:
            k = int(model.pair_k[p])
            per[k] = per.get(k, 0.0) + teams
        for k, amount in sorted(per.items()):
            rows.append(J + k)
            vals.append(amount)
        return _pattern_cost(model, j, q), rows, vals

    def add(h: Any, items: list[tuple[int, Pattern]]) -> None:
        fresh = [(j, q) for j, q in items if (j, q) not in pool]
        if not fresh:
            return
        costs: list[float] = []
        starts_: list[int] = []
        index: list[int] = []
        value: list[float] = []
        for j, q in fresh:
            pool[(j, q)] = len(col_j)
            col_j.append(j)
            col_q.append(q)
            c, r, v = column(j, q)
            costs.append(c)
            starts_.append(len(index))
            index.extend(r)
            value.extend(v)
        n = len(fresh)
        h.addCols(
            n,
            np.array(costs),
            np.zeros(n),
            np.ones(n),
            len(index),
            np.array(starts_, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value),
        )

    h = _new_highs()
    h.setOptionValue("threads", 1)
    inf = highspy.kHighsInf
    h.addRows(
        J,
        np.ones(J),
        np.ones(J),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0),
    )
    h.addRows(
        K,
        np.full(K, -inf),
        model.cap.astype(float),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0),
    )
    initial: list[tuple[int, Pattern]] = [(j, ()) for j in range(J)]
    for x in starts:
        initial.extend(enumerate(_patterns_of(model, x)))
    add(h, initial)
    bound = 0.0
    best_pi = np.zeros(K)
    started = time.perf_counter()
    stop_at = started + share * max(0.0, deadline - started)
    lp_value = math.inf
    while True:
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        lp_value = float(h.getInfo().objective_function_value)
        duals = np.array(h.getSolution().row_dual)
        pi = np.minimum(0.0, duals[J:])
        priced = pricer.price(-pi)
        value = float(priced.values.sum() + (pi * model.cap).sum())
        if value > bound:
            bound, best_pi = value, pi
            _report(model, None, bound)  # the parent keeps it if this worker is stopped
        mu = duals[:J]
        improving = np.nonzero(priced.values - mu < -1e-7 * np.maximum(1.0, np.abs(mu)))[0]
        if len(improving) == 0 or lp_value - bound <= 1e-6 * max(1.0, lp_value):
            bound = max(bound, lp_value if len(improving) == 0 else bound)
            break
        if time.perf_counter() > stop_at:
            break
        found = pricer.patterns(improving, priced.coverage[improving], priced.choices)
        add(h, list(zip(improving.tolist(), found, strict=True)))
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return ColgenOutcome(None, bound, "time_limit", best_pi)
    if not math.isfinite(lp_value):
        return ColgenOutcome(None, bound, "time_limit", best_pi)
    values = np.array(h.getSolution().col_value)
    rounded = _round_lp(model, values, col_j, col_q, deadline, seed, round_share)
    if rounded is None:
        return ColgenOutcome(None, bound, "time_limit", best_pi)
    x = rounded
    _report(model, x, bound)
    if dive_share > 0 and not _proven(_shortfall(model, x), bound):
        # Where the plain rounding leaves many demands open its MILP stalls; a dive fixes
        # them a third at a time with pricing in between. Both plans count, the better
        # is kept (on the family instances where the plain rounding is within 0.5 % the
        # dive does not help; on the one where it is 1.8 % above, the dive reaches 0.3 %).
        _mark("dive")
        dive_end = time.perf_counter() + dive_share * max(0.0, deadline - time.perf_counter())
        dived = _dive(model, h, pricer, values, col_j, col_q, add, dive_end)
        y = _round_lp(model, dived, col_j, col_q, deadline, seed, round_share)
        if y is not None and _shortfall(model, y) < _shortfall(model, x) - 1e-9:
            x = y
    _report(model, x, bound)  # the rounding, kept if this worker is stopped later
    if master_share > 0 and not _proven(_shortfall(model, x), bound):
        limit = master_share * (deadline - time.perf_counter())
        if limit > 0.1:
            _mark("price_and_branch")
            x = _master_milp(model, h, x, col_q, add, pool, limit, seed)
            _report(model, x, bound)
    status = "optimal" if _proven(_shortfall(model, x), bound) else "time_limit"
    return ColgenOutcome(x, bound, status, best_pi)


def _round_lp(
    model: ComponentModel,
    values: np.ndarray,
    col_j: list[int],
    col_q: list[Pattern],
    deadline: float,
    seed: int,
    round_share: float,
) -> np.ndarray | None:
    """Rounding a pattern LP solution: a basic solution has at most K fractional demands
    (one convexity row per demand, K capacity rows), so every demand whose pattern is
    integral keeps it and only the others are re-solved, as a small compact MILP on the
    capacity left (phase 1 only: travel is minimised once, on the whole part, at the
    end), from the better of an exact-fit start and the LP's own columns."""
    J, K = len(model.need), len(model.cap)
    x = np.zeros(len(model.pair_k))
    fixed = np.zeros(J, dtype=bool)
    for c in np.nonzero(values > 1 - 1e-6)[0].tolist():
        j = col_j[c]
        fixed[j] = True
        for p, a in col_q[c]:
            x[p] += a
    open_j = np.nonzero(~fixed)[0]
    if len(open_j):
        used = np.bincount(model.pair_k, weights=x, minlength=K)
        part = _submodel(model, open_j, np.maximum(0.0, model.cap - used))
        sub = part.model
        sub_start = _repair(sub, _exact_fit(sub))
        guided = _repair(sub, _lp_patterns(sub, part.back, values, col_j, col_q))
        if _shortfall(sub, guided) < _shortfall(sub, sub_start):
            sub_start = guided
        if len(sub.pair_k):
            left = max(0.05, round_share * (deadline - time.perf_counter()))
            sub_end = time.perf_counter() + left
            x[part.back] += _highs_milp(sub, sub_start, left, seed, sub_end, phase2_cap=0.0).x
    return x if _feasible(model, x) else None


def _dive(
    model: ComponentModel,
    h: Any,
    pricer: _Pricer,
    values: np.ndarray,
    col_j: list[int],
    col_q: list[Pattern],
    add: Callable[[Any, list[tuple[int, Pattern]]], None],
    stop_at: float,
) -> np.ndarray:
    """Diving on the pattern LP: fix the third of its fractional columns with the largest
    values (at least one), price twice more for the demands still open, and repeat until
    the LP is integral or the time is up. Returns the last LP solution (its integral part is
    then kept by the rounding, the rest solved as a small MILP).

    The restricted LPs are heuristics only: the bound stays the one column generation
    proved before the dive. Fixing never makes the LP infeasible: a column is fixed only
    when its teams fit in what the columns fixed before leave, and every demand keeps its
    empty pattern. (Measured on the city family instance with 243 classes: the plain
    rounding leaves 116 demands open and its MILP stalls at 1.8 % above the bound; fixing
    every column at 0.5 or more at once raised the LP by 7 %, a fifth at a time with five
    pricing rounds reached 0.65 % in 3.5 s of CPU, a third with two rounds 0.25 %.)"""
    import highspy

    J, K = len(model.need), len(model.cap)
    use = np.zeros(K)
    done = np.zeros(J, dtype=bool)
    pinned: list[int] = []

    def teams_of(c: int) -> np.ndarray:
        per = np.zeros(K)
        for p, a in col_q[c]:
            per[model.pair_k[p]] += a
        return per

    while time.perf_counter() < stop_at:
        part = np.nonzero((values > 1e-6) & (values <= 1 - 1e-6))[0]
        part = part[~done[np.array(col_j)[part]]] if len(part) else part
        if not len(part):
            break
        order = part[np.argsort(-values[part], kind="stable")].tolist()
        pick = order[: max(1, len(order) // 3)]
        fixed_any = False
        for c in pick:
            j = col_j[c]
            if done[j]:
                continue
            per = teams_of(c)
            if np.any(use + per > model.cap + 1e-9):
                continue
            use += per
            done[j] = True
            h.changeColBounds(c, 1.0, 1.0)
            pinned.append(c)
            fixed_any = fixed_any or c in pick
        if not fixed_any:
            break
        for _ in range(2):  # a few pricing rounds for the demands still open
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            duals = np.array(h.getSolution().row_dual)
            pi = np.minimum(0.0, duals[J:])
            priced = pricer.price(-pi)
            mu = duals[:J]
            better = priced.values - mu < -1e-7 * np.maximum(1.0, np.abs(mu))
            improving = np.nonzero(better & ~done)[0]
            if not len(improving) or time.perf_counter() > stop_at:
                break
            found = pricer.patterns(improving, priced.coverage[improving], priced.choices)
            add(h, list(zip(improving.tolist(), found, strict=True)))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        values = np.array(h.getSolution().col_value)
    result = values
    for c in pinned:
        h.changeColBounds(c, 0.0, 1.0)  # price-and-branch runs on the free master
    if len(result) < h.getNumCol():
        result = np.concatenate([result, np.zeros(h.getNumCol() - len(result))])
    return result


def _lp_patterns(
    sub: ComponentModel,
    back: np.ndarray,
    values: np.ndarray,
    col_j: list[int],
    col_q: list[Pattern],
) -> np.ndarray:
    """A start for the rounding MILP from the pattern LP itself: the open demands' columns
    by decreasing LP value, each taken when its demand is still open and its teams are
    free. (The exact-fit start ignores what the LP knows; measured on the city family
    instance with 243 classes, 103 open demands: this start is far closer to the
    rounding MILP's optimum, so its time limit matters less.)"""
    local = {int(p): i for i, p in enumerate(back.tolist())}
    x = np.zeros(len(sub.pair_k))
    free = sub.cap.copy()
    taken: set[int] = set()
    for c in np.argsort(-values, kind="stable").tolist():
        if values[c] < 1e-6:
            break
        j = col_j[c]
        if j in taken or not col_q[c]:
            continue
        items = [(local.get(p), a) for p, a in col_q[c]]
        if any(i is None for i, _ in items):
            continue  # a demand fixed by the rounding, not an open one
        per = np.zeros(len(free))
        for i, a in items:
            assert i is not None
            per[sub.pair_k[i]] += a
        if np.any(per > free + 1e-9):
            continue
        free -= per
        for i, a in items:
            assert i is not None
            x[i] += a
        taken.add(j)
    return x


def _master_milp(
    model: ComponentModel,
    h: Any,
    x: np.ndarray,
    col_q: list[Pattern],
    add: Callable[[Any, list[tuple[int, Pattern]]], None],
    pool: Mapping[tuple[int, Pattern], int],
    limit: float,
    seed: int,
) -> np.ndarray:
    """The best plan among the generated patterns (the master as a MILP), or `x`."""
    import highspy

    patterns = _patterns_of(model, x)
    add(h, list(enumerate(patterns)))
    n = h.getNumCol()
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
    )
    start = np.zeros(n)
    for j, q in enumerate(patterns):
        start[pool[(j, q)]] = 1.0
    sol = highspy.HighsSolution()
    sol.col_value = list(start)
    sol.value_valid = True
    h.setSolution(sol)
    h.setOptionValue("time_limit", max(0.05, limit))
    h.setOptionValue("mip_rel_gap", OPTIMALITY_GAP)
    h.setOptionValue("random_seed", seed)
    h.run()
    if h.getInfo().primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return x
    values = np.array(h.getSolution().col_value)
    cand = np.zeros(len(model.pair_k))
    for c in np.nonzero(values > 0.5)[0].tolist():
        for p, a in col_q[c]:
            cand[p] += a
    if _feasible(model, cand) and _shortfall(model, cand) < _shortfall(model, x) - 1e-9:
        return cand
    return x
