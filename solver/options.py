"""What a solve is asked for and what it reports: options, progress events, statistics.

Kept apart from the search strategies so that every strategy module and the orchestration (``solver.run``) can
import them without importing each other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from solver.milp import Milp

Backend = Literal["highs", "scip", "cpsat"]


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float = 30.0
    # Relative gap at which the search stops and the plan is called OPTIMAL (HiGHS' own default).
    relative_gap: float = 1e-4
    threads: int = 1
    seed: int = 0
    backend: Backend = "highs"
    # Where the neighbourhoods of a large block are solved (None: here, on ``threads`` threads); the Celery
    # deployment spreads them over worker processes (api/distributed/fanout.py).
    part_map: PartMap | None = field(default=None, compare=False, repr=False)


@dataclass
class PartTask:
    """One neighbourhood of a large block: a MILP of its own (the rest held at the plan), its time and start."""

    milp: Milp
    options: SolveOptions
    time_limit_s: float
    start: list[float]


class PartMap(Protocol):
    """Solves a round's neighbourhoods (they share no row) by ``deadline`` (``time.monotonic()``).

    Yields ``(index into tasks, improved values or None)`` as each answer comes, in any order, so the search
    keeps (and reports) every improvement at once; a neighbourhood with no answer in time is simply not yielded.
    ``parallelism``: how many processes solve them at once, the caller's own included.  While ``busy`` is set the
    caller's process has a core taken (the LP bound and whole-block dive of solver/large.py): a map with other
    processes leaves the neighbourhoods to them then, so as not to run three solves on two cores.
    """

    parallelism: int

    def __call__(self, tasks: list[PartTask], deadline: float,
                 busy: threading.Event) -> Iterator[tuple[int, list[float] | None]]: ...


@dataclass(frozen=True)
class Progress:
    objective: float | None
    bound: float | None
    gap: float | None
    elapsed_s: float
    # Only on the last event of a solve: why it stopped (see StopReason).
    stop_reason: str | None = None


@dataclass
class SolveStats:
    build_s: float = 0.0
    solve_s: float = 0.0
    variables: int = 0
    constraints: int = 0
    integer_variables: int = 0
    backend: str = ""
    termination: str = ""
    # Why the solve stopped: a StopReason value (proven_optimal, within_gap, time_limit, cancelled, ...).
    stop_reason: str = ""
    extra: dict[str, float] = field(default_factory=dict)


ProgressCallback = Callable[[Progress], None]
