"""The plan: the canonical flat rows of MODEL.md plus an optional report for reviewers.

The rows (``production`` and ``loans``) are the plan; everything in
``report`` is derived from them by :func:`alliance.report.build_report` and
never contradicts them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Ident = Annotated[str, Field(min_length=1, max_length=100)]


class Status(StrEnum):
    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"


class StopReason(StrEnum):
    """Why a solve stopped (issue 11 item 7): shown with the plan, so a reader knows whether waiting longer helps."""

    PROVEN_OPTIMAL = "proven_optimal"  # within HiGHS' default gap 1e-4: nothing better exists
    WITHIN_GAP = "within_gap"  # within the relative gap the coordinator asked for
    PROVEN_INFEASIBLE = "proven_infeasible"  # the pinned items cannot all be kept
    TIME_LIMIT = "time_limit"
    CANCELLED = "cancelled"


class PlanStats(BaseModel):
    """How the plan was found; optional, so plans stored before it existed still load."""

    model_config = ConfigDict(extra="allow")

    stop_reason: StopReason | None = None
    requested_gap: float | None = None
    time_limit_s: float | None = None
    elapsed_s: float | None = None


class ProductionRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    order: Ident
    site: Ident
    day: Annotated[int, Field(ge=0)]
    quantity: Annotated[int, Field(ge=1)]


class LoanRow(BaseModel):
    # ``from`` is a Python keyword; the JSON name stays ``from`` as MODEL.md writes it.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)

    skill: Ident
    lender: Ident = Field(alias="from")
    borrower: Ident = Field(alias="to")
    day: Annotated[int, Field(ge=0)]
    workers: Annotated[int, Field(ge=1)]


class Plan(BaseModel):
    # Other tools' plans may carry fields of their own; keep them rather than refuse the plan.
    model_config = ConfigDict(extra="allow")

    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    production: list[ProductionRow] = Field(default_factory=list)
    loans: list[LoanRow] = Field(default_factory=list)
    report: dict[str, Any] | None = None
    stats: PlanStats | None = None

    def canonical(self) -> dict[str, Any]:
        """The checkable part only, as MODEL.md writes it."""
        return self.model_dump(
            mode="json", by_alias=True, include={"status", "objective", "bound", "gap", "production", "loans"}
        )


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """MODEL.md's gap: (bound - objective) / max(1, |bound|)."""
    if objective is None or bound is None:
        return None
    return max(0.0, (bound - objective) / max(1.0, abs(bound)))
