"""EOD and K9 sweep routing: which team sweeps which polling center, in what order, when.

The model (design.md section 6). Every team of an `eod` or `k9` unit starts at its
unit's base when the sweep window opens, drives at its speed over `road_factor` x the
great-circle distance, spends `minutes_base + minutes_per_station x stations` at each
center, and must *finish* its last sweep by the end of the window. Only `general`
centers are swept: EOD sweeps every one, K9 only those with `risk >= k9_min_risk`.
A team whose unit has a sector sweeps only that sector; a reserve (no sector) goes
anywhere. A center weighs `1 + risk_weight x risk`; the objective is to maximize the
weight swept, then to minimize the kilometres driven.

Decisions where the design is silent:

* A team does not have to drive back to base inside the window: the window is about
  the centers being clear before opening, and the team's next task is not modelled.
* EOD and K9 are two independent problems. A K9 sweep may overlap in time with the EOD
  sweep of the same center (the dog team and the EOD team work side by side).
* Times are whole seconds from the opening of the window: every travel and service time
  is rounded *up* to the second. The schedule the solvers optimize is therefore the
  schedule we publish, and it is never shorter than the exact one, so the checker
  (which works in exact float seconds) accepts it. After a solver returns, the schedule
  is recomputed from the route order and a stop that no longer fits is dropped.
* The solvers treat the two objectives almost lexicographically: a center's prize is
  its weight times 100 times the distance the fastest team can drive in the window.
  So no travel saving is worth leaving a reachable center unswept, and a center is
  swapped for a lighter one only when the swap saves a whole route's length for each
  0.01 of weight lost. Strict lexicographic prizes (larger than any possible saving)
  make PyVRP's penalty-driven search stall at its warm start, so they are not used.
* Both optimizers are warm-started from the greedy plan, and the better of the optimizer's
  and the greedy plan (weight swept, then travel) is returned. PyVRP's search is a
  heuristic, so this is what guarantees "never worse than the reference".

Solvers: `pyvrp` (hybrid iterated local search; prize-collecting VRP with time windows,
one routing profile per sector and speed so that a sector team cannot enter another
sector), `ortools` (OR-Tools routing: disjunction penalties as prizes, a time dimension,
allowed vehicles per center) and `greedy` (the spreadsheet method kept as the
reference: highest-risk center first, the team that can reach it earliest).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from pollguard.core.geo import distance_matrix_km, haversine_km
from pollguard.core.model import (
    SWEEP_KINDS,
    Center,
    CenterKind,
    ElectionPackage,
    Unit,
    UnitKind,
)

SOLVERS = ("pyvrp", "ortools", "greedy")
"""Accepted values of `plan_sweeps(solver=...)`."""

DEFAULT_SPEED_KMH = 40.0
"""Speed of a sweep team when neither the unit nor the policy gives one."""

DIST_UNIT_KM = 0.1
"""Distances are integers in the solvers: hectometres of road. Finer units inflate the
prizes (see `PRIZE_ROUTES_PER_WEIGHT`) past what PyVRP's time-warp penalty can balance."""

PRIZE_ROUTES_PER_WEIGHT = 100.0
"""A center's prize per unit of weight, in longest possible team routes (see below)."""

PYVRP_MAX_PENALTY = 1e5
"""Cap of PyVRP's time-warp penalty per second (its default)."""

