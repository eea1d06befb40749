"""The greedy cordon plan: the spreadsheet method and the reference.

Centers by decreasing risk (then code); at each center the roles by decreasing cost of
a missing person (then name); while a role is short, the nearest available eligible
team (ties: unit code) goes.
"""

from __future__ import annotations

import time

import numpy as np

from pollguard.core.planning.cordon.instance import CordonInstance, UnitSlot
from pollguard.core.planning.cordon.result import CordonResult, _result


def greedy(inst: CordonInstance) -> CordonResult:
    """The spreadsheet method (the reference the optimizer is measured against)."""
    started = time.perf_counter()
    remaining = np.zeros(len(inst.units), dtype=int)
    for cls in inst.classes:
        remaining[cls.members] = cls.teams
    teams: dict[UnitSlot, int] = {}
    order = sorted(
        range(len(inst.centers)),
        key=lambda i: (-inst.risks.get(inst.centers[i].code, 0.0), inst.centers[i].code),
    )
    by_center: dict[str, list[int]] = {}
    for j, d in enumerate(inst.demands):
        by_center.setdefault(d.center, []).append(j)
    # Per class, its members by distance to each of its centers (ties: package order, as
    # argmin would pick), and per (class, center) how far down that list every member
    # is used up: a unit's teams only ever run out, so the pointer only moves forward.
    # The same choices as scanning every member each time, in a fraction of the time
    # (about 1 s of a 10 s budget on the planning family before).
    row_of = {int(m): r for cls in inst.classes for r, m in enumerate(cls.members.tolist())}
    left = [int(cls.total) for cls in inst.classes]  # teams still free per class
    free = remaining.tolist()
    nearest: dict[int, list[list[int]]] = {}  # class -> per center: members, nearest first
    pointer: dict[tuple[int, int], int] = {}

    def first_free(k: int, col: int) -> int | None:
        if left[k] <= 0:
            return None
        order = nearest.get(k)
        if order is None:
            cls = inst.classes[k]
            rows = np.argsort(cls.dist, axis=0, kind="stable")
            order = nearest[k] = (cls.members[rows]).T.tolist()
        line = order[col]
        i = pointer.get((k, col), 0)
        while i < len(line) and free[line[i]] <= 0:
            i += 1
        pointer[(k, col)] = i
        return None if i == len(line) else line[i]

    for i in order:
        js = sorted(
            by_center.get(inst.centers[i].code, []),
            key=lambda j: (-inst.demands[j].weight, inst.demands[j].role),
        )
        for j in js:
            short = inst.demands[j].need
            while short > 0:
                best: tuple[float, str, int] | None = None
                for k, col in inst.candidates[j]:
                    u = first_free(k, col)
                    if u is None:
                        continue
                    cls = inst.classes[k]
                    cand = (float(cls.dist[row_of[u], col]), inst.units[u].code, u)
                    if best is None or cand[:2] < best[:2]:
                        best = cand
                if best is None:
                    break
                u = best[2]
                free[u] -= 1
                left[inst.unit_class[u]] -= 1
                teams[(u, j)] = teams.get((u, j), 0) + 1
                short -= inst.units[u].effective_team_size
    return _result(
        inst,
        teams,
        bound=0.0,
        flow=0.0,
        solver="greedy",
        status="heuristic",
        seconds=time.perf_counter() - started,
    )
