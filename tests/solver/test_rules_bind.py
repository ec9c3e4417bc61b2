"""Each rule 1-9 binds in the solver: the rule is all that stands between the plan and a more valuable one.

For every rule a tiny scenario is solved twice: as given (the optimum by hand
respects the rule) and with the rule relaxed in the data (the optimum by hand
goes strictly up).  Both plans must pass the checker and report the hand value.

Unit of labour used throughout: 60 minutes a unit, so one worker makes 8 units a day.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from alliance import Plan, Scenario
from tests.factories import ScenarioBuilder, exact_options, solve_and_check

TOL = 1e-6


def solve_exact(s: Scenario) -> Plan:
    return solve_and_check(s, exact_options(time_limit_s=10))


def assert_binds(restricted: Scenario, relaxed: Scenario, value_with_rule: float, value_relaxed: float) -> Plan:
    """Solve both; each hits its hand optimum, and the rule costs something.  Returns the restricted plan."""
    assert value_with_rule < value_relaxed, "test set-up: the rule must cost something"
    plan = solve_exact(restricted)
    assert plan.objective == pytest.approx(value_with_rule, abs=TOL)
    loose = solve_exact(relaxed)
    assert loose.objective == pytest.approx(value_relaxed, abs=TOL)
    return plan


def sites_of(plan: Plan, order: str) -> set[str]:
    return {r.site for r in plan.production if r.order == order}


# ----- rule 1: eligible sites ------------------------------------------------------------------


def eligibility_case(**change: object) -> Scenario:
    """A (owner, 1 worker) and B 20 km away (1 worker); 24 units due on day 1, lending out of reach.

    With B eligible: A makes 8 + 8, B makes 8 on day 0 (day 1 is the transport day): 240.  Without: 160.
    """
    b: dict[str, object] = {"idle": 1, "quality_level": 1}
    a: dict[str, object] = {"idle": 1}
    o: dict[str, object] = {}
    radius = 25.0
    for key, value in change.items():
        target, field = key.split("__")
        if target == "b":
            b[field] = value
        elif target == "a":
            a[field] = value
        elif target == "o":
            o[field] = value
        else:
            radius = float(value)  # type: ignore[arg-type]
    return (
        ScenarioBuilder(horizon_days=2, subcontract_radius_km=radius, lend_radius_km=5, transport_days=1)
        .firm("A", **a)  # type: ignore[arg-type]
        .firm("B", north_km=20, **b)  # type: ignore[arg-type]
        .order("o1", owner="A", quantity=24, value=10, **o)  # type: ignore[arg-type]
        .build()
    )


ELIGIBILITY: list[tuple[str, dict[str, object]]] = [
    ("radius", {"policy__radius": 15.0}),
    ("quality", {"o__min_quality_level": 2}),
    ("refuses sub-contracts", {"b__accepts_subcontracts": False}),
    ("lacks the process", {"b__processes": ["pressing"]}),
    ("owner blocks", {"a__blocked_partners": ["B"]}),
    ("site blocks", {"b__blocked_partners": ["A"]}),
    ("not sub-contractable", {"o__subcontractable": False}),
]


@pytest.mark.parametrize("change", [c[1] for c in ELIGIBILITY], ids=[c[0] for c in ELIGIBILITY])
def test_rule1_ineligible_site_gets_nothing(change: dict[str, object]) -> None:
    plan = assert_binds(eligibility_case(**change), eligibility_case(), 160, 240)
    assert sites_of(plan, "o1") == {"A"}


def test_rule1_owner_without_the_process_produces_nothing_itself() -> None:
    # A cannot run the process: only B's day 0 remains (80); with the process A adds 16 units.
    restricted = eligibility_case(a__processes=["pressing"])
    plan = assert_binds(restricted, eligibility_case(), 80, 240)
    assert sites_of(plan, "o1") == {"B"}


# ----- rule 2: days --------------------------------------------------------------------------


def owner_days_case(release: int, due: int) -> Scenario:
    return (
        ScenarioBuilder(horizon_days=3)
        .firm("A", idle=1)
        .order("o1", owner="A", quantity=24, value=10, release_day=release, due_day=due)
        .build()
    )


def test_rule2_release_day_binds() -> None:
    plan = assert_binds(owner_days_case(1, 2), owner_days_case(0, 2), 160, 240)
    assert min(r.day for r in plan.production) == 1


def test_rule2_due_day_binds_at_the_owner() -> None:
    plan = assert_binds(owner_days_case(0, 1), owner_days_case(0, 2), 160, 240)
    assert max(r.day for r in plan.production) == 1


def transport_case(transport_days: int) -> Scenario:
    # A has nobody idle; B (2 km, 1 worker, lending out of reach) works for A; the order is due on day 1.
    return (
        ScenarioBuilder(horizon_days=2, transport_days=transport_days, lend_radius_km=0.5)
        .firm("A")
        .firm("B", north_km=2, idle=1)
        .order("o1", owner="A", quantity=24, value=10)
        .build()
    )


def test_rule2_transport_days_bind_away_from_the_owner() -> None:
    plan = assert_binds(transport_case(1), transport_case(0), 80, 160)
    assert {r.day for r in plan.production} == {0}


def test_rule2_transport_days_can_shut_a_site_out() -> None:
    plan = solve_exact(transport_case(2))
    assert plan.objective == pytest.approx(0, abs=TOL)
    assert plan.production == []


# ----- rule 3: quantity ------------------------------------------------------------------------


def quantity_case(quantity: int) -> Scenario:
    return ScenarioBuilder().firm("A", idle=2).order("o1", owner="A", quantity=quantity, value=10).build()


def test_rule3_quantity_binds() -> None:
    plan = assert_binds(quantity_case(5), quantity_case(10), 50, 100)
    assert sum(r.quantity for r in plan.production) == 5


def test_rule3_quantity_spans_sites_and_days() -> None:
    # A and B (3 km) could make 8 a day each over two days (24 counting B's day 0): the order takes 13.
    s = (
        ScenarioBuilder(horizon_days=2, lend_radius_km=0.5)
        .firm("A", idle=1)
        .firm("B", north_km=3, idle=1)
        .order("o1", owner="A", quantity=13, value=10)
        .build()
    )
    plan = solve_exact(s)
    assert plan.objective == pytest.approx(130, abs=TOL)
    assert sum(r.quantity for r in plan.production) == 13


# ----- rule 4: labour --------------------------------------------------------------------------


def labour_case(forming_workers: int, glazing_workers: int = 0) -> Scenario:
    return (
        ScenarioBuilder(skills=["forming", "glazing"])
        .firm("A", idle={"forming": forming_workers, "glazing": glazing_workers})
        .order("o1", owner="A", quantity=20, value=10)
        .build()
    )


def test_rule4_labour_binds() -> None:
    assert_binds(labour_case(1), labour_case(2), 80, 160)


def test_rule4_workers_of_another_skill_do_not_help() -> None:
    assert_binds(labour_case(1, glazing_workers=5), labour_case(2), 80, 160)


def test_rule4_fractional_minutes_round_down_to_whole_units() -> None:
    # 480 / 70 = 6.86: six units fit, the seventh would need 490 minutes.
    s = ScenarioBuilder().firm("A", idle=1).order("o1", owner="A", quantity=20, value=10, labor_minutes=70).build()
    assert solve_exact(s).objective == pytest.approx(60, abs=TOL)


def test_rule4_workday_minutes_set_the_capacity() -> None:
    s = (
        ScenarioBuilder(workday_minutes=600)
        .firm("A", idle=1)
        .order("o1", owner="A", quantity=20, value=10)
        .build()
    )
    assert solve_exact(s).objective == pytest.approx(100, abs=TOL)


# ----- rule 5: lending ---------------------------------------------------------------------------


def lending_case(
    lend_radius: float = 10,
    b_idle: int = 1,
    b_lendable: int | None = None,
    a_borrows: bool = True,
    blocked: bool = False,
) -> Scenario:
    """A (owner, 1 worker) and B 8 km away with idle workers but not the process; commute 1 yuan/km.

    Each worker B lends makes A 8 more units (80) for 8 yuan of commute.
    """
    builder = (
        ScenarioBuilder(lend_radius_km=lend_radius, commute_cost_per_km=1.0)
        .firm("A", idle=1, borrows_workers=a_borrows)
        .firm("B", idle=b_idle, lendable=b_lendable, processes=["pressing"],
              blocked_partners=["A"] if blocked else [])
        .distance("A", "B", 8)
        .order("o1", owner="A", quantity=24, value=10)
    )
    return builder.build()


LENDING: list[tuple[str, Scenario]] = [
    ("radius", lending_case(lend_radius=5)),
    ("not consenting", lending_case(b_lendable=0)),
    ("borrower does not borrow", lending_case(a_borrows=False)),
    ("blocked", lending_case(blocked=True)),
]


@pytest.mark.parametrize("restricted", [c[1] for c in LENDING], ids=[c[0] for c in LENDING])
def test_rule5_lending_pair_conditions_bind(restricted: Scenario) -> None:
    plan = assert_binds(restricted, lending_case(), 80, 152)
    assert plan.loans == []


def test_rule5_lendable_count_binds() -> None:
    # B has 2 idle, 1 consenting: one loan (80 - 8); with both consenting, two (160 - 16).
    plan = assert_binds(lending_case(b_idle=2, b_lendable=1), lending_case(b_idle=2), 152, 224)
    assert sum(loan.workers for loan in plan.loans) == 1


def test_rule5_radius_is_inclusive() -> None:
    plan = solve_exact(lending_case(lend_radius=8))
    assert plan.objective == pytest.approx(152, abs=TOL)


def test_rule5_lending_is_not_worth_more_than_it_costs() -> None:
    # Commute 11 yuan/km * 8 km = 88 per worker-day > 80 of value: no loan.
    s = (
        ScenarioBuilder(commute_cost_per_km=11)
        .firm("A", idle=1)
        .firm("B", idle=1, processes=["pressing"])
        .distance("A", "B", 8)
        .order("o1", owner="A", quantity=24, value=10)
        .build()
    )
    plan = solve_exact(s)
    assert plan.objective == pytest.approx(80, abs=TOL)
    assert plan.loans == []


# ----- rule 6: machines --------------------------------------------------------------------------


def machine_case(kiln_hours: float) -> Scenario:
    return (
        ScenarioBuilder(machines=["kiln"])
        .firm("A", idle=1, machine_hours={"kiln": kiln_hours})
        .order("o1", owner="A", quantity=20, value=10, machine="kiln", machine_hours_per_unit=1.0)
        .build()
    )


def test_rule6_machine_hours_bind() -> None:
    plan = assert_binds(machine_case(5), machine_case(10), 50, 80)
    assert sum(r.quantity for r in plan.production) == 5


def test_rule6_machine_hours_bind_at_the_site_too() -> None:
    # A has nobody idle; B (2 km) has 2 workers but 2.5 kiln hours: 5 units at half an hour each.
    def case(hours: float) -> Scenario:
        return (
            ScenarioBuilder(machines=["kiln"], transport_days=0, lend_radius_km=0.5)
            .firm("A", machine_hours={"kiln": 100})
            .firm("B", north_km=2, idle=2, machine_hours={"kiln": hours})
            .order("o1", owner="A", quantity=20, value=10, machine="kiln", machine_hours_per_unit=0.5)
            .build()
        )

    assert_binds(case(2.5), case(100), 50, 160)


# ----- rule 7: lots --------------------------------------------------------------------------------


def lot_case(min_lot: int, quantity: int = 10) -> Scenario:
    """A and B (2 km) each make 4 units a day (120 min a unit); B's share must reach the minimum lot."""
    return (
        ScenarioBuilder(transport_days=0, lend_radius_km=0.5)
        .firm("A", idle=1)
        .firm("B", north_km=2, idle=1)
        .order("o1", owner="A", quantity=quantity, value=10, labor_minutes=120, min_lot=min_lot)
        .build()
    )


