"""Solver-independent checker: does a plan obey rules 1-9 of MODEL.md, and what is it worth?

Written plainly from the rules, on purpose without sharing code with the
solver, so that a modelling slip in one is caught by the other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from alliance.plan import Plan
from alliance.scenario import Scenario

# Capacities are given to two decimals at most; this only absorbs float rounding.
ABS_TOL = 1e-6
REL_TOL = 1e-9
# A reported objective is accepted when it matches the recomputed one to a cent.
OBJECTIVE_TOL = 0.01


@dataclass(frozen=True)
class Violation:
    rule: int  # 1..9 as in MODEL.md; 0 for a malformed row (unknown id, day outside the horizon)
    message: str

    def __str__(self) -> str:
        return f"rule {self.rule}: {self.message}" if self.rule else self.message


@dataclass
class ObjectiveParts:
    value_delivered: float = 0.0
    transport_cost: float = 0.0
    commute_cost: float = 0.0
    link_cost: float = 0.0
    reliability_discount: float = 0.0  # the reliability extension; 0 without it
    linked_pairs: set[frozenset[str]] = field(default_factory=set)

    @property
    def total(self) -> float:
        return (self.value_delivered - self.transport_cost - self.commute_cost - self.link_cost
                - self.reliability_discount)


@dataclass
class CheckResult:
    violations: list[Violation]
    objective: float
    parts: ObjectiveParts
    reported_objective: float | None

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def objective_matches(self) -> bool:
        return self.reported_objective is not None and abs(self.reported_objective - self.objective) <= max(
            OBJECTIVE_TOL, 1e-9 * abs(self.objective)
        )


def _leq(lhs: float, rhs: float) -> bool:
    return lhs <= rhs + ABS_TOL + REL_TOL * abs(rhs)


def linked_pairs(plan: Plan, scenario: Scenario) -> set[frozenset[str]]:
    """Rule 9: pairs linked by any sub-contracted unit or any lent worker."""
    pairs: set[frozenset[str]] = set()
    orders = {o.id: o for o in scenario.orders}
    for row in plan.production:
        o = orders.get(row.order)
        if o is not None and row.site != o.owner:
            pairs.add(frozenset((o.owner, row.site)))
    for loan in plan.loans:
        if loan.lender != loan.borrower:
            pairs.add(frozenset((loan.lender, loan.borrower)))
    return pairs


def objective_parts(scenario: Scenario, plan: Plan) -> ObjectiveParts:
    """The objective of MODEL.md recomputed from the rows alone (rows with unknown ids are skipped)."""
    parts = ObjectiveParts()
    orders = {o.id: o for o in scenario.orders}
    firms = {e.id for e in scenario.enterprises}
    for row in plan.production:
        o = orders.get(row.order)
        if o is None or row.site not in firms:
            continue
        parts.value_delivered += o.value_per_unit * row.quantity
        if row.site != o.owner:
            parts.transport_cost += scenario.transport_rate(o) * scenario.distance(o.owner, row.site) * row.quantity
            parts.reliability_discount += scenario.reliability_discount(o, row.site) * row.quantity
    for loan in plan.loans:
        if loan.lender in firms and loan.borrower in firms:
            parts.commute_cost += (
                scenario.policy.commute_cost_per_km * scenario.distance(loan.lender, loan.borrower) * loan.workers
            )
    parts.linked_pairs = {p for p in linked_pairs(plan, scenario) if p <= firms}
    parts.link_cost = scenario.policy.link_cost * len(parts.linked_pairs)
    return parts


def objective(scenario: Scenario, plan: Plan) -> float:
    return objective_parts(scenario, plan).total


def check(scenario: Scenario, plan: Plan) -> CheckResult:
    """List every broken rule of MODEL.md and recompute the objective from the rows."""
    v: list[Violation] = []
    orders = {o.id: o for o in scenario.orders}
    firms = {e.id for e in scenario.enterprises}
    skills = set(scenario.skills)
    horizon = scenario.horizon_days
    pol = scenario.policy

    # --- the rows themselves -------------------------------------------------
    good_prod = []
    seen_prod: set[tuple[str, str, int]] = set()
    for i, row in enumerate(plan.production):
        where = f"production[{i}]"
        if row.order not in orders:
            v.append(Violation(0, f"{where}.order: unknown order '{row.order}'"))
            continue
        if row.site not in firms:
            v.append(Violation(0, f"{where}.site: unknown enterprise '{row.site}'"))
            continue
        if not 0 <= row.day < horizon:
            v.append(Violation(0, f"{where}.day: {row.day} is outside 0..{horizon - 1}"))
            continue
        key = (row.order, row.site, row.day)
        if key in seen_prod:
            v.append(Violation(0, f"{where}: second row for order {row.order} at {row.site} on day {row.day}"))
        seen_prod.add(key)
        good_prod.append(row)
    good_loans = []
    seen_loan: set[tuple[str, str, str, int]] = set()
    for i, loan in enumerate(plan.loans):
        where = f"loans[{i}]"
        if loan.skill not in skills:
            v.append(Violation(0, f"{where}.skill: unknown skill '{loan.skill}'"))
            continue
        bad = [(f, x) for f, x in (("from", loan.lender), ("to", loan.borrower)) if x not in firms]
        if bad:
            v.extend(Violation(0, f"{where}.{f}: unknown enterprise '{x}'") for f, x in bad)
            continue
        if not 0 <= loan.day < horizon:
            v.append(Violation(0, f"{where}.day: {loan.day} is outside 0..{horizon - 1}"))
            continue
        key4 = (loan.skill, loan.lender, loan.borrower, loan.day)
        if key4 in seen_loan:
            v.append(Violation(0, f"{where}: second row for {key4}"))
        seen_loan.add(key4)
        good_loans.append(loan)

    # --- rules 1 and 2: where and when --------------------------------------
    for row in good_prod:
        o = orders[row.order]
        if not scenario.is_eligible_site(o, row.site):
            v.append(Violation(1, f"order {o.id} may not be produced at {row.site}"))
        last = scenario.last_day_at(o, row.site)
        if not o.release_day <= row.day <= last:
            v.append(Violation(2, f"order {o.id} at {row.site} on day {row.day}: allowed days {o.release_day}..{last}"))

    # --- rule 3: quantity ------------------------------------------------------
    made: dict[str, int] = defaultdict(int)
    made_at: dict[tuple[str, str], int] = defaultdict(int)
    for row in good_prod:
        made[row.order] += row.quantity
        made_at[(row.order, row.site)] += row.quantity
    for oid, q in made.items():
        if q > orders[oid].quantity:
            v.append(Violation(3, f"order {oid}: {q} units planned, quantity is {orders[oid].quantity}"))

    # --- rule 5: lending -------------------------------------------------------
    lent_out: dict[tuple[str, str, int], int] = defaultdict(int)
    borrowed: dict[tuple[str, str, int], int] = defaultdict(int)
    for loan in good_loans:
        if not scenario.can_lend(loan.lender, loan.borrower):
            v.append(Violation(5, f"{loan.lender} may not lend to {loan.borrower} (same firm, distance, block "
                                  "or borrower does not borrow)"))
        lent_out[(loan.lender, loan.skill, loan.day)] += loan.workers
        borrowed[(loan.borrower, loan.skill, loan.day)] += loan.workers
    for (a, s, t), n in lent_out.items():
        if n > scenario.lendable(a, s, t):
            v.append(Violation(5, f"{a} lends {n} {s} workers on day {t}, only {scenario.lendable(a, s, t)} lendable"))

    # --- rule 4: labour --------------------------------------------------------
    minutes: dict[tuple[str, str, int], float] = defaultdict(float)
    for row in good_prod:
        o = orders[row.order]
        minutes[(row.site, o.skill, row.day)] += o.labor_minutes_per_unit * row.quantity
    for (g, s, t), need in minutes.items():
        workers = scenario.idle(g, s, t) - lent_out.get((g, s, t), 0) + borrowed.get((g, s, t), 0)
        if not _leq(need, pol.workday_minutes * workers):
            v.append(Violation(4, f"{g} needs {need:.2f} {s} minutes on day {t}, has {workers} workers "
                                  f"({pol.workday_minutes * workers:.2f} minutes)"))

    # --- rule 6: machines ------------------------------------------------------
    hours: dict[tuple[str, str, int], float] = defaultdict(float)
    for row in good_prod:
        o = orders[row.order]
        if o.machine is not None and o.machine_hours_per_unit > 0:
            hours[(row.site, o.machine, row.day)] += o.machine_hours_per_unit * row.quantity
    for (g, m, t), need in hours.items():
        have = scenario.machine_hours(g, m, t)
        if not _leq(need, have):
            v.append(Violation(6, f"{g} needs {need:.4f} {m} hours on day {t}, has {have}"))

    # --- rules 7 and 8: lots and splits ---------------------------------------
    sites_of: dict[str, set[str]] = defaultdict(set)
    for (oid, g), q in made_at.items():
        o = orders[oid]
        if g == o.owner:
            continue
        sites_of[oid].add(g)
        lot = min(o.min_lot, o.quantity)
        if 0 < q < lot:
            v.append(Violation(7, f"order {oid} at {g}: {q} units, below the minimum lot {lot}"))
    for oid, sites in sites_of.items():
        if len(sites) > pol.max_subcontractors_per_order:
            v.append(Violation(8, f"order {oid} goes to {len(sites)} other sites, at most "
                                  f"{pol.max_subcontractors_per_order} allowed"))

    # --- rule 9 and the objective ----------------------------------------------
    parts = objective_parts(scenario, plan)
    result = CheckResult(violations=v, objective=parts.total, parts=parts, reported_objective=plan.objective)
    if plan.objective is not None and not result.objective_matches:
        v.append(Violation(9, f"reported objective {plan.objective:.2f} differs from the rows' value "
                              f"{parts.total:.2f} (links counted: {len(parts.linked_pairs)})"))
    if plan.bound is not None and plan.objective is not None and plan.bound < plan.objective - OBJECTIVE_TOL:
        v.append(Violation(0, f"bound {plan.bound:.2f} is below the objective {plan.objective:.2f}"))
    return result
