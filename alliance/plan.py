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
