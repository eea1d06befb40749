"""Independent parts of a package, and one plan from the plans of its parts.

National planning (design.md section 4) runs one job per independent part, spread over
whatever workers exist, then merges. Two sectors are in one part when some unit could
serve both: a sector unit serves only its sector; a reserve serves every sector with a
planned center within its `max_distance_km` (every sector when it has none). A sweep team
follows the same rule. With the package format's one governorate per election this
splits a national package (governorates held apart by their reserves' distance limits,
see `pollguard.core.synthetic.scaled`) into its governorates, and leaves a province with
governorate reserves whole: the split is found from the data, never from a code scheme.

Splitting loses nothing: no unit of one part can be assigned in another, so the parts'
optima add up to the whole optimum and their proven bounds add up to a proven bound.
`merge_plans` recomputes every shortfall and figure of the merged plan from the whole
package, so a part that failed (named in `metrics.failed_parts`) shows as centers with
their whole need missing, never as a hidden gap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pollguard.core.geo import distance_matrix_km
from pollguard.core.model import SWEEP_KINDS, ElectionPackage, UnitKind
from pollguard.core.planning.plan import Metric, Plan, Shortfall, SweepGap
from pollguard.core.planning.requirements import planned_centers, requirements

__all__ = ["FailedPart", "Part", "merge_plans", "split_parts"]

# A reserve whose limit falls within this much of a center's distance still joins the
# center's sector: joining two parts that could stay apart only costs speed, splitting
# two that a unit links would lose plans, so rounding must err towards joining.
_REACH_SLACK_KM = 0.01


@dataclass(frozen=True)
class Part:
    """One independent part: its sectors (sorted) and the package restricted to them."""

    name: str
    sectors: tuple[str, ...]
    package: ElectionPackage

    @property
    def centers(self) -> int:
        return len(planned_centers(self.package))


@dataclass(frozen=True)
class FailedPart:
    """A part whose plan could not be made, with the reason shown to the user."""

    name: str
    sectors: tuple[str, ...]
    reason: str


def _reach(pkg: ElectionPackage) -> list[set[str]]:
    """The sectors each unit could serve, in package order."""
    centers = planned_centers(pkg)
    all_sectors = {c.sector for c in centers}
    if not centers:
        return [set() for _ in pkg.units]
    clat = np.array([c.lat for c in centers], dtype=float)
    clon = np.array([c.lon for c in centers], dtype=float)
    sector_of = np.array([c.sector for c in centers], dtype=object)
    limited = [
        i for i, u in enumerate(pkg.units) if u.sector is None and u.max_distance_km is not None
    ]
    near: dict[int, set[str]] = {}
    if limited:
        ulat = np.array([pkg.units[i].lat for i in limited], dtype=float)
        ulon = np.array([pkg.units[i].lon for i in limited], dtype=float)
        dist = distance_matrix_km(ulat, ulon, clat, clon)
        for row, i in enumerate(limited):
            limit = float(pkg.units[i].max_distance_km or 0.0) + _REACH_SLACK_KM
            near[i] = set(sector_of[dist[row] <= limit].tolist())
    out: list[set[str]] = []
    for i, unit in enumerate(pkg.units):
        if unit.sector is not None:
            out.append({unit.sector} & all_sectors)
        elif i in near:
            out.append(near[i])
        else:
            out.append(set(all_sectors))
    return out


def _name(sectors: Sequence[str]) -> str:
    if len(sectors) <= 3:
        return ", ".join(sectors)
    return f"{sectors[0]} … {sectors[-1]} ({len(sectors)} sectors)"


def split_parts(pkg: ElectionPackage) -> list[Part]:
    """The package's independent parts, largest first (module docstring)."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    planned = planned_centers(pkg)
    for center in planned:
        find(center.sector)
    reach = _reach(pkg)
    for served in reach:
        first, *rest = sorted(served) or [""]
        for other in rest:
            ra, rb = find(first), find(other)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, set[str]] = {}
    for center in planned:
        groups.setdefault(find(center.sector), set()).add(center.sector)
    parts: list[Part] = []
    for root, members in groups.items():
        sectors = tuple(sorted(members))
        units = tuple(
            u for u, r in zip(pkg.units, reach, strict=True) if r and find(min(r)) == root
        )
        unit_codes = {u.code for u in units}
        centers = tuple(c for c in pkg.centers if c.sector in members)
        center_codes = {c.code for c in centers}
        sub = dataclasses.replace(
            pkg,
            sectors=tuple(s for s in pkg.sectors if s.code in members),
            centers=centers,
            units=units,
            stations=tuple(s for s in pkg.stations if s.center in center_codes),
            personnel=tuple(p for p in pkg.personnel if p.unit in unit_codes),
            special_register=(),
        )
        parts.append(Part(_name(sectors), sectors, sub))
    parts.sort(key=lambda p: (-p.centers, p.sectors))
    return parts


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _sum(plans: Sequence[Plan], key: str) -> float | None:
    values = [_number(p.metrics.get(key)) for p in plans]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def merge_plans(
    pkg: ElectionPackage,
    risks: Mapping[str, float],
    plans: Sequence[Plan],
    failed: Sequence[FailedPart] = (),
    *,
    solve_seconds: float,
) -> Plan:
    """One plan for the whole package from its parts' plans (module docstring).

    Shortfalls, the objective and the coverages are recomputed here from the merged
    assignments; the bound is the sum of the parts' proven bounds, with nothing for a
    failed part (zero is a valid lower bound for a weighted shortfall).
    """
    from pollguard.core.planning import sweeps

    assignments = tuple(a for p in plans for a in p.assignments)
    routes = tuple(s for p in plans for s in p.sweeps)
    assigned: dict[tuple[str, str], int] = {}
    for a in assignments:
        assigned[(a.center, a.role)] = assigned.get((a.center, a.role), 0) + a.headcount
    shortfalls: list[Shortfall] = []
    objective = need_weight = 0.0
    needs = requirements(pkg, risks)
    for req in needs:
        need_weight += req.need * req.weight
        missing = max(0, req.need - assigned.get((req.center, req.role), 0))
        if missing:
            shortfalls.append(Shortfall(req.center, req.role, missing))
            objective += missing * req.weight
    sweep_routes = [
        sweeps.SweepRoute(
            team=s.team,
            unit=s.unit,
            kind=UnitKind(s.kind),
            stops=tuple(sweeps.SweepStop(st.center, st.start, st.end) for st in s.stops),
        )
        for s in routes
    ]
    has_sweeps = any(u.kind in SWEEP_KINDS for u in pkg.units)
    coverage, unswept = sweeps.sweep_coverage(pkg, risks, sweep_routes)
    bound = sum(_number(p.metrics.get("bound")) or 0.0 for p in plans)
    metrics: dict[str, Metric] = {
        "objective": objective,
        "bound": bound,
        "gap": (objective - bound) / max(objective, 1.0),
        "greedy_objective": _sum(plans, "greedy_objective") if not failed else None,
        "flow_bound": _sum(plans, "flow_bound"),
        "risk_weighted_coverage": 1.0 if need_weight <= 0 else 1.0 - objective / need_weight,
        "sweep_coverage": coverage if has_sweeps else None,
        "solve_seconds": round(solve_seconds, 3),
        "travel_km": _sum(plans, "travel_km"),
        "sweep_travel_km": _sum(plans, "sweep_travel_km"),
        "solver": ", ".join(sorted({str(p.metrics.get("solver")) for p in plans})) or None,
        "status": "parts" if not failed else "parts_failed",
        "components": int(_sum(plans, "components") or 0),
        "parts": len(plans) + len(failed),
        "failed_parts": len(failed),
        "failed_part_names": ", ".join(f.name for f in failed) or None,
        "centers": len(planned_centers(pkg)),
        "need": sum(r.need for r in needs),
        "deployed": sum(a.headcount for a in assignments),
        "missing": sum(s.missing for s in shortfalls),
    }
    for key in ("time_limit", "seed"):
        if plans:
            metrics[key] = plans[0].metrics.get(key)
    return Plan(
        election=pkg.election.code,
        assignments=assignments,
        shortfalls=tuple(shortfalls),
        sweeps=routes,
        sweep_shortfalls=tuple(SweepGap(g.center, g.kind.value) for g in unswept),
        risk={c.code: float(risks.get(c.code, 0.0)) for c in planned_centers(pkg)},
        metrics=metrics,
    )
