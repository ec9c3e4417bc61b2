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


def test_with_a_part_map_the_neighbourhoods_do_not_wait_for_the_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    """On one local thread the other workers used to idle while the job solved the LP (half the time)."""
    import threading
    import time

    from solver import large

    monkeypatch.setattr(run, "PART_VARS", 500)
    monkeypatch.setattr(neighbourhoods, "PART_FIRMS", 8)
    lp_done = threading.Event()
    real = large.solve_mathopt

    def slow_lp(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        if kwargs.get("highs_strings") == {"solver": "ipm"}:  # the LP relaxation: as slow as a county's
            time.sleep(2.0)
            lp_done.set()
        return result

    monkeypatch.setattr(large, "solve_mathopt", slow_lp)

    class OrderMap(RecordingMap):
        def __init__(self) -> None:
            super().__init__()
            self.before_lp: list[bool] = []

        def __call__(self, tasks: list[PartTask], deadline: float) -> list[list[float] | None]:
            self.before_lp.append(not lp_done.is_set())
            return super().__call__(tasks, deadline)

    scenario = generate_alliance(40, seed=3)
    part_map = OrderMap()
    plan = solve(scenario, dataclasses.replace(SolveOptions(time_limit_s=8, threads=1), part_map=part_map))
    assert part_map.before_lp and part_map.before_lp[0], "the first neighbourhood round waited for the LP"
    assert check(scenario, plan).ok
