"""The search inside a part: the pricer, the greedy plan's nearest-first lists, the dive
on the pattern LP and the rounding's start from the LP (issue 9), each against a plain
reference written here."""

from __future__ import annotations

import itertools
import math
import random
import time
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planning_checks import assert_cordon_ok, center, package, random_package, unit

from pollguard.core.model import UnitKind
from pollguard.core.planning.cordon import (
    CordonInstance,
    CordonResult,
    build_instance,
    colgen,
    components,
    greedy,
    optimize,
)
from pollguard.core.planning.cordon.aggregate import ComponentModel, _model, _shortfall
from pollguard.core.planning.cordon.result import _result
from pollguard.core.risk import scores

TOL = 1e-6


def _random_model(rng: random.Random) -> ComponentModel:
    """A small part model: a few classes of mixed team sizes, demands reaching a subset."""
    K, J = rng.randint(1, 4), rng.randint(1, 5)
    size = np.array([rng.choice((3, 5, 7, 13)) for _ in range(K)], dtype=float)
    cap = np.array([rng.randint(1, 4) for _ in range(K)], dtype=float)
    need = np.array([rng.randint(1, 30) for _ in range(J)], dtype=float)
    pk, pj = [], []
    for j in range(J):
        for k in range(K):
            if rng.random() < 0.7:
                pk.append(k)
                pj.append(j)
    pair_k, pair_j = np.array(pk, dtype=int), np.array(pj, dtype=int)
    ub = np.array(
        [min(cap[k], math.ceil(need[j] / size[k])) for k, j in zip(pk, pj, strict=True)],
        dtype=float,
    )
    return ComponentModel(
        name="m",
        class_ids=list(range(K)),
        demand_ids=list(range(J)),
        cap=cap,
        size=size,
        need=need,
        weight=np.array([rng.uniform(0.5, 3.0) for _ in range(J)]),
        pair_k=pair_k,
        pair_j=pair_j,
        pair_cost=np.zeros(len(pk)),
        pair_ub=ub,
    )


def _best_pattern_value(model: ComponentModel, j: int, prices: np.ndarray) -> float:
    """Every combination of teams the demand may receive, tried one by one."""
    pairs = np.nonzero(model.pair_j == j)[0].tolist()
    best = math.inf
    for counts in itertools.product(*[range(int(model.pair_ub[p]) + 1) for p in pairs]):
        cover = sum(model.size[model.pair_k[p]] * a for p, a in zip(pairs, counts, strict=True))
        priced = sum(prices[model.pair_k[p]] * a for p, a in zip(pairs, counts, strict=True))
        best = min(best, model.weight[j] * max(0.0, model.need[j] - cover) + priced)
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_the_pricer_finds_every_demands_best_pattern(seed: int) -> None:
    rng = random.Random(seed)
    model = _random_model(rng)
    prices = np.array([rng.choice((0.0, rng.uniform(0, 20))) for _ in model.cap])
    pricer = colgen._Pricer(model)
    priced = pricer.price(prices)
    js = np.arange(len(model.need))
    patterns = pricer.patterns(js, priced.coverage, priced.choices)
    for j, pattern in zip(js.tolist(), patterns, strict=True):
        assert priced.values[j] == pytest.approx(_best_pattern_value(model, j, prices), abs=TOL)
        # The traced pattern is a real one (within each pair's bound) worth that value.
        cover = priced_value = 0.0
        for p, teams in pattern:
            assert model.pair_j[p] == j
            assert 1 <= teams <= model.pair_ub[p]
            cover += model.size[model.pair_k[p]] * teams
            priced_value += prices[model.pair_k[p]] * teams
        value = model.weight[j] * max(0.0, model.need[j] - cover) + priced_value
        assert value == pytest.approx(priced.values[j], abs=TOL)