CHECK_TOLERANCE_S = 1e-3
"""Slack the checker allows on time comparisons (float round-off, not a real margin)."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# --- public results --------------------------------------------------------------------


@dataclass(frozen=True)
class SweepStop:
    """One sweep of one center by one team; aware datetimes."""

    center: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class SweepRoute:
    """The ordered sweeps of one team (possibly none: an idle team is listed too)."""

    team: str
    unit: str
    kind: UnitKind
    stops: tuple[SweepStop, ...]


@dataclass(frozen=True)
class SweepShortfall:
    """A center that needs a sweep of `kind` and gets none in the plan."""

    center: str
    kind: UnitKind


@dataclass(frozen=True)
class SweepResult:
    """A sweep plan and its figures.

    `coverage` is the weighted share of required sweeps (EOD and K9 together) that the
    plan performs, in [0, 1]; it is 1.0 when nothing is required. `travel_km` is the
    road distance driven from the bases through the stops. `seconds` is wall time.
    """

    routes: tuple[SweepRoute, ...]
    unswept: tuple[SweepShortfall, ...]
    coverage: float
    travel_km: float
    solver: str
    seconds: float


# --- the instance ------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepTeam:
    """One team of a sweep unit, with the speed it drives at."""

    id: str
    unit: Unit
    speed_kmh: float

    @property
    def kind(self) -> UnitKind:
        return self.unit.kind

    @property
    def sector(self) -> str | None:
        return self.unit.sector


def team_ids(unit: Unit) -> list[str]:
    """Public team ids of a unit: its code for one team, `code#1..code#k` for k teams."""
    k = unit.team_count
    if k == 1:
        return [unit.code]
    return [f"{unit.code}#{i}" for i in range(1, k + 1)]


def sweep_teams(pkg: ElectionPackage) -> list[SweepTeam]:
    """Every team of every EOD and K9 unit, in package order.

    Speeds are positive: the package reader refuses anything else.
    """
    speeds = pkg.policy.sweep.speed_kmh
    teams: list[SweepTeam] = []
    for unit in pkg.units:
        if unit.kind not in SWEEP_KINDS:
            continue
        speed = unit.speed_kmh or speeds.get(unit.kind, DEFAULT_SPEED_KMH)
        teams.extend(SweepTeam(tid, unit, speed) for tid in team_ids(unit))
    return teams


def center_risk(center: Center, risks: Mapping[str, float]) -> float:
    """Risk of a center: the mapping's value, else the package's override, else 0."""
    if center.code in risks:
        return risks[center.code]
    return center.risk if center.risk is not None else 0.0


def service_minutes(pkg: ElectionPackage, center: Center) -> float:
    """Minutes one team spends sweeping `center`."""
    sweep = pkg.policy.sweep
    return sweep.minutes_base + sweep.minutes_per_station * center.stations


def needs_sweep(pkg: ElectionPackage, center: Center, kind: UnitKind, risk: float) -> bool:
    """Whether the rules ask for a sweep of `kind` at `center`."""
    if center.kind != CenterKind.GENERAL:
        return False
    if kind == UnitKind.K9:
        return risk >= pkg.policy.sweep.k9_min_risk
    return kind == UnitKind.EOD


def _ceil_seconds(minutes: FloatArray | float) -> IntArray:
    # Rounding up keeps the integer schedule at least as long as the exact one.
    return np.ceil(np.asarray(minutes, dtype=np.float64) * 60.0).astype(np.int64)


@dataclass
class _KindProblem:
    """The sweep problem of one kind (EOD or K9): teams, centers that need it, times."""

    kind: UnitKind
    teams: list[SweepTeam]
    centers: list[Center]
    weights: FloatArray
    service_s: IntArray
    window_s: int
    road_cc: FloatArray  # road km between centers
    road_tc: FloatArray  # road km from each team's base to each center
    allowed: BoolArray  # team may sweep center (sector rule)
    _cc_s: dict[float, IntArray] = field(default_factory=dict)
    _tc_s: dict[int, IntArray] = field(default_factory=dict)

    def travel_cc_s(self, speed: float) -> IntArray:
        """Whole seconds between centers at `speed` (cached per speed)."""
        if speed not in self._cc_s:
            self._cc_s[speed] = _ceil_seconds(self.road_cc / speed * 60.0)
        return self._cc_s[speed]

    def travel_tc_s(self, t: int) -> IntArray:
        """Whole seconds from team `t`'s base to each center."""
        if t not in self._tc_s:
            self._tc_s[t] = _ceil_seconds(self.road_tc[t] / self.teams[t].speed_kmh * 60.0)
        return self._tc_s[t]

    def schedule(self, t: int, order: Sequence[int]) -> list[tuple[int, int, int]]:
        """(center, start, end) in seconds for team `t` visiting `order`.

        A stop that is not allowed or does not end inside the window is dropped and the
        team goes straight on to the next one (`_finish` removes repeated centers).
        """
        base = self.travel_tc_s(t)
        cc = self.travel_cc_s(self.teams[t].speed_kmh)
        out: list[tuple[int, int, int]] = []
        prev = -1
        now = 0
        for c in order:
            if not self.allowed[t, c]:
                continue
            arrive = now + int(base[c] if prev < 0 else cc[prev, c])
            end = arrive + int(self.service_s[c])
            if end > self.window_s:
                continue
            out.append((c, arrive, end))
            prev, now = c, end
        return out


