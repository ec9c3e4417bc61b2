"""What a plan leaves: the capacity it did not use and the units it did not deliver (for escalation upward).

A park plan that cannot clear every order passes the rest to the county round
(docs/county.md).  The county must not plan with capacity the park plan already
uses, so what goes up is, per firm, skill (or machine) and day:

* idle workers: ``min(idle - lent_out, floor(free_minutes / workday))``, where
  ``free_minutes = workday * (idle - lent_out + borrowed) - minutes the plan
  produces with at that site``; a borrowed worker is counted as used first,
  since the lender keeps paying for him;
* lendable workers: ``min(lendable - lent_out, idle workers left)``;
* machine hours: ``spare - hours the plan's production uses``.

Per-day lists always (one entry per day of the scenario), so that the caller
can map days by calendar date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from alliance.plan import Plan
from alliance.scenario import Scenario

_TOL = 1e-9


@dataclass
class FirmLeftover:
    idle_workers: dict[str, list[int]] = field(default_factory=dict)
    lendable_workers: dict[str, list[int]] = field(default_factory=dict)
    spare_machine_hours: dict[str, list[float]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not any(any(v) for m in (self.idle_workers, self.lendable_workers, self.spare_machine_hours)
                       for v in m.values())


def leftover_capacity(s: Scenario, plan: Plan) -> dict[str, FirmLeftover]:
    """Unused capacity of every firm of ``s`` after ``plan``; skills and machines with nothing left are omitted."""
    days = range(s.horizon_days)
    workday = s.policy.workday_minutes
    orders = {o.id: o for o in s.orders}
    lent: dict[tuple[str, str, int], int] = {}
    borrowed: dict[tuple[str, str, int], int] = {}
    for loan in plan.loans:
        lent[(loan.lender, loan.skill, loan.day)] = lent.get((loan.lender, loan.skill, loan.day), 0) + loan.workers
        key = (loan.borrower, loan.skill, loan.day)
        borrowed[key] = borrowed.get(key, 0) + loan.workers
    minutes: dict[tuple[str, str, int], float] = {}
    hours: dict[tuple[str, str, int], float] = {}
    for row in plan.production:
        o = orders[row.order]
        key = (row.site, o.skill, row.day)
        minutes[key] = minutes.get(key, 0.0) + o.labor_minutes_per_unit * row.quantity
        if o.machine is not None and o.machine_hours_per_unit > 0:
            mkey = (row.site, o.machine, row.day)
            hours[mkey] = hours.get(mkey, 0.0) + o.machine_hours_per_unit * row.quantity

    out: dict[str, FirmLeftover] = {}
    for e in s.enterprises:
        left = FirmLeftover()
        for skill in s.skills:
            idle_row, lend_row = [], []
            for t in days:
                key = (e.id, skill, t)
                idle, out_, in_ = s.idle(e.id, skill, t), lent.get(key, 0), borrowed.get(key, 0)
                free_minutes = workday * (idle - out_ + in_) - minutes.get(key, 0.0)
                own = max(0, min(idle - out_, math.floor(free_minutes / workday + _TOL)))
                idle_row.append(own)
                lend_row.append(max(0, min(s.lendable(e.id, skill, t) - out_, own)))
            if any(idle_row):
                left.idle_workers[skill] = idle_row
                left.lendable_workers[skill] = lend_row
        for machine in s.machines:
            row_h = [round(max(0.0, s.machine_hours(e.id, machine, t) - hours.get((e.id, machine, t), 0.0)), 6)
                     for t in days]
            if any(h > _TOL for h in row_h):
                left.spare_machine_hours[machine] = row_h
        out[e.id] = left
    return out


def delivered_units(plan: Plan) -> dict[str, int]:
    """Units of each order the plan produces, at any site."""
    done: dict[str, int] = {}
    for row in plan.production:
        done[row.order] = done.get(row.order, 0) + row.quantity
    return done
