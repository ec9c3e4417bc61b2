"""County: escalation of what a park plan could not clear to the parent alliance (api/county, docs/county.md)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.accounts import Enterprise
from api.models.base import Base, enum_string, utcnow
from api.models.rounds import PlanningRound


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
    kind: Mapped[str] = mapped_column(enum_string(EntryKind))
    payload: Mapped[dict[str, Any]] = mapped_column()
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column()
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    escalation: Mapped[Escalation] = relationship(back_populates="entries")
    enterprise: Mapped[Enterprise] = relationship()
