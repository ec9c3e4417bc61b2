"""Neighbourhoods of a plan (``solver.blocks.with_others_fixed``) and the search that walks them."""

from __future__ import annotations

import itertools
import random

import pytest

from alliance.generator import generate_alliance
from alliance.manual import manual_plan
from alliance.scenario import Scenario
from solver.blocks import (
    firm_links,
    geographic_parts,
    linked_parts,
    pack_blocks,
    rows_of_columns,
    split_blocks,
    sub_milp,
    with_others_fixed,
)
from solver.candidates import build_candidates
from solver.milp import Milp
from solver.model import build_model
from solver.run import (
    BATCH_VARS,
    SolveOptions,
    _Interrupters,
    _neighbourhood_search,
    _objective_of,
    _solve_mathopt,
    plan_values,
)

Block = tuple[Milp, list[float], tuple[list[float], list[float]]]


@pytest.fixture(scope="module")
def block_with_plan() -> Block:
    """The largest block of a tight 12-firm alliance, the hand plan on it, and the firms' coordinates."""
    scenario: Scenario = generate_alliance(12, seed=5, tight=True)
    milp, variables = build_model(scenario, build_candidates(scenario), None)
    start = plan_values(scenario, milp, variables, manual_plan(scenario))
    assert start is not None
    block = max(pack_blocks(split_blocks(milp), BATCH_VARS), key=lambda b: b.size)
    coords = ([e.lat for e in scenario.enterprises], [e.lon for e in scenario.enterprises])
    return sub_milp(milp, block), [start[j] for j in block.vars], coords


def test_a_neighbourhood_keeps_the_plan_feasible_and_its_solutions_fit_back(block_with_plan: Block) -> None:
    sub, plan, (lat, lon) = block_with_plan
    rows_of = rows_of_columns(sub)
    parts = geographic_parts(sub, lat, lon, 4)
    assert len(parts) >= 2
    crossing = set(range(sub.num_vars)) - {j for part in parts for j in part}
    assert any(plan[j] > 0 for j in crossing), "the hand plan uses links across the parts' edges"
    for keep in parts:
        neighbourhood = with_others_fixed(sub, keep, plan, rows_of)
        current = [plan[j] for j in keep]
        assert neighbourhood.is_feasible(current)
        best = _solve_mathopt(neighbourhood, SolveOptions(), 30.0, _Interrupters().new(), None, current)
        assert best.optimal and best.values is not None
        assert best.objective >= _objective_of(neighbourhood, current) - 1e-6
        merged = list(plan)
        for k, j in enumerate(keep):
            merged[j] = best.values[k]
        # Links across the edge kept what the plan gave them, so the merged plan holds for the whole block.
        assert sub.is_feasible(merged)
        assert _objective_of(sub, merged) >= _objective_of(sub, plan) - 1e-6
        assert all(merged[j] == plan[j] for j in crossing)


def test_neighbourhood_search_improves_on_its_start_and_keeps_a_feasible_plan(block_with_plan: Block) -> None:
    sub, plan, coords = block_with_plan
    nothing = [0.0] * sub.num_vars
    assert sub.is_feasible(nothing)
    found = _neighbourhood_search(sub, SolveOptions(), 6.0, _Interrupters(), coords, 1, nothing)
    assert found is not None and sub.is_feasible(found)
    assert _objective_of(sub, found) > 0.0
    from_hand = _neighbourhood_search(sub, SolveOptions(), 6.0, _Interrupters(), coords, 2, plan)
    assert from_hand is not None and sub.is_feasible(from_hand)
    assert _objective_of(sub, from_hand) >= _objective_of(sub, plan) - 1e-6


def test_neighbourhood_search_reports_each_improvement_with_the_block_objective(block_with_plan: Block) -> None:
    # The job's progress during a county solve: every accepted neighbourhood, the whole block's objective
    # (kept by differences), never a value the returned plan does not reach.
    sub, _plan, coords = block_with_plan
    nothing = [0.0] * sub.num_vars
    heard: list[float] = []
    found = _neighbourhood_search(sub, SolveOptions(), 6.0, _Interrupters(), coords, 1, nothing, heard.append)
    assert found is not None and heard, "an improvement from an empty plan was reported"
    assert all(b > a for a, b in itertools.pairwise(heard))
    assert heard[-1] == pytest.approx(_objective_of(sub, found), abs=1e-6)


def test_a_block_that_holds_the_whole_model_is_the_model_and_a_smaller_one_a_copy() -> None:
    # A county model is usually one block; copying it cost 198 MB on gen-800 (issue 12).
    scenario = generate_alliance(12, seed=5, tight=True)
    milp, _ = build_model(scenario, build_candidates(scenario), None)
    whole = split_blocks(milp)
    everything = pack_blocks(whole, milp.num_vars + 1)
    assert len(everything) == 1
    assert sub_milp(milp, everything[0]) is milp
    assert len(whole) >= 2, "the 12-firm alliance falls apart into groups"
    part = sub_milp(milp, whole[0])
    assert part is not milp and part.num_vars == whole[0].size < milp.num_vars
    assert part.num_rows == len(whole[0].rows)


@pytest.fixture(scope="module")
def county_block() -> tuple[Milp, tuple[list[float], list[float]]]:
    """The large block of a 120-firm alliance laid out as a county (several compact parks)."""
    scenario = generate_alliance(120, seed=4)
    milp, _ = build_model(scenario, build_candidates(scenario), None)
    coords = ([e.lat for e in scenario.enterprises], [e.lon for e in scenario.enterprises])
    return sub_milp(milp, max(split_blocks(milp), key=lambda b: b.size)), coords


@pytest.mark.parametrize("draw", range(3))
def test_linked_parts_are_disjoint_groups_of_firms_whose_columns_share_no_row(
    county_block: tuple[Milp, tuple[list[float], list[float]]], draw: int,
) -> None:
    sub, _coords = county_block
    parts = linked_parts(sub, firm_links(sub), 20, random.Random(draw))
    firms_of = [{f for j in part for f in sub.var_firms[j]} for part in parts]
    assert all(len(firms) <= 20 for firms in firms_of)
    assert all(not (a & b) for a, b in itertools.combinations(firms_of, 2)), "a firm in two groups"
    columns = [j for part in parts for j in part]
    assert len(columns) == len(set(columns))
    # What the search relies on to solve a round's neighbourhoods at once: no row holds free columns of two.
    rows_of = rows_of_columns(sub)
    rows_of_part = [{i for j in part for i in rows_of[j]} for part in parts]
    assert all(not (a & b) for a, b in itertools.combinations(rows_of_part, 2))


def test_groups_grown_along_links_keep_more_columns_inside_than_halving_the_map(
    county_block: tuple[Milp, tuple[list[float], list[float]]],
) -> None:
    # Why the search draws them after its two geometric partitions: parks are compact, a halving line cuts them.
    sub, (lat, lon) = county_block
    halved = sum(len(p) for p in geographic_parts(sub, lat, lon, 20))
    links = firm_links(sub)
    grown = [sum(len(p) for p in linked_parts(sub, links, 20, random.Random(draw))) for draw in range(3)]
    assert min(grown) > halved, (grown, halved)
