"""Who takes part: alliances (and their county tree), member firms, user accounts and roles, guides' alliances."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, enum_string, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ENTERPRISE = "enterprise"
    GUIDE = "guide"


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
    role: Mapped[str] = mapped_column(enum_string(Role))
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
