"""Stop when proven (issue 11 item 7): a solve ends once its plan is within the requested gap, and says why."""

from __future__ import annotations

import threading

import pytest

from alliance import check, load_scenario
from alliance.generator import generate_alliance
from alliance.plan import Plan, PlanStats, Status, StopReason
from solver import Progress, SolveOptions, solve_model
from solver.progress import ProgressRelay
from solver.run import stop_reason
from tests.conftest import SCENARIOS_DIR


def test_a_small_optimum_ends_long_before_the_limit_as_proven_optimal() -> None:
    s = load_scenario((SCENARIOS_DIR / "tight-8.json").read_text(encoding="utf-8"))
    events: list[Progress] = []
    plan, stats = solve_model(s, SolveOptions(time_limit_s=120.0), on_progress=events.append)
    assert plan.status == Status.OPTIMAL and check(s, plan).ok
    assert plan.stats is not None and plan.stats.stop_reason == StopReason.PROVEN_OPTIMAL
    assert stats.stop_reason == "proven_optimal"
    # It ran to its proof, not to its limit (a solve that waited for the clock would take 120 s).
    assert plan.stats.elapsed_s is not None and plan.stats.elapsed_s < 60.0
    assert events[-1].stop_reason == "proven_optimal"
    assert all(e.stop_reason is None for e in events[:-1])


def test_a_requested_gap_ends_the_solve_within_it() -> None:
    s = generate_alliance(12, seed=5, tight=True)
    plan, _ = solve_model(s, SolveOptions(time_limit_s=120.0, relative_gap=0.05, threads=1))
    assert plan.gap is not None and plan.gap <= 0.05
    assert plan.stats is not None and plan.stats.stop_reason in (StopReason.WITHIN_GAP, StopReason.PROVEN_OPTIMAL)
    assert plan.stats.requested_gap == 0.05
    assert plan.stats.elapsed_s is not None and plan.stats.elapsed_s < 60.0


def test_a_hard_case_with_a_short_limit_stops_on_the_clock() -> None:
    s = load_scenario((SCENARIOS_DIR / "park-24-tight.json").read_text(encoding="utf-8"))
    plan, _ = solve_model(s, SolveOptions(time_limit_s=2.0, threads=1))
    assert plan.gap is not None and plan.gap > 1e-4
    assert plan.stats is not None and plan.stats.stop_reason == StopReason.TIME_LIMIT


def test_a_cancelled_solve_says_so() -> None:
    s = generate_alliance(24, seed=0, tight=True)
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    plan, _ = solve_model(s, SolveOptions(time_limit_s=6.0, threads=1), cancel=cancel)
    assert check(s, plan).ok
    assert plan.stats is not None and plan.stats.stop_reason == StopReason.CANCELLED


@pytest.mark.parametrize(
    ("status", "gap", "requested", "cancelled", "expected"),
    [
        (Status.OPTIMAL, 0.0, 1e-4, False, StopReason.PROVEN_OPTIMAL),
        (Status.OPTIMAL, 0.004, 0.01, False, StopReason.WITHIN_GAP),
        (Status.OPTIMAL, 0.004, 0.01, True, StopReason.WITHIN_GAP),  # proven before the cancel mattered
        (Status.FEASIBLE, 0.02, 0.01, False, StopReason.TIME_LIMIT),
        (Status.FEASIBLE, 0.02, 0.01, True, StopReason.CANCELLED),
        (Status.INFEASIBLE, None, 1e-4, False, StopReason.PROVEN_INFEASIBLE),
    ],
)
def test_stop_reason_follows_the_plan(
    status: Status, gap: float | None, requested: float, cancelled: bool, expected: StopReason,
) -> None:
    plan = Plan(status=status, gap=gap)
    assert stop_reason(plan, SolveOptions(relative_gap=requested), cancelled) == expected


def test_plans_stored_before_the_stats_existed_still_load() -> None:
    old = Plan.model_validate({"status": "FEASIBLE", "objective": 1.0, "bound": 2.0, "gap": 0.5})
    assert old.stats is None
    new = Plan(status=Status.OPTIMAL, stats=PlanStats(stop_reason=StopReason.WITHIN_GAP))
    again = Plan.model_validate(new.model_dump(mode="json"))
    assert again.stats is not None and again.stats.stop_reason == StopReason.WITHIN_GAP
    assert "stats" not in new.canonical()


def test_relay_calls_proven_once_when_plan_and_bound_meet_the_gap() -> None:
    calls: list[int] = []
    relay = ProgressRelay(None, 0.0, target_gap=0.01, on_proven=lambda: calls.append(1))
    relay.emit(90.0, None)
    relay.emit(None, 100.0)  # 10% apart
    assert calls == []
    assert relay.plan_target() == pytest.approx(100.0 - 0.999)
    relay.emit(99.5, None)  # within 1% of the tightest bound seen
    relay.emit(99.6, 99.9)
    assert calls == [1]
