"""The checker: each rule 1..9 broken on its own is reported with its number; the objective is recomputed by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from alliance import LoanRow, Plan, ProductionRow, Scenario, Status, check, load_scenario, objective
from alliance.check import linked_pairs, objective_parts
from tests.factories import ScenarioBuilder

Mutation = Callable[[dict[str, Any]], None]


def base_dict() -> dict[str, Any]:
    """A on 0 km, B on 4 km, C on 8 km (exact overrides); one order of A, sub-contracted to B.

    Labour: 60 min a unit, so a worker makes 8 units a day.  Kiln: 0.5 h a unit.
    """
    return (
        ScenarioBuilder(
            horizon_days=3,
            machines=["kiln"],
            lend_radius_km=5,
            subcontract_radius_km=10,
            commute_cost_per_km=1.0,
            transport_cost_per_unit_km=0.5,
            link_cost=100,
            transport_days=1,
            max_subcontractors_per_order=3,
        )
        .firm("A", idle=1, machine_hours={"kiln": 4}, quality_level=1)
        .firm("B", north_km=4, idle=2, lendable=1, machine_hours={"kiln": 3}, quality_level=1)
        .firm("C", north_km=8, idle=1, machine_hours={"kiln": 4}, quality_level=1)
        .distance("A", "B", 4)
        .distance("B", "C", 4)
        .distance("A", "C", 8)
        .order("o1", owner="A", quantity=40, value=10, labor_minutes=60, machine="kiln",
               machine_hours_per_unit=0.5, min_lot=4)
        .to_dict()
    )


BASE_PRODUCTION = [
    ProductionRow(order="o1", site="A", day=0, quantity=8),
    ProductionRow(order="o1", site="A", day=1, quantity=8),
    ProductionRow(order="o1", site="A", day=2, quantity=8),
    ProductionRow(order="o1", site="B", day=0, quantity=6),
]
BASE_LOANS = [LoanRow(skill="forming", lender="C", borrower="B", day=0, workers=1)]
# value 30 units * 10 - transport 6 units * 4 km * 0.5 - commute 1 worker * 4 km * 1.0 - 2 links ({A,B}, {B,C}) * 100
BASE_OBJECTIVE = 300 - 12 - 4 - 200


def plan_of(production: list[ProductionRow], loans: list[LoanRow], reported: float | None = None) -> Plan:
    return Plan(status=Status.FEASIBLE, objective=reported, production=production, loans=loans)


def rules_broken(s: Scenario, production: list[ProductionRow], loans: list[LoanRow]) -> set[int]:
    """Rules reported for the rows, with the plan reporting exactly the rows' value (so rule 9 stays quiet)."""
    honest = plan_of(production, loans, objective(s, plan_of(production, loans)))
    return {v.rule for v in check(s, honest).violations}


def test_base_plan_is_valid_and_worth_the_hand_computed_objective() -> None:
    s = load_scenario(base_dict())
    result = check(s, plan_of(BASE_PRODUCTION, BASE_LOANS, BASE_OBJECTIVE))
    assert result.ok, result.violations
    assert result.objective == pytest.approx(BASE_OBJECTIVE, abs=1e-9)
    assert result.parts.value_delivered == pytest.approx(300)
    assert result.parts.transport_cost == pytest.approx(12)
    assert result.parts.commute_cost == pytest.approx(4)
    assert result.parts.link_cost == pytest.approx(200)
    assert result.parts.linked_pairs == {frozenset("AB"), frozenset("BC")}
    assert result.objective_matches


def test_empty_plan_is_valid_and_worth_nothing() -> None:
    s = load_scenario(base_dict())
    result = check(s, plan_of([], [], 0.0))
    assert result.ok
    assert result.objective == 0


# ----- one rule at a time ------------------------------------------------------------------


def _with(*mutations: Mutation) -> Scenario:
    d = base_dict()
    for m in mutations:
        m(d)
    return load_scenario(d)


