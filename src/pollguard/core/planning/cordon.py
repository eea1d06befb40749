"""Cordon deployment: which teams protect which centers in which role.

Rules (design.md section 6): a unit splits into `team_count` whole teams of
`effective_team_size` people; each team serves one role at one center, of a kind the
role accepts, inside the unit's home sector unless the unit is a reserve (empty
sector), within `max_distance_km` of its base when set. EOD and K9 units are sweep
teams (sweeps.py) and never cordon teams. A team may overshoot a need: a 30-person team
at a need of 20 fills 20, and the shortfall is `max(0, need - assigned)`.

Objective, lexicographic: (1) the weighted shortfall `sum w[c,r] * shortfall[c,r]`,
(2) travel, counted in team-km: the straight-line distance from each team's base to
its center, once per team.

Three solvers, all in this module:

- `greedy`: the spreadsheet method and the reference. Centers by decreasing risk (then
  code); at each center the roles by decreasing cost of a missing person (then name);
  while a role is short, the nearest available eligible team (ties: unit code) goes.
- the split-headcount relaxation: people are divisible (a unit contributes
  `team_count * team_size` people, spread as it likes). It is the LP relaxation of the
  whole-team model below, a transportation (min-cost flow) problem, solved as an LP by
  HiGHS. Its optimum is the physical limit and a valid lower bound.
- `optimize`: the whole-team MILP. Two observations make it small:

  * Aggregation. For the shortfall, units with the same kind, team size and eligible
    centers are interchangeable (distance matters only through `max_distance_km`, and
    units with a limit are grouped by base as well). The MILP therefore chooses a
    number of teams per *class* and demand, `x[k, j]` in 0..min(N_k, ceil(need_j /
    s_k)), with `sum_j x[k, j] <= N_k` and `shortfall_j >= need_j - sum_k s_k x[k, j]`.
    This is exact for objective (1). The concrete teams of a class are then matched to
    the class's slots by a min-cost flow over their real distances, which is exact for
    objective (2) given the counts.
  * Decomposition. Sectors are independent except through reserves; the planner
    unions the sectors a reserve class can reach and solves each connected component
    separately (a provincial package with governorate-wide reserves is one component;
    a national package whose reserves are held to their governorate by
    `max_distance_km` splits into one component per governorate). Components are
    solved in parallel worker processes that the coordinator can stop: HiGHS can
    overrun its own time limit on large models, and a stopped component falls back to
    its LP-rounding or greedy solution.

  Per component (solver "highs", the default):
    1. the LP relaxation (the split-headcount bound) and three starts: LP rounding
       (round down, repair greedily), an exact-fit subset-sum construction (plain and
       LP-guided) and the greedy plan;
    2. column generation on the pattern formulation (see `_cg_solve`): a Lagrangian
       bound much tighter than the LP's, valid at every iteration;
    3. rounding of the pattern LP: demands whose pattern is integral keep it, the few
       others (at most one per class) are re-solved as a small compact MILP; if that
       plan is not proven, the master over the generated patterns is solved as a MILP
       (price-and-branch, `_master_milp`) for a quarter of the time left;
    4. if that plan meets the bound it is proven optimal; otherwise a large-
       neighbourhood search (`_lns`) re-solves one sector or reserve area at a time
       exactly, the rest fixed, in rounds (`_improve`): after a round that improved
       the plan, column generation runs again seeded with it and its rounding is
       kept when better, until the bound is met or the time is up; before that, when
       one sector holds most of what separates the plan from the bound, a stronger
       Lagrangian bound (`_sector_bound`) relaxes only the reserves' capacities and
       solves that sector's whole-team MILP;
    5. phase 2 keeps the shortfall at most phase 1's and minimises the class-mean
       travel with what is left of the time. Two phases instead of one epsilon-weighted
       objective keep the order strictly lexicographic whatever the weights are.
  Solver "highs-compact" and "cbc" skip steps 2-4 (the compact MILP alone, with HiGHS
  or with CBC through PuLP); they are kept to measure against (docs/benchmarks.md).
  The reported bound is the largest valid one (LP, pattern or sector Lagrangian for
  "highs"; LP or MILP dual bound for the compact solvers), summed over components.

Re-planning (`optimize(..., current=...)`) adds, in phase 2, one unit of cost per team
moved away from its current slot (and travel scaled below one move), and keeps teams in
place first when the counts are matched to concrete units.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import numpy as np

from pollguard.core.geo import distance_matrix_km
from pollguard.core.model import SWEEP_KINDS, Center, ElectionPackage, Unit, UnitKind
from pollguard.core.planning.plan import Assignment, Shortfall
from pollguard.core.planning.requirements import Requirement, planned_centers, requirements

__all__ = [
    "BoundError",
    "CordonInstance",
    "CordonResult",
    "bound_tolerance",
    "build_instance",
    "check_bound",
    "evaluate",
    "flow_bound",
    "greedy",
    "optimize",
]

Progress = Callable[[str], None]
UnitSlot = tuple[int, int]  # (unit index, demand index)


def _quiet(_: str) -> None:
    return None


class BoundError(RuntimeError):
    """An internal error: a solver reported a lower bound above a plan's objective.

    A valid bound can never exceed any plan's objective; one that does is a solver bug,
    and clipping it to the objective would hide the bug behind a plan "proven optimal".
    """


def bound_tolerance(objective: float) -> float:
    """Float noise allowed between a bound and an objective (solver tolerances)."""
    return 1e-6 * max(1.0, abs(objective))


def check_bound(bound: float, objective: float, where: str) -> float:
    """`bound`, unchanged; raises BoundError when it is above `objective` beyond noise."""
    if bound > objective + bound_tolerance(objective):
        raise BoundError(f"{where}: bound {bound!r} above objective {objective!r}")
    return bound


# Stage markers: each solver stage that really runs notes its name here; the component
# result carries them (so a test can see which stages a package reaches).
_STAGES: list[str] = []


def _mark(stage: str) -> None:
    if stage not in _STAGES:
        _STAGES.append(stage)


# The best plan so far of the component being solved, sent to the parent as it improves
# (a worker stopped at the time limit then falls back to it, not to its starting plan).
_BEST: dict[str, Any] = {"send": None, "value": math.inf, "bound": 0.0}


def _report(model: ComponentModel, x: np.ndarray | None, bound: float) -> None:
    """Send a better plan, or (x None) a better bound, to the parent."""
    send = _BEST["send"]
    if send is None:
        return
    if x is not None and _feasible(model, x):
        value = _shortfall(model, x)
        if value < _BEST["value"] - 1e-9:
            _BEST["value"] = value
            _BEST["bound"] = max(_BEST["bound"], bound)
            send(_BEST["bound"], x.copy())
            return
    if bound > _BEST["bound"] + 1e-9:
        _BEST["bound"] = bound
        send(bound, None)


# --- the instance ---------------------------------------------------------------------


@dataclass
class TeamClass:
    """Interchangeable teams: same kind, size and eligible centers (see module doc)."""

    kind: UnitKind
    size: int
    sector: str | None
    members: np.ndarray  # unit indices, in package order
    teams: np.ndarray  # team count per member
    centers: np.ndarray  # eligible planned-center indices
    dist: np.ndarray  # km, members x eligible centers
    demands: np.ndarray  # eligible demand indices
    demand_col: np.ndarray  # column of `centers` for each eligible demand

    @property
    def total(self) -> int:
        return int(self.teams.sum())


@dataclass
class CordonInstance:
    """The cordon problem of one package under given risks, indexed for the solvers."""

    centers: list[Center]
    units: list[Unit]
    demands: list[Requirement]
    classes: list[TeamClass]
    risks: Mapping[str, float]
    center_index: dict[str, int] = field(default_factory=dict)
    unit_index: dict[str, int] = field(default_factory=dict)
    demand_index: dict[tuple[str, str], int] = field(default_factory=dict)
    unit_class: dict[int, int] = field(default_factory=dict)
    # demand index -> [(class index, column in that class's centers)]
    candidates: list[list[tuple[int, int]]] = field(default_factory=list)

    @property
    def need(self) -> np.ndarray:
        return np.array([d.need for d in self.demands], dtype=float)

    @property
    def weight(self) -> np.ndarray:
        return np.array([d.weight for d in self.demands], dtype=float)


def cordon_units(pkg: ElectionPackage) -> list[Unit]:
    """Units that can form cordon teams: a kind some role accepts, not EOD/K9, >= 1 team."""
    kinds: set[UnitKind] = set()
    for role in pkg.policy.roles.values():
        kinds |= set(role.kinds)
    kinds -= SWEEP_KINDS
    return [u for u in pkg.units if u.kind in kinds and u.team_count > 0]


def build_instance(pkg: ElectionPackage, risks: Mapping[str, float]) -> CordonInstance:
    """Index centers, units and demands; group units into classes with their distances."""
    centers = planned_centers(pkg)
    units = cordon_units(pkg)
    demands = requirements(pkg, risks)
    inst = CordonInstance(centers=centers, units=units, demands=demands, classes=[], risks=risks)
    inst.center_index = {c.code: i for i, c in enumerate(centers)}
    inst.unit_index = {u.code: i for i, u in enumerate(units)}
    inst.demand_index = {(d.center, d.role): j for j, d in enumerate(demands)}
    inst.candidates = [[] for _ in demands]
    by_sector: dict[str, list[int]] = {}
    for i, c in enumerate(centers):
        by_sector.setdefault(c.sector, []).append(i)
    all_centers = np.arange(len(centers))
    clat = np.array([c.lat for c in centers], dtype=float)
    clon = np.array([c.lon for c in centers], dtype=float)
    roles_of: dict[UnitKind, list[str]] = {}
    for name, role in sorted(pkg.policy.roles.items()):
        for kind in role.kinds:
            roles_of.setdefault(kind, []).append(name)

    # Units are interchangeable when they have the same kind and team size and may serve
    # exactly the same centers (their sector, cut by their distance limit): the class key
    # is that set itself, not the unit's base, so units with distance limits whose bases
    # differ but reach the same centers share one class.
    rough: dict[tuple[Any, ...], list[int]] = {}
    for i, u in enumerate(units):
        rough.setdefault((u.kind.value, u.effective_team_size, u.sector or ""), []).append(i)
    fine: dict[tuple[Any, ...], list[tuple[int, np.ndarray, np.ndarray]]] = {}
    for key in sorted(rough):
        members = rough[key]
        first = units[members[0]]
        pool = (
            all_centers
            if first.sector is None
            else np.array(by_sector.get(first.sector, []), dtype=int)
        )
        mlat = np.array([units[m].lat for m in members], dtype=float)
        mlon = np.array([units[m].lon for m in members], dtype=float)
        dist = (
            distance_matrix_km(mlat, mlon, clat[pool], clon[pool])
            if len(pool)
            else np.zeros((len(members), 0))
        )
        for row, m in enumerate(members):
            limit = units[m].max_distance_km
            keep = np.ones(len(pool), dtype=bool) if limit is None else dist[row] <= limit + 1e-9
            reach = pool[keep]
            fine.setdefault((key[0], key[1], reach.tobytes()), []).append(
                (m, reach, dist[row, keep])
            )

    for key in sorted(fine, key=lambda k: (k[0], k[1], fine[k][0][0])):
        rows = sorted(fine[key], key=lambda r: r[0])
        members = [m for m, _, _ in rows]
        first = units[members[0]]
        pool = rows[0][1]
        dist = np.vstack([d for _, _, d in rows]) if len(pool) else np.zeros((len(members), 0))
        sectors = {units[m].sector for m in members}
        sector = first.sector if len(sectors) == 1 else None
        dem: list[int] = []
        col: list[int] = []
        roles = roles_of.get(first.kind, [])
        for c_col, c_idx in enumerate(pool.tolist()):
            code = centers[c_idx].code
            for role_name in roles:
                j = inst.demand_index.get((code, role_name))
                if j is not None:
                    dem.append(j)
                    col.append(c_col)
        if not dem:
            continue  # idle class: nothing it may serve needs anyone
        k = len(inst.classes)
        inst.classes.append(
            TeamClass(
                kind=first.kind,
                size=first.effective_team_size,
                sector=sector,
                members=np.array(members, dtype=int),
                teams=np.array([units[m].team_count for m in members], dtype=int),
                centers=pool,
                dist=dist,
                demands=np.array(dem, dtype=int),
                demand_col=np.array(col, dtype=int),
            )
        )
        for m in members:
            inst.unit_class[m] = k
        for j, c_col in zip(dem, col, strict=True):
            inst.candidates[j].append((k, c_col))
    return inst


# --- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class CordonResult:
    """A whole-team deployment, its objective and what is proven about it."""

    teams: Mapping[UnitSlot, int]  # (unit index, demand index) -> whole teams
    assignments: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...]
    objective: float
    bound: float
    flow_bound: float
    travel_km: float
    solver: str
    status: str
    seconds: float
    components: int = 0
    moves: int | None = None
    details: tuple[Mapping[str, Any], ...] = ()
    from_start: bool = False  # the optimizer did worse and its start plan was kept


def evaluate(
    inst: CordonInstance, teams: Mapping[UnitSlot, int]
) -> tuple[float, float, np.ndarray]:
    """(weighted shortfall, travel in team-km, people assigned per demand)."""
    assigned = np.zeros(len(inst.demands))
    travel = 0.0
    for (u, j), n in teams.items():
        if n <= 0:
            continue
        k = inst.unit_class[u]
        cls = inst.classes[k]
        assigned[j] += n * cls.size
        row = int(np.searchsorted(cls.members, u))
        col = int(np.searchsorted(cls.centers, inst.center_index[inst.demands[j].center]))
        travel += n * float(cls.dist[row, col])
    short = np.maximum(0.0, inst.need - assigned)
    return float((short * inst.weight).sum()), travel, assigned


def _result(
    inst: CordonInstance,
    teams: Mapping[UnitSlot, int],
    *,
    bound: float,
    flow: float,
    solver: str,
    status: str,
    seconds: float,
    components: int = 0,
    moves: int | None = None,
    details: tuple[Mapping[str, Any], ...] = (),
    from_start: bool = False,
) -> CordonResult:
    objective, travel, assigned = evaluate(inst, teams)
    assignments = []
    for (u, j), n in sorted(
        teams.items(),
        key=lambda item: (
            inst.demands[item[0][1]].center,
            inst.demands[item[0][1]].role,
            inst.units[item[0][0]].code,
        ),
    ):
        if n > 0:
            unit = inst.units[u]
            d = inst.demands[j]
            assignments.append(
                Assignment(unit.code, d.center, d.role, n * unit.effective_team_size)
            )
    shortfalls = tuple(
        Shortfall(d.center, d.role, int(d.need - assigned[j]))
        for j, d in enumerate(inst.demands)
        if assigned[j] < d.need
    )
    return CordonResult(
        teams=dict(teams),
        assignments=tuple(assignments),
        shortfalls=shortfalls,
        objective=objective,
        bound=check_bound(bound, objective, "cordon plan"),
        flow_bound=flow,
        travel_km=travel,
        solver=solver,
        status=status,
        seconds=seconds,
        components=components,
        moves=moves,
        details=details,
        from_start=from_start,
    )


# --- greedy ---------------------------------------------------------------------------


def greedy(inst: CordonInstance) -> CordonResult:
    """The spreadsheet method (the reference the optimizer is measured against)."""
    started = time.perf_counter()
    remaining = np.zeros(len(inst.units), dtype=int)
    for cls in inst.classes:
        remaining[cls.members] = cls.teams
    teams: dict[UnitSlot, int] = {}
    order = sorted(
        range(len(inst.centers)),
        key=lambda i: (-inst.risks.get(inst.centers[i].code, 0.0), inst.centers[i].code),
    )
    by_center: dict[str, list[int]] = {}
    for j, d in enumerate(inst.demands):
        by_center.setdefault(d.center, []).append(j)
    for i in order:
        js = sorted(
            by_center.get(inst.centers[i].code, []),
            key=lambda j: (-inst.demands[j].weight, inst.demands[j].role),
        )
        for j in js:
            short = inst.demands[j].need
            while short > 0:
                best: tuple[float, str, int] | None = None
                for k, col in inst.candidates[j]:
                    cls = inst.classes[k]
                    avail = remaining[cls.members] > 0
                    if not avail.any():
                        continue
                    km = np.where(avail, cls.dist[:, col], np.inf)
                    row = int(np.argmin(km))
                    u = int(cls.members[row])
                    cand = (float(km[row]), inst.units[u].code, u)
                    if best is None or cand[:2] < best[:2]:
                        best = cand
                if best is None:
                    break
                u = best[2]
                remaining[u] -= 1
                teams[(u, j)] = teams.get((u, j), 0) + 1
                short -= inst.units[u].effective_team_size
    return _result(
        inst,
        teams,
        bound=0.0,
        flow=0.0,
        solver="greedy",
        status="heuristic",
        seconds=time.perf_counter() - started,
    )


# --- components and their aggregated models -------------------------------------------


@dataclass
class ComponentModel:
    """The aggregated whole-team model of one independent part (plain data: picklable)."""

    name: str
    class_ids: list[int]
    demand_ids: list[int]
    cap: np.ndarray  # teams per class
    size: np.ndarray  # team size per class
    need: np.ndarray
    weight: np.ndarray
    pair_k: np.ndarray  # local class of each pair
    pair_j: np.ndarray  # local demand of each pair
    pair_cost: np.ndarray  # class-mean km from base to the pair's center
    pair_ub: np.ndarray
    demand_group: np.ndarray | None = None  # sector of each demand (as an int), for bounds
    warm: list[np.ndarray] = field(default_factory=list)  # candidate starts, teams per pair
    current: np.ndarray | None = None  # teams per pair in the plan being re-planned

    @property
    def size_hint(self) -> int:
        return len(self.pair_k) + len(self.need)


def components(inst: CordonInstance) -> list[tuple[list[int], list[int]]]:
    """Independent parts: (class indices, demand indices), largest first."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for c in inst.centers:
        find(c.sector)
    for cls in inst.classes:
        sectors = {inst.centers[i].sector for i in cls.centers.tolist()}
        first, *rest = sorted(sectors)
        for s in rest:
            ra, rb = find(first), find(s)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    demand_parts: dict[str, list[int]] = {}
    for j, d in enumerate(inst.demands):
        root = find(inst.centers[inst.center_index[d.center]].sector)
        demand_parts.setdefault(root, []).append(j)
    class_parts: dict[str, list[int]] = {}
    for k, cls in enumerate(inst.classes):
        root = find(inst.centers[int(cls.centers[0])].sector)
        class_parts.setdefault(root, []).append(k)
    parts = [(class_parts.get(root, []), js) for root, js in demand_parts.items()]
    parts.sort(key=lambda p: (-len(p[1]), p[1][0] if p[1] else 0))
    return parts


