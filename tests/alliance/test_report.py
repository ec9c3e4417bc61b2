"""The reviewer's report: grouped moves, unmet orders with their reason, figures, baseline, settlement, checks.

A hand-made plan with numbers worked out on paper pins every figure; one
small scenario per unmet reason pins the reason codes; hypothesis checks on
random scenarios that the report never contradicts the rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given

from alliance import LoanRow, Plan, ProductionRow, Scenario, Status, load_scenario, objective
from alliance.manual import manual_plan
from alliance.report import REASON_TEXT, PlanReport, UnmetReason, build_report
from tests.alliance.test_manual import scenario_dicts
from tests.factories import ScenarioBuilder


def make_plan(s: Scenario, production: Sequence[tuple[str, str, int, int]],
              loans: Sequence[tuple[str, str, str, int, int]] = ()) -> Plan:
    plan = Plan(
        status=Status.FEASIBLE,
        production=[ProductionRow(order=o, site=g, day=t, quantity=q) for o, g, t, q in production],
        loans=[LoanRow(skill=k, lender=a, borrower=b, day=t, workers=w) for k, a, b, t, w in loans],  # type: ignore[call-arg]
    )
    plan.objective = round(objective(s, plan), 6)
    return plan


# ----- a plan worked out by hand ----------------------------------------------------------------------------------

# A owns 30 units (60 min each, 10 yuan).  A makes 8 on day 0 and 16 on day 1 with one worker borrowed from B
# (3 km), C (4 km) makes 6 on day 0.  Transport 0.5 yuan/unit/km, commute 1 yuan/km, link 50 per pair.
HAND = (
    ScenarioBuilder(horizon_days=2, transport_cost_per_unit_km=0.5, commute_cost_per_km=1.0, link_cost=50,
                    transport_days=0)
    .firm("A", idle=1, wage_per_day=200)
    .firm("B", north_km=3, idle=2, wage_per_day=180)
    .firm("C", north_km=4, idle=1, wage_per_day=150)
    .order("o1", owner="A", quantity=30, value=10)
)


@pytest.fixture
def hand() -> tuple[Scenario, Plan]:
    data = HAND.to_dict()
    data["start_date"] = "2026-12-07"
    s = load_scenario(data)
    plan = make_plan(s, [("o1", "A", 0, 8), ("o1", "A", 1, 16), ("o1", "C", 0, 6)], [("forming", "B", "A", 1, 1)])
    return s, plan


def test_subcontracts_grouped_with_transport_and_settlement(hand: tuple[Scenario, Plan]) -> None:
    s, plan = hand
    report = build_report(s, plan)
    assert report["subcontracts"] == [{
        "order": "o1", "owner": "A", "owner_name": "瓷厂 A", "site": "C", "site_name": "瓷厂 C",
        "distance_km": pytest.approx(4.0), "units": 6, "days": [{"day": 0, "date": "2026-12-07", "units": 6}],
        "transport_cost": pytest.approx(12.0), "settlement_value": 60.0,
    }]


def test_loans_grouped_with_commute_and_wage_at_cost(hand: tuple[Scenario, Plan]) -> None:
    s, plan = hand
    [loan] = build_report(s, plan)["loans"]
    assert loan["lender"] == "B" and loan["borrower"] == "A" and loan["skill"] == "forming"
    assert loan["days"] == [{"day": 1, "date": "2026-12-08", "workers": 1}]
    assert loan["worker_days"] == 1
    assert loan["commute_cost"] == pytest.approx(3.0)
    assert loan["wage_per_day"] == 180 and loan["wage_reimbursed"] == 180


def test_key_figures_before_and_after(hand: tuple[Scenario, Plan]) -> None:
    s, plan = hand
    fig = build_report(s, plan)["figures"]
    assert fig["before"] == {"orders": 1, "backlog_units": 30, "backlog_value": 300.0, "idle_worker_days": 8.0}
    after = fig["after"]
    assert after["units_cleared"] == 30 and after["value_cleared"] == 300 and after["share_cleared"] == 1.0
    assert after["unmet_value"] == 0 and after["orders_fully_cleared"] == 1
    assert after["idle_worker_days_used"] == pytest.approx(30 * 60 / 480)
    assert after["worker_days_lent"] == 1 and after["linked_pairs"] == 2
    assert after["subcontracts"] == 1 and after["loans"] == 1
    assert fig["objective"] == {"value_delivered": 300.0, "transport_cost": 12.0, "commute_cost": 3.0,
                                "link_cost": 100.0, "total": 185.0}


def test_settlement_owner_pays_site_borrower_pays_lender(hand: tuple[Scenario, Plan]) -> None:
    s, plan = hand
    lines = {line["enterprise"]: line for line in build_report(s, plan)["settlement"]}
    assert lines["A"] == {
        "enterprise": "A", "name": "瓷厂 A", "pays_subcontracts": 60.0, "pays_wages": 180.0, "pays": 240.0,
        "receives_subcontracts": 0.0, "receives_wages": 0.0, "receives": 0.0, "net": -240.0,
        "transport_cost": 12.0, "commute_cost": 3.0,
    }
    assert lines["B"]["receives_wages"] == 180 and lines["B"]["net"] == 180 and lines["B"]["commute_cost"] == 0
    assert lines["C"]["receives_subcontracts"] == 60 and lines["C"]["net"] == 60
    assert sum(line["net"] for line in lines.values()) == pytest.approx(0.0)


def test_manual_baseline_and_the_improvement_over_it(hand: tuple[Scenario, Plan]) -> None:
    s, plan = hand
    manual = make_plan(s, [("o1", "A", 0, 8)])
    base = build_report(s, plan, manual=manual)["manual_baseline"]
    assert base == {"value_cleared": 80.0, "objective": 80.0, "share_cleared": pytest.approx(80 / 300, abs=1e-6),
                    "objective_improvement": 105.0, "objective_improvement_pct": 131.25,
                    "value_cleared_improvement": 220.0, "idle_worker_days_used": 1.0, "linked_pairs": 0,
                    "worker_days_lent": 0}


def test_the_baseline_defaults_to_the_manual_plan(hand: tuple[Scenario, Plan]) -> None:
    s, plan = hand
    base = build_report(s, plan)["manual_baseline"]
    assert base["objective"] == pytest.approx(manual_plan(s).objective, abs=0.005)
    assert base["objective_improvement"] == pytest.approx(185.0 - base["objective"], abs=0.01)


def test_checks_of_a_valid_plan(hand: tuple[Scenario, Plan]) -> None:
    s, plan = hand
    checks = build_report(s, plan)["checks"]
    assert checks == {"ok": True, "violations": [], "objective": 185.0, "reported_objective": 185.0,
                      "objective_matches": True}


def test_checks_list_what_a_broken_plan_breaks(hand: tuple[Scenario, Plan]) -> None:
    s, _ = hand
    broken = make_plan(s, [("o1", "A", 0, 40), ("nope", "A", 0, 1)])
    report = build_report(s, broken)
    rules = sorted(v["rule"] for v in report["checks"]["violations"])
    assert report["checks"]["ok"] is False
    assert 0 in rules and 3 in rules and 4 in rules  # unknown order, over quantity, over labour
    # The unknown order's row is left out of the figures instead of crashing the report.
    assert report["figures"]["after"]["units_cleared"] == 40


def test_report_is_json_and_matches_its_model(hand: tuple[Scenario, Plan]) -> None:
    s, plan = hand
    report = build_report(s, plan)
    assert json.loads(json.dumps(report)) == report
    assert PlanReport.model_validate(report).model_dump(mode="json") == report
    assert report["status"] == "FEASIBLE" and report["alliance_id"] == "test"


# ----- why an order stays unmet ------------------------------------------------------------------------------------


def unmet_reason(s: Scenario, plan: Plan | None = None, order: str = "o") -> dict[str, Any]:
    report = build_report(s, plan or manual_plan(s))
    [entry] = [u for u in report["unmet"] if u["order"] == order]
    return entry


def test_reason_no_eligible_site() -> None:
    s = (
        ScenarioBuilder(horizon_days=2)
        .firm("A", processes=[])
        .firm("B", north_km=40, idle=5)  # runs the process, but beyond the 30 km radius
        .order("o", owner="A", quantity=10)
        .build()
    )
    entry = unmet_reason(s)
    assert entry["reason"] == "no_eligible_site" and entry["eligible_sites"] == []
    assert entry["unmet_units"] == 10 and entry["unmet_value"] == 100 and entry["planned"] == 0


def test_reason_due_too_early() -> None:
    s = (
        ScenarioBuilder(horizon_days=3, transport_days=1)
        .firm("A", processes=[])
        .firm("B", north_km=2, idle=5)
        .order("o", owner="A", quantity=10, due_day=0)
        .build()
    )
    entry = unmet_reason(s)
    assert entry["reason"] == "due_too_early" and entry["eligible_sites"] == ["B"]
    assert (entry["reason_zh"], entry["reason_en"]) == REASON_TEXT[UnmetReason.DUE_TOO_EARLY]


def test_reason_no_labour() -> None:
    b = (
        ScenarioBuilder(horizon_days=2, skills=["forming", "glazing"], lend_radius_km=5)
        .firm("A", idle={"glazing": 3})
        .firm("B", north_km=2, idle={"glazing": 3}, lendable={"forming": 0, "glazing": 3})
        .firm("C", north_km=20, idle={"forming": 3}, processes=["glazing"])  # forming workers, out of lending reach
        .order("o", owner="A", quantity=10, skill="forming")
    )
    assert unmet_reason(b.build())["reason"] == "no_labour"
    # A consenting forming worker within lending reach of an eligible site is labour within reach.
    b.firm("D", north_km=1, idle={"forming": 1}, processes=[])
    s = b.build()
    assert unmet_reason(s, make_plan(s, []))["reason"] == "capacity_used_by_more_valuable_orders"


def test_reason_machine_hours_exhausted() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, machines=["kiln"], subcontract_radius_km=0)
        .firm("A", idle=5, machine_hours={"kiln": 1})
        .order("o", owner="A", quantity=10, machine="kiln", machine_hours_per_unit=0.5)
        .build()
    )
    entry = unmet_reason(s)
    assert entry["planned"] == 2
    assert entry["reason"] == "machine_hours_exhausted"


def test_reason_lot_limit() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, transport_days=0, lend_radius_km=0)
        .firm("A", processes=[])
        .firm("B", north_km=1, idle=1)  # room for 8 units, the lot is 10
        .order("o", owner="A", quantity=30, min_lot=10)
        .build()
    )
    entry = unmet_reason(s)
    assert entry["reason"] == "lot_or_split_limits" and entry["spare_units"] == 8


def test_reason_split_limit() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, transport_days=0, lend_radius_km=0, max_subcontractors_per_order=1)
        .firm("A", processes=[])
        .firm("B", north_km=1, idle=1)
        .firm("C", north_km=2, idle=1)
        .order("o", owner="A", quantity=30)
        .build()
    )
    # B already makes 8 of the order, at its limit of one sub-contractor: C's room cannot be used.
    plan = make_plan(s, [("o", "B", 0, 8)])
    assert unmet_reason(s, plan)["reason"] == "lot_or_split_limits"
    # With room left at a site the order already uses, the limit is not what holds it back.
    plan = make_plan(s, [("o", "B", 0, 7)])
    assert unmet_reason(s, plan)["reason"] == "capacity_used_by_more_valuable_orders"


def test_reason_capacity_used_by_more_valuable_orders() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, subcontract_radius_km=0)
        .firm("A", idle=1)
        .order("o", owner="A", quantity=8, value=5)
        .order("big", owner="A", quantity=8, value=50)
        .build()
    )
    entry = unmet_reason(s)
    assert entry["reason"] == "capacity_used_by_more_valuable_orders" and entry["spare_units"] == 0


def test_capacity_left_but_not_worth_the_link_is_reported_with_its_room() -> None:
    s = (
        ScenarioBuilder(horizon_days=1, transport_days=0, lend_radius_km=0, link_cost=1000)
        .firm("A", processes=[])
        .firm("B", north_km=1, idle=1)
        .order("o", owner="A", quantity=8)
        .build()
    )
    entry = unmet_reason(s)
    assert entry["reason"] == "capacity_used_by_more_valuable_orders" and entry["spare_units"] == 8


def test_unmet_orders_are_listed_by_unmet_value() -> None:
    s = (
        ScenarioBuilder(horizon_days=1)
        .firm("A", processes=[])
        .firm("B", north_km=40)
        .order("cheap", owner="A", quantity=10, value=1)
        .order("dear", owner="A", quantity=10, value=9)
        .build()
    )
    report = build_report(s, manual_plan(s))
    assert [u["order"] for u in report["unmet"]] == ["dear", "cheap"]


# ----- the report never contradicts the rows -------------------------------------------------------------------------


@given(scenario_dicts())
def test_report_agrees_with_the_rows(data: dict[str, Any]) -> None:
    s = load_scenario(data)
    plan = manual_plan(s)
    report = build_report(s, plan, manual=plan)
    orders = {o.id: o for o in s.orders}
    made: dict[str, int] = {}
    for r in plan.production:
        made[r.order] = made.get(r.order, 0) + r.quantity

    subs = report["subcontracts"]
    own_units = sum(r.quantity for r in plan.production if r.site == orders[r.order].owner)
    assert own_units + sum(sc["units"] for sc in subs) == report["figures"]["after"]["units_cleared"] == sum(
        made.values())
    for sc in subs:
        assert sum(d["units"] for d in sc["days"]) == sc["units"]
        assert sc["owner"] == orders[sc["order"]].owner != sc["site"]
    assert sum(ln["worker_days"] for ln in report["loans"]) == sum(r.workers for r in plan.loans) == report[
        "figures"]["after"]["worker_days_lent"]

    unmet = {u["order"]: u for u in report["unmet"]}
    assert set(unmet) == {o.id for o in s.orders if made.get(o.id, 0) < o.quantity}
    for oid, u in unmet.items():
        assert u["unmet_units"] == orders[oid].quantity - made.get(oid, 0) == u["quantity"] - u["planned"]
        assert (u["eligible_sites"] == []) == (u["reason"] == "no_eligible_site")

    settlement = report["settlement"]
    assert sum(line["net"] for line in settlement) == pytest.approx(0.0, abs=0.01 * (len(settlement) + 1))
    assert sum(line["pays_subcontracts"] for line in settlement) == pytest.approx(
        sum(sc["settlement_value"] for sc in subs), abs=0.01)
    assert report["checks"]["ok"]
    assert report["figures"]["objective"]["total"] == pytest.approx(plan.objective, abs=0.01)
    assert report["manual_baseline"]["objective_improvement"] == 0


# ----- the terminal summary ---------------------------------------------------------------------------------------


def test_the_manual_baseline_has_the_figures_of_the_manual_plan_itself() -> None:
    """The plan page's by-hand table (issue 11, item 6): value, worker-days, lent days and pairs of the hand plan."""
    s = (ScenarioBuilder(horizon_days=2, lend_radius_km=5, link_cost=1)
         .firm("A").firm("B", north_km=2, idle=1).firm("C", north_km=4, idle=2)
         .order("o1", owner="A", quantity=30, value=10)
         .order("o2", owner="B", quantity=10, value=3)
         .build())
    manual = manual_plan(s)
    assert manual.production or manual.loans
    own = build_report(s, manual)["figures"]["after"]
    baseline = build_report(s, Plan(status=Status.FEASIBLE), manual=manual)["manual_baseline"]
    assert baseline["value_cleared"] == own["value_cleared"]
    assert baseline["idle_worker_days_used"] == own["idle_worker_days_used"]
    assert baseline["worker_days_lent"] == own["worker_days_lent"]
    assert baseline["linked_pairs"] == own["linked_pairs"] > 0
