"""Nearest-first matching by hand: the baseline a coordinator reaches today without the planner.

A coordinator of the alliance (联盟联络员) works through the backlog with a phone
and a spreadsheet.  :func:`manual_plan` simulates that practice, step by step:

1. **Most valuable order first.**  Orders are taken by total value
   (``quantity * value_per_unit``) descending, ties by id: the order whose
   lateness hurts most gets the first call.  Each order is settled completely
   before the next one is looked at; nothing is revised later.
2. **Own workshop first.**  If the owner runs the process, it makes what it
   can with its own idle workers and spare machine hours, earliest allowed day
   first (the sooner it is done, the safer the due date).
3. **Then borrow workers, nearest lender first.**  For what is left, the owner
   asks neighbours for idle workers of that skill (帮工), the nearest first,
   day by day, only where rule 5 allows the pair, only workers who consented
   and are not lent already, whole workers only, and only as many as the
   owner's spare machine hours can keep busy.
4. **Then sub-contract, nearest firm first.**  What is still left goes to the
   nearest eligible firms (rule 1) on the days rule 2 allows, with their
   remaining idle workers and machine hours; a firm that cannot take a full
   minimum lot is skipped (rule 7), and at most
   ``max_subcontractors_per_order`` firms are used (rule 8).

A move is made only when it pays for itself: the value it clears must exceed
its commute or transport cost, plus the link cost when it starts a new
cooperation between two firms (nobody calls a new partner for a few yuan).
The coordinator never looks ahead (an early order may take the labour a later,
more profitable, order needed) and never combines lenders, which is what the
planner improves on.

The result obeys rules 1-9 of MODEL.md by construction; its objective is
recomputed by :func:`alliance.check.objective`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from alliance.check import objective
from alliance.plan import LoanRow, Plan, ProductionRow, Status
from alliance.scenario import Order, Scenario

# Slack when turning free minutes or hours into whole units (so 480 min / 4.8 min is 100 units, not 99);
# far below the checker's tolerance of 1e-6 even when summed over many allocations.
EPS = 1e-9


def _per_day_array(value: int | float | list[int] | list[float], horizon: int) -> np.ndarray:
    # A single number means the same every day (MODEL.md); a list has exactly one entry per day (validated).
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (horizon,))


@dataclass(frozen=True)
class Capacities:
    """The scenario's capacities as dense arrays ``[firm, skill|machine, day]``, in scenario order."""

    idle: np.ndarray  # workers
    lendable: np.ndarray  # workers
    hours: np.ndarray  # machine hours

    @classmethod
    def of(cls, s: Scenario) -> Capacities:
        n, horizon = len(s.enterprises), s.horizon_days
        sk = {c: i for i, c in enumerate(s.skills)}
        mk = {c: i for i, c in enumerate(s.machines)}
        idle = np.zeros((n, len(sk), horizon))
        lendable = np.zeros_like(idle)
        hours = np.zeros((n, len(mk), horizon))
        for i, e in enumerate(s.enterprises):
            for code, workers in e.idle_workers.items():
                idle[i, sk[code]] = _per_day_array(workers, horizon)
            # MODEL.md: lendable defaults to idle; when given at all, a missing skill is not lendable.
            source = e.idle_workers if e.lendable_workers is None else e.lendable_workers
            for code, workers in source.items():
                lendable[i, sk[code]] = _per_day_array(workers, horizon)
            for code, spare_hours in e.spare_machine_hours.items():
                hours[i, mk[code]] = _per_day_array(spare_hours, horizon)
        return cls(idle=idle, lendable=lendable, hours=hours)


