"""The naive baseline: MODEL.md's rules written straight into one MILP and handed to HiGHS (``highspy``).

This is what a user would try first, and it is deliberately *not* the planner's
formulation.  It shares no code with ``solver/`` (it reads the scenario through
``alliance`` only and uses the ``highspy`` wheel, not OR-Tools), so the
benchmark compares two independent implementations of the same rules:

* ``x[o,g,t]`` integer, for every eligible site (rule 1) and every allowed day
  (rule 2), upper bound ``quantity``; no pruning by capacity, margin or lot;
* ``w[s,a,b,t]`` integer, for every skill, every pair rule 5 allows and every
  day, upper bound ``lendable[a,s,t]`` (zero where nobody consented);
* ``y[o,g]`` binary for every site other than the owner, with aggregated big-M
  rows ``sum_t x <= quantity * y`` and ``sum_t x >= min(min_lot, quantity) * y``
  (rules 7 and 8);
* ``z[a,b]`` binary per unordered pair that could be linked (only when
  ``link_cost > 0``, otherwise links cost nothing and ``z`` has no role), with
  ONE aggregated big-M row per pair: every unit sub-contracted between the two
  firms and every worker lent between them, summed, ``<= M * z`` where ``M`` is
  the sum of those flows' largest values (rule 9);
* labour rows in minutes (rule 4), lending rows (rule 5), machine rows
  (rule 6), quantity rows (rule 3); the objective of MODEL.md, maximised.

HiGHS gets the time that is left of the budget after the model is built (the
planner's time limit counts its model building too).  The plan is read from
HiGHS' integer values; its objective is recomputed from the rows by
:func:`alliance.check.objective`, never taken from HiGHS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from alliance.check import objective as recompute_objective
from alliance.plan import LoanRow, Plan, ProductionRow, Status
from alliance.plan import relative_gap as gap_of
from alliance.scenario import Scenario


@dataclass
class PlainModel:
    """The HiGHS model and what each column means, so a solution can be turned back into rows."""

    lp: highspy.HighsLp
    # One entry per x column: (order index, site index, day, column).
    x_keys: list[tuple[int, int, int, int]]
    # w columns: lender, borrower per pair, then skill-major, day-minor blocks from w_start.
    w_pairs: np.ndarray  # [pair, 2] lender, borrower
    w_start: int
    num_skills: int
    horizon: int
    integer_variables: int
    build_s: float = 0.0


@dataclass
class PlainResult:
    plan: Plan
    build_s: float
    solve_s: float
    variables: int
    constraints: int
    nonzeros: int
    integer_variables: int
    model_status: str
    solver_objective: float | None  # HiGHS' own value of its incumbent (before rounding to rows)
    # (seconds since the build started, best plan value, best bound) each time HiGHS reports progress.
    trajectory: list[tuple[float, float | None, float | None]] = field(default_factory=list)


class _Coo:
    """Matrix entries collected as numpy chunks, turned into HiGHS' column-wise arrays at the end."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []

    def add(
        self, rows: np.ndarray | list[int], cols: np.ndarray | list[int], vals: np.ndarray | list[float] | float,
    ) -> None:
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        v = np.broadcast_to(np.asarray(vals, dtype=np.float64), r.shape)
        if r.shape != c.shape:
            raise ValueError(f"matrix chunk: {r.shape[0]} rows but {c.shape[0]} columns")
        self.rows.append(r)
        self.cols.append(c)
        self.vals.append(np.array(v))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self.rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        return np.concatenate(self.rows), np.concatenate(self.cols), np.concatenate(self.vals)