def test_rule7_minimum_lot_binds() -> None:
    plan = assert_binds(lot_case(5), lot_case(4), 40, 80)
    assert sites_of(plan, "o1") == {"A"}
    assert solve_exact(lot_case(1)).objective == pytest.approx(80, abs=TOL)


def test_rule7_lot_is_capped_by_the_quantity() -> None:
    # quantity 4 < min_lot 50: min(min_lot, quantity) = 4, and A with nobody idle sends all 4 to B.
    s = (
        ScenarioBuilder(transport_days=0, lend_radius_km=0.5)
        .firm("A")
        .firm("B", north_km=2, idle=1)
        .order("o1", owner="A", quantity=4, value=10, labor_minutes=120, min_lot=50)
        .build()
    )
    plan = solve_exact(s)
    assert plan.objective == pytest.approx(40, abs=TOL)
    assert sites_of(plan, "o1") == {"B"}


def test_rule7_lot_is_summed_over_days() -> None:
    # B makes 4 a day over two days: 8 >= min_lot 6 is only reachable across days.
    s = (
        ScenarioBuilder(horizon_days=2, transport_days=0, lend_radius_km=0.5)
        .firm("A")
        .firm("B", north_km=2, idle=1)
        .order("o1", owner="A", quantity=20, value=10, labor_minutes=120, min_lot=6)
        .build()
    )
    plan = solve_exact(s)
    assert plan.objective == pytest.approx(80, abs=TOL)
    assert {r.day for r in plan.production} == {0, 1}


