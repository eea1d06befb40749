"""Dispatch suggestion: which units to send to an incident, best first.

For an incident at a point that needs a capability, every available unit of an eligible
kind is ranked by a score in minutes:

    score = eta + (0 if reserve else sector_penalty) + (gap_penalty if it leaves a gap)

where `eta` is `road_factor` x great-circle distance over the unit's speed (the unit's
own `speed_kmh`, else the policy's speed for its kind, else 40 km/h). Reserves are
preferred because pulling a sector unit strips its own sector; a unit whose departure
leaves a center under its minimum is preferred last, but only by a penalty: a unit five
minutes away that opens a gap may still beat one two hours away. Ties go to the
reserve, then the nearer unit, then the unit code, so the order is stable.

What "departure" means. A unit sends one team (the whole unit when it is one team): a
team the plan does not use if it has one; otherwise the team whose absence hurts least.
Pulling a team from (center, role) leaves a gap when the people left there fall under
`need(center, role)`. A unit flagged with a gap is one whose teams are all needed.
Without `needs`, every assigned person is taken as needed (the cautious reading).

`DispatchIndex` does the per-plan work once (unit arrays, spare teams, gaps), so one
query is a numpy pass over the units: well under the 50 ms bar for a province.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from pollguard.core.geo import distances_to_point_km
from pollguard.core.model import ElectionPackage, Unit, UnitKind

DEFAULT_SPEED_KMH = 40.0
"""Speed of a unit when neither the unit nor the policy gives one for its kind."""

SECTOR_PENALTY_MIN = 5.0
"""Minutes added to a sector unit's score: a reserve arriving at the same time wins."""

GAP_PENALTY_MIN = 30.0
"""Minutes added when sending the unit leaves a center under its need."""


