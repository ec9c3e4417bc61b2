"""The LP dive: the LP relaxation, then a MIP on what the LP uses (docs/solver.md, step 0).

Entry point: :func:`lp_dive`.
"""

from __future__ import annotations

import dataclasses
import time

from solver.backend import BlockResult, Interrupters, objective_of, solve_mathopt
from solver.milp import Milp
from solver.options import SolveOptions
from solver.progress import ProgressRelay

# Time for the LP dive when it runs before the staged solve on the same worker: DIVE_SHARE of the block's time,
# but at least DIVE_MIN_S (up to half the time), since on a tight park the dive needs 3-6 s for its plans
# (park-24-tight: 396,593 at 2.9 s, gen-24-tight: 415,385 at 6.0 s).  With two or more workers it runs on the
# second one, with DIVE_SHARE_PARALLEL of the time, before the full model.
DIVE_SHARE = 0.3
DIVE_MIN_S = 8.0
DIVE_SHARE_PARALLEL = 0.8


def lp_relaxation(sub: Milp) -> Milp:
    """The block's LP relaxation without the per-day indicator rows (implied once the yes/no decisions are integral).

    Without them the LP takes half the time (gen-300-tight's 14,093-column block: 1.9 s against 4.3 s; ~30% on
    300-firm county blocks) for a bound 0.01-0.25% weaker, which the other steps tighten.
    """
    lean = sub.without_redundant_rows()
    return dataclasses.replace(lean, integer=[False] * lean.num_vars)


def lp_restricted(sub: Milp, lp_values: list[float], hint: list[float] | None) -> Milp:
    """The block limited to what its LP relaxation uses: integer variables at zero in the LP stay at zero.

    Sub-contracts, links, units and loans the LP optimum does not touch are forbidden, unless the start plan
    uses them (so the start stays feasible and the search can only improve on it).  What is left is a few
    hundred binaries and a fraction of the quantities: HiGHS finds whole-unit plans in it within seconds where
    the full model finds none (park-24-tight, 10 s: 396,631 against the hand plan's 352,348).
    """
    ub = list(sub.ub)
    for j, (integral, value) in enumerate(zip(sub.integer, lp_values, strict=True)):
        if integral and value <= 1e-9 and sub.lb[j] <= 0 and (hint is None or hint[j] <= 0):
            ub[j] = 0.0
    return dataclasses.replace(sub, ub=ub)


def lp_dive(
    sub: Milp, options: SolveOptions, time_limit_s: float, interrupters: Interrupters,
    relay: ProgressRelay | None, hint: list[float] | None,
) -> BlockResult | None:
    """The LP relaxation, then a MIP on what the LP uses: a good plan fast, and the LP's bound.

    On tight alliances the shape relaxation's root alone can take longer than a short time limit; the LP takes
    about a second for a park and points at the sub-contracts and loans worth making (docs/solver.md).
    Returns None when the LP is not solved in time.
    """
    deadline = time.monotonic() + time_limit_s
    lp = solve_mathopt(lp_relaxation(sub), options, time_limit_s, interrupters.new(), None, None)
    if lp.values is None or not lp.optimal:
        return None
    if relay is not None:
        relay.emit(None if hint is None else objective_of(sub, hint), lp.bound)
    left = deadline - time.monotonic()
    if left <= 0.05 or interrupters.stop.is_set():
        return None
    dive = solve_mathopt(lp_restricted(sub, lp.values, hint), options, left, interrupters.new(), relay, hint,
                          objective_only=True)
    if dive.values is None:
        return None
    # The dive's own bound holds only for the restricted block; the LP's holds for the whole.
    bound = max(lp.bound, dive.objective)
    return BlockResult(dive.values, dive.objective, bound, False, False, f"LP-DIVE:{dive.termination}")
