"""Run the model through MathOpt and turn the answer into a plan.

Backends: ``highs`` (default), ``scip`` and ``cpsat``, all shipped in the
OR-Tools wheel; docs/solver.md has the measurements behind the default.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ortools.math_opt.python import mathopt
from ortools.math_opt.solvers import highs_pb2
from ortools.util.python.solve_interrupter import SolveInterrupter

from alliance.check import objective as recompute_objective
from alliance.manual import manual_plan
from alliance.plan import LoanRow, Plan, ProductionRow, Status, relative_gap
from alliance.replan import ReplanConstraints
from alliance.scenario import Scenario
from solver.blocks import (
    Block,
    geographic_parts,
    pack_blocks,
    rows_of_columns,
    split_blocks,
    sub_milp,
    with_others_fixed,
)
from solver.candidates import build_candidates
from solver.milp import Milp
from solver.model import Variables, build_model
from solver.preference import replan_start

Backend = Literal["highs", "scip", "cpsat"]
_SOLVER_TYPES = {
    "highs": mathopt.SolverType.HIGHS,
    "scip": mathopt.SolverType.GSCIP,
    "cpsat": mathopt.SolverType.CP_SAT,
}


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float = 30.0
    # Relative gap at which the search stops and the plan is called OPTIMAL (HiGHS' own default).
    relative_gap: float = 1e-4
    threads: int = 1
    seed: int = 0
    backend: Backend = "highs"
    # Where the neighbourhoods of a large block are solved (None: here, on ``threads`` threads); the Celery
    # deployment spreads them over worker processes (api/distributed/fanout.py).
    part_map: PartMap | None = field(default=None, compare=False, repr=False)


@dataclass
class PartTask:
    """One neighbourhood of a large block: a MILP of its own (the rest held at the plan), its time and start."""

    milp: Milp
    options: SolveOptions
    time_limit_s: float
    start: list[float]


class PartMap(Protocol):
    """Solves a round's neighbourhoods (they share no row) by ``deadline`` (``time.monotonic()``): for each, its
    improved values, or None (no better plan, or no answer in time).  ``parallelism``: how many run at once."""

    parallelism: int

    def __call__(self, tasks: list[PartTask], deadline: float) -> list[list[float] | None]: ...


def solve_part(task: PartTask) -> list[float] | None:
    """One neighbourhood, as the in-process search solves it: improved values, or None."""
    res = _staged(task.milp, task.options, task.time_limit_s, _Interrupters(), None, task.start, None,
                  dive_share=PART_DIVE_SHARE)
    if res.values is None or res.objective <= _objective_of(task.milp, task.start) + 1e-6:
        return None
    return res.values


@dataclass(frozen=True)
class Progress:
    objective: float | None
    bound: float | None
    gap: float | None
    elapsed_s: float


@dataclass
class SolveStats:
    build_s: float = 0.0
    solve_s: float = 0.0
    variables: int = 0
    constraints: int = 0
    integer_variables: int = 0
    backend: str = ""
    termination: str = ""
    extra: dict[str, float] = field(default_factory=dict)


ProgressCallback = Callable[[Progress], None]


# HiGHS' MIP log prints one table row per event, columns:
# Src Proc. InQueue | Leaves Expl. | BestBound BestSol Gap | Cuts InLp Confl. | LpIters Time
_HIGHS_ROW = re.compile(
    r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(?P<bound>[-+\deE.]+|inf|-inf)\s+"
    r"(?P<sol>[-+\deE.]+|inf|-inf)\s+(?P<gap>[\d.]+%|inf|Large)\s+.*\s(?P<time>[\d.]+)s\s*$"
)


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if abs(value) != float("inf") else None


class _ProgressRelay:
    """Turns solver output into Progress events; for HiGHS, whose callbacks MathOpt does not relay, by its log."""

    def __init__(self, on_progress: ProgressCallback | None, start: float) -> None:
        self.on_progress = on_progress
        self.start = start
        self.last: Progress | None = None
        # Two workers of one block report through the same relay.
        self._lock = threading.Lock()

    def emit(self, objective: float | None, bound: float | None) -> None:
        if self.on_progress is None:
            return
        with self._lock:
            self._emit(self.on_progress, objective, bound)

    def _emit(self, on_progress: ProgressCallback, objective: float | None, bound: float | None) -> None:
        # Several solvers may report; the plan kept is the best any found and the bound the tightest any proved.
        if self.last is not None:
            if self.last.objective is not None and (objective is None or objective < self.last.objective):
                objective = self.last.objective
            if self.last.bound is not None and (bound is None or bound > self.last.bound):
                bound = self.last.bound
        p = Progress(objective, bound, relative_gap(objective, bound), time.monotonic() - self.start)
        if self.last is None or (p.objective, p.bound) != (self.last.objective, self.last.bound):
            self.last = p
            on_progress(p)

    def highs_log(self, lines: list[str]) -> None:
        for line in lines:
            match = _HIGHS_ROW.match(line)
            if match:
                self.emit(_float(match["sol"]), _float(match["bound"]))

    def highs_log_bound_only(self, lines: list[str]) -> None:
        """For relaxations: their bound holds for the real model, their solutions are not plans."""
        for line in lines:
            match = _HIGHS_ROW.match(line)
            if match:
                self.emit(None, _float(match["bound"]))

    def highs_log_objective_only(self, lines: list[str]) -> None:
        """For restricted models: their plans are plans, their bounds hold only for the restriction."""
        for line in lines:
            match = _HIGHS_ROW.match(line)
            if match:
                self.emit(_float(match["sol"]), None)

    def callback(self, data: mathopt.CallbackData) -> mathopt.CallbackResult:
        stats = data.mip_stats
        self.emit(_float(str(stats.primal_bound)), _float(str(stats.dual_bound)))
        return mathopt.CallbackResult()


# HiGHS settings for every MILP solve: more primal heuristics than its default 0.05 found park-24-tight's first
# good plans ~5 s sooner (docs/solver.md).
HIGHS_OPTIONS: dict[str, float] = {"mip_heuristic_effort": 0.3}
# Share of a block's time for the shape relaxation: on park-24-tight its root alone takes ~15 s of 2 loaded cores.
SHAPE_SHARE = 0.6
# Blocks larger than this get an LP bound and a plan from a search over geographic neighbourhoods of about
# PART_FIRMS firms (docs/solver.md).  Measured: a 14,768-variable block (100 firms) does better staged, 35-41k-variable
# blocks (300 firms) get nothing from the staged solve in their minute and do better in parts.
PART_VARS = 25_000
PART_FIRMS = 30
# Share of a large block's time for its LP relaxation (the bound) on one thread; the neighbourhoods get the rest.
LP_SHARE = 0.5
# Time for the LP dive when it runs before the staged solve on the same worker: DIVE_SHARE of the block's time,
# but at least DIVE_MIN_S (up to half the time), since on a tight park the dive needs 3-6 s for its plans
# (park-24-tight: 396,593 at 2.9 s, gen-24-tight: 415,385 at 6.0 s).  With two or more workers it runs on the
# second one, with DIVE_SHARE_PARALLEL of the time, before the full model.
DIVE_SHARE = 0.3
DIVE_MIN_S = 8.0
DIVE_SHARE_PARALLEL = 0.8
# Neighbourhoods of a large block get seconds each, too few for the shape relaxation: the LP dive takes all their time
# (gen-300-tight, 60 s: 4,043,032 against 3,894,551 with half of it).
PART_DIVE_SHARE = 1.0
# Share of what is left of a large block's time for each round of neighbourhoods, the first one included.
ROUND_SHARE = 0.6
# Blocks smaller than this are packed together: one solve per handful of firms costs more than it saves.
BATCH_VARS = 12_000


@dataclass
class _BlockResult:
    values: list[float] | None
    objective: float
    bound: float
    optimal: bool
    infeasible: bool
    termination: str


def _parameters(
    options: SolveOptions, time_limit_s: float, highs_strings: dict[str, str] | None = None
) -> mathopt.SolveParameters:
    params = mathopt.SolveParameters(
        time_limit=datetime.timedelta(seconds=max(0.05, time_limit_s)),
        relative_gap_tolerance=options.relative_gap,
        random_seed=options.seed,
    )
    if options.backend == "highs":
        highs = highs_pb2.HighsOptionsProto()
        for key, value in HIGHS_OPTIONS.items():
            highs.double_options[key] = value
        for key, text in (highs_strings or {}).items():
            highs.string_options[key] = text
        params.highs.CopyFrom(highs)
    elif options.backend == "cpsat":
        params.threads = max(1, options.threads)
    return params


class _Interrupters:
    """Every running solve's interrupter, so that cancel reaches all of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[SolveInterrupter] = []
        self.stop = threading.Event()

    def new(self) -> SolveInterrupter:
        item = SolveInterrupter()
        with self._lock:
            self._items.append(item)
            if self.stop.is_set():
                item.interrupt()
        return item

    def interrupt_all(self) -> None:
        with self._lock:
            self.stop.set()
            for item in self._items:
                item.interrupt()


