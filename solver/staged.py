"""The staged solve of one block: LP dive, shape relaxation, quantities, full model (docs/solver.md).

Entry point: :func:`staged_solve`.  ``shape_relaxation`` and ``with_shape_fixed`` live in :mod:`solver.shape`
(the LP dive uses them too) and are re-exported here.
"""

from __future__ import annotations

import threading
import time

from alliance.plan import relative_gap
from solver.backend import BlockResult, Interrupters, objective_of, solve_mathopt, trivial_bound
from solver.dive import DIVE_MIN_S, DIVE_SHARE, lp_dive
from solver.milp import Milp
from solver.options import SolveOptions
from solver.progress import ProgressRelay
from solver.shape import place_on_shape, shape_relaxation, with_shape_fixed

__all__ = ["SHAPE_SHARE", "Board", "shape_relaxation", "staged_solve", "with_shape_fixed"]

# Share of a block's time for the shape relaxation: on park-24-tight its root alone takes ~15 s of 2 loaded cores.
SHAPE_SHARE = 0.6


class Board:
    """The best plan any member has found for a block, so that a step starting later starts from it."""

    def __init__(self, sub: Milp, hint: list[float] | None) -> None:
        self._lock = threading.Lock()
        self.values: list[float] | None = None
        self.objective = float("-inf")
        if hint is not None and sub.is_feasible(hint):
            self.offer(hint, objective_of(sub, hint))

    def offer(self, values: list[float] | None, objective: float) -> None:
        if values is None:
            return
        with self._lock:
            if objective > self.objective:
                self.values, self.objective = list(values), objective

    def best(self) -> BlockResult | None:
        with self._lock:
            if self.values is None:
                return None
            return BlockResult(list(self.values), self.objective, float("inf"), False, False, "START")


def staged_solve(
    sub: Milp, options: SolveOptions, time_limit_s: float, interrupters: Interrupters,
    relay: ProgressRelay | None, hint: list[float] | None, *,
    dive: bool = True, board: Board | None = None, dive_share: float | None = None,
) -> BlockResult:
    """LP dive, shape, quantities, then the full model from the best plan (docs/solver.md).

    0. the LP dive (DIVE_SHARE of the time, unless another worker runs it) gives a good plan in seconds;
    1. the shape relaxation (60% of what is left) decides which sub-contracts and links to use and proves a bound;
    2. with that shape fixed, whole units and workers are placed (half of what is left);
    3. the full model, started from the best plan so far, looks for better and tightens the bound (the rest).
    The bound reported is the tightest of the LP and steps 1 and 3: each relaxes, or equals, the block.
    """
    deadline = time.monotonic() + time_limit_s
    if relay is not None and hint is not None:
        relay.emit(objective_of(sub, hint), None)
    board = board or Board(sub, hint)
    bound = float("inf")

    def finish(best: BlockResult | None, termination: str) -> BlockResult:
        proven = bound if bound < float("inf") else trivial_bound(sub)
        if best is None:
            return BlockResult(None, float("-inf"), proven, False, False, termination)
        best.bound = max(proven, best.objective)
        best.termination = termination
        best.optimal = (relative_gap(best.objective, best.bound) or 0.0) <= options.relative_gap
        return best

    if dive:
        dive_s = min(0.5 * time_limit_s, max(DIVE_SHARE * time_limit_s, DIVE_MIN_S))
        if dive_share is not None:
            dive_s = dive_share * time_limit_s
        dived = lp_dive(sub, options, dive_s, interrupters, relay, board.values)
        if dived is not None:
            board.offer(dived.values, dived.objective)
            bound = dived.bound
            if (relative_gap(dived.objective, bound) or 0.0) <= options.relative_gap:
                return finish(board.best(), dived.termination)
    start = board.best()
    stage1 = solve_mathopt(
        shape_relaxation(sub), options, SHAPE_SHARE * max(0.05, deadline - time.monotonic()), interrupters.new(),
        relay, None if start is None else start.values, bound_only=True,
    )
    # Step 1's plan may have fractional units: it is not a plan, only its bound and shape are used.
    if stage1.infeasible:
        return stage1
    bound = min(bound, stage1.bound)
    best = board.best()
    if relay is not None:
        relay.emit(None if best is None else best.objective, bound)
    if stage1.values is not None and not interrupters.stop.is_set():
        left = max(0.05, 0.5 * (deadline - time.monotonic()))
        # The shape also allows what the best plan so far uses, so that the step starts from that plan and never
        # returns less (at 10 s on a tight park the relaxation's own incumbent is still the hand plan's shape).
        so_far = None if best is None else best.values
        shape = stage1.values if so_far is None else [max(a, b) for a, b in zip(stage1.values, so_far, strict=True)]
        stage2 = place_on_shape(sub, shape, options, left, interrupters, None,
                                stop_at=None if relay is None else relay.plan_target(), start=so_far)
        # Step 2's own bound holds only for the fixed shape: only its plan is kept.
        board.offer(stage2.values, stage2.objective)
        best = board.best()
        if relay is not None and best is not None:
            relay.emit(best.objective, bound)
    gap = None if best is None else relative_gap(best.objective, bound)
    if best is not None and gap is not None and gap <= options.relative_gap:
        return finish(best, "STAGED")
    left = deadline - time.monotonic()
    if left <= 0.05 or interrupters.stop.is_set():
        return finish(best, stage1.termination)
    full = solve_mathopt(sub, options, left, interrupters.new(), relay, None if best is None else best.values)
    board.offer(full.values, full.objective)
    bound = min(bound, full.bound)
    result = finish(board.best(), full.termination)
    result.optimal = result.optimal or full.optimal
    return result
