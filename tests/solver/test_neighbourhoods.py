"""How the neighbourhood search spends a round: by each neighbourhood's gain potential, not by its size."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import pytest

from alliance.generator import generate_alliance
from alliance.manual import manual_plan
from solver import SolveOptions, neighbourhoods
from solver.backend import Interrupters, objective_of, trivial_bound
from solver.blocks import split_blocks, sub_milp
from solver.candidates import build_candidates
from solver.milp import Milp
from solver.model import build_model
from solver.run import PartTask, plan_values, solve_part

County = tuple[Milp, list[float], tuple[list[float], list[float]]]


class FirstRoundMap:
    """Records the first round's tasks and answers none of them: what the round was given is all that is tested."""

    parallelism = 1

    def __init__(self) -> None:
        self.rounds: list[list[PartTask]] = []

    def __call__(self, tasks: list[PartTask], deadline: float,
                 busy: threading.Event) -> Iterator[tuple[int, list[float] | None]]:
        self.rounds.append(tasks)
        yield from ()


@pytest.fixture(scope="module")
def block_from_hand() -> County:
    """The large block of a 60-firm alliance (several parks), the hand plan on it, the firms' coordinates."""
    scenario = generate_alliance(60, seed=2)
    milp, variables = build_model(scenario, build_candidates(scenario), None)
    block = max(split_blocks(milp), key=lambda b: b.size)
    start = plan_values(scenario, milp, variables, manual_plan(scenario))
    coords = ([e.lat for e in scenario.enterprises], [e.lon for e in scenario.enterprises])
    return sub_milp(milp, block), [start[j] for j in block.vars], coords


def first_round(county: County, monkeypatch: pytest.MonkeyPatch, min_part_s: float = 0.0) -> list[PartTask]:
    """The tasks of the search's first round (4 s of its 10, on one process), MIN_PART_S as given."""
    sub, hand, coords = county
    monkeypatch.setattr(neighbourhoods, "PART_FIRMS", 8)
    monkeypatch.setattr(neighbourhoods, "ROUND_SHARE", 0.4)
    monkeypatch.setattr(neighbourhoods, "MIN_PART_S", min_part_s)
    part_map = FirstRoundMap()
    options = dataclasses.replace(SolveOptions(threads=1), part_map=part_map)
    neighbourhoods.neighbourhood_search(sub, options, 10.0, Interrupters(), coords, 1, hand)
    assert part_map.rounds, "the search never used the map"
    return part_map.rounds[0]


def test_the_gain_potential_is_the_quantity_bound_less_the_plan_and_no_solve_beats_it(
    block_from_hand: County, monkeypatch: pytest.MonkeyPatch,
) -> None:
    tasks = first_round(block_from_hand, monkeypatch)
    for task in tasks[:4]:
        potential = neighbourhoods.gain_potential(task.milp, task.start)
        assert potential == pytest.approx(trivial_bound(task.milp) - objective_of(task.milp, task.start))
        improved = solve_part(dataclasses.replace(task, time_limit_s=2.0))
        if improved is not None:
            assert objective_of(task.milp, improved) - objective_of(task.milp, task.start) <= potential + 1e-6


def test_a_round_gives_its_time_by_gain_potential_most_promising_first(
    block_from_hand: County, monkeypatch: pytest.MonkeyPatch,
) -> None:
    tasks = first_round(block_from_hand, monkeypatch)
    assert len(tasks) >= 4
    potentials = [neighbourhoods.gain_potential(t.milp, t.start) for t in tasks]
    assert potentials == sorted(potentials, reverse=True)
    # Time per yuan of potential is the same for every neighbourhood the round's length does not cap, whatever
    # its size (by size, the rule before, it was the same per column).
    longest = max(t.time_limit_s for t in tasks)
    uncapped = [(t.time_limit_s, p) for t, p in zip(tasks, potentials, strict=True) if t.time_limit_s < longest]
    assert len(uncapped) >= 3
    rates = [share / p for share, p in uncapped]
    assert max(rates) == pytest.approx(min(rates), rel=1e-6)
    sizes = [t.milp.num_vars for t in tasks]
    assert sorted(range(len(tasks)), key=lambda i: -sizes[i]) != list(range(len(tasks))), (
        "the scenario should have neighbourhoods whose size and potential rank differently")


def test_a_neighbourhood_with_nothing_to_gain_is_not_handed_over(
    block_from_hand: County, monkeypatch: pytest.MonkeyPatch,
) -> None:
    everything = first_round(block_from_hand, monkeypatch)
    potentials = sorted(neighbourhoods.gain_potential(t.milp, t.start) for t in everything)
    # Raise the floor to the median: the half below it are not worth a solve any more.
    floor = potentials[len(potentials) // 2]
    monkeypatch.setattr(neighbourhoods, "MIN_POTENTIAL", floor)
    kept = first_round(block_from_hand, monkeypatch)
    assert 0 < len(kept) < len(everything)
    assert all(neighbourhoods.gain_potential(t.milp, t.start) > floor for t in kept)


def test_a_short_round_leaves_out_the_least_promising_until_the_rest_have_enough_time(
    block_from_hand: County, monkeypatch: pytest.MonkeyPatch,
) -> None:
    everything = first_round(block_from_hand, monkeypatch)
    # A round of 4 s on one process: with 1 s each at least, at most four neighbourhoods, the most promising.
    kept = first_round(block_from_hand, monkeypatch, min_part_s=1.0)
    assert 1 <= len(kept) <= 4 < len(everything)
    assert [t.start for t in kept] == [t.start for t in everything[:len(kept)]]
    assert all(t.time_limit_s >= 1.0 - 1e-9 for t in kept)
    # The time of those left out goes to the others: each kept one has more than it had among all of them.
    pairs = list(zip(kept, everything, strict=False))
    assert all(k.time_limit_s >= e.time_limit_s for k, e in pairs)
    assert any(k.time_limit_s > e.time_limit_s for k, e in pairs)
