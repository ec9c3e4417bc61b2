"""The scenario: one alliance's backlog and idle capacity over a planning horizon.

The schema follows ``shared/spec/MODEL.md`` field for field.  Shape errors
(wrong types, negative numbers) are caught by pydantic field constraints;
cross-references (unknown ids, per-day list lengths, ``lendable > idle``,
days outside the horizon, duplicates) are checked after parsing and raised
as one ``ValidationError`` whose entries each carry the field path and the
offending value, so the API and the CLI can show them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from alliance import bounds as b
from alliance.bounds import (
    MAX_CODES,
    CommuteCost,
    DistanceKm,
    Ident,
    LaborMinutes,
    LinkCost,
    MachineHoursPerUnit,
    MinLot,
    PerDayHours,
    PerDayWorkers,
    PlausibleDate,
    QualityLevel,
    Quantity,
    Radius,
    Text200,
    TransportRate,
    ValuePerUnit,
    Wage,
    at_most,
    whole_number,
)

EARTH_RADIUS_KM = 6371.0

# Strict: JSON true/false or "3" must not pass for a number (MODEL.md: nothing is guessed silently).
NonNegInt = Annotated[int, Field(ge=0, strict=True), whole_number]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)]
# A per-day value: one number for every day, or exactly one entry per day (alliance.bounds caps them).
PerDayInt = PerDayWorkers
PerDayFloat = PerDayHours
Codes = Annotated[list[Ident], Field(max_length=MAX_CODES)]


class _Strict(BaseModel):
    # Unknown keys are rejected: a misspelt field must not be silently dropped.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class AllianceInfo(_Strict):
    id: Ident
    name: Text200


class Policy(_Strict):
    lend_radius_km: Radius = 10.0
    subcontract_radius_km: Radius = 30.0
    commute_cost_per_km: CommuteCost = 1.0
    transport_cost_per_unit_km: TransportRate = 0.0
    link_cost: LinkCost = 0.0
    transport_days: Annotated[int, Field(ge=0, strict=True), at_most(b.MAX_HORIZON_DAYS, "运输天数",
                                                                      "transport days"), whole_number] = 1
    max_subcontractors_per_order: Annotated[int, Field(ge=0, strict=True),
                                            at_most(b.MAX_SUBCONTRACTORS, "每单外发家数上限",
                                                    "sub-contractors per order"), whole_number] = 3
    workday_minutes: Annotated[float, Field(gt=0, le=1440, allow_inf_nan=False, strict=True)] = 480.0
    # Reliability extension (docs/solver.md): a firm whose ``reliability`` is below the floor receives no
    # sub-contract and borrows no worker; work placed with a maker of reliability r is worth
    # value_per_unit * discount * (1 - r) less per unit.  The defaults leave every plan as it was.
    reliability_floor: Share = 0.0
    reliability_discount: Share = 0.0


class Enterprise(_Strict):
    id: Ident
    name: Text200
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, strict=True)]
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, strict=True)]
    quality_level: QualityLevel = 0
    processes: Codes = Field(default_factory=list)
    idle_workers: Annotated[dict[str, PerDayInt], Field(max_length=MAX_CODES)] = Field(default_factory=dict)
    # None means "everybody idle consented": lendable = idle.
    lendable_workers: Annotated[dict[str, PerDayInt], Field(max_length=MAX_CODES)] | None = None
    spare_machine_hours: Annotated[dict[str, PerDayFloat], Field(max_length=MAX_CODES)] = Field(
        default_factory=dict)
    wage_per_day: Wage = 0.0
    accepts_subcontracts: b.Flag = True
    borrows_workers: b.Flag = True
    blocked_partners: Annotated[list[Ident], Field(max_length=b.MAX_ENTERPRISES)] = Field(default_factory=list)
    # 0..1, from the alliance's execution records (api/execution/ratings.py); None: no figure, never excluded.
    reliability: Share | None = None


class Order(_Strict):
    id: Ident
    owner: Ident
    process: Ident
    skill: Ident
    quantity: Quantity
    labor_minutes_per_unit: LaborMinutes
    machine: Ident | None = None
    machine_hours_per_unit: MachineHoursPerUnit = 0.0
    release_day: b.Day = 0
    due_day: b.Day
    value_per_unit: ValuePerUnit
    transport_cost_per_unit_km: TransportRate | None = None
    min_quality_level: QualityLevel = 0
    subcontractable: b.Flag = True
    min_lot: MinLot = 1


class DistanceOverride(_Strict):
    a: Ident
    b: Ident
    km: DistanceKm


class Scenario(_Strict):
    alliance: AllianceInfo
    horizon_days: Annotated[int, Field(ge=1, le=b.MAX_HORIZON_DAYS, strict=True), whole_number]
    start_date: PlausibleDate | None = None
    skills: Annotated[list[Ident], Field(min_length=1, max_length=MAX_CODES)]
    machines: Codes = Field(default_factory=list)
    policy: Policy = Field(default_factory=Policy)
    enterprises: Annotated[list[Enterprise], Field(min_length=1, max_length=b.MAX_ENTERPRISES)]
    orders: Annotated[list[Order], Field(max_length=b.MAX_ORDERS)] = Field(default_factory=list)
    distances_km: Annotated[list[DistanceOverride], Field(max_length=b.MAX_DISTANCES)] = Field(
        default_factory=list)

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        errors = list(_cross_reference_errors(self))
        if errors:
            raise ValidationError.from_exception_data("Scenario", errors)
        return self

    # ----- convenient, solver-independent accessors -------------------------

    def enterprise(self, enterprise_id: str) -> Enterprise:
        return self._enterprise_by_id()[enterprise_id]

    def order(self, order_id: str) -> Order:
        return self._order_by_id()[order_id]

    def _enterprise_by_id(self) -> dict[str, Enterprise]:
        cached: dict[str, Enterprise] | None = self.__dict__.get("_ent_cache")
        if cached is None:
            cached = {e.id: e for e in self.enterprises}
            self.__dict__["_ent_cache"] = cached
        return cached

    def _order_by_id(self) -> dict[str, Order]:
        cached: dict[str, Order] | None = self.__dict__.get("_ord_cache")
        if cached is None:
            cached = {o.id: o for o in self.orders}
            self.__dict__["_ord_cache"] = cached
        return cached

    def idle(self, enterprise_id: str, skill: str, day: int) -> int:
        return int(per_day(self.enterprise(enterprise_id).idle_workers.get(skill, 0), day))

    def lendable(self, enterprise_id: str, skill: str, day: int) -> int:
        ent = self.enterprise(enterprise_id)
        if ent.lendable_workers is None:
            return int(per_day(ent.idle_workers.get(skill, 0), day))
        return int(per_day(ent.lendable_workers.get(skill, 0), day))

    def machine_hours(self, enterprise_id: str, machine: str, day: int) -> float:
        return float(per_day(self.enterprise(enterprise_id).spare_machine_hours.get(machine, 0), day))

    def enterprise_index(self) -> dict[str, int]:
        cached: dict[str, int] | None = self.__dict__.get("_ent_index")
        if cached is None:
            cached = {e.id: i for i, e in enumerate(self.enterprises)}
            self.__dict__["_ent_index"] = cached
        return cached

    def distance_matrix(self) -> np.ndarray:
        """Symmetric km matrix in enterprise order: overrides, else great-circle.

        The checker and the solver both read distances from here, so a firm
        exactly at a radius is eligible for both or for neither.
        """
        cached: np.ndarray | None = self.__dict__.get("_dist_matrix")
        if cached is None:
            lat = np.radians([e.lat for e in self.enterprises])
            lon = np.radians([e.lon for e in self.enterprises])
            dlat = lat[None, :] - lat[:, None]
            dlon = lon[None, :] - lon[:, None]
            h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
            cached = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
            idx = self.enterprise_index()
            for d in self.distances_km:
                i, j = idx[d.a], idx[d.b]
                cached[i, j] = cached[j, i] = d.km
            np.fill_diagonal(cached, 0.0)
            cached.setflags(write=False)
            self.__dict__["_dist_matrix"] = cached
        return cached

    def distance(self, a: str, b: str) -> float:
        idx = self.enterprise_index()
        return float(self.distance_matrix()[idx[a], idx[b]])

    def blocked(self, a: str, b: str) -> bool:
        """True when either firm refuses any link with the other."""
        return b in self.enterprise(a).blocked_partners or a in self.enterprise(b).blocked_partners

    def transport_rate(self, order: Order) -> float:
        if order.transport_cost_per_unit_km is not None:
            return order.transport_cost_per_unit_km
        return self.policy.transport_cost_per_unit_km

    def last_day_at(self, order: Order, site: str) -> int:
        """Rule 2: the last day a site may produce the order."""
        if site == order.owner:
            return order.due_day
        return order.due_day - self.policy.transport_days

    def can_subcontract_to(self, order: Order, site: str) -> bool:
        """Rule 1 for a site other than the owner."""
        if site == order.owner or not order.subcontractable:
            return False
        g = self.enterprise(site)
        return (
            order.process in g.processes
            and g.quality_level >= order.min_quality_level
            and g.accepts_subcontracts
            and self.distance(order.owner, site) <= self.policy.subcontract_radius_km
            and not self.blocked(order.owner, site)
            and not self.below_floor(site)
        )

    def is_eligible_site(self, order: Order, site: str) -> bool:
        """Rule 1: the owner iff it runs the process, others by ``can_subcontract_to``."""
        if site == order.owner:
            return order.process in self.enterprise(site).processes
        return self.can_subcontract_to(order, site)

    def can_lend(self, lender: str, borrower: str) -> bool:
        """Rule 5, the pair part: who may lend to whom at all."""
        return (
            lender != borrower
            and self.enterprise(borrower).borrows_workers
            and self.distance(lender, borrower) <= self.policy.lend_radius_km
            and not self.blocked(lender, borrower)
            and not self.below_floor(borrower)
        )

    def below_floor(self, enterprise_id: str) -> bool:
        """Reliability extension: the firm's reliability is known and below the policy's floor."""
        r = self.enterprise(enterprise_id).reliability
        return r is not None and r < self.policy.reliability_floor

    def reliability_discount(self, order: Order, site: str) -> float:
        """Reliability extension: yuan per unit of ``order`` made at ``site`` discounted for the maker's record."""
        if site == order.owner or self.policy.reliability_discount == 0:
            return 0.0
        r = self.enterprise(site).reliability
        return 0.0 if r is None else order.value_per_unit * self.policy.reliability_discount * (1.0 - r)


