"""The neighbourhood search through a pluggable PartMap (what the Celery fan-out supplies) gives a valid plan."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

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

    def __call__(self, tasks: list[PartTask], deadline: float,
                 busy: threading.Event) -> Iterator[tuple[int, list[float] | None]]:
        self.rounds.append(tasks)
        for i, task in enumerate(tasks):
            yield i, solve_part(task)


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
            self.busy_during_lp: list[bool] = []
            self.busy: threading.Event | None = None

        def __call__(self, tasks: list[PartTask], deadline: float,
                     busy: threading.Event) -> Iterator[tuple[int, list[float] | None]]:
            self.before_lp.append(not lp_done.is_set())
            self.busy_during_lp.append(busy.is_set())
            self.busy = busy
            return super().__call__(tasks, deadline, busy)

    scenario = generate_alliance(40, seed=3)
    part_map = OrderMap()
    plan = solve(scenario, dataclasses.replace(SolveOptions(time_limit_s=8, threads=1), part_map=part_map))
    assert part_map.before_lp and part_map.before_lp[0], "the first neighbourhood round waited for the LP"
    # The map hears that this process's core is taken while the LP runs, and that it is free once it is done.
    assert part_map.busy_during_lp[0] and part_map.busy is not None and not part_map.busy.is_set()
    assert check(scenario, plan).ok


def test_each_answer_of_a_round_is_kept_as_it_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan (and the job's progress) moves within a round, not only at its end: rounds last minutes."""
    from solver.backend import Interrupters
    from solver.blocks import split_blocks, sub_milp
    from solver.candidates import build_candidates
    from solver.model import build_model

    monkeypatch.setattr(neighbourhoods, "PART_FIRMS", 8)
    monkeypatch.setattr(neighbourhoods, "MIN_PART_S", 0.0)  # every neighbourhood in the round, however short
    accepted: list[float] = []

    class ReverseMap(RecordingMap):
        # Answers in the reverse order, and looks at what was kept before giving the last of the first round.
        def __init__(self) -> None:
            super().__init__()
            self.kept_before_last: int | None = None

        def __call__(self, tasks: list[PartTask], deadline: float,
                     busy: threading.Event) -> Iterator[tuple[int, list[float] | None]]:
            self.rounds.append(tasks)
            for i in reversed(range(len(tasks))):
                if len(self.rounds) == 1 and i == 0:
                    self.kept_before_last = len(accepted)
                yield i, solve_part(tasks[i])

    scenario = generate_alliance(40, seed=3)
    milp, _ = build_model(scenario, build_candidates(scenario), None)
    sub = sub_milp(milp, max(split_blocks(milp), key=lambda b: b.size))
    coords = ([e.lat for e in scenario.enterprises], [e.lon for e in scenario.enterprises])
    part_map = ReverseMap()
    options = dataclasses.replace(SolveOptions(threads=1), part_map=part_map)
    values = neighbourhoods.neighbourhood_search(sub, options, 6.0, Interrupters(), coords, 1, None,
                                                 accepted.append)
    assert len(part_map.rounds[0]) >= 3
    # From nothing planned every neighbourhood improves: all but the last were kept before it was answered,
    # each under its own index (the answers came in the reverse order).
    assert part_map.kept_before_last == len(part_map.rounds[0]) - 1, (part_map.kept_before_last, accepted)
    assert values is not None and sub.is_feasible(values)
    assert accepted == sorted(accepted)


@pytest.mark.parametrize(("parallelism", "dive_max_vars", "dives"), [(2, 100, False), (2, 10**9, True),
                                                                     (1, 100, True)])
def test_a_county_block_leaves_the_dive_for_the_neighbourhoods_when_others_solve_them(
    monkeypatch: pytest.MonkeyPatch, parallelism: int, dive_max_vars: int, dives: bool,
) -> None:
    """After its LP, the job's core solves neighbourhoods rather than dive, when other workers share them."""
    from solver import large

    monkeypatch.setattr(run, "PART_VARS", 500)
    monkeypatch.setattr(neighbourhoods, "PART_FIRMS", 8)
    monkeypatch.setattr(large, "DIVE_MAX_VARS", dive_max_vars)
    # The rule is about what follows the LP: the LP must run, whatever the pace rule would say of this block.
    monkeypatch.setattr(large, "LP_COLUMNS_PER_S", 1e9)
    restricted: list[int] = []
    real = large.lp_restricted

    def recording(*args: object, **kwargs: object) -> object:
        restricted.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(large, "lp_restricted", recording)
    part_map = RecordingMap()
    part_map.parallelism = parallelism
    scenario = generate_alliance(40, seed=3)
    plan = solve(scenario, dataclasses.replace(SolveOptions(time_limit_s=6, threads=1), part_map=part_map))
    assert bool(restricted) is dives
    assert check(scenario, plan).ok


@pytest.mark.parametrize(("parallelism", "dive_max_vars", "kind"), [(2, 100, "LP-DAYS/"), (1, 100, "LP-DAYS/"),
                                                                    (1, 10**9, "LP+"), (2, 10**9, "LP+")])
def test_a_county_block_whose_lp_serves_only_its_bound_keeps_the_lp_within_the_merged_budget(
    monkeypatch: pytest.MonkeyPatch, parallelism: int, dive_max_vars: int, kind: str,
) -> None:
    """A county-sized block (above DIVE_MAX_VARS) wants its LP for the bound alone: a daily LP that would take most
    of the time gives way to days merged, with one worker or two; below that size (a dive follows) it is taken."""
    from solver import large
    from solver.candidates import build_candidates
    from solver.model import build_model

    monkeypatch.setattr(run, "PART_VARS", 500)
    monkeypatch.setattr(neighbourhoods, "PART_FIRMS", 8)
    monkeypatch.setattr(large, "DIVE_MAX_VARS", dive_max_vars)
    scenario = generate_alliance(40, seed=3)
    limit = 6.0
    milp, _ = build_model(scenario, build_candidates(scenario))
    # The daily LP is expected in 60% of the time: it finishes, but is over the 30% share; merged LPs fit.
    monkeypatch.setattr(large, "LP_COLUMNS_PER_S", milp.num_vars / (0.6 * limit))
    monkeypatch.setattr(large, "LEAN_COLUMNS_PER_S", 1e9)
    part_map = RecordingMap()
    part_map.parallelism = parallelism
    plan, stats = run.solve_model(scenario, dataclasses.replace(SolveOptions(time_limit_s=limit, threads=1),
                                                                part_map=part_map))
    assert kind in stats.termination, stats.termination
    assert check(scenario, plan).ok
    assert plan.objective is not None and plan.bound is not None and plan.bound >= plan.objective
