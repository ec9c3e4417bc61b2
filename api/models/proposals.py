"""Proposals made of a plan, the guide's review, their items (sub-contracts, loans) and each party's answer."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.accounts import Enterprise
from api.models.base import Base, enum_string, utcnow
from api.models.jobs import PlanningJob
from api.models.rounds import PlanningRound


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


class Proposal(Base):
    __tablename__ = "proposal"
    __table_args__ = (UniqueConstraint("round_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("planning_job.id", ondelete="RESTRICT"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("planning_round.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(enum_string(ProposalStatus), default=ProposalStatus.DRAFT.value)
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
    decision: Mapped[str] = mapped_column(enum_string(Decision))
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
    kind: Mapped[str] = mapped_column(enum_string(ItemKind))
    key: Mapped[str] = mapped_column(String(400))
    order_id: Mapped[str | None] = mapped_column(String(100))
    skill: Mapped[str | None] = mapped_column(String(100))
    first_party_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True)
    second_party_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True)
    rows: Mapped[list[Any]] = mapped_column()
    terms: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(enum_string(ItemStatus), default=ItemStatus.PENDING.value)
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
    answer: Mapped[str] = mapped_column(enum_string(Answer))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    item: Mapped[ProposalItem] = relationship(back_populates="responses")
