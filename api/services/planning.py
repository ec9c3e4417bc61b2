"""Planning jobs: a round's scenario frozen as a snapshot, solved off the request path.

The request only writes the job row (status ``queued``); once that commit is
done the runner (:mod:`api.services.jobs`, or a Celery worker) picks the job up in a worker
thread.  The stateless ``solve`` is for integrations: scenario in, plan out.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from alliance.check import check
from alliance.plan import Plan, Status
from alliance.scenario import Scenario, load_scenario
from api import queries
from api.db import on_commit
from api.errors import Conflict, FieldError, InvalidInput, TooManyRequests, make_field_error
from api.models import JobStatus, PlanningJob, PlanningRound, User, utcnow
from api.schemas import SolveSettings
from api.services import audit
from api.services.jobs import Runner
from api.services.reporting import plan_report
from api.services.scenarios import round_scenario
from api.settings import Settings


def assemble(session: Session, rnd: PlanningRound) -> tuple[Scenario, dict[str, Any]]:
    """The round's scenario from every firm's latest report; 409 without reports, 422 when invalid."""
    from api.county.service import planning_data  # a county round adds what its parks escalated

    county = planning_data(session, rnd)
    if county is not None:
        scenario_or_none, errors = _load(county)
        if errors or scenario_or_none is None:
            raise InvalidInput(f"县级场景有 {len(errors)} 处错误 / the county scenario has {len(errors)} error(s)",
                               errors)
        return scenario_or_none, county
    reports = queries.latest_reports(session, rnd.id)
    if not reports:
        raise Conflict(f"计划轮次 {rnd.id} 尚无企业填报 / no firm has reported for round {rnd.id} yet")
    scenario, data, errors = round_scenario(rnd, rnd.alliance, reports)
    if errors or scenario is None:
        raise InvalidInput(f"汇总场景有 {len(errors)} 处错误 / the assembled scenario has {len(errors)} error(s)",
                           errors)
    from api.execution.ratings import with_reliability  # the reliability extension (issue 14), when set

    return with_reliability(session, rnd, scenario, data)


def _load(data: dict[str, Any]) -> tuple[Scenario | None, list[FieldError]]:
    try:
        return load_scenario(data), []
    except ValidationError as exc:
        return None, [make_field_error(["scenario", *e["loc"]], str(e["msg"]), str(e["type"]), e.get("input"))
                      for e in exc.errors()]


def solve_options(settings: Settings, requested: SolveSettings) -> dict[str, Any]:
    return {
        "time_limit_s": settings.effective_time_limit(requested.time_limit_s),
        "relative_gap": requested.relative_gap if requested.relative_gap is not None else settings.solver_relative_gap,
        "threads": settings.solver_threads,
        "backend": settings.solver_backend,
        "seed": 0,
    }


def create_job(
    session: Session, actor: User | None, rnd: PlanningRound, requested: SolveSettings, settings: Settings,
    runner: Runner, *, snapshot: dict[str, Any] | None = None, replan: dict[str, Any] | None = None,
    replan_of: int | None = None,
) -> PlanningJob:
    _check_job_caps(session, actor, rnd, settings)
    if snapshot is None:
        _, snapshot = assemble(session, rnd)
        # The inputs of the plan: a later report version marks proposals of this job outdated.
        versions: dict[str, Any] | None = {str(k): v for k, v in queries.latest_versions(session, rnd.id).items()}
    else:
        # A re-plan solves the same snapshot again: same inputs as the job it re-plans.
        origin = session.get(PlanningJob, replan_of) if replan_of is not None else None
        versions = origin.report_versions if origin is not None else None
    job = PlanningJob(
        round_id=rnd.id,
        status=JobStatus.QUEUED.value,
        snapshot=snapshot,
        report_versions=versions,
        options=solve_options(settings, requested),
        replan=replan,
        replan_of=replan_of,
        created_by=actor.id if actor else None,
    )
    session.add(job)
    session.flush()
    audit.record(session, actor, "job.create", "job", job.id, after=audit.state(job), alliance_id=rnd.alliance_id)
    job_id = job.id
    on_commit(session, lambda: runner.submit(job_id))
    return job


def _check_job_caps(session: Session, actor: User | None, rnd: PlanningRound, settings: Settings) -> None:
    """At most a few jobs queued or running per round and per user: a loop of requests cannot fill the runner."""
    per_round = queries.count_active_jobs(session, round_id=rnd.id)
    if per_round >= settings.max_active_jobs_per_round:
        raise TooManyRequests(
            f"本轮已有 {per_round} 个计划任务在排队或运行（上限 {settings.max_active_jobs_per_round}），"
            "请等待完成或取消 / "
            f"round {rnd.id} already has {per_round} jobs queued or running (limit "
            f"{settings.max_active_jobs_per_round}); wait or cancel one", retry_after=30)
    if actor is not None:
        mine = queries.count_active_jobs(session, created_by=actor.id)
        if mine >= settings.max_active_jobs_per_user:
            raise TooManyRequests(
                f"您已有 {mine} 个计划任务在排队或运行（上限 {settings.max_active_jobs_per_user}）/ you already have "
                f"{mine} jobs queued or running (limit {settings.max_active_jobs_per_user})", retry_after=30)


def cancel_job(session: Session, actor: User, job: PlanningJob, runner: Runner) -> PlanningJob:
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        raise Conflict(f"任务 {job.id} 已是 {job.status}，不能取消 / job {job.id} is {job.status} and cannot be "
                       "cancelled")
    before = audit.state(job, exclude={"progress"})
    job.status = JobStatus.CANCELLED.value
    job.finished_at = utcnow()
    job.error = "已由协调员取消 / cancelled by the coordinator"
    audit.record(session, actor, "job.cancel", "job", job.id, before=before,
                 after=audit.state(job, exclude={"progress"}), alliance_id=job.round.alliance_id)
    job_id = job.id
    # The worker is told only once the cancellation is committed; it then stops the solver.
    on_commit(session, lambda: runner.cancel(job_id))
    return job


def solve_now(scenario: Scenario, requested: SolveSettings, settings: Settings
              ) -> tuple[Plan, list[str], dict[str, Any], float]:
    """The stateless solve (run by the route in a solve process): plan, rule check, options used, time taken."""
    from solver import SolveOptions, solve

    options = solve_options(settings, requested)
    started = time.monotonic()
    plan: Plan = solve(scenario, SolveOptions(**options))
    if plan.status in (Status.OPTIMAL, Status.FEASIBLE):
        plan.report = plan_report(scenario, plan)
    violations = [str(v) for v in check(scenario, plan).violations]
    return plan, violations, options, time.monotonic() - started
