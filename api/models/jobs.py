"""Planning jobs: one solve of a round's scenario, its progress, its plan, and the lease of whoever runs it."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, enum_string, utcnow
from api.models.rounds import PlanningRound


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class PlanningJob(Base):
    __tablename__ = "planning_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(enum_string(JobStatus), default=JobStatus.QUEUED.value, index=True)
    # {objective, bound, gap, elapsed_s, updated_at}; written by the worker, throttled.
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The scenario as assembled from the latest reports when the job was requested; never changes.
    snapshot: Mapped[dict[str, Any]] = mapped_column()
    # {enterprise id: report version} the snapshot was assembled from: a later version makes plans of it outdated.
    report_versions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Solver options actually used (time limit already capped by the settings).
    options: Mapped[dict[str, Any]] = mapped_column()
    # Re-plan constraints: pinned production/loan rows and forbidden pairs (None for a first plan).
    replan: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    replan_of: Mapped[int | None] = mapped_column(ForeignKey("planning_job.id", ondelete="SET NULL"))
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    # Who runs the job and until when (api/distributed/lease.py): every status change of a running job is conditional on
    # the owner, so a job never runs twice at once; a lease not renewed in time lets the sweeper hand it on.
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column()
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column()
    # When the job's task was handed to the broker (None: not yet, or to be handed again by the sweeper).
    published_at: Mapped[dt.datetime | None] = mapped_column()

    round: Mapped[PlanningRound] = relationship()
