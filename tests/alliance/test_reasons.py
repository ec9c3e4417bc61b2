"""Reasons a coordinator can act on (alliance/reasons.py): each rule that binds, and what would unlock it, on a
small built scenario; the unlocks are checked by re-solving with the unlock applied where a solver is needed."""

from __future__ import annotations

from typing import Any

from alliance import Plan, ProductionRow, Scenario, Status
from alliance.report import build_report
from tests.factories import ScenarioBuilder, solve_and_check


def action(s: Scenario, plan: Plan, order: str) -> dict[str, Any]:
    unmet = {u["order"]: u for u in build_report(s, plan)["unmet"]}
    result: dict[str, Any] = unmet[order]["action"]
    return result


EMPTY = Plan(status=Status.FEASIBLE)


def test_beyond_the_radius_names_the_nearest_firm_and_the_radius_that_reaches_it() -> None:
    s = (ScenarioBuilder(horizon_days=2, subcontract_radius_km=5)
         .firm("A", processes=[]).firm("B", north_km=8, idle=1).firm("C", north_km=12, idle=1)
         .order("o1", owner="A", quantity=5).build())
    a = action(s, EMPTY, "o1")
    assert a["rule"] == "radius" and a["firm"] == "B" and 8.0 <= a["radius_km"] <= 8.1
    assert f"{a['radius_km']:.1f} km" in a["unlock_zh"] and "B" in a["unlock_zh"]
    # The unlock is true: with that radius the planner does sub-contract to B.
    looser = s.model_copy(update={"policy": s.policy.model_copy(update={"subcontract_radius_km": a["radius_km"]})})
    plan = solve_and_check(looser)
    assert {r.site for r in plan.production} == {"B"}


def test_quality_below_the_order_names_the_best_firm() -> None:
    s = (ScenarioBuilder().firm("A", processes=[]).firm("B", north_km=2, idle=1, quality_level=1)
         .order("o1", owner="A", quantity=5, min_quality_level=2).build())
    a = action(s, EMPTY, "o1")
    assert a["rule"] == "quality" and a["firm"] == "B" and "2" in a["zh"]


def test_a_window_too_short_says_by_how_many_days() -> None:
    s = (ScenarioBuilder(horizon_days=3, transport_days=2).firm("A", processes=[]).firm("B", north_km=2, idle=1)
         .order("o1", owner="A", quantity=5, release_day=1, due_day=2).build())
    a = action(s, EMPTY, "o1")
    assert a["rule"] == "window" and a["days_short"] == 1


def test_no_worker_in_reach_says_where_one_more_would_work_and_what_it_earns() -> None:
    # B may take the order but nobody there (or within lending reach) is idle; one worker makes 8 units a day.
    s = (ScenarioBuilder(horizon_days=2, lend_radius_km=1, transport_cost_per_unit_km=0.5)
         .firm("A", processes=[]).firm("B", north_km=2)
         .order("o1", owner="A", quantity=30, value=10).build())
    a = action(s, solve_and_check(s), "o1")
    assert a["rule"] == "no_labour"
    assert a["firm"] == "B" and a["days"] == [0] and a["units"] == 8  # day 1 is the due day; goods travel a day
    assert a["gain"] == 8 * (10 - 0.5 * 2)
    with_worker = (ScenarioBuilder(horizon_days=2, lend_radius_km=1, transport_cost_per_unit_km=0.5)
                   .firm("A", processes=[]).firm("B", north_km=2, idle=1)
                   .order("o1", owner="A", quantity=30, value=10).build())
    assert solve_and_check(with_worker).objective == a["gain"]


def test_labour_taken_by_a_more_valuable_order_names_it() -> None:
    # B's only worker makes B's own order o2 (worth 20 a unit) rather than A's o1 (worth 10).
    s = (ScenarioBuilder(transport_cost_per_unit_km=0.0, transport_days=0)
         .firm("A", processes=[]).firm("B", north_km=2, idle=1)
         .order("o1", owner="A", quantity=8, value=10).order("o2", owner="B", quantity=8, value=20).build())
    plan = solve_and_check(s)
    assert [(r.order, r.site) for r in plan.production] == [("o2", "B")]
    a = action(s, plan, "o1")
    assert a["rule"] == "capacity" and a["competitors"] == ["o2"]
    assert "o2" in a["zh"] and a["firm"] == "B" and a["units"] == 8


