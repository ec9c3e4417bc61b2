"""The LP dive: the LP relaxation, then plans on what the LP uses (docs/solver.md, step 0).

Entry point: :func:`lp_dive`.
"""

from __future__ import annotations

import dataclasses
import time

from solver.backend import BlockResult, Interrupters, objective_of, solve_mathopt
from solver.milp import Milp
from solver.options import SolveOptions
from solver.progress import ProgressRelay
from solver.shape import place_on_shape, shape_relaxation

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
    """The LP relaxation, then plans on what the LP uses: a good plan fast, and the LP's bound.

    After the LP: the shape of what it uses and whole units on that shape (``_shape_first``), which take the
    dive's time; what they leave (they end proven on loose parks), or all of it when they give no plan better
    than the start, goes to the MIP restricted to what the LP uses, from the best plan so far.

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
    restricted = lp_restricted(sub, lp.values, hint)
    best = _shape_first(sub, restricted, options, deadline, interrupters, relay, hint)
    left = deadline - time.monotonic()
    if left > 0.05 and not interrupters.stop.is_set():
        # Time the shape-first steps did not need (they end proven on loose parks), or all of it when they gave no
        # plan better than the start: the MIP restricted to what the LP uses, from the best plan so far.
        start = hint if best is None else best.values
        around = restricted if best is None else lp_restricted(sub, lp.values, start)
        dive = solve_mathopt(around, options, left, interrupters.new(), relay, start, objective_only=True)
        if dive.values is not None and (best is None or dive.objective > best.objective):
            best = dive
    if best is None:
        return None
    # The dive's own bound holds only for the restricted block; the LP's holds for the whole.
    bound = max(lp.bound, best.objective)
    return BlockResult(best.values, best.objective, bound, False, False, f"LP-DIVE:{best.termination}")


# Share of the dive's time after the LP for the shape relaxation of what the LP uses; it ends proven within
# 0.2-6 s on the 24-firm parks, so the cap only matters on larger blocks.
DIVE_SHAPE_SHARE = 0.5


def _shape_first(
    sub: Milp, restricted: Milp, options: SolveOptions, deadline: float, interrupters: Interrupters,
    relay: ProgressRelay | None, hint: list[float] | None,
) -> BlockResult | None:
    """The shape of what the LP uses (only yes/no integral), then whole units and workers on that shape.

    The same split as the staged solve's steps 1 and 2, on the LP's support: the restricted shape relaxation is
    small and solved in seconds, and the quantities step, over the whole block with the shape's sub-contracts
    and links, may use units the LP left at zero.  Measured against the restricted MIP alone, same time, one
    thread (docs/solver.md "Tight alliances"): park-24-tight 10 s 404,246 against 400,706, 30 s 404,835 against
    402,106; gen-24-tight 10 s 419,192 against 410,412; park-24 414,922 in 1.4 s against 414,488 in 2.7 s.
    """
    left = deadline - time.monotonic()
    shape = solve_mathopt(shape_relaxation(restricted), options, DIVE_SHAPE_SHARE * left, interrupters.new(), None,
                          hint, bound_only=True)
    if shape.values is None or interrupters.stop.is_set():
        return None
    left = deadline - time.monotonic()
    if left <= 0.05:
        return None
    placed = place_on_shape(sub, shape.values, options, left, interrupters, relay)
    if placed.values is None or (hint is not None and sub.is_feasible(hint)
                                 and placed.objective < objective_of(sub, hint)):
        return None
    return placed
