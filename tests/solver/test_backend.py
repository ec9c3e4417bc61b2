"""The other MathOpt backends (SCIP, CP-SAT) behind ``SolveOptions.backend``: same optimum, valid plans, progress.

HiGHS is the default and every other solver test runs on it; these tests keep the two other paths of
``solver/backend.py`` (SCIP from the model's proto, CP-SAT through a ``mathopt.Model`` with its callback) from
rotting unseen.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from alliance import Status, check, load_scenario, objective
from alliance.manual import manual_plan
from solver import Progress, SolveOptions, solve
from tests.factories import exact_options, solve_and_check
from tests.solver.test_bruteforce import SEEDS, BruteForce, random_scenario

DEMO = Path(__file__).resolve().parents[2] / "examples" / "dehua-24.json"
OTHER_BACKENDS = ["scip", "cpsat"]


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
@pytest.mark.parametrize("seed", SEEDS[:4])
def test_each_backend_reaches_the_exhaustive_optimum(backend: str, seed: int) -> None:
    s = load_scenario(random_scenario(seed))
    expected, _witness = BruteForce(s).best()
    plan = solve_and_check(s, dataclasses.replace(exact_options(10.0), backend=backend))  # type: ignore[arg-type]
    assert plan.status is Status.OPTIMAL
    assert plan.objective == pytest.approx(expected, abs=1e-6), f"{backend}, seed {seed}"


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_each_backend_plans_the_demo_park_above_the_hand_plan_and_reports_progress(backend: str) -> None:
    s = load_scenario(DEMO.read_text(encoding="utf-8"))
    events: list[Progress] = []
    plan = solve(s, SolveOptions(time_limit_s=4.0, backend=backend), on_progress=events.append,  # type: ignore[arg-type]
                 with_report=False)
    assert plan.objective is not None and plan.bound is not None
    verdict = check(s, plan)
    assert verdict.ok, verdict.violations
    assert plan.objective == pytest.approx(verdict.objective, abs=1e-6)
    # The hand plan is every solve's start, so no backend returns less; the bound never falls below the plan.
    assert plan.objective >= objective(s, manual_plan(s)) - 1e-6
    assert plan.bound >= plan.objective - 1e-6
    assert events, "a job shows progress whichever backend runs it"
    assert events[-1].stop_reason is not None
    assert all(e.bound is None or e.objective is None or e.bound >= e.objective - 1e-6 for e in events)
