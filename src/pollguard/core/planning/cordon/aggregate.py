"""Independent parts and their aggregated whole-team models.

Sectors are independent except through reserves: the sectors a class can reach are
joined, and each connected part is solved on its own. A part's model counts teams per
(class, demand) pair (`x[k, j]` in 0..min(N_k, ceil(need_j / s_k))); it is plain data
so that it can be sent to a worker process. The helpers here evaluate such counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from pollguard.core.planning.cordon.instance import CordonInstance, UnitSlot


@dataclass
class ComponentModel:
    """The aggregated whole-team model of one independent part (plain data: picklable)."""

    name: str
    class_ids: list[int]
    demand_ids: list[int]
    cap: np.ndarray  # teams per class
    size: np.ndarray  # team size per class
    need: np.ndarray
    weight: np.ndarray
    pair_k: np.ndarray  # local class of each pair
    pair_j: np.ndarray  # local demand of each pair
    pair_cost: np.ndarray  # class-mean km from base to the pair's center
    pair_ub: np.ndarray
    demand_group: np.ndarray | None = None  # sector of each demand (as an int), for bounds
    warm: list[np.ndarray] = field(default_factory=list)  # candidate starts, teams per pair
    current: np.ndarray | None = None  # teams per pair in the plan being re-planned

    @property
    def size_hint(self) -> int:
        return len(self.pair_k) + len(self.need)


@dataclass(frozen=True)
class Part:
    """One independent part of an instance: the classes and demands it holds."""

    class_ids: list[int]  # indices into `CordonInstance.classes`
    demand_ids: list[int]  # indices into `CordonInstance.demands`


@dataclass(frozen=True)
class SubModel:
    """A model restricted to some demands, and where its pairs come from."""

    model: ComponentModel
    back: np.ndarray  # the parent model's pair for each pair of `model`


def components(inst: CordonInstance) -> list[Part]:
    """Independent parts, largest (most demands) first."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for c in inst.centers:
        find(c.sector)
    for cls in inst.classes:
        sectors = {inst.centers[i].sector for i in cls.centers.tolist()}
        first, *rest = sorted(sectors)
        for s in rest:
            ra, rb = find(first), find(s)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    demand_parts: dict[str, list[int]] = {}
    for j, d in enumerate(inst.demands):
        root = find(inst.centers[inst.center_index[d.center]].sector)
        demand_parts.setdefault(root, []).append(j)
    class_parts: dict[str, list[int]] = {}
    for k, cls in enumerate(inst.classes):
        root = find(inst.centers[int(cls.centers[0])].sector)
        class_parts.setdefault(root, []).append(k)
    parts = [Part(class_parts.get(root, []), js) for root, js in demand_parts.items()]
    parts.sort(key=lambda p: (-len(p.demand_ids), p.demand_ids[0] if p.demand_ids else 0))
    return parts


def _model(
    inst: CordonInstance, name: str, class_ids: list[int], demand_ids: list[int]
) -> ComponentModel:
    local_j = {j: i for i, j in enumerate(demand_ids)}
    need = np.array([inst.demands[j].need for j in demand_ids], dtype=float)
    pk: list[int] = []
    pj: list[int] = []
    cost: list[float] = []
    ub: list[int] = []
    for lk, k in enumerate(class_ids):
        cls = inst.classes[k]
        total = cls.total
        mean = ((cls.dist * cls.teams[:, None]).sum(axis=0) / max(1, total)).tolist()
        for j, col in zip(cls.demands.tolist(), cls.demand_col.tolist(), strict=True):
            pk.append(lk)
            pj.append(local_j[j])
            cost.append(mean[col])
            ub.append(min(total, math.ceil(inst.demands[j].need / cls.size)))
    sectors: dict[str, int] = {}
    group = [
        sectors.setdefault(
            inst.centers[inst.center_index[inst.demands[j].center]].sector, len(sectors)
        )
        for j in demand_ids
    ]
    return ComponentModel(
        name=name,
        class_ids=class_ids,
        demand_ids=demand_ids,
        demand_group=np.array(group, dtype=int),
        cap=np.array([inst.classes[k].total for k in class_ids], dtype=float),
        size=np.array([inst.classes[k].size for k in class_ids], dtype=float),
        need=need,
        weight=np.array([inst.demands[j].weight for j in demand_ids], dtype=float),
        pair_k=np.array(pk, dtype=int),
        pair_j=np.array(pj, dtype=int),
        pair_cost=np.array(cost, dtype=float),
        pair_ub=np.array(ub, dtype=float),
    )


def _aggregate(
    model: ComponentModel, inst: CordonInstance, teams: Mapping[UnitSlot, int]
) -> np.ndarray:
    """Teams per pair of a unit-level solution."""
    index = {
        (int(model.class_ids[k]), int(model.demand_ids[j])): p
        for p, (k, j) in enumerate(zip(model.pair_k.tolist(), model.pair_j.tolist(), strict=True))
    }
    x = np.zeros(len(model.pair_k))
    for (u, j), n in teams.items():
        p = index.get((inst.unit_class[u], j))
        if p is not None:
            x[p] += n
    return x


def _shortfall(model: ComponentModel, x: np.ndarray) -> float:
    assigned = np.bincount(
        model.pair_j, weights=x * model.size[model.pair_k], minlength=len(model.need)
    )
    return float((np.maximum(0.0, model.need - assigned) * model.weight).sum())


def _feasible(model: ComponentModel, x: np.ndarray) -> bool:
    if np.any(x < -1e-9) or np.any(x > model.pair_ub + 1e-9):
        return False
    used = np.bincount(model.pair_k, weights=x, minlength=len(model.cap))
    return bool(np.all(used <= model.cap + 1e-9))


def _moves(model: ComponentModel, x: np.ndarray) -> float:
    if model.current is None:
        return 0.0
    return float(np.maximum(0.0, model.current - x).sum())


def _submodel(model: ComponentModel, demands: np.ndarray, cap: np.ndarray) -> SubModel:
    """The model restricted to some demands with the given capacities, and the map from
    its pairs back to the parent's pairs."""
    local = np.full(len(model.need), -1, dtype=int)
    local[demands] = np.arange(len(demands))
    keep = np.nonzero(local[model.pair_j] >= 0)[0]
    sub = ComponentModel(
        name=model.name,
        class_ids=model.class_ids,
        demand_ids=[model.demand_ids[int(j)] for j in demands],
        cap=cap,
        size=model.size,
        need=model.need[demands],
        weight=model.weight[demands],
        pair_k=model.pair_k[keep],
        pair_j=local[model.pair_j[keep]],
        pair_cost=model.pair_cost[keep],
        pair_ub=np.minimum(model.pair_ub[keep], cap[model.pair_k[keep]]),
        demand_group=None if model.demand_group is None else model.demand_group[demands],
    )
    return SubModel(sub, keep)
