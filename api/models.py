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
    # The alliance's default planning rules: only the MODEL.md policy fields its coordinator set (the others are
    # the model's defaults); a new round starts from them (``api/services/policies.py``).
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # County tree (docs/county.md): the chain alliance above park branches; no cycles (checked by the service).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("alliance.id", ondelete="RESTRICT"), index=True)

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
    # Carried in every token; raised on a password change or a deactivation, which revokes older tokens.
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")

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
    # Where each policy value came from: "round" (set for this round), "alliance" (its default), "model".
    policy_sources: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # After this instant reports lock, until the coordinator moves or clears it (reopens reporting).
    report_deadline: Mapped[dt.datetime | None] = mapped_column()
    # The deadline the "report due" reminder went out for: claimed by a conditional update, so that of several
    # web processes one sends it, and sent again when the coordinator moves the deadline.
    report_reminded_for: Mapped[dt.datetime | None] = mapped_column()
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
    # Who runs the job and until when (api/jobs/lease.py): every status change of a running job is conditional on
    # the owner, so a job never runs twice at once; a lease not renewed in time lets the sweeper hand it on.
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column()
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column()
    # When the job's task was handed to the broker (None: not yet, or to be handed again by the sweeper).
    published_at: Mapped[dt.datetime | None] = mapped_column()

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


# ----- county: escalation of what a park plan could not clear (api/county, docs/county.md) -------------------


class EntryKind(StrEnum):
    ORDER = "order"  # unmet units of one backlog order
    CAPACITY = "capacity"  # idle / lendable workers and machine hours the park plan left unused


class Escalation(Base):
    """A park round's leftovers offered to an open round of the parent alliance (提交上级); once per pair."""

    __tablename__ = "escalation"
    __table_args__ = (UniqueConstraint("from_round_id", "to_round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="RESTRICT"), index=True)
    to_round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="RESTRICT"), index=True)
    # The approved park proposal whose plan the leftovers were computed from.
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="RESTRICT"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    from_round: Mapped[PlanningRound] = relationship(foreign_keys=[from_round_id])
    to_round: Mapped[PlanningRound] = relationship(foreign_keys=[to_round_id])
    entries: Mapped[list[EscalationEntry]] = relationship(back_populates="escalation", order_by="EscalationEntry.id")


class EscalationEntry(Base):
    """One firm's piece of an escalation: one order's unmet units, or the firm's unused capacity.

    ``payload`` is in the park round's days (a report order with ``quantity`` = unmet units and the park's
    reason, or report-shaped capacity maps); the county scenario maps it to the county's days by date.
    """

    __tablename__ = "escalation_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalation.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(_enum(EntryKind))
    payload: Mapped[dict[str, Any]] = mapped_column()
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column()
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    escalation: Mapped[Escalation] = relationship(back_populates="entries")
    enterprise: Mapped[Enterprise] = relationship()


# ----- after the plan (issue 14): execution records and settlement, see api/execution/ ----------------------


class ExecState(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SHORT = "short"
    DISPUTED = "disputed"


class RecordStatus(StrEnum):
    RECORDED = "recorded"  # entered by the borrower / the owner, awaiting the other side
    CONFIRMED = "confirmed"  # the lender / the maker agreed
    DISPUTED = "disputed"  # the lender / the maker disagreed; the coordinator decides
    RESOLVED = "resolved"  # the coordinator's written decision fixed the figures


class ItemExecution(Base):
    """The execution state of one confirmed item; keyed by the item where it was first confirmed (carried copies
    in later proposals resolve to it, so a re-plan never splits an item's records)."""

    __tablename__ = "item_execution"

    item_id: Mapped[int] = mapped_column(ForeignKey("proposal_item.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(_enum(ExecState), default=ExecState.IN_PROGRESS.value)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    finished_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    item: Mapped[ProposalItem] = relationship()


class ExecutionRecord(Base):
    """What happened on one day of one item: lent workers who worked, or units delivered and accepted."""

    __tablename__ = "execution_record"
    __table_args__ = (UniqueConstraint("item_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item_execution.item_id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer)  # day index of the round (date = start_date + day)
    workers: Mapped[int | None] = mapped_column(Integer)  # loan
    delivered: Mapped[int | None] = mapped_column(Integer)  # sub-contract: units received that day
    accepted: Mapped[int | None] = mapped_column(Integer)  # sub-contract: of those, passed the quality check
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(_enum(RecordStatus), default=RecordStatus.RECORDED.value)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime | None] = mapped_column()
    # The other side's figures and reason when it disputes.
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    claimed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column()


class SettlementClose(Base):
    """A round's settlement, closed: its figures frozen here and every execution record of the round locked."""

    __tablename__ = "settlement_close"

    round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="CASCADE"), primary_key=True)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    closed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    totals: Mapped[dict[str, Any]] = mapped_column()


class Rating(Base):
    """评议: one firm's rating of the other side of a finished item (1-5 each), with a comment."""

    __tablename__ = "rating"
    __table_args__ = (UniqueConstraint("item_id", "rater_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item_execution.item_id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="CASCADE"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"))
    ratee_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True)
    on_time: Mapped[int] = mapped_column(Integer)
    quality: Mapped[int] = mapped_column(Integer)
    cooperation: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# ----- public notice (公示) of a round's results, see api/notices/ ------------------------------------------------


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"


class Notice(Base):
    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(_enum(NoticeStatus), default=NoticeStatus.DRAFT.value)
    text: Mapped[str] = mapped_column(Text, default="")
    notice_days: Mapped[int] = mapped_column(Integer, default=5)
    # Frozen when the guide approves; computed afresh while a draft.
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None] = mapped_column()
    ends_at: Mapped[dt.datetime | None] = mapped_column()

    round: Mapped[PlanningRound] = relationship()


class NoticeConsent(Base):
    """A firm agrees (or not) that its items' quantities and prices appear in the notice."""

    __tablename__ = "notice_consent"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True)
    agreed: Mapped[bool] = mapped_column(Boolean)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Objection(Base):
    """异议: a member's objection to a published notice, and the coordinator's answer; both stay on the record."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime | None] = mapped_column()


# ----- notifications: in-app inbox and the webhook outbox, see api/notifications/ -------------------------------


class InboxMessage(Base):
    __tablename__ = "inbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliance.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column()


class AllianceWebhook(Base):
    """The robot of an alliance's work-chat group: every notification of the alliance is also POSTed here."""

    __tablename__ = "alliance_webhook"

    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="CASCADE"), primary_key=True)
    url: Mapped[str] = mapped_column(String(1000))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A webhook message, written in the same transaction as the event; a sender delivers it with retries."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    payload: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column()


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