def _trivial_bound(m: Milp) -> float:
    """A bound that needs no solve: the best of each variable's box, with every order's quantity respected.

    It is what a block reports when its LP is not solved in time.  Only the quantity rows (rule 3) are kept, and
    the relaxation they leave is solved greedily row by row (a unit of an order counts once, at its best site and
    day), so the bound is about the backlog's value rather than every site making every order in full: gen-800's
    bound without its LP falls from ~28 M to ~16.7 M yuan.
    """
    in_quantity_row = [False] * m.num_vars
    total = m.objective_offset
    for i, (cols, coefs) in enumerate(m.rows):
        if not m.row_names[i].startswith("quantity[") or any(c != 1.0 for c in coefs):
            continue
        if any(in_quantity_row[j] for j in cols):
            continue
        room = m.row_ub[i] - sum(m.lb[j] for j in cols)
        total += sum(m.obj[j] * m.lb[j] for j in cols)
        for j in sorted(cols, key=lambda j: -m.obj[j]):
            in_quantity_row[j] = True
            if m.obj[j] > 0 and room > 0:
                take = min(room, m.ub[j] - m.lb[j])
                total += m.obj[j] * take
                room -= take
    total += sum(c * (m.ub[j] if c > 0 else m.lb[j]) for j, c in enumerate(m.obj) if not in_quantity_row[j])
    return total


