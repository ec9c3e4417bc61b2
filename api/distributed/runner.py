"""The web side of the Celery deployment: publish committed jobs, sweep for lost workers.

The web process never solves here.  ``submit`` runs after the job row is committed (``api.db.on_commit``), so a
task never names a job the database does not have; a job whose publication fails stays ``queued`` with no
``published_at`` and the sweeper publishes it again, so no committed job is left without a task.  Publication is
itself claimed by a conditional update, so two web processes do not both publish the same job.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy import or_, update
from sqlalchemy.orm import Session, sessionmaker

from api.distributed import lease
from api.distributed.celery_app import RUN_JOB, make_celery
from api.models import JobStatus, PlanningJob, utcnow
from api.settings import Settings

log = logging.getLogger("api.jobs")


class CeleryJobRunner:
    def __init__(self, session_factory: sessionmaker[Session], settings: Settings) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.celery = make_celery(settings)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """One sweep now (the recovery after a restart, under the startup lock), then one every interval."""
        self.sweep()
        self._thread = threading.Thread(target=self._loop, name="alliance-job-sweeper", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        # Running jobs belong to the workers and go on; this process only stops sweeping and publishing.
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def submit(self, job_id: int) -> None:
        self.publish(job_id)

    def cancel(self, job_id: int) -> None:
        """Nothing to send: the row is ``cancelled`` now, and the worker's next heartbeat sees it and stops."""

    def sweep(self) -> list[int]:
        return lease.sweep(self.session_factory, self.settings, self.publish)

    def publish(self, job_id: int) -> bool:
        now = utcnow()
        resend_before = now - dt.timedelta(seconds=self.settings.visibility_timeout_s())
        with self.session_factory() as session:
            result = session.execute(update(PlanningJob).where(
                PlanningJob.id == job_id, PlanningJob.status == JobStatus.QUEUED.value,
                or_(PlanningJob.published_at.is_(None), PlanningJob.published_at < resend_before),
            ).values(published_at=now))
            session.commit()
        if not result.rowcount:  # type: ignore[attr-defined]
            return False  # published by another web process meanwhile, or no longer queued
        try:
            self.celery.send_task(RUN_JOB, args=[job_id], queue=self.settings.broker_queue)
        except Exception:
            log.exception("planning job %s: publishing to the broker failed; the sweeper will retry", job_id)
            with self.session_factory() as session:
                session.execute(update(PlanningJob).where(PlanningJob.id == job_id, PlanningJob.published_at == now)
                                .values(published_at=None))
                session.commit()
            return False
        return True

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.job_sweep_interval_s):
            try:
                self.sweep()
            except Exception:  # the database or broker away for a moment: the next round tries again
                log.exception("job sweep failed")
