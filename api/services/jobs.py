"""The job runners: planning jobs solved off the event loop, in threads here or on Celery workers.

:class:`JobExecution` is one run of one job, the same in both: it claims the
job (a lease, :mod:`api.distributed.lease`), renews the lease from a heartbeat
thread, solves, and writes the outcome, each write conditional on still
holding the lease.  :class:`JobRunner` is the embedded default (no broker):

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
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from alliance.plan import LoanRow, Plan, ProductionRow, Status
from alliance.replan import ReplanConstraints
from alliance.scenario import Scenario, load_scenario
from api import queries
from api.distributed import lease
from api.models import JobStatus, PlanningJob, utcnow
from api.services import audit
from api.services.reporting import plan_report
from api.settings import Settings

log = logging.getLogger("api.jobs")

SolveFn = Callable[..., Plan]
# How long a cancelled solve may take to return before its process is ended (Celery workers only).
CANCEL_GRACE_S = 3.0

INTERRUPTED = "服务重启时任务中断，未恢复 / interrupted by a server restart and not resumed"
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
        preferred_production=[ProductionRow.model_validate(r) for r in replan.get("preferred_production", [])],
        preferred_loans=[LoanRow.model_validate(r) for r in replan.get("preferred_loans", [])],
        change_penalty=float(replan.get("change_penalty", 0.0)),
        start_production=[ProductionRow.model_validate(r) for r in replan.get("start_production", [])],
        start_loans=[LoanRow.model_validate(r) for r in replan.get("start_loans", [])],
    )


class Runner(Protocol):
    """What the web process needs of a runner: start, stop, hand over a committed job, pass on a cancel."""

    def start(self) -> None: ...

    def shutdown(self) -> None: ...

    def submit(self, job_id: int) -> None: ...

    def cancel(self, job_id: int) -> None: ...


class JobExecution:
    """One run of one job under a lease held by ``owner``; ``cancel`` stops the solver (set by the heartbeat when
    the lease is lost or the job cancelled in the database, or by the in-process runner)."""

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, solve_fn: SolveFn, job_id: int,
                 owner: str, cancel: threading.Event, stopping: threading.Event | None = None,
                 hard_stop: Callable[[], None] | None = None) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.solve_fn = solve_fn
        self.job_id = job_id
        self.owner = owner
        self.cancel = cancel
        self.stopping = stopping or threading.Event()
        # Called when the solver has not returned CANCEL_GRACE_S after a cancellation (a Celery worker ends its pool
        # process, which runs only this job): HiGHS under MathOpt does not heed the interrupter, so a stage runs
        # to its own time limit (measured on the demo round: cancel at 3 s, return at 29 s).
        self.hard_stop = hard_stop
        self._done = threading.Event()

    def run(self) -> bool:
        """Run the job if it can be claimed; False when another worker has it, or it is no longer queued."""
        try:
            if not self._claim():
                return False
        except Exception:
            log.exception("planning job %s could not be claimed", self.job_id)
            raise
        heartbeat = threading.Thread(target=self._heartbeat, name=f"job-{self.job_id}-heartbeat", daemon=True)
        heartbeat.start()
        try:
            self._solve_and_finish()
        except Exception as exc:  # the worker must leave a reason, never a job stuck in ``running``
            log.exception("planning job %s failed", self.job_id)
            with self.session_factory() as session:
                lease.set_owned(session, self.job_id, self.owner, status=JobStatus.FAILED.value,
                                error=f"求解出错 / solver error: {type(exc).__name__}: {exc}"[:2000],
                                finished_at=utcnow(), lease_expires_at=None)
                session.commit()
        finally:
            self._done.set()
            heartbeat.join()
        return True

    def _claim(self) -> bool:
        with self.session_factory() as session:
            if not lease.claim(session, self.job_id, self.owner, self.settings):
                return False  # cancelled while queued, or taken by another worker
            job = session.get(PlanningJob, self.job_id)
            assert job is not None
            self.alliance_id = job.round.alliance_id
            audit.record(session, None, "job.start", "job", self.job_id,
                         after={"status": "running", "attempt": job.attempts, "worker": self.owner},
                         alliance_id=self.alliance_id)
            session.commit()
            self.snapshot, self.options, self.replan = job.snapshot, dict(job.options), job.replan
        return True

    def _heartbeat(self) -> None:
        while not self._done.wait(self.settings.job_heartbeat_s):
            try:
                with self.session_factory() as session:
                    kept = lease.renew(session, self.job_id, self.owner, self.settings)
                    session.commit()
            except Exception:  # a database hiccup: try again; the lease outlives a few missed beats
                log.exception("planning job %s: heartbeat failed", self.job_id)
                continue
            if not kept:
                # Cancelled from some web process, or the lease expired and the job went to another worker.
                log.info("planning job %s: lease no longer held by %s; stopping the solver", self.job_id, self.owner)
                self.cancel.set()
                if not self._done.wait(CANCEL_GRACE_S) and self.hard_stop is not None:
                    log.warning("planning job %s: the solver did not stop within %.0f s; ending its process",
                                self.job_id, CANCEL_GRACE_S)
                    self.hard_stop()
                return

    def _solve_and_finish(self) -> None:
        from solver import SolveOptions

        job_id, owner = self.job_id, self.owner
        scenario = load_scenario(self.snapshot)
        constraints = replan_constraints(self.replan)
        on_progress = self._progress_writer()
        plan = self.solve_fn(scenario, SolveOptions(**self.options), replan=constraints, on_progress=on_progress,
                             cancel=self.cancel)
        on_progress.flush()  # type: ignore[attr-defined]
        has_plan = plan.status in (Status.OPTIMAL, Status.FEASIBLE)
        if has_plan:
            plan.report = plan_report(scenario, plan)
        plan_json = plan.model_dump(mode="json", by_alias=True)
        now = utcnow()
        with self.session_factory() as session:
            if self.stopping.is_set() and self.cancel.is_set() and lease.set_owned(
                    session, job_id, owner, status=JobStatus.QUEUED.value, progress=None, lease_owner=None,
                    lease_expires_at=None):
                # Interrupted by a shutdown, not by a coordinator: run again at the next start.
                audit.record(session, None, "job.requeue", "job", job_id, after={"status": "queued"},
                             alliance_id=self.alliance_id)
                session.commit()
                return
            if has_plan:
                done = lease.set_owned(session, job_id, owner, status=JobStatus.SUCCEEDED.value, plan=plan_json,
                                       finished_at=now, lease_expires_at=None)
                status = JobStatus.SUCCEEDED
            else:
                done = lease.set_owned(session, job_id, owner, status=JobStatus.FAILED.value, plan=plan_json,
                                       error=NO_PLAN.get(plan.status, str(plan.status)), finished_at=now,
                                       lease_expires_at=None)
                status = JobStatus.FAILED
            if done:
                audit.record(session, None, f"job.{status.value}", "job", job_id,
                             after={"status": status.value, "plan_status": plan.status.value,
                                    "objective": plan.objective}, alliance_id=self.alliance_id)
            elif has_plan:
                # Cancelled while running: keep the best plan found so far for the record; status stays cancelled.
                session.execute(update(PlanningJob).where(PlanningJob.id == job_id,
                                                          PlanningJob.status == JobStatus.CANCELLED.value,
                                                          PlanningJob.lease_owner == owner).values(plan=plan_json))
            session.commit()

    def _progress_writer(self) -> Callable[[Any], None]:
        interval = self.settings.progress_interval_s
        state: dict[str, Any] = {"last": 0.0, "pending": None}
        started = time.monotonic()

        def write(values: dict[str, Any]) -> None:
            with self.session_factory() as session:
                lease.set_owned(session, self.job_id, self.owner, progress=values)
                session.commit()

        def on_progress(progress: Any) -> None:
            values = {
                "phase": getattr(progress, "phase", "solve"),
                "objective": progress.objective,
                "bound": progress.bound,
                "gap": progress.gap,
                "elapsed_s": round(float(progress.elapsed_s), 3),
                # Only on the last event: why the solve stopped (solver.run.stop_reason).
                "stop_reason": getattr(progress, "stop_reason", None),
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


def worker_name(kind: str) -> str:
    """Who holds a lease, for the record: host, process and kind of worker."""
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}:{kind}"


class JobRunner:
    """The embedded runner: jobs in threads of the one web process (SQLite, the quick start, no broker)."""

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
        self.owner = worker_name("thread")

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
        """Jobs a previous process left queued or running (this runner is the only one on its database)."""
        with self.session_factory() as session:
            left = queries.jobs_in_status(session, [JobStatus.QUEUED.value, JobStatus.RUNNING.value])
            resume = []
            for job in left:
                before = {"status": job.status}
                lost_too_often = job.status == JobStatus.RUNNING and job.attempts >= self.settings.job_max_attempts
                if self.settings.resume_interrupted_jobs and not lost_too_often:
                    job.status = JobStatus.QUEUED.value
                    job.progress = None
                    job.lease_owner = job.lease_expires_at = None
                    action = "job.resume"
                    resume.append(job.id)
                else:
                    job.status = JobStatus.FAILED.value
                    job.error = lease.lost_reason(job.attempts) if lost_too_often else INTERRUPTED
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

    def _run(self, job_id: int, cancel: threading.Event) -> None:
        try:
            JobExecution(self.session_factory, self.settings, self.solve_fn, job_id, self.owner, cancel,
                         self._stopping).run()
        finally:
            with self._lock:
                self._events.pop(job_id, None)
