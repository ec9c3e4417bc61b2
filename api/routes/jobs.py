"""Planning jobs (asynchronous) and the stateless solve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status

from alliance.scenario import Scenario
from api import queries
from api.deps import CoordinatorUser, Id, PlannerReader, SessionDep, SettingsDep, SolveUser
from api.errors import PROBLEM_RESPONSES, Conflict
from api.models import PlanningJob
from api.pools import BoundedPool
from api.schemas import JobCreate, JobOut, PlanOut, SolveRequest, SolveResponse
from api.services import planning
from api.services.jobs import Runner

router = APIRouter(responses=PROBLEM_RESPONSES)


def runner_of(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


def job_out(job: PlanningJob) -> JobOut:
    out = JobOut.model_validate(job, from_attributes=True)
    if job.plan:
        out.plan_status = job.plan.get("status")
        out.objective = job.plan.get("objective")
    return out


@router.post("/rounds/{round_id}/jobs", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED,
             tags=["jobs 计划任务"], summary="请求计划（后台求解）/ request a plan (solved in the background)")
def create_job(round_id: Id, data: JobCreate, actor: CoordinatorUser, session: SessionDep, settings: SettingsDep,
               request: Request) -> JobOut:
    rnd = queries.get_round_for(session, actor, round_id)
    return job_out(planning.create_job(session, actor, rnd, data, settings, runner_of(request)))


@router.get("/rounds/{round_id}/jobs", response_model=list[JobOut], tags=["jobs 计划任务"],
            summary="计划任务列表 / jobs of a round")
def list_jobs(round_id: Id, user: PlannerReader, session: SessionDep) -> list[JobOut]:
    rnd = queries.get_round_for(session, user, round_id)
    return [job_out(j) for j in queries.list_jobs(session, rnd.id)]


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["jobs 计划任务"],
            summary="任务状态与进度 / job status and progress")
def get_job(job_id: Id, user: PlannerReader, session: SessionDep) -> JobOut:
    return job_out(queries.get_job_for(session, user, job_id))


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, tags=["jobs 计划任务"], summary="取消任务 / cancel a job")
def cancel_job(job_id: Id, actor: CoordinatorUser, session: SessionDep, request: Request) -> JobOut:
    job = queries.get_job_for(session, actor, job_id)
    return job_out(planning.cancel_job(session, actor, job, runner_of(request)))


@router.get("/jobs/{job_id}/plan", response_model=PlanOut, tags=["jobs 计划任务"],
            summary="任务的方案（含报告）/ the job's plan with its report")
def job_plan(job_id: Id, user: PlannerReader, session: SessionDep) -> dict[str, Any]:
    job = queries.get_job_for(session, user, job_id)
    if job.plan is None:
        raise Conflict(f"任务 {job.id} 尚无方案（状态 {job.status}）/ job {job.id} has no plan yet "
                       f"(status {job.status})")
    return job.plan


@router.get("/jobs/{job_id}/snapshot", response_model=Scenario, tags=["jobs 计划任务"],
            summary="任务冻结的场景 / the scenario frozen for the job")
def job_snapshot(job_id: Id, user: PlannerReader, session: SessionDep) -> dict[str, Any]:
    return queries.get_job_for(session, user, job_id).snapshot


@router.post("/solve", response_model=SolveResponse, tags=["solve 求解"],
             responses={503: {"description": "求解繁忙 / the solver pool is full (Retry-After)"}},
             summary="无状态求解：场景进，方案出 / stateless solve: scenario in, plan out")
async def solve(data: SolveRequest, _: SolveUser, session: SessionDep, settings: SettingsDep,
                request: Request) -> SolveResponse:
    # The token is checked; the solve needs no database, so the connection goes back to the pool now.
    session.close()
    # CPU-bound: in the solve pool (a few threads, a short queue, 503 beyond), never on the event loop nor in
    # the threads that serve every other request.
    pool: BoundedPool = request.app.state.solve_pool
    plan, violations, options, elapsed = await pool.run(planning.solve_now, data.scenario, data, settings)
    return SolveResponse(plan=plan.model_dump(mode="json", by_alias=True), violations=violations,
                         time_limit_s=options["time_limit_s"], elapsed_s=round(elapsed, 3))


