"""One MathOpt solve of a MILP block, its parameters, and the interrupters that stop it.

Backends: ``highs`` (default), ``scip`` and ``cpsat``, all shipped in the OR-Tools wheel; docs/solver.md has the
measurements behind the default.  Every search strategy (``solver.dive``, ``solver.staged``,
``solver.neighbourhoods``, ``solver.large``) solves through :func:`solve_mathopt`.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from ortools.math_opt import model_parameters_pb2, solution_pb2
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.python import callback, init_arguments, mathopt, result
from ortools.math_opt.solvers import highs_pb2
from ortools.util.python.solve_interrupter import SolveInterrupter

from solver.milp import Milp
from solver.options import SolveOptions
from solver.progress import ProgressRelay, parse_float

SOLVER_TYPES = {
    "highs": mathopt.SolverType.HIGHS,
    "scip": mathopt.SolverType.GSCIP,
    "cpsat": mathopt.SolverType.CP_SAT,
}


# HiGHS settings for every MILP solve: more primal heuristics than its default 0.05 found park-24-tight's first
# good plans ~5 s sooner (docs/solver.md).
HIGHS_OPTIONS: dict[str, float] = {"mip_heuristic_effort": 0.3}


@dataclass
class BlockResult:
    values: list[float] | None
    objective: float
    bound: float
    optimal: bool
    infeasible: bool
    termination: str


def parameters(
    options: SolveOptions, time_limit_s: float, highs_strings: dict[str, str] | None = None,
    stop_at: float | None = None,
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
        if stop_at is not None:
            # HiGHS stops its MIP search once a plan reaches this value (MathOpt reports it as an objective limit).
            highs.double_options["objective_target"] = stop_at
        params.highs.CopyFrom(highs)
    elif options.backend == "cpsat":
        params.threads = max(1, options.threads)
    return params


class Interrupters:
    """Every running solve's interrupter, so that cancel reaches all of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[SolveInterrupter] = []
        self._children: list[Interrupters] = []
        # Read by every strategy between its steps: once set, no new step starts.
        self.stop = threading.Event()

    def new(self) -> SolveInterrupter:
        item = SolveInterrupter()
        with self._lock:
            self._items.append(item)
            if self.stop.is_set():
                item.interrupt()
        return item

    def child(self) -> Interrupters:
        """Interrupters of one block: stopping them (the block is proven) leaves the other blocks running,
        stopping the parent (cancel) stops them too."""
        kid = Interrupters()
        with self._lock:
            self._children.append(kid)
            stopped = self.stop.is_set()
        if stopped:
            kid.interrupt_all()
        return kid

    def interrupt_all(self) -> None:
        with self._lock:
            self.stop.set()
            items, children = list(self._items), list(self._children)
        for item in items:
            item.interrupt()
        for kid in children:
            kid.interrupt_all()


def trivial_bound(m: Milp) -> float:
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


def objective_of(m: Milp, values: list[float]) -> float:
    return sum(c * values[j] for j, c in enumerate(m.obj)) + m.objective_offset