def _model(
    inst: CordonInstance, name: str, class_ids: list[int], demand_ids: list[int]
) -> ComponentModel:
    local_j = {j: i for i, j in enumerate(demand_ids)}
    need = np.array([inst.demands[j].need for j in demand_ids], dtype=float)
    pk: list[int] = []
    pj: list[int] = []
    cost: list[float] = []
    ub: list[int] = []
    for lk, k in enumerate(class_ids):
        cls = inst.classes[k]
        mean = (cls.dist * cls.teams[:, None]).sum(axis=0) / max(1, cls.total)
        for j, col in zip(cls.demands.tolist(), cls.demand_col.tolist(), strict=True):
            pk.append(lk)
            pj.append(local_j[j])
            cost.append(float(mean[col]))
            ub.append(min(cls.total, math.ceil(inst.demands[j].need / cls.size)))
    sectors: dict[str, int] = {}
    group = [
        sectors.setdefault(
            inst.centers[inst.center_index[inst.demands[j].center]].sector, len(sectors)
        )
        for j in demand_ids
    ]
    return ComponentModel(
        name=name,
        class_ids=class_ids,
        demand_ids=demand_ids,
        demand_group=np.array(group, dtype=int),
        cap=np.array([inst.classes[k].total for k in class_ids], dtype=float),
        size=np.array([inst.classes[k].size for k in class_ids], dtype=float),
        need=need,
        weight=np.array([inst.demands[j].weight for j in demand_ids], dtype=float),
        pair_k=np.array(pk, dtype=int),
        pair_j=np.array(pj, dtype=int),
        pair_cost=np.array(cost, dtype=float),
        pair_ub=np.array(ub, dtype=float),
    )


