"""Execution and settlement in Chromium: the clerk records on a phone, the other side confirms or disputes,
the coordinator decides the dispute in writing and closes the settlement, whose figures match a hand
computation.  The plan is made and confirmed through the API (test_flow.py covers those pages)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PHONE, Sessions, expect_text
from tests.web.world import FIRING_ORDER, GLAZING_ORDER, KILN_HOURS, World, ok

pytestmark = pytest.mark.browser

STATE: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def confirmed(world: World) -> None:
    """A reports both orders; the plan (A borrows firers, B glazes for A) is approved and confirmed by all."""
    with world.client("clerk-a") as clerk:
        ok(clerk.put(f"/rounds/{world.round}/reports/{world.firms['A']}", json={
            "orders": [GLAZING_ORDER, FIRING_ORDER], "spare_machine_hours": {"kiln": KILN_HOURS}}), 201)
    with world.client("coord") as coord, world.client("guide") as guide:
        job = ok(coord.post(f"/rounds/{world.round}/jobs", json={"time_limit_s": 5}), 202)
        for _ in range(600):
            job = ok(coord.get(f"/jobs/{job['id']}"))
            if job["status"] in ("succeeded", "failed"):
                break
            __import__("time").sleep(0.1)
        assert job["status"] == "succeeded", job
        proposal = ok(coord.post(f"/jobs/{job['id']}/proposals"), 201)
        ok(coord.post(f"/proposals/{proposal['id']}/submit"))
        ok(guide.post(f"/proposals/{proposal['id']}/review", json={"decision": "approve"}))
        items = ok(coord.get(f"/proposals/{proposal['id']}/items"))
    codes = {v: k for k, v in world.firms.items()}
    for item in items:
        for party in (item["first_party"]["id"], item["second_party"]["id"]):
            with world.client(f"clerk-{codes[party].lower()}") as c:
                ok(c.post(f"/items/{item['id']}/respond", json={"answer": "confirm"}))
    STATE["loan"] = next(i for i in items if i["kind"] == "loan")
    STATE["sub"] = next(i for i in items if i["kind"] == "subcontract")
    STATE["codes"] = codes


def test_1_borrower_records_on_a_phone_short_by_a_day(world: World, sessions: Sessions) -> None:
    loan = STATE["loan"]
    page = sessions.sign_in("clerk-a", viewport=PHONE).page
    page.get_by_role("link", name="执行记录").first.click()
    page.wait_for_url("**/execution")
    card = page.locator(f'article[data-item="{loan["id"]}"]')
    expect_text(card, "执行中")
    rows = sorted(loan["rows"], key=lambda r: r["day"])
    for row in rows:
        workers = row["workers"] - 1 if row is rows[-1] else row["workers"]
        form = card.locator("form.record-form")
        form.locator("select[name=day]").select_option(str(row["day"]))
        form.locator("input[name=workers]").fill(str(workers))
        form.get_by_role("button", name="保存记录").click()
        expect_text(page.locator("#flash"), "已记录")
        card = page.locator(f'article[data-item="{loan["id"]}"]')
        # Locator assertions poll from outside the page: wait_for_function would eval a string, which the
        # pages' Content-Security-Policy (no 'unsafe-eval') refuses.
        expect(card.locator("li.record")).to_have_count(rows.index(row) + 1)
    # An empty figure is caught in the page, named at its field.
    card.locator("form.record-form input[name=workers]").fill("")
    card.locator("form.record-form").get_by_role("button", name="保存记录").click()
    expect_text(card.locator("form.record-form"), "必填")
    assert card.locator("li.record").count() == len(rows)
    expect_text(card, "差额-1")


def test_2_lender_confirms_each_day(world: World, sessions: Sessions) -> None:
    loan = STATE["loan"]
    lender = STATE["codes"][loan["first_party"]["id"]]
    page = sessions.sign_in(f"clerk-{lender.lower()}").page
    page.goto(page.url.replace("/home", "/execution"))
    card = page.locator(f'article[data-item="{loan["id"]}"]')
    selector = f'article[data-item="{loan["id"]}"] form.answer-form'
    page.wait_for_selector(selector)
    for left in range(len(loan["rows"]) - 1, -1, -1):
        card.locator("form.answer-form").first.get_by_role("button", name="确认").click()
        # The page reloads the items after each answer: wait for one form fewer before the next click.
        expect(page.locator(selector)).to_have_count(left)
    expect_text(card, "已确认")
    assert card.locator("form.answer-form").count() == 0


def test_3_owner_records_rejected_units_maker_disputes(world: World, sessions: Sessions) -> None:
    sub = STATE["sub"]
    units, due = sub["terms"]["units"], sub["terms"]["due_day"]
    page = sessions.sign_in("clerk-a", viewport=PHONE).page
    page.goto(page.url.replace("/home", "/execution"))
    form = page.locator(f'article[data-item="{sub["id"]}"] form.record-form')
    form.locator("select[name=day]").select_option(str(due))
    form.locator("input[name=delivered]").fill(str(units))
    form.locator("input[name=accepted]").fill(str(units - 20))
    form.locator("input[name=note]").fill("20 件釉面缩釉")
    form.get_by_role("button", name="保存记录").click()
    expect_text(page.locator("#flash"), "已记录")

    maker = STATE["codes"][sub["second_party"]["id"]]
    other = sessions.sign_in(f"clerk-{maker.lower()}").page
    other.goto(other.url.replace("/home", "/execution"))
    answer = other.locator(f'article[data-item="{sub["id"]}"] form.answer-form')
    answer.get_by_role("button", name="提出异议").click()
    expect_text(answer, "提出异议须说明原因")
    answer.locator("textarea[name=reason]").fill("只有 5 件缩釉 / only 5 faulty")
    answer.locator("input[name=delivered]").fill(str(units))
    answer.locator("input[name=accepted]").fill(str(units - 5))
    answer.get_by_role("button", name="提出异议").click()
    expect_text(other.locator(f'article[data-item="{sub["id"]}"]'), "有争议")


def test_4_coordinator_decides_then_closes_the_settlement(world: World, sessions: Sessions) -> None:
    loan, sub = STATE["loan"], STATE["sub"]
    units = sub["terms"]["units"]
    page = sessions.sign_in("coord").page
    page.goto(page.url.replace("/home", f"/execution?round={world.round}"))
    resolve = page.locator(f'article[data-item="{sub["id"]}"] form.resolve-form')
    resolve.locator("textarea[name=decision]").fill("复检：10 件不合格 / re-inspected: 10 rejected")
    resolve.locator("input[name=delivered]").fill(str(units))
    resolve.locator("input[name=accepted]").fill(str(units - 10))
    resolve.get_by_role("button", name="裁定").click()
    expect_text(page.locator("#flash"), "已裁定")
    for item in (loan, sub):
        page.locator(f'article[data-item="{item["id"]}"] button.finish').click()
        expect(page.locator(f'article[data-item="{item["id"]}"] button.finish')).to_have_count(0)
    expect_text(page.locator(f'article[data-item="{loan["id"]}"]'), "未足额")

    # By hand: the loan 200 yuan a worker-day plus 1.5 yuan/km commute; the glazing 8 yuan per accepted unit
    # plus 0.005 yuan per unit-km for every unit delivered.
    wd = loan["terms"]["worker_days"] - 1
    loan_amount = 200 * wd + 1.5 * loan["terms"]["distance_km"] * wd
    sub_amount = 8 * (units - 10) + 0.005 * sub["terms"]["distance_km"] * units
    page.get_by_role("link", name="结算").first.click()
    page.wait_for_selector("#settlement:not([aria-busy])")
    row_a = page.locator(f'table.firms tr[data-enterprise="{world.firms["A"]}"]')
    expect_text(row_a, f"{round(loan_amount + sub_amount, 2):,.2f}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#close-settlement").click()
    expect_text(page.locator("#settlement-status"), "已关账")
    with world.client("coord") as coord:
        lines = {ln["key"]: ln for ln in ok(coord.get(f"/rounds/{world.round}/settlement"))["lines"]}
    assert lines[loan["key"]]["amount"] == pytest.approx(round(loan_amount, 2))
    assert lines[sub["key"]]["amount"] == pytest.approx(round(sub_amount, 2))


def test_5_ratings_and_reliability(world: World, sessions: Sessions) -> None:
    sub = STATE["sub"]
    maker = STATE["codes"][sub["second_party"]["id"]]
    page = sessions.sign_in("clerk-a", viewport=PHONE).page
    page.goto(page.url.replace("/home", "/execution"))
    form = page.locator(f'article[data-item="{sub["id"]}"] form.rating-form')
    form.locator("select[name=quality]").select_option("2")
    form.locator("select[name=on_time]").select_option("3")
    form.locator("textarea[name=comment]").fill("缩釉较多 / many glaze faults")
    form.get_by_role("button", name="提交评议").click()
    expect_text(page.locator("#flash"), "已提交评议")
    expect_text(page.locator(f'article[data-item="{sub["id"]}"] section.ratings'), "质量 2")
    assert page.locator(f'article[data-item="{sub["id"]}"] form.rating-form').count() == 0
    # The clerk sees its own reliability row only.
    page.wait_for_selector("#reliability")
    assert page.locator("#reliability tbody tr").count() == 1

    coord = sessions.sign_in("coord").page
    coord.goto(coord.url.replace("/home", f"/execution?round={world.round}"))
    coord.wait_for_selector("#reliability")
    with world.client("coord") as c:
        figures = {r["enterprise_id"]: r for r in ok(c.get(f"/alliances/{world.alliance}/reliability"))}
    row = coord.locator(f'#reliability tr[data-enterprise="{world.firms[maker]}"]')
    expect_text(row, f"{figures[world.firms[maker]]['reliability'] * 100:.1f}%")
    # The lender that sent a worker short is below a firm without history (the neutral prior).
    lender = STATE["codes"][STATE["loan"]["first_party"]["id"]]
    assert figures[world.firms[lender]]["reliability"] < figures[world.firms["E"]]["reliability"]
    assert figures[world.firms[maker]]["average_rating"] == pytest.approx((3 + 2 + 5) / 3, abs=1e-3)


def test_6_notice_drafted_approved_objected_answered(world: World, sessions: Sessions) -> None:
    coord = sessions.sign_in("coord").page
    coord.get_by_role("link", name="公示").first.click()
    coord.wait_for_url("**/notice")
    coord.wait_for_selector("#notice:not([aria-busy])")
    draft = coord.locator("form.draft-form")
    draft.get_by_role("button", name="保存草稿").click()
    expect_text(draft, "必填")
    draft.locator("textarea[name=text]").fill("十二月第一周联盟互助结果公示。")
    draft.get_by_role("button", name="保存草稿").click()
    expect_text(coord.locator("#flash"), "已保存公示草稿")
    expect_text(coord.locator("#notice-body"), "帮工人·天")
    coord.locator("#submit-notice").click()
    expect_text(coord.locator("#notice-status"), "待审核")

    guide = sessions.sign_in("guide").page
    guide.goto(guide.url.replace("/home", f"/notice?round={world.round}"))
    guide.locator("form.review-form").get_by_role("button", name="批准并发布").click()
    expect_text(guide.locator("#notice-status"), "已公示")

    member = sessions.sign_in("clerk-e", viewport=PHONE).page
    member.goto(member.url.replace("/home", "/notice"))
    objection = member.locator("form.objection-form")
    objection.locator("textarea[name=text]").fill("我厂包装工人闲置，为何未安排？")
    objection.get_by_role("button", name="提出异议").click()
    expect_text(member.locator("#objections"), "待协调员答复")

    coord.reload()
    answer = coord.locator("form.answer-form")
    answer.locator("textarea[name=answer]").fill("本轮订单无包装工序。")
    answer.get_by_role("button", name="提交答复").click()
    expect_text(coord.locator("#objections"), "本轮订单无包装工序")
    with world.client("clerk-e") as c:
        notice = ok(c.get(f"/rounds/{world.round}/notice"))
    assert notice["objections"][0]["answer"] == "本轮订单无包装工序。"
    with world.client("coord") as c:
        loans = [x for x in ok(c.get(f"/rounds/{world.round}/execution")) if x["kind"] == "loan"]
    assert notice["figures"]["worker_days_lent"] == sum(x["actual"] for x in loans)


def test_7_outcome_charts_served_by_the_app(world: World, sessions: Sessions) -> None:
    session = sessions.sign_in("coord")
    page = session.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.get_by_role("link", name="成效").first.click()
    page.wait_for_url("**/outcomes")
    page.wait_for_selector("#outcomes:not([aria-busy])")
    assert page.evaluate("typeof window.Chart") == "function"
    chart_drawn = "window.Chart.getChart(document.getElementById('chart-months')) !== undefined"
    for _ in range(100):
        if page.evaluate(chart_drawn):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(chart_drawn), "the monthly chart was never drawn"
    # Every request stays on this service: the charting library is vendored, no CDN.
    assert all(u.startswith(world.base_url) or u.startswith("blob:") or u.startswith("data:") for u in requests)
    with world.client("coord") as c:
        data = ok(c.get(f"/alliances/{world.alliance}/outcomes"))
    first = next(r for r in data["rounds"] if r["round_id"] == world.round)
    wd = first["worker_days_employed"]
    expect_text(page.locator(f'table.rounds tr[data-period="{first["period"]}"] td[data-key="worker_days_employed"]'),
                f"{wd:.1f}")
    loan, sub = STATE["loan"], STATE["sub"]
    # By hand from the records: 3 lent worker-days + (720 - 10) accepted units of 4 minutes in 480-minute days.
    assert wd == pytest.approx(loan["terms"]["worker_days"] - 1 + (sub["terms"]["units"] - 10) * 4 / 480, abs=1e-3)


def test_8_unread_count_on_the_home_page(world: World, sessions: Sessions) -> None:
    page = sessions.sign_in("clerk-e").page  # notified of the published notice and of the answer to its objection
    with world.client("clerk-e") as c:
        unread = ok(c.get("/me/inbox"))["unread"]
    assert unread >= 2
    expect_text(page.locator("#inbox-count"), f"^{unread}$")
    page.locator("#inbox-link").click()
    page.wait_for_url("**/inbox")
    expect_text(page.locator("#inbox"), "结果公示已发布")
    page.locator("#read-all").click()
    expect_text(page.locator("#unread"), "未读 0 条")
    expect_text(page.locator("#inbox-count"), "^0$")


def test_9_with_a_floor_the_next_plan_places_nothing_with_the_unreliable_firm(world: World,
                                                                                sessions: Sessions) -> None:
    """The lender that sent a worker short falls under a floor the coordinator sets in the round form.  In the
    next round A's firing may be sub-contracted and nobody lends firers: the nearest kiln is at that lender, yet the
    plan sends the order to the other firing firm."""
    lender = STATE["codes"][STATE["loan"]["first_party"]["id"]]
    other = "D" if lender == "C" else "C"
    with world.client("coord") as c:
        rel = {r["enterprise_id"]: r["reliability"] for r in ok(c.get(f"/alliances/{world.alliance}/reliability"))}
    by_code = {code: rel[i] for code, i in world.firms.items()}
    unreliable = by_code[lender]
    assert unreliable < min(v for code, v in by_code.items() if code != lender), by_code
    floor = round((unreliable + min(v for code, v in by_code.items() if code != lender)) / 2, 3)

    coord = sessions.sign_in("coord")
    page = coord.page
    page.locator("#new-round").click()
    page.wait_for_url("**/rounds/new")
    page.wait_for_selector("#round-form:not([hidden])")
    page.locator("#round-name").fill("十二月第二周 / second week of December")
    expect_text(page.locator("#policy-reliability_floor-hint"), "可靠度低于此值")
    page.locator("#policy-reliability_floor").fill(str(floor))
    page.locator("#create-round").click()
    page.wait_for_url(re.compile(r"/rounds/\d+$"))
    second = int(page.url.rsplit("/", 1)[1])
    with world.client("coord") as c:
        assert ok(c.get(f"/rounds/{second}"))["policy"]["reliability_floor"] == floor
    firing = {**FIRING_ORDER, "id": "f2", "subcontractable": True}
    kilns = {"idle_workers": {"firing": 2}, "lendable_workers": {"firing": 0}, "spare_machine_hours": {"kiln": 6}}
    for code, report in {"A": {"orders": [firing]}, "C": kilns, "D": kilns}.items():
        with world.client(f"clerk-{code.lower()}") as clerk:
            ok(clerk.put(f"/rounds/{second}/reports/{world.firms[code]}", json=report), 201)

    page.reload()
    page.locator("#time-limit").fill("5")
    page.locator("#request-plan").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    job = int(page.url.rsplit("/", 1)[1])
    expect_text(page.locator("#job-status"), "已完成")
    page.locator("#view-plan").click()
    page.wait_for_url(f"**/jobs/{job}/plan")
    page.wait_for_selector("svg.flow-map")
    assert page.locator(f"svg.flow-map g.flow[data-to={lender}]").count() == 0
    assert page.locator(f"svg.flow-map g.flow[data-kind=subcontract][data-from=A][data-to={other}]").count() == 1
    expect_text(page.locator("#unmet-h"), r"（0）")
    with world.client("coord") as c:
        plan = ok(c.get(f"/jobs/{job}/plan"))
        snapshot = ok(c.get(f"/jobs/{job}/snapshot"))
    assert {e["id"]: e["reliability"] for e in snapshot["enterprises"]}[lender] < floor
    assert lender not in {r["site"] for r in plan["production"]} | {ln["to"] for ln in plan["loans"]}
    assert plan["report"]["checks"]["ok"]
