"""What a solve is asked for and what it reports: options, progress events, statistics.

Kept apart from the search strategies so that every strategy module and the orchestration (``solver.run``) can
import them without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Backend = Literal["highs", "scip", "cpsat"]


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float = 30.0
    # Relative gap at which the search stops and the plan is called OPTIMAL (HiGHS' own default).
    relative_gap: float = 1e-4
    threads: int = 1
    seed: int = 0
    backend: Backend = "highs"


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
