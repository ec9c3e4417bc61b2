"""A neighbourhood search (LNS) over geographic neighbourhoods of a large block (docs/solver.md).

Entry point: :func:`neighbourhood_search`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from solver.backend import Interrupters, objective_of
from solver.blocks import geographic_parts, rows_of_columns, with_others_fixed
from solver.milp import Milp
from solver.options import PartMap, PartTask, SolveOptions
from solver.staged import staged_solve

# Neighbourhoods of a large block have about this many firms (docs/solver.md).
PART_FIRMS = 30
# Neighbourhoods of a large block get seconds each, too few for the shape relaxation: the LP dive takes all their time
# (gen-300-tight, 60 s: 4,043,032 against 3,894,551 with half of it).
PART_DIVE_SHARE = 1.0
# Share of what is left of a large block's time for each round of neighbourhoods, the first one included.
ROUND_SHARE = 0.6


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
    it.  Rounds alternate two partitions whose edges cross (the second turned by 45 degrees), so the links that
    straddle one round's edges are free in the next.  Parts solved apart with their edge links dropped lost
    those links: on gen-300-tight's 57,570-column block they covered 23,758 columns (docs/solver.md).
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

    def improve(keep: list[int], share: float) -> None:
        if interrupters.stop.is_set() or share < 0.2:
            return
        with lock:
            attempted[0] += 1
            current = [values[j] for j in keep]
            neighbourhood = with_others_fixed(sub, keep, values, rows_of)
        res = staged_solve(neighbourhood, options, share, interrupters, None, current, dive_share=PART_DIVE_SHARE)
        if res.values is None or res.objective <= objective_of(neighbourhood, current) + 1e-6:
            return
        accept(keep, res.values)

    def mapped_round(parts: list[list[int]], round_s: float, round_deadline: float, part_map: PartMap) -> None:
        # Shares as if ``parallelism`` processes took the parts one after the other; the map cuts each at the
        # round's deadline.  Built from the plan as it stands: parts of one round share no row.
        total = sum(len(p) for p in parts) or 1
        plain = dataclasses.replace(options, part_map=None)
        held = busy if busy is not None else threading.Event()
        solving = part_map.parallelism - (1 if part_map.parallelism > 1 and held.is_set() else 0)
        keeps, tasks = [], []
        for keep in parts:
            share = min(round_s, round_s * len(keep) / total * max(1, solving))
            if share >= 0.2:
                keeps.append(keep)
                tasks.append(PartTask(with_others_fixed(sub, keep, values, rows_of), plain, share,
                                      [values[j] for j in keep]))
        attempted[0] += len(tasks)
        # Each answer is kept as it comes: a round lasts minutes at county size, and the job's progress (and a
        # cancel) should see the plan move within it, not at its end.
        for index, improved in part_map(tasks, round_deadline, held):
            task = tasks[index]
            if improved is not None and (objective_of(task.milp, improved)
                                         > objective_of(task.milp, task.start) + 1e-6):
                accept(keeps[index], improved)

    round_no = 0
    while not interrupters.stop.is_set():
        left = deadline - time.monotonic()
        if left < 1.0:
            break
        # Each round takes ROUND_SHARE of what is left (each neighbourhood needs seconds for its dive), the last
        # one all of it; later rounds work over the earlier rounds' seams.
        round_s = left if left < 4.0 else ROUND_SHARE * left
        round_deadline = time.monotonic() + round_s
        part_lat, part_lon = partitions[round_no % len(partitions)]
        parts = geographic_parts(sub, part_lat, part_lon, PART_FIRMS)
        total = sum(len(p) for p in parts) or 1
        started = [0]

        def solve_part(keep: list[int], round_deadline: float = round_deadline, total: int = total,
                       started: list[int] = started) -> None:
            with lock:
                remaining = max(0.0, round_deadline - time.monotonic())
                share = min(remaining, remaining * len(keep) / max(1, total - started[0]) * workers)
                started[0] += len(keep)
            improve(keep, share)

        attempted_before = attempted[0]
        if options.part_map is not None:
            mapped_round(parts, round_s, round_deadline, options.part_map)
        elif workers <= 1:
            for keep in parts:
                solve_part(keep)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(solve_part, parts))
        if attempted[0] == attempted_before:
            break  # too little time left for any neighbourhood: another round would only spin
        round_no += 1
    return values if sub.is_feasible(values) else None
