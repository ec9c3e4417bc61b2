"""What a plan leaves (escalated upward): never more than the scenario had, and all of it usable on top of the plan."""

from __future__ import annotations

import math

import pytest

from alliance.generator import generate_alliance
from alliance.leftover import delivered_units, leftover_capacity
from alliance.plan import Plan
from alliance.scenario import Scenario
from tests.factories import ScenarioBuilder, solve_and_check


def _usage(s: Scenario, plan: Plan) -> tuple[dict, dict, dict, dict]:
    orders = {o.id: o for o in s.orders}
    minutes: dict = {}
    hours: dict = {}
    lent: dict = {}
    borrowed: dict = {}
    for r in plan.production:
        o = orders[r.order]
        work = (r.site, o.skill, r.day)
        minutes[work] = minutes.get(work, 0) + o.labor_minutes_per_unit * r.quantity
        if o.machine:
            key = (r.site, o.machine, r.day)
            hours[key] = hours.get(key, 0) + o.machine_hours_per_unit * r.quantity
    for ln in plan.loans:
        lent[(ln.lender, ln.skill, ln.day)] = lent.get((ln.lender, ln.skill, ln.day), 0) + ln.workers
        borrowed[(ln.borrower, ln.skill, ln.day)] = borrowed.get((ln.borrower, ln.skill, ln.day), 0) + ln.workers
    return minutes, hours, lent, borrowed


def _assert_leftover_is_sound(s: Scenario, plan: Plan) -> None:
    left = leftover_capacity(s, plan)
    minutes, hours, lent, borrowed = _usage(s, plan)
    workday = s.policy.workday_minutes
    for e in s.enterprises:
        for skill in s.skills:
            idle_left = left[e.id].idle_workers.get(skill, [0] * s.horizon_days)
            lend_left = left[e.id].lendable_workers.get(skill, [0] * s.horizon_days)
            for t in range(s.horizon_days):
                key = (e.id, skill, t)
                out = lent.get(key, 0)
                assert 0 <= idle_left[t] <= s.idle(e.id, skill, t) - out
                assert 0 <= lend_left[t] <= min(s.lendable(e.id, skill, t) - out, idle_left[t])
                # Rule 4 still holds when the county puts every leftover worker to work on top of the plan.
                capacity = workday * (s.idle(e.id, skill, t) - out + borrowed.get(key, 0))
                assert minutes.get(key, 0) + workday * idle_left[t] <= capacity + 1e-6
        for machine in s.machines:
            hours_left = left[e.id].spare_machine_hours.get(machine, [0.0] * s.horizon_days)
            for t in range(s.horizon_days):
                used = hours.get((e.id, machine, t), 0)
                assert hours_left[t] >= 0 and used + hours_left[t] <= s.machine_hours(e.id, machine, t) + 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_leftover_of_solved_generated_parks_is_sound(seed: int) -> None:
    from solver import SolveOptions

    s = generate_alliance(12, seed=seed, tight=seed % 2 == 0, horizon_days=5)
    plan = solve_and_check(s, SolveOptions(time_limit_s=2, threads=1, seed=0))
    _assert_leftover_is_sound(s, plan)
    done = delivered_units(plan)
    assert all(0 <= done.get(o.id, 0) <= o.quantity for o in s.orders)


def test_a_borrowed_worker_is_used_first_and_the_lent_one_is_gone() -> None:
    # A needs 2 worker-days a day and has 1 idle; B lends its one consenting worker of 2 idle: nothing left at A,
    # one idle (not lendable: it is the one who did not consent) left at B.
    s = (ScenarioBuilder(horizon_days=1, lend_radius_km=5)
         .firm("A", idle=1, processes=["forming"])
         .firm("B", north_km=1, idle=2, lendable=1, processes=[])
         .order("o1", owner="A", quantity=16, value=10, labor_minutes=60)
         .build())
    plan = solve_and_check(s)
    assert [(ln.lender, ln.borrower, ln.workers) for ln in plan.loans] == [("B", "A", 1)]
    left = leftover_capacity(s, plan)
    assert left["A"].is_empty()
    assert left["B"].idle_workers == {s.skills[0]: [1]} and left["B"].lendable_workers == {s.skills[0]: [0]}
    assert math.isclose(sum(r.quantity for r in plan.production), 16)