@dataclass
class _KindPlan:
    """Scheduled routes of one kind, with the figures used to compare two plans."""

    stops: list[list[tuple[int, int, int]]]
    swept_weight: float
    travel_km: float
    solver: str

    def better_than(self, other: _KindPlan) -> bool:
        if abs(self.swept_weight - other.swept_weight) > 1e-9:
            return self.swept_weight > other.swept_weight
        return self.travel_km < other.travel_km - 1e-9


def _kind_problem(
    pkg: ElectionPackage, risks: Mapping[str, float], kind: UnitKind, teams: list[SweepTeam]
) -> _KindProblem:
    sweep = pkg.policy.sweep
    centers = [c for c in pkg.centers if needs_sweep(pkg, c, kind, center_risk(c, risks))]
    weights = np.array(
        [1.0 + pkg.policy.risk_weight * center_risk(c, risks) for c in centers], dtype=np.float64
    )
    service = _ceil_seconds(np.array([service_minutes(pkg, c) for c in centers], dtype=np.float64))
    window_s = max(0, math.floor((sweep.window_end - sweep.window_start).total_seconds()))
    lats = [c.lat for c in centers]
    lons = [c.lon for c in centers]
    road_cc = distance_matrix_km(lats, lons) * sweep.road_factor
    road_tc = (
        distance_matrix_km([t.unit.lat for t in teams], [t.unit.lon for t in teams], lats, lons)
        * sweep.road_factor
    )
    sectors = np.array([c.sector for c in centers], dtype=object)
    allowed = np.zeros((len(teams), len(centers)), dtype=np.bool_)
    for i, team in enumerate(teams):
        allowed[i] = True if team.sector is None else (sectors == team.sector)
    return _KindProblem(kind, teams, centers, weights, service, window_s, road_cc, road_tc, allowed)


def _finish(problem: _KindProblem, orders: Sequence[Sequence[int]], solver: str) -> _KindPlan:
    """Recompute the schedule from route orders and score it."""
    stops = [problem.schedule(t, order) for t, order in enumerate(orders)]
    swept = [c for route in stops for c, _, _ in route]
    if len(swept) != len(set(swept)):
        # A center visited twice (no solver should do it): keep its first visit.
        seen: set[int] = set()
        deduped: list[list[int]] = []
        for route in stops:
            deduped.append([])
            for c, _, _ in route:
                if c not in seen:
                    seen.add(c)
                    deduped[-1].append(c)
        stops = [problem.schedule(t, order) for t, order in enumerate(deduped)]
    weight = float(sum(problem.weights[c] for route in stops for c, _, _ in route))
    km = 0.0
    for t, route in enumerate(stops):
        prev = -1
        for c, _, _ in route:
            km += float(problem.road_tc[t, c] if prev < 0 else problem.road_cc[prev, c])
            prev = c
    return _KindPlan(stops, weight, km, solver)


# --- greedy: the spreadsheet reference ---------------------------------------------------


def _greedy_orders(problem: _KindProblem) -> list[list[int]]:
    """Highest-risk center first; the allowed team that can start it earliest takes it."""
    n_teams = len(problem.teams)
    last = [-1] * n_teams
    now = [0] * n_teams
    orders: list[list[int]] = [[] for _ in range(n_teams)]
    base = [problem.travel_tc_s(t) for t in range(n_teams)]
    cc = [problem.travel_cc_s(team.speed_kmh) for team in problem.teams]
    by_weight = sorted(
        range(len(problem.centers)), key=lambda c: (-problem.weights[c], problem.centers[c].code)
    )
    for c in by_weight:
        best_t, best_arrive = -1, 0
        for t in range(n_teams):
            if not problem.allowed[t, c]:
                continue
            arrive = now[t] + int(base[t][c] if last[t] < 0 else cc[t][last[t], c])
            if arrive + int(problem.service_s[c]) > problem.window_s:
                continue
            if best_t < 0 or arrive < best_arrive:
                best_t, best_arrive = t, arrive
        if best_t >= 0:
            orders[best_t].append(c)
            last[best_t] = c
            now[best_t] = best_arrive + int(problem.service_s[c])
    return orders