def _time_weight(sub: Milp, start: list[float] | None, quantity_bound: float) -> float:
    """A block's claim on the time: the geometric mean of its size and of what it can still gain.

    Size alone starved the mid-sized blocks of county alliances: on gen-300 (60 s) the 74,723-column block got
    35 s and ended 0.8% from its bound (it reaches 0.9% in 15 s), while a 12,005-column block got 5 s and
    returned the hand plan, 8.3% from its bound (1.0% with 9 s).  What a block can gain is its quantity bound
    less its start plan; size still counts, as larger blocks need longer for the same progress.
    """
    gain = quantity_bound - (_objective_of(sub, start) if start is not None and sub.is_feasible(start) else 0.0)
    return math.sqrt(max(1, sub.num_vars) * max(1.0, gain))


def _objective_of(m: Milp, values: list[float]) -> float:
    return sum(c * values[j] for j, c in enumerate(m.obj)) + m.objective_offset


def _solve_mathopt(
    sub: Milp, options: SolveOptions, time_limit_s: float, interrupter: SolveInterrupter,
    relay: _ProgressRelay | None, hint: list[float] | None, bound_only: bool = False,
    highs_strings: dict[str, str] | None = None, objective_only: bool = False,
) -> _BlockResult:
    kwargs: dict[str, object] = {}
    if relay is not None and options.backend == "highs":
        if bound_only:
            kwargs["msg_cb"] = relay.highs_log_bound_only
        elif objective_only:
            kwargs["msg_cb"] = relay.highs_log_objective_only
        else:
            kwargs["msg_cb"] = relay.highs_log
    elif relay is not None and options.backend == "cpsat":
        kwargs["callback_reg"] = mathopt.CallbackRegistration(events={mathopt.Event.MIP_SOLUTION, mathopt.Event.MIP})
        kwargs["cb"] = relay.callback
    model = sub.to_mathopt(with_names=False)
    if hint is not None:
        kwargs["model_params"] = mathopt.ModelSolveParameters(
            solution_hints=[mathopt.SolutionHint(
                variable_values={model.get_variable(j): float(v) for j, v in enumerate(hint)}
            )]
        )
    try:
        result = mathopt.solve(
            model,
            _SOLVER_TYPES[options.backend],
            params=_parameters(options, time_limit_s, highs_strings),
            interrupter=interrupter,
            **kwargs,  # type: ignore[arg-type]
        )
    except Exception as exc:  # a solver failure must cost this step, never the whole plan
        # MathOpt raises on statuses it cannot map (e.g. HiGHS' "Unknown" after an interior-point solve cut by
        # the time limit); the step then contributes no plan and no bound, and the others carry on.
        fallback = list(hint) if hint is not None and sub.is_feasible(hint) else None
        return _BlockResult(
            values=fallback,
            objective=_objective_of(sub, fallback) if fallback is not None else float("-inf"),
            bound=_trivial_bound(sub),
            optimal=False,
            infeasible=False,
            termination=f"ERROR({type(exc).__name__})",
        )
    reason = result.termination.reason
    bound = _float(str(result.termination.objective_bounds.dual_bound))
    # Both bound the same model, so the smaller one does too.  The quantity bound guards against a solver's dual
    # bound far above it (gen-800-tight, 300 s: the plan was reported with a 21.7 M bound, the quantity bound of
    # the same blocks is 16.3 M).
    bound = _trivial_bound(sub) if bound is None else min(bound, _trivial_bound(sub))
    values = None
    objective = float("-inf")
    if result.has_primal_feasible_solution():
        values = [0.0] * sub.num_vars
        for var, val in result.variable_values().items():
            values[var.id] = float(round(val)) if sub.integer[var.id] else val
        objective = _objective_of(sub, values)
    if hint is not None and sub.is_feasible(hint) and _objective_of(sub, hint) > objective:
        values, objective = list(hint), _objective_of(sub, hint)
    return _BlockResult(
        values=values,
        objective=objective,
        bound=bound,
        optimal=reason == mathopt.TerminationReason.OPTIMAL,
        infeasible=reason in (mathopt.TerminationReason.INFEASIBLE, mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED),
        termination=reason.name,
    )


