"""The shape of a plan: which sub-contracts and links it uses (docs/solver.md, steps 1 and 2).

A relaxation with only the yes/no decisions integral decides the shape fast; a MIP with that shape fixed places
whole units and workers.  Used by the staged solve (:mod:`solver.staged`) on the whole block and by the LP dive
(:mod:`solver.dive`) on what the LP uses.
"""

from __future__ import annotations

import dataclasses

from solver.milp import Milp


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
