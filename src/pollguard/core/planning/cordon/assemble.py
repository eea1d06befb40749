"""From class counts back to concrete teams.

The teams of a class are matched to the class's slots by a min-cost flow over their real
distances (exact for travel given the counts); re-planning keeps teams in place first.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from pollguard.core.planning.cordon.aggregate import ComponentModel
from pollguard.core.planning.cordon.instance import CordonInstance, UnitSlot


def _match(
    inst: CordonInstance,
    k: int,
    counts: Mapping[int, int],
    current: Mapping[UnitSlot, int] | None,
) -> dict[UnitSlot, int]:
    """Give a class's slots (demand -> teams) to its members: keep teams in place
    first (re-planning), then a min-cost flow over real distances."""
    cls = inst.classes[k]
    left = {j: n for j, n in counts.items() if n > 0}
    free = {int(u): int(t) for u, t in zip(cls.members.tolist(), cls.teams.tolist(), strict=True)}
    teams: dict[UnitSlot, int] = {}
    if current:
        for u in sorted(free):
            for j in list(left):
                keep = min(current.get((u, j), 0), left[j], free[u])
                if keep > 0:
                    teams[(u, j)] = teams.get((u, j), 0) + keep
                    left[j] -= keep
                    free[u] -= keep
    left = {j: n for j, n in left.items() if n > 0}
    if not left:
        return teams
    members = [u for u in cls.members.tolist() if free[u] > 0]
    if len(members) == 1:
        for j, n in left.items():
            teams[(members[0], j)] = teams.get((members[0], j), 0) + n
        return teams
    from ortools.graph.python import min_cost_flow

    slots = sorted(left)
    row_of = {int(u): r for r, u in enumerate(cls.members.tolist())}
    col_of = {int(c): i for i, c in enumerate(cls.centers.tolist())}
    M, S = len(members), len(slots)
    sink = M + S
    flow = min_cost_flow.SimpleMinCostFlow()
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []
    for a, u in enumerate(members):
        row = row_of[u]
        for b, j in enumerate(slots):
            col = col_of[inst.center_index[inst.demands[j].center]]
            tails.append(a)
            heads.append(M + b)
            caps.append(min(free[u], left[j]))
            costs.append(round(float(cls.dist[row, col]) * 1000))
        tails.append(a)
        heads.append(sink)
        caps.append(free[u])
        costs.append(0)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.array(tails), np.array(heads), np.array(caps), np.array(costs)
    )
    supplies = [free[u] for u in members] + [-left[j] for j in slots]
    supplies.append(-(sum(free[u] for u in members) - sum(left.values())))
    flow.set_nodes_supplies(np.arange(M + S + 1), np.array(supplies))
    if flow.solve() != flow.OPTIMAL:  # cannot happen: supply covers every slot
        raise RuntimeError("team matching failed")
    for arc, t, h in zip(arcs.tolist(), tails, heads, strict=True):
        if h == sink:
            continue
        n = flow.flow(arc)
        if n > 0:
            key = (members[t], slots[h - M])
            teams[key] = teams.get(key, 0) + int(n)
    return teams


def _teams_from_x(
    inst: CordonInstance,
    model: ComponentModel,
    x: np.ndarray,
    current: Mapping[UnitSlot, int] | None,
) -> dict[UnitSlot, int]:
    per_class: dict[int, dict[int, int]] = {}
    for p in np.nonzero(x > 0.5)[0].tolist():
        k = model.class_ids[int(model.pair_k[p])]
        j = model.demand_ids[int(model.pair_j[p])]
        per_class.setdefault(k, {})[j] = round(float(x[p]))
    teams: dict[UnitSlot, int] = {}
    for k, counts in per_class.items():
        teams.update(_match(inst, k, counts, current))
    return teams
