"""Requirements, the greedy baseline and the whole-team optimizer for cordons."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planning_checks import (
    ROLES,
    assert_cordon_ok,
    assert_plan_ok,
    brute_force,
    center,
    package,
    random_package,
    unit,
)

from pollguard.core.model import RolePolicy, UnitKind
from pollguard.core.planning.cordon import (
    build_instance,
    components,
    flow_bound,
    greedy,
    optimize,
)
from pollguard.core.planning.engine import PlanOptions, make_plan
from pollguard.core.planning.requirements import missing_cost, need, requirements
from pollguard.core.risk import scores

TOL = 1e-6


def risks_of(pkg):  # type: ignore[no-untyped-def]
    return {c.code: (c.risk if c.risk is not None else 0.0) for c in pkg.centers}


# --- requirements --------------------------------------------------------------------


def test_need_follows_the_formula_and_rounds_up() -> None:
    role = RolePolicy(frozenset({UnitKind.POLICE}), base=4, per_station=2, risk_factor=0.5)
    c = center("C1", "S1", 31, 46, stations=3)
    assert need(role, c, 0.3) == 12  # (4 + 6) * 1.15 = 11.5 -> 12


def test_need_does_not_add_a_person_for_floating_point_noise() -> None:
    role = RolePolicy(frozenset({UnitKind.POLICE}), base=2, per_station=1.5, risk_factor=0.2)
    assert (2 + 1.5 * 7) * (1 + 0.2 * 0.6) > 14  # 14.000000000000002 in binary floating point
    assert need(role, center("C1", "S1", 31, 46, stations=7), 0.6) == 14


def test_a_role_whose_condition_fails_needs_nobody() -> None:
    role = RolePolicy(frozenset({UnitKind.TRAFFIC}), base=2, min_voters=3000, min_risk=0.2)
    small = center("C1", "S1", 31, 46, voters=2999)
    big = center("C2", "S1", 31, 46, voters=3000)
    assert need(role, small, 0.9) == 0
    assert need(role, big, 0.1) == 0
    assert need(role, big, 0.2) == 2


def test_a_missing_person_costs_more_at_a_riskier_center() -> None:
    role = ROLES["inner_cordon"]
    assert missing_cost(role, 1.0, 0.8) == pytest.approx(3 * 1.8)
    assert missing_cost(role, 1.0, 0.8) > missing_cost(role, 1.0, 0.2)


def test_special_centers_are_not_planned() -> None:
    from dataclasses import replace

    from pollguard.core.model import CenterKind

    special = replace(center("C2", "S1", 31, 46), kind=CenterKind.SPECIAL_SECURITY)
    pkg = package([center("C1", "S1", 31, 46), special], [])
    assert {r.center for r in requirements(pkg, risks_of(pkg))} == {"C1"}


# --- greedy --------------------------------------------------------------------------


def test_greedy_serves_the_riskiest_center_first_with_the_nearest_team() -> None:
    pkg = package(
        [center("C1", "S1", 31.0, 46.0, risk=0.2), center("C2", "S1", 31.2, 46.0, risk=0.9)],
        [
            unit("NEAR", UnitKind.POLICE, 30, "S1", 31.19, 46.0),
            unit("FAR", UnitKind.POLICE, 30, "S1", 31.0, 46.0),
        ],
        roles={"inner_cordon": ROLES["inner_cordon"]},
    )
    inst = build_instance(pkg, risks_of(pkg))
    result = greedy(inst)
    assert {(a.unit, a.center) for a in result.assignments} == {("NEAR", "C2"), ("FAR", "C1")}
    assert_cordon_ok(pkg, inst, result)


def test_a_team_larger_than_the_need_fills_it_without_a_shortfall() -> None:
    pkg = package(
        [center("C1", "S1", 31, 46, stations=0, risk=0.0)],
        [unit("U1", UnitKind.POLICE, 30, "S1", 31, 46)],
        roles={"inner_cordon": RolePolicy(frozenset({UnitKind.POLICE}), base=20)},
    )
    inst = build_instance(pkg, risks_of(pkg))
    for result in (greedy(inst), optimize(inst, time_limit=5, workers=0)):
        assert result.objective == 0
        assert result.assignments[0].headcount == 30
        assert_cordon_ok(pkg, inst, result)


def test_units_stay_in_their_sector_and_within_their_distance() -> None:
    pkg = package(
        [center("C1", "S1", 31.0, 46.0), center("C2", "S2", 31.0, 46.5)],
        [
            unit("HOME2", UnitKind.POLICE, 40, "S2", 31.0, 46.5),
            unit("LEASH", UnitKind.POLICE, 40, None, 31.0, 46.5, max_distance_km=10),
        ],
    )
    inst = build_instance(pkg, risks_of(pkg))
    for result in (greedy(inst), optimize(inst, time_limit=5, workers=0)):
        assert all(a.center == "C2" for a in result.assignments)
        assert any(s.center == "C1" for s in result.shortfalls)
        assert_cordon_ok(pkg, inst, result)


def test_eod_and_k9_units_never_form_cordons() -> None:
    roles = {"inner_cordon": RolePolicy(frozenset({UnitKind.POLICE, UnitKind.EOD}), base=4)}
    pkg = package(
        [center("C1", "S1", 31, 46)], [unit("E1", UnitKind.EOD, 10, None, 31, 46)], roles=roles
    )
    inst = build_instance(pkg, risks_of(pkg))
    assert inst.units == []
    result = optimize(inst, time_limit=5, workers=0)
    assert result.assignments == ()
    assert_cordon_ok(pkg, inst, result)


# --- the optimizer -------------------------------------------------------------------


def test_the_optimizer_uses_small_teams_where_the_greedy_wastes_a_big_one() -> None:
    # The greedy sends the nearest team (the big one) to the riskier, smaller need and
    # has only the small team left for the big need; the optimizer swaps them.
    pkg = package(
        [
            center("C1", "S1", 31.0, 46.0, stations=1, risk=0.9),
            center("C2", "S1", 31.1, 46.0, stations=3, risk=0.1),
        ],
        [
            unit("BIG", UnitKind.POLICE, 12, "S1", 31.0, 46.0),
            unit("SQUAD", UnitKind.POLICE, 4, "S1", 31.01, 46.0),
        ],
        roles={"inner_cordon": RolePolicy(frozenset({UnitKind.POLICE}), base=0, per_station=4)},
    )
    inst = build_instance(pkg, risks_of(pkg))
    base = greedy(inst)
    best = optimize(inst, time_limit=5, workers=0)
    assert base.objective > 0
    assert best.objective == 0
    assert best.bound == pytest.approx(0)
    assert_cordon_ok(pkg, inst, best)
    assert_cordon_ok(pkg, inst, base)


def test_reserves_with_a_distance_limit_split_the_problem_into_independent_parts() -> None:
    centers = [
        center("C1", "A1", 31.0, 40.0),
        center("C2", "A2", 31.05, 40.0),
        center("C3", "B1", 31.0, 45.0),
    ]
    units = [
        unit("RA", UnitKind.POLICE, 40, None, 31.0, 40.0, team_size=4, max_distance_km=30),
        unit("RB", UnitKind.POLICE, 40, None, 31.0, 45.0, team_size=4, max_distance_km=30),
    ]
    pkg = package(centers, units)
    inst = build_instance(pkg, risks_of(pkg))
    parts = components(inst)
    assert len(parts) == 2
    result = optimize(inst, time_limit=5, workers=2)
    assert result.components == 2
    assert_cordon_ok(pkg, inst, result)


def test_no_units_at_all_is_a_plan_of_shortfalls() -> None:
    pkg = package([center("C1", "S1", 31, 46)], [])
    plan = make_plan(pkg, PlanOptions(time_limit=3, workers=0, sweep_solver="greedy"))
    assert plan.assignments == ()
    assert plan.metrics["objective"] == plan.metrics["bound"] > 0
    assert_plan_ok(pkg, plan)


def test_no_centers_at_all_is_an_empty_plan() -> None:
    pkg = package([], [unit("U1", UnitKind.POLICE, 10, None, 31, 46)])
    plan = make_plan(pkg, PlanOptions(time_limit=3, workers=0, sweep_solver="greedy"))
    assert plan.assignments == ()
    assert plan.shortfalls == ()
    assert plan.metrics["objective"] == 0
    assert_plan_ok(pkg, plan)


def _whole_teams_package():  # type: ignore[no-untyped-def]
    """Teams of 7, 13 and 9 against needs of 7-16: the LP rounding is not optimal, so each
    solver's own search (not the starting plan) has to find the optimum."""
    return package(
        [
            center("C1", "S1", 31.0, 46.0, stations=1, risk=0.3),
            center("C2", "S1", 31.02, 46.0, stations=3, risk=0.9),
            center("C3", "S1", 31.0, 46.02, stations=2, risk=0.6),
        ],
        [
            unit("P1", UnitKind.POLICE, 14, "S1", 31.0, 46.0, team_size=7),
            unit("P2", UnitKind.POLICE, 26, "S1", 31.01, 46.0, team_size=13),
            unit("A1", UnitKind.ARMY, 13, None, 31.01, 46.01, team_size=13),
            unit("A2", UnitKind.ARMY, 9, "S1", 31.01, 46.01),
        ],
    )


