"""Saved edge-case scenarios with optima computed by exhaustive enumeration (and by hand, below).

* ``at-radius``: B sits exactly at the sub-contract radius (10 km) and C exactly at
  the lend radius (6 km); D and E are 1 m further out.  A (nobody idle) makes 8 with
  C's worker (80 - 6 commute) and B makes 8 (80 - 8 transport): 146.  Counting D and
  E as well would give 146 + 72 + 74.
* ``chain-lending``: a lends to b while b lends its own worker on to c (a and c are
  8 km apart, beyond the 5 km lend radius).  Both orders are made: 80 + 96 - 4 - 4 = 168.
* ``lot-above-quantity``: o1 (4 units, min_lot 50) may go whole to one site since the
  lot is min(min_lot, quantity) = 4: 40 - 5 link.  o2's lot of 6 is out of reach of
  any one site's 4 units a day: 0.  Total 35.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from alliance import load_scenario
from tests.factories import exact_options, solve_and_check
from tests.solver.test_bruteforce import BruteForce

SCENARIOS = Path(__file__).parent / "scenarios"
EXPECTED = {
    "at-radius.json": 146.0,
    "chain-lending.json": 168.0,
    "lot-above-quantity.json": 35.0,
}


def test_every_saved_scenario_has_an_expected_value() -> None:
    assert {p.name for p in SCENARIOS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_saved_scenario_solves_to_its_known_optimum(name: str) -> None:
    s = load_scenario((SCENARIOS / name).read_text(encoding="utf-8"))
    plan = solve_and_check(s, exact_options())
    assert plan.objective == pytest.approx(EXPECTED[name], abs=1e-6)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_value_is_the_exhaustive_optimum(name: str) -> None:
    # The saved number is not taken on trust: the enumeration recomputes it.
    s = load_scenario((SCENARIOS / name).read_text(encoding="utf-8"))
    value, _plan = BruteForce(s).best()
    assert value == pytest.approx(EXPECTED[name], abs=1e-9)


def test_chain_lending_plan_passes_workers_along() -> None:
    s = load_scenario((SCENARIOS / "chain-lending.json").read_text(encoding="utf-8"))
    plan = solve_and_check(s, exact_options())
    assert {(loan.lender, loan.borrower, loan.workers) for loan in plan.loans} == {("a", "b", 1), ("b", "c", 1)}


def test_firms_exactly_at_the_radius_are_used_and_those_beyond_are_not() -> None:
    s = load_scenario((SCENARIOS / "at-radius.json").read_text(encoding="utf-8"))
    plan = solve_and_check(s, exact_options())
    assert {r.site for r in plan.production} == {"A", "B"}
    assert {(loan.lender, loan.borrower) for loan in plan.loans} == {("C", "A")}
