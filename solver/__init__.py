"""The OR-Tools planner: scenario in, plan out.

Public entry point: :func:`solve`.  ``alliance`` (the domain) never imports
this package; this package imports ``alliance`` for the scenario and plan.
"""

from solver.model import PinError
from solver.run import Progress, ProgressCallback, SolveOptions, SolveStats, solve_model

__all__ = ["PinError", "Progress", "ProgressCallback", "SolveOptions", "SolveStats", "solve", "solve_model"]


def solve(scenario, options=None, *, replan=None, on_progress=None, cancel=None):  # type: ignore[no-untyped-def]
    """Solve and return only the plan; see :func:`solver.run.solve_model` for the statistics too."""
    plan, _stats = solve_model(scenario, options, replan=replan, on_progress=on_progress, cancel=cancel)
    return plan