@pytest.mark.parametrize("solver", ["highs", "highs-compact", "cbc"])
def test_every_cordon_solver_reaches_the_brute_force_optimum(solver: str) -> None:
    pkg = _whole_teams_package()
    inst = build_instance(pkg, scores(pkg))
    assert len(inst.classes) == 4  # the package has units, in four classes
    result = optimize(inst, time_limit=5, solver=solver, workers=0)
    assert result.objective == pytest.approx(brute_force(inst))
    assert result.objective < greedy(inst).objective  # there was something to find
    stages = {s for d in result.details for s in d["stages"]}
    assert ("column_generation" if solver == "highs" else solver) in stages
    assert_cordon_ok(pkg, inst, result)


def test_worker_processes_find_the_same_optimum_as_in_process_solving() -> None:
    pkg = random_package(random.Random(11), max_centers=5, max_units=5)
    inst = build_instance(pkg, scores(pkg))
    here = optimize(inst, time_limit=5, workers=0)
    there = optimize(inst, time_limit=5, workers=2)
    assert there.objective == pytest.approx(here.objective)
    assert_cordon_ok(pkg, inst, there)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6))
def test_the_optimizer_is_never_worse_than_greedy_and_its_bounds_hold(seed: int) -> None:
    pkg = random_package(random.Random(seed))
    inst = build_instance(pkg, scores(pkg))
    base = greedy(inst)
    best = optimize(inst, time_limit=3, workers=0, start=base)
    assert best.objective <= base.objective + TOL
    assert best.bound <= best.objective + TOL
    assert best.flow_bound <= best.objective + TOL
    assert flow_bound(inst) == pytest.approx(best.flow_bound, abs=1e-4)
    assert_cordon_ok(pkg, inst, best)
    assert_cordon_ok(pkg, inst, base)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10**6))
