"""The tight shared scenarios as regression cases (issue 15): idle workers barely cover the backlog.

Reference values are REFERENCE.md's (tests/data/scenarios): ``tight-8`` proven optimal, ``tight-12`` and
``park-24-tight`` best known (park-24-tight's from a 300 s run of this planner whose plan passed the independent
checker).  What must hold on every run: the plan passes ``alliance.check``, it is never below hand matching, and
its bound is never below a known plan's value (a bound below it would be a wrong proof).  How close the plan gets
is REFERENCE.md's rule (within 0.5% of the best known); on park-24-tight that needs the longer, slow run.
"""

from __future__ import annotations

import pytest

from alliance import check, load_scenario, objective
from alliance.manual import manual_plan
from solver import SolveOptions, solve_model
from tests.conftest import SCENARIOS_DIR
from tests.factories import StopOnceReached

# scenario -> (best known objective, independent bound), as REFERENCE.md gives them.
REFERENCE = {
    "tight-8": (103584.85, 103584.85),
    "tight-12": (152108.74, 152123.07),
    "park-24-tight": (412131.66, 418028.16),
}
SLACK = 0.005  # REFERENCE.md: "a correct planner reaches at least the objective minus 0.5%"


def _solve(name: str, seconds: float, stop_at: float | None = None) -> tuple[float, float]:
    s = load_scenario((SCENARIOS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    stop = StopOnceReached(stop_at if stop_at is not None else float("inf"))
    plan, _ = solve_model(s, SolveOptions(time_limit_s=seconds, threads=1),
                          on_progress=stop.on_progress, cancel=stop.cancel)
    assert check(s, plan).ok
    assert plan.objective is not None and plan.bound is not None
    assert plan.objective >= objective(s, manual_plan(s)) - 1e-6
    known, _ = REFERENCE[name]
    assert plan.bound >= known - 0.01, f"{name}: bound {plan.bound} below the known plan {known}"
    return plan.objective, plan.bound


def test_reference_table_matches_the_copy() -> None:
    text = (SCENARIOS_DIR / "REFERENCE.md").read_text(encoding="utf-8")
    for name, (known, bound) in REFERENCE.items():
        row = next(line for line in text.splitlines() if f"`{name}.json`" in line)
        assert f"{known:.2f}" in row and f"{bound:.2f}" in row


@pytest.mark.parametrize("name", ["tight-8", "tight-12"])
def test_small_tight_alliance_reaches_its_reference(name: str) -> None:
    floor = REFERENCE[name][0] * (1 - SLACK)
    obj, _ = _solve(name, 30.0, stop_at=floor + 0.001 * REFERENCE[name][0])  # once the rule is met, stop
    assert obj >= floor


def test_tight_park_bound_never_falls_below_the_best_known_plan() -> None:
    _solve("park-24-tight", 10.0)


# park-24-tight within 0.5% of its best known: tests/solver/test_reference_scenarios.py (120 s, 2 threads).
