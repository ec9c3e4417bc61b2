"""Every shared scenario: the plan obeys the rules and reaches the independent reference within 0.5%.

Reference values come from ``tests/data/scenarios/REFERENCE.md`` (a copy of ``shared/scenarios``) (an independent
MILP + checker), parsed here so the test follows the file, not a copy of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from alliance import Status, check, load_scenario
from solver import SolveOptions, solve
from tests.conftest import SCENARIOS_DIR, SHARED_SCENARIOS
from tests.factories import StopOnceReached

REFERENCE_FILE = SCENARIOS_DIR / "REFERENCE.md"
# MODEL.md / REFERENCE.md: "A correct planner reaches at least the objective minus 0.5%".
OBJECTIVE_SLACK = 0.005
TIME_LIMIT_S = 60.0
# park-24-tight's best known (412,131.66) came from a 300 s run of this planner on 2 threads; in 60 s on one
# thread the planner stops at 409,636, 0.6% below it.  120 s on 2 threads (the CI machine's two cores) gave
# 412,387 (2026-12-02, idle machine).  docs/solver.md, "Tight alliances".
LONGER = {"park-24-tight.json": (120.0, 2)}
# A solve stops once its progress shows a plan this far above the floor (the rule is met; proving more is the
# benchmarks' business, not the suite's).  The assertions below are on the plan returned, not on the progress.
# Only a rounding margin: at 0.1% park-24-tight's 410,382 at 96 s (floor 410,071) ran on to the 120 s limit.
STOP_MARGIN = 1e-5


@dataclass(frozen=True)
class Reference:
    scenario: str
    firms: int
    objective: float
    bound: float
    status: str


_ROW = re.compile(
    r"^\|\s*`(?P<name>[^`]+\.json)`\s*\|\s*(?P<firms>\d+)\s*\|.*?\|\s*(?P<objective>-?[\d.]+)\s*\|"
    r"\s*(?P<bound>-?[\d.]+)\s*\|\s*[\d.]+%\s*\|\s*(?P<status>[^|]+?)\s*\|\s*$"
)


def read_references(path: Path) -> dict[str, Reference]:
    refs: dict[str, Reference] = {}
    if not path.exists():
        return refs
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            refs[match["name"]] = Reference(
                match["name"], int(match["firms"]), float(match["objective"]), float(match["bound"]), match["status"]
            )
    return refs


REFERENCES = read_references(REFERENCE_FILE)


def test_reference_table_covers_every_shared_scenario() -> None:
    assert REFERENCES, f"could not read the table in {REFERENCE_FILE}"
    assert {p.name for p in SHARED_SCENARIOS} == set(REFERENCES)
    tiny = REFERENCES["tiny-4.json"]
    assert (tiny.firms, tiny.objective, tiny.status) == (4, 14426.16, "optimal")


def _params() -> list[object]:
    params: list[object] = []
    for path in SHARED_SCENARIOS:
        ref = REFERENCES.get(path.name)
        marks = [pytest.mark.slow] if ref is not None and ref.firms >= 24 else []
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


@pytest.mark.parametrize("path", _params())
def test_shared_scenario_plan_is_valid_and_near_the_reference(path: Path) -> None:
    ref = REFERENCES.get(path.name)
    assert ref is not None, f"{path.name} has no row in REFERENCE.md"
    s = load_scenario(path.read_text(encoding="utf-8"))
    time_limit_s, threads = LONGER.get(path.name, (TIME_LIMIT_S, 1))
    floor = ref.objective * (1 - OBJECTIVE_SLACK)
    stop = StopOnceReached(floor + STOP_MARGIN * abs(ref.objective))
    plan = solve(s, SolveOptions(time_limit_s=time_limit_s, threads=threads),
                 on_progress=stop.on_progress, cancel=stop.cancel)
    assert plan.status in (Status.OPTIMAL, Status.FEASIBLE), plan.status
    assert plan.objective is not None

    result = check(s, plan)
    assert result.ok, "\n".join(map(str, result.violations[:20]))
    assert plan.objective == pytest.approx(result.objective, abs=1e-6), "reported != recomputed objective"

    assert plan.objective >= floor, f"objective {plan.objective:.2f} < reference {ref.objective} - 0.5% ({floor:.2f})"
    if plan.bound is not None:
        assert plan.bound >= plan.objective - 1e-6, f"bound {plan.bound} below objective {plan.objective}"
        if plan.gap is not None:
            expected_gap = (plan.bound - plan.objective) / max(1.0, abs(plan.bound))
            assert plan.gap == pytest.approx(expected_gap, abs=1e-9)
    if plan.status is Status.OPTIMAL and plan.bound is not None:
        # An OPTIMAL claim is a proof: the independent reference cannot beat the bound (beyond the solver's gap).
        assert plan.bound >= ref.objective * (1 - 1e-4) - 1e-6
