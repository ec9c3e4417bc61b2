"""Database tables (SQLAlchemy 2.0 typed models).

The tables are created by the Alembic migrations in ``api/migrations`` only;
``tests/api/test_migrations.py`` holds the models and the migrations to the
same schema.  JSON columns hold what the domain already validates (report
payloads, scenario snapshots, plans), in the shapes of ``alliance``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so it is stored as naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use utcnow()")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ENTERPRISE = "enterprise"
    GUIDE = "guide"


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class ItemKind(StrEnum):
    SUBCONTRACT = "subcontract"
    LOAN = "loan"


class ItemStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class Answer(StrEnum):
    CONFIRM = "confirm"
    DECLINE = "decline"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


def _enum(enum: type[StrEnum]) -> String:
    # Plain strings rather than native enums: adding a value later needs no ALTER TYPE on PostgreSQL.
    return String(max(len(v.value) for v in enum) + 4)


class Alliance(Base):
    __tablename__ = "alliance"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enterprises: Mapped[list[Enterprise]] = relationship(back_populates="alliance", order_by="Enterprise.code")


class Enterprise(Base):
    __tablename__ = "enterprise"
    __table_args__ = (UniqueConstraint("alliance_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="RESTRICT"), index=True)
    # Short id inside the alliance; it is the enterprise id in scenarios and plans, and never changes.
    code: Mapped[str] = mapped_column(String(40))
    # 统一社会信用代码, GB 32100-2015, check digit verified on input.
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    quality_level: Mapped[int] = mapped_column(Integer, default=0)
    processes: Mapped[list[Any]] = mapped_column(default=list)
    wage_per_day: Mapped[float] = mapped_column(Float, default=0.0)
    accepts_subcontracts: Mapped[bool] = mapped_column(Boolean, default=True)
    borrows_workers: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    alliance: Mapped[Alliance] = relationship(back_populates="enterprises")


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(_enum(Role))
    # The clerk's firm (role enterprise) and the coordinator's alliance; guides use GuideAssignment.
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True)
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliance.id", ondelete="RESTRICT"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise | None] = relationship()
    alliance: Mapped[Alliance | None] = relationship()


class GuideAssignment(Base):
    """A guide (指导员) reviews the proposals of the alliances assigned here."""

    __tablename__ = "guide_assignment"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PlanningRound(Base):
    __tablename__ = "planning_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    horizon_days: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list[Any]] = mapped_column()
    machines: Mapped[list[Any]] = mapped_column()
    policy: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(_enum(RoundStatus), default=RoundStatus.OPEN.value)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column()

    alliance: Mapped[Alliance] = relationship()


class CapacityReport(Base):
    """One version of one firm's report for one round; every version is kept, the highest wins."""

    __tablename__ = "capacity_report"
    __table_args__ = (UniqueConstraint("round_id", "enterprise_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column()
    source: Mapped[str] = mapped_column(String(20), default="json")
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()


class PlanningJob(Base):
    __tablename__ = "planning_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(_enum(JobStatus), default=JobStatus.QUEUED.value, index=True)
    # {objective, bound, gap, elapsed_s, updated_at}; written by the worker, throttled.
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The scenario as assembled from the latest reports when the job was requested; never changes.
    snapshot: Mapped[dict[str, Any]] = mapped_column()
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

    round: Mapped[PlanningRound] = relationship()


class Proposal(Base):
    __tablename__ = "proposal"
    __table_args__ = (UniqueConstraint("round_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("planning_job.id", ondelete="RESTRICT"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(_enum(ProposalStatus), default=ProposalStatus.DRAFT.value)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"))
    # What changed against the previous proposal: item keys added / removed / kept / changed.
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Figures of the plan (objective, value delivered, costs) for reviewers.
    summary: Mapped[dict[str, Any]] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column()

    job: Mapped[PlanningJob] = relationship()
    round: Mapped[PlanningRound] = relationship()
    items: Mapped[list[ProposalItem]] = relationship(back_populates="proposal", order_by="ProposalItem.id")


class ReviewDecision(Base):
    __tablename__ = "review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    decision: Mapped[str] = mapped_column(_enum(Decision))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProposalItem(Base):
    """One sub-contract (order, owner, site) or one loan (skill, lender, borrower) of a proposal.

    ``first_party`` is the owner of a sub-contracted order or the lender;
    ``second_party`` is the producing site or the borrower.
    """

    __tablename__ = "proposal_item"
    __table_args__ = (UniqueConstraint("proposal_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(_enum(ItemKind))
    key: Mapped[str] = mapped_column(String(400))
    order_id: Mapped[str | None] = mapped_column(String(100))
    skill: Mapped[str | None] = mapped_column(String(100))
    first_party_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True)
    second_party_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True)
    rows: Mapped[list[Any]] = mapped_column()
    terms: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(_enum(ItemStatus), default=ItemStatus.PENDING.value)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    # Set when the item was confirmed in the previous proposal with the same rows and carried over.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_item.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship(back_populates="items")
    first_party: Mapped[Enterprise] = relationship(foreign_keys=[first_party_id])
    second_party: Mapped[Enterprise] = relationship(foreign_keys=[second_party_id])
    responses: Mapped[list[ItemResponse]] = relationship(back_populates="item", order_by="ItemResponse.id")


class ItemResponse(Base):
    """One party's answer to an item; both parties confirm for the item to be confirmed."""

    __tablename__ = "item_response"
    __table_args__ = (UniqueConstraint("item_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("proposal_item.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"))
    answer: Mapped[str] = mapped_column(_enum(Answer))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    item: Mapped[ProposalItem] = relationship(back_populates="responses")


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for the system (seeding, the job runner).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(80), index=True)
    entity_id: Mapped[str] = mapped_column(String(80))
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliance.id", ondelete="SET NULL"), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


# ----- display names (branch pages): the catalogue of skill, process and machine names, see docs/catalogue.md -----


class DisplayName(Base):
    """An admin's name for a code; codes without a row use the seed names in ``api/catalogue/defaults.py``."""

    __tablename__ = "display_name"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # skill | process | machine
    code: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
