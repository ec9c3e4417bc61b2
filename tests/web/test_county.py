"""The county pages in a real browser: a park coordinator escalates with the button, a firm withdraws its offer,
the county coordinator sees what it received (Chinese first; one English check).  The service is live; the parks'
own plans are made through the API beforehand (tests/web/test_flow.py covers those pages)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api, ok
from tests.api.county.conftest import County, approve_plan, build_county
from tests.web.conftest import PHONE, Sessions, expect_text
from tests.web.world import live_server

pytestmark = pytest.mark.browser


@dataclass
class CountyWorld:
    base_url: str
    county: County


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[CountyWorld]:
    with live_server(tmp_path_factory.mktemp("county") / "web.db") as base_url, \
            httpx.Client(base_url=base_url, timeout=30) as client:
        county = build_county(Api(client))  # type: ignore[arg-type]
        approve_plan(county.api, "pa-coord", "pa-guide", county.rounds["pa"])
        approve_plan(county.api, "pb-coord", "pb-guide", county.rounds["pb"])
        yield CountyWorld(base_url, county)


def _sign_in(sessions: Sessions, username: str, **kw: Any) -> Any:
    return sessions.sign_in(username, secret=f"{username}-pass", **kw)


def test_a_park_coordinator_escalates_with_the_button(sessions: Sessions, world: CountyWorld) -> None:
    c = world.county
    session = _sign_in(sessions, "pa-coord")
    page = session.page
    page.get_by_role("link", name="县级联盟").click()
    page.wait_for_selector("#county:not([aria-busy])")
    page.get_by_role("link", name="甲园区 · 测试轮次").click()
    page.wait_for_selector("#leftovers")
    expect_text(page.locator("#leftovers"), r"订单 o1 未满足部分")
    expect_text(page.locator("#leftovers"), r"未满足 12 件（原订 60 件，园区方案已安排 48 件）")
    expect_text(page.locator("#leftovers"), r"园区方案给出的原因：")
    assert page.locator("#to-round option").all_text_contents() == ["测试县级联盟 · 县级轮次（12/08 至 12/10）"]
    page.get_by_role("button", name="提交上级").click()
    expect_text(page.locator("#flash"), "已提交上级")
    section = page.locator("section[id^=escalation-]")
    expect_text(section, r"已提交：测试县级联盟")
    expect_text(section, r"已上报")
    assert page.locator("#escalate").count() == 0  # once per county round
    [esc] = ok(c.api.as_("pa-coord").get(f"/api/v1/county/rounds/{c.rounds['pa']}/escalations"))
    assert [e["kind"] for e in esc["entries"]] == ["order"]
    # The county coordinator finds it among what the county round received.
    county = _sign_in(sessions, "ccoord")
    county.goto(f"/county?round={c.rounds['county']}")
    expect_text(county.page.locator("#received"), r"来自 甲园区 · 测试轮次")
    expect_text(county.page.locator("#received"), r"瓷厂 A")


def test_a_firm_withdraws_its_offer(sessions: Sessions, world: CountyWorld) -> None:
    c = world.county
    ok(c.api.as_("pb-coord").post(f"/api/v1/county/rounds/{c.rounds['pb']}/escalations",
                                  json={"to_round_id": c.rounds["county"]}), 201)
    session = _sign_in(sessions, "clerk-d", viewport=PHONE)
    page = session.page
    page.get_by_role("link", name="提交上级").click()
    page.wait_for_selector("#county_offers:not([aria-busy])")
    card = page.locator("article.entry")
    assert card.count() == 1  # D's own capacity only, never C's
    expect_text(card, r"成型|forming")
    expect_text(card, r"闲置 3 人·天，其中可出借 3 人·天")
    card.get_by_role("button", name="撤回").click()
    expect_text(page.locator("#flash"), "已撤回")
    expect_text(page.locator("article.entry"), r"已撤回")
    assert page.get_by_role("button", name="撤回").count() == 0
    offers = ok(c.api.as_("clerk-d").get("/api/v1/county/me/offers"))
    assert offers[0]["withdrawn_at"] and not offers[0]["withdrawable"]
    # The park coordinator sees who withdrew; in English too.
    coord = _sign_in(sessions, "pb-coord")
    coord.goto(f"/county?round={c.rounds['pb']}&lang=en")
    withdrawn = coord.page.locator("article.entry-withdrawn")
    expect_text(withdrawn, r"D .*Unused capacity.*withdrawn")
    assert coord.page.locator("article.entry-offered").count() == 1


def test_the_park_coordinator_retracts_the_escalation(sessions: Sessions, world: CountyWorld) -> None:
    c = world.county
    session = _sign_in(sessions, "pb-coord")
    page = session.page
    session.goto(f"/county?round={c.rounds['pb']}")
    form = page.locator("form.retract-form")
    form.get_by_role("button", name="撤回整份上报").click()
    expect_text(form.locator(".form-error"), r"1 处需要修改")  # the reason is required, marked at the field
    assert form.locator("textarea[name=reason]").get_attribute("aria-invalid") == "true"
    form.get_by_label("撤回原因（县级协调员可见）").fill("园区内已另行安排")
    form.get_by_role("button", name="撤回整份上报").click()
    expect_text(page.locator("#flash"), "已撤回上报")
    page.wait_for_selector("form.retract-form", state="detached")  # the page reloaded: nothing left to retract
    assert page.locator("article.entry-offered").count() == 0
    assert page.locator("section[id^=escalation-] article.entry-withdrawn").count() == 2  # C now, D before
    told = ok(c.api.as_("ccoord").get("/api/v1/me/inbox"))["messages"]
    assert any(m["kind"] == "escalation.retracted" and "园区内已另行安排" in m["text_zh"] for m in told)


def test_the_admin_builds_the_tree_and_a_cycle_is_refused(sessions: Sessions, world: CountyWorld) -> None:
    c = world.county
    session = sessions.sign_in("root")
    page = session.page
    page.get_by_role("link", name="联盟层级").click()
    page.wait_for_selector("#county_tree:not([aria-busy])")
    county_row = page.locator(f"tr[data-alliance='{c.alliances['county']}']")
    park_row = page.locator(f"tr[data-alliance='{c.alliances['pa']}']")
    assert county_row.locator("td.num").inner_text() == "1" and park_row.locator("td.num").inner_text() == "2"
    assert park_row.locator("select").input_value() == str(c.alliances["county"])
    # The county under its own park: refused, and said next to the field.
    county_row.locator("select").select_option(str(c.alliances["pa"]))
    county_row.get_by_role("button", name="保存").click()
    expect_text(county_row.locator(".form-error"), r"有 1 处需要修改")
    expect_text(county_row, r"会成环")
    assert county_row.locator("select").get_attribute("aria-invalid") == "true"
    assert ok(c.api.as_("root").get(f"/api/v1/alliances/{c.alliances['county']}"))["parent_id"] is None