def _aggregate(
    model: ComponentModel, inst: CordonInstance, teams: Mapping[UnitSlot, int]
) -> np.ndarray:
    """Teams per pair of a unit-level solution."""
    index = {
        (int(model.class_ids[k]), int(model.demand_ids[j])): p
        for p, (k, j) in enumerate(zip(model.pair_k.tolist(), model.pair_j.tolist(), strict=True))
    }
    x = np.zeros(len(model.pair_k))
    for (u, j), n in teams.items():
        p = index.get((inst.unit_class[u], j))
        if p is not None:
            x[p] += n
    return x


# --- per-component solve (runs in a worker process) ------------------------------------


def _shortfall(model: ComponentModel, x: np.ndarray) -> float:
    assigned = np.bincount(
        model.pair_j, weights=x * model.size[model.pair_k], minlength=len(model.need)
    )
    return float((np.maximum(0.0, model.need - assigned) * model.weight).sum())


def _feasible(model: ComponentModel, x: np.ndarray) -> bool:
    if np.any(x < -1e-9) or np.any(x > model.pair_ub + 1e-9):
        return False
    used = np.bincount(model.pair_k, weights=x, minlength=len(model.cap))
    return bool(np.all(used <= model.cap + 1e-9))


def _moves(model: ComponentModel, x: np.ndarray) -> float:
    if model.current is None:
        return 0.0
    return float(np.maximum(0.0, model.current - x).sum())