def _scanning_greedy(inst: CordonInstance) -> CordonResult:
    """The spreadsheet method from its description: needs by their center's risk (then
    code), then by cost of a missing person (then role); for each team sent, every free
    member of every eligible class is looked at, the nearest wins (within a class the
    first in package order, across classes the lower unit code)."""
    free = {
        u: t
        for cls in inst.classes
        for u, t in zip(cls.members.tolist(), cls.teams.tolist(), strict=True)
    }
    rank = {c.code: (-inst.risks.get(c.code, 0.0), c.code) for c in inst.centers}
    sent: dict[tuple[int, int], int] = {}
    for j in sorted(
        range(len(inst.demands)),
        key=lambda j: (rank[inst.demands[j].center], -inst.demands[j].weight, inst.demands[j].role),
    ):
        short = inst.demands[j].need
        while short > 0:
            options = []
            for k, col in inst.candidates[j]:
                cls = inst.classes[k]
                here = [(float(cls.dist[r, col]), r) for r, u in enumerate(cls.members) if free[u]]
                if here:
                    u = int(cls.members[min(here)[1]])
                    options.append((min(here)[0], inst.units[u].code, u))
            if not options:
                break
            u = min(options)[2]
            free[u] -= 1
            sent[(u, j)] = sent.get((u, j), 0) + 1
            short -= inst.units[u].effective_team_size
    return _result(inst, sent, bound=0.0, flow=0.0, solver="greedy", status="heuristic", seconds=0)


def _crowded_package(rng: random.Random) -> Any:
    """Many units at the same few bases (equal distances, so ties matter), distance
    limits, reserves, uneven teams: the cases where nearest-first lists could differ from
    a scan."""
    sectors = ["S1", "S2"]
    centers = [
        center(
            f"C{i:02d}",
            rng.choice(sectors),
            31 + rng.uniform(0, 0.3),
            46 + rng.uniform(0, 0.3),
            stations=rng.randint(1, 6),
            risk=rng.choice((0.2, 0.5, 0.9)),
        )
        for i in range(rng.randint(3, 25))
    ]
    bases = [(31 + rng.uniform(0, 0.3), 46 + rng.uniform(0, 0.3)) for _ in range(4)]
    units = []
    for i in range(rng.randint(1, 30)):
        lat, lon = rng.choice(bases)
        kind = rng.choice((UnitKind.POLICE, UnitKind.POLICE, UnitKind.ARMY))
        size = rng.choice((7, 13))
        units.append(
            unit(
                f"U{i:02d}",
                kind,
                size * rng.randint(1, 4),
                rng.choice([None, *sectors]),
                lat,
                lon,
                team_size=size,
                max_distance_km=rng.choice((None, 10.0, 25.0)),
            )
        )
    return package(centers, units)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6))
def test_the_greedy_plan_is_the_plan_of_scanning_every_member(seed: int) -> None:
    rng = random.Random(seed)
    pkg = _crowded_package(rng) if seed % 2 else random_package(rng, max_centers=12)
    inst = build_instance(pkg, scores(pkg))
    assert greedy(inst).teams == _scanning_greedy(inst).teams


def _distance_limited_package(seed: int) -> Any:
    """A river of two sectors, teams of 7 and 13 whose bases reach only part of their
    sector, a reserve with a distance limit, staffing short of the need."""
    rng = random.Random(seed)
    centers = [
        center(
            f"C{i:02d}",
            "S1" if i < 8 else "S2",
            31.0,
            46.0 + 0.05 * i,
            stations=rng.randint(1, 4),
            risk=round(rng.uniform(0.1, 1.0), 2),
        )
        for i in range(16)
    ]
    units = []
    for i in range(14):
        lon = 46.0 + rng.uniform(0, 0.75)
        size = rng.choice((7, 13))
        units.append(
            unit(
                f"P{i:02d}",
                UnitKind.POLICE,
                size * rng.randint(1, 3),
                "S1" if lon < 46.375 else "S2",
                31.0,
                lon,
                team_size=size,
                max_distance_km=rng.choice((12.0, 20.0, 30.0)),
            )
        )
    units.append(unit("R1", UnitKind.ARMY, 39, None, 31.0, 46.4, team_size=13, max_distance_km=25))
    return package(centers, units)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_on_distance_limited_provinces_the_planner_reaches_the_proven_optimum(seed: int) -> None:
    pkg = _distance_limited_package(seed)
    inst = build_instance(pkg, scores(pkg))
    assert any(u.max_distance_km for u in inst.units)
    # The proof: the compact MILP over classes, run to HiGHS's optimality on this size.
    proof = optimize(inst, time_limit=60, solver="highs-compact", workers=0)
    assert proof.status == "optimal"
    plan = optimize(inst, time_limit=60, workers=0)
    assert plan.objective == pytest.approx(proof.objective, rel=1e-4, abs=1e-6)
    assert plan.status == "optimal"
    assert plan.bound <= plan.objective + TOL
    assert plan.objective < greedy(inst).objective  # there was something to find
    assert_cordon_ok(pkg, inst, plan)