def solve_mathopt(
    sub: Milp, options: SolveOptions, time_limit_s: float, interrupter: SolveInterrupter,
    relay: ProgressRelay | None, hint: list[float] | None, bound_only: bool = False,
    highs_strings: dict[str, str] | None = None, objective_only: bool = False, stop_at: float | None = None,
) -> BlockResult:
    """One MathOpt solve of ``sub``.

    Stop when proven: MathOpt's HiGHS wrapper ignores the interrupter (ortools/math_opt/solvers/highs_solver.cc:
    ``HighsSolver::Solve`` takes it unnamed; measured on park-24: an interrupt at 3 s ended a 20 s solve at
    20.3 s), so a HiGHS search for plans is told instead where to stop: ``stop_at``, by default the value at
    which the relay's best bound proves a plan within the requested gap.  Relaxations get none (their solutions
    are not plans); they stop at their own gap.
    """
    if stop_at is None and relay is not None and not bound_only and any(sub.integer):
        stop_at = relay.plan_target()
    msg_cb = None
    if relay is not None and options.backend == "highs":
        msg_cb = (relay.highs_log_bound_only if bound_only
                  else relay.highs_log_objective_only if objective_only else relay.highs_log)
    params = parameters(options, time_limit_s, highs_strings, stop_at)
    try:
        if relay is not None and options.backend == "cpsat":
            reason, dual_bound, solved = _solve_model(sub, options, params, hint, interrupter, relay)
        else:
            reason, dual_bound, solved = _solve_proto(sub, options, params, hint, interrupter, msg_cb)
    except Exception as exc:  # a solver failure must cost this step, never the whole plan
        # MathOpt raises on statuses it cannot map (e.g. HiGHS' "Unknown" after an interior-point solve cut by
        # the time limit); the step then contributes no plan and no bound, and the others carry on.
        fallback = list(hint) if hint is not None and sub.is_feasible(hint) else None
        return BlockResult(
            values=fallback,
            objective=objective_of(sub, fallback) if fallback is not None else float("-inf"),
            bound=trivial_bound(sub),
            optimal=False,
            infeasible=False,
            termination=f"ERROR({type(exc).__name__})",
        )
    bound = parse_float(str(dual_bound))
    # Both bound the same model, so the smaller one does too.  The quantity bound guards against a solver's dual
    # bound far above it (gen-800-tight, 300 s: the plan was reported with a 21.7 M bound, the quantity bound of
    # the same blocks is 16.3 M).
    bound = trivial_bound(sub) if bound is None else min(bound, trivial_bound(sub))
    values = None
    objective = float("-inf")
    if solved is not None:
        values = [0.0] * sub.num_vars
        for j, val in solved:
            values[j] = float(round(val)) if sub.integer[j] else val
        objective = objective_of(sub, values)
    if hint is not None and sub.is_feasible(hint) and objective_of(sub, hint) > objective:
        values, objective = list(hint), objective_of(sub, hint)
    return BlockResult(
        values=values,
        objective=objective,
        bound=bound,
        optimal=reason == mathopt.TerminationReason.OPTIMAL,
        infeasible=reason in (mathopt.TerminationReason.INFEASIBLE, mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED),
        termination=reason.name,
    )


Solved = tuple[mathopt.TerminationReason, float, Iterable[tuple[int, float]] | None]


def _solve_proto(sub: Milp, options: SolveOptions, params: mathopt.SolveParameters, hint: list[float] | None,
                 interrupter: SolveInterrupter | None, msg_cb: object) -> Solved:
    """The solve from the model's proto straight to the solver, without a ``mathopt.Model`` in between.

    ``mathopt.solve`` needs a ``Model``, which it exports back to a proto: two more copies of the whole matrix,
    and a Variable object per column for the hint and the values.  Measured on gen-800's 1.86M-nonzero block:
    the Model took 184 MB and its export 157 MB beside the proto's 140 MB (3000 firms: about 3.5 times as much).
    """
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    if hint is not None:
        vector = model_params.solution_hints.add().variable_values
        vector.ids.extend(range(len(hint)))
        vector.values.extend(float(v) for v in hint)
    # A solver failure raises pybind11's StatusNotOk; solve_mathopt's handler takes it like any other exception.
    answer = core_solver.solve(
        sub.to_proto(with_names=False), SOLVER_TYPES[options.backend].value,
        init_arguments.StreamableSolverInitArguments().to_proto(), params.to_proto(), model_params,
        msg_cb, callback.CallbackRegistration().to_proto(), None,
        interrupter.pybind_interrupter if interrupter is not None else None,
    )
    termination = result.parse_termination(answer.termination)
    solved = None
    # As SolveResult.has_primal_feasible_solution: the first solution is the best one.
    if answer.solutions and answer.solutions[0].HasField("primal_solution") and (
            answer.solutions[0].primal_solution.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE):
        vector = answer.solutions[0].primal_solution.variable_values
        solved = zip(vector.ids, vector.values, strict=True)
    return termination.reason, termination.objective_bounds.dual_bound, solved


def _solve_model(sub: Milp, options: SolveOptions, params: mathopt.SolveParameters, hint: list[float] | None,
                 interrupter: SolveInterrupter | None, relay: ProgressRelay) -> Solved:
    """Through ``mathopt.Model``: its callbacks (CP-SAT's progress) hand out the Model's Variable objects."""
    model = sub.to_mathopt(with_names=False)
    model_params = None
    if hint is not None:
        model_params = mathopt.ModelSolveParameters(solution_hints=[mathopt.SolutionHint(
            variable_values={model.get_variable(j): float(v) for j, v in enumerate(hint)})])
    answer = mathopt.solve(
        model, SOLVER_TYPES[options.backend], params=params, model_params=model_params, interrupter=interrupter,
        callback_reg=mathopt.CallbackRegistration(events={mathopt.Event.MIP_SOLUTION, mathopt.Event.MIP}),
        cb=relay.callback,
    )
    solved = None
    if answer.has_primal_feasible_solution():
        solved = ((var.id, float(val)) for var, val in answer.variable_values().items())
    return answer.termination.reason, answer.termination.objective_bounds.dual_bound, solved