def firm(fid: str, **fields: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        [e] = [e for e in d["enterprises"] if e["id"] == fid]
        e.update(fields)

    return mutate


def order(**fields: Any) -> Mutation:
    return lambda d: d["orders"][0].update(fields)


def policy(**fields: Any) -> Mutation:
    return lambda d: d["policy"].update(fields)


def replace_row(rows: list[Any], index: int, row: Any) -> list[Any]:
    return [row if i == index else r for i, r in enumerate(rows)]


P = ProductionRow


def lend(lender: str, borrower: str, day: int, workers: int = 1, skill: str = "forming") -> LoanRow:
    return LoanRow(skill=skill, lender=lender, borrower=borrower, day=day, workers=workers)


NO_MACHINE = order(machine=None, machine_hours_per_unit=0)

CASES: list[tuple[str, int, list[Mutation], list[ProductionRow], list[LoanRow]]] = [
    # rule 1: eligible sites
    ("site beyond the sub-contract radius", 1, [policy(subcontract_radius_km=6)],
     [*BASE_PRODUCTION, P(order="o1", site="C", day=1, quantity=4)], BASE_LOANS),
    ("radius just below the site's distance", 1, [policy(subcontract_radius_km=3.99)], BASE_PRODUCTION, BASE_LOANS),
    ("site refuses sub-contracts", 1, [firm("B", accepts_subcontracts=False)], BASE_PRODUCTION, BASE_LOANS),
    ("site lacks the process", 1, [firm("B", processes=["glazing"])], BASE_PRODUCTION, BASE_LOANS),
    ("site below the quality level", 1, [order(min_quality_level=2), firm("A", quality_level=2)], BASE_PRODUCTION,
     BASE_LOANS),
    ("owner blocks the site", 1, [firm("A", blocked_partners=["B"])], BASE_PRODUCTION, BASE_LOANS),
    ("site blocks the owner", 1, [firm("B", blocked_partners=["A"])], BASE_PRODUCTION, BASE_LOANS),
    ("order not sub-contractable", 1, [order(subcontractable=False)], BASE_PRODUCTION, BASE_LOANS),
    ("owner lacks the process", 1, [firm("A", processes=["glazing"])], BASE_PRODUCTION, BASE_LOANS),
    # rule 2: days
    ("site produces after due - transport_days", 2, [],
     replace_row(BASE_PRODUCTION, 3, P(order="o1", site="B", day=2, quantity=6)), BASE_LOANS),
    ("longer transport shortens the site's window", 2, [policy(transport_days=3)], BASE_PRODUCTION, BASE_LOANS),
    ("owner produces before release", 2, [order(release_day=1)],
     [r for r in BASE_PRODUCTION if r.site == "A"], []),
    ("owner produces after due", 2, [order(due_day=1)], BASE_PRODUCTION, BASE_LOANS),
    # rule 3: quantity
    ("more units than the quantity", 3, [order(quantity=29)], BASE_PRODUCTION, BASE_LOANS),
    # rule 4: labour
    ("owner works past its workers", 4, [firm("A", spare_machine_hours={"kiln": 5})],
     replace_row(BASE_PRODUCTION, 0, P(order="o1", site="A", day=0, quantity=9)), BASE_LOANS),
    ("lent-out worker still counted at home", 4, [], BASE_PRODUCTION, [*BASE_LOANS, lend("A", "B", 1)]),
    ("idle workers of another skill do not count", 4,
     [lambda d: d["skills"].append("glazing"), firm("A", idle_workers={"glazing": 3}, processes=["forming"])],
     BASE_PRODUCTION, BASE_LOANS),
    # rule 5: lending
    ("lender beyond the lend radius", 5, [], BASE_PRODUCTION, [*BASE_LOANS, lend("C", "A", 1)]),
    ("more workers lent than lendable", 5, [], BASE_PRODUCTION, [*BASE_LOANS, lend("B", "A", 1, workers=2)]),
    ("lendable is per day", 5, [firm("C", lendable_workers={"forming": [0, 1, 1]})], BASE_PRODUCTION, BASE_LOANS),
    ("skill not consented for lending", 5, [firm("C", lendable_workers={})], BASE_PRODUCTION, BASE_LOANS),
    ("borrower does not borrow", 5, [firm("B", borrows_workers=False)], BASE_PRODUCTION, BASE_LOANS),
    ("lender blocks the borrower", 5, [firm("C", blocked_partners=["B"])], BASE_PRODUCTION, BASE_LOANS),
    ("a firm lends to itself", 5, [], BASE_PRODUCTION, [*BASE_LOANS, lend("B", "B", 1)]),
    # rule 6: machines
    ("machine hours exceeded at the site", 6, [firm("B", spare_machine_hours={"kiln": 2.5})], BASE_PRODUCTION,
     BASE_LOANS),
    ("machine hours are per day", 6, [firm("A", spare_machine_hours={"kiln": [4, 4, 3.9]})], BASE_PRODUCTION,
     BASE_LOANS),
    ("site without the machine", 6, [firm("B", spare_machine_hours={})], BASE_PRODUCTION, BASE_LOANS),
    # rule 7: lots
    ("lot below min_lot at a site", 7, [],
     replace_row(BASE_PRODUCTION, 3, P(order="o1", site="B", day=0, quantity=3)), BASE_LOANS),
    ("lot counts the site's total over days", 7, [order(min_lot=7)], BASE_PRODUCTION, BASE_LOANS),
    # rule 8: splits
    ("no sub-contractor allowed", 8, [policy(max_subcontractors_per_order=0)], BASE_PRODUCTION, BASE_LOANS),
    ("two sites where one is allowed", 8, [policy(max_subcontractors_per_order=1)],
     [*BASE_PRODUCTION, P(order="o1", site="C", day=1, quantity=4)], BASE_LOANS),
]


def _case_ids() -> list[str]:
    return [f"rule{c[1]}-{c[0]}" for c in CASES]


@pytest.mark.parametrize(("what", "rule", "mutations", "production", "loans"), CASES, ids=_case_ids())
def test_a_plan_breaking_one_rule_is_reported_with_that_rule(
    what: str, rule: int, mutations: list[Mutation], production: list[ProductionRow], loans: list[LoanRow]
) -> None:
    # Every case's control: the rows without the mutation are valid, or the mutation is what breaks them.
    s = _with(*mutations)
    assert rules_broken(s, production, loans) == {rule}


def test_the_base_plan_passes_every_case_s_mutation_free_control() -> None:
    # The cases that only mutate the scenario break the rule through the mutation alone.
    s = load_scenario(base_dict())
    for what, _rule, mutations, production, loans in CASES:
        if mutations and production == BASE_PRODUCTION and loans == BASE_LOANS:
            assert rules_broken(s, production, loans) == set(), what


def test_site_exactly_at_the_radius_is_eligible() -> None:
    s = _with(policy(subcontract_radius_km=4, lend_radius_km=4))
    assert rules_broken(s, BASE_PRODUCTION, BASE_LOANS) == set()


def test_min_lot_above_the_quantity_asks_for_the_whole_quantity() -> None:
    # min(min_lot, quantity): an order of 6 with min_lot 50 may go whole to one site.
    s = _with(order(quantity=6, min_lot=50), firm("A", idle_workers={}))
    whole = [P(order="o1", site="B", day=0, quantity=6)]
    assert rules_broken(s, whole, []) == set()
    assert rules_broken(s, [P(order="o1", site="B", day=0, quantity=5)], []) == {7}


def test_borrowed_workers_add_labour() -> None:
    # B makes 12 units on day 0: 720 minutes, its 2 idle workers give 960, so 1 lent out to A leaves too few
    # unless C's worker comes in.
    s = _with(NO_MACHINE)
    production = [P(order="o1", site="A", day=0, quantity=8), P(order="o1", site="B", day=0, quantity=6),
                  P(order="o1", site="B", day=1, quantity=12)]
    assert rules_broken(s, production, [lend("B", "A", 1)]) == {4}
    assert rules_broken(s, production, [lend("B", "A", 1), lend("C", "B", 1)]) == set()


def test_chain_lending_passes_workers_on() -> None:
    # C lends to B while B lends its own consenting worker on to A: B keeps its labour.
    s = _with(NO_MACHINE)
    production = [P(order="o1", site="A", day=1, quantity=16), P(order="o1", site="B", day=1, quantity=16)]
    assert rules_broken(s, production, [lend("B", "A", 1)]) == {4}
    assert rules_broken(s, production, [lend("B", "A", 1), lend("C", "B", 1)]) == set()


def test_machine_hours_exactly_used_up_are_fine() -> None:
    s = _with(firm("B", spare_machine_hours={"kiln": 3.0}))  # 6 units * 0.5 h
    assert rules_broken(s, BASE_PRODUCTION, BASE_LOANS) == set()


# ----- rule 9 and the objective -----------------------------------------------------------


def test_objective_that_forgets_the_links_is_reported_as_rule_9() -> None:
    s = load_scenario(base_dict())
    result = check(s, plan_of(BASE_PRODUCTION, BASE_LOANS, BASE_OBJECTIVE + 200))
    assert {v.rule for v in result.violations} == {9}
    assert not result.objective_matches


def test_objective_counting_a_pair_twice_is_reported_as_rule_9() -> None:
    # A loan from B to A and the sub-contract of A's order to B link the same pair: one link, not two.
    s = load_scenario(base_dict())
    loans = [lend("B", "A", 1)]
    value = 300 - 12 - 4 * 1.0 * 1 - 100
    assert check(s, plan_of(BASE_PRODUCTION, loans, value)).ok
    result = check(s, plan_of(BASE_PRODUCTION, loans, value - 100))
    assert {v.rule for v in result.violations} == {9}


def test_loans_both_ways_link_one_pair() -> None:
    s = load_scenario(base_dict())
    plan = plan_of([], [lend("B", "C", 1), lend("C", "B", 2, workers=1)])
    assert linked_pairs(plan, s) == {frozenset("BC")}
    parts = objective_parts(s, plan)
    assert parts.commute_cost == pytest.approx(2 * 4 * 1.0)
    assert parts.link_cost == pytest.approx(100)
    assert check(s, plan_of(plan.production, plan.loans, -108)).ok


def test_owner_production_links_nobody() -> None:
    s = load_scenario(base_dict())
    plan = plan_of([r for r in BASE_PRODUCTION if r.site == "A"], [], 240)
    assert linked_pairs(plan, s) == set()
    assert check(s, plan).ok


def test_objective_by_hand_with_an_order_transport_override() -> None:
    # Two orders, three firms: the second order overrides the transport rate.
    s = (
        ScenarioBuilder(horizon_days=2, lend_radius_km=5, commute_cost_per_km=2.0, transport_cost_per_unit_km=0.3,
                        link_cost=7.5)
        .firm("A", idle=1)
        .firm("B", idle=2)
        .firm("C", idle=1)
        .distance("A", "B", 2.5)
        .distance("A", "C", 3.0)
        .distance("B", "C", 1.5)
        .order("o1", owner="A", quantity=10, value=12.5, labor_minutes=60)
        .order("o2", owner="C", quantity=10, value=20.0, labor_minutes=120, transport_cost_per_unit_km=1.0)
        .build()
    )
    production = [
        P(order="o1", site="A", day=0, quantity=8),  # owner: value only
        P(order="o1", site="B", day=0, quantity=2),  # 2 units * 2.5 km * 0.3
        P(order="o2", site="C", day=1, quantity=4),  # owner
        P(order="o2", site="A", day=0, quantity=3),  # 3 units * 3.0 km * 1.0 (override), with a worker from B
    ]
    loans = [lend("B", "A", 0)]  # 1 worker * 2.5 km * 2.0
    value = 8 * 12.5 + 2 * 12.5 + 4 * 20 + 3 * 20
    transport = 2 * 2.5 * 0.3 + 3 * 3.0 * 1.0
    commute = 1 * 2.5 * 2.0
    links = 7.5 * 2  # {A,B} (sub-contract and loan), {A,C}
    expected = value - transport - commute - links
    result = check(s, plan_of(production, loans, expected))
    assert result.ok, result.violations
    assert result.objective == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(265.0 - 10.5 - 5.0 - 15.0)


# ----- malformed rows: rule 0 ----------------------------------------------------------------

MALFORMED: list[tuple[str, list[ProductionRow], list[LoanRow], str]] = [
    ("unknown order", [P(order="o9", site="A", day=0, quantity=1)], [], "o9"),
    ("unknown site", [P(order="o1", site="Z", day=0, quantity=1)], [], "Z"),
    ("production day outside the horizon", [P(order="o1", site="A", day=3, quantity=1)], [], "3"),
    ("loan of an unknown skill", [], [lend("C", "B", 0, skill="welding")], "welding"),
    ("loan from an unknown firm", [], [lend("Z", "B", 0)], "Z"),
    ("loan to an unknown firm", [], [lend("C", "Z", 0)], "Z"),
    ("loan day outside the horizon", [], [lend("C", "B", 5)], "5"),
    ("two rows for one production decision",
     [P(order="o1", site="A", day=0, quantity=1), P(order="o1", site="A", day=0, quantity=1)], [], "day 0"),
]


@pytest.mark.parametrize(("what", "production", "loans", "named"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_row_is_rule_0_and_names_the_value(
    what: str, production: list[ProductionRow], loans: list[LoanRow], named: str
) -> None:
    s = load_scenario(base_dict())
    violations = check(s, plan_of(production, loans)).violations
    assert {v.rule for v in violations} == {0}, violations
    assert any(named in v.message for v in violations), violations


def test_two_rows_for_one_loan_decision_are_rule_0() -> None:
    # Both rows still count towards what C lends (2 > 1 lendable): the duplicate must not hide that.
    s = load_scenario(base_dict())
    violations = check(s, plan_of([], [lend("C", "B", 0), lend("C", "B", 0)])).violations
    assert {v.rule for v in violations} == {0, 5}
    assert any(v.rule == 0 and "second row" in v.message for v in violations)


def test_bound_below_the_objective_is_reported() -> None:
    s = load_scenario(base_dict())
    plan = plan_of(BASE_PRODUCTION, BASE_LOANS, BASE_OBJECTIVE)
    plan.bound = BASE_OBJECTIVE - 1
    assert {v.rule for v in check(s, plan).violations} == {0}
    plan.bound = BASE_OBJECTIVE
    assert check(s, plan).ok


def test_plan_without_a_reported_objective_is_checked_on_rows_only() -> None:
    s = load_scenario(base_dict())
    result = check(s, plan_of(BASE_PRODUCTION, BASE_LOANS, None))
    assert result.ok
    assert not result.objective_matches
    assert result.objective == pytest.approx(BASE_OBJECTIVE)


def test_plan_read_from_json_uses_from_and_to() -> None:
    s = load_scenario(base_dict())
    plan = Plan.model_validate({
        "status": "FEASIBLE",
        "objective": BASE_OBJECTIVE,
        "production": [r.model_dump() for r in BASE_PRODUCTION],
        "loans": [{"skill": "forming", "from": "C", "to": "B", "day": 0, "workers": 1}],
    })
    assert check(s, plan).ok
    assert plan.canonical()["loans"][0]["from"] == "C"
