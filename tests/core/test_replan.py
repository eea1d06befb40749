"""Re-planning: fix a change with the fewest moves; change files report file:line."""

from __future__ import annotations

import random

import pytest
from planning_checks import assert_plan_ok, center, package, random_package, unit

from pollguard.core.model import ElectionPackage, UnitKind
from pollguard.core.planning.engine import PlanOptions, make_plan
from pollguard.core.planning.plan import Plan
from pollguard.core.planning.replan import Change, parse_changes, replan
from pollguard.core.problems import InvalidInput

OPTIONS = PlanOptions(time_limit=5, workers=0, sweep_solver="greedy")


def situation() -> tuple[ElectionPackage, Plan]:
    centers = [
        center(f"C{i}", "S1", 31.0 + 0.02 * i, 46.0, stations=2, risk=0.2 + 0.1 * i)
        for i in range(1, 6)
    ]
    units = [
        unit(f"P{i}", UnitKind.POLICE, 16, "S1", 31.0 + 0.02 * i, 46.01, team_size=4)
        for i in range(1, 6)
    ]
    units += [
        unit("A1", UnitKind.ARMY, 40, "S1", 31.05, 46.0, team_size=10),
        unit("R1", UnitKind.POLICE, 24, None, 31.1, 46.0, team_size=4),
    ]
    pkg = package(centers, units)
    plan = make_plan(pkg, OPTIONS)
    assert plan.metrics["status"] == "optimal"
    assert_plan_ok(pkg, plan)
    return pkg, plan


def test_replanning_with_no_change_moves_nothing() -> None:
    pkg, plan = situation()
    changed_pkg, again = replan(pkg, plan, [], time_limit=5, options=OPTIONS)
    assert again.metrics["moves"] == 0
    assert set(again.assignments) == set(plan.assignments)
    assert again.sweeps == plan.sweeps
    assert_plan_ok(changed_pkg, again, dict(again.risk))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_replanning_random_packages_with_no_change_moves_nothing(seed: int) -> None:
    pkg = random_package(random.Random(seed), max_centers=5, max_units=6)
    plan = make_plan(pkg, OPTIONS)
    assert plan.metrics["status"] == "optimal"
    _, again = replan(pkg, plan, [], time_limit=5, options=OPTIONS)
    assert again.metrics["moves"] == 0
    assert set(again.assignments) == set(plan.assignments)


def test_a_unit_dropping_out_is_covered_with_few_moves() -> None:
    pkg, plan = situation()
    lost = "P3"
    changed_pkg, again = replan(
        pkg, plan, [Change("unit_out", lost)], time_limit=5, options=OPTIONS
    )
    assert_plan_ok(changed_pkg, again, dict(again.risk))
    assert all(a.unit != lost for a in again.assignments)
    assert float(again.metrics["objective"] or 0) >= float(plan.metrics["objective"] or 0) - 1e-9
    kept = {a for a in plan.assignments if a.unit != lost}
    # Most of what did not involve the lost unit stays exactly where it was.
    assert len(kept & set(again.assignments)) >= len(kept) - int(again.metrics["moves"] or 0) - 2


def test_a_risk_rise_raises_the_need_and_a_closed_center_gets_nobody() -> None:
    pkg, plan = situation()
    changes = [Change("risk", "C1", 1.0), Change("center_closed", "C5")]
    changed_pkg, again = replan(pkg, plan, changes, time_limit=5, options=OPTIONS)
    assert_plan_ok(changed_pkg, again, dict(again.risk))
    assert again.risk["C1"] == 1.0
    assert "C5" not in again.risk
    assert all(a.center != "C5" for a in again.assignments)
    before = sum(a.headcount for a in plan.assignments if a.center == "C1")
    after = sum(a.headcount for a in again.assignments if a.center == "C1")
    assert after >= before


def test_a_change_file_is_parsed_with_its_lines() -> None:
    text = "- risk: {center: C1, value: 0.9}\n- unit_out: P2\n- center_closed: C4\n"
    assert parse_changes(text) == [
        Change("risk", "C1", 0.9, 1),
        Change("unit_out", "P2", None, 2),
        Change("center_closed", "C4", None, 3),
    ]
    assert parse_changes("") == []


def test_a_malformed_change_file_names_each_bad_line() -> None:
    text = "- risk: {center: C1, value: 1.5}\n- unit_out: P2\n- explode: C4\n"
    with pytest.raises(InvalidInput) as caught:
        parse_changes(text, "CHANGES.yaml")
    assert [(p.line, p.kind) for p in caught.value.problems] == [
        (1, "change_risk_value"),
        (3, "change_entry"),
    ]
    with pytest.raises(InvalidInput) as caught:
        parse_changes("- unit_out: [\n", "CHANGES.yaml")
    assert caught.value.render()[0].startswith("CHANGES.yaml:")


def test_a_change_naming_an_unknown_code_is_refused() -> None:
    pkg, plan = situation()
    with pytest.raises(InvalidInput) as caught:
        replan(pkg, plan, [Change("unit_out", "NOPE", None, 4)], time_limit=5, options=OPTIONS)
    assert [(p.line, p.kind) for p in caught.value.problems] == [(4, "change_unknown_unit")]
