"""Bodies of the notice API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from alliance.bounds import Flag, no_control_multiline, non_blank, required_when
from api.execution.schemas import Number

Text = Annotated[str, Field(max_length=20_000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoticeIn(_In):
    text: Text = ""
    notice_days: Annotated[int, Field(ge=1, le=60)] = 5


class ConsentIn(_In):
    agreed: Flag


class NoticeReviewIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=required_when("decision", "reject", "comment"))

    decision: Literal["approve", "reject"]
    comment: Annotated[str, Field(max_length=4000)] = ""


class ObjectionIn(_In):
    text: Annotated[str, Field(min_length=1, max_length=4000), non_blank, no_control_multiline]


class ObjectionAnswerIn(_In):
    answer: Annotated[str, Field(min_length=1, max_length=4000), non_blank, no_control_multiline]


class ObjectionOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise: str
    text: str
    filed_at: dt.datetime
    answer: str | None
    answered_at: dt.datetime | None


NoticeStatusName = Literal["draft", "submitted", "published"]  # api.models.NoticeStatus


class _Stored(BaseModel):
    """Figures kept as JSON in the notice row (frozen when the guide approves): a key an older row lacks takes its
    default, a key it holds that is no longer written is ignored, so reading an old notice never fails.  The
    service always writes every field, so the published schema lists them all as required."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class NoticeDetail(_Stored):
    """One item's quantities and price, shown only when both of its firms agreed."""

    key: str = Field(description="条目键 / the item's key")
    kind: Literal["subcontract", "loan"] = Field(description="委托加工 subcontract | 共享用工 loan")
    first: str = Field(description="委托方或借出方（代码 名称）/ owner of the order or lender (code name)")
    second: str = Field(description="承接方或借入方（代码 名称）/ producing site or borrower (code name)")
    planned: int = Field(description="计划件数或人·天 / units or worker-days in the plan")
    actual: int = Field(description="验收合格件数或实际人·天 / units accepted or worker-days worked")
    price: Number = Field(description="加工单价或日工资（元）/ value per unit (subcontract) or wage per day (loan), "
                                      "yuan")


class NoticeFigures(_Stored):
    """What the notice publishes, from the round's confirmed items and records (totals, never one firm's
    prices or quantities unless both firms of an item agreed: ``details``)."""

    orders_subcontracted: int = Field(default=0, description="委托加工的订单数 / distinct orders sub-contracted")
    subcontract_items: int = Field(default=0, description="委托加工条目数 / confirmed sub-contract items")
    loan_items: int = Field(default=0, description="共享用工条目数 / confirmed loan items")
    worker_days_lent: int = Field(default=0, description="实际帮工人·天 / worker-days lent and actually worked")
    units_accepted: int = Field(default=0, description="委托加工验收合格件数 / units accepted from sub-contracts")
    backlog_value_cleared: Number | None = Field(
        default=None, description="方案消化的积压订单价值（元），无已批准方案为 null / backlog value the approved "
                                  "plan cleared, yuan; null without an approved plan")
    gain_over_hand: Number | None = Field(
        default=None, description="较人工撮合的增益（元），无已批准方案为 null / the plan's gain over matching by "
                                  "hand, yuan; null without an approved plan")
    firms: list[str] = Field(default_factory=list, description="参与企业（代码 名称）/ the firms taking part "
                                                               "(code name)")
    details: list[NoticeDetail] = Field(default_factory=list, description="双方均同意公开的条目 / the items both "
                                                                          "firms agreed to show")


class NoticeOut(BaseModel):
    id: int
    round_id: int
    round_name: str
    alliance: str
    status: NoticeStatusName = Field(description="draft 草稿 | submitted 待审 | published 已发布")
    text: str
    notice_days: int
    review_comment: str | None
    published_at: dt.datetime | None
    ends_at: dt.datetime | None
    open_for_objections: bool
    figures: NoticeFigures
    consents: dict[int, bool] = Field(description="for the coordinator and guide: firm id -> agreed")
    my_consent: bool | None = None
    objections: list[ObjectionOut]
