"""Terminal rendering of the plan report (api/render.py), Chinese by default, English on request."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from alliance import Plan, Scenario, load_scenario
from alliance.report import build_report
from api.render import render_summary
from tests.alliance import test_report as report_tests
from tests.alliance.test_report import HAND, make_plan

# The report tests' plan worked out by hand, reused as a fixture.
hand = report_tests.hand


def rendered(report: dict[str, Any], lang: str) -> str:
    console = Console(record=True, width=200, file=io.StringIO())
    console.print(render_summary(report, lang))  # type: ignore[arg-type]
    return console.export_text()


def test_summary_in_chinese_and_english(hand: tuple[Scenario, Plan]) -> None:
    _, plan = hand
    data = HAND.to_dict()
    data["orders"].append({"id": "o2", "owner": "A", "process": "forming", "skill": "forming", "quantity": 5,
                           "labor_minutes_per_unit": 60, "due_day": 1, "value_per_unit": 1})
    s2 = load_scenario(data)
    report = build_report(s2, make_plan(s2, [(r.order, r.site, r.day, r.quantity) for r in plan.production],
                                        [(r.skill, r.lender, r.borrower, r.day, r.workers) for r in plan.loans]))
    [entry] = report["unmet"]
    zh = rendered(report, "zh")
    for text in ("求解状态", "关键指标", "二次发单", "共享用工", "未完成订单", "o2", entry["action"]["zh"][:4],
                 "校验通过"):
        assert text in zh
    en = rendered(report, "en")
    for text in ("Status", "Key figures", "Sub-contracts", "Worker loans", "Unmet orders", entry["action"]["en"][:20],
                 "Check passed"):
        assert text in en
    assert "Status" not in zh
    with pytest.raises(ValueError, match="lang"):
        render_summary(report, "fr")  # type: ignore[arg-type]


def test_summary_shows_violations_of_a_broken_plan(hand: tuple[Scenario, Plan]) -> None:
    s, _ = hand
    text = rendered(build_report(s, make_plan(s, [("o1", "A", 0, 40)])), "en")
    assert "Check failed" in text and "rule 3" in text