def _capacities(s: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """idle[g,s,t], lendable[g,s,t] and spare machine hours[g,m,t], read through the scenario's helpers."""
    n, skills, machines, horizon = len(s.enterprises), s.skills, s.machines, s.horizon_days
    idle = np.zeros((n, len(skills), horizon))
    lendable = np.zeros_like(idle)
    hours = np.zeros((n, len(machines), horizon))
    for g, e in enumerate(s.enterprises):
        for k, skill in enumerate(skills):
            for t in range(horizon):
                idle[g, k, t] = s.idle(e.id, skill, t)
                lendable[g, k, t] = s.lendable(e.id, skill, t)
        for m, machine in enumerate(machines):
            for t in range(horizon):
                hours[g, m, t] = s.machine_hours(e.id, machine, t)
    return idle, lendable, hours


def build_plain_milp(s: Scenario) -> PlainModel:
    """Write rules 1-9 and the objective of MODEL.md as one MILP, straight from the text."""
    t0 = time.perf_counter()
    firms = [e.id for e in s.enterprises]
    n, n_skills, n_machines, horizon = len(firms), len(s.skills), len(s.machines), s.horizon_days
    skill_of = {c: k for k, c in enumerate(s.skills)}
    machine_of = {c: m for m, c in enumerate(s.machines)}
    pol = s.policy
    dist = s.distance_matrix()
    idle, lendable, hours = _capacities(s)
    link_cost = pol.link_cost

    # Row families sit at fixed offsets; rows no entry uses are dropped at the end.
    labour_base = 0  # (g, skill, t): minutes needed - workday * (borrowed - lent) <= workday * idle
    lending_base = labour_base + n * n_skills * horizon  # (a, skill, t): sum_b w <= lendable
    machine_base = lending_base + n * n_skills * horizon  # (g, machine, t): hours used <= spare hours
    next_row = machine_base + n * n_machines * horizon
    row_lower: list[float] = []
    row_upper: list[float] = []
    extra_rows_base = next_row

    def new_row(lower: float, upper: float) -> int:
        row_lower.append(lower)
        row_upper.append(upper)
        return extra_rows_base + len(row_lower) - 1

    coo = _Coo()
    col_cost: list[float] = []
    col_lower: list[float] = []
    col_upper: list[float] = []
    integrality: list[int] = []

    def new_col(cost: float, upper: float, integer: bool = True) -> int:
        col_cost.append(cost)
        col_lower.append(0.0)
        col_upper.append(upper)
        integrality.append(1 if integer else 0)
        return len(col_cost) - 1

    # ---- x[o,g,t] (rules 1, 2), y[o,g] (rules 7, 8), quantity rows (rule 3) ----
    x_keys: list[tuple[int, int, int, int]] = []
    # Columns of every flow between an unordered pair of firms, with each column's largest total.
    pair_flows: dict[tuple[int, int], list[tuple[list[int], float]]] = {}
    y_cols: list[tuple[int, list[int], int]] = []  # (order, x columns of the site, y column)
    entries: list[tuple[int, int, float]] = []
    for oi, o in enumerate(s.orders):
        owner = s.enterprise_index()[o.owner]
        rate = s.transport_rate(o)
        quantity_row = new_row(-highspy.kHighsInf, float(o.quantity))
        sites_with_y: list[int] = []
        for g, site in enumerate(firms):
            if not s.is_eligible_site(o, site):
                continue
            days = range(o.release_day, s.last_day_at(o, site) + 1)
            if len(days) == 0:
                continue
            margin = o.value_per_unit - (0.0 if g == owner else rate * float(dist[owner, g]))
            cols = []
            for t in days:
                col = new_col(margin, float(o.quantity))
                x_keys.append((oi, g, t, col))
                cols.append(col)
                entries.append((quantity_row, col, 1.0))
                labour_row = labour_base + (g * n_skills + skill_of[o.skill]) * horizon + t
                entries.append((labour_row, col, o.labor_minutes_per_unit))
                if o.machine is not None and o.machine_hours_per_unit > 0:
                    machine_row = machine_base + (g * n_machines + machine_of[o.machine]) * horizon + t
                    entries.append((machine_row, col, o.machine_hours_per_unit))
            if g != owner:
                y = new_col(0.0, 1.0)
                y_cols.append((oi, cols, y))
                sites_with_y.append(y)
                pair_flows.setdefault((min(owner, g), max(owner, g)), []).append((cols, float(o.quantity)))
        if sites_with_y:
            split_row = new_row(-highspy.kHighsInf, float(pol.max_subcontractors_per_order))
            entries.extend((split_row, y, 1.0) for y in sites_with_y)
    for oi, cols, y in y_cols:
        o = s.orders[oi]
        at_most = new_row(-highspy.kHighsInf, 0.0)  # sum_t x - quantity * y <= 0
        at_least = new_row(0.0, highspy.kHighsInf)  # sum_t x - min_lot * y >= 0
        entries.extend((at_most, c, 1.0) for c in cols)
        entries.append((at_most, y, -float(o.quantity)))
        entries.extend((at_least, c, 1.0) for c in cols)
        entries.append((at_least, y, -float(min(o.min_lot, o.quantity))))
    if entries:
        r, c, v = zip(*entries, strict=True)
        coo.add(list(r), list(c), list(v))

    # ---- w[s,a,b,t] (rule 5), vectorised: there are about a million of them in a county ----
    pairs = np.array(
        [(a, b) for a in range(n) for b in range(n) if s.can_lend(firms[a], firms[b])], dtype=np.int64
    ).reshape(-1, 2)
    w_start = len(col_cost)
    n_pairs = len(pairs)
    if n_pairs:
        p_idx, k_idx, t_idx = (a.ravel() for a in np.meshgrid(
            np.arange(n_pairs), np.arange(n_skills), np.arange(horizon), indexing="ij"))
        lender, borrower = pairs[p_idx, 0], pairs[p_idx, 1]
        w_cols = w_start + np.arange(len(p_idx))
        w_cost = -pol.commute_cost_per_km * dist[lender, borrower]
        w_ub = lendable[lender, k_idx, t_idx]
        col_cost.extend(w_cost.tolist())
        col_lower.extend([0.0] * len(w_cols))
        col_upper.extend(w_ub.tolist())
        integrality.extend([1] * len(w_cols))
        workday = float(pol.workday_minutes)
        coo.add(labour_base + (lender * n_skills + k_idx) * horizon + t_idx, w_cols, workday)  # lent out
        coo.add(labour_base + (borrower * n_skills + k_idx) * horizon + t_idx, w_cols, -workday)  # borrowed
        coo.add(lending_base + (lender * n_skills + k_idx) * horizon + t_idx, w_cols, 1.0)
        per_pair = n_skills * horizon
        for p, (a, b) in enumerate(pairs.tolist()):
            block = list(range(w_start + p * per_pair, w_start + (p + 1) * per_pair))
            pair_flows.setdefault((min(a, b), max(a, b)), []).append(
                (block, float(lendable[a].sum()))
            )

    # ---- z[a,b] (rule 9): one aggregated big-M row per pair ----
    integer_count = sum(integrality)
    if link_cost > 0:
        for flows in pair_flows.values():
            z = new_col(-link_cost, 1.0)
            big_m = sum(limit for _cols, limit in flows)
            row = new_row(-highspy.kHighsInf, 0.0)
            flow_cols = np.concatenate([np.asarray(c, dtype=np.int64) for c, _limit in flows])
            coo.add(np.full(len(flow_cols), row), flow_cols, 1.0)
            coo.add([row], [z], [-big_m])
        integer_count = sum(integrality)

    # ---- right-hand sides of the fixed row families, then drop unused rows ----
    workday = float(pol.workday_minutes)
    fixed_upper = np.concatenate([
        (workday * idle).ravel(), lendable.ravel(), hours.ravel()
    ])
    lower = np.concatenate([np.full(next_row, -highspy.kHighsInf), np.asarray(row_lower, dtype=np.float64)])
    upper = np.concatenate([fixed_upper, np.asarray(row_upper, dtype=np.float64)])
    rows, cols_all, vals = coo.arrays()
    used = np.zeros(len(lower), dtype=bool)
    used[rows] = True
    renumber = np.cumsum(used) - 1
    rows = renumber[rows]
    lower, upper = lower[used], upper[used]

    order = np.lexsort((rows, cols_all))
    rows, cols_all, vals = rows[order], cols_all[order], vals[order]
    num_col = len(col_cost)
    start = np.zeros(num_col + 1, dtype=np.int64)
    np.add.at(start, cols_all + 1, 1)
    start = np.cumsum(start)

    lp = highspy.HighsLp()
    lp.num_col_ = num_col
    lp.num_row_ = int(used.sum())
    lp.col_cost_ = np.asarray(col_cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
    lp.row_lower_ = lower
    lp.row_upper_ = upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = rows.astype(np.int32)
    lp.a_matrix_.value_ = vals
    lp.a_matrix_.num_col_ = num_col
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                       for i in integrality]
    lp.sense_ = highspy.ObjSense.kMaximize
    return PlainModel(
        lp=lp, x_keys=x_keys, w_pairs=pairs, w_start=w_start, num_skills=n_skills,
        horizon=horizon, integer_variables=integer_count, build_s=time.perf_counter() - t0,
    )


def solve_plain_milp(
    s: Scenario, *, time_limit_s: float, relative_gap: float = 1e-4, threads: int = 1, seed: int = 0,
) -> PlainResult:
    """Build the plain MILP, give HiGHS what is left of ``time_limit_s``, and return its plan as rows."""
    t0 = time.perf_counter()
    model = build_plain_milp(s)
    build_s = time.perf_counter() - t0

    h = highspy.Highs()
    h.setOptionValue("output_flag", True)  # needed for the MIP logging callback; kept off the console
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("time_limit", max(0.5, time_limit_s - build_s))
    h.setOptionValue("mip_rel_gap", relative_gap)
    h.setOptionValue("threads", max(1, threads))
    h.setOptionValue("random_seed", seed)
    trajectory: list[tuple[float, float | None, float | None]] = []

    def _finite(value: float) -> float | None:
        return None if not np.isfinite(value) or abs(value) >= highspy.kHighsInf else float(value)

    def record(event: Any) -> None:  # highspy.highs.HighsCallbackEvent
        out = event.data_out
        point = (build_s + float(out.running_time), _finite(out.mip_primal_bound), _finite(out.mip_dual_bound))
        if not trajectory or trajectory[-1][1:] != point[1:]:
            trajectory.append(point)

    h.cbMipLogging.subscribe(record)
    h.cbMipImprovingSolution.subscribe(record)
    h.passModel(model.lp)
    t1 = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t1

    status = h.getModelStatus()
    info = h.getInfo()
    solution = h.getSolution()
    has_plan = info.primal_solution_status == highspy.kSolutionStatusFeasible
    plan = Plan(status=Status.UNKNOWN)
    solver_objective = None
    if has_plan:
        values = np.asarray(solution.col_value)
        plan = _plan_from_values(s, model, values)
        solver_objective = float(info.objective_function_value)
        bound = _finite(info.mip_dual_bound)
        plan.status = Status.OPTIMAL if status == highspy.HighsModelStatus.kOptimal else Status.FEASIBLE
        obj = float(plan.objective or 0.0)
        if bound is not None:
            # HiGHS' bound holds within its tolerances; a plan is never worth more than what was proven.
            plan.bound = round(max(bound, obj), 6)
            plan.gap = gap_of(plan.objective, plan.bound)
    else:
        plan.bound = _finite(info.mip_dual_bound)
    # The callbacks fire on log lines; the final state is recorded too, so the trajectory ends where HiGHS did.
    record_final = (build_s + solve_s, solver_objective, _finite(info.mip_dual_bound))
    if not trajectory or trajectory[-1][1:] != record_final[1:]:
        trajectory.append(record_final)
    return PlainResult(
        plan=plan,
        build_s=build_s,
        solve_s=solve_s,
        variables=model.lp.num_col_,
        constraints=model.lp.num_row_,
        nonzeros=len(model.lp.a_matrix_.index_),
        integer_variables=model.integer_variables,
        model_status=h.modelStatusToString(status),
        solver_objective=solver_objective,
        trajectory=trajectory,
    )


def _plan_from_values(s: Scenario, model: PlainModel, values: np.ndarray) -> Plan:
    firms = [e.id for e in s.enterprises]
    production = []
    for oi, g, t, col in model.x_keys:
        q = round(float(values[col]))
        if q > 0:
            production.append(ProductionRow(order=s.orders[oi].id, site=firms[g], day=t, quantity=q))
    loans = []
    per_pair = model.num_skills * model.horizon
    w_values = np.rint(values[model.w_start: model.w_start + len(model.w_pairs) * per_pair]).astype(np.int64)
    for col in np.flatnonzero(w_values > 0).tolist():
        p, rest = divmod(col, per_pair)
        k, t = divmod(rest, model.horizon)
        lender, borrower = model.w_pairs[p]
        loans.append(LoanRow(skill=s.skills[k], lender=firms[lender], borrower=firms[borrower], day=t,
                             workers=int(w_values[col])))
    plan = Plan(status=Status.FEASIBLE, production=production, loans=loans)
    plan.objective = round(recompute_objective(s, plan), 6)
    return plan
