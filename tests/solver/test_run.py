"""The solve steps of ``solver/run.py`` on their own: the LP dive and the progress relay."""

from __future__ import annotations

import dataclasses
import time

import pytest

from alliance.check import check, objective
from alliance.generator import generate_alliance
from alliance.manual import manual_plan
from alliance.plan import Status
from alliance.scenario import Scenario
from solver import dive, neighbourhoods, run
from solver.blocks import pack_blocks, split_blocks, sub_milp
from solver.candidates import build_candidates
from solver.milp import Milp
from solver.model import build_model
from solver.run import (
    BATCH_VARS,
    Progress,
    SolveOptions,
    _Interrupters,
    _lp_dive,
    _lp_restricted,
    _objective_of,
    _ProgressRelay,
    _solve_mathopt,
    _time_weight,
    _trivial_bound,
    plan_values,
    solve_model,
)


@pytest.fixture(scope="module")
def tight_block() -> tuple[Milp, list[float]]:
    """The largest block of a tight 8-firm alliance and the hand-matching plan on it."""
    scenario: Scenario = generate_alliance(8, seed=3, tight=True)
    milp, variables = build_model(scenario, build_candidates(scenario), None)
    start = plan_values(scenario, milp, variables, manual_plan(scenario))
    assert start is not None
    block = max(pack_blocks(split_blocks(milp), BATCH_VARS), key=lambda b: b.size)
    return sub_milp(milp, block), [start[j] for j in block.vars]


def _lp_values(sub: Milp) -> list[float]:
    relaxation = dataclasses.replace(sub, integer=[False] * sub.num_vars)
    lp = _solve_mathopt(relaxation, SolveOptions(), 30.0, _Interrupters().new(), None, None)
    assert lp.optimal and lp.values is not None
    return lp.values


def test_lp_restriction_forbids_what_the_lp_leaves_at_zero(tight_block: tuple[Milp, list[float]]) -> None:
    sub, _ = tight_block
    lp = _lp_values(sub)
    restricted = _lp_restricted(sub, lp, None)
    forbidden = [j for j in range(sub.num_vars) if restricted.ub[j] == 0 < sub.ub[j]]
    assert forbidden, "a tight alliance's LP leaves some decisions at zero"
    assert all(sub.integer[j] and lp[j] <= 1e-9 for j in forbidden)
    # Everything the LP uses is still allowed, so the LP optimum stays feasible for the restriction's relaxation.
    assert all(restricted.ub[j] == sub.ub[j] for j in range(sub.num_vars) if lp[j] > 1e-9)


def test_lp_restriction_keeps_the_start_plan_feasible(tight_block: tuple[Milp, list[float]]) -> None:
    sub, hint = tight_block
    lp = _lp_values(sub)
    assert sub.is_feasible(hint)
    assert _lp_restricted(sub, lp, hint).is_feasible(hint)
    # Without the start plan, the restriction would cut it off: the test above is not vacuous.
    assert not _lp_restricted(sub, lp, None).is_feasible(hint)


def test_lp_dive_gives_a_feasible_plan_no_worse_than_the_start_and_a_valid_bound(
    tight_block: tuple[Milp, list[float]],
) -> None:
    sub, hint = tight_block
    events: list[Progress] = []
    relay = _ProgressRelay(events.append, 0.0)
    dived = _lp_dive(sub, SolveOptions(), 30.0, _Interrupters(), relay, hint)
    assert dived is not None and dived.values is not None
    assert sub.is_feasible(dived.values)
    assert dived.objective >= _objective_of(sub, hint) - 1e-6
    # The bound is the LP relaxation's: at least the optimum of the whole block, which the full model proves.
    full = _solve_mathopt(sub, SolveOptions(), 60.0, _Interrupters().new(), None, hint)
    assert full.optimal
    assert dived.bound >= full.objective - 1e-6
    # The restricted MIP's own bound is never reported as the block's bound.
    assert all(e.bound is None or e.bound >= full.objective - 1e-6 for e in events)


