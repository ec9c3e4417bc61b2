"""Progress events from the solvers' output: the best plan any step found and the tightest bound any proved."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

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

    def __init__(
        self, on_progress: ProgressCallback | None, start: float, *,
        target_gap: float | None = None, on_proven: Callable[[], None] | None = None,
    ) -> None:
        self.on_progress = on_progress
        self.start = start
        self.last: Progress | None = None
        # Stop when proven (issue 11 item 7): once the best plan any step found is within ``target_gap`` of the
        # tightest bound any step proved, ``on_proven`` interrupts the block's solves, whichever step is running.
        self.target_gap = target_gap
        self.on_proven = on_proven
        self.proven = False
        # Two workers of one block report through the same relay.
        self._lock = threading.Lock()

    def emit(self, objective: float | None, bound: float | None) -> None:
        if self.on_progress is None and self.on_proven is None:
            return
        with self._lock:
            p = self._merge(objective, bound)
            changed = self.last is None or (p.objective, p.bound) != (self.last.objective, self.last.bound)
            if changed:
                self.last = p
                if self.on_progress is not None:
                    self.on_progress(p)
            proven_now = (not self.proven and self.target_gap is not None and p.gap is not None
                          and p.gap <= self.target_gap)
            if proven_now:
                self.proven = True
        if proven_now and self.on_proven is not None:
            self.on_proven()

    def plan_target(self) -> float | None:
        """The value at which a plan is proven within the target gap by the best bound seen so far, if any."""
        with self._lock:
            bound = None if self.last is None else self.last.bound
        if bound is None or self.target_gap is None:
            return None
        # A hair inside the gap, so that a plan at the target passes the gap test after rounding.
        return bound - 0.999 * self.target_gap * max(1.0, abs(bound))

    def close(self) -> None:
        """No more events: a member still running after the block returned must not report over the result."""
        with self._lock:
            self.on_progress = None
            self.on_proven = None

    def finish(self, objective: float | None, bound: float | None, stop_reason: str) -> None:
        """The last event of a solve: the plan's own figures and why the solve stopped."""
        if self.on_progress is None:
            return
        with self._lock:
            p = Progress(objective, bound, relative_gap(objective, bound), time.monotonic() - self.start,
                         stop_reason)
            self.last = p
            self.on_progress(p)

    def _merge(self, objective: float | None, bound: float | None) -> Progress:
        # Several solvers may report; the plan kept is the best any found and the bound the tightest any proved.
        if self.last is not None:
            if self.last.objective is not None and (objective is None or objective < self.last.objective):
                objective = self.last.objective
            if self.last.bound is not None and (bound is None or bound > self.last.bound):
                bound = self.last.bound
        return Progress(objective, bound, relative_gap(objective, bound), time.monotonic() - self.start)

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
