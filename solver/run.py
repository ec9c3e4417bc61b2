"""Orchestration: build the model, split it into blocks, give each block its time and strategy, make the plan.

The search strategies live in their own modules, each with one entry point: ``solver.dive`` (LP dive),
``solver.staged`` (staged solve), ``solver.neighbourhoods`` (neighbourhood search), ``solver.large`` (large
blocks); ``solver.backend`` runs one MathOpt solve.  Names that used to live here are re-exported below, so
``from solver.run import ...`` keeps working.
"""

from __future__ import annotations

import math
import threading
import time

from alliance.check import objective as recompute_objective
from alliance.manual import manual_plan
from alliance.plan import LoanRow, Plan, PlanStats, ProductionRow, Status, StopReason, relative_gap
from alliance.replan import ReplanConstraints
from alliance.scenario import Scenario
from solver.backend import (
    HIGHS_OPTIONS,
    SOLVER_TYPES,
    BlockResult,
    Interrupters,
    objective_of,
    parameters,
    solve_mathopt,
    trivial_bound,
)
from solver.blocks import Block, pack_blocks, split_blocks, sub_milp
from solver.candidates import build_candidates
from solver.dive import DIVE_MIN_S, DIVE_SHARE, DIVE_SHARE_PARALLEL, lp_dive, lp_relaxation, lp_restricted
from solver.large import LP_SHARE, PART_VARS, large_block
from solver.milp import Milp
from solver.model import Variables, build_model
from solver.neighbourhoods import PART_DIVE_SHARE, PART_FIRMS, ROUND_SHARE, neighbourhood_search, solve_part
from solver.options import Backend, PartMap, PartTask, Progress, ProgressCallback, SolveOptions, SolveStats
from solver.preference import replan_start
from solver.progress import ProgressRelay
from solver.staged import SHAPE_SHARE, Board, shape_relaxation, staged_solve, with_shape_fixed

# The names this module had before the strategies moved out (tests and other helpers import them from here).
_BlockResult = BlockResult
_Board = Board
_Interrupters = Interrupters
_ProgressRelay = ProgressRelay
_SOLVER_TYPES = SOLVER_TYPES
_large_block = large_block
_lp_dive = lp_dive
_lp_relaxation = lp_relaxation
_lp_restricted = lp_restricted
_neighbourhood_search = neighbourhood_search
_objective_of = objective_of
_parameters = parameters
_shape_relaxation = shape_relaxation
_solve_mathopt = solve_mathopt
_staged = staged_solve
_trivial_bound = trivial_bound
_with_shape_fixed = with_shape_fixed

__all__ = [
    "BATCH_VARS", "DIVE_MIN_S", "DIVE_SHARE", "DIVE_SHARE_PARALLEL", "HIGHS_OPTIONS", "LP_SHARE", "PART_DIVE_SHARE",
    "PART_FIRMS", "PART_VARS", "ROUND_SHARE", "SHAPE_SHARE", "Backend", "PartMap", "PartTask", "Progress",
    "ProgressCallback", "SolveOptions", "SolveStats", "plan_values", "solve_model", "solve_part",
]


# Blocks smaller than this are packed together: one solve per handful of firms costs more than it saves.
BATCH_VARS = 12_000


def _time_weight(sub: Milp, start: list[float] | None, quantity_bound: float) -> float:
    """A block's claim on the time: the geometric mean of its size and of what it can still gain.

    Size alone starved the mid-sized blocks of county alliances: on gen-300 (60 s) the 74,723-column block got
    35 s and ended 0.8% from its bound (it reaches 0.9% in 15 s), while a 12,005-column block got 5 s and
    returned the hand plan, 8.3% from its bound (1.0% with 9 s).  What a block can gain is its quantity bound
    less its start plan; size still counts, as larger blocks need longer for the same progress.
    """
    gain = quantity_bound - (objective_of(sub, start) if start is not None and sub.is_feasible(start) else 0.0)
    return math.sqrt(max(1, sub.num_vars) * max(1.0, gain))


