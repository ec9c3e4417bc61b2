"""Planning rounds: an alliance's planning period, its rules, and its reporting deadline."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.accounts import Alliance
from api.models.base import Base, enum_string, utcnow


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


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
    status: Mapped[str] = mapped_column(enum_string(RoundStatus), default=RoundStatus.OPEN.value)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column()

    alliance: Mapped[Alliance] = relationship()
