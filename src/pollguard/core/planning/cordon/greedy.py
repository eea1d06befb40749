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
                    cls = inst.classes[k]
                    avail = remaining[cls.members] > 0
                    if not avail.any():
                        continue
                    km = np.where(avail, cls.dist[:, col], np.inf)
                    row = int(np.argmin(km))
                    u = int(cls.members[row])
                    cand = (float(km[row]), inst.units[u].code, u)
                    if best is None or cand[:2] < best[:2]:
                        best = cand
                if best is None:
                    break
                u = best[2]
                remaining[u] -= 1
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
