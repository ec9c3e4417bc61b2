"""Request and response bodies of the county domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.deps import MAX_ID
from api.schemas import ItemOut, Party


class ParentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: int | None = Field(ge=1, le=MAX_ID, description="上级联盟，null 为顶层 / parent alliance; null = root")


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_round_id: int = Field(ge=1, le=MAX_ID, description="上级联盟的开放轮次 / an open round of the parent alliance")


class RetractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="撤回原因，县级协调员可见 / why, shown to the county "
                        "coordinator")


class RoundRef(BaseModel):
    id: int
    alliance_id: int
    alliance_name: str
    name: str
    start_date: dt.date
    horizon_days: int
    status: str


class EntryOut(BaseModel):
    id: int
    escalation_id: int
    kind: str = Field(description="order（未满足订单）| capacity（未用产能）")
    enterprise: Party
    park: str = Field(description="所在园区联盟 / the firm's park alliance")
    payload: dict[str, Any] = Field(description="园区轮次的天数 / in the park round's days")
    withdrawn_at: dt.datetime | None
    left_out: str | None = Field(default=None, description="未进入县级场景的原因 / why it stays out of the county "
                                                         "scenario (county views only)")


class EscalationOut(BaseModel):
    id: int
    from_round: RoundRef
    to_round: RoundRef
    proposal_id: int
    created_at: dt.datetime
    entries: list[EntryOut]


class OfferOut(EntryOut):
    """A firm's own entry, with where it went and whether it can still be withdrawn."""

    to_round: RoundRef
    withdrawable: bool


class PreviewOut(BaseModel):
    proposal_id: int
    proposal_version: int
    entries: list[dict[str, Any]]


class CountyItemOut(ItemOut):
    county_round: RoundRef