def _repair(model: ComponentModel, x: np.ndarray) -> np.ndarray:
    """Fill what is left greedily: the team that removes the most weighted shortfall first."""
    x = x.copy()
    used = np.bincount(model.pair_k, weights=x, minlength=len(model.cap))
    free = model.cap - used
    assigned = np.bincount(
        model.pair_j, weights=x * model.size[model.pair_k], minlength=len(model.need)
    )
    resid = np.maximum(0.0, model.need - assigned)
    size = model.size[model.pair_k]
    while True:
        gain = model.weight[model.pair_j] * np.minimum(size, resid[model.pair_j])
        gain[(free[model.pair_k] < 0.5) | (x >= model.pair_ub - 1e-9)] = 0.0
        # Value per person sent: a team that fits its need exactly beats a bigger team
        # that would waste people a later need could use. Ties: more value, then nearer.
        score = gain / size + 1e-6 * gain - 1e-12 * model.pair_cost
        p = int(np.argmax(score))
        if gain[p] <= 1e-12:
            return x
        x[p] += 1
        free[model.pair_k[p]] -= 1
        resid[model.pair_j[p]] = max(0.0, resid[model.pair_j[p]] - size[p])


def _exact_fit(model: ComponentModel, guide: np.ndarray | None = None) -> np.ndarray:
    """A constructive start that wastes few people.

    Demands in decreasing cost of a missing person; each takes, from what is still free,
    the combination of teams (a small bounded subset-sum over its eligible classes) that
    covers it with the least overshoot, else comes closest; among equal overshoots the
    one that uses the least versatile people (classes eligible for fewer demands), so
    that general-purpose teams and reserves stay free for the needs only they can fill.
    With `guide` (the LP solution), teams of a class the LP sends to the demand cost a
    tenth: the LP knows where each class is needed globally, the subset-sum rounds it.
    """
    P = len(model.pair_k)
    x = np.zeros(P)
    free = model.cap.copy()
    versatility = np.bincount(model.pair_k, minlength=len(model.cap)) / max(1, len(model.need))
    order_p = np.argsort(model.pair_j, kind="stable")
    bounds = np.searchsorted(model.pair_j[order_p], np.arange(len(model.need) + 1))
    team_cost = model.size * (1.0 + versatility)
    for j in np.lexsort((np.arange(len(model.need)), -model.weight)).tolist():
        need = int(model.need[j])
        pairs = [int(p) for p in order_p[bounds[j] : bounds[j + 1]] if free[model.pair_k[p]] >= 1]
        if not pairs or need <= 0:
            continue
        limit = need + int(max(model.size[model.pair_k[p]] for p in pairs)) - 1
        best: dict[int, tuple[float, tuple[tuple[int, int], ...]]] = {0: (0.0, ())}
        for p in pairs:
            k = int(model.pair_k[p])
            size = int(model.size[k])
            most = int(min(free[k], model.pair_ub[p]))
            unit_cost = float(team_cost[k])
            if guide is not None and guide[p] > 1e-6:
                unit_cost *= 0.1
            grown = dict(best)
            for total, (cost, used) in best.items():
                for n in range(1, most + 1):
                    reach = total + n * size
                    if reach > limit:
                        break
                    value = cost + n * unit_cost
                    if reach not in grown or value < grown[reach][0]:
                        grown[reach] = (value, (*used, (p, n)))
            best = grown
        covered = [t for t in best if t >= need]
        pick = min(covered, key=lambda t: (t, best[t][0])) if covered else max(best)
        for p, n in best[pick][1]:
            x[p] += n
            free[model.pair_k[p]] -= n
    return x


@dataclass
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


