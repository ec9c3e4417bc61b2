"""Re-planning: confirmed items stay exactly as they were, declined pairs get no new link, the rest re-optimises."""

from __future__ import annotations

from collections import defaultdict

import pytest

from alliance import LoanRow, Plan, ProductionRow, ReplanConstraints, Scenario, load_scenario
from solver import PinError, solve
from tests.conftest import SCENARIOS_DIR
from tests.factories import ScenarioBuilder, exact_options, solve_and_check

TOL = 1e-6


def subcontract_rows(plan: Plan, scenario: Scenario) -> dict[tuple[str, str], list[ProductionRow]]:
    """Rows of each (order, site other than the owner), sorted by day."""
    groups: dict[tuple[str, str], list[ProductionRow]] = defaultdict(list)
    for row in plan.production:
        if row.site != scenario.order(row.order).owner:
            groups[(row.order, row.site)].append(row)
    return {k: sorted(v, key=lambda r: r.day) for k, v in groups.items()}


def loan_rows(plan: Plan) -> dict[tuple[str, str, str], list[LoanRow]]:
    groups: dict[tuple[str, str, str], list[LoanRow]] = defaultdict(list)
    for loan in plan.loans:
        groups[(loan.skill, loan.lender, loan.borrower)].append(loan)
    return {k: sorted(v, key=lambda r: r.day) for k, v in groups.items()}


