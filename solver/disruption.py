"""A minimal-disruption re-plan: the penalised solve, then the unrestricted one, and the trade-off between them.

Chosen over the lexicographic form (best value first, then fewest changes within a tolerance) because one
penalty reads as a rule a coordinator can state ("move an unanswered item only for at least 200 yuan"), it is
one MILP per solve instead of two in sequence, and the second solve is needed anyway for the trade-off: the
unrestricted re-plan (same pins and forbidden pairs, no penalty), started from the penalised plan, so it is never
worth less.  Its bound is the bound reported with the plan: it holds for every re-plan the rules allow, while the
penalised model's bound includes the penalties (docs/solver.md, "Re-planning").
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

from alliance.plan import Plan, Status, relative_gap
from alliance.replan import ReplanConstraints
from alliance.scenario import Scenario
from solver.preference import compare_with_preferred
from solver.run import Progress, ProgressCallback, SolveOptions, SolveStats, solve_model

# Share of the time for the penalised solve (the plan); the unrestricted solve (the trade-off and the bound) gets
# the rest, starting from the penalised plan.
PREFERRED_SHARE = 0.6


def wants_minimal_disruption(replan: ReplanConstraints | None) -> bool:
    return replan is not None and replan.change_penalty > 0 and bool(
        replan.preferred_subcontracts or replan.preferred_loans)


def solve_minimal_disruption(
    scenario: Scenario, options: SolveOptions, replan: ReplanConstraints, *,
    on_progress: ProgressCallback | None = None, cancel: threading.Event | None = None,
) -> tuple[Plan, SolveStats]:
    """The re-plan that keeps unanswered items unless a change earns its penalty, with ``plan.disruption`` set."""
    t0 = time.monotonic()
    best: dict[str, float | None] = {"objective": None}

    def first(p: Progress) -> None:
        # The penalised model's figures include the penalties: only the time is passed on.
        if on_progress is not None:
            on_progress(Progress(None, None, None, p.elapsed_s))

    def second(p: Progress) -> None:
        if on_progress is not None:
            objective = best["objective"]
            on_progress(Progress(objective, p.bound, relative_gap(objective, p.bound), time.monotonic() - t0))

    share = dataclasses.replace(options, time_limit_s=PREFERRED_SHARE * options.time_limit_s)
    plan, stats = solve_model(scenario, share, replan=replan, on_progress=first, cancel=cancel)
    if plan.status not in (Status.OPTIMAL, Status.FEASIBLE) or plan.objective is None:
        return plan, stats
    best["objective"] = plan.objective
    # The preferred items stay in the unrestricted model only so that a declined pair may still keep its unanswered
    # items (kept whole or dropped, at no penalty): that keeps it a relaxation of the penalised one.
    free = dataclasses.replace(replan, change_penalty=0.0,
                               start_production=tuple(plan.production), start_loans=tuple(plan.loans))
    unrestricted: Plan | None = None
    if cancel is None or not cancel.is_set():
        left = max(0.5, options.time_limit_s - (time.monotonic() - t0))
        unrestricted, _ = solve_model(scenario, dataclasses.replace(options, time_limit_s=left), replan=free,
                                      on_progress=second, cancel=cancel)
        if unrestricted.status not in (Status.OPTIMAL, Status.FEASIBLE) or unrestricted.objective is None:
            unrestricted = None
    free_objective = plan.objective if unrestricted is None else max(plan.objective, unrestricted.objective or 0.0)
    bound = None if unrestricted is None or unrestricted.bound is None else max(unrestricted.bound, free_objective)
    plan.bound = None if bound is None else round(bound, 6)
    plan.gap = relative_gap(plan.objective, plan.bound)
    # OPTIMAL only when the kept plan is within the requested gap of the best re-plan the rules allow.
    plan.status = Status.OPTIMAL if plan.gap is not None and plan.gap <= options.relative_gap else Status.FEASIBLE
    plan.disruption = disruption_summary(scenario, plan, replan, unrestricted, free_objective)  # type: ignore[attr-defined]
    stats.solve_s = time.monotonic() - t0
    return plan, stats


def disruption_summary(scenario: Scenario, plan: Plan, replan: ReplanConstraints, unrestricted: Plan | None,
                       free_objective: float) -> dict[str, Any]:
    """What the re-plan kept of the unanswered items, and what keeping them costs against the unrestricted re-plan."""
    mine = compare_with_preferred(scenario, plan, replan)
    assert plan.objective is not None
    out: dict[str, Any] = {
        "change_penalty": replan.change_penalty,
        "preferred": len(replan.preferred_keys),
        **mine,
        "objective": plan.objective,
        "unrestricted_objective": round(free_objective, 2),
        "value_given_up": round(max(0.0, free_objective - plan.objective), 2),
        "value_given_up_at_most": None if plan.bound is None else round(max(0.0, plan.bound - plan.objective), 2),
        # Items the unrestricted re-plan would change or drop; the kept plan's own when it found nothing better.
        "unrestricted_moves": len(mine["changed"]) + len(mine["removed"]),
    }
    if unrestricted is not None and (unrestricted.objective or 0.0) > plan.objective + 1e-6:
        theirs = compare_with_preferred(scenario, unrestricted, replan)
        out["unrestricted_moves"] = len(theirs["changed"]) + len(theirs["removed"])
    return out