# ----- rule 8: splits --------------------------------------------------------------------------------


def split_case(max_subcontractors: int) -> Scenario:
    """A has nobody idle; B, C and D (2, 3, 4 km) make 8 each; 24 units wanted."""
    return (
        ScenarioBuilder(transport_days=0, lend_radius_km=0.5, max_subcontractors_per_order=max_subcontractors)
        .firm("A")
        .firm("B", north_km=2, idle=1)
        .firm("C", north_km=3, idle=1)
        .firm("D", north_km=4, idle=1)
        .order("o1", owner="A", quantity=24, value=10)
        .build()
    )


def test_rule8_split_limit_binds() -> None:
    plan = assert_binds(split_case(2), split_case(3), 160, 240)
    assert len(sites_of(plan, "o1")) == 2


def test_rule8_zero_subcontractors_keeps_the_order_home() -> None:
    assert_binds(split_case(0), split_case(1), 0, 80)


def test_rule8_counts_sites_per_order_not_per_alliance() -> None:
    # Two orders with a limit of 1 each may use two different sites.
    s = (
        ScenarioBuilder(transport_days=0, lend_radius_km=0.5, max_subcontractors_per_order=1)
        .firm("A")
        .firm("B", north_km=2, idle=1)
        .firm("C", north_km=3, idle=1)
        .order("o1", owner="A", quantity=8, value=10)
        .order("o2", owner="A", quantity=8, value=10)
        .build()
    )
    plan = solve_exact(s)
    assert plan.objective == pytest.approx(160, abs=TOL)
    assert len(sites_of(plan, "o1")) == len(sites_of(plan, "o2")) == 1