def _shape_relaxation(sub: Milp) -> Milp:
    """The block with only its yes/no decisions integral: quantities and workers may be fractional.

    Its optimum is an upper bound for the block (it relaxes integrality), and on
    tight alliances HiGHS solves it far faster than the full model, whose
    thousands of small integer quantities make both plans and proofs slow.
    """
    # The per-day indicator rows are implied once y is integral; without them HiGHS' root is ~35% faster
    # (park-24-tight: first good shape at 14 s instead of 19 s) for the same bound.
    lean = sub.without_redundant_rows()
    return dataclasses.replace(lean, integer=[i and st for i, st in zip(lean.integer, lean.structural, strict=True)])


def _with_shape_fixed(sub: Milp, shape: list[float]) -> Milp:
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


def _lp_relaxation(sub: Milp) -> Milp:
    """The block's LP relaxation without the per-day indicator rows (implied once the yes/no decisions are integral).

    Without them the LP takes half the time (gen-300-tight's 14,093-column block: 1.9 s against 4.3 s; ~30% on
    300-firm county blocks) for a bound 0.01-0.25% weaker, which the other steps tighten.
    """
    lean = sub.without_redundant_rows()
    return dataclasses.replace(lean, integer=[False] * lean.num_vars)


def _lp_restricted(sub: Milp, lp_values: list[float], hint: list[float] | None) -> Milp:
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