# --- PyVRP -------------------------------------------------------------------------------


def _prize_per_weight(problem: _KindProblem) -> float:
    # A hundred times the longest drive one team could make in the window, in distance
    # units: dropping a center never pays for itself in saved kilometres, and trading a
    # center for a lighter one takes a saving of a whole route per 0.01 of weight.
    # Measured on the provincial benchmark: 10 and 100 routes per weight give the same
    # coverage; strictly lexicographic prizes (~10^5 routes) outgrow PyVRP's time-warp
    # penalty and the search stalls at its warm start (EOD coverage 0.63 instead of 0.89).
    fastest = max(team.speed_kmh for team in problem.teams)
    longest = fastest * problem.window_s / 3600.0 / DIST_UNIT_KM
    return PRIZE_ROUTES_PER_WEIGHT * max(longest, 1.0)


def _pyvrp_orders(
    problem: _KindProblem,
    team_ids: list[int],
    clients: list[int],
    warm: list[list[int]],
    time_limit: float,
    seed: int,
) -> list[list[int]]:
    """Routes of teams `team_ids` over `clients` from PyVRP's iterated local search.

    Returns one list of center indices per team of `team_ids`, in that order; `warm`
    holds the starting routes of the same teams.
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement

    began = time.perf_counter()  # building the model counts against the limit
    teams = [problem.teams[t] for t in team_ids]
    # Teams of one unit share a base and a vehicle type; keep them together.
    units: list[Unit] = []
    unit_of_team: list[int] = []
    for team in teams:
        if not units or units[-1].code != team.unit.code:
            units.append(team.unit)
        unit_of_team.append(len(units) - 1)
    n_dep = len(units) + 1  # bases, then one sink where every route ends
    sink = len(units)
    n_loc = n_dep + len(clients)
    lat = np.array([u.lat for u in units] + [0.0] + [problem.centers[c].lat for c in clients])
    lon = np.array([u.lon for u in units] + [0.0] + [problem.centers[c].lon for c in clients])
    cl = np.array(clients, dtype=np.int64)

    road = np.zeros((n_loc, n_loc), dtype=np.float64)
    road[n_dep:, n_dep:] = problem.road_cc[np.ix_(cl, cl)]
    first_team = [unit_of_team.index(u) for u in range(len(units))]
    ft = np.array([team_ids[t] for t in first_team], dtype=np.int64)
    road[: len(units), n_dep:] = problem.road_tc[np.ix_(ft, cl)]
    dist = np.rint(road / DIST_UNIT_KM).astype(np.int64)
    forbidden = 10 * max(problem.window_s, 1)

    # One routing profile per (sector, speed): a sector team sees the other sectors'
    # centers as too far away to reach, which is how PyVRP restricts vehicles.
    profiles: dict[tuple[str | None, float], int] = {}
    # PyVRP's stubs spell the matrix type in a way numpy's types do not match.
    dur_mats: list[Any] = []
    dist_mats: list[Any] = []
    sectors = np.array([problem.centers[c].sector for c in clients], dtype=object)
    unit_profile: list[int] = []
    for unit, t in zip(units, first_team, strict=True):
        key = (unit.sector, teams[t].speed_kmh)
        if key not in profiles:
            dur = _ceil_seconds(road / teams[t].speed_kmh * 60.0)
            if unit.sector is not None:
                dur[:, n_dep:][:, sectors != unit.sector] = forbidden
            dur[:, sink] = 0
            dur[sink, :] = forbidden
            np.fill_diagonal(dur, 0)
            profiles[key] = len(dur_mats)
            dur_mats.append(dur)
            d = dist.copy()
            d[:, sink] = 0
            dist_mats.append(d)
        unit_profile.append(profiles[key])

    scale = _prize_per_weight(problem)
    locations = [pyvrp.Location(float(lon[i]), float(lat[i])) for i in range(n_loc)]
    depots = [pyvrp.Depot(i) for i in range(n_dep)]
    pclients = [
        pyvrp.Client(
            location=n_dep + k,
            service_duration=int(problem.service_s[c]),
            tw_late=int(problem.window_s - problem.service_s[c]),
            prize=round(float(problem.weights[c]) * scale),
            required=False,
        )
        for k, c in enumerate(clients)
    ]
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=u.team_count,
            start_depot=i,
            end_depot=sink,
            tw_late=problem.window_s,
            shift_duration=problem.window_s,
            profile=unit_profile[i],
            name=u.code,
        )
        for i, u in enumerate(units)
    ]
    data = pyvrp.ProblemData(locations, pclients, depots, vehicle_types, dist_mats, dur_mats)

    local = {c: k for k, c in enumerate(clients)}
    initial = None
    warm_routes = [
        pyvrp.Route(data, [local[c] for c in order if c in local], unit_of_team[t])
        for t, order in enumerate(warm)
        if any(c in local for c in order)
    ]
    if warm_routes:
        initial = pyvrp.Solution(data, warm_routes)
    # Small instances converge long before the limit; stopping there keeps the result
    # a function of the seed alone (and tests quick).
    patience = max(2_000, 50 * len(clients))
    left = time_limit - (time.perf_counter() - began)
    stop = MultipleCriteria([MaxRuntime(max(left, 0.01)), NoImprovement(patience)])
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=PYVRP_MAX_PENALTY))
    result = pyvrp.solve(
        data,
        stop,
        seed=seed,
        collect_stats=False,
        display=False,
        params=params,
        initial_solution=initial,
    )
    # Routes come back per vehicle type; hand them to that unit's teams in order.
    free = {u: [t for t in range(len(teams)) if unit_of_team[t] == u] for u in range(len(units))}
    orders: list[list[int]] = [[] for _ in teams]
    for route in result.best.routes():
        t = free[route.vehicle_type()].pop(0)
        orders[t] = [clients[a.idx] for a in route if a.is_client()]
    return orders


# --- OR-Tools ----------------------------------------------------------------------------


def _ortools_orders(
    problem: _KindProblem,
    team_ids: list[int],
    clients: list[int],
    warm: list[list[int]],
    time_limit: float,
) -> list[list[int]]:
    """Routes of teams `team_ids` from OR-Tools routing with guided local search."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    began = time.perf_counter()  # building the model counts against the limit
    teams = [problem.teams[t] for t in team_ids]
    n_teams = len(teams)
    # Nodes: one start node per team (its base), one shared sink, then the centers.
    sink = n_teams
    n_dep = n_teams + 1
    n_nodes = n_dep + len(clients)
    cl = np.array(clients, dtype=np.int64)
    road = np.zeros((n_nodes, n_nodes), dtype=np.float64)
    road[n_dep:, n_dep:] = problem.road_cc[np.ix_(cl, cl)]
    road[:n_teams, n_dep:] = problem.road_tc[np.ix_(np.array(team_ids, dtype=np.int64), cl)]
    dist = np.rint(road / DIST_UNIT_KM).astype(np.int64)
    dist[:, sink] = 0
    service = np.zeros(n_nodes, dtype=np.int64)
    service[n_dep:] = problem.service_s[cl]

    manager = pywrapcp.RoutingIndexManager(n_nodes, n_teams, list(range(n_teams)), [sink] * n_teams)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(dist.tolist()))

    speed_cb: dict[float, int] = {}
    for team in teams:
        if team.speed_kmh not in speed_cb:
            # Transit = service at the node left + driving to the next one.
            dur = _ceil_seconds(road / team.speed_kmh * 60.0) + service[:, None]
            dur[:, sink] = service
            np.fill_diagonal(dur, 0)
            speed_cb[team.speed_kmh] = routing.RegisterTransitMatrix(dur.tolist())
    routing.AddDimensionWithVehicleTransits(
        [speed_cb[team.speed_kmh] for team in teams], 0, problem.window_s, True, "time"
    )
    time_dim = routing.GetDimensionOrDie("time")

    scale = _prize_per_weight(problem)
    for k, c in enumerate(clients):
        index = manager.NodeToIndex(n_dep + k)
        time_dim.CumulVar(index).SetRange(0, int(problem.window_s - problem.service_s[c]))
        allowed = [t for t in range(n_teams) if problem.allowed[team_ids[t], c]]
        if len(allowed) < n_teams:
            # -1 keeps "not visited" possible. (SetAllowedVehiclesForIndex's SWIG binding
            # rejects Python lists in this OR-Tools version.)
            routing.VehicleVar(index).SetValues([-1, *allowed])
        routing.AddDisjunction([index], round(float(problem.weights[c]) * scale))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    # ReadAssignmentFromRoutes takes routing indices, not node numbers.
    local = {c: manager.NodeToIndex(n_dep + k) for k, c in enumerate(clients)}
    params.time_limit.FromMilliseconds(max(10, int(time_limit * 1000)))
    routing.CloseModelWithParameters(params)
    left = time_limit - (time.perf_counter() - began)
    params.time_limit.FromMilliseconds(max(10, int(left * 1000)))
    initial = routing.ReadAssignmentFromRoutes(
        [[local[c] for c in order if c in local] for order in warm], True
    )
    if initial is not None:
        solution = routing.SolveFromAssignmentWithParameters(initial, params)
    else:
        solution = routing.SolveWithParameters(params)
    orders: list[list[int]] = [[] for _ in teams]
    if solution is None:
        return orders
    for t in range(n_teams):
        index = solution.Value(routing.NextVar(routing.Start(t)))
        while not routing.IsEnd(index):
            orders[t].append(clients[manager.IndexToNode(index) - n_dep])
            index = solution.Value(routing.NextVar(index))
    return orders