def test_room_not_worth_the_link_cost_says_how_much_it_is_worth() -> None:
    # C could make 2 more units worth 20, below a link cost of 50.
    s = (ScenarioBuilder(link_cost=50, transport_cost_per_unit_km=0.0, transport_days=0)
         .firm("A", processes=[]).firm("C", north_km=2, idle=1)
         .order("o1", owner="A", quantity=2, value=10).build())
    plan = solve_and_check(s)
    assert plan.production == []
    a = action(s, plan, "o1")
    assert a["rule"] == "link_cost" and a["firm"] == "C" and a["worth"] == 20 and a["link_cost"] == 50


def test_a_plan_row_at_the_site_is_counted_once() -> None:
    s = (ScenarioBuilder(transport_cost_per_unit_km=0.0, transport_days=0)
         .firm("A", processes=[]).firm("B", north_km=2, idle=1)
         .order("o1", owner="A", quantity=16, value=10).build())
    plan = Plan(status=Status.FEASIBLE, production=[ProductionRow(order="o1", site="B", day=0, quantity=8)])
    a = action(s, plan, "o1")
    # B's worker is busy with o1 itself: one more worker there makes the other 8.
    assert a["firm"] == "B" and a["units"] == 8


def test_the_split_limit_names_the_firms_left_out_and_the_limit_that_would_do() -> None:
    # One sub-contractor per order: B makes 8, C (also idle) is left out.
    s = (ScenarioBuilder(horizon_days=2, max_subcontractors_per_order=1, lend_radius_km=0.5,
                          transport_cost_per_unit_km=0.0)
         .firm("A", processes=[]).firm("B", north_km=2, idle=1).firm("C", north_km=3, idle=1)
         .order("o1", owner="A", quantity=16, value=10).build())
    plan = solve_and_check(s)
    a = action(s, plan, "o1")
    assert a["rule"] == "splits" and a["max_subcontractors"] == 1 and len(a["firms"]) == 1
    assert "2 家" in a["unlock_zh"]


def test_a_minimum_lot_above_the_room_says_the_lot_that_would_do() -> None:
    # B has room for 8 units, the lot is 10.
    s = (ScenarioBuilder(horizon_days=2, transport_cost_per_unit_km=0.0)
         .firm("A", processes=[]).firm("B", north_km=2, idle=1)
         .order("o1", owner="A", quantity=20, value=10, min_lot=10).build())
    a = action(s, solve_and_check(s), "o1")
    assert a["rule"] == "lot" and a["firm"] == "B" and a["room"] == 8 and a["min_lot"] == 10


def test_makers_below_the_reliability_floor_are_named_with_the_floor_that_would_do() -> None:
    s = (ScenarioBuilder(horizon_days=2, reliability_floor=0.8)
         .firm("A", processes=[]).firm("B", north_km=2, idle=1, reliability=0.7)
         .firm("C", north_km=3, idle=1, reliability=0.6).firm("D", north_km=50, idle=1)
         .order("o1", owner="A", quantity=5).build())
    a = action(s, EMPTY, "o1")
    assert a["rule"] == "reliability" and a["firms"] == ["B", "C"] and a["firm"] == "B"
    assert "80%" in a["zh"] and "70%" in a["unlock_zh"]
    # The unlock is true: with the floor at B's reliability the planner sub-contracts to B.
    lower = s.model_copy(update={"policy": s.policy.model_copy(update={"reliability_floor": 0.7})})
    assert "B" in {r.site for r in solve_and_check(lower).production}


def test_an_owner_below_the_floor_is_told_it_may_not_borrow_the_workers_in_reach() -> None:
    s = (ScenarioBuilder(horizon_days=2, reliability_floor=0.8)
         .firm("A", reliability=0.5).firm("B", north_km=2, idle=1, lendable=1)
         .order("o1", owner="A", quantity=5, subcontractable=False).build())
    a = action(s, EMPTY, "o1")
    assert a["rule"] == "reliability" and a["lenders"] == ["B"] and a["firm"] == "A"
    assert "50%" in a["zh"] and "80%" in a["zh"]
    # Without the floor A borrows B's worker.
    lower = s.model_copy(update={"policy": s.policy.model_copy(update={"reliability_floor": 0.0})})
    assert {ln.lender for ln in solve_and_check(lower).loans} == {"B"}
