"""The reliability extension (docs/solver.md): absent or at its defaults it changes no plan; a floor shuts the
firms below it out as sites and borrowers (solver, hand matching and check() agree); a discount lowers the value
of work placed with a less reliable maker, in the solver's objective and in objective()."""

from __future__ import annotations

import json
from typing import Any

import pytest

from alliance.check import check, objective
from alliance.manual import manual_plan
from alliance.scenario import load_scenario
from solver import SolveOptions, solve
from tests.conftest import SCENARIOS_DIR

OPTIONS = SolveOptions(time_limit_s=10, threads=1)
SMALL = ["tiny-4.json", "small-8.json", "tight-8.json"]


def data(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((SCENARIOS_DIR / name).read_text(encoding="utf-8"))
    return result


def rows(plan: Any) -> tuple[list[Any], list[Any]]:
    return ([r.model_dump() for r in plan.production], [r.model_dump(by_alias=True) for r in plan.loans])


def busiest_site(plan: Any, scenario: Any) -> str:
    """The firm other than an order's owner that makes the most sub-contracted units in the plan."""
    units: dict[str, int] = {}
    for r in plan.production:
        if r.site != scenario.order(r.order).owner:
            units[r.site] = units.get(r.site, 0) + r.quantity
    assert units, "the scenario's plan sub-contracts nothing"
    return max(units, key=lambda k: units[k])


@pytest.mark.parametrize("name", SMALL)
def test_defaults_and_figures_alone_change_no_plan(name: str) -> None:
    base = load_scenario(data(name))
    with_fields = data(name)
    with_fields["policy"] = {**with_fields.get("policy", {}), "reliability_floor": 0.0, "reliability_discount": 0.0}
    for i, e in enumerate(with_fields["enterprises"]):
        e["reliability"] = [0.0, 0.5, 1.0][i % 3]  # figures without a rule that uses them
    extended = load_scenario(with_fields)
    plan, plan2 = solve(base, OPTIONS), solve(extended, OPTIONS)
    assert rows(plan) == rows(plan2)
    assert plan.objective is not None and plan2.objective is not None
    assert plan.objective == pytest.approx(plan2.objective, abs=1e-9)
    assert objective(extended, plan) == objective(base, plan)
    assert rows(manual_plan(base)) == rows(manual_plan(extended))


def test_a_floor_shuts_the_unreliable_firm_out() -> None:
    raw = data("small-8.json")
    base = load_scenario(raw)
    plan = solve(base, OPTIONS)
    victim = busiest_site(plan, base)
    borrowers = {ln.borrower for ln in plan.loans}
    raw["policy"] = {**raw.get("policy", {}), "reliability_floor": 0.6}
    for e in raw["enterprises"]:
        e["reliability"] = 0.3 if e["id"] == victim else 0.9
    floored = load_scenario(raw)
    # The old plan now breaks rule 1 at the firm below the floor (and rule 5 if it borrowed).
    rules = {v.rule for v in check(floored, plan).violations}
    assert 1 in rules and (5 in rules or victim not in borrowers)
    new = solve(floored, OPTIONS)
    assert check(floored, new).ok
    assert victim not in {r.site for r in new.production if r.site != floored.order(r.order).owner}
    assert victim not in {ln.borrower for ln in new.loans}
    assert new.objective is not None and plan.objective is not None
    assert new.objective < plan.objective
    hand = manual_plan(floored)
    assert check(floored, hand).ok
    assert victim not in {r.site for r in hand.production if r.site != floored.order(r.order).owner}


def test_a_discount_prices_the_maker_record() -> None:
    raw = data("small-8.json")
    base = load_scenario(raw)
    plan = solve(base, OPTIONS)
    victim = busiest_site(plan, base)
    raw["policy"] = {**raw.get("policy", {}), "reliability_discount": 0.5}
    for e in raw["enterprises"]:
        e["reliability"] = 0.4 if e["id"] == victim else 1.0
    discounted = load_scenario(raw)
    expected = sum(base.order(r.order).value_per_unit * 0.5 * 0.6 * r.quantity for r in plan.production
                   if r.site == victim and base.order(r.order).owner != victim)
    assert expected > 0
    assert objective(discounted, plan) == pytest.approx(objective(base, plan) - expected)
    new = solve(discounted, OPTIONS)
    assert check(discounted, new).ok and check(discounted, new).objective_matches
    # The solver moves work away from the discounted maker where it can, and never does worse than the old plan.
    assert new.objective is not None and new.objective >= objective(discounted, plan) - 1e-6


def test_reliability_outside_0_1_is_named() -> None:
    raw = data("tiny-4.json")
    raw["enterprises"][0]["reliability"] = 1.5
    raw["policy"] = {**raw.get("policy", {}), "reliability_floor": -0.1}
    with pytest.raises(Exception) as info:
        load_scenario(raw)
    text = str(info.value)
    assert "enterprises.0.reliability" in text and "policy.reliability_floor" in text
