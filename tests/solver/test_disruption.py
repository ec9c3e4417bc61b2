"""Minimal-disruption re-planning: unanswered items stay unless a change earns its penalty (solver/preference.py,
solver/disruption.py), measured on hand-sized cases and on the demo park after one decline."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance import Plan, ProductionRow, ReplanConstraints, Scenario, check, load_scenario
from alliance.replan import DEFAULT_CHANGE_PENALTY
from solver import SolveOptions, solve
from solver.preference import compare_with_preferred, item_rows, replan_start
from solver.run import build_candidates, build_model
from tests.factories import ScenarioBuilder, exact_options, solve_and_check

TOL = 1e-6
DEMO = Path(__file__).resolve().parents[2] / "examples" / "dehua-24.json"
# solve(DEMO, SolveOptions(time_limit_s=120, threads=2, relative_gap=1e-4)), Plan.canonical() as JSON.
APPROVED = Path(__file__).resolve().parent / "plans" / "dehua-24-approved.json"


def far_and_near() -> Scenario:
    """A (no idle workers) has 8 units of o1 worth 10 each; B at 2 km and C at 4 km can each make all 8.

    Transport 0.5 per unit-km: 8 units cost 8 yuan from B and 16 from C, so B is better by 8 yuan.
    """
    return (
        ScenarioBuilder(transport_days=0, lend_radius_km=0.5, transport_cost_per_unit_km=0.5)
        .firm("A")
        .firm("B", idle=1)
        .firm("C", idle=1)
        .distance("A", "B", 2)
        .distance("A", "C", 4)
        .distance("B", "C", 2)
        .order("o1", owner="A", quantity=8, value=10)
        .build()
    )


def one_site() -> Scenario:
    """A (no idle workers) has 8 units worth 10; C at 4 km makes them at 2 yuan transport each; no lending."""
    return (ScenarioBuilder(transport_days=0, lend_radius_km=0.5, transport_cost_per_unit_km=0.5)
            .firm("A").firm("C", idle=1).distance("A", "C", 4).order("o1", owner="A", quantity=8, value=10).build())


AT_C = [ProductionRow(order="o1", site="C", day=0, quantity=8)]


def test_a_penalty_above_the_gain_keeps_the_preferred_item() -> None:
    rc = ReplanConstraints.build(preferred_production=AT_C, change_penalty=10)
    plan = solve_and_check(far_and_near(), exact_options(), replan=rc)
    assert item_rows(far_and_near(), plan.production, plan.loans) == {"subcontract:o1:C": [(0, 8)]}
    assert plan.objective == pytest.approx(80 - 16, abs=TOL)
    d = plan.disruption  # type: ignore[attr-defined]
    assert d["kept"] == ["subcontract:o1:C"] and d["changed"] == [] and d["removed"] == []
    # The unrestricted re-plan of the same job moves the work to B: 8 yuan more, and it is proven.
    assert d["unrestricted_objective"] == pytest.approx(72, abs=0.01)
    assert d["value_given_up"] == pytest.approx(8, abs=0.01)
    assert plan.bound == pytest.approx(72, abs=TOL)


def test_a_penalty_below_the_gain_lets_the_item_move() -> None:
    rc = ReplanConstraints.build(preferred_production=AT_C, change_penalty=5)
    plan = solve_and_check(far_and_near(), exact_options(), replan=rc)
    assert item_rows(far_and_near(), plan.production, plan.loans) == {"subcontract:o1:B": [(0, 8)]}
    d = plan.disruption  # type: ignore[attr-defined]
    assert d["removed"] == ["subcontract:o1:C"] and d["added"] == ["subcontract:o1:B"]
    assert d["value_given_up"] == pytest.approx(0, abs=0.01)


def test_a_changed_quantity_counts_as_a_change() -> None:
    # Previously C made 5 of the 8 units; making all 8 there earns 3 * (10 - 2) = 24 more.
    rows = [ProductionRow(order="o1", site="C", day=0, quantity=5)]
    s = one_site()
    kept = solve_and_check(s, exact_options(), replan=ReplanConstraints.build(preferred_production=rows,
                                                                               change_penalty=30))
    assert compare_with_preferred(s, kept, ReplanConstraints.build(preferred_production=rows))["kept"] == [
        "subcontract:o1:C"]
    moved = solve_and_check(s, exact_options(), replan=ReplanConstraints.build(preferred_production=rows,
                                                                                change_penalty=20))
    assert moved.disruption["changed"] == ["subcontract:o1:C"]  # type: ignore[attr-defined]
    assert moved.objective == pytest.approx(64, abs=TOL)


def test_a_declined_pair_keeps_an_unanswered_item_whole_but_gets_nothing_more() -> None:
    # A declined another item with C; the unanswered 5 units at C stay exactly 5, though 8 would pay more.
    rows = [ProductionRow(order="o1", site="C", day=0, quantity=5)]
    s = one_site()
    for penalty in (0.0, 50.0):
        rc = ReplanConstraints.build(forbidden_pairs=[("A", "C")], preferred_production=rows, change_penalty=penalty)
        plan = solve_and_check(s, exact_options(), replan=rc)
        assert item_rows(s, plan.production, plan.loans) == {"subcontract:o1:C": [(0, 5)]}


def test_the_previous_plan_starts_the_search_when_a_declined_pair_keeps_an_item() -> None:
    # A declined another item with C; the start (the previous plan) still holds the unanswered 5 units at C, which
    # the model keeps whole or drops (an equality row): the start must set that item's keep indicator to hold.
    s = one_site()
    rows = [ProductionRow(order="o1", site="C", day=0, quantity=5)]
    rc = ReplanConstraints.build(forbidden_pairs=[("A", "C")], preferred_production=rows,
                                 change_penalty=DEFAULT_CHANGE_PENALTY, start_production=rows)
    milp, v = build_model(s, build_candidates(s), rc)
    start = replan_start(s, milp, v, rc)
    assert start is not None and milp.is_feasible(start)
    assert [start[k] for k in v.keep.values()] == [1.0]


def test_without_preferred_items_nothing_changes() -> None:
    plan = solve_and_check(far_and_near(), exact_options(), replan=ReplanConstraints.build(change_penalty=200))
    assert not hasattr(plan, "disruption") or plan.disruption is None  # type: ignore[attr-defined]
    assert plan.objective == pytest.approx(72, abs=TOL)


# ----- the demo park -------------------------------------------------------------------------------------------


def _pair_of(s: Scenario, key: str) -> tuple[str, str]:
    kind, *parts = key.split(":")
    return (s.order(parts[0]).owner, parts[1]) if kind == "subcontract" else (parts[1], parts[2])


@pytest.mark.slow
def test_one_decline_on_the_demo_park_moves_at_most_five_items() -> None:
    """Issue 11's target: one declined item changes or removes at most 5 others, keeping >= 99% of the value.

    The approved plan is a saved one (a 120 s solve, gap 0.41%), as in a real round: solved here in 12 s on a
    loaded machine it came out 1.6% weaker, and the re-plan then rightly moved 6 items to win that back."""
    s = load_scenario(DEMO.read_text(encoding="utf-8"))
    first = Plan.model_validate_json(APPROVED.read_text(encoding="utf-8"))
    assert check(s, first).ok, "the saved plan no longer keeps the rules: re-solve it as APPROVED's comment says"
    options = SolveOptions(time_limit_s=12, threads=1, relative_gap=1e-3)
    items = item_rows(s, first.production, first.loans)
    # A sub-contract of the middle of the list: a representative item, not the first one a test would pick.
    declined = sorted(k for k in items if k.startswith("subcontract:"))[len(items) // 4]
    pending = [r for r in first.production
               if r.site != s.order(r.order).owner and f"subcontract:{r.order}:{r.site}" != declined]
    loans = list(first.loans)
    rc = ReplanConstraints.build(forbidden_pairs=[_pair_of(s, declined)], preferred_production=pending,
                                 preferred_loans=loans, change_penalty=DEFAULT_CHANGE_PENALTY,
                                 start_production=first.production, start_loans=first.loans)
    plan = solve(s, options, replan=rc, with_report=False)
    assert first.objective is not None and plan.objective is not None
    d = plan.disruption  # type: ignore[attr-defined]
    moved = d["changed"] + d["removed"]
    print(f"\ndeclined {declined}: {len(moved)} of {d['preferred']} moved ({moved}), {len(d['added'])} added; "
          f"value {plan.objective:,.0f} / {first.objective:,.0f} = {plan.objective / first.objective:.4f}; "
          f"unrestricted {d['unrestricted_objective']:,.0f} ({d['unrestricted_moves']} moved)")
    assert len(moved) <= 5
    assert plan.objective >= 0.99 * first.objective
