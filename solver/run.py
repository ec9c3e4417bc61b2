"""Run the model through MathOpt and turn the answer into a plan.

Backends: ``highs`` (default), ``scip`` and ``cpsat``, all shipped in the
OR-Tools wheel; docs/solver.md has the measurements behind the default.
"""

from __future__ import annotations

import datetime
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ortools.math_opt.python import mathopt
from ortools.util.python.solve_interrupter import SolveInterrupter

from alliance.check import objective as recompute_objective
from alliance.plan import LoanRow, Plan, ProductionRow, Status, relative_gap
from alliance.replan import ReplanConstraints
from alliance.scenario import Scenario
from solver.candidates import build_candidates
from solver.model import Variables, build_model

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


@dataclass(frozen=True)
class Progress:
    objective: float | None
    bound: float | None
    gap: float | None
    elapsed_s: float
    phase: str = "solve"


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


# HiGHS' MIP log prints one table row per event:
#  Src  Proc. InQueue |  Leaves   Expl. | BestBound       BestSol              Gap |   Cuts   InLp Confl. | LpIters     Time
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

    def __init__(self, on_progress: ProgressCallback | None, start: float, offset: float) -> None:
        self.on_progress = on_progress
        self.start = start
        self.offset = offset
        self.last: Progress | None = None

    def emit(self, objective: float | None, bound: float | None) -> None:
        if self.on_progress is None:
            return
        p = Progress(objective, bound, relative_gap(objective, bound), time.monotonic() - self.start)
        if self.last is None or (p.objective, p.bound) != (self.last.objective, self.last.bound):
            self.last = p
            self.on_progress(p)

    def highs_log(self, lines: list[str]) -> None:
        for line in lines:
            match = _HIGHS_ROW.match(line)
            if match:
                self.emit(_float(match["sol"]), _float(match["bound"]))

    def callback(self, data: mathopt.CallbackData) -> mathopt.CallbackResult:
        stats = data.mip_stats
        self.emit(_float(str(stats.primal_bound)), _float(str(stats.dual_bound)))
        return mathopt.CallbackResult()


def _parameters(options: SolveOptions) -> mathopt.SolveParameters:
    params = mathopt.SolveParameters(
        time_limit=datetime.timedelta(seconds=max(0.01, options.time_limit_s)),
        relative_gap_tolerance=options.relative_gap,
        random_seed=options.seed,
    )
    if options.backend == "cpsat":
        params.threads = max(1, options.threads)
    elif options.backend == "scip":
        params.threads = 1  # SCIP in the wheel is single-threaded
    return params


def _rows(s: Scenario, v: Variables, values: list[float]) -> tuple[list[ProductionRow], list[LoanRow]]:
    firms = [e.id for e in s.enterprises]
    production = []
    for k, opt in enumerate(v.options):
        oid = s.orders[opt.order].id
        for t, col in zip(opt.days, v.x[k], strict=True):
            q = round(values[col])
            if q > 0:
                production.append(ProductionRow(order=oid, site=firms[opt.site], day=t, quantity=q))
    skills = s.skills
    loans = []
    for (si, lender, borrower, t), col in v.w.items():
        n = round(values[col])
        if n > 0:
            loans.append(LoanRow(skill=skills[si], lender=firms[lender], borrower=firms[borrower], day=t, workers=n))
    production.sort(key=lambda r: (r.order, r.site != s.order(r.order).owner, r.site, r.day))
    loans.sort(key=lambda r: (r.skill, r.lender, r.borrower, r.day))
    return production, loans


def solve_model(
    scenario: Scenario,
    options: SolveOptions | None = None,
    *,
    replan: ReplanConstraints | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Plan, SolveStats]:
    options = options or SolveOptions()
    stats = SolveStats(backend=options.backend)
    t0 = time.monotonic()
    candidates = build_candidates(scenario)
    milp, variables = build_model(scenario, candidates, replan)
    model = milp.to_mathopt(with_names=False)
    stats.build_s = time.monotonic() - t0
    stats.variables = milp.num_vars
    stats.constraints = milp.num_rows
    stats.integer_variables = sum(milp.integer)

    relay = _ProgressRelay(on_progress, t0, milp.objective_offset)
    interrupter = SolveInterrupter()
    done = threading.Event()

    def watch_cancel() -> None:
        while cancel is not None and not done.wait(0.2):
            if cancel.is_set():
                interrupter.interrupt()
                return

    watcher = threading.Thread(target=watch_cancel, daemon=True) if cancel is not None else None
    if watcher:
        watcher.start()
    kwargs: dict[str, object] = {}
    if options.backend in ("cpsat", "scip") and on_progress is not None and options.backend == "cpsat":
        kwargs = dict(
            callback_reg=mathopt.CallbackRegistration(events={mathopt.Event.MIP_SOLUTION, mathopt.Event.MIP}),
            cb=relay.callback,
        )
    t1 = time.monotonic()
    try:
        if milp.num_vars == 0:
            result = None
        else:
            result = mathopt.solve(
                model,
                _SOLVER_TYPES[options.backend],
                params=_parameters(options),
                msg_cb=relay.highs_log if options.backend == "highs" else None,
                interrupter=interrupter,
                **kwargs,  # type: ignore[arg-type]
            )
    finally:
        done.set()
    stats.solve_s = time.monotonic() - t1

    if result is None:  # nothing can be placed: the empty plan is optimal
        plan = Plan(status=Status.OPTIMAL, objective=0.0, bound=0.0, gap=0.0)
        stats.termination = "EMPTY_MODEL"
        return plan, stats

    reason = result.termination.reason
    stats.termination = reason.name
    if reason == mathopt.TerminationReason.INFEASIBLE:
        return Plan(status=Status.INFEASIBLE, objective=None, bound=None, gap=None), stats
    if not result.has_primal_feasible_solution():
        bound = _float(str(result.termination.objective_bounds.dual_bound))
        return Plan(status=Status.UNKNOWN, objective=None, bound=bound, gap=None), stats

    values_map = result.variable_values()
    values = [0.0] * milp.num_vars
    for var, val in values_map.items():
        values[var.id] = val
    production, loans = _rows(scenario, variables, values)
    plan = Plan(status=Status.FEASIBLE, production=production, loans=loans)
    obj = recompute_objective(scenario, plan)
    bound = _float(str(result.termination.objective_bounds.dual_bound))
    if bound is not None:
        # The solver's bound is within its tolerances; a plan is never worth more than what was proven.
        bound = max(bound, obj)
    plan.objective = round(obj, 6)
    plan.bound = None if bound is None else round(bound, 6)
    plan.gap = relative_gap(plan.objective, plan.bound)
    if reason == mathopt.TerminationReason.OPTIMAL:
        plan.status = Status.OPTIMAL
    relay.emit(plan.objective, plan.bound)
    return plan, stats
