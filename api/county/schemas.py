"""Request and response bodies of the county domain."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from alliance.bounds import no_control_multiline, non_blank
from api.deps import MAX_ID
from api.proposal_schemas import ItemOut, Party


class ParentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: int | None = Field(ge=1, le=MAX_ID, description="上级联盟，null 为顶层 / parent alliance; null = root")


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_round_id: int = Field(ge=1, le=MAX_ID, description="上级联盟的开放轮次 / an open round of the parent alliance")


class RetractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, non_blank, no_control_multiline] = Field(
        min_length=1, max_length=500, description="撤回原因，县级协调员可见 / why, shown to the county coordinator")


# The closed sets the service writes (api.models: EntryKind, RoundStatus).
EntryKindName = Literal["order", "capacity"]
RoundStatusName = Literal["open", "closed"]


class RoundRef(BaseModel):
    id: int
    alliance_id: int
    alliance_name: str
    name: str
    start_date: dt.date
    horizon_days: int
    status: RoundStatusName = Field(description="open 开放 | closed 已关闭")


# ----- what an entry holds (EscalationEntry.payload, written by api.county.service.leftovers) ----------------


class _Stored(BaseModel):
    """Part of an entry's payload, kept as JSON in its row: a key an older row lacks takes its default, a key it
    holds that no view shows (whom a firm blocks) is left out, so reading an old entry never fails.  The service
    writes every field, so the published schema lists them all as required."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class EscalatedOrder(_Stored):
    """The unmet part of a park order as it goes up: the fields of the scenario's order (alliance.scenario.Order)
    but its owner (the entry's firm), with the units left and the park round's days."""

    id: str = Field(description="企业自己的订单号 / the firm's own order reference")
    process: str = Field(description="工序 / process")
    skill: str = Field(description="工种 / skill")
    quantity: int = Field(description="未满足的件数 / units left unmet")
    labor_minutes_per_unit: float = Field(description="每件工时（分钟）/ labour minutes per unit")
    machine: str | None = Field(default=None, description="所需设备 / machine needed, if any")
    machine_hours_per_unit: float = Field(default=0.0, description="每件机时 / machine hours per unit")
    release_day: int = Field(default=0, description="最早生产日（园区轮次的天）/ release day, in the park round's days")
    due_day: int = Field(description="交期（园区轮次的天）/ due day, in the park round's days")
    value_per_unit: float = Field(description="每件加工价值（元）/ value per unit, yuan")
    transport_cost_per_unit_km: float | None = Field(default=None, description="每件每公里运费（元），null 用轮次政策 "
                                                                               "/ transport per unit-km; null: the "
                                                                               "round's policy")
    min_quality_level: int = Field(default=0, description="最低质量等级 / minimum quality level of the maker")
    subcontractable: bool = Field(default=True, description="可否外发 / may be sub-contracted")
    min_lot: int = Field(default=1, description="最小批量 / minimum lot")


class OrderPayload(_Stored):
    """An ``order`` entry: units of one backlog order the park plan could not clear."""

    order: EscalatedOrder
    park_order_id: str = Field(description="园区场景中的订单号 / the order's id in the park scenario")
    quantity: int = Field(description="订单原件数 / the order's full quantity")
    planned: int = Field(description="园区方案已安排的件数 / units the park plan produces")
    release_date: dt.date = Field(description="最早生产日期 / release date")
    due_date: dt.date = Field(description="交期 / due date")
    reason: str | None = Field(default=None, description="未满足原因代码（见 PlanReport 的 unmet）/ why unmet, the "
                                                         "reason code of the plan's report; null if none was given")
    reason_zh: str | None = Field(default=None, description="原因（中文）/ the reason in Chinese")
    reason_en: str | None = Field(default=None, description="原因（英文）/ the reason in English")


class CapacityPayload(_Stored):
    """A ``capacity`` entry: idle and lendable workers and spare machine hours the park plan left unused, per
    skill (or machine) and day of the park round."""

    start_date: dt.date = Field(description="园区轮次首日（第 0 天）/ the park round's day 0")
    horizon_days: int = Field(description="园区轮次天数 / days of the park round")
    idle_workers: dict[str, list[int]] = Field(default_factory=dict, description="工种 -> 每天未用的闲置工人 / "
                                                                                  "skill -> idle workers per day")
    lendable_workers: dict[str, list[int]] = Field(default_factory=dict, description="工种 -> 每天可借出的工人 / "
                                                                                      "skill -> lendable workers "
                                                                                      "per day")
    spare_machine_hours: dict[str, list[float]] = Field(default_factory=dict, description="设备 -> 每天空余机时 / "
                                                                                           "machine -> spare hours "
                                                                                           "per day")


Payload = OrderPayload | CapacityPayload


def payload_of(kind: str, stored: dict[str, object]) -> Payload:
    """An entry's stored payload as the model of its kind (what no view shows is left out)."""
    model = OrderPayload if kind == "order" else CapacityPayload
    return model.model_validate(stored)


class EntryOut(BaseModel):
    id: int
    escalation_id: int
    kind: EntryKindName = Field(description="order（未满足订单）| capacity（未用产能）")
    enterprise: Party
    park: str = Field(description="所在园区联盟 / the firm's park alliance")
    payload: Payload = Field(description="按 kind：OrderPayload 或 CapacityPayload，园区轮次的天数 / by kind: "
                                         "OrderPayload or CapacityPayload, in the park round's days")
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


class PreviewEntry(BaseModel):
    """What one firm would offer upward (nothing is saved yet)."""

    enterprise: Party
    kind: EntryKindName = Field(description="order（未满足订单）| capacity（未用产能）")
    payload: Payload = Field(description="按 kind：OrderPayload 或 CapacityPayload / by kind: OrderPayload or "
                                         "CapacityPayload")


class PreviewOut(BaseModel):
    proposal_id: int
    proposal_version: int
    entries: list[PreviewEntry]


class CountyItemOut(ItemOut):
    county_round: RoundRef
