"""The neighbourhood search through a pluggable PartMap (what the Celery fan-out supplies) gives a valid plan."""

from __future__ import annotations

import dataclasses

import pytest

from alliance.check import check, objective
from alliance.generator import generate_alliance
from alliance.manual import manual_plan
from solver import SolveOptions, neighbourhoods, run, solve
from solver.run import PartTask, solve_part


class RecordingMap:
    """Solves the parts here, one after the other, and records what it was given."""

    parallelism = 2

    def __init__(self) -> None:
        self.rounds: list[list[PartTask]] = []

    def __call__(self, tasks: list[PartTask], deadline: float) -> list[list[float] | None]:
        self.rounds.append(tasks)
        return [solve_part(t) for t in tasks]


def test_a_large_block_searched_through_a_part_map(monkeypatch: pytest.MonkeyPatch) -> None:
    # A 40-firm alliance is one block of a few thousand columns; with the threshold lowered it is searched the
    # way a county block is, neighbourhood by neighbourhood.
    monkeypatch.setattr(run, "PART_VARS", 500)  # the dispatch to the large-block search (solver/run.py)
    monkeypatch.setattr(neighbourhoods, "PART_FIRMS", 8)
    scenario = generate_alliance(40, seed=3)
    part_map = RecordingMap()
    plan = solve(scenario, dataclasses.replace(SolveOptions(time_limit_s=12, threads=1), part_map=part_map))
    assert part_map.rounds, "the search never used the map"
    # The parts handed over carry plain options (nothing to serialise but data) and start from the plan.
    task = part_map.rounds[0][0]
    assert task.options.part_map is None and len(task.start) == task.milp.num_vars
    assert task.milp.is_feasible(task.start)
    assert check(scenario, plan).ok
    assert plan.objective is not None and plan.objective >= objective(scenario, manual_plan(scenario)) - 1e-6
