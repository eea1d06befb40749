"""Cordon deployment: which teams protect which centers in which role.

Rules (design.md section 6): a unit splits into `team_count` whole teams of
`effective_team_size` people; each team serves one role at one center, of a kind the
role accepts, inside the unit's home sector unless the unit is a reserve (empty
sector), within `max_distance_km` of its base when set. EOD and K9 units are sweep
teams (sweeps.py) and never cordon teams. A team may overshoot a need: a 30-person team
at a need of 20 fills 20, and the shortfall is `max(0, need - assigned)`.

Objective, lexicographic: (1) the weighted shortfall `sum w[c,r] * shortfall[c,r]`,
(2) travel, counted in team-km: the straight-line distance from each team's base to
its center, once per team.

Three solvers, all in this package:

- `greedy`: the spreadsheet method and the reference. Centers by decreasing risk (then
  code); at each center the roles by decreasing cost of a missing person (then name);
  while a role is short, the nearest available eligible team (ties: unit code) goes.
- the split-headcount relaxation: people are divisible (a unit contributes
  `team_count * team_size` people, spread as it likes). It is the LP relaxation of the
  whole-team model below, a transportation (min-cost flow) problem, solved as an LP by
  HiGHS. Its optimum is the physical limit and a valid lower bound.
- `optimize`: the whole-team MILP. Two observations make it small:

  * Aggregation. For the shortfall, units with the same kind, team size and eligible
    centers are interchangeable (distance matters only through `max_distance_km`: the
    class key is the set of centers a unit can reach, not its base). The MILP therefore chooses a
    number of teams per *class* and demand, `x[k, j]` in 0..min(N_k, ceil(need_j /
    s_k)), with `sum_j x[k, j] <= N_k` and `shortfall_j >= need_j - sum_k s_k x[k, j]`.
    This is exact for objective (1). The concrete teams of a class are then matched to
    the class's slots by a min-cost flow over their real distances, which is exact for
    objective (2) given the counts.
  * Decomposition. Sectors are independent except through reserves; the planner
    unions the sectors a reserve class can reach and solves each connected component
    separately (a provincial package with governorate-wide reserves is one component;
    a national package whose reserves are held to their governorate by
    `max_distance_km` splits into one component per governorate). Components are
    solved in parallel worker processes that the coordinator can stop: HiGHS can
    overrun its own time limit on large models, and a stopped component falls back to
    the best plan its worker reported (at first its LP rounding) or its greedy solution.

  Per component (solver "highs", the default):
    1. the LP relaxation (the split-headcount bound) and three starts: LP rounding
       (round down, repair greedily), an exact-fit subset-sum construction (plain and
       LP-guided) and the greedy plan;
    2. column generation on the pattern formulation (see `colgen._cg_solve`): a
       Lagrangian bound much tighter than the LP's, valid at every iteration;
    3. rounding of the pattern LP: demands whose pattern is integral keep it, the few
       others (at most one per class) are re-solved as a small compact MILP; if that
       plan is not proven, a dive (`colgen._dive`: fix a third of the fractional
       columns, price again, repeat) gives a second LP to round, the better plan kept;
       if still not proven, the master over the generated patterns is solved as a MILP
       (price-and-branch, `colgen._master_milp`) for a quarter of the time left; where
       the part has few classes (`budget.COMPACT_CLASSES`) and the plan is still not
       proven, the compact MILP runs next, warm-started from it;
    4. if that plan meets the bound it is proven optimal; otherwise a large-
       neighbourhood search (`search._lns`) re-solves one sector or reserve area at a
       time exactly, the rest fixed, in rounds (`search._improve`): after a round that
       improved the plan, column generation runs again seeded with it and its rounding
       is kept when better, until the bound is met or the time is up; before that, when
       one sector holds most of what separates the plan from the bound, a stronger
       Lagrangian bound (`bounds._sector_bound`) relaxes only the reserves' capacities
       and solves that sector's whole-team MILP;
    5. phase 2 keeps the shortfall at most phase 1's and minimises the class-mean
       travel with what is left of the time. Two phases instead of one epsilon-weighted
       objective keep the order strictly lexicographic whatever the weights are.
  Solver "highs-compact" and "cbc" skip steps 2-4 (the compact MILP alone, with HiGHS
  or with CBC through PuLP); they are kept to measure against (docs/benchmarks.md).
  The reported bound is the largest valid one (LP, pattern or sector Lagrangian for
  "highs"; LP or MILP dual bound for the compact solvers), summed over components.

Re-planning (`optimize(..., current=...)`) adds, in phase 2, one unit of cost per team
moved away from its current slot (and travel scaled below one move), and keeps teams in
place first when the counts are matched to concrete units.

The package, one module a stage: `instance` (indexing and unit classes), `result`
(`CordonResult`, exact evaluation, the bound check), `greedy`, `aggregate` (independent
parts and their aggregated models), `starts` (constructive starts), `milp` (the LP
relaxation and the compact MILP, HiGHS and CBC), `colgen` (column generation and
price-and-branch), `bounds` (the sector bound), `search` (neighbourhood search),
`budget` (time shares, optimality gap), `stages` (stage markers and the best plan so
far), `solve` (one part's pipeline), `parallel` (worker processes), `assemble` (teams
from class counts) and `optimizer` (`optimize`, `flow_bound`).
"""

from __future__ import annotations

from pollguard.core.planning.cordon.aggregate import ComponentModel, Part, components
from pollguard.core.planning.cordon.greedy import greedy
from pollguard.core.planning.cordon.instance import (
    CordonInstance,
    TeamClass,
    UnitSlot,
    build_instance,
    cordon_units,
)
from pollguard.core.planning.cordon.optimizer import flow_bound, optimize
from pollguard.core.planning.cordon.parallel import Progress
from pollguard.core.planning.cordon.result import (
    BoundError,
    CordonResult,
    Evaluation,
    bound_tolerance,
    check_bound,
    evaluate,
)
from pollguard.core.planning.cordon.solve import ComponentResult, solve_component

__all__ = [
    "BoundError",
    "ComponentModel",
    "ComponentResult",
    "CordonInstance",
    "CordonResult",
    "Evaluation",
    "Part",
    "Progress",
    "TeamClass",
    "UnitSlot",
    "bound_tolerance",
    "build_instance",
    "check_bound",
    "components",
    "cordon_units",
    "evaluate",
    "flow_bound",
    "greedy",
    "optimize",
    "solve_component",
]