def _lp_relaxation(model: ComponentModel) -> tuple[float, np.ndarray]:
    """Split-headcount optimum of the component and its solution (teams per pair)."""
    import highspy

    h = _highs_model(model, integer=False)
    h.setOptionValue("solver", "simplex")
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return 0.0, np.zeros(len(model.pair_k))
    # The dual objective of an optimal simplex solve is a bound; the primal value agrees
    # with it to the solver's tolerance, which `max(..., 0)` and callers absorb.
    value = float(h.getInfo().objective_function_value)
    x = np.array(h.getSolution().col_value[: len(model.pair_k)])
    return max(0.0, value - 1e-7 * max(1.0, abs(value))), x


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
) -> tuple[np.ndarray, float, str, np.ndarray | None, bool]:
    """(x, dual bound, status, phase-2 x or None, phase 2 ran).

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
        return x, bound, label, None, False
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
    return x, bound, label, x2, True


_CBC_BOUND = re.compile(r"^Lower bound:\s*(-?[0-9.eE+-]+)", re.MULTILINE)


def _cbc_milp(
    model: ComponentModel, start: np.ndarray, limit: float, seed: int, deadline: float
) -> tuple[np.ndarray, float, str, np.ndarray | None, bool]:
    """CBC through PuLP. Status is read from `sol_status`, never from `status` alone:
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
    return best, bound, status, None, False


# --- column generation: the per-demand (pattern) formulation ------------------------------
#
# The compact model's LP relaxation lets a need of 7 be met by 7/12 of a 12-person team,
# so its bound is weak exactly where whole teams matter, and branch-and-bound spends its
# time closing that gap. The pattern formulation gives each demand a choice among
# *patterns* (how many teams of each eligible class it receives) with the class
# capacities as the only coupling rows:
#
#     min sum_q c_q l_q   s.t.  sum_{q of j} l_q = 1 (each demand j),
#                               sum_q a_kq l_q <= N_k (each class k),  l in {0, 1}
#
# where c_q = w_j * max(0, need_j - sum_k s_k a_kq). Its LP relaxation convexifies each
# demand's knapsack (Dantzig-Wolfe), which is much tighter. Patterns are generated on
# demand: with class prices -pi_k from the master LP's duals, the best pattern of every
# demand is a bounded knapsack over coverage, solved for all demands at once by a
# vectorised dynamic program. For any pi <= 0 the Lagrangian
#
#     L(pi) = sum_j min_q (c_q - sum_k pi_k a_kq) + sum_k pi_k N_k
#
# is a valid lower bound, so the bound holds even when generation stops early. The
# plan is then the best integer choice among the generated patterns (price-and-branch),
# warm-started from the best start; it is a feasible plan, and its quality is measured
# against L, never assumed.

Pattern = tuple[tuple[int, int], ...]  # ((pair, teams), ...)


class _Pricer:
    """Best pattern of every demand under class prices (vectorised bounded knapsack)."""

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
        self.rows = np.arange(J)[:, None]

    def price(self, prices: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """(best value per demand, best coverage per demand, choices per slot)."""
        J = len(self.need)
        inf = np.inf
        F = np.full((J, self.top + 1), inf)
        F[:, 0] = 0.0
        choices: list[np.ndarray] = []
        for i in range(self.width):
            s = self.size[:, i][:, None]
            u = self.ub[:, i][:, None]
            p = prices[self.cls[:, i]][:, None]
            G = F.copy()
            C = np.zeros(F.shape, dtype=np.int16)
            most = int(self.ub[:, i].max())
            for a in range(1, most + 1):
                src = self.grid[None, :] - a * s
                ok = (src >= 0) & (a <= u)
                cand = np.where(ok, F[self.rows, np.maximum(src, 0)] + a * p, inf)
                better = cand < G - 1e-12
                if better.any():
                    G = np.where(better, cand, G)
                    C = np.where(better, a, C)
            F = G
            choices.append(C)
        cost = self.weight[:, None] * np.maximum(0.0, self.need[:, None] - self.grid[None, :]) + F
        best_t = np.argmin(cost, axis=1)
        return cost[np.arange(J), best_t], best_t, choices

    def pattern(self, j: int, t: int, choices: list[np.ndarray]) -> Pattern:
        used: list[tuple[int, int]] = []
        for i in range(self.width - 1, -1, -1):
            a = int(choices[i][j, t])
            if a:
                used.append((int(self.pair[j, i]), a))
                t -= a * int(self.size[j, i])
        return tuple(sorted(used))


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
) -> tuple[np.ndarray | None, float, str, np.ndarray]:
    """(best x among generated patterns or None, Lagrangian bound, status, the class
    prices of the best bound).

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
        values, best_t, choices = pricer.price(-pi)
        value = float(values.sum() + (pi * model.cap).sum())
        if value > bound:
            bound, best_pi = value, pi
            _report(model, None, bound)  # the parent keeps it if this worker is stopped
        mu = duals[:J]
        improving = np.nonzero(values - mu < -1e-7 * np.maximum(1.0, np.abs(mu)))[0]
        if len(improving) == 0 or lp_value - bound <= 1e-6 * max(1.0, lp_value):
            bound = max(bound, lp_value if len(improving) == 0 else bound)
            break
        if time.perf_counter() > stop_at:
            break
        add(h, [(int(j), pricer.pattern(int(j), int(best_t[j]), choices)) for j in improving])
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None, bound, "time_limit", best_pi
    # Rounding the pattern LP: a basic solution has at most K fractional demands (one
    # convexity row per demand, K capacity rows), so keeping every demand whose pattern
    # is integral and re-solving only the others, as a small compact MILP on the
    # capacity left, loses little; that MILP is small enough to solve properly.
    if not math.isfinite(lp_value):
        return None, bound, "time_limit", best_pi
    values = np.array(h.getSolution().col_value)
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
        sub, back = _submodel(model, open_j, np.maximum(0.0, model.cap - used))
        sub_start = _repair(sub, _exact_fit(sub))
        if len(sub.pair_k):
            left = max(0.05, 0.6 * (deadline - time.perf_counter()))
            sub_end = time.perf_counter() + left
            sub_x, _, _, sub_x2, _ = _highs_milp(sub, sub_start, left, seed, sub_end)
            if sub_x2 is not None and _shortfall(sub, sub_x2) <= _shortfall(sub, sub_x) + 1e-9:
                sub_x = sub_x2
            x[back] += sub_x
    if not _feasible(model, x):
        return None, bound, "time_limit", best_pi
    if master_share > 0 and not _proven(_shortfall(model, x), bound):
        limit = master_share * (deadline - time.perf_counter())
        if limit > 0.1:
            _mark("price_and_branch")
            x = _master_milp(model, h, x, col_q, add, pool, limit, seed)
    status = "optimal" if _proven(_shortfall(model, x), bound) else "time_limit"
    return x, bound, status, best_pi


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


def _submodel(
    model: ComponentModel, demands: np.ndarray, cap: np.ndarray
) -> tuple[ComponentModel, np.ndarray]:
    """The model restricted to some demands with the given capacities, and the map from
    its pairs back to the parent's pairs."""
    local = np.full(len(model.need), -1, dtype=int)
    local[demands] = np.arange(len(demands))
    keep = np.nonzero(local[model.pair_j] >= 0)[0]
    sub = ComponentModel(
        name=model.name,
        class_ids=model.class_ids,
        demand_ids=[model.demand_ids[int(j)] for j in demands],
        cap=cap,
        size=model.size,
        need=model.need[demands],
        weight=model.weight[demands],
        pair_k=model.pair_k[keep],
        pair_j=local[model.pair_j[keep]],
        pair_cost=model.pair_cost[keep],
        pair_ub=np.minimum(model.pair_ub[keep], cap[model.pair_k[keep]]),
        demand_group=None if model.demand_group is None else model.demand_group[demands],
    )
    return sub, keep


