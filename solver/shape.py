"""The shape of a plan: which sub-contracts and links it uses (docs/solver.md, steps 1 and 2).

A relaxation with only the yes/no decisions integral decides the shape fast; a MIP with that shape fixed places
whole units and workers.  Used by the staged solve (:mod:`solver.staged`) on the whole block and by the LP dive
(:mod:`solver.dive`) on what the LP uses.
"""

from __future__ import annotations

import dataclasses
import time

from solver.backend import BlockResult, Interrupters, objective_of, solve_mathopt
from solver.milp import Milp
from solver.options import SolveOptions
from solver.progress import ProgressRelay

# Shares of the placement's time for whole workers with fractional units, then for whole units with those
# workers fixed; the rest goes to the placement of both from that plan.  On the 24-firm tight parks each of the
# first two ends in 1-3 s (measured: docs/solver.md "Workers first").
WORKERS_SHARE = 0.3
UNITS_SHARE = 0.3


def shape_relaxation(sub: Milp) -> Milp:
    """The block with only its yes/no decisions integral: quantities and workers may be fractional.

    Its optimum is an upper bound for the block (it relaxes integrality), and on
    tight alliances HiGHS solves it far faster than the full model, whose
    thousands of small integer quantities make both plans and proofs slow.
    """
    # The per-day indicator rows are implied once y is integral; without them HiGHS' root is ~35% faster
    # (park-24-tight: first good shape at 14 s instead of 19 s) for the same bound.
    lean = sub.without_redundant_rows()
    return dataclasses.replace(lean, integer=[i and st for i, st in zip(lean.integer, lean.structural, strict=True)])


def with_shape_fixed(sub: Milp, shape: list[float]) -> Milp:
    """The block limited to the shape: sub-contracts and links the shape left out are forbidden.

    Those the shape uses stay free to drop, because whole units and workers may not reach a minimum lot that
    fractional ones did (park-24-tight: fixing them to 1 made the step infeasible).  What is left has few
    binaries and solves fast.
    """
    ub = list(sub.ub)
    for j, st in enumerate(sub.structural):
        if st and round(shape[j]) == 0:
            ub[j] = 0.0
    return dataclasses.replace(sub, ub=ub)


def place_on_shape(
    sub: Milp, shape: list[float], options: SolveOptions, time_limit_s: float, interrupters: Interrupters,
    relay: ProgressRelay | None, stop_at: float | None = None, start: list[float] | None = None,
) -> BlockResult:
    """Whole units and workers on the shape: workers first, then units, then both from that plan.

    Placing both at once is a MIP with thousands of small integers whose search is slow (park-24-tight: 410,445
    in 30 s).  With units fractional, whole workers are placed in seconds; with those loans fixed, what is left
    is each site's own units within fixed capacities, solved in about a second (410,847 in 6 s).  The loans may
    still change in the last step, which starts from that plan.  Every plan found is a plan of ``sub``.
    """
    deadline = time.monotonic() + time_limit_s
    limited = with_shape_fixed(sub, shape)
    loans = [name.startswith("w[") for name in sub.var_names]
    best: BlockResult | None = None
    if start is not None and limited.is_feasible(start):
        best = BlockResult(list(start), objective_of(limited, start), float("inf"), False, False, "START")
    if any(loans):
        workers = dataclasses.replace(limited, integer=[i and (st or loan) for i, st, loan in
                                                        zip(limited.integer, limited.structural, loans, strict=True)])
        # Its units may be fractional: not a plan, only its loans are kept.
        whole_workers = solve_mathopt(workers, options, WORKERS_SHARE * time_limit_s, interrupters.new(), None,
                                      None if best is None else best.values, bound_only=True)
        if whole_workers.values is not None and not interrupters.stop.is_set():
            lb, ub = list(limited.lb), list(limited.ub)
            for j, loan in enumerate(loans):
                if loan:
                    lb[j] = ub[j] = float(round(whole_workers.values[j]))
            # The plan without units, these loans and their links is feasible: this step always has a plan.
            units = solve_mathopt(dataclasses.replace(limited, lb=lb, ub=ub), options,
                                  UNITS_SHARE * time_limit_s, interrupters.new(), relay, None,
                                  objective_only=True, stop_at=stop_at)
            if units.values is not None and (best is None or units.objective > best.objective):
                best = units
    left = deadline - time.monotonic()
    if best is not None and (left <= 0.05 or interrupters.stop.is_set()):
        return best
    return solve_mathopt(limited, options, max(0.05, left), interrupters.new(), relay,
                         None if best is None else best.values, objective_only=True, stop_at=stop_at)