def _solve_block(
    sub: Milp, options: SolveOptions, time_limit_s: float, workers: int, interrupters: Interrupters,
    relay: ProgressRelay | None, hint: list[float] | None, coords: tuple[list[float], list[float]] | None = None,
) -> BlockResult:
    """Solve one block; with two or more workers the LP dive and then the full model run beside the stages."""
    if options.backend != "highs":
        return solve_mathopt(sub, options, time_limit_s, interrupters.new(), relay, hint)
    if coords is not None and sub.num_vars > PART_VARS and all(lb <= 0 for lb in sub.lb):
        # A large block uses its workers on its neighbourhoods; the whole-block full model would crowd them out.
        if relay is not None and hint is not None:
            relay.emit(objective_of(sub, hint), None)
        return large_block(sub, options, time.monotonic() + time_limit_s, interrupters, relay, hint, coords, workers)
    if workers <= 1 or sub.num_vars > PART_VARS:
        return staged_solve(sub, options, time_limit_s, interrupters, relay, hint)
    board = Board(sub, hint)
    box: list[BlockResult] = []
    own = interrupters.new()
    deadline = time.monotonic() + time_limit_s

    def second_member() -> None:
        bound = float("inf")
        dived = lp_dive(sub, options, DIVE_SHARE_PARALLEL * time_limit_s, interrupters, relay, board.values)
        if dived is not None:
            board.offer(dived.values, dived.objective)
            bound = dived.bound
        start = board.best()
        # Its log feeds the relay too: its incumbents are plans and its bound holds, so it can prove the block.
        full = solve_mathopt(sub, options, max(0.05, deadline - time.monotonic()), own, relay,
                             None if start is None else start.values)
        board.offer(full.values, full.objective)
        full.bound = min(bound, full.bound)
        box.append(full)

    helper = threading.Thread(target=second_member, daemon=True)
    helper.start()
    staged = staged_solve(sub, options, time_limit_s, interrupters, relay, hint, dive=False, board=board)
    if staged.optimal or staged.infeasible:
        own.interrupt()
    # A HiGHS solve cannot be interrupted through MathOpt (solver.backend.solve_mathopt): once the block is proven
    # within the gap or the solve is cancelled, the result does not wait for the second member, which ends at its
    # own time limit (its events no longer reach the caller: the block's relay is closed when it returns).
    if not (staged.optimal or staged.infeasible or interrupters.stop.is_set()):
        helper.join()
    best = board.best()
    result = staged if best is None or staged.objective >= best.objective else best
    result.termination = "+".join([staged.termination, *(b.termination for b in box)])
    result.bound = min(staged.bound, box[0].bound) if box else staged.bound
    result.bound = max(result.bound, result.objective)
    proven = relative_gap(result.objective, result.bound) or 0.0
    result.optimal = bool(box and box[0].optimal) or staged.optimal or proven <= options.relative_gap
    result.infeasible = staged.infeasible or bool(box and box[0].infeasible)
    return result


