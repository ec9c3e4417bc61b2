"""The reviewers' view of a plan: ``alliance.report.build_report``, stored with the plan.

Every plan a job or the stateless solve returns carries this report (grouped
sub-contracts and loans with their money, unmet orders with the reason, key
figures, settlement per enterprise, the checker's verdict).  Proposal items,
agreements and exports take their money terms from it, so the numbers a firm
confirms are the numbers the reviewer saw.
"""

from __future__ import annotations

from typing import Any

from alliance.plan import Plan
from alliance.report import build_report
from alliance.scenario import Scenario


def plan_report(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    return build_report(scenario, plan)


def report_of(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """The plan's stored report, or one built now (a plan stored without it)."""
    return plan.report if plan.report is not None else build_report(scenario, plan)
