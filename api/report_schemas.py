"""A stored capacity report as the service returns it (``ReportOut.payload``).

The shape of :class:`api.schemas.ReportIn` without its input checks: a report is checked when it is submitted,
and one stored before a check existed (or edited by hand) must still read.  Fields added later have defaults.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

PerDayCount = int | list[int]
PerDayHours = float | list[float]


class StoredOrder(BaseModel):
    id: str = Field(description="the firm's own order number")
    process: str
    skill: str
    quantity: int
    labor_minutes_per_unit: float
    machine: str | None = None
    machine_hours_per_unit: float = 0.0
    release_day: int = 0
    due_day: int
    value_per_unit: float
    transport_cost_per_unit_km: float | None = None
    min_quality_level: int = 0
    subcontractable: bool = True
    min_lot: int = 1


class StoredReport(BaseModel):
    idle_workers: dict[str, PerDayCount] = Field(default_factory=dict)
    lendable_workers: dict[str, PerDayCount] | None = None
    spare_machine_hours: dict[str, PerDayHours] = Field(default_factory=dict)
    orders: list[StoredOrder] = Field(default_factory=list)
    blocked_partners: list[str] = Field(default_factory=list)
    note: str | None = None
