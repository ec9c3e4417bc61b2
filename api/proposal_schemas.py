"""Bodies of the proposal API: a version with its reviews and items, the guide's queue and history, a firm's
answer, a re-plan request (routes in api/routes/proposals.py and api/routes/reviews.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from alliance import bounds
from alliance.plan import LoanRow, ProductionRow
from api.proposal_parts import ProposalChanges, ProposalSummary, SinceRejected
from api.schemas import EnterpriseBrief, LongText, SolveSettings, _In, _Out

# ----- proposals, review, confirmation --------------------------------------------------------------------


class ReviewIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=bounds.required_when("decision", "reject", "comment"))

    decision: Literal["approve", "reject"]
    comment: LongText = ""


class ReviewOut(_Out):
    id: int
    proposal_id: int
    guide_id: int
    decision: str
    comment: str
    at: dt.datetime


class ProposalOut(BaseModel):
    id: int
    job_id: int
    round_id: int
    version: int
    status: str
    previous_id: int | None
    changes: ProposalChanges | None
    summary: ProposalSummary
    item_counts: dict[str, int]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    reviews: list[ReviewOut]
    final_status: str | None = Field(default=None, description="approved proposals: answering | settled (every "
                                     "item confirmed) | needs_replan (all answered, some declined)")
    report_versions: dict[str, int] | None = Field(
        default=None, description="{enterprise id: report version} the plan was built from")
    outdated_firms: list[EnterpriseBrief] = Field(
        default_factory=list, description="firms that changed their report after the plan was built")
    outdated_items: list[int] = Field(default_factory=list, description="ids of the items those firms are party to")
    next_version: str | None = Field(default=None, description="replanning | preparing | superseded: what the "
                                     "coordinator did with this version")
    since_rejected: SinceRejected | None = Field(
        default=None, description="after a rejection: the rejected version, the guide's comment, and the item keys "
        "added / removed / changed / kept since it")


class ProposalBrief(BaseModel):
    """What a firm sees of an approved proposal: that it exists, and how many of its own items are open."""

    id: int
    round_id: int
    version: int
    status: str
    my_items: int
    my_pending: int
    final_status: str | None = None
    outdated: bool = False
    next_version: str | None = None


class Party(BaseModel):
    id: int
    code: str
    name: str


class ResponseOut(BaseModel):
    enterprise_id: int
    answer: str
    reason: str | None
    decided_at: dt.datetime


class SubcontractTerms(BaseModel):
    """What the owner and the producing site agree on (from the plan's report, ``alliance.report``)."""

    model_config = ConfigDict(extra="forbid")

    units: int = Field(description="units made at the site")
    days: list[int] = Field(description="days (0-based, from the round's start) with production at the site")
    process: str
    skill: str
    value_per_unit: float
    settlement_value: float = Field(description="units x value_per_unit, what the order is worth (元)")
    transport_cost: float = Field(description="shipping back to the owner (元)")
    distance_km: float
    due_day: int
    transport_days: int
    ship_by_day: int = Field(description="last production day that still reaches the owner by the due day")
    min_quality_level: int


class LoanTerms(BaseModel):
    """What the lender and the borrower agree on: wages reimbursed at cost, commuting, never a profit."""

    model_config = ConfigDict(extra="forbid")

    headcount: int = Field(description="most workers lent on any one day")
    days: list[int]
    worker_days: int
    workday_minutes: int | float
    wage_per_day: float = Field(description="the lender's daily wage (元)")
    wage_reimbursed: float = Field(description="wage_per_day x worker_days (元)")
    commute_cost: float
    distance_km: float


class ItemOut(BaseModel):
    id: int
    proposal_id: int
    round_id: int
    start_date: dt.date = Field(description="date of the round's day 0: row day d is start_date + d days")
    kind: str
    key: str
    order_id: str | None
    skill: str | None
    first_party: Party = Field(description="owner of the order (subcontract) or lender (loan)")
    second_party: Party = Field(description="producing site (subcontract) or borrower (loan)")
    rows: list[ProductionRow] | list[LoanRow] = Field(description="the plan's rows of this item: production rows "
                                                       "(subcontract) or loan rows (loan)")
    terms: SubcontractTerms | LoanTerms = Field(description="by kind: SubcontractTerms or LoanTerms")
    status: str
    reason: str | None
    decided_at: dt.datetime | None
    carried_from_id: int | None
    responses: list[ResponseOut]
    my_role: str | None = Field(default=None, description="for a firm: sends | produces | lends | borrows")
    counterparty: Party | None = None
    proposal_version: int | None = None
    proposal_final_status: str | None = Field(default=None, description="the proposal's final status (see "
                                              "ProposalOut.final_status)")
    outdated: bool = Field(default=False, description="a party changed its report after the plan was built")
    next_version: str | None = Field(default=None, description="replanning | preparing | superseded: a new "
                                     "version of the proposal is coming (or came)")


class AllianceBrief(_Out):
    id: int
    code: str
    name: str


class RoundBrief(_Out):
    id: int
    name: str
    start_date: dt.date
    horizon_days: int
    status: str


class QueueFigures(BaseModel):
    """Key figures of the proposal's plan, from its stored summary (no plan is loaded to list the queue)."""

    plan_status: str | None = Field(description="OPTIMAL | FEASIBLE | ...")
    objective: float | None = Field(description="alliance net value, yuan")
    gap: float | None
    subcontracts: int
    loans: int
    share_cleared: float | None = Field(description="share of the backlog value delivered in time, 0..1")
    unmet_value: float | None = Field(description="backlog value left unmet, yuan")
    changes: dict[str, int] | None = Field(
        description="re-plans: how many items were added / changed / removed / kept against the previous version")


class ReviewQueueEntry(BaseModel):
    """A submitted proposal awaiting a guide's decision."""

    proposal_id: int
    version: int
    job_id: int
    previous_id: int | None
    alliance: AllianceBrief
    round: RoundBrief
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    earlier_decisions: int = Field(description="decisions already taken on this proposal (a resubmission after a "
                                               "rejection has at least one)")
    figures: QueueFigures
    outdated_firms: list[str] = Field(default_factory=list, description="codes of firms whose report changed after "
                                      "the plan was built")
    since_rejected: SinceRejected | None = Field(default=None, description="a resubmission: what changed since the "
                                                  "rejected version (see ProposalOut.since_rejected)")


class ReviewHistoryEntry(BaseModel):
    """One decision a guide took, with where it was taken and the proposal's status now."""

    id: int = Field(description="id of the decision (use as before_id to page)")
    decision: str
    comment: str
    at: dt.datetime
    guide_id: int
    guide_name: str
    proposal_id: int
    version: int
    proposal_status: str = Field(description="the proposal's current status")
    alliance: AllianceBrief
    round: RoundBrief


class RespondIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=bounds.required_when("answer", "decline", "reason"))

    answer: Literal["confirm", "decline"]
    reason: LongText | None = None


class ReplanIn(SolveSettings):
    # Minimal-disruption re-planning (issue 11): yuan a change of an unanswered item must earn; 0 re-plans freely.
    change_penalty: Annotated[float, Field(ge=0, le=1_000_000, strict=True)] | None = Field(
        default=None, description="元/条：改动或取消一条尚未答复的条目至少须多赚的金额；默认 500，0 表示全部重排 / "
                                  "yuan a change of an unanswered item must earn; default 500, 0 re-plans freely")