def test_on_tiny_packages_the_optimizer_matches_brute_force(seed: int) -> None:
    pkg = random_package(random.Random(seed), max_centers=3, max_units=4, max_teams=5)
    inst = build_instance(pkg, scores(pkg))
    best = optimize(inst, time_limit=3, workers=0)
    assert best.objective == pytest.approx(brute_force(inst), abs=1e-6)
    assert best.bound == pytest.approx(best.objective, abs=1e-3)


def test_a_sweep_window_too_short_for_any_sweep_is_a_plan_with_sweep_shortfalls() -> None:
    pkg = package(
        [center("C1", "S1", 31.0, 46.0, risk=0.9)],
        [
            unit("P1", UnitKind.POLICE, 40, "S1", 31.0, 46.0, team_size=4),
            unit("E1", UnitKind.EOD, 4, None, 31.2, 46.0),
        ],
        window_hours=0.1,
    )
    plan = make_plan(pkg, PlanOptions(time_limit=3, workers=0))
    assert plan.sweeps == () or all(not s.stops for s in plan.sweeps)
    assert {(g.center, g.kind) for g in plan.sweep_shortfalls} == {("C1", "eod"), ("C1", "k9")}
    assert plan.metrics["sweep_coverage"] == 0.0
    assert_plan_ok(pkg, plan)