def _lp_dive(
    sub: Milp, options: SolveOptions, time_limit_s: float, interrupters: _Interrupters,
    relay: _ProgressRelay | None, hint: list[float] | None,
) -> _BlockResult | None:
    """The LP relaxation, then a MIP on what the LP uses: a good plan fast, and the LP's bound.

    On tight alliances the shape relaxation's root alone can take longer than a short time limit; the LP takes
    about a second for a park and points at the sub-contracts and loans worth making (docs/solver.md).
    Returns None when the LP is not solved in time.
    """
    deadline = time.monotonic() + time_limit_s
    lp = _solve_mathopt(_lp_relaxation(sub), options, time_limit_s, interrupters.new(), None, None)
    if lp.values is None or not lp.optimal:
        return None
    if relay is not None:
        relay.emit(None if hint is None else _objective_of(sub, hint), lp.bound)
    left = deadline - time.monotonic()
    if left <= 0.05 or interrupters.stop.is_set():
        return None
    dive = _solve_mathopt(_lp_restricted(sub, lp.values, hint), options, left, interrupters.new(), relay, hint,
                          objective_only=True)
    if dive.values is None:
        return None
    # The dive's own bound holds only for the restricted block; the LP's holds for the whole.
    bound = max(lp.bound, dive.objective)
    return _BlockResult(dive.values, dive.objective, bound, False, False, f"LP-DIVE:{dive.termination}")


def _neighbourhood_search(
    sub: Milp, options: SolveOptions, time_limit_s: float, interrupters: _Interrupters,
    coords: tuple[list[float], list[float]], workers: int, hint: list[float] | None,
) -> list[float] | None:
    """A plan for a large block, improved one geographic neighbourhood at a time from the start plan.

    A county-sized block is too big for the shape relaxation to find good plans in minutes; neighbourhoods of a
    park's size (PART_FIRMS firms) are solved in seconds each, with everything outside them held at the current
    plan, so links across a neighbourhood's edge keep what the plan gives them and each solve can only improve
    it.  Rounds alternate two partitions whose edges cross (the second turned by 45 degrees), so the links that
    straddle one round's edges are free in the next.  Parts solved apart with their edge links dropped lost
    those links: on gen-300-tight's 57,570-column block they covered 23,758 columns (docs/solver.md).
    """
    deadline = time.monotonic() + time_limit_s
    values = list(hint) if hint is not None else [max(0.0, lb) for lb in sub.lb]
    if not sub.is_feasible(values):
        return None
    rows_of = rows_of_columns(sub)
    lat, lon = coords
    partitions = [(lat, lon), ([a + b for a, b in zip(lat, lon, strict=True)],
                               [a - b for a, b in zip(lat, lon, strict=True)])]
    lock = threading.Lock()
    attempted = [0]

    def accept(keep: list[int], improved: list[float]) -> None:
        with lock:
            before = [values[j] for j in keep]
            for k, j in enumerate(keep):
                values[j] = improved[k]
            # Neighbourhoods of one round share no row, so this holds; checked, as a wrong plan costs more.
            touched = {i for j in keep for i in rows_of[j]}
            if not sub.rows_hold(touched, values):
                for k, j in enumerate(keep):
                    values[j] = before[k]

    def improve(keep: list[int], share: float) -> None:
        if interrupters.stop.is_set() or share < 0.2:
            return
        with lock:
            attempted[0] += 1
            current = [values[j] for j in keep]
            neighbourhood = with_others_fixed(sub, keep, values, rows_of)
        res = _staged(neighbourhood, options, share, interrupters, None, current, None, dive_share=PART_DIVE_SHARE)
        if res.values is None or res.objective <= _objective_of(neighbourhood, current) + 1e-6:
            return
        accept(keep, res.values)

    def mapped_round(parts: list[list[int]], round_s: float, round_deadline: float, part_map: PartMap) -> None:
        # Shares as if ``parallelism`` processes took the parts one after the other; the map cuts each at the
        # round's deadline.  Built from the plan as it stands: parts of one round share no row.
        total = sum(len(p) for p in parts) or 1
        plain = dataclasses.replace(options, part_map=None)
        keeps, tasks = [], []
        for keep in parts:
            share = min(round_s, round_s * len(keep) / total * max(1, part_map.parallelism))
            if share >= 0.2:
                keeps.append(keep)
                tasks.append(PartTask(with_others_fixed(sub, keep, values, rows_of), plain, share,
                                      [values[j] for j in keep]))
        attempted[0] += len(tasks)
        for keep, task, improved in zip(keeps, tasks, part_map(tasks, round_deadline), strict=True):
            if improved is not None and (_objective_of(task.milp, improved)
                                         > _objective_of(task.milp, task.start) + 1e-6):
                accept(keep, improved)

    round_no = 0
    while not interrupters.stop.is_set():
        left = deadline - time.monotonic()
        if left < 1.0:
            break
        # Each round takes ROUND_SHARE of what is left (each neighbourhood needs seconds for its dive), the last
        # one all of it; later rounds work over the earlier rounds' seams.
        round_s = left if left < 4.0 else ROUND_SHARE * left
        round_deadline = time.monotonic() + round_s
        part_lat, part_lon = partitions[round_no % len(partitions)]
        parts = geographic_parts(sub, part_lat, part_lon, PART_FIRMS)
        total = sum(len(p) for p in parts) or 1
        started = [0]

        def solve_part(keep: list[int], round_deadline: float = round_deadline, total: int = total,
                       started: list[int] = started) -> None:
            with lock:
                remaining = max(0.0, round_deadline - time.monotonic())
                share = min(remaining, remaining * len(keep) / max(1, total - started[0]) * workers)
                started[0] += len(keep)
            improve(keep, share)

        attempted_before = attempted[0]
        if options.part_map is not None:
            mapped_round(parts, round_s, round_deadline, options.part_map)
        elif workers <= 1:
            for keep in parts:
                solve_part(keep)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(solve_part, parts))
        if attempted[0] == attempted_before:
            break  # too little time left for any neighbourhood: another round would only spin
        round_no += 1
    return values if sub.is_feasible(values) else None


