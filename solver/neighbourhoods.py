"""A neighbourhood search (LNS) over geographic neighbourhoods of a large block (docs/solver.md).

Entry point: :func:`neighbourhood_search`.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from solver.backend import Interrupters, objective_of, trivial_bound
from solver.blocks import firm_links, geographic_parts, linked_parts, rows_of_columns, with_others_fixed
from solver.milp import Milp
from solver.options import PartMap, PartTask, SolveOptions
from solver.staged import staged_solve

# Neighbourhoods of a large block have about this many firms (docs/solver.md).
PART_FIRMS = 30
# Neighbourhoods of a large block get seconds each, too few for the shape relaxation: the LP dive takes all their time
# (gen-300-tight, 60 s: 4,043,032 against 3,894,551 with half of it).
PART_DIVE_SHARE = 1.0
# Share of what is left of a large block's time for each round of neighbourhoods, the first one included.
ROUND_SHARE = 0.4
# Rounds that use the geometric partitions (alternating) before groups grown along the links take over.
GEOMETRIC_ROUNDS = 2
# The least promising neighbourhoods of a round are left out until each of the others has this long: from gen-800's
# hand plan six neighbourhoods gained 45k / 83k / 90k / 103k yuan in 1 / 2 / 4 / 8 s, so below ~2 s a solve finds
# little, and the last rounds of a search (seconds long) spread over 30 neighbourhoods found nothing at all.
MIN_PART_S = 2.0
# A neighbourhood whose quantity bound is within this many yuan of its current plan has nothing to gain: skipped.
MIN_POTENTIAL = 1.0


class Neighbourhood(NamedTuple):
    """One neighbourhood of a round: its columns in the block, its MILP (the rest held), its start, its potential."""

    keep: list[int]
    milp: Milp
    current: list[float]
    potential: float


def gain_potential(neighbourhood: Milp, current: list[float]) -> float:
    """What a neighbourhood could gain at most: its quantity bound less its current plan (no solve needed).

    A round's time goes to its neighbourhoods by this, not by their size.  gen-800 loose, one partition of 32: the
    neighbourhoods' own LP gains correlate with it at 0.95-0.97 (hand plan, and after 150 s of search) and with
    their column counts at only 0.13-0.26; the gains are concentrated (after 150 s the top 8 of 32 hold 275,000 of
    478,000 yuan), so time spread by size went mostly where nothing was left to find.
    """
    return trivial_bound(neighbourhood) - objective_of(neighbourhood, current)


def solve_part(task: PartTask) -> list[float] | None:
    """One neighbourhood, as the in-process search solves it: improved values, or None (a Celery task runs it)."""
    res = staged_solve(task.milp, task.options, task.time_limit_s, Interrupters(), None, task.start,
                       dive_share=PART_DIVE_SHARE)
    if res.values is None or res.objective <= objective_of(task.milp, task.start) + 1e-6:
        return None
    return res.values


def neighbourhood_search(
    sub: Milp, options: SolveOptions, time_limit_s: float, interrupters: Interrupters,
    coords: tuple[list[float], list[float]], workers: int, hint: list[float] | None,
    on_plan: Callable[[float], None] | None = None, busy: threading.Event | None = None,
) -> list[float] | None:
    """A plan for a large block, improved one geographic neighbourhood at a time from the start plan.

    ``on_plan`` hears the block's objective after every accepted improvement (the job's progress; a county
    solve spends minutes here).  ``busy``, set while this process has a core taken elsewhere, goes to the part
    map (see PartMap).

    A county-sized block is too big for the shape relaxation to find good plans in minutes; neighbourhoods of a
    park's size (PART_FIRMS firms) are solved in seconds each, with everything outside them held at the current
    plan, so links across a neighbourhood's edge keep what the plan gives them and each solve can only improve
    it.  The first two rounds use two partitions whose edges cross (the second turned by 45 degrees), so the links
    that straddle one round's edges are free in the next; later rounds draw groups grown along the links
    (``partition``).  Each round gives its time by gain potential, most promising first (``promising``).  Parts
    solved apart with their edge links dropped lost those links: on gen-300-tight's 57,570-column block they
    covered 23,758 columns (docs/solver.md).
    """
    deadline = time.monotonic() + time_limit_s
    values = list(hint) if hint is not None else [max(0.0, lb) for lb in sub.lb]
    if not sub.is_feasible(values):
        return None
    rows_of = rows_of_columns(sub)
    lat, lon = coords
    partitions = [(lat, lon), ([a + b for a, b in zip(lat, lon, strict=True)],
                               [a - b for a, b in zip(lat, lon, strict=True)])]
    lock = threading.Lock()
    attempted = [0]
    # Kept by differences: the whole block's objective is a million-term sum at county size.
    objective = [objective_of(sub, values)]

    def accept(keep: list[int], improved: list[float]) -> None:
        with lock:
            before = [values[j] for j in keep]
            for k, j in enumerate(keep):
                values[j] = improved[k]
            # Neighbourhoods of one round share no row, so this holds; checked, as a wrong plan costs more.
            touched = {i for j in keep for i in rows_of[j]}
            if not sub.rows_hold(touched, values):
                for k, j in enumerate(keep):
                    values[j] = before[k]
                return
            objective[0] += sum(sub.obj[j] * (values[j] - before[k]) for k, j in enumerate(keep))
            if on_plan is not None:
                on_plan(objective[0])

    def improve(keep: list[int], neighbourhood: Milp, current: list[float], share: float) -> None:
        if interrupters.stop.is_set() or share < 0.2:
            return
        with lock:
            attempted[0] += 1
        res = staged_solve(neighbourhood, options, share, interrupters, None, current, dive_share=PART_DIVE_SHARE)
        if res.values is None or res.objective <= objective_of(neighbourhood, current) + 1e-6:
            return
        accept(keep, res.values)

    def solving_now() -> int:
        # How many solves a round's neighbourhoods have at once: the threads here, or the part map's processes
        # less this one's while its core is busy (see PartMap).
        if options.part_map is None:
            return workers
        parallelism = options.part_map.parallelism
        return max(1, parallelism - (1 if parallelism > 1 and busy is not None and busy.is_set() else 0))

    def promising(parts: list[list[int]], round_s: float, capacity: int) -> list[Neighbourhood]:
        # Every neighbourhood of the round is built from the plan as it stands (parts of one round share no row,
        # so another part's answer never changes this one's), weighed by its gain potential, most promising first;
        # then the least promising are left out until each of the rest has MIN_PART_S of the round's time.
        with lock:
            built = []
            for keep in parts:
                current = [values[j] for j in keep]
                neighbourhood = with_others_fixed(sub, keep, values, rows_of)
                built.append(Neighbourhood(keep, neighbourhood, current, gain_potential(neighbourhood, current)))
        chosen = sorted((b for b in built if b.potential > MIN_POTENTIAL), key=lambda b: -b.potential)
        total = sum(b.potential for b in chosen)
        while len(chosen) > 1 and round_s * capacity * chosen[-1].potential / total < MIN_PART_S:
            total -= chosen.pop().potential
        return chosen

    def mapped_round(round_parts: list[Neighbourhood], round_s: float, round_deadline: float, solving: int,
                     part_map: PartMap) -> None:
        # Shares as if ``solving`` processes took the parts one after the other (the count the round's parts were
        # chosen for); the map cuts each at the round's deadline.
        total = sum(p.potential for p in round_parts) or 1.0
        plain = dataclasses.replace(options, part_map=None)
        held = busy if busy is not None else threading.Event()
        keeps, tasks = [], []
        for keep, neighbourhood, current, potential in round_parts:
            share = min(round_s, round_s * potential / total * solving)
            if share >= 0.2:
                keeps.append(keep)
                tasks.append(PartTask(neighbourhood, plain, share, current))
        attempted[0] += len(tasks)
        # Each answer is kept as it comes: a round lasts minutes at county size, and the job's progress (and a
        # cancel) should see the plan move within it, not at its end.
        for index, improved in part_map(tasks, round_deadline, held):
            task = tasks[index]
            if improved is not None and (objective_of(task.milp, improved)
                                         > objective_of(task.milp, task.start) + 1e-6):
                accept(keeps[index], improved)

    @functools.cache
    def links() -> dict[int, Counter[int]]:
        return firm_links(sub)  # built once, when the first linked partition is drawn

    def partition(round_no: int) -> list[list[int]]:
        # The two geometric partitions first, then groups grown along the links from random firms, a new draw
        # each round: with only the two, gen-800's plan stopped moving after ~250 of its 300 s (two runs, both
        # within 800 yuan of 15,990,000 from 270 s on), a local optimum of those two partitions.
        if round_no < GEOMETRIC_ROUNDS:
            part_lat, part_lon = partitions[round_no % len(partitions)]
            return geographic_parts(sub, part_lat, part_lon, PART_FIRMS)
        return linked_parts(sub, links(), PART_FIRMS, random.Random(f"{options.seed}:{round_no}"))

    round_no = 0
    while not interrupters.stop.is_set():
        left = deadline - time.monotonic()
        if left < 1.0:
            break
        # Each round takes ROUND_SHARE of what is left (each neighbourhood needs seconds for its dive), the last
        # one all of it; later rounds work over the earlier rounds' seams.
        round_s = left if left < 4.0 else ROUND_SHARE * left
        round_deadline = time.monotonic() + round_s
        solving = solving_now()
        round_parts = promising(partition(round_no), round_s, solving)
        total = sum(p.potential for p in round_parts) or 1.0
        started = [0.0]

        def solve_part(part: Neighbourhood, round_deadline: float = round_deadline,
                       total: float = total, started: list[float] = started) -> None:
            keep, neighbourhood, current, potential = part
            with lock:
                remaining = max(0.0, round_deadline - time.monotonic())
                share = min(remaining, remaining * potential / max(1e-9, total - started[0]) * workers)
                started[0] += potential
            improve(keep, neighbourhood, current, share)

        attempted_before = attempted[0]
        if options.part_map is not None:
            mapped_round(round_parts, round_s, round_deadline, solving, options.part_map)
        elif workers <= 1:
            for part in round_parts:
                solve_part(part)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(solve_part, round_parts))
        if attempted[0] == attempted_before:
            break  # too little time left for any neighbourhood: another round would only spin
        round_no += 1
    return values if sub.is_feasible(values) else None
