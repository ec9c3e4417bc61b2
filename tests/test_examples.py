"""The shipped examples load, solve and stay in step with the documents that describe them.

docs/walkthrough.md states the objective and the rows of the 5-firm plan; examples/README.md lists the 24 firms.
Both are parsed here and compared with the solver and the data, so neither document can go stale silently.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from alliance import Plan, Scenario, Status, check, load_scenario
from solver import SolveOptions, solve

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"
WALKTHROUGH_DOC = REPO_ROOT / "docs" / "walkthrough.md"
PROCESS_ZH = {"forming": "成型", "glazing": "施釉", "firing": "烧成", "decorating": "彩绘", "packing": "包装"}


@cache
def _scenario(name: str) -> Scenario:
    return load_scenario((EXAMPLES / name).read_text(encoding="utf-8"))


@cache
def _walkthrough_plan() -> Plan:
    return solve(_scenario("walkthrough-5.json"), SolveOptions(time_limit_s=10))


def _doc() -> str:
    return WALKTHROUGH_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["dehua-24.json", "walkthrough-5.json"])
def test_example_loads(name: str) -> None:
    s = _scenario(name)
    assert s.start_date is not None and s.start_date.isoformat() == "2026-12-07"
    assert set(s.skills) == set(PROCESS_ZH)


# ----- the 5-firm walkthrough ------------------------------------------------------------------


def test_walkthrough_exercises_every_feature_it_explains() -> None:
    s = _scenario("walkthrough-5.json")
    assert len(s.enterprises) == 5
    assert any(e.blocked_partners for e in s.enterprises)
    no_consent = [
        e.id for e in s.enterprises
        if any(s.idle(e.id, k, t) > 0 for k in s.skills for t in range(s.horizon_days))
        and all(s.lendable(e.id, k, t) == 0 for k in s.skills for t in range(s.horizon_days))
    ]
    assert no_consent == ["E005"]


def test_walkthrough_plan_passes_the_checker_and_does_what_the_doc_says() -> None:
    s, plan = _scenario("walkthrough-5.json"), _walkthrough_plan()
    assert plan.status == Status.OPTIMAL
    result = check(s, plan)
    assert result.ok, result.violations
    assert result.objective_matches
    subcontracted = {r.order for r in plan.production if r.site != s.order(r.order).owner}
    assert subcontracted == {"O0001"}
    assert {(loan.lender, loan.borrower, loan.skill) for loan in plan.loans} == {("E004", "E003", "firing")}
    served = {r.order for r in plan.production}
    assert {o.id for o in s.orders} - served == {"O0003", "O0005"}
    # O0003's reason: no eligible site at all (rule 1).
    o3 = s.order("O0003")
    assert not any(s.is_eligible_site(o3, e.id) for e in s.enterprises)


def test_walkthrough_objective_equals_the_number_in_the_doc() -> None:
    stated = [float(x) for x in re.findall(r"目标值 / objective = ([0-9]+\.[0-9]{2})", _doc())]
    assert stated, "docs/walkthrough.md must state '目标值 / objective = <number>'"
    plan = _walkthrough_plan()
    assert plan.objective is not None
    for value in stated:
        assert value == pytest.approx(plan.objective, abs=0.005)


def test_walkthrough_rows_equal_the_tables_in_the_doc() -> None:
    doc = _doc()
    production = {
        (order, site, int(day), int(units))
        for order, site, day, units in re.findall(
            r"^\| (O\d{4}) \| (E\d{3}) \| (\d+) \| \d{2}-\d{2} \| (\d+) \|$", doc, flags=re.MULTILINE)
    }
    loans = {
        (skill, lender, borrower, int(day), int(workers))
        for skill, lender, borrower, day, workers in re.findall(
            r"^\| ([a-z_]+) [^|]*\| (E\d{3}) \| (E\d{3}) \| (\d+) \| (\d+) \|$", doc, flags=re.MULTILINE)
    }
    assert production and loans
    plan = _walkthrough_plan()
    assert {(r.order, r.site, r.day, r.quantity) for r in plan.production} == production
    assert {(r.skill, r.lender, r.borrower, r.day, r.workers) for r in plan.loans} == loans


# ----- the 24-firm Dehua park ------------------------------------------------------------------


def test_dehua_24_has_the_shape_the_readme_promises() -> None:
    s = _scenario("dehua-24.json")
    assert (len(s.enterprises), len(s.orders), s.horizon_days) == (24, 40, 14)
    assert s.policy.link_cost == 300
    assert any(e.blocked_partners for e in s.enterprises)
    assert any(
        s.lendable(e.id, k, t) < s.idle(e.id, k, t)
        for e in s.enterprises for k in e.idle_workers for t in range(s.horizon_days)
    )
    assert any(not e.accepts_subcontracts for e in s.enterprises)
    assert any(not e.borrows_workers for e in s.enterprises)
    names = [e.name for e in s.enterprises]
    assert len(set(names)) == 24 and all(n.startswith("德化县") for n in names)


def test_dehua_24_readme_table_matches_the_data() -> None:
    s = _scenario("dehua-24.json")
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| (E\d{3}) \| (\S+) \| ([^|]+) \| (\d) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|", readme, flags=re.MULTILINE)
    table = {r[0]: r for r in rows if r[0] in {e.id for e in s.enterprises} and len(r[1]) > 6}
    assert len(table) == 24
    horizon = range(s.horizon_days)
    for e in s.enterprises:
        _, name, processes, quality, wage, idle, lendable, orders = table[e.id]
        assert name == e.name
        assert processes.strip().split("、") == [PROCESS_ZH[p] for p in e.processes]
        assert int(quality) == e.quality_level
        assert int(wage) == e.wage_per_day
        assert int(idle) == sum(s.idle(e.id, k, t) for k in s.skills for t in horizon)
        assert int(lendable) == sum(s.lendable(e.id, k, t) for k in s.skills for t in horizon)
        assert int(orders) == sum(o.owner == e.id for o in s.orders)


def test_dehua_24_solves_to_a_checked_plan_in_a_short_time() -> None:
    """The demo's scenario gives a plan that obeys every rule; its quality is the solver tests' business."""
    s = _scenario("dehua-24.json")
    plan = solve(s, SolveOptions(time_limit_s=8))
    assert plan.status in (Status.OPTIMAL, Status.FEASIBLE)
    result = check(s, plan)
    assert result.ok, result.violations[:5]
    assert result.objective_matches
    assert plan.bound is not None and plan.objective is not None and plan.bound >= plan.objective - 0.01
