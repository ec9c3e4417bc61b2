"""The parts of a proposal version the service computes: its summary, what a re-plan changed against the version
before it (api/services/changes.py), and what changed since a rejected version (api/services/lifecycle.py).

Stored as JSON with the proposal; fields added after a version was stored have defaults, so older rows read.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from alliance.plan import LoanRow, ProductionRow, Status
from alliance.report import Figures, UnmetOrder


class ProposalSummary(BaseModel):
    plan_status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    subcontracts: int = Field(description="sub-contract items of the version")
    loans: int = Field(description="loan items of the version")
    figures: Figures | None = Field(default=None, description="the plan report's key figures")
    unmet: list[UnmetOrder] | None = Field(default=None, description="orders the plan leaves (partly) unmet")


class DayAmount(BaseModel):
    day: int
    date: dt.date | None = None
    amount: int = Field(description="units (sub-contract) or workers (loan) that day")


class ChangeSide(BaseModel):
    """An item as it was (before) or is (after)."""

    kind: Literal["subcontract", "loan"]
    first: str = Field(description="owner (sub-contract) or lender (loan)")
    second: str = Field(description="maker (sub-contract) or borrower (loan)")
    order: str | None = None
    units: int | None = None
    skill: str | None = None
    worker_days: int | None = None
    headcount: int | None = None
    days: list[DayAmount] = Field(default_factory=list)


class ChangeDetail(BaseModel):
    key: str
    change: Literal["added", "removed", "changed"]
    before: ChangeSide | None = None
    after: ChangeSide | None = None
    replaced_by: list[str] = Field(default_factory=list, description="removed: the added items that take its place")


class Tradeoff(BaseModel):
    """What a minimal-disruption re-plan kept, and what keeping it cost against the unrestricted re-plan."""

    kept_unchanged: int
    preferred: int | None = None
    change_penalty: float | None = None
    value_given_up: float | None = None
    value_given_up_at_most: float | None = None
    unrestricted_objective: float | None = None
    unrestricted_moves: int | None = None


class ProposalChanges(BaseModel):
    previous_id: int
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    kept: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    details: list[ChangeDetail] = Field(default_factory=list)
    moved: int = Field(default=0, description="items nobody had confirmed yet that the re-plan changed or removed")
    tradeoff: Tradeoff | None = None


class JobReplan(BaseModel):
    """What a re-planning job keeps: pinned rows (confirmed items), pairs it may not link, rows it should keep
    (items still unanswered) unless a change earns ``change_penalty``, and the previous plan as a start."""

    from_proposal: int
    production: list[ProductionRow] = Field(default_factory=list, description="pinned sub-contract rows")
    loans: list[LoanRow] = Field(default_factory=list, description="pinned loan rows")
    forbidden_pairs: list[list[str]] = Field(default_factory=list, description="pairs of firm codes not to link")
    preferred_production: list[ProductionRow] = Field(default_factory=list)
    preferred_loans: list[LoanRow] = Field(default_factory=list)
    change_penalty: float | None = None
    start_production: list[ProductionRow] = Field(default_factory=list)
    start_loans: list[LoanRow] = Field(default_factory=list)
    refresh: bool = Field(default=False, description="a re-plan on the latest reports of an outdated proposal")


class SinceRejected(BaseModel):
    rejected_id: int
    rejected_version: int
    comment: str = Field(description="the guide's comment on the rejection")
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    kept: list[str] = Field(default_factory=list)
