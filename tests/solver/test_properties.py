"""Properties over random small scenarios: solved plans always obey the rules and report what they are worth.

Hypothesis draws 2-5 firms, 1-4 orders and 1-4 days with random radii, lots,
blocks, machines, consent, per-day capacities and link cost.  On cases this
small the solver must also prove optimality well within the time limit.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance import Scenario, Status, check, load_scenario
from solver import SolveOptions, solve
from tests.factories import ScenarioBuilder

SKILLS = ["forming", "glazing"]
OPTIONS = SolveOptions(time_limit_s=10)
# Flags that usually allow matching; plain booleans would shut most firms out and leave little to match.
MOSTLY_TRUE = st.sampled_from([True, True, True, False])


def per_day_ints(draw: st.DrawFn, horizon: int, top: int) -> int | list[int]:
    if draw(st.booleans()):
        return draw(st.integers(0, top))
    return draw(st.lists(st.integers(0, top), min_size=horizon, max_size=horizon))


def at_most(draw: st.DrawFn, cap: int | list[int], horizon: int) -> int | list[int]:
    """A lendable count never above the idle count, scalar or per day."""
    if isinstance(cap, int):
        return draw(st.integers(0, cap))
    return [draw(st.integers(0, c)) for c in cap]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    horizon = draw(st.integers(1, 4))
    skills = SKILLS[: draw(st.integers(1, 2))]
    with_kiln = draw(st.booleans())
    builder = ScenarioBuilder(
        horizon_days=horizon,
        skills=skills,
        machines=["kiln"] if with_kiln else [],
        lend_radius_km=draw(st.sampled_from([0.0, 3.0, 6.0, 12.0])),
        subcontract_radius_km=draw(st.sampled_from([0.0, 5.0, 10.0, 20.0])),
        commute_cost_per_km=draw(st.sampled_from([0.0, 0.5, 2.0])),
        transport_cost_per_unit_km=draw(st.sampled_from([0.0, 0.05, 0.3])),
        link_cost=draw(st.sampled_from([0.0, 20.0, 75.0])),
        transport_days=draw(st.sampled_from([0, 0, 1, 2])),
        max_subcontractors_per_order=draw(st.integers(0, 3)),
    )
    n_firms = draw(st.integers(2, 5))
    firm_ids = [f"F{i}" for i in range(n_firms)]
    for fid in firm_ids:
        idle = {s: per_day_ints(draw, horizon, 3) for s in skills if draw(MOSTLY_TRUE)}
        extra: dict[str, Any] = {}
        if draw(st.booleans()):
            extra["lendable"] = {s: at_most(draw, v, horizon) for s, v in idle.items() if draw(st.booleans())}
        if with_kiln and draw(st.booleans()):
            extra["machine_hours"] = {"kiln": draw(st.sampled_from([0, 1.5, 4, 8]))}
        others = [f for f in firm_ids if f != fid]
        builder.firm(
            fid,
            north_km=draw(st.integers(0, 10)),
            east_km=draw(st.integers(0, 4)),
            processes=[s for s in skills if draw(MOSTLY_TRUE)],
            idle=idle,
            quality_level=draw(st.integers(0, 2)),
            accepts_subcontracts=draw(MOSTLY_TRUE),
            borrows_workers=draw(MOSTLY_TRUE),
            blocked_partners=draw(st.lists(st.sampled_from(others), unique=True, max_size=1)),
            **extra,
        )
    data = builder.to_dict()
    for k in range(draw(st.integers(1, 4))):
        owner = draw(st.sampled_from(firm_ids))
        skill = draw(st.sampled_from(skills))
        release = draw(st.integers(0, horizon - 1))
        order: dict[str, Any] = {
            "id": f"o{k}",
            "owner": owner,
            "process": skill,
            "skill": skill,
            "quantity": draw(st.integers(1, 30)),
            "labor_minutes_per_unit": draw(st.sampled_from([60, 96, 160, 240])),
            "release_day": release,
            "due_day": draw(st.integers(release, horizon - 1)),
            "value_per_unit": draw(st.sampled_from([1.5, 8, 20])),
            "min_quality_level": draw(st.sampled_from([0, 0, 1, 2])),
            "subcontractable": draw(MOSTLY_TRUE),
            "min_lot": draw(st.sampled_from([1, 1, 3, 8, 15])),
        }
        if with_kiln and draw(st.booleans()):
            order["machine"] = "kiln"
            order["machine_hours_per_unit"] = draw(st.sampled_from([0.0, 0.25, 1.0]))
        if draw(st.booleans()):
            order["transport_cost_per_unit_km"] = draw(st.sampled_from([0.0, 0.1, 1.0]))
        data["orders"].append(order)
        # MODEL.md refuses a process nobody runs; the owner usually runs its own process.
        if not any(skill in e["processes"] for e in data["enterprises"]) or draw(st.booleans()):
            [ent] = [e for e in data["enterprises"] if e["id"] == owner]
            if skill not in ent["processes"]:
                ent["processes"].append(skill)
    return data


@given(scenarios())
def test_solved_plans_pass_the_checker_and_are_proven_optimal(data: dict[str, Any]) -> None:
    s = load_scenario(data)
    plan = solve(s, OPTIONS)
    assert plan.status is Status.OPTIMAL, plan.status
    assert plan.objective is not None
    result = check(s, plan)
    assert result.ok, result.violations
    assert plan.objective == pytest.approx(result.objective, abs=1e-6)
    assert plan.objective >= -1e-6  # the empty plan is always allowed and worth 0
    assert plan.bound is not None
    assert plan.bound >= plan.objective - 1e-6
    assert plan.gap is not None and plan.gap <= OPTIONS.relative_gap + 1e-9


def with_policy(s: Scenario, **policy: float) -> Scenario:
    data = s.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["policy"].update(policy)
    return load_scenario(data)


@given(scenarios())
def test_relaxing_policy_never_lowers_the_optimum(data: dict[str, Any]) -> None:
    # Free links, wider radii and more sub-contractors only add plans: the optimum cannot drop
    # (up to the solver's relative gap on each side).
    s = load_scenario(data)
    base = solve(s, OPTIONS)
    loose = solve(
        with_policy(s, link_cost=0.0, lend_radius_km=20.0, subcontract_radius_km=25.0, max_subcontractors_per_order=4),
        OPTIONS,
    )
    assert base.objective is not None and loose.objective is not None
    slack = 2 * OPTIONS.relative_gap * max(1.0, abs(loose.objective)) + 1e-6
    assert loose.objective >= base.objective - slack
