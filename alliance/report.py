"""What a reviewer needs to trust a plan: its moves grouped, what stays unmet and why, figures, settlement, checks.

:func:`build_report` derives everything from the scenario and the plan's
rows alone (``production`` and ``loans``), so the report can never contradict
them; the plan's status, objective, bound and gap are copied for display and
the objective is recomputed by the checker beside it.

Money is in yuan, rounded to the fen (2 decimals) in the report; shares are
fractions (0..1), percentages are marked ``_pct``.

Settlement (MODEL.md, "reported, not optimised"):

* a sub-contracted unit is settled at ``value_per_unit``: the **owner pays the
  site** for the units the site made for it (the owner keeps delivering to its
  customer);
* a lent worker is reimbursed at cost (共享用工, no mark-up): the **borrower pays
  the lender** ``workers * days * lender.wage_per_day``;
* the **owner bears the transport** of sub-contracted units (the goods come back
  to it and it collects their value), the **borrower bears the commute** of lent
  workers (the workers travel for its benefit).  These costs go to carriers and
  workers, not to another member, so they are reported beside ``net`` and not
  inside it.

Only firms that pay, receive or bear something appear in the settlement.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from alliance.check import check, objective_parts
from alliance.manual import Capacities, Neighbourhood, manual_plan
from alliance.plan import Plan
from alliance.scenario import Order, Scenario

Lang = Literal["zh", "en"]

# Below this many machine hours or minutes, capacity counts as used up (float rounding, as in the checker).
_TOL = 1e-6


def _yuan(x: float) -> float:
    return round(float(x), 2) + 0.0  # + 0.0 turns -0.0 into 0.0


# ----- the report's shape --------------------------------------------------------------------------------------


class DayUnits(BaseModel):
    day: int
    date: dt.date | None = Field(None, description="the day's date when the scenario has a start_date")
    units: int


class DayWorkers(BaseModel):
    day: int
    date: dt.date | None = None
    workers: int


class Subcontract(BaseModel):
    """All units of one order made at one site other than its owner (二次发单)."""

    order: str
    owner: str
    owner_name: str
    site: str
    site_name: str
    distance_km: float
    units: int
    days: list[DayUnits]
    transport_cost: float = Field(description="yuan, borne by the owner")
    settlement_value: float = Field(description="units * value_per_unit, paid by the owner to the site")


class Loan(BaseModel):
    """All workers of one skill lent by one firm to another over the horizon (帮工 / 共享用工)."""

    skill: str
    lender: str
    lender_name: str
    borrower: str
    borrower_name: str
    distance_km: float
    days: list[DayWorkers]
    worker_days: int
    commute_cost: float = Field(description="yuan, borne by the borrower")
    wage_per_day: float = Field(description="the lender's wage, reimbursed at cost")
    wage_reimbursed: float = Field(description="worker_days * wage_per_day, paid by the borrower to the lender")


class UnmetReason(StrEnum):
    """Why an order keeps unmet units, checked in this order (the first that applies is reported).

    * ``no_eligible_site``: the owner does not run the process and no other firm
      may take the order under rule 1 (process, quality level, accepts
      sub-contracts, sub-contracting radius, blocks, ``subcontractable``).
    * ``due_too_early``: eligible sites exist, but none has an allowed day under
      rule 2 (the window ``release_day .. due_day - transport_days`` is empty at
      every eligible site other than the owner, and the owner is not eligible).
    * ``no_labour``: on every allowed day at every eligible site the scenario has
      no idle worker of the order's skill, and no firm that may lend to that
      site (rule 5) has a consenting worker of that skill that day.
    * ``machine_hours_exhausted``: the order needs a machine, and after the
      plan's own usage no eligible site has the hours for one more unit on any
      allowed day.
    * ``lot_or_split_limits``: after the plan's own usage some eligible site
      still has room for at least one unit, but rule 7 (the room is below the
      minimum lot) or rule 8 (the order already uses the maximum number of
      sub-contractors) forbids using it.
    * ``capacity_used_by_more_valuable_orders``: otherwise; the labour and
      machines within reach went to other orders, or what is left was not
      worth the transport, commute or link cost (the entry's ``spare_units``
      says how many units' room was left, an upper bound).
    """

    NO_ELIGIBLE_SITE = "no_eligible_site"
    DUE_TOO_EARLY = "due_too_early"
    NO_LABOUR = "no_labour"
    MACHINE_HOURS_EXHAUSTED = "machine_hours_exhausted"
    LOT_OR_SPLIT_LIMITS = "lot_or_split_limits"
    CAPACITY_USED_BY_MORE_VALUABLE_ORDERS = "capacity_used_by_more_valuable_orders"


REASON_TEXT: dict[UnmetReason, tuple[str, str]] = {
    UnmetReason.NO_ELIGIBLE_SITE: ("无可承接企业（本厂无该工序，周边无符合条件的企业）",
                                   "no eligible site (owner lacks the process, no firm may take it)"),
    UnmetReason.DUE_TOO_EARLY: ("交期过早（考虑运输天数后无可生产日）",
                                "due date too early (no production day left after transport)"),
    UnmetReason.NO_LABOUR: ("无可用工人（可承接企业及周边均无该工种闲置或可出借工人）",
                            "no labour (no idle or lendable workers of this skill within reach)"),
    UnmetReason.MACHINE_HOURS_EXHAUSTED: ("设备机时已用尽", "machine hours exhausted"),
    UnmetReason.LOT_OR_SPLIT_LIMITS: ("受最小批量或外发家数限制",
                                      "held back by the minimum lot or the sub-contractor limit"),
    UnmetReason.CAPACITY_USED_BY_MORE_VALUABLE_ORDERS: (
        "产能已被更高价值订单占用，或不抵运输/对接成本",
        "capacity used by orders worth more, or not worth the transport/link cost",
    ),
}


class UnmetAction(BaseModel):
    """Which rule kept an order unmet and what would unlock it (alliance/reasons.py), with the facts it names."""

    rule: Literal["capacity", "link_cost", "lot", "machine", "no_labour", "no_process", "not_subcontractable",
                  "quality", "radius", "reliability", "splits", "window"]
    zh: str
    en: str
    unlock_zh: str
    unlock_en: str
    firm: str | None = None
    firms: list[str] | None = None
    lenders: list[str] | None = None
    competitors: list[str] | None = None
    skill: str | None = None
    days: list[int] | None = None
    units: int | None = None
    gain: float | None = Field(None, description="yuan the unlock would earn, net of transport and link")
    days_short: int | None = None
    max_subcontractors: int | None = None
    min_lot: int | None = None
    room: int | None = None
    link_cost: float | None = None
    worth: float | None = None
    radius_km: float | None = None
    reliability_floor: float | None = None


class UnmetOrder(BaseModel):
    order: str
    owner: str
    owner_name: str
    quantity: int
    planned: int
    unmet_units: int
    unmet_value: float
    reason: UnmetReason
    reason_zh: str
    reason_en: str
    eligible_sites: list[str] = Field(description="sites rule 1 allows, the owner first when it runs the process")
    spare_units: int = Field(description="units' room left after the plan at eligible sites (upper bound)")
    action: UnmetAction | None = Field(None, description="which rule bound and what would unlock it "
                                      "(alliance/reasons.py)")


class BeforeFigures(BaseModel):
    orders: int
    backlog_units: int
    backlog_value: float = Field(description="sum of quantity * value_per_unit")
    idle_worker_days: float = Field(description="sum of idle workers over firms, skills and days")


class AfterFigures(BaseModel):
    units_cleared: int
    value_cleared: float = Field(description="value of every production row")
    share_cleared: float = Field(description="value_cleared / backlog_value")
    unmet_value: float
    orders_fully_cleared: int
    idle_worker_days_used: float = Field(description="production minutes / workday_minutes, own and lent workers")
    worker_days_lent: int
    linked_pairs: int
    subcontracts: int
    loans: int


class ObjectiveBreakdown(BaseModel):
    value_delivered: float
    transport_cost: float
    commute_cost: float
    link_cost: float
    total: float


class Figures(BaseModel):
    before: BeforeFigures
    after: AfterFigures
    objective: ObjectiveBreakdown


class ManualBaseline(BaseModel):
    """Nearest-first matching by hand (:func:`alliance.manual.manual_plan`) against this plan."""

    value_cleared: float
    objective: float
    share_cleared: float
    objective_improvement: float = Field(description="this plan's objective minus the manual one, yuan")
    objective_improvement_pct: float = Field(description="improvement / max(1, |manual objective|) * 100")
    value_cleared_improvement: float
    # For the plan page's comparison table (issue 11): the same figures as AfterFigures, for the hand plan.
    idle_worker_days_used: float = Field(0.0, description="the manual plan's production minutes / workday_minutes")
    worker_days_lent: int = 0
    linked_pairs: int = 0


class SettlementLine(BaseModel):
    enterprise: str
    name: str
    pays_subcontracts: float = Field(description="as owner: units made elsewhere * value_per_unit")
    pays_wages: float = Field(description="as borrower: lent worker-days * lender's wage")
    pays: float
    receives_subcontracts: float = Field(description="as site")
    receives_wages: float = Field(description="as lender")
    receives: float
    net: float = Field(description="receives - pays")
    transport_cost: float = Field(description="borne as owner of sub-contracted units")
    commute_cost: float = Field(description="borne as borrower of workers")


class ViolationOut(BaseModel):
    rule: int
    message: str


class Checks(BaseModel):
    ok: bool
    violations: list[ViolationOut]
    objective: float = Field(description="recomputed from the rows")
    reported_objective: float | None
    objective_matches: bool


class PlanReport(BaseModel):
    alliance_id: str
    alliance_name: str
    start_date: date | None
    horizon_days: int
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    subcontracts: list[Subcontract]
    loans: list[Loan]
    unmet: list[UnmetOrder]
    figures: Figures
    manual_baseline: ManualBaseline
    settlement: list[SettlementLine]
    checks: Checks


# ----- building it ---------------------------------------------------------------------------------------------


def build_report(scenario: Scenario, plan: Plan, *, manual: Plan | None = None) -> dict[str, Any]:
    """The reviewer's report of ``plan`` as JSON-ready data (see :class:`PlanReport`).

    ``manual`` is the baseline to compare with; by default it is computed with
    :func:`alliance.manual.manual_plan`.  Rows naming unknown orders or firms,
    or days outside the horizon, are left out of the groupings (``checks`` lists them).
    """
    s = scenario
    reach = Neighbourhood(s)
    if manual is None:
        manual = manual_plan(s, neighbourhood=reach)
    orders = {o.id: o for o in s.orders}
    firms = {e.id: e for e in s.enterprises}
    production = [r for r in plan.production
                  if r.order in orders and r.site in firms and 0 <= r.day < s.horizon_days]
    loans = [r for r in plan.loans
             if r.lender in firms and r.borrower in firms and r.skill in s.skills and 0 <= r.day < s.horizon_days]

    start = s.start_date

    def day_date(day: int) -> str | None:
        return (start + timedelta(days=day)).isoformat() if isinstance(start, date) else None

    # --- sub-contracts, per (order, owner, site) ------------------------------------------------------------
    sub_days: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in production:
        o = orders[r.order]
        if r.site != o.owner:
            sub_days[(r.order, r.site)][r.day] += r.quantity
    subcontracts = []
    for (oid, site), days in sorted(sub_days.items()):
        o = orders[oid]
        units = sum(days.values())
        km = s.distance(o.owner, site)
        subcontracts.append(Subcontract(
            order=oid, owner=o.owner, owner_name=firms[o.owner].name, site=site, site_name=firms[site].name,
            distance_km=round(km, 3), units=units,
            days=[DayUnits(day=t, date=day_date(t), units=q) for t, q in sorted(days.items())],
            transport_cost=_yuan(s.transport_rate(o) * km * units),
            settlement_value=_yuan(units * o.value_per_unit),
        ))

    # --- loans, per (skill, lender, borrower) ---------------------------------------------------------------
    loan_days: dict[tuple[str, str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for loan in loans:
        loan_days[(loan.skill, loan.lender, loan.borrower)][loan.day] += loan.workers
    loan_groups = []
    for (skill, a, b), days in sorted(loan_days.items()):
        worker_days = sum(days.values())
        km = s.distance(a, b)
        wage = firms[a].wage_per_day
        loan_groups.append(Loan(
            skill=skill, lender=a, lender_name=firms[a].name, borrower=b, borrower_name=firms[b].name,
            distance_km=round(km, 3),
            days=[DayWorkers(day=t, date=day_date(t), workers=w) for t, w in sorted(days.items())],
            worker_days=worker_days, commute_cost=_yuan(s.policy.commute_cost_per_km * km * worker_days),
            wage_per_day=wage, wage_reimbursed=_yuan(worker_days * wage),
        ))

    # --- unmet orders and why --------------------------------------------------------------------------------
    planned: dict[str, int] = defaultdict(int)
    for r in production:
        planned[r.order] += r.quantity
    room = _Room(s, reach, production, loans)
    subcontracted_to: dict[str, set[str]] = defaultdict(set)
    for oid, site in sub_days:
        subcontracted_to[oid].add(site)
    from alliance.reasons import explain  # it reads _Room, defined below

    unmet = []
    for o in s.orders:
        left = o.quantity - planned[o.id]
        if left <= 0:
            continue
        reason, sites, spare = room.why_unmet(o, subcontracted_to[o.id])
        zh, en = REASON_TEXT[reason]
        unmet.append(UnmetOrder(
            order=o.id, owner=o.owner, owner_name=firms[o.owner].name, quantity=o.quantity, planned=planned[o.id],
            unmet_units=left, unmet_value=_yuan(left * o.value_per_unit), reason=reason, reason_zh=zh, reason_en=en,
            eligible_sites=sites, spare_units=spare, action=explain(s, o, left, room, production, loans),
        ))
    unmet.sort(key=lambda u: (-u.unmet_value, u.order))

    # --- key figures ---------------------------------------------------------------------------------------------
    backlog_value = sum(o.quantity * o.value_per_unit for o in s.orders)
    value_cleared = sum(orders[r.order].value_per_unit * r.quantity for r in production)
    minutes_used = sum(orders[r.order].labor_minutes_per_unit * r.quantity for r in production)
    result = check(s, plan)
    parts = result.parts
    share = value_cleared / backlog_value if backlog_value > 0 else 0.0
    figures = Figures(
        before=BeforeFigures(
            orders=len(s.orders), backlog_units=sum(o.quantity for o in s.orders), backlog_value=_yuan(backlog_value),
            idle_worker_days=float(room.caps.idle.sum()),
        ),
        after=AfterFigures(
            units_cleared=sum(r.quantity for r in production), value_cleared=_yuan(value_cleared),
            share_cleared=round(share, 6), unmet_value=_yuan(backlog_value - value_cleared),
            orders_fully_cleared=sum(1 for o in s.orders if planned[o.id] >= o.quantity),
            idle_worker_days_used=round(minutes_used / s.policy.workday_minutes, 3),
            worker_days_lent=sum(loan.workers for loan in loans), linked_pairs=len(parts.linked_pairs),
            subcontracts=len(subcontracts), loans=len(loan_groups),
        ),
        objective=ObjectiveBreakdown(
            value_delivered=_yuan(parts.value_delivered), transport_cost=_yuan(parts.transport_cost),
            commute_cost=_yuan(parts.commute_cost), link_cost=_yuan(parts.link_cost), total=_yuan(parts.total),
        ),
    )

    # --- the manual baseline ---------------------------------------------------------------------------------------
    manual_parts = objective_parts(s, manual)
    manual_value = manual_parts.value_delivered
    improvement = parts.total - manual_parts.total
    baseline = ManualBaseline(
        value_cleared=_yuan(manual_value), objective=_yuan(manual_parts.total),
        share_cleared=round(manual_value / backlog_value if backlog_value > 0 else 0.0, 6),
        objective_improvement=_yuan(improvement),
        objective_improvement_pct=round(100.0 * improvement / max(1.0, abs(manual_parts.total)), 3),
        value_cleared_improvement=_yuan(value_cleared - manual_value),
        idle_worker_days_used=round(sum(orders[r.order].labor_minutes_per_unit * r.quantity for r in manual.production
                                        if r.order in orders) / s.policy.workday_minutes, 3),
        worker_days_lent=sum(loan.workers for loan in manual.loans), linked_pairs=len(manual_parts.linked_pairs),
    )

    report = PlanReport(
        alliance_id=s.alliance.id, alliance_name=s.alliance.name,
        start_date=s.start_date.isoformat() if s.start_date else None, horizon_days=s.horizon_days,
        status=str(plan.status), objective=plan.objective, bound=plan.bound, gap=plan.gap,
        subcontracts=subcontracts, loans=loan_groups, unmet=unmet, figures=figures, manual_baseline=baseline,
        settlement=_settlement(s, subcontracts, loan_groups),
        checks=Checks(
            ok=result.ok, violations=[ViolationOut(rule=v.rule, message=v.message) for v in result.violations],
            objective=round(result.objective, 6), reported_objective=plan.objective,
            objective_matches=result.objective_matches,
        ),
    )
    return report.model_dump(mode="json")


def _settlement(s: Scenario, subcontracts: list[Subcontract], loans: list[Loan]) -> list[SettlementLine]:
    # Owner pays the site, borrower pays the lender; owner bears transport, borrower bears commute (module docstring).
    keys = ("pays_subcontracts", "pays_wages", "receives_subcontracts", "receives_wages", "transport_cost",
            "commute_cost")
    money: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(keys, 0.0))
    for sc in subcontracts:
        money[sc.owner]["pays_subcontracts"] += sc.settlement_value
        money[sc.owner]["transport_cost"] += sc.transport_cost
        money[sc.site]["receives_subcontracts"] += sc.settlement_value
    for loan in loans:
        money[loan.borrower]["pays_wages"] += loan.wage_reimbursed
        money[loan.borrower]["commute_cost"] += loan.commute_cost
        money[loan.lender]["receives_wages"] += loan.wage_reimbursed
    lines = []
    for e in s.enterprises:  # scenario order, so the table reads like the member list
        if e.id not in money:
            continue
        m = money[e.id]
        pays = m["pays_subcontracts"] + m["pays_wages"]
        receives = m["receives_subcontracts"] + m["receives_wages"]
        lines.append(SettlementLine(
            enterprise=e.id, name=e.name, pays=_yuan(pays), receives=_yuan(receives), net=_yuan(receives - pays),
            **{k: _yuan(v) for k, v in m.items()},
        ))
    return lines


class _Room:
    """Capacity left after the plan's own usage, and the raw labour within reach, for the unmet reasons."""

    def __init__(self, s: Scenario, reach: Neighbourhood, production: list[Any], loans: list[Any]) -> None:
        self.s = s
        self.reach = reach
        self.caps = Capacities.of(s)
        self.idx = s.enterprise_index()
        self.sk = {c: i for i, c in enumerate(s.skills)}
        self.mk = {c: i for i, c in enumerate(s.machines)}
        workday = s.policy.workday_minutes
        orders = {o.id: o for o in s.orders}
        lent = np.zeros_like(self.caps.idle)
        borrowed = np.zeros_like(self.caps.idle)
        for loan in loans:
            k = self.sk[loan.skill]
            lent[self.idx[loan.lender], k, loan.day] += loan.workers
            borrowed[self.idx[loan.borrower], k, loan.day] += loan.workers
        used_minutes = np.zeros_like(self.caps.idle)
        used_hours = np.zeros_like(self.caps.hours)
        for r in production:
            o = orders[r.order]
            g = self.idx[r.site]
            used_minutes[g, self.sk[o.skill], r.day] += o.labor_minutes_per_unit * r.quantity
            if o.machine is not None and o.machine_hours_per_unit > 0:
                used_hours[g, self.mk[o.machine], r.day] += o.machine_hours_per_unit * r.quantity
        self.free_minutes = np.maximum(0.0, workday * (self.caps.idle - lent + borrowed) - used_minutes)
        self.free_hours = np.maximum(0.0, self.caps.hours - used_hours)
        # Workers a firm could still lend: consenting, not lent yet, and not needed by its own planned work.
        free_workers = np.floor(self.free_minutes / workday + _TOL)
        spare_lend = np.maximum(0.0, np.minimum(self.caps.lendable - lent, free_workers))
        n = len(s.enterprises)
        # Summed over every possible lender: an upper bound (one lender's worker is counted at each borrower).
        self.borrowable = np.zeros_like(self.caps.idle)
        self.raw_lendable_in_reach = np.zeros_like(self.caps.idle)
        for b in range(n):
            lenders = reach.lenders_of[b]
            if lenders:
                self.borrowable[b] = spare_lend[lenders].sum(axis=0)
                self.raw_lendable_in_reach[b] = self.caps.lendable[lenders].sum(axis=0)

    def windows(self, o: Order) -> list[tuple[int, range]]:
        """Eligible sites (rule 1) with their allowed days (rule 2), the owner first."""
        s = self.s
        owner = self.idx[o.owner]
        sites: list[tuple[int, range]] = []
        if o.process in s.enterprises[owner].processes:
            sites.append((owner, range(o.release_day, o.due_day + 1)))
        last = o.due_day - s.policy.transport_days
        sites.extend((g, range(o.release_day, last + 1)) for g in self.reach.eligible_others(o))
        return sites

    def spare_units(self, o: Order, g: int, days: range) -> int:
        """Units' room left at site ``g`` over ``days``: its free labour plus borrowable workers, and machines."""
        if not days:
            return 0
        k = self.sk[o.skill]
        t = slice(days.start, days.stop)
        minutes = self.free_minutes[g, k, t] + self.s.policy.workday_minutes * self.borrowable[g, k, t]
        units = np.floor(minutes / o.labor_minutes_per_unit + _TOL)
        if o.machine is not None and o.machine_hours_per_unit > 0:
            hours = self.free_hours[g, self.mk[o.machine], t]
            units = np.minimum(units, np.floor(hours / o.machine_hours_per_unit + _TOL))
        return int(units.sum())

    def why_unmet(self, o: Order, subcontracted_to: set[str]) -> tuple[UnmetReason, list[str], int]:
        """The reason code, the eligible sites, and the units' room left at them (see :class:`UnmetReason`)."""
        s = self.s
        firm_ids = [e.id for e in s.enterprises]
        sites = self.windows(o)
        names = [firm_ids[g] for g, _ in sites]
        if not sites:
            return UnmetReason.NO_ELIGIBLE_SITE, names, 0
        open_sites = [(g, days) for g, days in sites if days]
        if not open_sites:
            return UnmetReason.DUE_TOO_EARLY, names, 0
        k = self.sk[o.skill]
        if all(
            self.caps.idle[g, k, t] <= 0 and self.raw_lendable_in_reach[g, k, t] <= 0
            for g, days in open_sites for t in days
        ):
            return UnmetReason.NO_LABOUR, names, 0
        owner = self.idx[o.owner]
        room = {g: self.spare_units(o, g, days) for g, days in open_sites}
        spare = sum(room.values())
        if o.machine is not None and o.machine_hours_per_unit > 0:
            m = self.mk[o.machine]
            if all(
                self.free_hours[g, m, t] < o.machine_hours_per_unit - _TOL for g, days in open_sites for t in days
            ):
                return UnmetReason.MACHINE_HOURS_EXHAUSTED, names, spare
        used_sites = {self.idx[g] for g in subcontracted_to}
        lot = min(o.min_lot, o.quantity)
        may_add_site = len(used_sites) < s.policy.max_subcontractors_per_order
        usable = any(
            room[g] >= 1 and (g == owner or g in used_sites or (may_add_site and room[g] >= lot)) for g in room
        )
        if not usable and any(room[g] >= 1 for g in room if g != owner):
            return UnmetReason.LOT_OR_SPLIT_LIMITS, names, spare
        return UnmetReason.CAPACITY_USED_BY_MORE_VALUABLE_ORDERS, names, spare


# ----- rendering ---------------------------------------------------------------------------------------------------