# --- entry points ------------------------------------------------------------------------


def _components(problem: _KindProblem) -> list[tuple[list[int], list[int]]]:
    """Independent parts of a problem: (team indices, reachable center indices).

    Two teams are in one part when some center is open to both; with a reserve team
    everything is one part, with sector-bound teams only, each sector is its own part.
    Smaller problems converge faster (measured: +0.7 points of coverage on the
    provincial benchmark with sector-bound teams). Centers no team can reach are left
    out: they stay unswept whatever the solver does.
    """
    n_teams = len(problem.teams)
    parent = list(range(n_teams))

    def find(t: int) -> int:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    reach = np.zeros_like(problem.allowed)
    for t in range(n_teams):
        reach[t] = problem.allowed[t] & (
            problem.travel_tc_s(t) + problem.service_s <= problem.window_s
        )
    owner: dict[int, list[int]] = {}
    for c in range(len(problem.centers)):
        teams = np.flatnonzero(reach[:, c]).tolist()
        if not teams:
            continue
        for t in teams[1:]:
            parent[find(t)] = find(teams[0])
        owner[c] = teams
    parts: dict[int, tuple[list[int], list[int]]] = {}
    for t in range(n_teams):
        parts.setdefault(find(t), ([], []))[0].append(t)
    for c, teams in owner.items():
        parts[find(teams[0])][1].append(c)
    # Largest first, so that rounding of time shares favours the big part.
    return sorted((p for p in parts.values() if p[1]), key=lambda p: (-len(p[1]), p[0][0]))