def solve_model(
    scenario: Scenario,
    options: SolveOptions | None = None,
    *,
    replan: ReplanConstraints | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Plan, SolveStats]:
    """Build the model, solve it block by block, and return the plan with its statistics."""
    options = options or SolveOptions()
    stats = SolveStats(backend=options.backend)
    t0 = time.monotonic()
    deadline = t0 + options.time_limit_s
    candidates = build_candidates(scenario)
    milp, variables = build_model(scenario, candidates, replan)
    blocks = pack_blocks(split_blocks(milp), BATCH_VARS)
    # Hand matching gives every solve a plan to start from, so a short time limit never returns less than it.
    start = None if replan else plan_values(scenario, milp, variables, manual_plan(scenario))
    if replan is not None and (replan.start_production or replan.start_loans):
        start = replan_start(scenario, milp, variables, replan)  # the previous version (solver/preference.py)
    stats.build_s = time.monotonic() - t0
    stats.variables = milp.num_vars
    stats.constraints = milp.num_rows
    stats.integer_variables = sum(milp.integer)
    stats.extra["blocks"] = float(len(blocks))

    interrupters = Interrupters()
    done = threading.Event()

    def watch_cancel() -> None:
        while cancel is not None and not done.wait(0.2):
            if cancel.is_set():
                interrupters.interrupt_all()
                return

    if cancel is not None:
        threading.Thread(target=watch_cancel, daemon=True).start()

    workers = max(1, options.threads)
    coords = ([e.lat for e in scenario.enterprises], [e.lon for e in scenario.enterprises])
    results: dict[int, BlockResult] = {}
    lock = threading.Lock()
    subs = [sub_milp(milp, b) for b in blocks]
    trivial = {k: trivial_bound(sub) for k, sub in enumerate(subs)} if len(blocks) > 1 else {}
    # With one block the weight cannot matter: it gets all the time, without a feasibility pass over its rows.
    weights = {k: _time_weight(sub, None if start is None else [start[j] for j in b.vars], trivial[k])
               for k, (sub, b) in enumerate(zip(subs, blocks, strict=True))} if len(blocks) > 1 else {0: 1.0}
    # The whole solve stops once the sum of the plans is proven within the requested gap (issue 11 item 7).
    relay_total = ProgressRelay(on_progress, t0, target_gap=options.relative_gap,
                                on_proven=interrupters.interrupt_all if len(blocks) > 1 else None)

    def totals(running: int | None = None, objective: float | None = None,
               bound: float | None = None) -> tuple[float, float]:
        # Finished blocks count their plans and bounds, the running block its best so far (nothing planned is a
        # plan of every block without pins), the blocks still to come their trivial bounds.  Caller holds lock.
        obj = sum(r.objective for r in results.values() if r.values is not None) + (objective or 0.0)
        bnd = 0.0
        for j in range(len(blocks)):
            if j in results:
                bnd += results[j].bound
            elif j == running and bound is not None:
                bnd += bound
            else:
                bnd += trivial[j]
        return obj, bnd

    def forward_total(k: int) -> ProgressCallback | None:
        # A county solve spends minutes in one large block: its progress is the round's progress.  Not for a
        # block with pinned items, where planning nothing is no plan (checked once, not on every event).
        if any(milp.lb[j] > 0 for j in blocks[k].vars):
            return None

        def forward(p: Progress) -> None:
            with lock:
                obj, bnd = totals(k, p.objective, p.bound)
            relay_total.emit(obj, bnd)
        return forward

    def run(k: int, block: Block) -> None:
        with lock:
            left = sum(w for j, w in weights.items() if j not in results) or 1.0
        remaining = max(0.05, deadline - time.monotonic())
        # Blocks go one after the other, each with every worker (the staged solve beside the full model, or
        # parts side by side); later blocks inherit what earlier ones did not use.  Measured on 100 firms, 30 s:
        # blocks side by side on one worker each reached 2.25M, the two-member portfolio per block more.
        share = min(remaining, remaining * weights[k] / left)
        hint = None if start is None else [start[j] for j in block.vars]
        # Each block stops as soon as its own plan is proven within the gap, whichever step is running then;
        # progress events go out per block only when there is one block (otherwise as sums, below).
        block_interrupters = interrupters.child()
        relay = ProgressRelay(on_progress if len(blocks) == 1 else forward_total(k), t0,
                              target_gap=options.relative_gap, on_proven=block_interrupters.interrupt_all)
        res = _solve_block(subs[k], options, share, workers, block_interrupters, relay, hint, coords)
        relay.close()
        with lock:
            results[k] = res
            if len(blocks) > 1:
                obj, bnd = totals()
                relay_total.emit(obj, bnd)

    t1 = time.monotonic()
    try:
        # Smallest claim first: a block that finishes early leaves its time to the larger ones after it, and a
        # county-sized block running past its share (gen-800: ~10 s of 287) no longer takes a small block's.
        for k in sorted(range(len(blocks)), key=lambda k: (weights[k], k)):
            run(k, blocks[k])
    finally:
        done.set()
    stats.solve_s = time.monotonic() - t1

    terminations = sorted({r.termination for r in results.values()})
    stats.termination = ",".join(terminations) or "EMPTY_MODEL"
    cancelled = cancel is not None and cancel.is_set()

    def finish(plan: Plan) -> tuple[Plan, SolveStats]:
        reason = stop_reason(plan, options, cancelled)
        stats.stop_reason = reason.value
        plan.stats = PlanStats(stop_reason=reason, requested_gap=options.relative_gap,
                               time_limit_s=options.time_limit_s, elapsed_s=round(time.monotonic() - t0, 3))
        relay_total.finish(plan.objective, plan.bound, reason.value)
        return plan, stats

    if any(r.infeasible for r in results.values()):
        return finish(Plan(status=Status.INFEASIBLE))
    values = [0.0] * milp.num_vars
    bound = 0.0
    for k, b in enumerate(blocks):
        res = results[k]
        bound += res.bound
        if res.values is None:
            # No plan found in time for this block: it makes nothing, which is a valid plan unless items are pinned.
            if any(milp.lb[j] > 0 for j in b.vars):
                return finish(Plan(status=Status.UNKNOWN, bound=bound))
            continue
        for local, j in enumerate(b.vars):
            values[j] = res.values[local]
    production, loans = _rows(scenario, variables, values)
    plan = Plan(status=Status.FEASIBLE, production=production, loans=loans)
    obj = recompute_objective(scenario, plan)
    # The solver's bound holds within its tolerances; a plan is never worth more than what was proven.
    bound = max(bound, obj)
    plan.objective = round(obj, 6)
    plan.bound = round(bound, 6)
    plan.gap = relative_gap(plan.objective, plan.bound)
    if all(r.optimal for r in results.values()):
        plan.status = Status.OPTIMAL
    relay_total.emit(plan.objective, plan.bound)
    return finish(plan)


