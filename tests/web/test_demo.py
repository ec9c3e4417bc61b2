"""The demo alliance the service seeds on an empty database (24 Dehua firms, 14 days): a solve long enough to
watch its live progress and cancel it, and the map of a real-sized plan (screenshots for docs/web.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.web.conftest import PHONE, Session, Sessions, expect_text
from tests.web.world import World, live_server

pytestmark = pytest.mark.browser

COORDINATOR = ("coordinator", "coordinator-demo")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, browser: object) -> Iterator[World]:
    # The demo seed; the gap 0 below keeps the solver busy until its time limit (or the cancel).
    with live_server(tmp_path_factory.mktemp("demo") / "demo.db", seed_demo=True, admin_password=None,
                     solver_max_time_limit_s=30.0, progress_interval_s=0.2) as base_url:
        yield World(base_url)


def open_round_board(sessions: Sessions) -> Session:
    coord = sessions.sign_in(COORDINATOR[0], secret=COORDINATOR[1])
    page = coord.page
    expect_text(page.locator("#home"), "演示轮次")
    page.locator("#home table").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/rounds/\d+$"))
    expect_text(page.locator("#reports-summary"), "24 / 24")
    return coord


def request_plan(page: Page, seconds: int) -> None:
    page.locator("#time-limit").fill(str(seconds))
    page.locator("#gap").fill("0")
    page.locator("#request-plan").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))


def test_live_progress_then_cancel(world: World, sessions: Sessions, screenshots: Path) -> None:
    coord = open_round_board(sessions)
    page = coord.page
    request_plan(page, 25)
    expect_text(page.locator("#job-status"), "计算中")
    # The figures fill in while the solver works: an objective, a bound, a gap, the time used.
    figures = page.locator("#job-figures")
    expect_text(figures, r"联盟净收益¥[\d,]+\.\d\d")
    expect_text(figures, r"与上界的差距[\d.]+%")
    first = float(page.locator("#job-progress").get_attribute("value") or 0)
    expect_text(figures, r"已用时间([1-9]|\d{2,})\.\d s / 25 s")
    page.wait_for_function("v => document.querySelector('#job-progress').value > v", arg=first, timeout=10_000)
    coord.shot(screenshots, "job-running")
    page.locator("#cancel-job").click()
    expect_text(page.locator("#job-status"), "已取消")
    expect_text(page.locator("#flash"), "已取消")
    assert not page.locator("#cancel-job").is_visible()


def test_a_real_sized_plan_on_the_map(world: World, sessions: Sessions, screenshots: Path) -> None:
    coord = open_round_board(sessions)
    page = coord.page
    request_plan(page, 4)
    expect_text(page.locator("#job-status"), "已完成", timeout=40)
    assert not page.locator("#cancel-job").is_visible()
    page.locator("#view-plan").click()
    page.wait_for_selector("svg.flow-map")
    assert page.locator("svg.flow-map g.firm").count() == 24
    assert page.locator("svg.flow-map g.flow").count() >= 3
    kinds = set(page.eval_on_selector_all("svg.flow-map g.flow", "els => els.map(e => e.dataset.kind)"))
    assert kinds == {"subcontract", "loan"}
    # At 24 firms no two firm labels overlap (a firm without room keeps its dot; its name shows on hover/tap).
    boxes = page.eval_on_selector_all("svg.flow-map g.firm text", """els => els.map(e => {
        const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
    assert boxes and not overlaps, overlaps
    assert page.locator("svg.flow-map g.firm title").count() == 24
    # The same flows as a list, and zoom buttons that widen the map inside its own box.
    assert page.locator(".flow-list li").count() == page.locator("svg.flow-map g.flow").count()
    before = page.eval_on_selector("svg.flow-map", "el => el.getBoundingClientRect().width")
    page.get_by_role("button", name="放大地图").click()
    assert page.eval_on_selector("svg.flow-map", "el => el.getBoundingClientRect().width") > before * 1.4
    page.get_by_role("button", name="还原").click()
    page.eval_on_selector("#map-h", "el => el.scrollIntoView({block: 'start'})")
    coord.shot(screenshots, "plan-demo-map", full_page=False)
    coord.shot(screenshots, "plan-demo-desktop")

    # One firm at a time: the other firms' moves fade on the map, the day table keeps only this firm's rows.
    firm = page.locator("#firm-filter option").nth(1).get_attribute("value") or ""
    page.locator("#firm-filter").select_option(firm)
    rows = page.eval_on_selector_all("table.day-table tbody tr", "trs => trs.map(tr => [tr.hidden, tr.dataset.firms])")
    assert any(not hidden for hidden, _ in rows) and any(hidden for hidden, _ in rows)
    assert all(firm in firms.split(" ") for hidden, firms in rows if not hidden)
    dimmed = page.locator("svg.flow-map g.flow.dimmed").count()
    assert 0 < dimmed < page.locator("svg.flow-map g.flow").count()
    coord.shot(screenshots, "plan-demo-one-firm", full_page=False)
    job = page.url.split("/jobs/")[1].split("/")[0]

    phone = sessions.sign_in(COORDINATOR[0], viewport=PHONE, secret=COORDINATOR[1])
    phone.goto(f"/jobs/{job}/plan")
    phone.page.wait_for_selector("svg.flow-map")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.page.eval_on_selector("#days-h", "el => el.scrollIntoView({block: 'start'})")
    phone.shot(screenshots, "plan-demo-days-phone", full_page=False)
