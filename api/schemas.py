"""Request and response bodies of the JSON API (pydantic v2)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from alliance import bounds
from alliance.bounds import (
    CommuteCost,
    LaborMinutes,
    LinkCost,
    MachineHoursPerUnit,
    MinLot,
    QualityLevel,
    Quantity,
    Radius,
    TransportRate,
    ValuePerUnit,
    Wage,
    no_control,
    no_control_multiline,
)
from alliance.plan import Plan, StopReason
from alliance.report import PlanReport
from alliance.scenario import Codes, Ident, PerDayFloat, PerDayInt, Policy, Scenario, Share
from api import limits
from api.proposal_parts import JobReplan
from api.report_schemas import StoredReport

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Username = Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")]
Password = Annotated[str, Field(min_length=8, max_length=128)]
# 18 characters (spaces and hyphens between them are dropped); the check digit is verified by the service.
CreditCode = Annotated[str, Field(min_length=18, max_length=40, pattern=r"^[0-9A-Za-z \-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=200), no_control]
DisplayName = Annotated[str, Field(max_length=200), no_control]
# Free text over several lines (notes, comments, reasons): tab and newline allowed, other control characters not.
LongText = Annotated[str, Field(max_length=4000), no_control_multiline]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, strict=True)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, strict=True)]
# Integers stored in database INTEGER columns stay within 32 bits.
RowId = Annotated[int, Field(ge=1, le=2_147_483_647)]
Level = Annotated[int, Field(ge=0, le=1_000_000)]
# Order numbers are prefixed by the firm's code in scenarios; keep the whole id within the domain's 100.
OrderRef = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[^\s/]+$"), no_control]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


# ----- users ----------------------------------------------------------------------------------------------


def _ids_per_role(schema: dict[str, Any]) -> None:
    """A clerk's account names its firm, a coordinator's its alliance, and no other account names either."""
    def given(field: str) -> dict[str, Any]:
        return {"required": [field], "properties": {field: {"type": "integer"}}}

    def absent(*fields: str) -> dict[str, Any]:
        return {"properties": {f: {"type": "null"} for f in fields}}

    schema["allOf"] = [
        {"if": {"properties": {"role": {"const": "enterprise"}}},
         "then": {**given("enterprise_id"), "properties": {"enterprise_id": {"type": "integer"},
                                                             "alliance_id": {"type": "null"}}}},
        {"if": {"properties": {"role": {"const": "coordinator"}}},
         "then": {**given("alliance_id"), "properties": {"alliance_id": {"type": "integer"},
                                                           "enterprise_id": {"type": "null"}}}},
        {"if": {"properties": {"role": {"enum": ["admin", "guide"]}}},
         "then": absent("enterprise_id", "alliance_id")},
    ]


class UserCreate(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_ids_per_role)

    username: Username
    password: Password
    display_name: DisplayName = ""
    role: Literal["admin", "coordinator", "enterprise", "guide"]
    enterprise_id: RowId | None = Field(default=None, description="role enterprise: the clerk's firm")
    alliance_id: RowId | None = Field(default=None, description="role coordinator: the alliance coordinated")


class UserUpdate(_In):
    password: Password | None = None
    display_name: DisplayName | None = None
    is_active: bounds.Flag | None = None


class UserOut(_Out):
    id: int
    username: str
    display_name: str
    role: str
    enterprise_id: int | None
    alliance_id: int | None
    is_active: bool
    created_at: dt.datetime


class Me(UserOut):
    alliance_ids: list[int] = Field(description="alliances this account may read (all, for admin: empty list)")


# ----- alliances and enterprises --------------------------------------------------------------------------


class AllianceCreate(_In):
    code: Code
    name: Name


class AllianceOut(_Out):
    id: int
    code: str
    name: str
    created_at: dt.datetime
    parent_id: int | None = Field(default=None, description="上级联盟 / the parent alliance (county tree)")


class EnterpriseFields(_In):
    name: Name
    lat: Latitude
    lon: Longitude
    quality_level: Level = 0
    processes: Codes = Field(default_factory=list)
    wage_per_day: Wage = 0.0
    accepts_subcontracts: bounds.Flag = True
    borrows_workers: bounds.Flag = True


class EnterpriseCreate(EnterpriseFields):
    code: Code = Field(description="short id in the alliance (the id in plans); never changes")
    credit_code: CreditCode = Field(description="统一社会信用代码, 18 characters, GB 32100-2015 check digit")


def _not_null(schema: dict[str, Any]) -> None:
    """Publish ``X | None = None`` fields as optional ``X`` (no null): for a PATCH body whose fields may be left
    out but not sent as null.  The model stays ``X | None`` for pydantic, so an error names one cause."""
    for prop in schema.get("properties", {}).values():
        branches = [b for b in prop.get("anyOf", []) if b.get("type") != "null"]
        if len(branches) == 1 and len(prop["anyOf"]) == 2:
            del prop["anyOf"]
            prop.pop("default", None)
            prop.update(branches[0])


class EnterpriseUpdate(_In):
    """Each field may be left out (kept as it is) but not sent as null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_not_null)

    name: Name | None = None
    credit_code: CreditCode | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    quality_level: Level | None = None
    processes: Codes | None = None
    wage_per_day: Wage | None = None
    accepts_subcontracts: bounds.Flag | None = None
    borrows_workers: bounds.Flag | None = None