# HiGHS' own default relative gap: a plan proven within it is what REFERENCE.md calls optimal.
OPTIMAL_GAP = 1e-4


def stop_reason(plan: Plan, options: SolveOptions, cancelled: bool) -> StopReason:
    """Why the solve stopped, from the plan it returns: proven (optimal or within the gap asked), else the clock
    or a cancel.  A plan proven within the gap stopped by itself even if a cancel came after."""
    if plan.status == Status.INFEASIBLE:
        return StopReason.PROVEN_INFEASIBLE
    gap = plan.gap
    if gap is not None and gap <= OPTIMAL_GAP + 1e-12:
        return StopReason.PROVEN_OPTIMAL
    if gap is not None and gap <= options.relative_gap + 1e-12:
        return StopReason.WITHIN_GAP
    return StopReason.CANCELLED if cancelled else StopReason.TIME_LIMIT


def _rows(s: Scenario, v: Variables, values: list[float]) -> tuple[list[ProductionRow], list[LoanRow]]:
    firms = [e.id for e in s.enterprises]
    production = []
    for k, opt in enumerate(v.options):
        oid = s.orders[opt.order].id
        for t, col in zip(opt.days, v.x[k], strict=True):
            q = round(values[col])
            if q > 0:
                production.append(ProductionRow(order=oid, site=firms[opt.site], day=t, quantity=q))
    loans = []
    for (si, lender, borrower, t), col in v.w.items():
        n = round(values[col])
        if n > 0:
            loans.append(
                LoanRow(skill=s.skills[si], lender=firms[lender], borrower=firms[borrower], day=t, workers=n)
            )
    production.sort(key=lambda r: (r.order, r.site != s.order(r.order).owner, r.site, r.day))
    loans.sort(key=lambda r: (r.skill, r.lender, r.borrower, r.day))
    return production, loans


def plan_values(s: Scenario, milp: Milp, v: Variables, plan: Plan) -> list[float] | None:
    """The plan's rows as a complete assignment of the model's variables, or None if it uses a pruned variable.

    Used to hand HiGHS a starting plan: MathOpt passes it on as a MIP start.
    """
    idx = s.enterprise_index()
    order_idx = {o.id: i for i, o in enumerate(s.orders)}
    sk = {c: i for i, c in enumerate(s.skills)}
    where: dict[tuple[int, int, int], int] = {}
    for k, opt in enumerate(v.options):
        for t, col in zip(opt.days, v.x[k], strict=True):
            where[(opt.order, opt.site, t)] = col
    values = [max(0.0, lb) for lb in milp.lb]
    option_of = {(opt.order, opt.site): k for k, opt in enumerate(v.options)}
    for row in plan.production:
        found = where.get((order_idx[row.order], idx[row.site], row.day))
        if found is None:
            return None
        values[found] = float(row.quantity)
        k = option_of[(order_idx[row.order], idx[row.site])]
        if k in v.y:
            values[v.y[k]] = 1.0
        owner = idx[s.orders[order_idx[row.order]].owner]
        if owner != idx[row.site] and (min(owner, idx[row.site]), max(owner, idx[row.site])) in v.z:
            values[v.z[(min(owner, idx[row.site]), max(owner, idx[row.site]))]] = 1.0
    for loan in plan.loans:
        key = (sk[loan.skill], idx[loan.lender], idx[loan.borrower], loan.day)
        if key not in v.w:
            return None
        values[v.w[key]] = float(loan.workers)
        pair = (min(key[1], key[2]), max(key[1], key[2]))
        if pair in v.z:
            values[v.z[pair]] = 1.0
    if any(values[j] > milp.ub[j] + 1e-9 for j in range(milp.num_vars)):
        return None
    return values
