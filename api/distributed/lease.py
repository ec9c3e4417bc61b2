"""A job's lease: who runs it and until when, renewed by a heartbeat; every change conditional on it.

* ``claim`` takes a ``queued`` job (``UPDATE ... WHERE status = 'queued'``): of two workers handed the same job
  (a redelivered message, a re-published one) only one gets it.
* ``renew`` is the heartbeat.  It only succeeds while the job is ``running`` under this owner, so a failed renewal
  tells the worker to stop: the job was cancelled (from any web process) or its lease expired and the sweeper handed
  it on.  The cancel flag the worker polls is thus the row's own status.
* ``sweep`` (every web process when a broker is configured) puts back to ``queued`` a running job whose lease
  expired, i.e. whose worker died (kill -9, lost machine), and fails it with the reason after
  ``job_max_attempts`` attempts; it also hands to the broker the queued jobs that were never published.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.models import JobStatus, PlanningJob, utcnow
from api.services import audit
from api.settings import Settings

log = logging.getLogger("api.jobs")

RUNNING, QUEUED = JobStatus.RUNNING.value, JobStatus.QUEUED.value


def lost_reason(attempts: int) -> str:
    return (f"执行任务的进程 {attempts} 次中断（进程被终止或机器失联），不再重试 / the process running the job "
            f"was lost {attempts} times (killed or its machine unreachable); not retried")


def _rowcount(result: Any) -> bool:
    return bool(result.rowcount)


def claim(session: Session, job_id: int, owner: str, settings: Settings) -> bool:
    now = utcnow()
    return _rowcount(session.execute(
        update(PlanningJob)
        .where(PlanningJob.id == job_id, PlanningJob.status == QUEUED)
        .values(status=RUNNING, lease_owner=owner, lease_expires_at=now + dt.timedelta(seconds=settings.job_lease_s),
                heartbeat_at=now, attempts=PlanningJob.attempts + 1, started_at=now, error=None,
                progress={"phase": "build", "elapsed_s": 0.0})
    ))


def owned(job_id: int, owner: str) -> Any:
    """The condition of every write of a running job: still running, and still ours."""
    return and_(PlanningJob.id == job_id, PlanningJob.status == RUNNING, PlanningJob.lease_owner == owner)


def renew(session: Session, job_id: int, owner: str, settings: Settings) -> bool:
    now = utcnow()
    return _rowcount(session.execute(
        update(PlanningJob).where(owned(job_id, owner))
        .values(heartbeat_at=now, lease_expires_at=now + dt.timedelta(seconds=settings.job_lease_s))
    ))


def set_owned(session: Session, job_id: int, owner: str, **values: Any) -> bool:
    return _rowcount(session.execute(update(PlanningJob).where(owned(job_id, owner)).values(**values)))


def _expired(now: dt.datetime) -> Any:
    return and_(PlanningJob.status == RUNNING,
                or_(PlanningJob.lease_expires_at.is_(None), PlanningJob.lease_expires_at < now))


def sweep(session_factory: sessionmaker[Session], settings: Settings, publish: Callable[[int], object]) -> list[int]:
    """Hand on the jobs whose worker is gone, publish the jobs never published; the ids handed to ``publish``."""
    now = utcnow()
    to_publish: list[int] = []
    with session_factory() as session:
        stale = session.execute(select(PlanningJob.id, PlanningJob.attempts, PlanningJob.lease_owner)
                                .where(_expired(now))).all()
        for job_id, attempts, owner in stale:
            condition = and_(PlanningJob.id == job_id, _expired(now))
            give_up = attempts >= settings.job_max_attempts
            if give_up:
                values: dict[str, Any] = {"status": JobStatus.FAILED.value, "error": lost_reason(attempts),
                                          "finished_at": now, "lease_expires_at": None}
            else:
                values = {"status": QUEUED, "lease_owner": None, "lease_expires_at": None, "published_at": None,
                          "progress": None}
            # Conditional: of several sweepers (one per web process) one wins; a worker that renewed meanwhile wins.
            if not _rowcount(session.execute(update(PlanningJob).where(condition).values(**values))):
                continue
            job = session.get(PlanningJob, job_id)
            assert job is not None
            action = "job.lost" if give_up else "job.requeue"
            audit.record(session, None, action, "job", job_id, before={"status": RUNNING, "lease_owner": owner},
                         after={"status": values["status"], "attempts": attempts, "error": values.get("error")},
                         alliance_id=job.round.alliance_id)
            session.commit()
            log.warning("planning job %s: worker %s lost after %d attempt(s); %s", job_id, owner, attempts,
                        "failed" if give_up else "re-queued")
        # Queued and never handed to the broker (the publish after the commit failed, or the job was just
        # re-queued above); also those published longer ago than Redis keeps an unacknowledged message, in case
        # the broker lost it.  A duplicate message costs nothing: only one ``claim`` succeeds.
        resend_before = now - dt.timedelta(seconds=settings.visibility_timeout_s())
        unpublished = session.scalars(select(PlanningJob.id).where(
            PlanningJob.status == QUEUED,
            or_(PlanningJob.published_at.is_(None), PlanningJob.published_at < resend_before),
        ).order_by(PlanningJob.id)).all()
        to_publish.extend(unpublished)
    for job_id in to_publish:
        publish(job_id)
    return to_publish