def _solve_kind(problem: _KindProblem, solver: str, time_limit: float, seed: int) -> _KindPlan:
    greedy = _finish(problem, _greedy_orders(problem), "greedy")
    if solver == "greedy" or not problem.teams or not problem.centers:
        return greedy
    warm = [[c for c, _, _ in route] for route in greedy.stops]
    orders: list[list[int]] = [[] for _ in problem.teams]
    parts = _components(problem)
    started = time.perf_counter()
    total = sum(len(clients) for _, clients in parts)
    done = 0
    for team_ids, clients in parts:
        # Each part gets the time left in proportion to its share of the centers left.
        left = time_limit - (time.perf_counter() - started)
        share = max(0.01, left * len(clients) / max(1, total - done))
        done += len(clients)
        local_warm = [warm[t] for t in team_ids]
        if solver == "pyvrp":
            found = _pyvrp_orders(problem, team_ids, clients, local_warm, share, seed)
        else:
            found = _ortools_orders(problem, team_ids, clients, local_warm, share)
        for t, order in zip(team_ids, found, strict=True):
            orders[t] = order
    plan = _finish(problem, orders, solver)
    if greedy.better_than(plan):
        greedy.solver = "greedy-kept"
        return greedy
    return plan


def _result(
    pkg: ElectionPackage,
    problems: list[_KindProblem],
    plans: list[_KindPlan],
    solver: str,
    started: float,
) -> SweepResult:
    start = pkg.policy.sweep.window_start
    routes: list[SweepRoute] = []
    unswept: list[SweepShortfall] = []
    required = done = km = 0.0
    for problem, plan in zip(problems, plans, strict=True):
        swept: set[int] = set()
        for team, stops in zip(problem.teams, plan.stops, strict=True):
            routes.append(
                SweepRoute(
                    team=team.id,
                    unit=team.unit.code,
                    kind=problem.kind,
                    stops=tuple(
                        SweepStop(
                            problem.centers[c].code,
                            start + timedelta(seconds=s),
                            start + timedelta(seconds=e),
                        )
                        for c, s, e in stops
                    ),
                )
            )
            swept.update(c for c, _, _ in stops)
        # Most important gaps first.
        missing = sorted(
            (c for c in range(len(problem.centers)) if c not in swept),
            key=lambda c: (-problem.weights[c], problem.centers[c].code),
        )
        unswept.extend(SweepShortfall(problem.centers[c].code, problem.kind) for c in missing)
        required += float(problem.weights.sum())
        done += plan.swept_weight
        km += plan.travel_km
    # Exact end points: summation order must not turn "all swept" into 0.9999999999999998.
    if not unswept:
        coverage = 1.0
    elif done == 0:
        coverage = 0.0
    else:
        coverage = min(1.0, done / required)
    return SweepResult(
        routes=tuple(routes),
        unswept=tuple(unswept),
        coverage=coverage,
        travel_km=km,
        solver=solver,
        seconds=time.perf_counter() - started,
    )


