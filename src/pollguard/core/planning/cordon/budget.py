"""Shares of a part's time for the solver stages, and when a plan counts as optimal."""

from __future__ import annotations

CG_SHARE = 0.6
"""Column generation stops at convergence, or after this share of the part's time (it
converges in 6-14 iterations, 0.5-1.1 s of CPU, on the planning family)."""
DIVE_SHARE = 0.5
"""Share of the time left after the rounding for diving on the pattern LP (measured with
7 s of CPU per part: 0.15, 0.3 and 0.5 gave 0.39 %, 0.94 % and 0.12 % above the bound on
the city family instance with 243 classes, the others unchanged)."""
ROUND_SHARE = 0.3
"""Share of the time left after column generation for the rounding MILP of its LP (was
0.6; the MILP either proves its few open needs in well under a second or stalls)."""
MASTER_SHARE = 0.25
"""Share of the time left after column generation for the master MILP (price-and-branch)."""
COMPACT_CLASSES = 400
"""The compact MILP runs after column generation when a part has at most this many classes,"""
COMPACT_SHARE = 0.5
"""for this share of the time left (see docs/planning.md, "Time")."""
LAG_SHARE = 0.9
"""Share of what is then left for the sector bound; the rest: search again, then travel."""
CONCENTRATED = 0.8
"""The sector bound's MILPs run only when one group holds this share of the gap."""
OPTIMALITY_GAP = 1e-4
"""A plan within 0.01 % of its bound counts as optimal (HiGHS's default MIP gap)."""


def _proven(value: float, bound: float) -> bool:
    return value - bound <= OPTIMALITY_GAP * max(1.0, value)
