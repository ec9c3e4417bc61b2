"""Nearest-first matching by hand: every step of the practice, and a plan that always obeys the rules.

Hand-built cases pin each step (most valuable order first, own workshop
first, nearest lender, nearest sub-contractor, lots, splits, worthwhile
moves); hypothesis draws small random scenarios on which the baseline must
pass the independent checker; the shared scenarios must pass too and stay
below the reference objective (the baseline is not an optimiser).
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance import Plan, Scenario, Status, check, load_scenario, objective
from alliance.generator import generate_alliance
from alliance.manual import Neighbourhood, manual_plan, order_priority
from tests.conftest import SCENARIOS_DIR, SHARED_SCENARIOS
from tests.factories import ScenarioBuilder

SKILLS = ["forming", "glazing"]


def assert_valid(s: Scenario, plan: Plan) -> None:
    result = check(s, plan)
    assert result.ok, "\n".join(map(str, result.violations))
    assert plan.status == Status.FEASIBLE
    assert plan.bound is None and plan.gap is None
    assert plan.objective == pytest.approx(objective(s, plan), abs=1e-6)


def units(plan: Plan, order: str | None = None, site: str | None = None) -> int:
    return sum(r.quantity for r in plan.production
               if (order is None or r.order == order) and (site is None or r.site == site))


# ----- random small scenarios ------------------------------------------------------------------------------------

MOSTLY_TRUE = st.sampled_from([True, True, True, False])


def _per_day(draw: st.DrawFn, horizon: int, top: int) -> int | list[int]:
    if draw(st.booleans()):
        return draw(st.integers(0, top))
    return draw(st.lists(st.integers(0, top), min_size=horizon, max_size=horizon))


def _below(draw: st.DrawFn, cap: int | list[int]) -> int | list[int]:
    return draw(st.integers(0, cap)) if isinstance(cap, int) else [draw(st.integers(0, c)) for c in cap]


@st.composite
def scenario_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """2-6 firms, 1-8 orders, 1-5 days; radii, costs, lots, splits, blocks, consent and machines all drawn."""
    horizon = draw(st.integers(1, 5))
    skills = SKILLS[: draw(st.integers(1, 2))]
    with_kiln = draw(st.booleans())
    builder = ScenarioBuilder(
        horizon_days=horizon, skills=skills, machines=["kiln"] if with_kiln else [],
        lend_radius_km=draw(st.sampled_from([0.0, 3.0, 6.0, 12.0])),
        subcontract_radius_km=draw(st.sampled_from([0.0, 5.0, 10.0, 20.0])),
        commute_cost_per_km=draw(st.sampled_from([0.0, 0.5, 2.0, 40.0])),
        transport_cost_per_unit_km=draw(st.sampled_from([0.0, 0.05, 0.3, 3.0])),
        link_cost=draw(st.sampled_from([0.0, 20.0, 75.0, 2000.0])),
        transport_days=draw(st.sampled_from([0, 1, 1, 2])),
        max_subcontractors_per_order=draw(st.integers(0, 3)),
        workday_minutes=draw(st.sampled_from([480, 450.5, 100])),
    )
    n_firms = draw(st.integers(2, 6))
    firm_ids = [f"F{i}" for i in range(n_firms)]
    processes = [draw(st.lists(st.sampled_from(skills), unique=True)) for _ in firm_ids]
    if not any(processes):  # an order's process must be one some firm runs (else the scenario is invalid)
        processes[-1] = [skills[0]]
    known_processes = sorted({p for ps in processes for p in ps})
    for fid, runs in zip(firm_ids, processes, strict=True):
        idle: dict[str, Any] = {s: _per_day(draw, horizon, 4) for s in skills if draw(MOSTLY_TRUE)}
        extra: dict[str, Any] = {}
        if draw(st.booleans()):
            extra["lendable_workers"] = {s: _below(draw, v) for s, v in idle.items() if draw(MOSTLY_TRUE)}
        if with_kiln and draw(MOSTLY_TRUE):
            extra["spare_machine_hours"] = {"kiln": draw(st.sampled_from([0, 1.5, 4, 16]))}
        others = [f for f in firm_ids if f != fid]
        builder.firm(
            fid, north_km=draw(st.sampled_from([0.0, 2.0, 4.5, 9.0, 15.0])),
            processes=runs,
            idle=idle, quality_level=draw(st.integers(0, 2)), wage_per_day=draw(st.sampled_from([0, 180, 250])),
            accepts_subcontracts=draw(MOSTLY_TRUE), borrows_workers=draw(MOSTLY_TRUE),
            blocked_partners=draw(st.lists(st.sampled_from(others), unique=True, max_size=1)), **extra,
        )
    for k in range(draw(st.integers(1, 8))):
        skill = draw(st.sampled_from(skills))
        process = draw(st.sampled_from(known_processes))
        release = draw(st.integers(0, horizon - 1))
        fields: dict[str, Any] = {}
        if with_kiln and draw(st.booleans()):
            fields.update(machine="kiln", machine_hours_per_unit=draw(st.sampled_from([0, 0.05, 0.5])))
        if draw(st.booleans()):
            fields["transport_cost_per_unit_km"] = draw(st.sampled_from([0.0, 0.2]))
        builder.order(
            f"O{k}", owner=draw(st.sampled_from(firm_ids)), quantity=draw(st.integers(1, 300)),
            value=draw(st.sampled_from([0.4, 3.0, 12.5, 40.0])),
            labor_minutes=draw(st.sampled_from([1.49, 6, 48, 700])), skill=skill, process=process,
            release_day=release, due_day=draw(st.integers(release, horizon - 1)),
            min_quality_level=draw(st.integers(0, 2)), subcontractable=draw(MOSTLY_TRUE),
            min_lot=draw(st.sampled_from([1, 1, 20, 150])), **fields,
        )
    return builder.to_dict()


@given(scenario_dicts())
def test_the_manual_plan_always_obeys_every_rule(data: dict[str, Any]) -> None:
    s = load_scenario(data)
    plan = manual_plan(s)
    assert_valid(s, plan)
    # Deterministic: the same scenario always gives the same rows.
    assert manual_plan(s).model_dump() == plan.model_dump()


# ----- each step of the practice ----------------------------------------------------------------------------------


def test_most_valuable_order_takes_the_owners_workers_first() -> None:
    # One worker, 480 minutes, 60 min/unit: 8 units a day.  "big" is worth 5*20=100, "small" 8*10=80.
    s = (
        ScenarioBuilder(horizon_days=1)
        .firm("A", idle=1)
        .order("small", owner="A", quantity=8, value=10)
        .order("big", owner="A", quantity=5, value=20)
        .build()
    )
    plan = manual_plan(s)
    assert_valid(s, plan)
    assert units(plan, "big") == 5
    assert units(plan, "small") == 3
    assert sorted(s.orders, key=order_priority)[0].id == "big"


def test_equal_value_orders_go_by_id() -> None:
    s = (
        ScenarioBuilder(horizon_days=1)
        .firm("A", idle=1)
        .order("o2", owner="A", quantity=8, value=10)
        .order("o1", owner="A", quantity=8, value=10)
        .build()
    )
    plan = manual_plan(s)
    assert units(plan, "o1") == 8 and units(plan, "o2") == 0


def test_own_workshop_first_earliest_day_first() -> None:
    # The owner can make 8 a day; a neighbour could help but is not needed.
    s = (
        ScenarioBuilder(horizon_days=3)
        .firm("A", idle=1)
        .firm("B", north_km=1, idle=5)
        .order("o", owner="A", quantity=12, value=10)
        .build()
    )
    plan = manual_plan(s)
    assert_valid(s, plan)
    assert [(r.site, r.day, r.quantity) for r in plan.production] == [("A", 0, 8), ("A", 1, 4)]
    assert plan.loans == []


def test_borrows_from_the_nearest_lender_only_consenting_whole_workers() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, lend_radius_km=10, subcontract_radius_km=0)
        .firm("A", idle=0)
        .firm("far", north_km=5, idle=3)
        .firm("near", north_km=2, idle=3, lendable=1)
        .order("o", owner="A", quantity=20, value=10)
        .build()
    )
    plan = manual_plan(s)
    assert_valid(s, plan)
    lent = {(r.lender, r.workers) for r in plan.loans}
    # 20 units need 1200 minutes = 2.5 workers: the near firm's one consenting worker, then 2 from further away.
    assert lent == {("near", 1), ("far", 2)}
    assert units(plan, "o", "A") == 20


def test_borrowing_stops_at_the_owners_machine_hours() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, machines=["kiln"], subcontract_radius_km=0)
        .firm("A", idle=0, machine_hours={"kiln": 2})
        .firm("B", north_km=1, idle=5)
        .order("o", owner="A", quantity=40, value=10, machine="kiln", machine_hours_per_unit=0.5)
        .build()
    )
    plan = manual_plan(s)
    assert_valid(s, plan)
    # 2 kiln hours make 4 units, 4 hours of labour: one borrowed worker, not five.
    assert units(plan, "o") == 4
    assert [(r.lender, r.workers) for r in plan.loans] == [("B", 1)]


def test_a_firm_lends_only_workers_its_own_planned_work_leaves_free() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, subcontract_radius_km=0)
        .firm("A", idle=0)
        .firm("B", north_km=1, idle=2)
        .order("a_order", owner="A", quantity=16, value=10)
        .order("b_order", owner="B", quantity=8, value=50)  # more valuable: B uses one of its workers first
        .build()
    )
    plan = manual_plan(s)
    assert_valid(s, plan)
    assert units(plan, "b_order", "B") == 8
    assert [(r.lender, r.workers) for r in plan.loans] == [("B", 1)]
    assert units(plan, "a_order") == 8


def test_subcontracts_to_the_nearest_firm_that_can_take_a_full_lot() -> None:
    s = (
        ScenarioBuilder(horizon_days=2, lend_radius_km=0, transport_days=0)
        .firm("A", processes=[])  # the owner cannot make it at all
        .firm("near", north_km=1, idle=[1, 0])  # room for 8 units: below the lot of 10
        .firm("mid", north_km=3, idle=[1, 1])  # 16 units
        .firm("far", north_km=6, idle=[2, 2])
        .order("o", owner="A", quantity=30, value=10, min_lot=10)
        .build()
    )
    plan = manual_plan(s)
    assert_valid(s, plan)
    # mid takes its 16, far the remaining 14 (a full lot) on its earliest day; near is skipped.
    assert sorted((r.site, r.day, r.quantity) for r in plan.production) == [("far", 0, 14), ("mid", 0, 8),
                                                                              ("mid", 1, 8)]


def test_a_remainder_below_the_lot_is_not_sent() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, lend_radius_km=0, transport_days=0)
        .firm("A", processes=[])
        .firm("B", north_km=1, idle=1)
        .firm("C", north_km=2, idle=1)
        .order("o", owner="A", quantity=12, value=10, min_lot=5)
        .build()
    )
    plan = manual_plan(s)
    assert_valid(s, plan)
    # B takes 8; the 4 left are below the lot of 5, so C gets nothing and 4 stay unmet.
    assert [(r.site, r.quantity) for r in plan.production] == [("B", 8)]


def test_at_most_max_subcontractors_per_order() -> None:
    b = ScenarioBuilder(horizon_days=1, lend_radius_km=0, transport_days=0, max_subcontractors_per_order=2)
    b.firm("A", processes=[])
    for i in range(4):
        b.firm(f"S{i}", north_km=i + 1, idle=1)
    s = b.order("o", owner="A", quantity=40, value=10).build()
    plan = manual_plan(s)
    assert_valid(s, plan)
    assert {r.site for r in plan.production} == {"S0", "S1"}


def test_respects_the_transport_days_before_the_due_date() -> None:
    s = (
        ScenarioBuilder(horizon_days=3, lend_radius_km=0, transport_days=2)
        .firm("A", processes=[])
        .firm("B", north_km=1, idle=1)
        .order("o", owner="A", quantity=100, value=10)
        .build()
    )
    plan = manual_plan(s)
    assert [(r.site, r.day, r.quantity) for r in plan.production] == [("B", 0, 8)]


@pytest.mark.parametrize("link_cost, expect_units", [(79.0, 8), (81.0, 0)])
def test_a_new_partner_is_called_only_when_the_units_pay_for_the_link(link_cost: float, expect_units: int) -> None:
    # 8 units worth 80 yuan, no transport cost: worth a link of 79, not one of 81.
    s = (
        ScenarioBuilder(horizon_days=1, lend_radius_km=0, transport_days=0, link_cost=link_cost)
        .firm("A", processes=[])
        .firm("B", north_km=1, idle=1)
        .order("o", owner="A", quantity=8, value=10)
        .build()
    )
    plan = manual_plan(s)
    assert_valid(s, plan)
    assert units(plan) == expect_units


def test_nothing_is_shipped_at_a_loss() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, lend_radius_km=0, transport_days=0, transport_cost_per_unit_km=3.0)
        .firm("A", processes=[])
        .firm("B", north_km=4, idle=1)  # 12 yuan a unit to ship, worth 10
        .order("o", owner="A", quantity=8, value=10)
        .build()
    )
    assert manual_plan(s).production == []


def test_an_alliance_with_no_orders_gets_an_empty_plan() -> None:
    s = ScenarioBuilder().firm("A", idle=1).build()
    plan = manual_plan(s)
    assert_valid(s, plan)
    assert plan.production == [] and plan.loans == [] and plan.objective == 0


def test_neighbourhood_lists_are_nearest_first_and_obey_rules_1_and_5() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, lend_radius_km=5, subcontract_radius_km=8)
        .firm("A", idle=1)
        .firm("B", north_km=4, idle=1)
        .firm("C", north_km=1, idle=1, blocked_partners=["A"])
        .firm("D", north_km=2, idle=1, accepts_subcontracts=False)
        .firm("E", north_km=7, idle=1)
        .build()
    )
    reach = Neighbourhood(s)
    ids = [e.id for e in s.enterprises]
    assert [ids[j] for j in reach.lenders_of[0]] == ["D", "B"]
    assert [ids[j] for j in reach.subcontract_candidates[0]] == ["B", "E"]
    for b in range(len(ids)):
        assert {ids[a] for a in reach.lenders_of[b]} == {a for a in ids if s.can_lend(a, ids[b])}


# ----- the shared scenarios and a county-sized alliance -----------------------------------------------------------


def reference_objectives() -> dict[str, float]:
    text = (SCENARIOS_DIR / "REFERENCE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*`([^`]+\.json)`\s*\|(?:[^|]*\|){4}\s*(-?[\d.]+)\s*\|", text, flags=re.MULTILINE)
    return {name: float(value) for name, value in rows}


@pytest.mark.parametrize("path", SHARED_SCENARIOS, ids=lambda p: p.name)
def test_shared_scenarios_pass_the_checker_and_stay_below_the_reference(path: Any) -> None:
    s = load_scenario(path.read_text(encoding="utf-8"))
    plan = manual_plan(s)
    assert_valid(s, plan)
    reference = reference_objectives()[path.name]
    assert plan.objective is not None and 0 < plan.objective < reference


def test_reference_table_is_read() -> None:
    if not SHARED_SCENARIOS:
        pytest.skip("no shared scenarios")
    assert set(reference_objectives()) == {p.name for p in SHARED_SCENARIOS}


def test_a_county_of_800_firms_is_matched_in_seconds() -> None:
    s = generate_alliance(800, n_orders=1500, horizon_days=14, seed=3, tight=True)
    start = time.perf_counter()
    plan = manual_plan(s)
    elapsed = time.perf_counter() - start
    assert_valid(s, plan)
    assert plan.loans and any(r.site != s.order(r.order).owner for r in plan.production)
    assert elapsed < 10.0, f"manual plan took {elapsed:.1f}s"
