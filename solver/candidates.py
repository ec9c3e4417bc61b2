"""Which decisions can matter at all, and how large each can be.

Pruning before any variable exists is what keeps a county-sized model
buildable (SOLVER-NOTES: prune by radius, capability, zero capacity and days
outside the window).  Every bound computed here is a *valid* upper bound,
never a heuristic cut: a plan can only lose a variable that must be zero in
every optimal plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from alliance.scenario import Order, Scenario, per_day

# Capacities and rates arrive with a few decimals; this keeps 480/4.8 = 100 from flooring to 99.
EPS = 1e-9


@dataclass
class Arrays:
    """Per-firm, per-day capacities as dense arrays, in scenario order."""

    firms: list[str]
    skills: list[str]
    machines: list[str]
    idle: np.ndarray  # [firm, skill, day] int
    lendable: np.ndarray  # [firm, skill, day] int
    hours: np.ndarray  # [firm, machine, day] float
    dist: np.ndarray  # [firm, firm] km
    can_lend: np.ndarray  # [lender, borrower] bool (rule 5 pair part)
    blocked: np.ndarray  # [firm, firm] bool, symmetric


def build_arrays(s: Scenario) -> Arrays:
    n, horizon = len(s.enterprises), s.horizon_days
    sk = {c: i for i, c in enumerate(s.skills)}
    mk = {c: i for i, c in enumerate(s.machines)}
    idle = np.zeros((n, len(sk), horizon), dtype=np.int64)
    lend = np.zeros_like(idle)
    hours = np.zeros((n, len(mk), horizon), dtype=np.float64)
    idx = s.enterprise_index()
    blocked = np.zeros((n, n), dtype=bool)
    borrows = np.zeros(n, dtype=bool)
    days = range(horizon)
    for i, e in enumerate(s.enterprises):
        for code, workers in e.idle_workers.items():
            idle[i, sk[code]] = [per_day(workers, t) for t in days]
        source = e.idle_workers if e.lendable_workers is None else e.lendable_workers
        for code, workers in source.items():
            lend[i, sk[code]] = [per_day(workers, t) for t in days]
        for code, spare in e.spare_machine_hours.items():
            hours[i, mk[code]] = [per_day(spare, t) for t in days]
        for p in e.blocked_partners:
            blocked[i, idx[p]] = blocked[idx[p], i] = True
        borrows[i] = e.borrows_workers and not s.below_floor(e.id)
    dist = s.distance_matrix()
    can_lend = (dist <= s.policy.lend_radius_km) & ~blocked & borrows[None, :]
    np.fill_diagonal(can_lend, False)
    return Arrays(list(idx), list(sk), list(mk), idle, lend, hours, dist, can_lend, blocked)


@dataclass
class SiteOption:
    """One eligible (order, site) pair with its usable days and per-day unit bounds."""

    order: int  # index into scenario.orders
    site: int  # firm index
    own: bool
    margin: float  # value per unit less transport per unit
    days: list[int]
    unit_ub: list[int]  # per day in ``days``


@dataclass
class Candidates:
    arrays: Arrays
    options: list[SiteOption] = field(default_factory=list)
    # (skill, lender, borrower, day) -> max useful workers
    loans: dict[tuple[int, int, int, int], int] = field(default_factory=dict)


def _max_units(s: Scenario, a: Arrays, o: Order, g: int, t: int, reach: np.ndarray, sk: int, mk: int | None) -> int:
    workers = int(a.idle[g, sk, t]) + int(reach[g, t])
    ub = min(o.quantity, math.floor(s.policy.workday_minutes * workers / o.labor_minutes_per_unit + EPS))
    if mk is not None and o.machine_hours_per_unit > 0:
        ub = min(ub, math.floor(a.hours[g, mk, t] / o.machine_hours_per_unit + EPS))
    return max(0, ub)


def build_candidates(s: Scenario, a: Arrays | None = None) -> Candidates:
    a = a or build_arrays(s)
    sk = {c: i for i, c in enumerate(a.skills)}
    mk = {c: i for i, c in enumerate(a.machines)}
    idx = s.enterprise_index()
    pol = s.policy
    # Workers of each skill a firm could at most borrow per day: sum of its possible lenders' lendable.
    reach = np.einsum("ab,ast->bst", a.can_lend.astype(np.int64), a.lendable)
    process_sites: dict[str, list[int]] = {}
    for i, e in enumerate(s.enterprises):
        for p in e.processes:
            process_sites.setdefault(p, []).append(i)
    quality = np.array([e.quality_level for e in s.enterprises])
    accepts = np.array([e.accepts_subcontracts and not s.below_floor(e.id) for e in s.enterprises])

    cands = Candidates(arrays=a)
    for oi, o in enumerate(s.orders):
        owner = idx[o.owner]
        ski, mki = sk[o.skill], (mk[o.machine] if o.machine is not None else None)
        rate = s.transport_rate(o)
        for g in process_sites.get(o.process, []):
            own = g == owner
            if not own and not (
                o.subcontractable
                and quality[g] >= o.min_quality_level
                and accepts[g]
                and a.dist[owner, g] <= pol.subcontract_radius_km
                and not a.blocked[owner, g]
            ):
                continue
            margin = o.value_per_unit - (0.0 if own else rate * float(a.dist[owner, g]))
            margin -= s.reliability_discount(o, a.firms[g])
            if margin <= 0:
                continue  # a unit here loses money: no optimal plan makes one
            last = o.due_day if own else o.due_day - pol.transport_days
            days, ubs = [], []
            for t in range(o.release_day, last + 1):
                ub = _max_units(s, a, o, g, t, reach[:, ski, :], ski, mki)
                if ub > 0:
                    days.append(t)
                    ubs.append(ub)
            if not days:
                continue
            if not own and sum(ubs) < min(o.min_lot, o.quantity):
                continue  # the minimum lot can never be reached here
            cands.options.append(SiteOption(oi, g, own, margin, days, ubs))

    # Loans are worth a variable only where the borrower could use the workers.
    demand = np.zeros_like(a.idle, dtype=np.float64)  # minutes per firm, skill, day
    for opt in cands.options:
        o = s.orders[opt.order]
        for t, ub in zip(opt.days, opt.unit_ub, strict=True):
            demand[opt.site, sk[o.skill], t] += ub * o.labor_minutes_per_unit
    useful = np.ceil(demand / pol.workday_minutes - EPS).astype(np.int64)
    # A borrower may pass its own lendable workers on (a chain), so its own lendable counts as need too.
    need = np.maximum(0, useful - a.idle + a.lendable)
    need[useful == 0] = 0
    lenders, borrowers = np.nonzero(a.can_lend)
    for lender, borrower in zip(lenders.tolist(), borrowers.tolist(), strict=True):
        for si in range(len(a.skills)):
            for t in np.nonzero((a.lendable[lender, si] > 0) & (need[borrower, si] > 0))[0].tolist():
                cands.loans[(si, lender, borrower, t)] = int(min(a.lendable[lender, si, t], need[borrower, si, t]))
    return cands