def _part_model(pkg: Any) -> ComponentModel:
    inst = build_instance(pkg, scores(pkg))
    part = components(inst)[0]
    return _model(inst, "part", part.class_ids, part.demand_ids)


def _lp_check(model: ComponentModel, h: Any, values: np.ndarray) -> None:
    """`values` is a solution of the full (unrestricted) master LP: one pattern per
    demand in total, no class over its teams."""
    lp = h.getLp()
    n = len(values)
    assert n == lp.num_col_
    matrix = np.zeros((lp.num_row_, n))
    start, index, value = lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_
    for c in range(n):
        for e in range(start[c], start[c + 1]):
            matrix[index[e], c] = value[e]
    rows = matrix @ values
    J = len(model.need)
    assert np.allclose(rows[:J], 1.0, atol=1e-6)
    assert np.all(rows[J:] <= model.cap + 1e-6)
    assert np.all(values >= -1e-9)
    assert np.all(values <= 1 + 1e-9)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(min_value=0, max_value=10**6))
def test_the_dive_fixes_columns_keeps_the_lp_feasible_and_frees_the_master(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _part_model(_distance_limited_package(seed))
    seen: list[tuple[Any, np.ndarray, np.ndarray, list[int]]] = []
    real = colgen._dive

    def watch(
        model: ComponentModel, h: Any, pricer: Any, values: np.ndarray, col_j: list[int], *args: Any
    ) -> np.ndarray:
        out = real(model, h, pricer, values, col_j, *args)
        seen.append((h, values.copy(), out, list(col_j)))
        return out

    with monkeypatch.context() as patch:
        patch.setattr(colgen, "_dive", watch)
        patch.setattr(colgen, "_proven", lambda value, bound: False)  # always dive
        out = colgen._cg_solve(model, [], time.perf_counter() + 60, 0, share=1.0)
    assert out.x is not None
    assert len(seen) == 1
    h, before, after, col_j = seen[0]

    def whole(values: np.ndarray) -> int:
        return len({col_j[c] for c in np.nonzero(values > 1 - 1e-6)[0].tolist()})

    _lp_check(model, h, after)
    fractional = (before > 1e-6) & (before < 1 - 1e-6)
    if fractional.any():
        assert whole(after) > whole(before)  # the dive fixed something
    lp = h.getLp()
    assert np.all(np.asarray(lp.col_lower_) == 0.0)  # price-and-branch gets the free master
    assert np.all(np.asarray(lp.col_upper_) == 1.0)
    assert out.bound <= _shortfall(model, out.x) + TOL


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6))
def test_the_rounding_start_from_the_lp_fits_in_what_is_left(seed: int) -> None:
    rng = random.Random(seed)
    model = _random_model(rng)
    keep = np.array(sorted(rng.sample(range(len(model.need)), rng.randint(1, len(model.need)))))
    cap = np.array([rng.randint(0, int(c)) for c in model.cap], dtype=float)
    part = colgen._submodel(model, keep, cap)
    col_j = [int(model.pair_j[p]) for p in range(len(model.pair_k))]
    col_q = [((p, int(rng.randint(1, int(model.pair_ub[p])))),) for p in range(len(col_j))]
    values = np.array([rng.random() for _ in col_j])
    x = colgen._lp_patterns(part.model, part.back, values, col_j, col_q)
    used = np.bincount(part.model.pair_k, weights=x, minlength=len(cap))
    assert np.all(used <= cap + 1e-9)
    assert np.all(x <= part.model.pair_ub + 1e-9)
    # One pattern per demand at most.
    per_demand = np.bincount(part.model.pair_j, weights=(x > 0), minlength=len(keep))
    assert np.all(per_demand <= 1)
