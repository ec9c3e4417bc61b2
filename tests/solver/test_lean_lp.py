"""The LP with days merged (``solver.lean_lp``): a relaxation, so its optimum bounds every plan.

Three things must hold for the county bound to be a proof: one-day groups give back the daily LP exactly (the
merging is a rewriting, not a new model), every merged LP is at or above the best plan known (REFERENCE.md's
objectives, and the proven optimum of random tiny scenarios), and a finer grouping nested in a coarser one is
never weaker.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from alliance import Scenario, load_scenario
from solver import solve
from solver.backend import Interrupters, solve_mathopt, trivial_bound
from solver.candidates import build_candidates
from solver.dive import lp_relaxation
from solver.lean_lp import days_merged, merged_columns
from solver.milp import Milp
from solver.model import build_model
from solver.options import SolveOptions
from tests.conftest import SCENARIOS_DIR
from tests.factories import exact_options
from tests.solver.test_properties import scenarios
from tests.solver.test_reference_scenarios import REFERENCES

WHOLE_HORIZON = 366


def lp_optimum(m: Milp) -> float:
    res = solve_mathopt(m, SolveOptions(threads=1), 60.0, Interrupters().new(), None, None)
    assert res.optimal, res.termination
    return res.objective


def load_shared(name: str) -> Scenario:
    return load_scenario((SCENARIOS_DIR / name).read_text(encoding="utf-8"))


def model_of(s: Scenario) -> Milp:
    milp, _ = build_model(s, build_candidates(s))
    return milp


@pytest.mark.parametrize("name", ["park-24-tight.json", "tight-12.json"])
def test_one_day_groups_are_the_daily_lp(name: str) -> None:
    m = model_of(load_shared(name))
    daily = lp_optimum(lp_relaxation(m))
    assert lp_optimum(days_merged(m, lambda t: t)) == pytest.approx(daily, rel=1e-7)


@pytest.mark.parametrize("name", ["tight-8.json", "tight-12.json", "mid-12.json", "park-24-tight.json"])
def test_merged_lps_bound_the_best_known_plan_and_nest(name: str) -> None:
    m = model_of(load_shared(name))
    best_known = REFERENCES[name].objective
    bounds = {k: lp_optimum(days_merged(m, lambda t, k=k: t // k)) for k in (1, 2, 4, 7, WHOLE_HORIZON)}
    for k, bound in bounds.items():
        assert bound >= best_known - 1e-6 * best_known, (k, bound, best_known)
        assert bound <= trivial_bound(m) + 1e-6 * best_known, (k, bound)
    # Groups of 1 nest in 2 in 4; 7 and the whole horizon nest too.  A finer grouping is a tighter relaxation.
    assert bounds[1] <= bounds[2] + 1e-6 <= bounds[4] + 2e-6
    assert bounds[7] <= bounds[WHOLE_HORIZON] + 1e-6
    # On a tight park merging loses what competition within a day costs: the relaxation is strictly weaker.
    if name == "park-24-tight.json":
        assert bounds[WHOLE_HORIZON] > bounds[1] * 1.01


@given(scenarios())
@settings(max_examples=25, deadline=None)
def test_merged_lp_bounds_the_optimum_of_random_scenarios(data: dict[str, Any]) -> None:
    s = load_scenario(data)
    plan = solve(s, exact_options())
    assert plan.objective is not None
    m = model_of(s)
    for k in (2, WHOLE_HORIZON):
        merged = days_merged(m, lambda t, k=k: t // k)
        assert lp_optimum(merged) >= plan.objective - 1e-6 * max(1.0, plan.objective)


def test_merged_columns_counts_what_days_merged_builds() -> None:
    m = model_of(load_shared("park-24.json"))
    sizes = merged_columns(m, [1, 3, 7, WHOLE_HORIZON])
    for k, size in sizes.items():
        assert size == days_merged(m, lambda t, k=k: t // k).num_vars
    assert sizes[1] == m.num_vars
    assert sizes[WHOLE_HORIZON] < sizes[7] < sizes[3] < sizes[1]


def test_a_column_whose_days_disagree_is_refused() -> None:
    m = Milp()
    m.add_var(0.0, 2.0, True, 5.0, "x[o1,E1,0]")
    m.add_var(0.0, 2.0, True, 6.0, "x[o1,E1,1]")
    with pytest.raises(ValueError, match=r"x\[o1,E1,1\]: objective 6.0 differs"):
        days_merged(m, lambda t: 0)