MASTER_SHARE = 0.25
"""Share of the time left after column generation for the master MILP (price-and-branch)."""
COMPACT_CLASSES = 400
"""The compact MILP runs after column generation when a part has at most this many classes,"""
COMPACT_SHARE = 0.5
"""for this share of the time left (see docs/planning.md, "Time")."""
LAG_SHARE = 0.9
"""Share of what is then left for the sector bound; the rest: search again, then travel."""
CONCENTRATED = 0.8
"""The sector bound's MILPs run only when one group holds this share of the gap."""
OPTIMALITY_GAP = 1e-4
"""A plan within 0.01 % of its bound counts as optimal (HiGHS's default MIP gap)."""


def _proven(value: float, bound: float) -> bool:
    return value - bound <= OPTIMALITY_GAP * max(1.0, value)


def _sector_bound(
    model: ComponentModel, pi: np.ndarray, x: np.ndarray, deadline: float, seed: int
) -> tuple[float, np.ndarray]:
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
        return 0.0, x
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
    values, _, _ = _Pricer(model).price(-pi)
    class_group = np.full(K, -1)
    for k in np.nonzero(~spans)[0].tolist():
        ds = model.pair_j[model.pair_k == k]
        if len(ds):
            class_group[k] = find(int(ds[0]))
    total = float((pi * model.cap)[spans].sum())
    open_: list[tuple[float, ComponentModel, np.ndarray, float]] = []
    for root, demands in groups.items():
        floor = float(values[demands].sum() + (pi * model.cap)[class_group == root].sum())
        floor -= 1e-7 * max(1.0, abs(floor))
        sub, back = _submodel(model, np.array(demands, dtype=int), model.cap.copy())
        mine = x[back]
        value = _shortfall(sub, mine) + float((price[sub.pair_k] * mine).sum())
        if value - floor > 1e-6 * max(1.0, value) and len(sub.pair_k):
            open_.append((value - floor, sub, back, floor))
        else:
            total += floor
    open_.sort(key=lambda item: -item[0])
    left_gap = sum(item[0] for item in open_)
    if open_ and open_[0][0] < CONCENTRATED * left_gap:
        # The gap is spread over several groups: none of their MILPs would be solved far
        # enough in the time there is to raise the bound (measured on the national
        # benchmark's parts), and the search needs the time more. Pattern bounds only.
        return total + sum(item[3] for item in open_), x
    _mark("sector_bound")
    plan = x.copy()
    value = _shortfall(model, plan)
    for gap, sub, back, floor in open_:
        left = deadline - time.perf_counter()
        best = floor
        if left > 0.1:
            found, sub_x = _group_bound(sub, plan[back], price, left * gap / left_gap, seed)
            best = max(best, found)
            if sub_x is not None:
                candidate = plan.copy()
                candidate[back] = sub_x
                if _feasible(model, candidate) and _shortfall(model, candidate) < value - 1e-9:
                    plan, value = candidate, _shortfall(model, candidate)
        left_gap -= gap
        total += best
    return total, plan


def _group_bound(
    sub: ComponentModel, x: np.ndarray, price: np.ndarray, limit: float, seed: int
) -> tuple[float, np.ndarray | None]:
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
        return 0.0, sub_x
    # The dual bound is HiGHS's to its tolerances; keep a margin of the same order.
    return max(0.0, value - 1e-7 * max(1.0, abs(value))), sub_x


def _improve(
    model: ComponentModel,
    x: np.ndarray,
    bound: float,
    starts: list[np.ndarray],
    deadline: float,
    seed: int,
) -> np.ndarray:
    """Neighbourhood search in rounds; after a round that improved the plan, column
    generation again with the plan's patterns among the starting columns, and its
    rounding. The pattern LP has many optimal solutions; seeded with a better plan it
    lands on another one whose rounding is often better than what the search reaches
    by local moves (measured: provincial seed 1 from 194.0 to 191.5, the optimum)."""
    best = x
    value = _shortfall(model, best)
    rounds = 0
    while time.perf_counter() < deadline - 0.1 and not _proven(value, bound):
        left = deadline - time.perf_counter()
        chunk = left if rounds >= 3 else max(0.5, 0.35 * left)
        rounds += 1
        found = _lns(model, best, bound, time.perf_counter() + chunk, seed + rounds)
        found_value = _shortfall(model, found)
        if found_value >= value - 1e-9:
            continue
        best, value = found, found_value
        if deadline - time.perf_counter() < 0.3:
            break
        cg_x, _, _, _ = _cg_solve(model, [best, *starts], deadline, seed, share=0.5)
        if cg_x is not None and _shortfall(model, cg_x) < value - 1e-9:
            best, value = cg_x, _shortfall(model, cg_x)
    return best


