"""Verify every rule of a plan against its package (design.md section 6).

The checker trusts nothing in the plan: it recomputes the needs from the package and the
risks, the shortfalls and the objective from the assignments, and asks sweeps.py to
check each route. An empty list means the plan is feasible and its figures are honest.
Tests call it on every plan they produce (`tests/core/planning_helpers.py`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pollguard.core.geo import haversine_km
from pollguard.core.model import SWEEP_KINDS, CenterKind, ElectionPackage, UnitKind
from pollguard.core.planning.plan import Plan
from pollguard.core.planning.requirements import requirements
from pollguard.core.risk import scores

__all__ = ["Violation", "check_plan"]

_TOL = 1e-6


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule; `rule` is a stable key, `message` names the offending codes."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


def _close(a: float, b: float, rel: float = _TOL) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def check_plan(
    pkg: ElectionPackage,
    plan: Plan,
    *,
    risks: Mapping[str, float] | None = None,
    sweeps: bool = True,
) -> list[Violation]:
    """Every violated rule of `plan`. `risks` default to the package's risk model, and
    then the plan's own `risk` table must agree with it. `sweeps=False` checks a
    cordon-only plan (the sweep part is then not required to be there)."""
    out: list[Violation] = []

    def bad(rule: str, message: str) -> None:
        out.append(Violation(rule, message))

    if risks is None:
        risks = scores(pkg)
        for code, value in plan.risk.items():
            if code in risks and abs(risks[code] - value) > 1e-5:
                bad(
                    "risk",
                    f"center {code}: plan says risk {value}, the model gives {risks[code]:.6f}",
                )
    units = {u.code: u for u in pkg.units}
    centers = {c.code: c for c in pkg.centers}
    roles = pkg.policy.roles

    used: dict[str, int] = {}
    assigned: dict[tuple[str, str], int] = {}
    for a in plan.assignments:
        where = f"unit {a.unit} at {a.center} ({a.role})"
        unit = units.get(a.unit)
        center = centers.get(a.center)
        role = roles.get(a.role)
        if unit is None:
            bad("unknown_unit", f"{where}: no such unit")
        if center is None:
            bad("unknown_center", f"{where}: no such center")
        elif center.kind is not CenterKind.GENERAL:
            bad("center_kind", f"{where}: only general centers are planned, this is {center.kind}")
        if role is None:
            bad("unknown_role", f"{where}: no such role in the policy")
        if unit is None or center is None or role is None:
            continue
        if unit.kind not in role.kinds:
            bad("kind", f"{where}: a {unit.kind} unit cannot serve {a.role}")
        if unit.kind in SWEEP_KINDS:
            bad("kind", f"{where}: {unit.kind} units are sweep teams, not cordon teams")
        if unit.sector is not None and unit.sector != center.sector:
            bad("sector", f"{where}: unit of sector {unit.sector}, center in {center.sector}")
        if unit.max_distance_km is not None:
            km = haversine_km(unit.lat, unit.lon, center.lat, center.lon)
            if km > unit.max_distance_km + 1e-9:
                bad("distance", f"{where}: {km:.1f} km from base, limit {unit.max_distance_km} km")
        size = unit.effective_team_size
        if a.headcount <= 0 or a.headcount % size != 0:
            bad(
                "whole_teams",
                f"{where}: headcount {a.headcount} is not a whole number of teams of {size}",
            )
        used[a.unit] = used.get(a.unit, 0) + a.headcount
        key = (a.center, a.role)
        assigned[key] = assigned.get(key, 0) + a.headcount
    for code, people in sorted(used.items()):
        unit = units[code]
        limit = unit.team_count * unit.effective_team_size
        if people > limit:
            bad("over_committed", f"unit {code}: {people} people assigned, {limit} deployable")

    expected: dict[tuple[str, str], int] = {}
    objective = 0.0
    need_weight = 0.0
    for req in requirements(pkg, risks):
        missing = max(0, req.need - assigned.get((req.center, req.role), 0))
        need_weight += req.need * req.weight
        if missing:
            expected[(req.center, req.role)] = missing
            objective += missing * req.weight
    claimed: dict[tuple[str, str], int] = {}
    for s in plan.shortfalls:
        if (s.center, s.role) in claimed:
            bad("shortfalls", f"{s.center} ({s.role}): listed twice")
        claimed[(s.center, s.role)] = s.missing
    for key in sorted(set(expected) | set(claimed)):
        if expected.get(key, 0) != claimed.get(key, 0):
            bad(
                "shortfalls",
                f"{key[0]} ({key[1]}): plan says {claimed.get(key, 0)} missing, "
                f"the assignments leave {expected.get(key, 0)}",
            )

    m = plan.metrics

    def number(key: str) -> float | None:
        value = m.get(key)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )

    claimed_objective = number("objective")
    if claimed_objective is None:
        bad("metrics", "metrics.objective is missing")
    elif not _close(claimed_objective, objective):
        bad(
            "metrics",
            f"metrics.objective is {claimed_objective}, "
            f"the plan's weighted shortfall is {objective}",
        )
    bound = number("bound")
    if bound is None:
        bad("metrics", "metrics.bound is missing")
    elif bound > objective + _TOL * max(1.0, objective):
        bad("metrics", f"metrics.bound {bound} is above the objective {objective}")
    gap = number("gap")
    if gap is not None and bound is not None:
        expected_gap = (objective - bound) / max(objective, 1.0)
        if not math.isclose(gap, expected_gap, rel_tol=1e-4, abs_tol=1e-6):
            bad(
                "metrics",
                f"metrics.gap is {gap}, (objective - bound) / max(objective, 1) is {expected_gap}",
            )
    coverage = number("risk_weighted_coverage")
    if coverage is not None:
        expected_cov = 1.0 if need_weight <= 0 else 1.0 - objective / need_weight
        if not math.isclose(coverage, expected_cov, rel_tol=1e-4, abs_tol=1e-6):
            bad("metrics", f"metrics.risk_weighted_coverage is {coverage}, expected {expected_cov}")

    if sweeps:
        out.extend(_check_sweeps(pkg, plan, risks))
    return out


def _check_sweeps(pkg: ElectionPackage, plan: Plan, risks: Mapping[str, float]) -> list[Violation]:
    try:
        from pollguard.core.planning import sweeps
    except ImportError:  # pragma: no cover - sweeps.py ships with the planner
        return (
            [Violation("sweep", "sweep rules cannot be checked: sweeps module missing")]
            if plan.sweeps
            else []
        )
    out: list[Violation] = []
    routes = []
    for s in plan.sweeps:
        try:
            kind = UnitKind(s.kind)
        except ValueError:
            out.append(Violation("sweep", f"team {s.team}: unknown kind {s.kind}"))
            continue
        routes.append(
            sweeps.SweepRoute(
                team=s.team,
                unit=s.unit,
                kind=kind,
                stops=tuple(sweeps.SweepStop(st.center, st.start, st.end) for st in s.stops),
            )
        )
    out.extend(Violation("sweep", msg) for msg in sweeps.check_sweeps(pkg, risks, routes))
    # Every required sweep nobody does must be declared as a sweep shortfall.
    done = {(st.center, r.kind) for r in routes for st in r.stops}
    declared = {(g.center, g.kind) for g in plan.sweep_shortfalls}
    for center in pkg.centers:
        risk = sweeps.center_risk(center, risks)
        for kind in (UnitKind.EOD, UnitKind.K9):
            if not sweeps.needs_sweep(pkg, center, kind, risk):
                continue
            if (center.code, kind) not in done and (center.code, kind.value) not in declared:
                out.append(
                    Violation(
                        "sweep_shortfalls", f"{center.code}: unswept by {kind} but not listed"
                    )
                )
    return out
