"""Bodies of the execution and settlement API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Party

Count = Annotated[int, Field(ge=0, le=1_000_000)]
Text = Annotated[str, Field(max_length=4000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordIn(_In):
    day: Annotated[int, Field(ge=0, le=10_000, description="day of the round (date = start_date + day)")]
    workers: Count | None = Field(default=None, description="loan: lent workers who worked that day")
    delivered: Count | None = Field(default=None, description="sub-contract: units received that day")
    accepted: Count | None = Field(default=None, description="sub-contract: of those, units passing the check")
    note: Text = ""


class AnswerIn(_In):
    answer: Literal["confirm", "dispute"]
    reason: Text = ""
    workers: Count | None = Field(default=None, description="dispute: the figures the answering side counts")
    delivered: Count | None = None
    accepted: Count | None = None


class ResolveIn(_In):
    decision: Annotated[str, Field(min_length=1, max_length=4000)]
    workers: Count | None = None
    delivered: Count | None = None
    accepted: Count | None = None


class RecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: int
    date: dt.date
    workers: int | None
    delivered: int | None
    accepted: int | None
    note: str
    status: str
    recorded_at: dt.datetime
    answered_at: dt.datetime | None
    dispute_reason: str | None
    claimed: dict[str, int | None] | None
    decision: str | None
    decided_at: dt.datetime | None


class DayFigure(BaseModel):
    day: int
    date: dt.date
    planned: int
    actual: int | None


class ExecutionOut(BaseModel):
    item_id: int
    round_id: int
    start_date: dt.date
    horizon_days: int
    last_day: int = Field(description="the last day a record may take (deliveries may come after the horizon)")
    kind: str
    key: str
    order_id: str | None
    skill: str | None
    first_party: Party
    second_party: Party
    recorder_id: int = Field(description="the firm that records (borrower / ordering firm)")
    answerer_id: int = Field(description="the firm that confirms or disputes (lender / producing firm)")
    state: Literal["in_progress", "completed", "short", "disputed"]
    finished: bool
    locked: bool = Field(description="the round's settlement is closed")
    planned: int = Field(description="worker-days (loan) or units (sub-contract) in the plan")
    actual: int = Field(description="worker-days worked, or units accepted")
    difference: int
    delivered: int
    rejected: int
    delivered_on_time: int
    due_day: int | None
    days: list[DayFigure]
    records: list[RecordOut]
    my_side: Literal["records", "answers"] | None = None


class LineOut(BaseModel):
    item_id: int
    kind: str
    key: str
    payer_id: int
    payer: str
    payee_id: int
    payee: str
    state: str
    planned: int
    actual: int
    delivered: int
    rate: float
    distance_km: float
    base: float = Field(description="wage reimbursed at cost (loan) or processing fee (sub-contract), yuan")
    travel: float = Field(description="commuting allowance (loan) or transport (sub-contract), yuan")
    amount: float


class PairOut(BaseModel):
    a_id: int
    a: str
    b_id: int
    b: str
    a_pays_b: float
    lines: list[LineOut]


class FirmTotalOut(BaseModel):
    enterprise_id: int
    enterprise: str
    receivable: float
    payable: float
    net: float


class SettlementOut(BaseModel):
    round_id: int
    closed: bool
    closed_at: str | None
    lines: list[LineOut]
    pairs: list[PairOut]
    firms: list[FirmTotalOut]


Score = Annotated[int, Field(ge=1, le=5)]


class RatingIn(_In):
    on_time: Score
    quality: Score
    cooperation: Score
    comment: Text = ""


class RatingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    round_id: int
    rater_id: int
    ratee_id: int
    on_time: int
    quality: int
    cooperation: int
    comment: str
    created_at: dt.datetime


class ReliabilityOut(BaseModel):
    enterprise_id: int
    enterprise: str
    planned_worker_days: int
    delivered_worker_days: int
    worker_day_share: float | None = Field(description="worker-days delivered / planned, as lender")
    planned_units: int
    on_time_accepted_units: int
    unit_share: float | None = Field(description="units delivered on time and accepted / planned, as maker")
    items: int = Field(description="finished items where the firm provided (lender or maker)")
    ratings: int
    average_rating: float | None
    rating_index: float = Field(description="average rating shrunk towards the alliance mean (Bayesian)")
    reliability: float = Field(description="Bayesian average of the item delivery shares, 0..1")