def _lns(
    model: ComponentModel, x: np.ndarray, bound: float, deadline: float, seed: int
) -> np.ndarray:
    """Large-neighbourhood search: re-solve the demands one class can reach (its sector,
    or a reserve's area) exactly, the rest fixed, until the bound is met or time is up.

    Each neighbourhood is a small compact MILP warm-started from the current plan, so
    the plan can only improve; neighbourhoods are drawn around demands still short,
    weighted by their cost.
    """
    import random as _random

    _mark("neighbourhood_search")
    rng = _random.Random(seed)
    best = x.copy()
    best_value = _shortfall(model, best)
    K = len(model.cap)
    demands_of = [np.unique(model.pair_j[model.pair_k == k]) for k in range(K)]
    classes_of: list[list[int]] = [[] for _ in model.need]
    for k in range(K):
        for j in demands_of[k].tolist():
            classes_of[j].append(k)
    tried: set[tuple[int, ...]] = set()
    while time.perf_counter() < deadline - 0.05:
        if _proven(best_value, bound):
            break
        assigned = np.bincount(
            model.pair_j, weights=best * model.size[model.pair_k], minlength=len(model.need)
        )
        short = np.maximum(0.0, model.need - assigned) * model.weight
        candidates = np.nonzero(short > 0)[0]
        if len(candidates) == 0:
            break
        j = int(rng.choices(candidates.tolist(), weights=short[candidates].tolist())[0])
        if not classes_of[j]:
            continue
        k = rng.choice(classes_of[j])
        area = set(demands_of[k].tolist())
        # Add a second class's area now and then, so reserves can trade with sectors.
        if len(area) < 250 and len(classes_of[j]) > 1:
            other = rng.choice(classes_of[j])
            area |= set(demands_of[other].tolist())
        key = tuple(sorted(area))
        if key in tried and len(tried) < 4 * K:
            continue
        tried.add(key)
        chosen = np.array(sorted(area), dtype=int)
        inside = np.zeros(len(model.need), dtype=bool)
        inside[chosen] = True
        outside_use = np.bincount(
            model.pair_k, weights=np.where(inside[model.pair_j], 0.0, best), minlength=K
        )
        sub, back = _submodel(model, chosen, np.maximum(0.0, model.cap - outside_use))
        if not len(sub.pair_k):
            continue
        start = best[back]
        limit = min(deadline - time.perf_counter(), 2.0)
        if limit < 0.1:
            break
        sub_x, _, _, _, _ = _highs_milp(
            sub, start, limit, seed, time.perf_counter() + limit, phase2_cap=0.0
        )
        candidate = best.copy()
        candidate[back] = sub_x
        value = _shortfall(model, candidate)
        if value < best_value - 1e-9 and _feasible(model, candidate):
            best, best_value = candidate, value
            _report(model, best, bound)
    return best


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
    lp_bound, lp_x = _lp_relaxation(model)
    rounded = _repair(model, np.floor(lp_x + 1e-6))
    for guide in (lp_x, None):
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
        cg_x, cg_bound, _, cg_pi = _cg_solve(
            model, starts, deadline, seed, share=0.4, master_share=MASTER_SHARE
        )
        if cg_x is not None and _shortfall(model, cg_x) <= objective + 1e-9:
            start = cg_x
        _report(model, start, max(cg_bound, lp_bound))
        if not _proven(_shortfall(model, start), cg_bound) and len(model.cap) <= COMPACT_CLASSES:
            # The compact MILP over classes, warm-started from the best plan: where classes
            # are few it often closes what column generation's rounding leaves (issue 9).
            left = deadline - time.perf_counter()
            _mark("compact_milp")
            mx, mbound, _, _, _ = _highs_milp(
                model,
                start,
                COMPACT_SHARE * left,
                seed,
                deadline,
                phase2_cap=0.0,
            )
            cg_bound = max(cg_bound, mbound)
            if _shortfall(model, mx) < _shortfall(model, start) - 1e-9:
                start = mx
            _report(model, start, max(cg_bound, lp_bound))
        if not _proven(_shortfall(model, start), cg_bound):
            left = deadline - time.perf_counter()
            lag, start = _sector_bound(
                model, cg_pi, start, time.perf_counter() + LAG_SHARE * left, seed
            )
            cg_bound = max(cg_bound, lag)
            _report(model, start, max(cg_bound, lp_bound))
        if _proven(_shortfall(model, start), cg_bound):
            # Proven optimal for the shortfall: only travel (and moves) remain.
            x, _, _, x2, phase2 = _highs_milp(
                model,
                start,
                0.0,
                seed,
                deadline,
                phase1=False,
                phase2_cap=max(0.3, 0.15 * time_limit),
            )
            bound, status = cg_bound, "optimal"
        else:
            # Not proven: neighbourhood search with most of what is left, then travel.
            left = deadline - time.perf_counter()
            start = _improve(
                model, start, cg_bound, starts, time.perf_counter() + 0.85 * left, seed
            )
            x, _, _, x2, phase2 = _highs_milp(
                model,
                start,
                0.0,
                seed,
                deadline,
                phase1=False,
                phase2_cap=max(0.3, 0.15 * time_limit),
            )
            bound = cg_bound
            status = "optimal" if _proven(_shortfall(model, x), cg_bound) else "time_limit"
    else:
        milp = _cbc_milp if solver == "cbc" else _highs_milp  # "highs-compact"
        _mark(solver)
        x, bound, status, x2, phase2 = milp(model, start, limit, seed, deadline)
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
        phase2=phase2,
        stages=tuple(_STAGES),
    )


def _worker(conn: Connection) -> None:
    """Worker process loop: one job at a time, LP news first, then the result."""
    while True:
        job = conn.recv()
        if job is None:
            return
        job_id, model, solver, limit, seed = job

        def lp_news(bound: float, x: np.ndarray, job_id: int = job_id) -> None:
            conn.send(("lp", job_id, bound, x))

        def best_news(bound: float, x: np.ndarray | None, job_id: int = job_id) -> None:
            conn.send(("best", job_id, bound, x))

        result = solve_component(
            model, solver=solver, time_limit=limit, seed=seed, on_lp=lp_news, on_best=best_news
        )
        conn.send(("done", job_id, result))


