"""Domain of the alliance matching service: scenario, plan, rules and checker.

Imports neither FastAPI nor OR-Tools (tests/alliance/test_independence.py holds it to that).
"""

from alliance.check import CheckResult, Violation, check, objective
from alliance.plan import LoanRow, Plan, PlanStats, ProductionRow, Status, StopReason
from alliance.replan import ReplanConstraints
from alliance.scenario import Enterprise, Order, Policy, Scenario, load_scenario

__all__ = [
    "CheckResult", "Enterprise", "LoanRow", "Order", "Plan", "PlanStats", "Policy", "ProductionRow",
    "ReplanConstraints", "Scenario", "Status", "StopReason", "Violation", "check", "load_scenario", "objective",
]
