"""The plan checker catches every broken rule; the plan file reads back or says where it is bad."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from planning_checks import assert_plan_ok, center, package, unit

from pollguard.core.model import ElectionPackage, UnitKind
from pollguard.core.planning.checker import check_plan
from pollguard.core.planning.engine import PlanOptions, make_plan
from pollguard.core.planning.plan import (
    Assignment,
    Plan,
    Shortfall,
    from_json,
    read_plan,
    to_csv,
    to_html,
    to_json,
)
from pollguard.core.problems import InvalidInput


def pkg_and_plan() -> tuple[ElectionPackage, Plan]:
    pkg = package(
        [center("C1", "S1", 31.0, 46.0, stations=2), center("C2", "S2", 31.0, 46.2)],
        [
            unit("P1", UnitKind.POLICE, 24, "S1", 31.0, 46.0, team_size=4),
            unit("A1", UnitKind.ARMY, 12, "S2", 31.0, 46.2),
            unit("R1", UnitKind.POLICE, 8, None, 31.0, 46.1, max_distance_km=15),
            unit("E1", UnitKind.EOD, 4, None, 31.0, 46.1),
        ],
    )
    plan = make_plan(pkg, PlanOptions(time_limit=3, workers=0, sweep_solver="greedy"))
    assert_plan_ok(pkg, plan)
    return pkg, plan


def rules(pkg: ElectionPackage, plan: Plan) -> set[str]:
    return {v.rule for v in check_plan(pkg, plan)}


def with_extra(plan: Plan, *extra: Assignment) -> Plan:
    return replace(plan, assignments=plan.assignments + extra)


def test_a_plan_from_the_engine_passes_and_survives_a_round_trip() -> None:
    pkg, plan = pkg_and_plan()
    again = from_json(to_json(plan))
    assert again.assignments == plan.assignments
    assert again.shortfalls == plan.shortfalls
    assert again.sweeps == plan.sweeps
    assert_plan_ok(pkg, again)


def test_it_rejects_a_unit_outside_its_sector() -> None:
    pkg, plan = pkg_and_plan()
    assert "sector" in rules(pkg, with_extra(plan, Assignment("A1", "C1", "outer_cordon", 12)))


def test_it_rejects_a_unit_of_the_wrong_kind() -> None:
    pkg, plan = pkg_and_plan()
    assert "kind" in rules(pkg, with_extra(plan, Assignment("A1", "C2", "inner_cordon", 12)))


def test_it_rejects_a_unit_beyond_its_distance_limit() -> None:
    pkg = package(
        [center("C1", "S1", 31.0, 46.0), center("C2", "S1", 31.5, 46.0)],
        [unit("R1", UnitKind.POLICE, 8, None, 31.0, 46.0, max_distance_km=15)],
    )
    plan = make_plan(pkg, PlanOptions(time_limit=3, workers=0, sweep_solver="greedy"))
    assert_plan_ok(pkg, plan)
    assert "distance" in rules(pkg, with_extra(plan, Assignment("R1", "C2", "outer_cordon", 8)))


def test_it_rejects_part_of_a_team_and_an_over_committed_unit() -> None:
    pkg, plan = pkg_and_plan()
    broken = with_extra(plan, Assignment("P1", "C1", "outer_cordon", 6))
    assert "whole_teams" in rules(pkg, broken)
    lots = with_extra(plan, Assignment("P1", "C1", "outer_cordon", 24))
    assert "over_committed" in rules(pkg, lots)


def test_it_rejects_unknown_codes_and_sweep_units_in_cordons() -> None:
    pkg, plan = pkg_and_plan()
    found = rules(
        pkg,
        with_extra(
            plan,
            Assignment("NOPE", "C1", "inner_cordon", 4),
            Assignment("P1", "C9", "inner_cordon", 4),
            Assignment("P1", "C1", "dancing", 4),
            Assignment("E1", "C1", "inner_cordon", 4),
        ),
    )
    assert {"unknown_unit", "unknown_center", "unknown_role", "kind"} <= found


def test_it_recomputes_shortfalls_and_the_objective() -> None:
    pkg, plan = pkg_and_plan()
    hidden = replace(plan, shortfalls=())
    assert plan.shortfalls  # the fixture is short somewhere
    assert "shortfalls" in rules(pkg, hidden)
    fudged = replace(plan, metrics={**plan.metrics, "objective": 0.0, "bound": 0.0, "gap": 0.0})
    assert "metrics" in rules(pkg, fudged)
    boasting = replace(
        plan, metrics={**plan.metrics, "bound": float(plan.metrics["objective"] or 0) + 5}
    )
    assert "metrics" in rules(pkg, boasting)
    extra = replace(plan, shortfalls=(*plan.shortfalls, Shortfall("C1", "traffic", 3)))
    assert "shortfalls" in rules(pkg, extra)


def test_it_checks_the_risk_table_and_the_sweeps() -> None:
    pkg, plan = pkg_and_plan()
    assert "risk" in rules(pkg, replace(plan, risk={**plan.risk, "C1": 0.0}))
    assert plan.sweeps
    route = plan.sweeps[0]
    wrong = replace(route, team="GHOST")
    assert "sweep" in rules(pkg, replace(plan, sweeps=(wrong, *plan.sweeps[1:])))
    assert "sweep_shortfalls" in rules(pkg, replace(plan, sweeps=(), sweep_shortfalls=()))


def test_a_json_syntax_error_names_its_line(tmp_path: Path) -> None:
    _, plan = pkg_and_plan()
    lines = to_json(plan).splitlines()
    index = next(i for i, line in enumerate(lines) if '"unit":' in line)
    lines[index] = lines[index].replace('"unit":', '"unit"')
    path = tmp_path / "plan.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_plan(path)
    assert caught.value.render()[0].startswith(f"{path}:{index + 1}: ")


def test_a_bad_entry_is_reported_at_its_own_line(tmp_path: Path) -> None:
    _, plan = pkg_and_plan()
    text = to_json(plan)
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if '"headcount"' in line)
    lines[index] = lines[index].replace('"headcount": ', '"headcount": -')
    path = tmp_path / "plan.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_plan(path)
    problem = caught.value.problems[0]
    assert (problem.line, problem.kind) == (index + 1, "plan_field")


def test_a_file_that_is_not_a_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{\n  "schema": "something/else"\n}\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_plan(path)
    assert (caught.value.problems[0].line, caught.value.problems[0].kind) == (2, "plan_schema")


def test_csv_has_one_row_per_team_and_html_escapes_and_goes_right_to_left() -> None:
    pkg, plan = pkg_and_plan()
    sizes = {u.code: u.effective_team_size for u in pkg.units}
    places: dict[str, tuple[object, ...]] = {c.code: (c.sector, c.lat, c.lon) for c in pkg.centers}
    places.update({u.code: (u.lat, u.lon) for u in pkg.units})
    rows = to_csv(plan, sizes, places).splitlines()
    teams = sum(a.headcount // sizes[a.unit] for a in plan.assignments)
    assert len(rows) == 1 + teams
    names = {c.code: (c.sector, "<b>School</b>", "مدرسة") for c in pkg.centers}
    page = to_html(plan, lang="ar", center_names=names, sector_names={"S1": ("One", "الأول")})
    assert 'dir="rtl"' in page
    assert "<b>School</b>" not in page
    assert "مدرسة" in page
    english = to_html(plan, lang="en", center_names=names, sector_names={})
    assert "&lt;b&gt;School&lt;/b&gt;" in english