def test_shape_first_places_whole_units_on_the_shape_of_what_the_lp_uses(
    tight_block: tuple[Milp, list[float]],
) -> None:
    sub, hint = tight_block
    restricted = _lp_restricted(sub, _lp_values(sub), hint)
    placed = dive._shape_first(sub, restricted, SolveOptions(), time.monotonic() + 30.0, _Interrupters(), None, hint)
    assert placed is not None and placed.values is not None
    assert sub.is_feasible(placed.values)
    assert placed.objective >= _objective_of(sub, hint) - 1e-6
    # No sub-contract or link outside what the LP allows: the shape binds the plan.
    assert all(placed.values[j] <= restricted.ub[j] + 1e-9 for j, st in enumerate(sub.structural) if st)


def test_lp_dive_returns_at_least_the_shape_first_plan_and_falls_back_to_the_restricted_mip_without_it(
    tight_block: tuple[Milp, list[float]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    sub, hint = tight_block
    seen: list[float] = []
    shape_first = dive._shape_first

    def spy(*args: object, **kwargs: object) -> object:
        result = shape_first(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(float("nan") if result is None else result.objective)
        return result

    monkeypatch.setattr(dive, "_shape_first", spy)
    dived = _lp_dive(sub, SolveOptions(), 30.0, _Interrupters(), None, hint)
    # The shape-first plan, or a better one from the restricted MIP when the placement is proven early and leaves
    # it time (workers first: the placement on this block is proven within the gap in seconds).
    assert dived is not None and seen and dived.objective >= seen[0] - 1e-6
    # Without a shape in time the dive still gives a plan: the MIP on what the LP uses.
    monkeypatch.setattr(dive, "_shape_first", lambda *args, **kwargs: None)
    fallback = _lp_dive(sub, SolveOptions(), 30.0, _Interrupters(), None, hint)
    assert fallback is not None and fallback.values is not None and sub.is_feasible(fallback.values)
    assert fallback.objective >= _objective_of(sub, hint) - 1e-6


def test_lp_dive_gives_up_when_cancelled(tight_block: tuple[Milp, list[float]]) -> None:
    sub, hint = tight_block
    interrupters = _Interrupters()
    interrupters.interrupt_all()
    assert _lp_dive(sub, SolveOptions(), 30.0, interrupters, None, hint) is None


def test_a_large_block_goes_to_lp_dive_and_parts_and_keeps_a_valid_plan_and_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A county-sized block's path (LP bound, whole-block dive, geographic parts), on a small alliance."""
    scenario = generate_alliance(8, seed=3, tight=True)
    optimum, _ = solve_model(scenario, SolveOptions(time_limit_s=60.0))
    assert optimum.status == Status.OPTIMAL
    monkeypatch.setattr(run, "PART_VARS", 50)
    monkeypatch.setattr(neighbourhoods, "PART_FIRMS", 3)
    for threads in (1, 2):
        plan, stats = solve_model(scenario, SolveOptions(time_limit_s=8.0, threads=threads))
        assert "LP+DIVE+PARTS" in stats.termination
        assert check(scenario, plan).ok
        assert plan.objective is not None and plan.bound is not None and optimum.objective is not None
        assert plan.objective >= objective(scenario, manual_plan(scenario)) - 1e-6
        assert plan.bound >= optimum.objective - 1e-6


def test_a_large_block_whose_lp_cannot_finish_in_time_takes_its_lp_with_days_merged_for_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above what the daily LP can solve in the time (solver/large.py lp_finishes), the bound comes from the LP
    with the finest day groups that fit (solver/lean_lp.py), else the quantity bound; the plan from the
    neighbourhoods, every time."""
    from solver import large
    from solver.lean_lp import merged_columns

    scenario = generate_alliance(8, seed=3, tight=True)
    optimum, _ = solve_model(scenario, SolveOptions(time_limit_s=60.0))
    assert optimum.status == Status.OPTIMAL and optimum.objective is not None
    monkeypatch.setattr(run, "PART_VARS", 50)
    monkeypatch.setattr(neighbourhoods, "PART_FIRMS", 3)
    monkeypatch.setattr(large, "LP_COLUMNS_PER_S", 1e-3)
    limit = 4.0
    milp, _ = build_model(scenario, build_candidates(scenario))
    sizes = merged_columns(milp, [1, *large.MERGED_DAYS])
    # The smallest grouping larger than the whole horizon's (14 days is the whole horizon here).
    coarser = min(size for size in sizes.values() if size > sizes[366])
    assert sizes[366] < coarser <= sizes[2] < sizes[1]
    whole = f"LP-DAYS/{next(k for k in large.MERGED_DAYS if sizes[k] == sizes[366])}"
    budget = large.LEAN_LP_SHARE * limit
    bounds: dict[str, float] = {}
    # Two-day groups fit (not the days); only the whole horizon fits; nothing fits.
    for pace, kind in [((sizes[2] + sizes[1]) / 2 / budget, "LP-DAYS/2"),
                       ((sizes[366] + coarser) / 2 / budget, whole), (1e-3, "LP-SKIPPED")]:
        monkeypatch.setattr(large, "LEAN_COLUMNS_PER_S", pace)
        plan, stats = solve_model(scenario, SolveOptions(time_limit_s=limit, threads=2))
        assert f"{kind}+DIVE+PARTS" in stats.termination
        assert check(scenario, plan).ok
        assert plan.objective is not None and plan.bound is not None
        assert plan.objective >= objective(scenario, manual_plan(scenario)) - 1e-6
        assert plan.bound >= optimum.objective - 1e-6
        bounds[kind] = plan.bound
    # Each merged LP binds: below the quantity bound that the skipped case reports, the finer one the lower.
    assert bounds["LP-DAYS/2"] <= bounds[whole] + 1e-6 < bounds["LP-SKIPPED"]


def test_fallback_bound_respects_quantities_and_stays_above_the_optimum(tight_block: tuple[Milp, list[float]]) -> None:
    sub, hint = tight_block
    box_bound = sum(c * (sub.ub[j] if c > 0 else sub.lb[j]) for j, c in enumerate(sub.obj))
    bound = _trivial_bound(sub)
    full = _solve_mathopt(sub, SolveOptions(), 60.0, _Interrupters().new(), None, hint)
    assert full.optimal
    assert full.objective - 1e-6 <= bound < box_bound
    # No order can be worth more than its quantity at its best unit margin.
    best_margin_total = 0.0
    for i, (cols, _) in enumerate(sub.rows):
        if sub.row_names[i].startswith("quantity["):
            best_margin_total += sub.row_ub[i] * max(max(sub.obj[j] for j in cols), 0.0)
    assert bound <= best_margin_total + box_bound_outside_quantity_rows(sub) + 1e-6


def box_bound_outside_quantity_rows(sub: Milp) -> float:
    inside = {j for i, (cols, _) in enumerate(sub.rows) if sub.row_names[i].startswith("quantity[") for j in cols}
    return sum(max(c, 0.0) * sub.ub[j] for j, c in enumerate(sub.obj) if j not in inside)


def test_time_goes_to_blocks_by_size_and_by_what_they_can_still_gain(tight_block: tuple[Milp, list[float]]) -> None:
    sub, start = tight_block
    bound = _trivial_bound(sub)
    from_start = _time_weight(sub, start, bound)
    from_nothing = _time_weight(sub, None, bound)
    # Starting from nothing leaves more to gain than starting from the hand plan, so it claims more time.
    assert from_nothing > from_start > 0
    # A block whose start plan already reaches its bound has (almost) nothing to gain: it claims the least.
    assert _time_weight(sub, start, _objective_of(sub, start)) < from_start
    # Twice the size for the same gain claims more time, but not twice as much (sqrt: size alone starved
    # mid-sized blocks of county alliances).
    twice = Milp()
    for copy in range(2):
        offset = copy * sub.num_vars
        for j in range(sub.num_vars):
            twice.add_var(sub.lb[j], sub.ub[j], sub.integer[j], sub.obj[j], sub.var_names[j])
        for i, (cols, coefs) in enumerate(sub.rows):
            twice.add_row([c + offset for c in cols], coefs, sub.row_lb[i], sub.row_ub[i], sub.row_names[i])
    gain = bound - _objective_of(sub, start)
    same_gain = _time_weight(twice, start + start, 2 * _objective_of(sub, start) + gain)
    assert from_start < same_gain < 2 * from_start
