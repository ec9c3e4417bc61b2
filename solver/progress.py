"""Progress events from the solvers' output: the best plan any step found and the tightest bound any proved."""

from __future__ import annotations

import re
import threading
import time

from ortools.math_opt.python import mathopt

from alliance.plan import relative_gap
from solver.options import Progress, ProgressCallback

# HiGHS' MIP log prints one table row per event, columns:
# Src Proc. InQueue | Leaves Expl. | BestBound BestSol Gap | Cuts InLp Confl. | LpIters Time
_HIGHS_ROW = re.compile(
    r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(?P<bound>[-+\deE.]+|inf|-inf)\s+"
    r"(?P<sol>[-+\deE.]+|inf|-inf)\s+(?P<gap>[\d.]+%|inf|Large)\s+.*\s(?P<time>[\d.]+)s\s*$"
)


def parse_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if abs(value) != float("inf") else None


class ProgressRelay:
    """Turns solver output into Progress events; for HiGHS, whose callbacks MathOpt does not relay, by its log."""

    def __init__(self, on_progress: ProgressCallback | None, start: float) -> None:
        self.on_progress = on_progress
        self.start = start
        self.last: Progress | None = None
        # Two workers of one block report through the same relay.
        self._lock = threading.Lock()

    def emit(self, objective: float | None, bound: float | None) -> None:
        if self.on_progress is None:
            return
        with self._lock:
            self._emit(self.on_progress, objective, bound)

    def _emit(self, on_progress: ProgressCallback, objective: float | None, bound: float | None) -> None:
        # Several solvers may report; the plan kept is the best any found and the bound the tightest any proved.
        if self.last is not None:
            if self.last.objective is not None and (objective is None or objective < self.last.objective):
                objective = self.last.objective
            if self.last.bound is not None and (bound is None or bound > self.last.bound):
                bound = self.last.bound
        p = Progress(objective, bound, relative_gap(objective, bound), time.monotonic() - self.start)
        if self.last is None or (p.objective, p.bound) != (self.last.objective, self.last.bound):
            self.last = p
            on_progress(p)

    def highs_log(self, lines: list[str]) -> None:
        for line in lines:
            match = _HIGHS_ROW.match(line)
            if match:
                self.emit(parse_float(match["sol"]), parse_float(match["bound"]))

    def highs_log_bound_only(self, lines: list[str]) -> None:
        """For relaxations: their bound holds for the real model, their solutions are not plans."""
        for line in lines:
            match = _HIGHS_ROW.match(line)
            if match:
                self.emit(None, parse_float(match["bound"]))

    def highs_log_objective_only(self, lines: list[str]) -> None:
        """For restricted models: their plans are plans, their bounds hold only for the restriction."""
        for line in lines:
            match = _HIGHS_ROW.match(line)
            if match:
                self.emit(parse_float(match["sol"]), None)

    def callback(self, data: mathopt.CallbackData) -> mathopt.CallbackResult:
        stats = data.mip_stats
        self.emit(parse_float(str(stats.primal_bound)), parse_float(str(stats.dual_bound)))
        return mathopt.CallbackResult()