def links(plan: Plan, scenario: Scenario) -> set[frozenset[str]]:
    pairs = {frozenset((scenario.order(o).owner, g)) for o, g in subcontract_rows(plan, scenario)}
    pairs |= {frozenset((a, b)) for _s, a, b in loan_rows(plan)}
    return pairs


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario((SCENARIOS_DIR / "tiny-4.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tiny_plan(tiny: Scenario) -> Plan:
    plan = solve_and_check(tiny, exact_options())
    # The re-plan tests below need a first proposal that sub-contracts to two sites and lends.
    assert len(subcontract_rows(plan, tiny)) >= 2
    assert plan.loans
    return plan


# ----- on a shared scenario -------------------------------------------------------------------------


def test_pin_one_subcontract_and_decline_another(tiny: Scenario, tiny_plan: Plan) -> None:
    subs = subcontract_rows(tiny_plan, tiny)
    (kept_key, kept_rows), (declined_key, _rows) = sorted(subs.items())[:2]
    declined_pair = (tiny.order(declined_key[0]).owner, declined_key[1])
    assert frozenset(declined_pair) != frozenset((tiny.order(kept_key[0]).owner, kept_key[1]))
    rc = ReplanConstraints.build(production=kept_rows, forbidden_pairs=[declined_pair])

    plan = solve_and_check(tiny, exact_options(), replan=rc)
    after = subcontract_rows(plan, tiny)
    assert after.get(kept_key) == kept_rows  # exactly the same rows: same days, same units, nothing added
    assert frozenset(declined_pair) not in links(plan, tiny)


def test_pin_the_loans_and_everything_else(tiny: Scenario, tiny_plan: Plan) -> None:
    rc = ReplanConstraints.build(production=tiny_plan.production, loans=tiny_plan.loans)
    plan = solve_and_check(tiny, exact_options(), replan=rc)
    assert loan_rows(plan) == loan_rows(tiny_plan)
    assert subcontract_rows(plan, tiny) == subcontract_rows(tiny_plan, tiny)
    # Everything pinned as it was optimal: the same value.
    assert plan.objective == pytest.approx(tiny_plan.objective, rel=1e-4)


def test_pinned_loan_survives_forbidding_its_pair(tiny: Scenario, tiny_plan: Plan) -> None:
    loan = tiny_plan.loans[0]
    rc = ReplanConstraints.build(loans=[loan], forbidden_pairs=[(loan.lender, loan.borrower)])
    plan = solve_and_check(tiny, exact_options(), replan=rc)
    assert loan_rows(plan)[(loan.skill, loan.lender, loan.borrower)] == [loan]
    # No new item of any kind between the declined pair beyond the confirmed loan.
    pair = frozenset((loan.lender, loan.borrower))
    assert not [k for k in subcontract_rows(plan, tiny) if frozenset((tiny.order(k[0]).owner, k[1])) == pair]
    assert [k for k in loan_rows(plan) if frozenset(k[1:]) == pair] == [(loan.skill, loan.lender, loan.borrower)]


def test_empty_constraints_change_nothing(tiny: Scenario, tiny_plan: Plan) -> None:
    plan = solve_and_check(tiny, exact_options(), replan=ReplanConstraints.build())
    assert plan.objective == pytest.approx(tiny_plan.objective, rel=1e-4)


# ----- small cases with hand-computed values ------------------------------------------------------------


def two_sites() -> Scenario:
    """A has nobody idle; B (2 km) and C (4 km) make 8 units a day each; transport 0.5 per unit-km."""
    return (
        ScenarioBuilder(transport_days=0, lend_radius_km=0.5, transport_cost_per_unit_km=0.5)
        .firm("A")
        .firm("B", idle=1)
        .firm("C", idle=1)
        .distance("A", "B", 2)
        .distance("A", "C", 4)
        .distance("B", "C", 2)
        .order("o1", owner="A", quantity=24, value=10)
        .build()
    )


def test_first_proposal_uses_both_sites() -> None:
    plan = solve_and_check(two_sites())
    # 16 units: 160 - 8 * 2 * 0.5 - 8 * 4 * 0.5
    assert plan.objective == pytest.approx(160 - 8 - 16, abs=TOL)


def test_pinned_subcontract_is_kept_even_below_what_would_pay() -> None:
    # B confirmed 3 units: B must make exactly 3 (not the profitable 8); C still makes 8.
    pinned = [ProductionRow(order="o1", site="B", day=0, quantity=3)]
    s = two_sites()
    plan = solve_and_check(s, replan=ReplanConstraints.build(production=pinned))
    assert subcontract_rows(plan, s)[("o1", "B")] == pinned
    assert plan.objective == pytest.approx(110 - 3 * 2 * 0.5 - 8 * 4 * 0.5, abs=TOL)


def test_forbidden_pair_gets_no_subcontract() -> None:
    s = two_sites()
    plan = solve_and_check(s, replan=ReplanConstraints.build(forbidden_pairs=[("C", "A")]))
    assert set(subcontract_rows(plan, s)) == {("o1", "B")}
    assert plan.objective == pytest.approx(80 - 8, abs=TOL)


def test_pinned_subcontract_stays_when_its_pair_is_forbidden() -> None:
    s = two_sites()
    pinned = [ProductionRow(order="o1", site="B", day=0, quantity=5)]
    plan = solve_and_check(s, replan=ReplanConstraints.build(production=pinned, forbidden_pairs=[("A", "B")]))
    assert subcontract_rows(plan, s)[("o1", "B")] == pinned
    assert plan.objective == pytest.approx(50 - 5 + 80 - 16, abs=TOL)


def lending_two_days() -> Scenario:
    """A (owner, nobody idle) borrows from B (1 worker, 2 km) on either day; commute 1 yuan/km."""
    return (
        ScenarioBuilder(horizon_days=2, lend_radius_km=5, commute_cost_per_km=1.0)
        .firm("A")
        .firm("B", idle=1, processes=["pressing"])
        .firm("C", idle=1, processes=["pressing"])
        .distance("A", "B", 2)
        .distance("A", "C", 3)
        .distance("B", "C", 6)  # beyond the lend radius
        .order("o1", owner="A", quantity=32, value=10)
        .build()
    )


def test_first_lending_proposal_borrows_both_firms_both_days() -> None:
    plan = solve_and_check(lending_two_days())
    assert plan.objective == pytest.approx(320 - 2 * 2 - 2 * 3, abs=TOL)


def test_pinned_loan_is_kept_whole_and_not_extended() -> None:
    # B confirmed one worker on day 0 only: nothing from B on day 1, though it would pay.
    pinned = [LoanRow(skill="forming", lender="B", borrower="A", day=0, workers=1)]
    plan = solve_and_check(lending_two_days(), replan=ReplanConstraints.build(loans=pinned))
    assert loan_rows(plan)[("forming", "B", "A")] == pinned
    assert plan.objective == pytest.approx(240 - 2 - 2 * 3, abs=TOL)


def test_forbidden_pair_gets_no_loan() -> None:
    plan = solve_and_check(lending_two_days(), replan=ReplanConstraints.build(forbidden_pairs=[("A", "C")]))
    assert set(loan_rows(plan)) == {("forming", "B", "A")}
    assert plan.objective == pytest.approx(160 - 2 * 2, abs=TOL)


# ----- pins the rules do not allow ----------------------------------------------------------------------


def test_pin_at_an_ineligible_site_is_refused() -> None:
    s = two_sites()
    d = s.model_dump(mode="json", exclude_none=True)
    d["policy"]["subcontract_radius_km"] = 3  # C at 4 km is now out of reach
    s = load_scenario(d)
    rc = ReplanConstraints.build(production=[ProductionRow(order="o1", site="C", day=0, quantity=2)])
    with pytest.raises(PinError, match="C"):
        solve(s, exact_options(), replan=rc)


def test_pin_on_a_day_outside_the_window_is_refused() -> None:
    s = lending_two_days()
    d = s.model_dump(mode="json", exclude_none=True)
    d["enterprises"][1]["processes"] = ["forming"]
    d["policy"]["transport_days"] = 1
    s = load_scenario(d)
    rc = ReplanConstraints.build(production=[ProductionRow(order="o1", site="B", day=1, quantity=2)])
    with pytest.raises(PinError, match="day 1"):
        solve(s, exact_options(), replan=rc)


def test_pinned_loan_between_firms_that_may_not_lend_is_refused() -> None:
    rc = ReplanConstraints.build(loans=[LoanRow(skill="forming", lender="B", borrower="C", day=0, workers=1)])
    with pytest.raises(PinError, match="rule 5"):
        solve(lending_two_days(), exact_options(), replan=rc)