def _large_block(
    sub: Milp, options: SolveOptions, deadline: float, interrupters: _Interrupters,
    relay: _ProgressRelay | None, hint: list[float] | None, coords: tuple[list[float], list[float]], workers: int,
) -> _BlockResult:
    """A block too large for the staged solve in the time: LP bound on one worker, neighbourhoods on the others.

    The LP relaxation, by interior point, proves a bound in tens of seconds on a county-sized block (park-sized
    neighbourhoods cannot: each holds the rest fixed); the neighbourhood search, from the hand plan, gives the
    plan, and a dive on the whole block from its LP competes with it.
    """
    time_limit_s = max(0.05, deadline - time.monotonic())
    relaxation = _lp_relaxation(sub)
    lp_box: list[_BlockResult] = []
    dive_box: list[_BlockResult] = []

    def solve_lp(limit: float) -> None:
        # Interior point: on gen-300-tight's 57,570-column block dual simplex had not finished after 100 s,
        # interior point (with crossover, which MathOpt needs to report the status) took 23 s.
        lp_box.append(_solve_mathopt(relaxation, options, limit, interrupters.new(), None, None,
                                     highs_strings={"solver": "ipm"}))

    def dive_whole(limit: float) -> None:
        # The LP dive on the whole block, from the LP just solved: links across part boundaries stay possible.
        # gen-300's 74,723-column block: 2,110,067 in 15 s after the LP, against 2,007,122 by hand; on a tight
        # block of that size it found nothing in 40 s, so the neighbourhood search still runs.
        lp = lp_box[0]
        if lp.values is None or not lp.optimal or limit <= 0.05 or interrupters.stop.is_set():
            return
        restricted_block = _lp_restricted(sub, lp.values, hint)
        dive_box.append(_solve_mathopt(restricted_block, options, limit, interrupters.new(), relay, hint,
                                       objective_only=True))

    if workers >= 2:
        # One worker proves the bound, then dives; the others search neighbourhoods.
        def bound_then_dive() -> None:
            solve_lp(time_limit_s)
            dive_whole(deadline - time.monotonic())

        lp_thread = threading.Thread(target=bound_then_dive, daemon=True)
        lp_thread.start()
        parts_plan = _neighbourhood_search(sub, options, time_limit_s, interrupters, coords, workers - 1, hint)
        lp_thread.join()
    else:
        solve_lp(LP_SHARE * time_limit_s)
        dive_whole(0.5 * (deadline - time.monotonic()))
        parts_plan = _neighbourhood_search(
            sub, options, max(0.05, deadline - time.monotonic()), interrupters, coords, 1, hint
        )
    lp = lp_box[0]
    bound = lp.bound if lp.optimal else _trivial_bound(sub)
    candidates = [hint, parts_plan] + [d.values for d in dive_box]
    plans = [c for c in candidates if c is not None and sub.is_feasible(c)]
    if not plans:
        return _BlockResult(None, float("-inf"), bound, False, False, "PARTS")
    best = max(plans, key=lambda c: _objective_of(sub, c))
    objective = _objective_of(sub, best)
    if relay is not None:
        relay.emit(objective, bound)
    return _BlockResult(best, objective, max(bound, objective), False, False, "LP+DIVE+PARTS")


