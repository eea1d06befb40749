"""Constructive starting plans for a part: greedy repair and exact-fit subset sums."""

from __future__ import annotations

import numpy as np

from pollguard.core.planning.cordon.aggregate import ComponentModel


def _repair(model: ComponentModel, x: np.ndarray) -> np.ndarray:
    """Fill what is left greedily: the team that removes the most weighted shortfall first."""
    x = x.copy()
    used = np.bincount(model.pair_k, weights=x, minlength=len(model.cap))
    free = model.cap - used
    assigned = np.bincount(
        model.pair_j, weights=x * model.size[model.pair_k], minlength=len(model.need)
    )
    resid = np.maximum(0.0, model.need - assigned)
    size = model.size[model.pair_k]
    while True:
        gain = model.weight[model.pair_j] * np.minimum(size, resid[model.pair_j])
        gain[(free[model.pair_k] < 0.5) | (x >= model.pair_ub - 1e-9)] = 0.0
        # Value per person sent: a team that fits its need exactly beats a bigger team
        # that would waste people a later need could use. Ties: more value, then nearer.
        score = gain / size + 1e-6 * gain - 1e-12 * model.pair_cost
        p = int(np.argmax(score))
        if gain[p] <= 1e-12:
            return x
        x[p] += 1
        free[model.pair_k[p]] -= 1
        resid[model.pair_j[p]] = max(0.0, resid[model.pair_j[p]] - size[p])


def _exact_fit(model: ComponentModel, guide: np.ndarray | None = None) -> np.ndarray:
    """A constructive start that wastes few people.

    Demands in decreasing cost of a missing person; each takes, from what is still free,
    the combination of teams (a small bounded subset-sum over its eligible classes) that
    covers it with the least overshoot, else comes closest; among equal overshoots the
    one that uses the least versatile people (classes eligible for fewer demands), so
    that general-purpose teams and reserves stay free for the needs only they can fill.
    With `guide` (the LP solution), teams of a class the LP sends to the demand cost a
    tenth: the LP knows where each class is needed globally, the subset-sum rounds it.
    """
    P = len(model.pair_k)
    x = np.zeros(P)
    free = model.cap.copy()
    versatility = np.bincount(model.pair_k, minlength=len(model.cap)) / max(1, len(model.need))
    order_p = np.argsort(model.pair_j, kind="stable")
    bounds = np.searchsorted(model.pair_j[order_p], np.arange(len(model.need) + 1))
    team_cost = model.size * (1.0 + versatility)
    for j in np.lexsort((np.arange(len(model.need)), -model.weight)).tolist():
        need = int(model.need[j])
        pairs = [int(p) for p in order_p[bounds[j] : bounds[j + 1]] if free[model.pair_k[p]] >= 1]
        if not pairs or need <= 0:
            continue
        limit = need + int(max(model.size[model.pair_k[p]] for p in pairs)) - 1
        best: dict[int, tuple[float, tuple[tuple[int, int], ...]]] = {0: (0.0, ())}
        for p in pairs:
            k = int(model.pair_k[p])
            size = int(model.size[k])
            most = int(min(free[k], model.pair_ub[p]))
            unit_cost = float(team_cost[k])
            if guide is not None and guide[p] > 1e-6:
                unit_cost *= 0.1
            grown = dict(best)
            for total, (cost, used) in best.items():
                for n in range(1, most + 1):
                    reach = total + n * size
                    if reach > limit:
                        break
                    value = cost + n * unit_cost
                    if reach not in grown or value < grown[reach][0]:
                        grown[reach] = (value, (*used, (p, n)))
            best = grown
        covered = [t for t in best if t >= need]
        pick = min(covered, key=lambda t: (t, best[t][0])) if covered else max(best)
        for p, n in best[pick][1]:
            x[p] += n
            free[model.pair_k[p]] -= n
    return x