@dataclass
class Neighbourhood:
    """Who may work with whom, nearest first, from the scenario's distance matrix (overrides applied).

    Precomputed once per scenario so that an alliance of hundreds of firms is
    matched in seconds: ``lenders_of[b]`` are the firms that may lend to ``b``
    (rule 5, pair part), ``subcontract_candidates[a]`` the firms within the
    sub-contracting radius of ``a`` that accept sub-contracts and block nobody
    involved (the order-independent part of rule 1).  Both are sorted by
    distance, ties by scenario order, as a coordinator would read a map.
    """

    scenario: Scenario
    lenders_of: list[list[int]] = field(default_factory=list)
    subcontract_candidates: list[list[int]] = field(default_factory=list)
    processes: list[frozenset[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        s = self.scenario
        idx = s.enterprise_index()
        n = len(s.enterprises)
        dist = s.distance_matrix()
        blocked: list[set[int]] = [set() for _ in range(n)]
        for i, e in enumerate(s.enterprises):
            for p in e.blocked_partners:
                blocked[i].add(idx[p])
                blocked[idx[p]].add(i)
        pol = s.policy
        self.processes = [frozenset(e.processes) for e in s.enterprises]
        for i, e in enumerate(s.enterprises):
            row = dist[i]
            # The same float comparison as Scenario.can_lend / can_subcontract_to, so both agree at a radius;
            # a stable sort of ascending indices breaks distance ties by scenario order.
            borrows = e.borrows_workers and not s.below_floor(e.id)
            lend_reach = np.nonzero(row <= pol.lend_radius_km)[0] if borrows else np.empty(0, dtype=int)
            lend_reach = lend_reach[np.argsort(row[lend_reach], kind="stable")]
            self.lenders_of.append([int(j) for j in lend_reach if j != i and int(j) not in blocked[i]])
            sub_reach = np.nonzero(row <= pol.subcontract_radius_km)[0]
            sub_reach = sub_reach[np.argsort(row[sub_reach], kind="stable")]
            self.subcontract_candidates.append([
                int(j) for j in sub_reach
                if j != i and int(j) not in blocked[i] and s.enterprises[j].accepts_subcontracts
                and not s.below_floor(s.enterprises[j].id)
            ])

    def eligible_others(self, order: Order) -> list[int]:
        """Rule 1 for sites other than the owner, nearest first (indices in scenario order)."""
        if not order.subcontractable:
            return []
        s = self.scenario
        owner = s.enterprise_index()[order.owner]
        firms = s.enterprises
        return [
            g for g in self.subcontract_candidates[owner]
            if order.process in self.processes[g] and firms[g].quality_level >= order.min_quality_level
        ]


def order_priority(order: Order) -> tuple[float, str]:
    """Sort key: most valuable order first (total value descending), ties by id."""
    return (-order.quantity * order.value_per_unit, order.id)


class _Board:
    """The coordinator's spreadsheet: what is still free at every firm, skill and day, and what was agreed."""

    def __init__(self, s: Scenario, caps: Capacities) -> None:
        self.s = s
        self.workday = s.policy.workday_minutes
        # Labour slack of rule 4 in minutes: idle - lent_out + borrowed, minus what production already uses.
        self.free_minutes: list[list[list[float]]] = (caps.idle * self.workday).tolist()
        self.lend_left: list[list[list[float]]] = caps.lendable.tolist()
        self.borrowed: list[list[list[float]]] = np.zeros_like(caps.idle).tolist()
        self.hours_left: list[list[list[float]]] = caps.hours.tolist()
        self.skill_index = {c: i for i, c in enumerate(s.skills)}
        self.machine_index = {c: i for i, c in enumerate(s.machines)}
        self.firm_ids = [e.id for e in s.enterprises]
        self.dist = s.distance_matrix()
        self.production: dict[tuple[str, str, int], int] = defaultdict(int)
        self.loans: dict[tuple[str, str, str, int], int] = defaultdict(int)
        self.linked: set[frozenset[int]] = set()

    def units_possible(self, order: Order, site: int, day: int, *, extra_minutes: float = 0.0) -> int:
        """Whole units the site can still make that day, by labour (plus ``extra_minutes``) and machine."""
        k = self.skill_index[order.skill]
        units = math.floor((self.free_minutes[site][k][day] + extra_minutes + EPS) / order.labor_minutes_per_unit)
        if order.machine is not None and order.machine_hours_per_unit > 0:
            m = self.machine_index[order.machine]
            units = min(units, math.floor((self.hours_left[site][m][day] + EPS) / order.machine_hours_per_unit))
        return max(0, units)

    def machine_units(self, order: Order, site: int, day: int, at_most: int) -> int:
        """Whole units the site's spare machine hours allow that day, capped at ``at_most``."""
        if order.machine is None or order.machine_hours_per_unit <= 0:
            return at_most
        m = self.machine_index[order.machine]
        units = math.floor((self.hours_left[site][m][day] + EPS) / order.machine_hours_per_unit)
        return max(0, min(at_most, units))

    def workers_to_spare(self, lender: int, skill: int, day: int) -> int:
        """Whole consenting workers a firm can still lend without starving its own planned work.

        A firm that borrowed workers of this skill that day lends none: nobody
        passes borrowed workers on.
        """
        if self.borrowed[lender][skill][day] > 0:
            return 0
        free_workers = math.floor((self.free_minutes[lender][skill][day] + EPS) / self.workday)
        return max(0, min(int(self.lend_left[lender][skill][day]), free_workers))

    def produce(self, order: Order, site: int, day: int, units: int) -> None:
        k = self.skill_index[order.skill]
        self.free_minutes[site][k][day] -= units * order.labor_minutes_per_unit
        if order.machine is not None and order.machine_hours_per_unit > 0:
            m = self.machine_index[order.machine]
            self.hours_left[site][m][day] -= units * order.machine_hours_per_unit
        self.production[(order.id, self.firm_ids[site], day)] += units

    def lend(self, skill: int, lender: int, borrower: int, day: int, workers: int) -> None:
        minutes = workers * self.workday
        self.lend_left[lender][skill][day] -= workers
        self.free_minutes[lender][skill][day] -= minutes
        self.free_minutes[borrower][skill][day] += minutes
        self.borrowed[borrower][skill][day] += workers
        self.loans[(self.s.skills[skill], self.firm_ids[lender], self.firm_ids[borrower], day)] += workers

    def new_link_cost(self, a: int, b: int) -> float:
        return 0.0 if frozenset((a, b)) in self.linked else self.s.policy.link_cost

    def plan(self) -> Plan:
        owner_of = {o.id: o.owner for o in self.s.orders}
        production = [
            ProductionRow(order=oid, site=site, day=day, quantity=q)
            for (oid, site, day), q in self.production.items() if q > 0
        ]
        production.sort(key=lambda r: (r.order, r.site != owner_of[r.order], r.site, r.day))
        loans = [
            LoanRow(skill=skill, lender=a, borrower=b, day=day, workers=w)
            for (skill, a, b, day), w in self.loans.items() if w > 0
        ]
        loans.sort(key=lambda r: (r.skill, r.lender, r.borrower, r.day))
        plan = Plan(status=Status.FEASIBLE, production=production, loans=loans)
        plan.objective = round(objective(self.s, plan), 6)
        return plan


def manual_plan(scenario: Scenario, *, neighbourhood: Neighbourhood | None = None) -> Plan:
    """The plan a coordinator makes by hand, nearest first (see the module docstring for each step).

    Deterministic; status FEASIBLE, no bound (nothing is proven about it).
    """
    s = scenario
    reach = neighbourhood or Neighbourhood(s)
    board = _Board(s, Capacities.of(s))
    idx = s.enterprise_index()
    for order in sorted(s.orders, key=order_priority):
        owner = idx[order.owner]
        left = order.quantity
        if order.process in s.enterprises[owner].processes:
            left = _own_workshop(board, order, owner, left)
            if left > 0:
                left = _borrow_workers(board, reach, order, owner, left)
        if left > 0:
            _subcontract(board, reach, order, owner, left)
    return board.plan()


def _own_workshop(board: _Board, order: Order, owner: int, left: int) -> int:
    # Step 2: the owner's own idle workers and machines, earliest allowed day first.
    for day in range(order.release_day, order.due_day + 1):
        units = min(left, board.units_possible(order, owner, day))
        if units > 0:
            board.produce(order, owner, day, units)
            left -= units
            if left == 0:
                break
    return left


def _borrow_workers(board: _Board, reach: Neighbourhood, order: Order, owner: int, left: int) -> int:
    # Step 3: ask the neighbours for workers, nearest first, day by day; only as many whole workers as the
    # owner's machines can keep busy, and only when the units they make are worth their commute (and the link).
    s = board.s
    skill = board.skill_index[order.skill]
    workday = board.workday
    commute = s.policy.commute_cost_per_km
    for day in range(order.release_day, order.due_day + 1):
        for lender in reach.lenders_of[owner]:
            want = board.machine_units(order, owner, day, at_most=left)
            if want <= 0:
                break
            spare = board.workers_to_spare(lender, skill, day)
            if spare <= 0:
                continue
            free = max(0.0, board.free_minutes[owner][skill][day])
            needed = math.ceil((want * order.labor_minutes_per_unit - free) / workday - EPS)
            workers = min(spare, max(1, needed))
            units = min(want, board.units_possible(order, owner, day, extra_minutes=workers * workday))
            if units <= 0:
                continue
            gain = units * order.value_per_unit - commute * float(board.dist[lender, owner]) * workers
            if gain <= board.new_link_cost(lender, owner):
                continue
            board.lend(skill, lender, owner, day, workers)
            board.produce(order, owner, day, units)
            board.linked.add(frozenset((lender, owner)))
            left -= units
            if left == 0:
                return 0
    return left


def _subcontract(board: _Board, reach: Neighbourhood, order: Order, owner: int, left: int) -> int:
    # Step 4: the nearest eligible firms take what is left, each with its remaining idle capacity on the days
    # rule 2 allows; a firm that cannot take a minimum lot is skipped (rule 7), at most N firms (rule 8).
    s = board.s
    last_day = order.due_day - s.policy.transport_days
    days = range(order.release_day, last_day + 1)
    if not days:
        return left
    lot = min(order.min_lot, order.quantity)
    rate = s.transport_rate(order)
    sites_used = 0
    for site in reach.eligible_others(order):
        if left == 0 or sites_used >= s.policy.max_subcontractors_per_order:
            break
        net_per_unit = order.value_per_unit - rate * float(board.dist[owner, site])
        net_per_unit -= s.reliability_discount(order, s.enterprises[site].id)
        if net_per_unit <= 0:
            break  # candidates are nearest first: every further firm costs more to ship from
        per_day = [board.units_possible(order, site, t) for t in days]
        take = min(left, int(sum(per_day)))
        if take < lot or take * net_per_unit <= board.new_link_cost(owner, site):
            continue
        remaining = take
        for t, can in zip(days, per_day, strict=True):
            units = int(min(remaining, can))
            if units > 0:
                board.produce(order, site, t, units)
                remaining -= units
            if remaining == 0:
                break
        board.linked.add(frozenset((owner, site)))
        sites_used += 1
        left -= take
    return left
