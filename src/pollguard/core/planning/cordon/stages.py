"""What a part's solve tells besides its result.

The stages that really ran (so a test can see which a package reaches), and the best
plan so far, sent to the parent process as it improves: a worker stopped at the time
limit then falls back to it, not to its starting plan.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pollguard.core.planning.cordon.aggregate import ComponentModel, _feasible, _shortfall

# Stage markers: each solver stage that really runs notes its name here; the component
# result carries them (so a test can see which stages a package reaches).
_STAGES: list[str] = []


def _mark(stage: str) -> None:
    if stage not in _STAGES:
        _STAGES.append(stage)


# The best plan so far of the component being solved, sent to the parent as it improves
# (a worker stopped at the time limit then falls back to it, not to its starting plan).
_BEST: dict[str, Any] = {"send": None, "value": math.inf, "bound": 0.0}


def _report(model: ComponentModel, x: np.ndarray | None, bound: float) -> None:
    """Send a better plan, or (x None) a better bound, to the parent."""
    send = _BEST["send"]
    if send is None:
        return
    if x is not None and _feasible(model, x):
        value = _shortfall(model, x)
        if value < _BEST["value"] - 1e-9:
            _BEST["value"] = value
            _BEST["bound"] = max(_BEST["bound"], bound)
            send(_BEST["bound"], x.copy())
            return
    if bound > _BEST["bound"] + 1e-9:
        _BEST["bound"] = bound
        send(bound, None)