class EnterpriseOut(_Out):
    id: int
    alliance_id: int
    code: str
    credit_code: str
    name: str
    lat: float
    lon: float
    quality_level: int
    processes: list[str]
    wage_per_day: float
    accepts_subcontracts: bool
    borrows_workers: bool


class EnterpriseBrief(_Out):
    """What every member sees of the others: who they are, nothing about their capacity."""

    id: int
    code: str
    name: str


# ----- rounds and reports ---------------------------------------------------------------------------------


# ----- policy: the alliance's default and a round's own values (lifecycle) ---------------------------------


class PolicyIn(_In):
    """MODEL.md policy values, each optional: a value left out (or null) is inherited (round: from the alliance's
    default, then the model's; alliance: the model's). Same fields and bounds as ``alliance.scenario.Policy``
    (``tests/api/test_policy.py`` holds the two together)."""

    lend_radius_km: Radius | None = None
    subcontract_radius_km: Radius | None = None
    commute_cost_per_km: CommuteCost | None = None
    transport_cost_per_unit_km: TransportRate | None = None
    link_cost: LinkCost | None = None
    transport_days: Annotated[
        int, Field(ge=0, le=bounds.MAX_HORIZON_DAYS, strict=True), bounds.whole_number] | None = None
    max_subcontractors_per_order: Annotated[
        int, Field(ge=0, le=bounds.MAX_SUBCONTRACTORS, strict=True), bounds.whole_number] | None = None
    workday_minutes: Annotated[float, Field(gt=0, le=1440, allow_inf_nan=False, strict=True)] | None = None
    reliability_floor: Share | None = None
    reliability_discount: Share | None = None


PolicySource = Literal["round", "alliance", "model"]


class AlliancePolicyOut(BaseModel):
    alliance_id: int
    set: PolicyIn = Field(description="the values the alliance set; the others are the model's defaults")
    policy: Policy = Field(description="the resulting policy a new round starts from")
    sources: dict[str, Literal["alliance", "model"]]
    model_defaults: Policy


class RoundCreate(_In):
    name: Name
    start_date: dt.date = Field(description="date of day 0; within five years of today")
    horizon_days: Annotated[int, Field(ge=1, le=bounds.MAX_HORIZON_DAYS)]
    skills: Annotated[list[Ident], Field(min_length=1, max_length=bounds.MAX_CODES)]
    machines: Codes = Field(default_factory=list)
    policy: PolicyIn = Field(default_factory=PolicyIn, description="values for this round; the others come from "
                             "the alliance's default policy, then the model's defaults")
    report_deadline: AwareDatetime | None = Field(
        default=None, description="reports lock after this instant (with a time zone) until the coordinator "
        "reopens them")

    @field_validator("start_date")
    @classmethod
    def _plausible_start(cls, value: dt.date) -> dt.date:
        # A round plans the coming weeks: a date years away is a typo (9999-12-31, 2062 for 2026).
        today = dt.date.today()
        lo, hi = today - dt.timedelta(days=5 * 366), today + dt.timedelta(days=5 * 366)
        if not lo <= value <= hi:
            raise PydanticCustomError(
                "date_out_of_range", "开始日期 {value} 应在 {lo} 至 {hi} 之间 / start date {value} must be "
                "within {lo} .. {hi}", {"value": value.isoformat(), "lo": lo.isoformat(), "hi": hi.isoformat()})
        return value


class RoundOut(_Out):
    id: int
    alliance_id: int
    name: str
    start_date: dt.date
    horizon_days: int
    skills: list[str]
    machines: list[str]
    policy: Policy
    policy_sources: dict[str, PolicySource] | None = Field(
        default=None, description="where each policy value came from (None: a round from before this was kept)")
    report_deadline: dt.datetime | None = None
    reports_locked: bool = Field(default=False, description="the deadline has passed: reports are locked")
    plan_state: str | None = Field(
        default=None, description="settled: the latest approved proposal has every item confirmed")
    status: str
    created_at: dt.datetime
    closed_at: dt.datetime | None


