"""The job runner: planning jobs solved in worker threads, never on the event loop.

* ``submit`` hands a committed job to a ``ThreadPoolExecutor``; each job gets
  a ``threading.Event`` that ``cancel`` sets and the solver watches.
* Progress (objective, bound, gap, elapsed) is written to the job row in its
  own short transaction, at most every ``progress_interval_s``.
* Status changes are conditional updates (``WHERE status = ...``) so a
  coordinator's cancel and the worker's finish never overwrite each other.
* ``recover`` (at startup) re-queues the jobs a previous process left queued
  or running, from their frozen snapshot, or marks them failed with the
  reason when ``resume_interrupted_jobs`` is off.  At shutdown a running job
  is interrupted and put back to ``queued`` for the next start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from alliance.plan import LoanRow, Plan, ProductionRow, Status
from alliance.replan import ReplanConstraints
from alliance.scenario import Scenario, load_scenario
from api import queries
from api.models import JobStatus, PlanningJob, utcnow
from api.services import audit
from api.services.reporting import plan_report
from api.settings import Settings

log = logging.getLogger("api.jobs")

SolveFn = Callable[..., Plan]

INTERRUPTED = "服务重启时任务中断，未恢复 / interrupted by a server restart and not resumed"
TOO_MANY_ATTEMPTS = ("任务已启动 {n} 次，每次服务进程都中断，不再重试；请缩小规模或联系管理员 / started {n} times and "
                     "the service process died each time; not retried again")
NO_PLAN = {
    Status.INFEASIBLE: "无可行方案（已确认条目或禁止的企业对冲突）/ infeasible: the confirmed items or excluded pairs "
                       "leave no plan",
    Status.UNKNOWN: "时间限制内未找到方案，可放宽时间后重试 / no plan found within the time limit; retry with "
                    "more time",
}


def _default_solve(scenario: Scenario, options: Any, *, replan: Any, on_progress: Any, cancel: Any) -> Plan:
    from solver import solve

    plan: Plan = solve(scenario, options, replan=replan, on_progress=on_progress, cancel=cancel)
    return plan


def replan_constraints(replan: dict[str, Any] | None) -> ReplanConstraints | None:
    if not replan:
        return None
    return ReplanConstraints.build(
        production=[ProductionRow.model_validate(r) for r in replan.get("production", [])],
        loans=[LoanRow.model_validate(r) for r in replan.get("loans", [])],
        forbidden_pairs=[(a, b) for a, b in replan.get("forbidden_pairs", [])],
    )


class JobRunner:
    def __init__(self, session_factory: sessionmaker[Session], settings: Settings,
                 solve_fn: SolveFn | None = None) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.solve_fn: SolveFn = solve_fn or _default_solve
        self._executor: ThreadPoolExecutor | None = None
        self._events: dict[int, threading.Event] = {}
        self._futures: dict[int, Future[None]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # ----- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=self.settings.job_workers, thread_name_prefix="alliance-job")
        self.recover()

    def shutdown(self) -> None:
        self._stopping.set()
        with self._lock:
            for event in self._events.values():
                event.set()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        # Jobs still queued in the executor never started: they stay ``queued`` in the database and resume.

    def recover(self) -> None:
        with self.session_factory() as session:
            left = queries.jobs_in_status(session, [JobStatus.QUEUED.value, JobStatus.RUNNING.value])
            resume = []
            for job in left:
                before = {"status": job.status}
                crashed = job.status == JobStatus.RUNNING.value  # a clean shutdown puts running jobs back to queued
                if crashed and job.attempts >= self.settings.max_job_attempts:
                    # Started this often and the process died each time: most likely the job kills it.
                    job.status = JobStatus.FAILED.value
                    job.error = TOO_MANY_ATTEMPTS.format(n=job.attempts)
                    job.finished_at = utcnow()
                    action = "job.gave_up"
                elif self.settings.resume_interrupted_jobs:
                    job.status = JobStatus.QUEUED.value
                    job.progress = None
                    action = "job.resume"
                    resume.append(job.id)
                else:
                    job.status = JobStatus.FAILED.value
                    job.error = INTERRUPTED
                    job.finished_at = utcnow()
                    action = "job.interrupted"
                audit.record(session, None, action, "job", job.id, before=before,
                             after={"status": job.status, "error": job.error}, alliance_id=job.round.alliance_id)
            session.commit()
        for job_id in resume:
            log.info("resuming planning job %s after a restart", job_id)
            self.submit(job_id)

    # ----- requests ----------------------------------------------------------------------------------------

    def submit(self, job_id: int) -> None:
        if self._executor is None or self._stopping.is_set():
            return  # not started (or stopping): the job stays queued and is resumed at the next start
        with self._lock:
            event = threading.Event()
            self._events[job_id] = event
            self._futures[job_id] = self._executor.submit(self._run, job_id, event)

    def cancel(self, job_id: int) -> None:
        with self._lock:
            event = self._events.get(job_id)
        if event is not None:
            event.set()

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until the job's worker is done (tests, and the CLI)."""
        with self._lock:
            future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)

    # ----- the worker --------------------------------------------------------------------------------------

    def _set(self, session: Session, job_id: int, expected: str, **values: Any) -> bool:
        result = session.execute(
            update(PlanningJob).where(PlanningJob.id == job_id, PlanningJob.status == expected).values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def _run(self, job_id: int, cancel: threading.Event) -> None:
        try:
            self._run_job(job_id, cancel)
        except Exception as exc:  # the worker must leave a reason, never a job stuck in ``running``
            log.exception("planning job %s failed", job_id)
            with self.session_factory() as session:
                self._set(session, job_id, JobStatus.RUNNING.value, status=JobStatus.FAILED.value,
                          error=f"求解出错 / solver error: {type(exc).__name__}: {exc}"[:2000], finished_at=utcnow())
                session.commit()
        finally:
            with self._lock:
                self._events.pop(job_id, None)

    def _run_job(self, job_id: int, cancel: threading.Event) -> None:
        with self.session_factory() as session:
            job = session.get(PlanningJob, job_id)
            if job is None:
                return
            attempts = job.attempts + 1
            if not self._set(session, job_id, JobStatus.QUEUED.value, status=JobStatus.RUNNING.value,
                             started_at=utcnow(), attempts=attempts, error=None,
                             progress={"phase": "build", "elapsed_s": 0.0}):
                return  # cancelled while queued
            alliance_id = job.round.alliance_id
            audit.record(session, None, "job.start", "job", job_id, after={"status": "running", "attempt": attempts},
                         alliance_id=alliance_id)
            session.commit()
            snapshot, options, replan = job.snapshot, dict(job.options), job.replan

        from solver import SolveOptions

        scenario = load_scenario(snapshot)
        constraints = replan_constraints(replan)
        on_progress = self._progress_writer(job_id)
        plan = self.solve_fn(scenario, SolveOptions(**options), replan=constraints, on_progress=on_progress,
                             cancel=cancel)
        on_progress.flush()  # type: ignore[attr-defined]
        has_plan = plan.status in (Status.OPTIMAL, Status.FEASIBLE)
        if has_plan:
            plan.report = plan_report(scenario, plan)
        plan_json = plan.model_dump(mode="json", by_alias=True)
        now = utcnow()
        with self.session_factory() as session:
            if self._stopping.is_set() and cancel.is_set() and self._still(session, job_id, JobStatus.RUNNING):
                # Interrupted by a shutdown, not by a coordinator: run again at the next start.
                self._set(session, job_id, JobStatus.RUNNING.value, status=JobStatus.QUEUED.value, progress=None)
                audit.record(session, None, "job.requeue", "job", job_id, after={"status": "queued"},
                             alliance_id=alliance_id)
                session.commit()
                return
            if has_plan:
                done = self._set(session, job_id, JobStatus.RUNNING.value, status=JobStatus.SUCCEEDED.value,
                                 plan=plan_json, finished_at=now)
                status = JobStatus.SUCCEEDED
            else:
                done = self._set(session, job_id, JobStatus.RUNNING.value, status=JobStatus.FAILED.value,
                                 plan=plan_json, error=NO_PLAN.get(plan.status, str(plan.status)), finished_at=now)
                status = JobStatus.FAILED
            if done:
                audit.record(session, None, f"job.{status.value}", "job", job_id,
                             after={"status": status.value, "plan_status": plan.status.value,
                                    "objective": plan.objective}, alliance_id=alliance_id)
            elif has_plan:
                # Cancelled while running: keep the best plan found so far for the record; status stays cancelled.
                self._set(session, job_id, JobStatus.CANCELLED.value, plan=plan_json)
            session.commit()

    def _still(self, session: Session, job_id: int, status: JobStatus) -> bool:
        job = session.get(PlanningJob, job_id)
        return job is not None and job.status == status

    def _progress_writer(self, job_id: int) -> Callable[[Any], None]:
        interval = self.settings.progress_interval_s
        state: dict[str, Any] = {"last": 0.0, "pending": None}
        started = time.monotonic()

        def write(values: dict[str, Any]) -> None:
            with self.session_factory() as session:
                self._set(session, job_id, JobStatus.RUNNING.value, progress=values)
                session.commit()

        def on_progress(progress: Any) -> None:
            values = {
                "phase": getattr(progress, "phase", "solve"),
                "objective": progress.objective,
                "bound": progress.bound,
                "gap": progress.gap,
                "elapsed_s": round(float(progress.elapsed_s), 3),
                "updated_at": utcnow().isoformat(),
            }
            now = time.monotonic()
            if now - state["last"] >= interval:
                state["last"], state["pending"] = now, None
                write(values)
            else:
                state["pending"] = values

        def flush() -> None:
            if state["pending"] is not None:
                write(state["pending"])
            elif state["last"] == 0.0:
                write({"phase": "done", "objective": None, "bound": None, "gap": None,
                       "elapsed_s": round(time.monotonic() - started, 3), "updated_at": utcnow().isoformat()})

        on_progress.flush = flush  # type: ignore[attr-defined]
        return on_progress