class _Board:
    """The best plan any member has found for a block, so that a step starting later starts from it."""

    def __init__(self, sub: Milp, hint: list[float] | None) -> None:
        self._lock = threading.Lock()
        self.values: list[float] | None = None
        self.objective = float("-inf")
        if hint is not None and sub.is_feasible(hint):
            self.offer(hint, _objective_of(sub, hint))

    def offer(self, values: list[float] | None, objective: float) -> None:
        if values is None:
            return
        with self._lock:
            if objective > self.objective:
                self.values, self.objective = list(values), objective

    def best(self) -> _BlockResult | None:
        with self._lock:
            if self.values is None:
                return None
            return _BlockResult(list(self.values), self.objective, float("inf"), False, False, "START")


def _staged(
    sub: Milp, options: SolveOptions, time_limit_s: float, interrupters: _Interrupters,
    relay: _ProgressRelay | None, hint: list[float] | None, coords: tuple[list[float], list[float]] | None = None,
    workers: int = 1, dive: bool = True, board: _Board | None = None, dive_share: float | None = None,
) -> _BlockResult:
    """LP dive, shape, quantities, then the full model from the best plan (docs/solver.md).

    0. the LP dive (DIVE_SHARE of the time, unless another worker runs it) gives a good plan in seconds;
    1. the shape relaxation (60% of what is left) decides which sub-contracts and links to use and proves a bound;
    2. with that shape fixed, whole units and workers are placed (half of what is left);
    3. the full model, started from the best plan so far, looks for better and tightens the bound (the rest).
    The bound reported is the tightest of the LP and steps 1 and 3: each relaxes, or equals, the block.
    """
    deadline = time.monotonic() + time_limit_s
    if relay is not None and hint is not None:
        relay.emit(_objective_of(sub, hint), None)
    if coords is not None and sub.num_vars > PART_VARS and all(lb <= 0 for lb in sub.lb):
        return _large_block(sub, options, deadline, interrupters, relay, hint, coords, workers)
    board = board or _Board(sub, hint)
    bound = float("inf")

    def finish(best: _BlockResult | None, termination: str) -> _BlockResult:
        proven = bound if bound < float("inf") else _trivial_bound(sub)
        if best is None:
            return _BlockResult(None, float("-inf"), proven, False, False, termination)
        best.bound = max(proven, best.objective)
        best.termination = termination
        best.optimal = (relative_gap(best.objective, best.bound) or 0.0) <= options.relative_gap
        return best

    if dive:
        dive_s = min(0.5 * time_limit_s, max(DIVE_SHARE * time_limit_s, DIVE_MIN_S))
        if dive_share is not None:
            dive_s = dive_share * time_limit_s
        dived = _lp_dive(sub, options, dive_s, interrupters, relay, board.values)
        if dived is not None:
            board.offer(dived.values, dived.objective)
            bound = dived.bound
            if (relative_gap(dived.objective, bound) or 0.0) <= options.relative_gap:
                return finish(board.best(), dived.termination)
    start = board.best()
    stage1 = _solve_mathopt(
        _shape_relaxation(sub), options, SHAPE_SHARE * max(0.05, deadline - time.monotonic()), interrupters.new(),
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
        stage2 = _solve_mathopt(_with_shape_fixed(sub, stage1.values), options, left, interrupters.new(), None, None)
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
    full = _solve_mathopt(sub, options, left, interrupters.new(), relay, None if best is None else best.values)
    board.offer(full.values, full.objective)
    bound = min(bound, full.bound)
    result = finish(board.best(), full.termination)
    result.optimal = result.optimal or full.optimal
    return result


def _solve_block(
    sub: Milp, options: SolveOptions, time_limit_s: float, workers: int, interrupters: _Interrupters,
    relay: _ProgressRelay | None, hint: list[float] | None, coords: tuple[list[float], list[float]] | None = None,
) -> _BlockResult:
    """Solve one block; with two or more workers the LP dive and then the full model run beside the stages."""
    if options.backend != "highs":
        return _solve_mathopt(sub, options, time_limit_s, interrupters.new(), relay, hint)
    if workers <= 1 or sub.num_vars > PART_VARS:
        # A large block uses its workers on its neighbourhoods; the whole-block full model would crowd them out.
        return _staged(sub, options, time_limit_s, interrupters, relay, hint, coords, workers)
    board = _Board(sub, hint)
    box: list[_BlockResult] = []
    own = interrupters.new()
    deadline = time.monotonic() + time_limit_s

    def second_member() -> None:
        bound = float("inf")
        dived = _lp_dive(sub, options, DIVE_SHARE_PARALLEL * time_limit_s, interrupters, relay, board.values)
        if dived is not None:
            board.offer(dived.values, dived.objective)
            bound = dived.bound
        start = board.best()
        full = _solve_mathopt(sub, options, max(0.05, deadline - time.monotonic()), own, None,
                              None if start is None else start.values)
        board.offer(full.values, full.objective)
        full.bound = min(bound, full.bound)
        box.append(full)

    helper = threading.Thread(target=second_member, daemon=True)
    helper.start()
    staged = _staged(sub, options, time_limit_s, interrupters, relay, hint, coords, dive=False, board=board)
    if staged.optimal or staged.infeasible:
        own.interrupt()
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

    interrupters = _Interrupters()
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
    results: dict[int, _BlockResult] = {}
    lock = threading.Lock()
    subs = [sub_milp(milp, b) for b in blocks]
    trivial = {k: _trivial_bound(sub) for k, sub in enumerate(subs)} if len(blocks) > 1 else {}
    # With one block the weight cannot matter: it gets all the time, without a feasibility pass over its rows.
    weights = {k: _time_weight(sub, None if start is None else [start[j] for j in b.vars], trivial[k])
               for k, (sub, b) in enumerate(zip(subs, blocks, strict=True))} if len(blocks) > 1 else {0: 1.0}
    relay_single = _ProgressRelay(on_progress, t0) if len(blocks) == 1 else None
    relay_total = _ProgressRelay(on_progress, t0)

    def run(k: int, block: Block) -> None:
        with lock:
            left = sum(w for j, w in weights.items() if j not in results) or 1.0
        remaining = max(0.05, deadline - time.monotonic())
        # Blocks go one after the other, each with every worker (the staged solve beside the full model, or
        # parts side by side); later blocks inherit what earlier ones did not use.  Measured on 100 firms, 30 s:
        # blocks side by side on one worker each reached 2.25M, the two-member portfolio per block more.
        share = min(remaining, remaining * weights[k] / left)
        hint = None if start is None else [start[j] for j in block.vars]
        res = _solve_block(subs[k], options, share, workers, interrupters, relay_single, hint, coords)
        with lock:
            results[k] = res
            if len(blocks) > 1:
                obj = sum(r.objective for r in results.values() if r.values is not None)
                bnd = sum(results[j].bound if j in results else trivial[j] for j in range(len(blocks)))
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
    if any(r.infeasible for r in results.values()):
        return Plan(status=Status.INFEASIBLE), stats
    values = [0.0] * milp.num_vars
    bound = 0.0
    for k, b in enumerate(blocks):
        res = results[k]
        bound += res.bound
        if res.values is None:
            # No plan found in time for this block: it makes nothing, which is a valid plan unless items are pinned.
            if any(milp.lb[j] > 0 for j in b.vars):
                return Plan(status=Status.UNKNOWN, bound=bound), stats
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
    return plan, stats


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
