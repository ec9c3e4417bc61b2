"""The Celery application of the service: one task per planning job, run by ``alliance worker``.

The settings that make a killed worker lose nothing (docs/deployment.md):

* ``task_acks_late`` + ``task_reject_on_worker_lost``: the message is acknowledged only after the job ran, so a
  worker that dies mid-solve leaves it unacknowledged and the broker delivers it again;
* ``worker_prefetch_multiplier=1``: a worker process reserves one job at a time, so a long solve does not hold back
  jobs another process could run;
* the Redis ``visibility_timeout`` above the longest allowed solve: Redis hands an unacknowledged message to
  another worker after that long even when the first one is still working on it (celery/celery#4976); and it
  is the only way Redis learns of a dead worker, so the sweeper (:mod:`api.distributed.lease`) does not wait
  for it: a job whose heartbeat stopped is re-queued after ``job_lease_s``.

A redelivered or re-published message is harmless: the task only runs a job it can ``claim``.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from api.settings import Settings

log = logging.getLogger("api.jobs")

RUN_JOB = "alliance.run_job"
SOLVE_PART = "alliance.solve_part"


def make_celery(settings: Settings) -> Celery:
    if not settings.broker_url:
        raise ValueError("broker_url is not set")
    app = Celery("alliance", broker=settings.broker_url, backend=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.broker_queue,
        task_routes={SOLVE_PART: {"queue": parts_queue(settings)}},
        broker_transport_options={"visibility_timeout": settings.visibility_timeout_s()},
        result_backend_transport_options={"visibility_timeout": settings.visibility_timeout_s()},
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # A job runs until its own time limit; a hard limit well above it stops a solver that hangs in C code.
        task_time_limit=int(settings.solver_max_time_limit_s * 2 + 120),
    )
    _register(app, settings)
    return app


def parts_queue(settings: Settings) -> str:
    return f"{settings.broker_queue}.parts"


class _ProcessContext:
    """The database engine of one worker process, made after the fork (a pool inherited across fork is unsafe)."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.session_factory: sessionmaker[Session] | None = None
        self.lock = threading.Lock()

    def factory(self, settings: Settings) -> sessionmaker[Session]:
        from api.db import make_engine, make_session_factory

        with self.lock:
            if self.session_factory is None or self.pid != os.getpid():
                engine = make_engine(settings.database_url, settings.database_schema)
                self.session_factory, self.pid = make_session_factory(engine), os.getpid()
            return self.session_factory


_context = _ProcessContext()


def _register(app: Celery, settings: Settings) -> None:
    @app.task(name=RUN_JOB, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
    def run_job(self: Any, job_id: int) -> bool:
        from api.services.jobs import JobExecution, worker_name

        owner = worker_name(f"celery:{self.request.id}")
        solve_fn = _fanout_solve(app, settings)
        ran = JobExecution(_context.factory(settings), settings, solve_fn, job_id, owner, threading.Event(),
                           hard_stop=_end_process).run()
        if not ran:
            log.info("planning job %s: not claimed (already taken, finished or cancelled)", job_id)
        return ran

    from api.distributed.fanout import register_part_task

    register_part_task(app, settings)


def _end_process() -> None:
    """End this pool process at once: the job is cancelled or another worker holds it, so nothing is lost.

    The pool replaces the process; with ``task_reject_on_worker_lost`` the message goes back to the queue, and
    whichever worker gets it finds the job no longer ``queued`` and drops it.
    """
    os._exit(1)


def _fanout_solve(app: Celery, settings: Settings) -> Any:
    from api.distributed.fanout import celery_solve

    def solve(scenario: Any, options: Any, *, replan: Any, on_progress: Any, cancel: Any) -> Any:
        return celery_solve(app, settings, scenario, options, replan=replan, on_progress=on_progress, cancel=cancel)

    return solve