def _run_parallel(
    models: list[ComponentModel],
    *,
    solver: str,
    time_limit: float,
    seed: int,
    workers: int,
    progress: Progress,
) -> dict[int, ComponentResult | tuple[float, float, np.ndarray] | None]:
    """Solve components on `workers` processes; stop any that overruns the deadline.

    Returns per component: its result, or (LP bound, best bound, best x so far) when it
    was stopped after its LP (the worker reports each better plan as it finds one), or
    None when it was stopped before.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    # fork: fast, and the parent has not started any solver thread at this point.
    ctx: Any = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    pool: list[tuple[Any, Connection]] = []
    for _ in range(min(workers, len(models))):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child,), daemon=True)
        proc.start()
        child.close()
        pool.append((proc, parent))
    out: dict[int, ComponentResult | tuple[float, float, np.ndarray] | None] = {}
    queue = list(range(len(models)))
    busy: dict[int, int] = {}  # pool slot -> job
    waiting_size = sum(m.size_hint for m in models)

    def dispatch(slot: int) -> None:
        nonlocal waiting_size
        job = queue.pop(0)
        left = deadline - time.perf_counter()
        share = left * len(pool) * models[job].size_hint / max(1, waiting_size)
        waiting_size -= models[job].size_hint
        limit = max(0.2, min(left - 0.1, share))
        pool[slot][1].send((job, models[job], solver, limit, seed))
        busy[slot] = job
        out[job] = None

    for slot in range(len(pool)):
        if queue:
            dispatch(slot)
    done = 0
    try:
        while busy:
            grace = deadline + max(1.0, 0.1 * time_limit) - time.perf_counter()
            if grace <= 0:
                break
            ready = wait([pool[s][1] for s in busy], timeout=grace)
            for ready_conn in ready:
                slot = next(s for s in busy if pool[s][1] is ready_conn)
                try:
                    msg: Any = pool[slot][1].recv()
                except EOFError:
                    busy.pop(slot)
                    continue
                if msg[0] == "lp":
                    out[msg[1]] = (msg[2], msg[2], msg[3])
                    continue
                if msg[0] == "best":
                    known = out.get(msg[1])
                    if isinstance(known, tuple):
                        lp_b, best_b, best_x = known
                        x_new = best_x if msg[3] is None else msg[3]
                        out[msg[1]] = (lp_b, max(best_b, msg[2]), x_new)
                    continue
                result: ComponentResult = msg[2]
                out[msg[1]] = result
                done += 1
                progress(
                    f"cordon: part {done}/{len(models)} {result.name}: {result.status}, "
                    f"shortfall {result.objective:.1f}, bound {result.bound:.1f}, "
                    f"{result.seconds:.1f}s"
                )
                busy.pop(slot)
                if queue:
                    dispatch(slot)
    finally:
        for slot, (proc, conn) in enumerate(pool):
            if slot in busy:
                proc.terminate()  # overran the deadline: its fallback is used
            else:
                try:
                    conn.send(None)
                except (BrokenPipeError, OSError):
                    proc.terminate()
        for proc, conn in pool:
            proc.join(timeout=2)
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()
    for slot in busy:
        progress(f"cordon: part {models[busy[slot]].name} stopped at the time limit")
    return out


# --- from class counts back to concrete teams ------------------------------------------


def _match(
    inst: CordonInstance,
    k: int,
    counts: Mapping[int, int],
    current: Mapping[UnitSlot, int] | None,
) -> dict[UnitSlot, int]:
    """Give a class's slots (demand -> teams) to its members: keep teams in place
    first (re-planning), then a min-cost flow over real distances."""
    cls = inst.classes[k]
    left = {j: n for j, n in counts.items() if n > 0}
    free = {int(u): int(t) for u, t in zip(cls.members.tolist(), cls.teams.tolist(), strict=True)}
    teams: dict[UnitSlot, int] = {}
    if current:
        for u in sorted(free):
            for j in list(left):
                keep = min(current.get((u, j), 0), left[j], free[u])
                if keep > 0:
                    teams[(u, j)] = teams.get((u, j), 0) + keep
                    left[j] -= keep
                    free[u] -= keep
    left = {j: n for j, n in left.items() if n > 0}
    if not left:
        return teams
    members = [u for u in cls.members.tolist() if free[u] > 0]
    if len(members) == 1:
        for j, n in left.items():
            teams[(members[0], j)] = teams.get((members[0], j), 0) + n
        return teams
    from ortools.graph.python import min_cost_flow

    slots = sorted(left)
    row_of = {int(u): r for r, u in enumerate(cls.members.tolist())}
    col_of = {int(c): i for i, c in enumerate(cls.centers.tolist())}
    M, S = len(members), len(slots)
    sink = M + S
    flow = min_cost_flow.SimpleMinCostFlow()
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []
    for a, u in enumerate(members):
        row = row_of[u]
        for b, j in enumerate(slots):
            col = col_of[inst.center_index[inst.demands[j].center]]
            tails.append(a)
            heads.append(M + b)
            caps.append(min(free[u], left[j]))
            costs.append(round(float(cls.dist[row, col]) * 1000))
        tails.append(a)
        heads.append(sink)
        caps.append(free[u])
        costs.append(0)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails), np.array(heads), np.array(caps), np.array(costs)
    )
    supplies = [free[u] for u in members] + [-left[j] for j in slots]
    supplies.append(-(sum(free[u] for u in members) - sum(left.values())))
    flow.set_nodes_supplies(np.arange(M + S + 1), np.array(supplies))
    if flow.solve() != flow.OPTIMAL:  # cannot happen: supply covers every slot
        raise RuntimeError("team matching failed")
    for arc, t, h in zip(arcs.tolist(), tails, heads, strict=True):
        if h == sink:
            continue
        n = flow.flow(arc)
        if n > 0:
            key = (members[t], slots[h - M])
            teams[key] = teams.get(key, 0) + int(n)
    return teams


def _teams_from_x(
    inst: CordonInstance,
    model: ComponentModel,
    x: np.ndarray,
    current: Mapping[UnitSlot, int] | None,
) -> dict[UnitSlot, int]:
    per_class: dict[int, dict[int, int]] = {}
    for p in np.nonzero(x > 0.5)[0].tolist():
        k = model.class_ids[int(model.pair_k[p])]
        j = model.demand_ids[int(model.pair_j[p])]
        per_class.setdefault(k, {})[j] = round(float(x[p]))
    teams: dict[UnitSlot, int] = {}
    for k, counts in per_class.items():
        teams.update(_match(inst, k, counts, current))
    return teams


# --- the optimizer ----------------------------------------------------------------------


def flow_bound(inst: CordonInstance) -> float:
    """The split-headcount optimum (people divisible): the physical limit."""
    total = 0.0
    for i, (ks, js) in enumerate(components(inst)):
        total += (
            _lp_relaxation(_model(inst, f"part-{i}", ks, js))[0]
            if ks
            else float(sum(inst.demands[j].need * inst.demands[j].weight for j in js))
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
    for i, (ks, js) in enumerate(parts):
        sectors = sorted(
            {inst.centers[inst.center_index[inst.demands[j].center]].sector for j in js}
        )
        name = sectors[0] if len(sectors) == 1 else f"{sectors[0]}+{len(sectors) - 1}"
        if not ks:
            trivial_value += float(sum(inst.demands[j].need * inst.demands[j].weight for j in js))
            continue
        model = _model(inst, name, ks, js)
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
    outcomes: dict[int, ComponentResult | tuple[float, float, np.ndarray] | None]
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
        elif isinstance(outcome, tuple):
            lp_b, best_b, rounded = outcome
            x = rounded if _shortfall(model, rounded) < _shortfall(model, warm) else warm
            part_bound, status = best_b, "stopped"
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