class ReportOrder(_In):
    """A backlog order as MODEL.md defines it; the owner is the reporting firm, the id its own order number."""

    id: OrderRef
    process: Ident
    skill: Ident
    quantity: Quantity
    labor_minutes_per_unit: LaborMinutes
    machine: Ident | None = None
    machine_hours_per_unit: MachineHoursPerUnit = 0.0
    release_day: bounds.Day = 0
    due_day: bounds.Day
    value_per_unit: ValuePerUnit
    transport_cost_per_unit_km: TransportRate | None = None
    min_quality_level: QualityLevel = 0
    subcontractable: bounds.Flag = True
    min_lot: MinLot = 1


class ReportIn(_In):
    """One firm's capacity report for a round (days are 0 .. horizon_days-1 of the round)."""

    idle_workers: Annotated[dict[Ident, PerDayInt], Field(max_length=limits.MAX_CODES)] = Field(
        default_factory=dict)
    lendable_workers: Annotated[dict[Ident, PerDayInt], Field(max_length=limits.MAX_CODES)] | None = Field(
        default=None, description="of the idle, who consented to be lent; omitted = all idle")
    spare_machine_hours: Annotated[dict[Ident, PerDayFloat], Field(max_length=limits.MAX_CODES)] = Field(
        default_factory=dict)
    orders: Annotated[list[ReportOrder], Field(max_length=limits.MAX_ORDERS_PER_REPORT)] = Field(
        default_factory=list)
    blocked_partners: Annotated[list[Code], Field(max_length=limits.MAX_BLOCKED_PARTNERS)] = Field(
        default_factory=list, description="codes of firms not to work with")
    note: Annotated[str, Field(max_length=2000), no_control_multiline] | None = None


class ReportOut(_Out):
    id: int
    round_id: int
    enterprise_id: int
    enterprise_code: str
    version: int
    payload: StoredReport
    source: str
    submitted_by: int | None
    created_at: dt.datetime


class ReportVersionOut(_Out):
    id: int
    version: int
    source: str
    submitted_by: int | None
    created_at: dt.datetime


class ReportStatus(BaseModel):
    enterprise: EnterpriseBrief
    latest_version: int | None
    versions: int
    submitted_at: dt.datetime | None


# ----- jobs and solving -----------------------------------------------------------------------------------


class PlanOut(Plan):
    """The MODEL.md plan as published: the flat rows, and the reviewer's report typed (``alliance.report``)."""

    # Narrower than the domain's dict (the domain keeps reports as plain JSON); valid for every stored plan.
    report: PlanReport | None = None  # type: ignore[assignment]


class JobProgress(BaseModel):
    """The latest figures a running job wrote (any web process reads the same row)."""

    model_config = ConfigDict(extra="allow")

    phase: str = Field(description="build | lp | solve | ...: the step the solver is in")
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    elapsed_s: float = 0.0
    stop_reason: StopReason | None = Field(default=None, description="on the last figures: why the solve stopped")
    updated_at: dt.datetime | None = None


class JobOptions(BaseModel):
    """What the job was started with (the request's settings, capped by the service's)."""

    model_config = ConfigDict(extra="allow")

    time_limit_s: float
    relative_gap: float
    threads: int = 1
    backend: str = "highs"
    seed: int = 0


class SolveSettings(_In):
    time_limit_s: Annotated[float, Field(gt=0, le=86400, strict=True)] | None = Field(
        default=None, description="capped by ALLIANCE_SOLVER_MAX_TIME_LIMIT_S")
    relative_gap: Annotated[float, Field(ge=0, le=1, strict=True)] | None = None


class JobCreate(SolveSettings):
    pass


class JobOut(_Out):
    id: int
    round_id: int
    status: str
    progress: JobProgress | None
    options: JobOptions
    replan_of: int | None
    replan: JobReplan | None
    error: str | None
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    plan_status: str | None = None
    objective: float | None = None


class SolveRequest(SolveSettings):
    scenario: Scenario


class SolveResponse(BaseModel):
    plan: PlanOut = Field(description="MODEL.md plan: status, objective, bound, gap, production, loans, report")
    violations: list[str] = Field(description="rules the plan breaks per the independent checker (empty = none)")
    time_limit_s: float = Field(description="the time limit applied (the request's, capped by the settings)")
    elapsed_s: float


class DeadlineIn(_In):
    report_deadline: AwareDatetime | None = Field(description="with a time zone; null: no deadline (reopens reports)")


class AuditOut(_Out):
    id: int
    actor_id: int | None
    action: str
    entity: str
    entity_id: str
    alliance_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: dt.datetime


class ImportResult(BaseModel):
    report: ReportOut
    sheets: list[str] = Field(description="sections read from the upload; the others were kept from the last version")
