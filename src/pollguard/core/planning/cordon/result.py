"""A whole-team deployment as callers see it, and the rule for bounds.

`CordonResult` carries the teams, assignments, shortfalls, the exactly recomputed
objective and what is proven about it. A bound is checked against the objective, never
clipped to it: a bound above a plan's objective is a solver bug (`BoundError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from pollguard.core.planning.cordon.instance import CordonInstance, UnitSlot
from pollguard.core.planning.plan import Assignment, Shortfall


class BoundError(RuntimeError):
    """An internal error: a solver reported a lower bound above a plan's objective.

    A valid bound can never exceed any plan's objective; one that does is a solver bug,
    and clipping it to the objective would hide the bug behind a plan "proven optimal".
    """


def bound_tolerance(objective: float) -> float:
    """Float noise allowed between a bound and an objective (solver tolerances)."""
    return 1e-6 * max(1.0, abs(objective))


def check_bound(bound: float, objective: float, where: str) -> float:
    """`bound`, unchanged; raises BoundError when it is above `objective` beyond noise."""
    if bound > objective + bound_tolerance(objective):
        raise BoundError(f"{where}: bound {bound!r} above objective {objective!r}")
    return bound


@dataclass(frozen=True)
class CordonResult:
    """A whole-team deployment, its objective and what is proven about it."""

    teams: Mapping[UnitSlot, int]  # (unit index, demand index) -> whole teams
    assignments: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...]
    objective: float
    bound: float
    flow_bound: float
    travel_km: float
    solver: str
    status: str
    seconds: float
    components: int = 0
    moves: int | None = None
    details: tuple[Mapping[str, Any], ...] = ()
    from_start: bool = False  # the optimizer did worse and its start plan was kept


@dataclass(frozen=True)
class Evaluation:
    """A deployment's objectives, recomputed exactly from its teams."""

    shortfall: float  # weighted shortfall, objective (1)
    travel_km: float  # team-km from base to center, objective (2)
    assigned: np.ndarray  # people assigned per demand


def evaluate(inst: CordonInstance, teams: Mapping[UnitSlot, int]) -> Evaluation:
    """The weighted shortfall, the travel and the people assigned per demand."""
    assigned = np.zeros(len(inst.demands))
    travel = 0.0
    for (u, j), n in teams.items():
        if n <= 0:
            continue
        k = inst.unit_class[u]
        cls = inst.classes[k]
        assigned[j] += n * cls.size
        row = int(np.searchsorted(cls.members, u))
        col = int(np.searchsorted(cls.centers, inst.center_index[inst.demands[j].center]))
        travel += n * float(cls.dist[row, col])
    short = np.maximum(0.0, inst.need - assigned)
    return Evaluation(float((short * inst.weight).sum()), travel, assigned)


def _result(
    inst: CordonInstance,
    teams: Mapping[UnitSlot, int],
    *,
    bound: float,
    flow: float,
    solver: str,
    status: str,
    seconds: float,
    components: int = 0,
    moves: int | None = None,
    details: tuple[Mapping[str, Any], ...] = (),
    from_start: bool = False,
) -> CordonResult:
    evaluation = evaluate(inst, teams)
    objective, assigned = evaluation.shortfall, evaluation.assigned
    assignments = []
    for (u, j), n in sorted(
        teams.items(),
        key=lambda item: (
            inst.demands[item[0][1]].center,
            inst.demands[item[0][1]].role,
            inst.units[item[0][0]].code,
        ),
    ):
        if n > 0:
            unit = inst.units[u]
            d = inst.demands[j]
            assignments.append(
                Assignment(unit.code, d.center, d.role, n * unit.effective_team_size)
            )
    shortfalls = tuple(
        Shortfall(d.center, d.role, int(d.need - assigned[j]))
        for j, d in enumerate(inst.demands)
        if assigned[j] < d.need
    )
    return CordonResult(
        teams=dict(teams),
        assignments=tuple(assignments),
        shortfalls=shortfalls,
        objective=objective,
        bound=check_bound(bound, objective, "cordon plan"),
        flow_bound=flow,
        travel_km=evaluation.travel_km,
        solver=solver,
        status=status,
        seconds=seconds,
        components=components,
        moves=moves,
        details=details,
        from_start=from_start,
    )
