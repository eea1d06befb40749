"""The cordon figures cannot lie: bounds are checked, never clipped, against a brute force
written from the rules alone (docs/planning.md section 3), not from the solver's classes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planning_checks import ROLES, assert_cordon_ok, assert_plan_ok, center, package, unit

from pollguard.core.model import SWEEP_KINDS, ElectionPackage, UnitKind
from pollguard.core.planning import cordon, engine
from pollguard.core.planning.cordon import (
    BoundError,
    ComponentResult,
    aggregate,
    build_instance,
    greedy,
    optimize,
    optimizer,
    solve,
)
from pollguard.core.planning.engine import PlanOptions, make_plan
from pollguard.core.planning.requirements import requirements
from pollguard.core.risk import scores

TOL = 1e-6


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance, written here so the brute force shares no code with the planner."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def independent_optimum(pkg: ElectionPackage, risks: Mapping[str, float]) -> float:
    """The whole-team optimum by exhaustive enumeration of every team's choice (a need it
    may serve, or staying home), straight from the package and the rules."""
    needs = requirements(pkg, risks)
    where = {c.code: c for c in pkg.centers}
    teams: list[tuple[int, list[int]]] = []  # (team size, eligible need indices)
    for u in pkg.units:
        if u.kind in SWEEP_KINDS:
            continue
        size = u.team_size or u.headcount
        eligible = []
        for j, d in enumerate(needs):
            c = where[d.center]
            if u.kind not in pkg.policy.roles[d.role].kinds:
                continue
            if u.sector is not None and u.sector != c.sector:
                continue
            if (
                u.max_distance_km is not None
                and _km(u.lat, u.lon, c.lat, c.lon) > u.max_distance_km
            ):
                continue
            eligible.append(j)
        teams.extend((size, eligible) for _ in range(u.headcount // size))
    need = tuple(d.need for d in needs)

    @cache
    def best(t: int, got: tuple[int, ...]) -> float:
        if t == len(teams):
            return sum(d.weight * max(0, n - g) for d, n, g in zip(needs, need, got, strict=True))
        size, eligible = teams[t]
        value = best(t + 1, got)  # this team stays home
        for j in eligible:
            more = list(got)
            more[j] = min(need[j], more[j] + size)  # people beyond the need change nothing
            value = min(value, best(t + 1, tuple(more)))
        return value

    return best(0, tuple(0 for _ in needs))


@st.composite
def tiny_packages(draw: Any) -> ElectionPackage:
    """2-4 centers, 2-4 units, at most 6 teams: sectors, reserves, sizes, distance limits."""
    sectors = ["S1", "S2"][: draw(st.integers(1, 2))]
    coord = st.floats(0, 0.25, allow_nan=False)
    centers = [
        center(
            f"C{i}",
            draw(st.sampled_from(sectors)),
            31 + draw(coord),
            46 + draw(coord),
            stations=draw(st.integers(1, 4)),
            risk=draw(st.integers(0, 100)) / 100,
        )
        for i in range(draw(st.integers(2, 4)))
    ]
    units = []
    teams = 0
    for i in range(draw(st.integers(2, 4))):
        size = draw(st.sampled_from([3, 5, 7, 13]))
        count = draw(st.integers(1, 2))
        if teams + count > 6:
            break
        teams += count
        units.append(
            unit(
                f"U{i}",
                draw(st.sampled_from([UnitKind.POLICE, UnitKind.ARMY])),
                size * count + draw(st.integers(0, size - 1)),
                draw(st.sampled_from([None, *sectors])),
                31 + draw(coord),
                46 + draw(coord),
                team_size=size,
                max_distance_km=draw(st.sampled_from([None, 8.0, 20.0])),
            )
        )
    return package(centers, units)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_packages())
def test_the_bound_never_exceeds_the_brute_force_optimum_and_the_plan_never_beats_it(
    pkg: ElectionPackage,
) -> None:
    risks = scores(pkg)
    optimum = independent_optimum(pkg, risks)
    inst = build_instance(pkg, risks)
    best = optimize(inst, time_limit=3, workers=0)
    assert best.bound <= optimum + TOL
    assert best.flow_bound <= optimum + TOL
    assert optimum <= best.objective + TOL
    assert optimum <= greedy(inst).objective + TOL
    assert_cordon_ok(pkg, inst, best)


def _fake_component(model: Any, **_: Any) -> ComponentResult:
    value = float((model.need * model.weight).sum())  # nobody sent
    return ComponentResult(
        model.name, 0 * model.pair_cost, value, value + 5.0, 0.0, "optimal", "fake", 0.0
    )


def _scarce_package() -> ElectionPackage:
    return package(
        [center("C1", "S1", 31.0, 46.0, stations=3, risk=0.8)],
        [unit("P1", UnitKind.POLICE, 7, "S1", 31.0, 46.0, team_size=7)],
    )


def test_a_bound_above_the_plan_objective_is_an_internal_error_not_clipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pkg = _scarce_package()
    inst = build_instance(pkg, scores(pkg))
    monkeypatch.setattr(optimizer, "solve_component", _fake_component)
    with pytest.raises(BoundError):
        optimize(inst, time_limit=1, workers=0)


def test_the_plan_metrics_do_not_clip_a_bound_above_the_objective(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = engine.optimize

    def too_high(*args: Any, **kwargs: Any) -> cordon.CordonResult:
        result = real(*args, **kwargs)
        return replace(result, bound=result.objective + 1.0)

    monkeypatch.setattr(engine, "optimize", too_high)
    with pytest.raises(BoundError):
        make_plan(_scarce_package(), PlanOptions(time_limit=2, workers=0, sweep_solver="greedy"))


def test_float_noise_between_bound_and_objective_is_not_an_error() -> None:
    assert cordon.check_bound(100.0 + 1e-9, 100.0, "here") == 100.0 + 1e-9
    with pytest.raises(BoundError):
        cordon.check_bound(100.01, 100.0, "here")


def _hard_package() -> ElectionPackage:
    """Uneven teams (7 and 13) in two sectors and a reserve: whole teams matter, so the
    LP rounding is not proven and the optimizer, not the fallback, makes the plan."""
    centers = [
        center(f"A{i}", "S1", 31.0 + 0.01 * i, 46.0, stations=1 + i % 4, risk=(i * 37 % 100) / 100)
        for i in range(6)
    ] + [
        center(f"B{i}", "S2", 31.1 + 0.01 * i, 46.1, stations=1 + i % 3, risk=(i * 53 % 100) / 100)
        for i in range(6)
    ]
    units = [
        unit("P1", UnitKind.POLICE, 7 * 5, "S1", 31.0, 46.0, team_size=7),
        unit("P2", UnitKind.POLICE, 13 * 3, "S1", 31.02, 46.0, team_size=13),
        unit("P3", UnitKind.POLICE, 13 * 4, "S2", 31.1, 46.1, team_size=13),
        unit("A1", UnitKind.ARMY, 7 * 6, "S2", 31.12, 46.1, team_size=7),
        unit("R1", UnitKind.POLICE, 13 * 2, None, 31.05, 46.05, team_size=13),
    ]
    return package(centers, units, roles=ROLES)


@pytest.mark.parametrize("solver", ["highs", "highs-compact", "cbc"])
def test_every_solver_beats_or_equals_greedy_through_its_own_search(solver: str) -> None:
    pkg = _hard_package()
    inst = build_instance(pkg, scores(pkg))
    base = greedy(inst)
    best = optimize(inst, time_limit=6, workers=0, solver=solver, start=base)
    stages = {s for d in best.details for s in d["stages"]}
    assert not best.from_start  # the plan is the optimizer's, not the greedy fallback
    assert ("column_generation" if solver == "highs" else solver) in stages
    assert best.objective < base.objective - TOL  # greedy wastes people here
    assert best.bound <= best.objective + TOL
    assert_cordon_ok(pkg, inst, best)


def test_a_plan_through_make_plan_passes_the_checker_with_its_raw_bound() -> None:
    pkg = _hard_package()
    plan = make_plan(pkg, PlanOptions(time_limit=4, workers=0, sweep_solver="greedy"))
    assert plan.metrics["bound"] <= plan.metrics["objective"] + TOL
    assert_plan_ok(pkg, plan)


def _deep_package() -> ElectionPackage:
    """A package whose whole-team optimum is above every bound the planner can prove
    (found by searching seeded random packages): column generation's rounding is not
    proven, so price-and-branch, the sector bound and the neighbourhood search all run."""
    import random

    rng = random.Random(0)
    sectors = ["S1", "S2", "S3"][: rng.randint(2, 3)]
    centers = [
        center(
            f"C{i}",
            rng.choice(sectors),
            31 + rng.uniform(0, 0.3),
            46 + rng.uniform(0, 0.3),
            stations=rng.randint(1, 6),
            risk=round(rng.random(), 2),
        )
        for i in range(rng.randint(6, 14))
    ]
    units = []
    for i in range(rng.randint(4, 9)):
        size = rng.choice((7, 13, 5, 9))
        units.append(
            unit(
                f"U{i}",
                rng.choice((UnitKind.POLICE, UnitKind.ARMY)),
                size * rng.randint(1, 4),
                rng.choice([None, *sectors]),
                31 + rng.uniform(0, 0.3),
                46 + rng.uniform(0, 0.3),
                team_size=size,
                max_distance_km=rng.choice((None, rng.uniform(8, 30))),
            )
        )
    return package(centers, units)


def test_a_package_with_a_duality_gap_reaches_every_stage_of_the_default_solver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With the compact MILP on, this small package is proven optimal by it; off, the
    # stages that follow have to do the work.
    monkeypatch.setattr(solve, "COMPACT_CLASSES", 0)
    pkg = _deep_package()
    inst = build_instance(pkg, scores(pkg))
    best = optimize(inst, time_limit=4, workers=0)
    stages = {s for d in best.details for s in d["stages"]}
    assert {
        "lp",
        "column_generation",
        "price_and_branch",
        "sector_bound",
        "neighbourhood_search",
    } <= stages
    assert best.bound < best.objective - 1e-3  # the gap is real: no stage closes it
    assert best.bound <= best.objective + TOL
    assert_cordon_ok(pkg, inst, best)


def test_the_compact_milp_proves_what_column_generation_leaves_open() -> None:
    pkg = _deep_package()
    inst = build_instance(pkg, scores(pkg))
    best = optimize(inst, time_limit=4, workers=0)
    stages = {s for d in best.details for s in d["stages"]}
    assert {"column_generation", "compact_milp"} <= stages
    assert best.status == "optimal"
    assert best.bound <= best.objective + TOL
    assert_cordon_ok(pkg, inst, best)


class _Stop(Exception):
    pass


def test_a_worker_stopped_at_the_time_limit_keeps_its_best_plan_so_far(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker reports each better plan; one that then hangs (here: in the sector bound,
    forever) is stopped, and the plan is what it had found, not its starting plan."""
    import time as _time

    monkeypatch.setattr(solve, "COMPACT_CLASSES", 0)
    pkg = _deep_package()
    inst = build_instance(pkg, scores(pkg))
    part, *_ = aggregate.components(inst)
    model = aggregate._model(inst, "part", part.class_ids, part.demand_ids)
    seen: dict[str, Any] = {}

    def stop(*_: Any, **__: Any) -> Any:
        raise _Stop

    monkeypatch.setattr(solve, "_sector_bound", stop)
    with pytest.raises(_Stop):
        solve.solve_component(
            model,
            solver="highs",
            time_limit=4,
            seed=0,
            on_lp=lambda b, x: seen.update(start=x),
            on_best=lambda b, x: seen.update(best=x),
        )
    start_value = aggregate._shortfall(model, seen["start"])
    best_value = aggregate._shortfall(model, seen["best"])
    assert best_value < start_value - TOL  # column generation improved on the start

    def hang(*_: Any, **__: Any) -> Any:
        _time.sleep(3600)

    monkeypatch.setattr(solve, "_sector_bound", hang)
    stopped = optimize(inst, time_limit=2, workers=1)
    assert stopped.status == "stopped"
    assert stopped.objective == pytest.approx(best_value)
    assert stopped.bound <= stopped.objective + TOL
    assert_cordon_ok(pkg, inst, stopped)


def test_units_with_distance_limits_that_reach_the_same_centers_share_one_class() -> None:
    pkg = package(
        [
            center("C1", "S1", 31.0, 46.0),
            center("C2", "S1", 31.01, 46.0),
            center("C3", "S1", 31.5, 46.0),  # ~55 km away: out of every unit's reach
        ],
        [
            unit("P1", UnitKind.POLICE, 14, "S1", 31.0, 46.0, team_size=7, max_distance_km=10),
            unit("P2", UnitKind.POLICE, 21, "S1", 31.005, 46.0, team_size=7, max_distance_km=12),
            unit("P3", UnitKind.POLICE, 7, "S1", 31.01, 46.001, team_size=7, max_distance_km=9),
            unit("P4", UnitKind.POLICE, 13, "S1", 31.0, 46.0, team_size=13, max_distance_km=10),
        ],
    )
    inst = build_instance(pkg, scores(pkg))
    assert sorted(len(c.members) for c in inst.classes) == [1, 3]  # by size, not by base
    best = optimize(inst, time_limit=3, workers=0)
    assert best.objective == pytest.approx(independent_optimum(pkg, scores(pkg)))
    assert_cordon_ok(pkg, inst, best)
