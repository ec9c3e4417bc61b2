"""The OR-Tools planner: scenario in, plan out.

Public entry point: :func:`solve`.  ``alliance`` (the domain) never imports
this package; this package imports ``alliance`` for the scenario and plan.
"""

from __future__ import annotations

import threading

from alliance.plan import Plan
from alliance.replan import ReplanConstraints
from alliance.report import build_report
from alliance.scenario import Scenario
from solver.disruption import solve_minimal_disruption, wants_minimal_disruption
from solver.model import PinError
from solver.run import Progress, ProgressCallback, SolveOptions, SolveStats, solve_model

__all__ = ["PinError", "Progress", "ProgressCallback", "SolveOptions", "SolveStats", "solve", "solve_model"]


def solve(
    scenario: Scenario,
    options: SolveOptions | None = None,
    *,
    replan: ReplanConstraints | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    with_report: bool = True,
) -> Plan:
    """Solve and return the plan, with the reviewer's report attached unless ``with_report`` is False."""
    if wants_minimal_disruption(replan):
        assert replan is not None
        plan, _stats = solve_minimal_disruption(scenario, options or SolveOptions(), replan, on_progress=on_progress,
                                                cancel=cancel)
    else:
        plan, _stats = solve_model(scenario, options, replan=replan, on_progress=on_progress, cancel=cancel)
    if with_report and plan.report is None:
        plan.report = build_report(scenario, plan)
    return plan
