"""Bodies of the execution and settlement API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from alliance.bounds import no_control_multiline, non_blank, required_when
from api.proposal_schemas import Party

Count = Annotated[int, Field(ge=0, le=1_000_000)]
Text = Annotated[str, Field(max_length=4000)]
# The closed sets the service writes (api.models: ItemKind, ExecState, RecordStatus).
KindName = Literal["subcontract", "loan"]
StateName = Literal["in_progress", "completed", "short", "disputed"]
RecordStatusName = Literal["recorded", "confirmed", "disputed", "resolved"]
# A figure published as a JSON number and kept as the service computed it (an empty sum is the integer 0, not
# 0.0): typing the answer does not change its JSON.
Number = Annotated[int | float, WithJsonSchema({"type": "number"})]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordIn(_In):
    day: Annotated[int, Field(ge=0, le=10_000, description="day of the round (date = start_date + day)")]
    workers: Count | None = Field(default=None, description="loan: lent workers who worked that day")
    delivered: Count | None = Field(default=None, description="sub-contract: units received that day")
    accepted: Count | None = Field(default=None, description="sub-contract: of those, units passing the check")
    note: Text = ""


class AnswerIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=required_when("answer", "dispute", "reason"))

    answer: Literal["confirm", "dispute"]
    reason: Text = ""
    workers: Count | None = Field(default=None, description="dispute: the figures the answering side counts")
    delivered: Count | None = None
    accepted: Count | None = None


class ResolveIn(_In):
    decision: Annotated[str, Field(min_length=1, max_length=4000), non_blank, no_control_multiline]
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
    status: RecordStatusName = Field(description="recorded 待对方确认 | confirmed 已确认 | disputed 有争议 | "
                                                 "resolved 协调员已裁定 / awaiting the other side | agreed | "
                                                 "disputed | decided by the coordinator")
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
    kind: KindName
    key: str
    order_id: str | None
    skill: str | None
    first_party: Party
    second_party: Party
    recorder_id: int = Field(description="the firm that records (borrower / ordering firm)")
    answerer_id: int = Field(description="the firm that confirms or disputes (lender / producing firm)")
    state: StateName
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
    kind: KindName
    key: str
    payer_id: int
    payer: str
    payee_id: int
    payee: str
    state: StateName
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
    closed_at: dt.datetime | None
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


# ----- outcome figures (成效), api/execution/outcomes.py ---------------------------------------------------------


class OutcomeRow(BaseModel):
    """The outcome figures of one round, one month (the rounds starting in it, summed) or one alliance's total:
    the fields of ``api.execution.outcomes.Outcome``."""

    model_config = ConfigDict(extra="forbid")

    period: str = Field(description="轮次名称、月份（YYYY-MM）或联盟名称 / the round's name, the month (YYYY-MM), "
                                    "or the alliance's name for its total")
    round_id: int | None = Field(description="轮次行：轮次 id；月份与联盟合计为 null / a round's row: its id; null "
                                             "for a month or an alliance total")
    rounds: int = Field(description="计入的轮次数 / rounds counted (1 for a round's row)")
    worker_days_employed: Number = Field(description="因联盟调配而有活干的人·天（帮工人·天 + 委托加工合格件所含工时）/ "
                                                     "worker-days kept employed: lent days worked + the labour in "
                                                     "sub-contracted units accepted")
    value_subcontracted: Number = Field(description="委托加工消化的积压价值（元）/ backlog value cleared through "
                                                    "sub-contracts, yuan")
    value_cleared_planned: Number = Field(description="已批准方案消化的积压价值（元）/ value the approved plan "
                                                      "cleared, yuan")
    extra_over_hand: Number = Field(description="较人工撮合的增益（元）/ the plan's gain over matching by hand, yuan")
    partner_pairs: int = Field(description="有已确认条目的企业对数 / distinct pairs of firms with a confirmed item")
    units_delivered: int = Field(description="委托加工送达件数 / sub-contracted units delivered")
    units_on_time: int = Field(description="按期送达件数 / of those, delivered on or before the due day")
    on_time_share: Number | None = Field(description="按期率，无送达为 null / units on time / units delivered; "
                                                     "null when nothing was delivered")
    ratings: int = Field(description="评议条数 / ratings given")
    rating_sum: Number = Field(description="各评议三项均分之和 / sum of each rating's mean of the three criteria")
    average_rating: Number | None = Field(description="平均评分（1-5），无评议为 null / mean rating (1-5); null "
                                                      "without ratings")
    alliance_id: int | None = Field(description="轮次行与联盟合计：联盟 id；月份为 null / a round's alliance or "
                                                "the total's alliance; null for a month")
    alliance: str = Field(description="联盟名称；月份为空 / the alliance's name; empty for a month")


class OutcomesOut(BaseModel):
    """An alliance's outcome figures; an alliance with alliances below it (the county) rolls them up."""

    model_config = ConfigDict(extra="forbid")

    rounds: list[OutcomeRow] = Field(description="各轮次（含下级联盟的），按开始日期 / every round of the alliance "
                                                 "and those below it, by start date")
    months: list[OutcomeRow] = Field(description="按月汇总（轮次开始日期所在月）/ per month of the rounds' start "
                                                 "dates, summed")
    alliances: list[OutcomeRow] = Field(description="各联盟合计（本联盟在前）/ one total per alliance, this one "
                                                    "first")
