"""Independent parts of a package and the merged plan (national planning's core).

The split is found from the data (who could serve where), so these tests build packages
with and without parts and check that the merged plan is exactly as good and as honest as
the parts: every rule checked on the whole package, figures recomputed, a failed part's
centers left as shortfalls with no bound claimed for them.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from pollguard.core.model import ElectionPackage
from pollguard.core.planning.checker import check_plan
from pollguard.core.planning.engine import PlanOptions, make_plan
from pollguard.core.planning.parts import FailedPart, merge_plans, split_parts
from pollguard.core.planning.plan import Plan
from pollguard.core.planning.requirements import planned_centers, requirements
from pollguard.core.risk import scores
from pollguard.core.synthetic.scaled import Scale, build

SMALL_NATIONAL = Scale(3, 2, 30, 2, 2, national=True)
SMALL_PROVINCE = Scale(1, 3, 40, 2, 2, national=False)


def _package(scale: Scale, seed: int = 3) -> ElectionPackage:
    return build(random.Random(seed), scale, f"parts-{seed}")


def test_governorates_held_apart_by_their_reserves_are_separate_parts() -> None:
    pkg = _package(SMALL_NATIONAL)
    parts = split_parts(pkg)
    assert len(parts) == 3
    assert sorted(len(p.sectors) for p in parts) == [2, 2, 2]
    # Every planned center and every unit that can serve anywhere is in exactly one part.
    centers = [c.code for p in parts for c in planned_centers(p.package)]
    assert sorted(centers) == sorted(c.code for c in planned_centers(pkg))
    units = [u.code for p in parts for u in p.package.units]
    assert len(units) == len(set(units))
    for part in parts:
        sectors = set(part.sectors)
        assert all(u.sector in sectors for u in part.package.units if u.sector is not None)


def test_a_reserve_without_a_distance_limit_keeps_a_province_whole() -> None:
    assert len(split_parts(_package(SMALL_PROVINCE))) == 1


def test_one_reserve_that_reaches_two_governorates_joins_them() -> None:
    pkg = _package(SMALL_NATIONAL)
    reserve = next(u for u in pkg.units if u.sector is None and u.max_distance_km is not None)
    unlimited = dataclasses.replace(reserve, max_distance_km=None)
    joined = dataclasses.replace(
        pkg, units=tuple(unlimited if u.code == reserve.code else u for u in pkg.units)
    )
    assert len(split_parts(joined)) == 1


def _part_plans(pkg: ElectionPackage) -> tuple[dict[str, float], list[Plan]]:
    risks = scores(pkg)
    plans = [
        make_plan(
            part.package,
            PlanOptions(time_limit=2, workers=0),
            risks={c.code: risks[c.code] for c in part.package.centers if c.code in risks},
        )
        for part in split_parts(pkg)
    ]
    return risks, plans


@pytest.mark.slow
def test_the_merged_plan_passes_the_checker_on_the_whole_package_with_summed_figures() -> None:
    pkg = _package(SMALL_NATIONAL)
    risks, plans = _part_plans(pkg)
    merged = merge_plans(pkg, risks, plans, solve_seconds=1.0)
    assert check_plan(pkg, merged, risks=risks) == []
    objective = float(merged.metrics["objective"] or 0)
    bound = float(merged.metrics["bound"] or 0)
    assert objective == pytest.approx(sum(float(p.metrics["objective"] or 0) for p in plans))
    assert bound == pytest.approx(sum(float(p.metrics["bound"] or 0) for p in plans))
    assert bound <= objective + 1e-6
    assert merged.metrics["parts"] == 3
    assert merged.metrics["failed_parts"] == 0
    assert len(merged.assignments) == sum(len(p.assignments) for p in plans)


@pytest.mark.slow
def test_a_failed_part_is_named_and_its_centers_stay_unguarded_in_the_plan() -> None:
    pkg = _package(SMALL_NATIONAL)
    risks, plans = _part_plans(pkg)
    lost = split_parts(pkg)[0]
    failed = FailedPart(lost.name, lost.sectors, "worker lost")
    merged = merge_plans(pkg, risks, plans[1:], [failed], solve_seconds=1.0)
    assert check_plan(pkg, merged, risks=risks) == []
    assert merged.metrics["failed_part_names"] == lost.name
    assert merged.metrics["status"] == "parts_failed"
    lost_centers = {c.code for c in planned_centers(lost.package)}
    missing = {(s.center, s.role): s.missing for s in merged.shortfalls}
    for req in requirements(lost.package, risks):
        assert missing[(req.center, req.role)] == req.need
    assert not any(a.center in lost_centers for a in merged.assignments)
    # No bound is claimed for the lost part: the gap shows how much is unknown.
    assert float(merged.metrics["gap"] or 0) > 0.5
