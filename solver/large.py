"""A block too large for the staged solve: an LP bound, a whole-block dive and a neighbourhood search.

Entry point: :func:`large_block`.
"""

from __future__ import annotations

import threading
import time

from solver.backend import BlockResult, Interrupters, objective_of, solve_mathopt, trivial_bound
from solver.dive import lp_relaxation, lp_restricted
from solver.lean_lp import days_merged, merged_columns
from solver.milp import Milp
from solver.neighbourhoods import neighbourhood_search
from solver.options import SolveOptions
from solver.progress import ProgressRelay

# Blocks larger than this get an LP bound and a plan from a search over geographic neighbourhoods of about
# PART_FIRMS firms (docs/solver.md).  Measured: a 14,768-variable block (100 firms) does better staged, 35-41k-variable
# blocks (300 firms) get nothing from the staged solve in their minute and do better in parts.
PART_VARS = 25_000
# Share of a large block's time for its LP relaxation (the bound) on one thread; the neighbourhoods get the rest.
LP_SHARE = 0.5
# Above this many columns, a job whose neighbourhoods other workers also solve skips the whole-block dive after its
# LP and solves neighbourhoods instead.  gen-800 (365,401 columns), 2 workers, 300 s: the dive never beat the
# neighbourhoods' plan in its 130 s; without it 2.20% (126 neighbourhoods), with it 2.45% (98).  gen-300's 74,723-column
# block still gains from the dive (docs/solver.md).
DIVE_MAX_VARS = 200_000
# How fast HiGHS' interior point solves a county block's LP on this machine class, alone on a core: gen-800's
# 365,401-column block in 170 s (~2,150 columns a second).  A block whose LP would take longer than its time even
# at that pace (it grows faster than the block: gen-3000's LP had not finished after 600 s) skips it: its bound is
# the quantity bound either way, and the LP's core and memory go to the neighbourhoods (docs/solver.md).
LP_COLUMNS_PER_S = 2_000.0


def lp_finishes(sub: Milp, time_limit_s: float) -> bool:
    """Whether the whole-block LP can be expected to end within the time, at the pace measured on gen-800."""
    return sub.num_vars <= LP_COLUMNS_PER_S * time_limit_s


# A block whose daily LP cannot finish gets the bound of its LP with days merged in groups (solver.lean_lp;
# finest first, 366: the whole horizon), if that LP's expected time at LEAN_COLUMNS_PER_S fits in LEAN_LP_SHARE of
# the block's time: the core it takes is the neighbourhoods' for that long.  gen-3000 (2 workers, 600 s): merged by
# 14 days, 327,835 columns, 152 s, 61,719,104 against the quantity bound's 62,004,663 (docs/solver.md).
MERGED_DAYS = (2, 4, 7, 14, 366)
LEAN_COLUMNS_PER_S = 2_000.0
LEAN_LP_SHARE = 0.3