def _problems(pkg: ElectionPackage, risks: Mapping[str, float]) -> list[_KindProblem]:
    teams = sweep_teams(pkg)
    return [
        _kind_problem(pkg, risks, kind, [t for t in teams if t.kind == kind])
        for kind in (UnitKind.EOD, UnitKind.K9)
    ]


def plan_sweeps(
    pkg: ElectionPackage,
    risks: Mapping[str, float],
    *,
    time_limit: float,
    seed: int = 0,
    solver: str = "pyvrp",
) -> SweepResult:
    """Plan the EOD and K9 sweeps of the general centers.

    `risks` maps center codes to risk in [0, 1] (a missing center uses the package's
    `risk` column, else 0). `time_limit` is the wall-clock budget in seconds for both
    kinds together, shared in proportion to their sizes. With the same seed, PyVRP is
    deterministic whenever its search converges before the time limit; OR-Tools' guided
    local search runs until the limit, so its result can vary with machine load.
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown sweep solver {solver!r}; expected one of {SOLVERS}")
    started = time.perf_counter()
    problems = _problems(pkg, risks)
    sizes = [len(p.centers) if p.teams else 0 for p in problems]
    plans: list[_KindPlan] = []
    for i, problem in enumerate(problems):
        remaining = time_limit - (time.perf_counter() - started)
        share = sizes[i] / max(1, sum(sizes[i:]))
        plans.append(_solve_kind(problem, solver, max(0.05, remaining * share), seed))
    kept = [
        p.kind.value
        for p, plan in zip(problems, plans, strict=True)
        if plan.solver == "greedy-kept"
    ]
    # Say so when the optimizer did not beat the reference for some kind.
    label = solver if not kept else f"{solver} (greedy plan kept for {', '.join(kept)})"
    return _result(pkg, problems, plans, label, started)


def greedy_sweeps(pkg: ElectionPackage, risks: Mapping[str, float]) -> SweepResult:
    """The reference plan: highest-risk center first, the team that can start it earliest."""
    return plan_sweeps(pkg, risks, time_limit=0.0, solver="greedy")


def sweep_coverage(
    pkg: ElectionPackage, risks: Mapping[str, float], routes: Sequence[SweepRoute]
) -> tuple[float, tuple[SweepShortfall, ...]]:
    """Weighted coverage and unswept shortfalls of any routes (e.g. read from a plan file).

    This is the information side of checking: a required sweep nobody does lowers the
    coverage and is listed, but it is not a rule violation. Stops that break a rule
    still count here; run `check_sweeps` for those.
    """
    done = {(r.kind, s.center) for r in routes for s in r.stops}
    required = done_weight = 0.0
    missing: list[tuple[float, str, SweepShortfall]] = []
    for kind in (UnitKind.EOD, UnitKind.K9):
        for c in pkg.centers:
            risk = center_risk(c, risks)
            if not needs_sweep(pkg, c, kind, risk):
                continue
            weight = 1.0 + pkg.policy.risk_weight * risk
            required += weight
            if (kind, c.code) in done:
                done_weight += weight
            else:
                missing.append((-weight, c.code, SweepShortfall(c.code, kind)))
    unswept = tuple(
        m[2] for m in sorted(missing, key=lambda m: (m[2].kind != UnitKind.EOD, m[0], m[1]))
    )
    if not unswept:
        return 1.0, ()
    return (min(1.0, done_weight / required) if done_weight else 0.0), unswept


# --- checker -----------------------------------------------------------------------------


def check_sweeps(
    pkg: ElectionPackage, risks: Mapping[str, float], routes: Sequence[SweepRoute]
) -> list[str]:
    """One message per violated sweep rule; an empty list means the routes are feasible.

    Coverage (a required sweep nobody does) is not a violation: it is a shortfall the
    plan reports. Times are compared in exact float seconds with a 1 ms tolerance.
    """
    sweep = pkg.policy.sweep
    teams = {t.id: t for t in sweep_teams(pkg)}
    centers = {c.code: c for c in pkg.centers}
    tol = timedelta(seconds=CHECK_TOLERANCE_S)
    problems: list[str] = []
    seen_team: set[str] = set()
    swept_by: dict[tuple[UnitKind, str], str] = {}
    for route in routes:
        team = teams.get(route.team)
        if team is None:
            problems.append(f"team {route.team}: no EOD or K9 team has this id")
            continue
        if route.team in seen_team:
            problems.append(f"team {route.team}: has more than one route")
        seen_team.add(route.team)
        if route.unit != team.unit.code:
            problems.append(
                f"team {route.team}: belongs to unit {team.unit.code}, not {route.unit}"
            )
        if route.kind != team.kind:
            problems.append(f"team {route.team}: is a {team.kind} team, not {route.kind}")
        where = (team.unit.lat, team.unit.lon)
        free_at = sweep.window_start
        for stop in route.stops:
            label = f"team {route.team} at {stop.center}"
            center = centers.get(stop.center)
            if center is None:
                problems.append(f"{label}: no such center")
                continue
            if stop.start.tzinfo is None or stop.end.tzinfo is None:
                problems.append(f"{label}: times must carry a time zone")
                continue
            risk = center_risk(center, risks)
            if center.kind != CenterKind.GENERAL:
                problems.append(
                    f"{label}: only general centers are swept, this one is {center.kind}"
                )
            elif team.kind == UnitKind.K9 and not needs_sweep(pkg, center, team.kind, risk):
                problems.append(
                    f"{label}: K9 sweeps only centers with risk >= {sweep.k9_min_risk:g}"
                    f" (this one {risk:.2f})"
                )
            if team.sector is not None and center.sector != team.sector:
                problems.append(
                    f"{label}: center is in sector {center.sector}, team is bound to {team.sector}"
                )
            key = (team.kind, center.code)
            if key in swept_by:
                problems.append(f"{label}: already swept by {team.kind} team {swept_by[key]}")
            else:
                swept_by[key] = route.team
            if stop.start < sweep.window_start - tol:
                problems.append(f"{label}: starts before the sweep window opens")
            if stop.end > sweep.window_end + tol:
                problems.append(f"{label}: ends after the sweep window closes")
            need = timedelta(minutes=service_minutes(pkg, center))
            if stop.end - stop.start < need - tol:
                problems.append(
                    f"{label}: {(stop.end - stop.start).total_seconds() / 60:.1f} min on site,"
                    f" the sweep needs {need.total_seconds() / 60:.1f}"
                )
            km = sweep.road_factor * haversine_km(where[0], where[1], center.lat, center.lon)
            drive = timedelta(hours=km / team.speed_kmh)
            if stop.start < free_at + drive - tol:
                origin = "its base" if free_at == sweep.window_start else "the previous stop"
                problems.append(
                    f"{label}: cannot arrive from {origin} by {stop.start.isoformat()}"
                    f" ({km:.1f} km at {team.speed_kmh:g} km/h)"
                )
            where = (center.lat, center.lon)
            free_at = max(free_at, stop.end)
    return problems