class AssignmentLike(Protocol):
    """What dispatch reads of a plan assignment (`pollguard.core.planning.plan.Assignment`)."""

    @property
    def unit(self) -> str: ...
    @property
    def center(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def headcount(self) -> int: ...


class SuggestionReason(enum.StrEnum):
    """Why a unit is where it is in the ranking; the web turns it into a sentence."""

    RESERVE = "reserve"  # a governorate reserve with a team to spare
    SPARE = "spare"  # a sector unit with a team the plan can do without
    GAP = "gap"  # every team is needed: sending one leaves a center under its need


@dataclass(frozen=True)
class Suggestion:
    """One ranked unit. `leaves_gap` lists the centers its departure leaves under need."""

    unit: str
    eta_minutes: float
    distance_km: float
    is_reserve: bool
    leaves_gap: tuple[str, ...]
    reason: SuggestionReason
    score: float


def unit_speed_kmh(pkg: ElectionPackage, unit: Unit) -> float:
    """The unit's own speed, else the policy's for its kind, else 40 km/h."""
    if unit.speed_kmh:
        return unit.speed_kmh
    return pkg.policy.sweep.speed_kmh.get(unit.kind, DEFAULT_SPEED_KMH)


def eligible_kinds(pkg: ElectionPackage, capability: UnitKind | str) -> frozenset[UnitKind]:
    """Unit kinds that provide `capability`: a unit kind, or a role of the policy."""
    if isinstance(capability, UnitKind):
        return frozenset({capability})
    if capability in pkg.policy.roles:
        return pkg.policy.roles[capability].kinds
    try:
        return frozenset({UnitKind(capability)})
    except ValueError:
        raise ValueError(
            f"unknown capability {capability!r}: expected a unit kind or a policy role"
        ) from None


def _departure(
    unit: Unit,
    rows: list[tuple[str, str, int]],
    staffed: Mapping[tuple[str, str], int],
    needs: Mapping[str, Mapping[str, int]] | None,
) -> tuple[str, ...]:
    """Centers left under need when `unit` sends its least-needed team (empty: none)."""
    team = unit.effective_team_size
    used = sum(math.ceil(h / team) for _, _, h in rows) if team > 0 else 0
    if used < unit.team_count or not rows:
        return ()
    best: tuple[int, str] | None = None  # (people missing afterwards, center)
    for center, role, headcount in rows:
        need = headcount if needs is None else needs.get(center, {}).get(role, 0)
        missing = need - (staffed[center, role] - min(team, headcount))
        if missing <= 0:
            return ()
        if best is None or (missing, center) < best:
            best = (missing, center)
    assert best is not None
    return (best[1],)


class DispatchIndex:
    """Units of a package with the plan's use of them, ready for many incident queries."""

    def __init__(
        self,
        pkg: ElectionPackage,
        assignments: Iterable[AssignmentLike] = (),
        needs: Mapping[str, Mapping[str, int]] | None = None,
        *,
        sector_penalty_min: float = SECTOR_PENALTY_MIN,
        gap_penalty_min: float = GAP_PENALTY_MIN,
    ) -> None:
        self.pkg = pkg
        self.sector_penalty_min = sector_penalty_min
        self.gap_penalty_min = gap_penalty_min
        units = [u for u in pkg.units if u.team_count > 0]
        rows: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        staffed: dict[tuple[str, str], int] = defaultdict(int)
        for a in assignments:
            rows[a.unit].append((a.center, a.role, a.headcount))
            staffed[a.center, a.role] += a.headcount
        self.units = units
        self.codes = [u.code for u in units]
        self.position = {code: i for i, code in enumerate(self.codes)}
        self.lat = np.array([u.lat for u in units], dtype=np.float64)
        self.lon = np.array([u.lon for u in units], dtype=np.float64)
        self.minutes_per_km = np.array(
            [60.0 / unit_speed_kmh(pkg, u) for u in units], dtype=np.float64
        )
        self.reserve = np.array([u.is_reserve for u in units], dtype=np.bool_)
        self.max_km = np.array(
            [u.max_distance_km if u.max_distance_km is not None else np.inf for u in units],
            dtype=np.float64,
        )
        self.kind_of = np.array([u.kind.value for u in units], dtype=object)
        self.gaps = [_departure(u, rows[u.code], staffed, needs) for u in units]
        self.has_gap = np.array([bool(g) for g in self.gaps], dtype=np.bool_)
        self.base_penalty = np.where(self.reserve, 0.0, sector_penalty_min) + np.where(
            self.has_gap, gap_penalty_min, 0.0
        )
        self._kind_masks: dict[frozenset[UnitKind], npt.NDArray[np.bool_]] = {}

    def _kind_mask(self, kinds: frozenset[UnitKind]) -> npt.NDArray[np.bool_]:
        if kinds not in self._kind_masks:
            self._kind_masks[kinds] = np.isin(self.kind_of, [k.value for k in kinds])
        return self._kind_masks[kinds]

    def suggest(
        self,
        lat: float,
        lon: float,
        capability: UnitKind | str,
        *,
        available: Collection[str] | None = None,
        limit: int = 5,
    ) -> list[Suggestion]:
        """The best `limit` units for an incident at (lat, lon), best first.

        `available` restricts the candidates to these unit codes (units already
        dispatched or off duty are left out by the caller); None means every unit.
        A unit with `max_distance_km` is not sent beyond it.
        """
        mask = self._kind_mask(eligible_kinds(self.pkg, capability)).copy()
        if available is not None:
            allowed = np.zeros(len(self.codes), dtype=np.bool_)
            idx = [self.position[c] for c in available if c in self.position]
            allowed[idx] = True
            mask &= allowed
        candidates = np.flatnonzero(mask)
        if candidates.size == 0 or limit <= 0:
            return []
        crow = distances_to_point_km(self.lat[candidates], self.lon[candidates], lat, lon)
        within = crow <= self.max_km[candidates]
        candidates, crow = candidates[within], crow[within]
        road = crow * self.pkg.policy.sweep.road_factor
        eta = road * self.minutes_per_km[candidates]
        score = eta + self.base_penalty[candidates]
        # Keep the best `limit` (argpartition is linear), then order them exactly.
        if candidates.size > limit:
            top = np.argpartition(score, limit - 1)[:limit]
            # Ties at the cut: include every unit scoring as the worst kept one.
            cut = score[top].max()
            top = np.flatnonzero(score <= cut)
        else:
            top = np.arange(candidates.size)
        order = sorted(
            top.tolist(),
            key=lambda i: (
                score[i],
                not self.reserve[candidates[i]],
                road[i],
                self.codes[candidates[i]],
            ),
        )[:limit]
        out: list[Suggestion] = []
        for i in order:
            u = int(candidates[i])
            if self.has_gap[u]:
                reason = SuggestionReason.GAP
            elif self.reserve[u]:
                reason = SuggestionReason.RESERVE
            else:
                reason = SuggestionReason.SPARE
            out.append(
                Suggestion(
                    unit=self.codes[u],
                    eta_minutes=float(eta[i]),
                    distance_km=float(road[i]),
                    is_reserve=bool(self.reserve[u]),
                    leaves_gap=self.gaps[u],
                    reason=reason,
                    score=float(score[i]),
                )
            )
        return out


def suggest_units(
    pkg: ElectionPackage,
    plan_assignments: Iterable[AssignmentLike],
    incident_lat: float,
    incident_lon: float,
    capability: UnitKind | str,
    *,
    available: Collection[str] | None = None,
    limit: int = 5,
    needs: Mapping[str, Mapping[str, int]] | None = None,
) -> list[Suggestion]:
    """Rank units for one incident (builds a `DispatchIndex`; reuse one for many)."""
    index = DispatchIndex(pkg, plan_assignments, needs)
    return index.suggest(incident_lat, incident_lon, capability, available=available, limit=limit)