def bound_relaxation(sub: Milp, time_limit_s: float, *, bound_only: bool = False) -> tuple[Milp | None, str]:
    """The LP whose optimum bounds the block, as fine as can be solved in the time: the daily LP relaxation, else
    the LP with days merged, else none (the quantity bound).

    ``bound_only``: the LP is wanted for its bound alone (a county-sized block, see large_block), so the daily LP is
    held to the merged LPs' budget (LEAN_LP_SHARE of the time).  gen-800, 300 s: the daily LP took
    164 s in one run (2 workers, 2.11%) and did not finish in two others (1 and 2 workers, both 4.91%: the
    quantity bound, and a core that gave the neighbourhoods little); merged by 4 days the bound, 16,386,545, came
    at ~100 s in every run (2 workers: 2.83%, 2.99%, 3.19%); docs/solver.md.
    """
    if lp_finishes(sub, LEAN_LP_SHARE * time_limit_s if bound_only else time_limit_s):
        return lp_relaxation(sub), "LP"
    sizes = merged_columns(sub, list(MERGED_DAYS))
    budget = LEAN_COLUMNS_PER_S * LEAN_LP_SHARE * time_limit_s
    days = next((k for k in MERGED_DAYS if sizes[k] <= budget), None)
    if days is None:
        return None, "LP-SKIPPED"
    return days_merged(sub, lambda t: t // days), f"LP-DAYS/{days}"


def large_block(
    sub: Milp, options: SolveOptions, deadline: float, interrupters: Interrupters,
    relay: ProgressRelay | None, hint: list[float] | None, coords: tuple[list[float], list[float]], workers: int,
) -> BlockResult:
    """A block too large for the staged solve in the time: LP bound on one worker, neighbourhoods on the others.

    The LP relaxation, by interior point, proves a bound in tens of seconds on a county-sized block (park-sized
    neighbourhoods cannot: each holds the rest fixed); the neighbourhood search, from the hand plan, gives the
    plan, and a dive on the whole block from its LP competes with it.  A block whose daily LP cannot finish in
    the time gets its bound from the LP with days merged, and no dive (that LP's columns are not the block's).
    """
    time_limit_s = max(0.05, deadline - time.monotonic())
    lp_box: list[BlockResult] = []
    dive_box: list[BlockResult] = []
    on_plan = None if relay is None else (lambda objective: relay.emit(objective, None))

    # A county-sized block's daily LP is wanted for its bound: with other workers no dive follows it
    # (DIVE_MAX_VARS), and with one worker the dive waits for an LP whose pace varies twofold from run to run
    # (gen-800: 164 s in one run, unfinished after 300 s in two others, with 1 and 2 workers).  So it is held to
    # the merged LPs' budget (bound_relaxation).
    bound_only = sub.num_vars > DIVE_MAX_VARS

    def solve_lp(limit: float) -> None:
        # Interior point: on gen-300-tight's 57,570-column block dual simplex had not finished after 100 s,
        # interior point (with crossover, which MathOpt needs to report the status) took 23 s.  The relaxation is
        # built here, off the neighbourhoods' thread: at 3,000 firms that takes seconds.
        relaxation, kind = bound_relaxation(sub, limit, bound_only=bound_only)
        if relaxation is None:
            lp_box.append(BlockResult(None, float("-inf"), float("inf"), False, False, kind))  # not optimal
            return
        lp = solve_mathopt(relaxation, options, limit, interrupters.new(), None, None,
                           highs_strings={"solver": "ipm"})
        lp.termination = kind if lp.optimal else f"{kind}:{lp.termination}"
        if kind != "LP":
            lp.values = None  # a smaller LP's columns are not the block's: nothing to dive from
        lp_box.append(lp)
        if relay is not None and lp.optimal:
            relay.emit(None, lp.bound)  # the relaxation's optimum bounds every plan of the block

    def dive_whole(limit: float) -> None:
        # The LP dive on the whole block, from the LP just solved: links across part boundaries stay possible.
        # gen-300's 74,723-column block: 2,110,067 in 15 s after the LP, against 2,007,122 by hand; on a tight
        # block of that size it found nothing in 40 s, so the neighbourhood search still runs.
        lp = lp_box[0]
        if lp.values is None or not lp.optimal or limit <= 0.05 or interrupters.stop.is_set():
            return
        restricted_block = lp_restricted(sub, lp.values, hint)
        dive_box.append(solve_mathopt(restricted_block, options, limit, interrupters.new(), relay, hint,
                                       objective_only=True))

    if workers >= 2 or options.part_map is not None:
        # One worker proves the bound, then dives; the others search neighbourhoods.  With a part map (county
        # workers) the neighbourhoods are solved elsewhere, so they start now rather than after the LP: on one
        # thread they waited for half the solve and the other workers idled (BENCHMARKS.md, county figures).
        # HiGHS releases the GIL while it solves, so this thread still cuts and sends the parts.
        # While it runs, this process has one core taken: a part map with other worker processes leaves the
        # neighbourhoods to them (gen-800 on 2 cores, 2 workers: with a third solve beside them the LP had not
        # finished in 300 s; with 1 worker it took 195 s).
        busy = threading.Event()
        busy.set()
        dive = options.part_map is None or options.part_map.parallelism <= 1 or sub.num_vars <= DIVE_MAX_VARS

        def bound_then_dive() -> None:
            try:
                solve_lp(time_limit_s)
                if dive:
                    dive_whole(deadline - time.monotonic())
            finally:
                busy.clear()

        lp_thread = threading.Thread(target=bound_then_dive, daemon=True)
        lp_thread.start()
        parts_plan = neighbourhood_search(sub, options, time_limit_s, interrupters, coords, max(1, workers - 1),
                                          hint, on_plan, busy)
        lp_thread.join()
    else:
        solve_lp(LP_SHARE * time_limit_s)
        dive_whole(0.5 * (deadline - time.monotonic()))
        parts_plan = neighbourhood_search(
            sub, options, max(0.05, deadline - time.monotonic()), interrupters, coords, 1, hint, on_plan
        )
    lp = lp_box[0]
    bound = lp.bound if lp.optimal else trivial_bound(sub)
    candidates = [hint, parts_plan] + [d.values for d in dive_box]
    plans = [c for c in candidates if c is not None and sub.is_feasible(c)]
    if not plans:
        return BlockResult(None, float("-inf"), bound, False, False, "PARTS")
    best = max(plans, key=lambda c: objective_of(sub, c))
    objective = objective_of(sub, best)
    if relay is not None:
        relay.emit(objective, bound)
    return BlockResult(best, objective, max(bound, objective), False, False, f"{lp.termination}+DIVE+PARTS")
