"""After the plan (issue 14): execution records, settlement and ratings, see api/execution/ and docs/execution.md."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, enum_string, utcnow
from api.models.proposals import ProposalItem


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
    state: Mapped[str] = mapped_column(enum_string(ExecState), default=ExecState.IN_PROGRESS.value)
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
    status: Mapped[str] = mapped_column(enum_string(RecordStatus), default=RecordStatus.RECORDED.value)
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
