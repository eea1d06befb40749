"""The sector bound: a Lagrangian bound stronger than the pattern bound where one
sector holds most of what separates the plan from the bound."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from pollguard.core.planning.cordon.aggregate import (
    ComponentModel,
    SubModel,
    _feasible,
    _shortfall,
    _submodel,
)
from pollguard.core.planning.cordon.budget import CONCENTRATED
from pollguard.core.planning.cordon.colgen import _Pricer
from pollguard.core.planning.cordon.milp import _full_solution, _highs_model, _round_x
from pollguard.core.planning.cordon.stages import _mark


@dataclass(frozen=True)
class SectorBound:
    """The sector bound of a part and the plan, improved where a group's MILP helped."""

    bound: float
    x: np.ndarray


@dataclass(frozen=True)
class GroupBound:
    """HiGHS's dual bound of one group's priced MILP, and its best solution if any."""

    bound: float
    x: np.ndarray | None


@dataclass(frozen=True)
class _OpenGroup:
    """A group whose MILP may raise the bound."""

    gap: float  # the plan's priced value above the group's pattern bound
    part: SubModel  # the group's model
    floor: float  # the group's pattern bound at the same prices


def _sector_bound(
    model: ComponentModel, pi: np.ndarray, x: np.ndarray, deadline: float, seed: int
) -> SectorBound:
    """A Lagrangian bound that keeps every constraint but the capacities of the classes
    that cross sectors (the reserves), priced at `pi` <= 0 (the column-generation duals).

    Without the reserves' capacity rows the part falls apart into independent groups of
    needs (a sector's needs of the kinds its own classes serve), each a compact
    whole-team MILP in which a reserve team costs -pi. For any pi <= 0,
    `sum_g bound_g + sum_k pi_k N_k` is a lower bound on the part's shortfall, with
    bound_g any valid lower bound of group g: HiGHS's dual bound, or the group's own
    pattern bound at the same prices (its classes' capacities priced too), whichever is
    larger, so the sum is never below the pattern bound. The plan `x` tells which
    groups can gain: where its priced value already equals the group's pattern bound
    the group is settled; the others are solved, largest difference first.

    Returns the bound and the plan, improved where a group's MILP solution fits in the
    reserve teams the plan leaves free (a Lagrangian heuristic: the MILPs run anyway).
    """
    K, J = len(model.cap), len(model.need)
    if model.demand_group is None or J == 0:
        return SectorBound(0.0, x)
    pi = np.minimum(pi, 0.0)
    spans = np.zeros(K, dtype=bool)
    for k in range(K):
        spans[k] = len(np.unique(model.demand_group[model.pair_j[model.pair_k == k]])) > 1
    price = np.where(spans, -pi, 0.0)
    parent = np.arange(J)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = int(parent[a])
        return a

    for k in np.nonzero(~spans)[0].tolist():
        ds = model.pair_j[model.pair_k == k].tolist()
        for d in ds[1:]:
            ra, rb = find(ds[0]), find(d)
            if ra != rb:
                parent[ra] = rb
    groups: dict[int, list[int]] = {}
    for j in range(J):
        groups.setdefault(find(j), []).append(j)
    values = _Pricer(model).price(-pi).values
    class_group = np.full(K, -1)
    for k in np.nonzero(~spans)[0].tolist():
        ds = model.pair_j[model.pair_k == k]
        if len(ds):
            class_group[k] = find(int(ds[0]))
    total = float((pi * model.cap)[spans].sum())
    open_: list[_OpenGroup] = []
    for root, demands in groups.items():
        floor = float(values[demands].sum() + (pi * model.cap)[class_group == root].sum())
        floor -= 1e-7 * max(1.0, abs(floor))
        part = _submodel(model, np.array(demands, dtype=int), model.cap.copy())
        mine = x[part.back]
        value = _shortfall(part.model, mine) + float((price[part.model.pair_k] * mine).sum())
        if value - floor > 1e-6 * max(1.0, value) and len(part.model.pair_k):
            open_.append(_OpenGroup(value - floor, part, floor))
        else:
            total += floor
    open_.sort(key=lambda group: -group.gap)
    left_gap = sum(group.gap for group in open_)
    if open_ and open_[0].gap < CONCENTRATED * left_gap:
        # The gap is spread over several groups: none of their MILPs would be solved far
        # enough in the time there is to raise the bound (measured on the national
        # benchmark's parts), and the search needs the time more. Pattern bounds only.
        return SectorBound(total + sum(group.floor for group in open_), x)
    _mark("sector_bound")
    plan = x.copy()
    value = _shortfall(model, plan)
    for group in open_:
        back = group.part.back
        left = deadline - time.perf_counter()
        best = group.floor
        if left > 0.1:
            share = left * group.gap / left_gap
            found = _group_bound(group.part.model, plan[back], price, share, seed)
            best = max(best, found.bound)
            if found.x is not None:
                candidate = plan.copy()
                candidate[back] = found.x
                if _feasible(model, candidate) and _shortfall(model, candidate) < value - 1e-9:
                    plan, value = candidate, _shortfall(model, candidate)
        left_gap -= group.gap
        total += best
    return SectorBound(total, plan)


def _group_bound(
    sub: ComponentModel, x: np.ndarray, price: np.ndarray, limit: float, seed: int
) -> GroupBound:
    """HiGHS's dual bound of one group's MILP with reserve teams priced, and its best
    solution; the plan's teams in the group are its start (an incumbent prunes, so the
    bound rises)."""
    import highspy

    h = _highs_model(sub, integer=True)
    P = len(sub.pair_k)
    h.changeColsCost(P, np.arange(P, dtype=np.int32), price[sub.pair_k])
    if _feasible(sub, x):
        sol = highspy.HighsSolution()
        sol.col_value = list(_full_solution(sub, x))
        sol.value_valid = True
        h.setSolution(sol)
    h.setOptionValue("time_limit", max(0.05, limit))
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.setOptionValue("random_seed", seed)
    h.run()
    info = h.getInfo()
    sub_x = None
    if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
        sub_x = _round_x(sub, h.getSolution().col_value)
    value = float(info.mip_dual_bound)
    if not math.isfinite(value):
        return GroupBound(0.0, sub_x)
    # The dual bound is HiGHS's to its tolerances; keep a margin of the same order.
    return GroupBound(max(0.0, value - 1e-7 * max(1.0, abs(value))), sub_x)