# ----- rule 9: links ------------------------------------------------------------------------------------


def link_case(link_cost: float, orders: int = 1, quantity: int = 8) -> Scenario:
    builder = (
        ScenarioBuilder(transport_days=0, lend_radius_km=0.5, link_cost=link_cost)
        .firm("A")
        .firm("B", north_km=2, idle=1)
    )
    for k in range(orders):
        builder.order(f"o{k + 1}", owner="A", quantity=quantity, value=10)
    return builder.build()


def test_rule9_link_cost_binds() -> None:
    assert_binds(link_case(50), link_case(0), 80 - 50, 80)


def test_rule9_a_link_dearer_than_its_value_is_not_made() -> None:
    plan = assert_binds(link_case(100), link_case(0), 0, 80)
    assert plan.production == []


def test_rule9_one_pair_is_paid_once_however_many_items_link_it() -> None:
    # Two orders of 4 units both go to B: one link (80 - 50 = 30).  Paying per item would make
    # any single order (40 - 50) a loss and the optimum 0.
    plan = assert_binds(link_case(50, orders=2, quantity=4), link_case(0, orders=2, quantity=4), 30, 80)
    assert sites_of(plan, "o1") == sites_of(plan, "o2") == {"B"}


def test_rule9_loan_and_subcontract_share_the_pair_link() -> None:
    # Day 0: B makes A's order (sub-contract).  Day 1: A's own second order needs B's worker at A
    # (B lacks that process).  One link for both: 80 + 80 - 2 km commute - 60 link.
    s = (
        ScenarioBuilder(horizon_days=2, skills=["forming", "glazing"], transport_days=0, lend_radius_km=5,
                        commute_cost_per_km=1.0, link_cost=60)
        .firm("A", processes=["forming", "glazing"])
        .firm("B", north_km=2, idle={"forming": [1, 0], "glazing": [0, 1]}, processes=["forming"])
        .distance("A", "B", 2)
        .order("o1", owner="A", quantity=8, value=10, due_day=0)
        .order("o2", owner="A", quantity=8, value=10, skill="glazing", release_day=1)
        .build()
    )
    plan = solve_exact(s)
    assert plan.objective == pytest.approx(160 - 2 - 60, abs=TOL)
    assert len(plan.loans) == 1


# ----- several rules at once, each with its own hand value -------------------------------------------------


RELAXATIONS: list[tuple[str, Callable[[], Scenario], float]] = [
    ("subcontract radius", lambda: eligibility_case(policy__radius=15.0), 160),
    ("release", lambda: owner_days_case(1, 2), 160),
    ("quantity", lambda: quantity_case(5), 50),
    ("labour", lambda: labour_case(1), 80),
    ("lend radius", lambda: lending_case(lend_radius=5), 80),
    ("machines", lambda: machine_case(5), 50),
    ("lots", lambda: lot_case(5), 40),
    ("splits", lambda: split_case(2), 160),
    ("links", lambda: link_case(50), 30),
]


@pytest.mark.parametrize(("make", "expected"), [(r[1], r[2]) for r in RELAXATIONS], ids=[r[0] for r in RELAXATIONS])
def test_bound_is_tight_on_the_restricted_cases(make: Callable[[], Scenario], expected: float) -> None:
    # These are proven optima: the bound must not claim that more is possible.
    plan = solve_exact(make())
    assert plan.bound is not None
    assert plan.bound == pytest.approx(expected, abs=1e-4)
