"""The three roles end to end in a real browser (Debian's Chromium through Playwright), against the live service.

The steps build on each other, in this order (one alliance per module, see world.py):
1. firm A's clerk fills the report grid with the keyboard, meets a local and a server field error, submits;
2. the coordinator requests a plan, watches the job, reads the plan (SVG map), makes a proposal, submits it;
3. the guide tries to reject without a comment (blocked, announced), then approves;
4. the clerk confirms one item and declines the other with a reason; the agreement prints;
5. the coordinator re-plans and sees what changed highlighted;
6. the English switch, remembered across pages.
Screenshots of the main pages go to test-results/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest

from tests.web.conftest import PHONE, Sessions, expect_text
from tests.web.world import FIRING_ORDER, GLAZING_ORDER, HORIZON, KILN_HOURS, ROUND, START, World, ok

pytestmark = pytest.mark.browser

# What the steps learn and later steps need.
STATE: dict[str, Any] = {}


def api_calls(page: Any) -> list[str]:
    """The API paths (with the query) the page requests from now on."""
    calls: list[str] = []

    def seen(request: Any) -> None:
        url = urlsplit(request.url)
        if url.path.startswith("/api/"):
            calls.append(url.path + (f"?{url.query}" if url.query else ""))

    page.on("request", seen)
    return calls


def typed(page: Any, text: str) -> None:
    """Replace the focused input's text by typing, as a person does (select all, type)."""
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_1_clerk_fills_the_report_with_the_keyboard(world: World, sessions: Sessions, screenshots: Path) -> None:
    clerk = sessions.sign_in("clerk-a")
    page = clerk.page
    expect_text(page.locator("#home"), "已提交第 1 版")
    page.get_by_role("link", name="查看或更正").click()
    page.wait_for_url(re.compile(r"/report\?round=\d+"))
    page.wait_for_selector("#report-form:not([hidden])")
    assert page.locator("html").get_attribute("lang") == "zh-CN"

    # Every input of the form has a label (grid cells have visually hidden ones).
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('#report-form :is(input, select, textarea)')]
        .filter(i => !(i.labels && i.labels.length)).map(i => i.id || i.name)""")
    assert unlabelled == []

    # Kiln hours, day by day, with the keyboard only: Tab moves along the row and selects the cell's text.
    page.locator("#cell-spare_machine_hours_kiln_0").focus()
    typed(page, str(KILN_HOURS))
    for _ in range(1, HORIZON):
        page.keyboard.press("Tab")
        page.keyboard.type(str(KILN_HOURS))
    # Arrow keys move between rows: from the first glazing row up from firing, type a non-number.
    page.locator("#cell-idle_workers_firing_0").focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "cell-idle_workers_glazing_0"
    typed(page, "x")
    # A lendable firer on day 0 while no firer is idle: only the server's rules catch it.
    page.locator("#cell-lendable_workers_firing_0").focus()
    typed(page, "1")

    # The firing order: "add an order" with the keyboard, then its fields.
    page.locator("#add-order").focus()
    page.keyboard.press("Enter")
    order = page.locator("fieldset.order").nth(1)
    assert page.evaluate("document.activeElement.name") == "id"
    page.keyboard.type(FIRING_ORDER["id"])
    order.locator("[name=process]").select_option(FIRING_ORDER["process"])
    order.locator("[name=skill]").select_option(FIRING_ORDER["skill"])
    order.locator("[name=quantity]").fill("0")  # below 1: the API says so, next to the field
    order.locator("[name=labor_minutes_per_unit]").fill(str(FIRING_ORDER["labor_minutes_per_unit"]))
    order.locator("[name=machine]").select_option(FIRING_ORDER["machine"])
    order.locator("[name=machine_hours_per_unit]").fill(str(FIRING_ORDER["machine_hours_per_unit"]))
    order.locator("[name=due_day]").select_option(str(FIRING_ORDER["due_day"]))
    order.locator("[name=value_per_unit]").fill(str(FIRING_ORDER["value_per_unit"]))
    order.locator("[name=subcontractable]").uncheck()

    # Submit: the non-number is caught before anything is sent, next to its cell, and announced.
    page.locator("#submit-report").focus()
    page.keyboard.press("Enter")
    summary = page.locator("#report-form > .form-error")
    expect_text(summary, "1 处")
    assert summary.get_attribute("role") == "alert"
    glazing = page.locator("#cell-idle_workers_glazing_0")
    assert glazing.get_attribute("aria-invalid") == "true"
    expect_text(page.locator("#err-cell-idle_workers_glazing"), "“x”不是整数")
    assert page.evaluate("document.activeElement.id") == "cell-idle_workers_glazing_0"
    with world.client("clerk-a") as api:
        assert ok(api.get(f"/rounds/{world.round}/reports/{world.firms['A']}"))["version"] == 1

    # Fixed; the server's request check finds the zero quantity, shown next to the field.
    typed(page, "0")
    page.locator("#submit-report").click()
    quantity = order.locator("[name=quantity]")
    quantity_error = order.locator("[name=quantity] + .field-error")
    expect_text(quantity_error, "1")
    assert quantity.get_attribute("aria-invalid") == "true"
    assert (quantity_error.get_attribute("id") or "?") in (quantity.get_attribute("aria-describedby") or "")
    assert page.evaluate("document.activeElement.name") == "quantity"

    # Then the domain's rules find the lendable firer above the idle ones: the message goes under that row.
    quantity.fill(str(FIRING_ORDER["quantity"]))
    page.locator("#submit-report").click()
    lendable_error = page.locator("#err-cell-lendable_workers_firing")
    expect_text(lendable_error, "人多于闲置")
    assert lendable_error.is_visible()
    assert page.locator("tr[data-loc='lendable_workers.firing']").get_attribute("class") == "invalid"
    assert quantity.get_attribute("aria-invalid") is None
    clerk.shot(screenshots, "report-errors-desktop")

    page.locator("#cell-lendable_workers_firing_0").focus()
    typed(page, "0")
    page.locator("#submit-report").click()
    expect_text(page.locator("#report-version"), "第 2 版")
    expect_text(page.locator("#flash"), "第 2 版")
    assert page.locator(".field-error:visible").count() == 0
    clerk.shot(screenshots, "report-desktop")

    with world.client("clerk-a") as api:
        saved = ok(api.get(f"/rounds/{world.round}/reports/{world.firms['A']}"))
    assert saved["version"] == 2
    assert saved["payload"]["spare_machine_hours"] == {"kiln": [KILN_HOURS] * HORIZON}
    assert [o["id"] for o in saved["payload"]["orders"]] == [GLAZING_ORDER["id"], FIRING_ORDER["id"]]
    firing = saved["payload"]["orders"][1]
    assert (firing["quantity"], firing["machine"], firing["subcontractable"]) == (240, "kiln", False)

    # The Excel round trip: the template comes filled with version 2; uploading it back makes version 3.
    with page.expect_download() as download_info:
        page.locator("#download-template").click()
    download = download_info.value
    assert download.suggested_filename == f"report-{world.round}-A.xlsx"
    template = screenshots.parent / download.suggested_filename
    download.save_as(template)
    page.locator("#upload-file").set_input_files(str(template))
    page.locator("#upload-submit").click()
    expect_text(page.locator("#report-version"), "第 3 版")
    expect_text(page.locator("#flash"), "已导入")
    with world.client("clerk-a") as api:
        imported = ok(api.get(f"/rounds/{world.round}/reports/{world.firms['A']}"))
    assert imported["version"] == 3 and imported["source"] == "xlsx"
    assert imported["payload"]["orders"] == saved["payload"]["orders"]
    assert page.locator("#cell-spare_machine_hours_kiln_3").input_value() == str(KILN_HOURS)

    # The same page on a phone: no sideways scrolling of the page itself (the grid scrolls in its box).
    phone = sessions.sign_in("clerk-a", viewport=PHONE)
    phone.goto(f"/report?round={world.round}")
    phone.page.wait_for_selector("#report-form:not([hidden])")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.shot(screenshots, "report-phone", full_page=False)


def test_2_coordinator_requests_a_plan_and_submits_it(world: World, sessions: Sessions, screenshots: Path) -> None:
    coord = sessions.sign_in("coord")
    page = coord.page
    expect_text(page.locator("#home"), "十二月第一周")
    coord.shot(screenshots, "home-coordinator")
    page.get_by_role("link", name=re.compile("十二月第一周")).first.click()
    page.wait_for_url(f"**/rounds/{world.round}")
    expect_text(page.locator("#reports-summary"), "已填报 4 / 5 家")
    assert "未填报" in page.locator("tr[data-firm=E]").inner_text()
    coord.shot(screenshots, "round-board")

    page.locator("#time-limit").fill("abc")
    page.locator("#request-plan").click()
    expect_text(page.locator("#time-limit + .field-error"), "大于 0")
    page.locator("#time-limit").fill("5")
    page.locator("#request-plan").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    STATE["job"] = int(page.url.rsplit("/", 1)[1])
    expect_text(page.locator("#job-status"), "已完成")
    figures = page.locator("#job-figures").inner_text()
    assert "联盟净收益" in figures and "¥" in figures and "与上界的差距" in figures
    assert page.locator("#job-progress").get_attribute("value") == "100"
    assert not page.locator("#cancel-job").is_visible()
    coord.shot(screenshots, "job-progress")

    page.locator("#view-plan").click()
    page.wait_for_url(f"**/jobs/{STATE['job']}/plan")
    page.wait_for_selector("svg.flow-map")
    flows = page.locator("svg.flow-map g.flow")
    assert flows.count() == 2
    sub = page.locator("svg.flow-map g.flow[data-kind=subcontract][data-from=A][data-to=B]")
    loan = page.locator("svg.flow-map g.flow[data-kind=loan][data-from=C][data-to=A]")
    assert sub.count() == 1 and loan.count() == 1
    # Colour by kind, width by volume: 720 units is the largest sub-contract, so it has the widest stroke.
    assert sub.locator("path.stroke").get_attribute("stroke") != loan.locator("path.stroke").get_attribute("stroke")
    assert float(sub.locator("path.stroke").get_attribute("stroke-width") or 0) == pytest.approx(8.0)
    assert page.locator("svg.flow-map g.firm").count() == 4  # the four firms that reported
    assert page.locator("ul.legend li").count() >= 3
    assert page.locator("svg.flow-map").get_attribute("role") == "img"
    days = page.locator("table.day-table")
    assert "720 件" in days.locator("tr[data-key='subcontract:A-g1:B']").inner_text()
    assert page.locator("ul.checks li.check-pass").count() == 10
    expect_text(page.locator("#unmet-h"), r"（0）")
    coord.shot(screenshots, "plan-desktop")

    page.locator("#create-proposal").click()
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    STATE["proposal1"] = int(page.url.rsplit("/", 1)[1])
    expect_text(page.locator("#proposal-title"), "草稿")
    page.locator("#submit-review").click()
    expect_text(page.locator("#proposal-title"), "待审核")
    expect_text(page.locator("#flash"), "已提交审核")
    assert page.locator("#proposal-items tr[data-key]").count() == 2

    phone = sessions.sign_in("coord", viewport=PHONE)
    phone.goto(f"/jobs/{STATE['job']}/plan")
    phone.page.wait_for_selector("svg.flow-map")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.page.eval_on_selector("#map-h", "el => el.scrollIntoView({block: 'start'})")
    phone.shot(screenshots, "plan-map-phone", full_page=False)


def test_3_guide_needs_a_comment_to_reject_then_approves(world: World, sessions: Sessions, screenshots: Path) -> None:
    proposal = STATE["proposal1"]
    guide = sessions.sign_in("guide")
    page = guide.page
    # The desk comes from the review queue and history endpoints: no walking of alliances, rounds and proposals.
    calls = api_calls(page)
    page.reload()
    expect_text(page.locator("#review-queue h2"), r"待审核方案（1）")
    entry = page.locator(f"#review-queue article[data-proposal='{proposal}']")
    text = entry.inner_text()
    assert "十二月第一周" in text and "方案第 1 版" in text and "德化陶瓷产业链党建联盟（测试）" in text
    assert re.search(r"联盟净收益\s*¥[\d,]+\.\d\d", text) and "12/07 至 12/10，共 4 天" in text
    # (every page also reads the account and its inbox's unread count)
    assert sorted(c for c in calls if c not in ("/api/v1/auth/me", "/api/v1/me/inbox")) == [
        "/api/v1/reviews/history?limit=50", "/api/v1/reviews/queue"]
    guide.shot(screenshots, "home-guide")
    phone = sessions.sign_in("guide", viewport=PHONE)
    phone.page.wait_for_selector("#review-queue article")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.shot(screenshots, "home-guide-phone", full_page=False)
    page.locator("#review-queue").get_by_role("link", name="审核").click()
    page.wait_for_url(f"**/proposals/{proposal}")
    page.wait_for_selector("svg.flow-map")
    assert page.locator("ul.checks li.check-pass").count() == 10

    page.locator("#reject").click()
    alert = page.locator("#review-form .form-error")
    expect_text(alert, "1 处")
    assert alert.get_attribute("role") == "alert"
    comment = page.locator("#review-comment")
    assert comment.get_attribute("aria-invalid") == "true"
    expect_text(page.locator("#review-comment + .field-error"), "驳回时必须填写审核意见")
    assert page.evaluate("document.activeElement.id") == "review-comment"
    guide.shot(screenshots, "review-blocked")
    with world.client("guide") as api:
        assert ok(api.get(f"/proposals/{proposal}"))["status"] == "submitted"

    comment.fill("同意。请各企业按期确认。")
    page.locator("#approve").click()
    expect_text(page.locator("#proposal-title"), "已批准")
    expect_text(page.locator("#review-history"), "同意。请各企业按期确认。")
    with world.client("guide") as api:
        reviews = ok(api.get(f"/proposals/{proposal}"))["reviews"]
    assert [r["decision"] for r in reviews] == ["approve"]

    # Back on the desk: the queue is empty, the decision is in the history.
    guide.goto("/home")
    expect_text(page.locator("#review-queue h2"), r"待审核方案（0）")
    decision = page.locator(f"#review-history tr[data-review='{reviews[0]['id']}']")
    expect_text(decision, "同意。请各企业按期确认。")
    assert "批准" in decision.inner_text() and "已批准" in decision.inner_text()


def test_4_clerk_confirms_one_item_and_declines_the_other(world: World, sessions: Sessions,
                                                          screenshots: Path) -> None:
    clerk = sessions.sign_in("clerk-a")
    page = clerk.page
    expect_text(page.locator("#home"), "2 项待本企业确认")
    clerk.shot(screenshots, "home-enterprise")
    page.get_by_role("link", name="去确认").click()
    page.wait_for_url("**/items")
    calls = api_calls(page)
    page.reload()
    awaiting = page.locator("#awaiting")
    expect_text(awaiting.locator("h2"), r"\(2\)")
    # Calendar dates come with the items (the round's start date): no proposal or round is fetched for them.
    assert not [c for c in calls if c.startswith(("/api/v1/rounds", "/api/v1/proposals"))], calls
    sub = awaiting.locator("article[data-key='subcontract:A-g1:B']")
    loan = awaiting.locator("article[data-key='loan:firing:C:A']")
    assert "本企业把订单外协给 B" in sub.inner_text()
    # B makes 240 a day on days 0-2 of a round starting 2026-12-07, and ships by day 2 (due day 3, one day back).
    assert "12/07: 240 · 12/08: 240 · 12/09: 240" in sub.inner_text().replace("\u00a0", " ")
    text = sub.locator("dl.terms").inner_text()
    assert "12/09" in text and "第" not in text  # a date, not the model's day offset
    assert "本企业向 C" in loan.inner_text()

    sub.get_by_role("button", name="确认").click()
    expect_text(page.locator("#flash"), "已确认")
    expect_text(page.locator("#waiting h2"), r"\(1\)")

    loan = page.locator("#awaiting article[data-key='loan:firing:C:A']")
    loan.get_by_role("button", name="拒绝").click()
    expect_text(loan.locator(".form-error"), "1 处")
    expect_text(loan.locator("textarea + .field-error"), "拒绝时必须填写原因")
    assert loan.locator("textarea").get_attribute("aria-invalid") == "true"
    loan.locator("textarea").fill("本周窑炉检修，不便接收外来人员")
    loan.get_by_role("button", name="拒绝").click()
    expect_text(page.locator("#declined h2"), r"\(1\)")
    assert "本周窑炉检修" in page.locator("#declined").inner_text()

    # The other firm (B) confirms the sub-contract through the API: it is then confirmed by both.
    with world.client("clerk-b") as api:
        items = ok(api.get("/me/items"))
        item = next(i for i in items if i["key"] == "subcontract:A-g1:B")
        ok(api.post(f"/items/{item['id']}/respond", json={"answer": "confirm"}))
    page.reload()
    confirmed = page.locator("#confirmed article[data-key='subcontract:A-g1:B']")
    confirmed.wait_for()
    clerk.shot(screenshots, "items-desktop")
    confirmed.get_by_role("link", name="查看并打印协议").click()
    page.wait_for_url(f"**/agreements/{item['id']}")
    article = page.locator("#agreement")
    expect_text(article, "德化县瑞和陶瓷有限公司")
    assert article.locator("h1").count() == 1
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator("#print").is_visible()
    clerk.shot(screenshots, "agreement-print")
    page.emulate_media(media="screen")

    phone = sessions.sign_in("clerk-a", viewport=PHONE)
    phone.goto("/items")
    phone.page.wait_for_selector("#confirmed article")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.shot(screenshots, "items-phone", full_page=False)


def test_5_coordinator_replans_and_sees_the_changes(world: World, sessions: Sessions, screenshots: Path) -> None:
    coord = sessions.sign_in("coord")
    page = coord.page
    expect_text(page.locator("#home"), "1 项被企业拒绝")
    coord.goto(f"/proposals/{STATE['proposal1']}")
    page.locator("#replan-limit").fill("5")
    page.locator("#replan").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    expect_text(page.locator("#job-context"), "重新计划")
    expect_text(page.locator("#job-status"), "已完成")
    page.locator("#view-plan").click()
    page.locator("#create-proposal").click()
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    page.wait_for_selector("svg.flow-map")

    changes = page.locator("#changes")
    assert page.locator("#changes-card").is_visible()
    assert changes.locator(".change-added li[data-key='loan:firing:D:A']").count() == 1
    assert changes.locator(".change-removed li[data-key='loan:firing:C:A']").count() == 1
    assert changes.locator(".change-kept li[data-key='subcontract:A-g1:B']").count() == 1
    added_row = page.locator("#proposal-items tr[data-key='loan:firing:D:A']")
    assert "changed-row" in (added_row.get_attribute("class") or "")
    assert added_row.locator(".change-tag").inner_text() == "新增"
    kept_row = page.locator("#proposal-items tr[data-key='subcontract:A-g1:B']")
    assert "changed-row" not in (kept_row.get_attribute("class") or "")
    assert "已确认" in kept_row.inner_text()  # carried over, nobody answers twice
    assert page.locator("svg.flow-map g.flow-added[data-from=D][data-to=A]").count() == 1
    assert page.locator("svg.flow-map g.flow-removed[data-from=C][data-to=A]").count() == 1
    assert page.locator("table.day-table tr.change-added[data-key='loan:firing:D:A']").count() == 1
    coord.shot(screenshots, "replan-changes")
    STATE["proposal2"] = int(page.url.rsplit("/", 1)[1])


def test_6_english_switch_is_remembered(world: World, sessions: Sessions, screenshots: Path) -> None:
    coord = sessions.sign_in("coord")
    page = coord.page
    coord.goto(f"/proposals/{STATE['proposal2']}")
    page.wait_for_selector("svg.flow-map")
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("svg.flow-map")
    assert page.locator("html").get_attribute("lang") == "en"
    expect_text(page.locator("#proposal-title"), "Proposal v2")
    assert "Key figures" in page.locator("#figures-h").inner_text()
    coord.shot(screenshots, "proposal-english")
    coord.goto("/home")  # no ?lang: the cookie remembers
    expect_text(page.locator("#home-title"), "Coordinator's desk")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#nav a").all_inner_texts()[:2] == ["Home", "New round"]
    assert "Inbox" in page.locator("#nav").inner_text()
    assert "County" in page.locator("#nav a").all_inner_texts()
    page.get_by_role("link", name="中文").click()
    expect_text(page.locator("#home-title"), "协调员工作台")
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_7_coordinator_opens_a_round_through_the_form_and_closes_it(world: World, sessions: Sessions,
                                                                   screenshots: Path) -> None:
    coord = sessions.sign_in("coord")
    page = coord.page
    page.locator("#new-round").click()
    page.wait_for_url("**/rounds/new")
    page.wait_for_selector("#round-form:not([hidden])")

    # Filled from the latest round (skills, machines, the day after its last day) and MODEL.md's policy defaults.
    after = dt.date.fromisoformat(START) + dt.timedelta(days=HORIZON)
    monday = dt.date.today() + dt.timedelta(days=(7 - dt.date.today().weekday()) % 7)
    assert page.locator("#start-date").input_value() == (after if after >= dt.date.today() else monday).isoformat()
    assert page.locator("#horizon-days").input_value() == str(HORIZON)
    checked = page.eval_on_selector_all("input[name=skill]:checked, input[name=machine]:checked",
                                        "boxes => boxes.map(b => b.value)")
    assert checked == [*cast(list[str], ROUND["skills"]), *cast(list[str], ROUND["machines"])]
    assert page.locator("#policy-lend_radius_km").input_value() == "10"
    assert page.locator("#policy-workday_minutes").input_value() == "480"
    assert "默认 480 分钟" in page.locator("#policy-workday_minutes-hint").inner_text()
    assert page.locator("#round-name").input_value().endswith(f"起 {HORIZON} 天")  # suggested from the dates

    # With the keyboard: a name, a bad number of days and a negative allowance, submitted with Enter.
    page.locator("#round-name").focus()
    typed(page, "十二月第二周 / second week of December")
    page.locator("#horizon-days").focus()
    typed(page, "0")
    page.locator("#policy-commute_cost_per_km").focus()
    typed(page, "-1")
    page.keyboard.press("Enter")
    summary = page.locator("#round-form-error")
    expect_text(summary, "2 处")
    assert summary.get_attribute("role") == "alert"
    expect_text(page.locator("#horizon-days + .field-error"), "1 到 366")
    assert page.locator("#horizon-days").get_attribute("aria-invalid") == "true"
    expect_text(page.locator("#policy-commute_cost_per_km + .field-error"), "不小于 0")
    assert page.evaluate("document.activeElement.id") == "horizon-days"
    coord.shot(screenshots, "round-new-errors")

    # Fixed; a code typed twice is the server's to find: its message lands in the skills group.
    typed(page, "5")
    page.locator("#policy-commute_cost_per_km").fill("1.5")
    page.locator("#policy-lend_radius_km").fill("8")
    page.locator("#other-skills").fill("glazing")
    page.locator("#create-round").click()
    expect_text(page.locator("#skills > .field-error"), "代码重复：glazing")
    assert page.locator(".field-error:visible").count() == 1
    page.locator("#other-skills").fill("")
    page.locator("input[name=skill][value=packing]").focus()
    page.keyboard.press("Space")  # unticked
    page.locator("#create-round").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/rounds/\d+$"))
    round_id = int(page.url.rsplit("/", 1)[1])
    expect_text(page.locator("#flash"), "已开启计划轮次")
    expect_text(page.locator("#reports-summary"), "已填报 0 / 5 家")
    expect_text(page.locator("#round-title"), "十二月第二周")
    with world.client("coord") as api:
        created = ok(api.get(f"/rounds/{round_id}"))
    assert created["horizon_days"] == 5 and created["status"] == "open"
    assert created["skills"] == ["glazing", "firing"] and created["machines"] == ["kiln"]
    assert created["policy"] == {"lend_radius_km": 8, "subcontract_radius_km": 30, "commute_cost_per_km": 1.5,
                                 "transport_cost_per_unit_km": 0, "link_cost": 0, "transport_days": 1,
                                 "max_subcontractors_per_order": 3, "workday_minutes": 480,
                                 "reliability_floor": 0, "reliability_discount": 0}

    # Close reporting from the board: a second, explicit step; then the round is closed and read-only.
    page.locator("#close-round").click()
    expect_text(page.locator("#close-question"), "还有 5 家企业未填报")
    assert page.evaluate("document.activeElement.id") == "close-round-yes"
    page.locator("#close-round-no").click()
    assert page.locator("#close-confirm").is_hidden()
    page.locator("#close-round").click()
    page.locator("#close-round-yes").click()
    expect_text(page.locator("#flash"), "已关闭填报")
    expect_text(page.locator("#round-meta"), "已关闭")
    assert page.locator("#close-box").is_hidden() and page.locator("#closed-note").is_visible()
    assert page.locator("#reports a").count() == 0
    with world.client("coord") as api:
        assert ok(api.get(f"/rounds/{round_id}"))["status"] == "closed"
    coord.shot(screenshots, "round-closed")

    phone = sessions.sign_in("coord", viewport=PHONE)
    phone.goto("/rounds/new")
    phone.page.wait_for_selector("#round-form:not([hidden])")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.page.eval_on_selector("#policy-h", "el => el.scrollIntoView({block: 'start'})")
    phone.shot(screenshots, "round-new-phone", full_page=False)
