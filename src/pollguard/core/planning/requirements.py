"""How many people each general polling center needs in each role (design.md section 6).

    need(c, r) = ceil((base + per_station * stations) * (1 + risk_factor * risk))

when the role's condition holds (every one of `min_risk`, `min_stations`, `min_voters`
that is set), else 0. One missing person costs `weight_r * (1 + risk_weight * risk_c)`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pollguard.core.model import Center, CenterKind, ElectionPackage, RolePolicy

__all__ = ["Requirement", "missing_cost", "need", "planned_centers", "requirements"]

# (base + per_station * stations) * (1 + factor * risk) is computed in binary floating
# point: 4 * 1.15 gives 4.6000000000000005, and ceil() must not turn a product that is
# an integer on paper (e.g. 2.3 * 10 = 23.000000000000004) into one more person.
_CEIL_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Requirement:
    """Need of one center in one role, and the cost of each person missing there."""

    center: str
    role: str
    need: int
    weight: float


def condition_holds(role: RolePolicy, center: Center, risk: float) -> bool:
    if role.min_risk is not None and risk < role.min_risk:
        return False
    if role.min_stations is not None and center.stations < role.min_stations:
        return False
    return not (role.min_voters is not None and center.voters < role.min_voters)


def need(role: RolePolicy, center: Center, risk: float) -> int:
    """People the role needs at the center (0 when its condition does not hold)."""
    if not condition_holds(role, center, risk):
        return 0
    value = (role.base + role.per_station * center.stations) * (1.0 + role.risk_factor * risk)
    return max(0, math.ceil(value - _CEIL_EPSILON))


def missing_cost(role: RolePolicy, risk_weight: float, risk: float) -> float:
    """Objective cost of one person missing in this role at a center of this risk."""
    return role.weight * (1.0 + risk_weight * risk)


def planned_centers(pkg: ElectionPackage) -> list[Center]:
    """The centers the cordon and sweep plans cover: the general ones."""
    return [c for c in pkg.centers if c.kind is CenterKind.GENERAL]


def requirements(pkg: ElectionPackage, risks: Mapping[str, float]) -> list[Requirement]:
    """Every positive need, in package order of centers then role names (stable)."""
    result: list[Requirement] = []
    roles = sorted(pkg.policy.roles.items())
    for center in planned_centers(pkg):
        risk = risks.get(center.code, 0.0)
        for name, role in roles:
            amount = need(role, center, risk)
            if amount > 0:
                weight = missing_cost(role, pkg.policy.risk_weight, risk)
                result.append(Requirement(center.code, name, amount, weight))
    return result