def per_day(value: int | float | list[int] | list[float], day: int) -> float:
    if isinstance(value, list):
        return value[day]
    return value


# ----- cross-reference validation ------------------------------------------------


def _err(loc: tuple[str | int, ...], value: Any, kind: str, message: str) -> InitErrorDetails:
    # Message templates are formatted by pydantic; braces in values must not be read as fields.
    safe = message.replace("{", "{{").replace("}", "}}")
    return InitErrorDetails(type=PydanticCustomError(kind, safe), loc=loc, input=value)


def _duplicates(ids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for i in ids:
        (dup if i in seen else seen).add(i)
    return dup


def day_words(start: date | None, day: int) -> tuple[str, str]:
    """A plan day as people say it (Chinese, English): its date when the scenario has one, else "第 1 天" from 1."""
    if start is None or not 0 <= day <= b.MAX_HORIZON_DAYS:
        return f"第 {day + 1} 天", f"day {day + 1}"
    d = start + timedelta(days=day)
    return f"{d.month}月{d.day}日", d.isoformat()


def _cross_reference_errors(s: Scenario) -> Iterable[InitErrorDetails]:
    horizon = s.horizon_days
    skills, machines = set(s.skills), set(s.machines)
    for field, codes in (("skills", s.skills), ("machines", s.machines)):
        for code in _duplicates(codes):
            yield _err((field,), code, "duplicate", f"代码 '{code}' 重复 / duplicate code '{code}'")

    ent_ids = {e.id for e in s.enterprises}
    seen_ent: set[str] = set()
    for i, e in enumerate(s.enterprises):
        loc = ("enterprises", i)
        if e.id in seen_ent:
            yield _err((*loc, "id"), e.id, "duplicate", f"企业编号 '{e.id}' 重复 / duplicate enterprise id '{e.id}'")
        seen_ent.add(e.id)
        for name, mapping, known in (
            ("idle_workers", e.idle_workers, skills),
            ("lendable_workers", e.lendable_workers or {}, skills),
            ("spare_machine_hours", e.spare_machine_hours, machines),
        ):
            for code, value in mapping.items():
                if code not in known:
                    kind = "machine" if name == "spare_machine_hours" else "skill"
                    yield _err((*loc, name, code), code, "unknown_code",
                               f"未定义的代码 '{code}'（不在场景的 {kind}s 列表中）/ "
                               f"unknown {kind} '{code}' (not in scenario '{kind}s')")
                if isinstance(value, list) and len(value) != horizon:
                    yield _err((*loc, name, code), value, "per_day_length",
                               f"逐日列表有 {len(value)} 项，计划天数为 {horizon} / "
                               f"per-day list has {len(value)} entries, horizon_days is {horizon}")
        if e.lendable_workers is not None:
            for code, value in e.lendable_workers.items():
                idle = e.idle_workers.get(code, 0)
                if isinstance(value, list) and len(value) != horizon:
                    continue
                if isinstance(idle, list) and len(idle) != horizon:
                    continue
                for t in range(horizon):
                    lend, have = per_day(value, t), per_day(idle, t)
                    if lend > have:
                        yield _err((*loc, "lendable_workers", code), value, "lendable_exceeds_idle",
                                   f"{day_words(s.start_date, t)[0]}：可出借 {lend} 人多于闲置 {have} 人 / "
                                   f"{day_words(s.start_date, t)[1]}: lendable {lend} > idle {have}")
                        break
        for j, p in enumerate(e.blocked_partners):
            if p not in ent_ids:
                yield _err((*loc, "blocked_partners", j), p, "unknown_enterprise",
                           f"未知企业 '{p}' / unknown enterprise '{p}'")
            elif p == e.id:
                yield _err((*loc, "blocked_partners", j), p, "self_reference",
                           "企业不能屏蔽自己 / an enterprise cannot block itself")

    seen_ord: set[str] = set()
    for i, o in enumerate(s.orders):
        loc = ("orders", i)
        if o.id in seen_ord:
            yield _err((*loc, "id"), o.id, "duplicate", f"订单编号 '{o.id}' 重复 / duplicate order id '{o.id}'")
        seen_ord.add(o.id)
        if o.owner not in ent_ids:
            yield _err((*loc, "owner"), o.owner, "unknown_enterprise",
                       f"未知企业 '{o.owner}' / unknown enterprise '{o.owner}'")
        if o.skill not in skills:
            yield _err((*loc, "skill"), o.skill, "unknown_code",
                       f"未定义的工种 '{o.skill}' / unknown skill '{o.skill}'")
        if o.machine is not None and o.machine not in machines:
            yield _err((*loc, "machine"), o.machine, "unknown_code",
                       f"未定义的设备 '{o.machine}' / unknown machine '{o.machine}'")
        if o.machine is None and o.machine_hours_per_unit > 0:
            yield _err((*loc, "machine_hours_per_unit"), o.machine_hours_per_unit, "machine_missing",
                       "填写了机时但未指定设备 / machine hours given but no machine named")
        last_zh, last_en = day_words(s.start_date, horizon - 1)
        if o.due_day >= horizon:
            yield _err((*loc, "due_day"), o.due_day, "outside_horizon",
                       f"交期 {day_words(s.start_date, o.due_day)[0]} 超出计划期（最后一天为 {last_zh}）/ due day "
                       f"{day_words(s.start_date, o.due_day)[1]} is after the last day {last_en}")
        if o.release_day >= horizon:
            yield _err((*loc, "release_day"), o.release_day, "outside_horizon",
                       f"投产日 {day_words(s.start_date, o.release_day)[0]} 超出计划期（最后一天为 {last_zh}）/ "
                       f"release day {day_words(s.start_date, o.release_day)[1]} is after the last day {last_en}")
        if o.release_day > o.due_day:
            rel, due = day_words(s.start_date, o.release_day), day_words(s.start_date, o.due_day)
            yield _err((*loc, "release_day"), o.release_day, "release_after_due",
                       f"投产日 {rel[0]} 晚于交期 {due[0]} / release day {rel[1]} is after the due day {due[1]}")

    # MODEL.md has no list of process codes, so the known processes are those some firm declares;
    # an order asking for a process nobody runs is almost always a typo in the order.
    known_processes = {p for e in s.enterprises for p in e.processes}
    for i, o in enumerate(s.orders):
        if o.process not in known_processes:
            yield _err(("orders", i, "process"), o.process, "unknown_code",
                       f"没有企业具备工序 '{o.process}' / unknown process '{o.process}': no enterprise runs it")

    seen_pairs: set[frozenset[str]] = set()
    for i, d in enumerate(s.distances_km):
        loc = ("distances_km", i)
        for f in ("a", "b"):
            v = getattr(d, f)
            if v not in ent_ids:
                yield _err((*loc, f), v, "unknown_enterprise", f"未知企业 '{v}' / unknown enterprise '{v}'")
        if d.a == d.b:
            yield _err((*loc, "b"), d.b, "self_reference", "距离需两家不同企业 / a distance needs two different firms")
        pair = frozenset((d.a, d.b))
        if pair in seen_pairs:
            yield _err(loc, [d.a, d.b], "duplicate", "距离重复填写 / distance pair given twice")
        seen_pairs.add(pair)


def load_scenario(data: dict[str, Any] | str | bytes) -> Scenario:
    """Parse a scenario from a dict or JSON text; raises ``pydantic.ValidationError``."""
    if isinstance(data, (str, bytes)):
        return Scenario.model_validate_json(data)
    return Scenario.model_validate(data)
