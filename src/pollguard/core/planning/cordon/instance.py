"""The cordon problem of one package, indexed for the solvers.

Centers, cordon units and demands (center, role) get indices; units that are
interchangeable for the shortfall (same kind and team size, and exactly the same
reachable centers: their sector, cut by their distance limit) form one class, with the
distances from each member's base to the class's centers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pollguard.core.geo import distance_matrix_km
from pollguard.core.model import SWEEP_KINDS, Center, ElectionPackage, Unit, UnitKind
from pollguard.core.planning.requirements import Requirement, planned_centers, requirements

UnitSlot = tuple[int, int]  # (unit index, demand index)


@dataclass
class TeamClass:
    """Interchangeable teams: same kind, size and eligible centers (see module doc)."""

    kind: UnitKind
    size: int
    sector: str | None
    members: np.ndarray  # unit indices, in package order
    teams: np.ndarray  # team count per member
    centers: np.ndarray  # eligible planned-center indices
    dist: np.ndarray  # km, members x eligible centers
    demands: np.ndarray  # eligible demand indices
    demand_col: np.ndarray  # column of `centers` for each eligible demand

    @property
    def total(self) -> int:
        return int(self.teams.sum())


@dataclass
class CordonInstance:
    """The cordon problem of one package under given risks, indexed for the solvers."""

    centers: list[Center]
    units: list[Unit]
    demands: list[Requirement]
    classes: list[TeamClass]
    risks: Mapping[str, float]
    center_index: dict[str, int] = field(default_factory=dict)
    unit_index: dict[str, int] = field(default_factory=dict)
    demand_index: dict[tuple[str, str], int] = field(default_factory=dict)
    unit_class: dict[int, int] = field(default_factory=dict)
    # demand index -> [(class index, column in that class's centers)]
    candidates: list[list[tuple[int, int]]] = field(default_factory=list)

    @property
    def need(self) -> np.ndarray:
        return np.array([d.need for d in self.demands], dtype=float)

    @property
    def weight(self) -> np.ndarray:
        return np.array([d.weight for d in self.demands], dtype=float)


def cordon_units(pkg: ElectionPackage) -> list[Unit]:
    """Units that can form cordon teams: a kind some role accepts, not EOD/K9, >= 1 team."""
    kinds: set[UnitKind] = set()
    for role in pkg.policy.roles.values():
        kinds |= set(role.kinds)
    kinds -= SWEEP_KINDS
    return [u for u in pkg.units if u.kind in kinds and u.team_count > 0]


def build_instance(pkg: ElectionPackage, risks: Mapping[str, float]) -> CordonInstance:
    """Index centers, units and demands; group units into classes with their distances."""
    centers = planned_centers(pkg)
    units = cordon_units(pkg)
    demands = requirements(pkg, risks)
    inst = CordonInstance(centers=centers, units=units, demands=demands, classes=[], risks=risks)
    inst.center_index = {c.code: i for i, c in enumerate(centers)}
    inst.unit_index = {u.code: i for i, u in enumerate(units)}
    inst.demand_index = {(d.center, d.role): j for j, d in enumerate(demands)}
    inst.candidates = [[] for _ in demands]
    by_sector: dict[str, list[int]] = {}
    for i, c in enumerate(centers):
        by_sector.setdefault(c.sector, []).append(i)
    all_centers = np.arange(len(centers))
    clat = np.array([c.lat for c in centers], dtype=float)
    clon = np.array([c.lon for c in centers], dtype=float)
    roles_of: dict[UnitKind, list[str]] = {}
    for name, role in sorted(pkg.policy.roles.items()):
        for kind in role.kinds:
            roles_of.setdefault(kind, []).append(name)

    # Units are interchangeable when they have the same kind and team size and may serve
    # exactly the same centers (their sector, cut by their distance limit): the class key
    # is that set itself, not the unit's base, so units with distance limits whose bases
    # differ but reach the same centers share one class.
    rough: dict[tuple[Any, ...], list[int]] = {}
    for i, u in enumerate(units):
        rough.setdefault((u.kind.value, u.effective_team_size, u.sector or ""), []).append(i)
    fine: dict[tuple[Any, ...], list[tuple[int, np.ndarray, np.ndarray]]] = {}
    for key in sorted(rough):
        members = rough[key]
        first = units[members[0]]
        pool = (
            all_centers
            if first.sector is None
            else np.array(by_sector.get(first.sector, []), dtype=int)
        )
        mlat = np.array([units[m].lat for m in members], dtype=float)
        mlon = np.array([units[m].lon for m in members], dtype=float)
        dist = (
            distance_matrix_km(mlat, mlon, clat[pool], clon[pool])
            if len(pool)
            else np.zeros((len(members), 0))
        )
        for row, m in enumerate(members):
            limit = units[m].max_distance_km
            keep = np.ones(len(pool), dtype=bool) if limit is None else dist[row] <= limit + 1e-9
            reach = pool[keep]
            fine.setdefault((key[0], key[1], reach.tobytes()), []).append(
                (m, reach, dist[row, keep])
            )

    for key in sorted(fine, key=lambda k: (k[0], k[1], fine[k][0][0])):
        rows = sorted(fine[key], key=lambda r: r[0])
        members = [m for m, _, _ in rows]
        first = units[members[0]]
        pool = rows[0][1]
        dist = np.vstack([d for _, _, d in rows]) if len(pool) else np.zeros((len(members), 0))
        sectors = {units[m].sector for m in members}
        sector = first.sector if len(sectors) == 1 else None
        dem: list[int] = []
        col: list[int] = []
        roles = roles_of.get(first.kind, [])
        for c_col, c_idx in enumerate(pool.tolist()):
            code = centers[c_idx].code
            for role_name in roles:
                j = inst.demand_index.get((code, role_name))
                if j is not None:
                    dem.append(j)
                    col.append(c_col)
        if not dem:
            continue  # idle class: nothing it may serve needs anyone
        k = len(inst.classes)
        inst.classes.append(
            TeamClass(
                kind=first.kind,
                size=first.effective_team_size,
                sector=sector,
                members=np.array(members, dtype=int),
                teams=np.array([units[m].team_count for m in members], dtype=int),
                centers=pool,
                dist=dist,
                demands=np.array(dem, dtype=int),
                demand_col=np.array(col, dtype=int),
            )
        )
        for m in members:
            inst.unit_class[m] = k
        for j, c_col in zip(dem, col, strict=True):
            inst.candidates[j].append((k, c_col))
    return inst
