"""Browser: the alliance's default rules reach the round form with their sources; a report changed after a
proposal shows the outdated-data warning on the proposal and the board, with the one-click re-plan."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.web.conftest import PHONE, Sessions, expect_text
from tests.web.world import REPORTS, World, ok

pytestmark = pytest.mark.browser


def test_alliance_default_rules_fill_the_round_form(world: World, sessions: Sessions, screenshots: Path) -> None:
    coord = sessions.sign_in("coord")
    page = coord.page
    page.locator("#alliance-policy").click()
    page.wait_for_url("**/alliance/policy")
    page.wait_for_selector("#policy-form:not([hidden])")
    expect_text(page.locator("#policy-lend_radius_km-source"), "模型默认 10")
    page.locator("#policy-lend_radius_km").fill("2.5")
    expect_text(page.locator("#policy-lend_radius_km-source"), "联盟默认")
    page.locator("#save-policy").click()
    expect_text(page.locator("#flash"), "联盟默认规则已保存")
    coord.shot(screenshots, "alliance-policy")
    with world.client("coord") as api:
        assert ok(api.get(f"/alliances/{world.alliance}/policy"))["set"] == {"lend_radius_km": 2.5}

    coord.goto("/rounds/new")
    page.wait_for_selector("#round-form:not([hidden])")
    assert page.locator("#policy-lend_radius_km").input_value() == "2.5"
    expect_text(page.locator("#policy-lend_radius_km-source"), "来自：联盟默认")
    expect_text(page.locator("#policy-subcontract_radius_km-source"), "来自：模型默认")
    page.locator("#policy-subcontract_radius_km").fill("6")
    expect_text(page.locator("#policy-subcontract_radius_km-source"), r"本轮设定（原为 30，来自：模型默认）")
    page.locator("#reset-policy").click()
    assert page.locator("#policy-subcontract_radius_km").input_value() == "30"
    coord.shot(screenshots, "round-new-policy-sources")


def test_a_report_after_the_proposal_shows_the_outdated_warning(world: World, sessions: Sessions,
                                                                screenshots: Path) -> None:
    with world.client("coord") as api:
        job = ok(api.post(f"/rounds/{world.round}/jobs", json={"time_limit_s": 5}), 202)
        deadline = time.monotonic() + 60
        while ok(api.get(f"/jobs/{job['id']}"))["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        proposal = ok(api.post(f"/jobs/{job['id']}/proposals"), 201)
        items = ok(api.get(f"/proposals/{proposal['id']}/items"))
    assert items, "the test park's plan has items"
    # A firm with items corrects its report after the proposal was made.
    code = next(c for c, i in world.firms.items() if c in REPORTS and any(
        i in (it["first_party"]["id"], it["second_party"]["id"]) for it in items))
    with world.client(f"clerk-{code.lower()}") as clerk:
        ok(clerk.put(f"/rounds/{world.round}/reports/{world.firms[code]}", json=REPORTS[code]), 201)

    coord = sessions.sign_in("coord")
    page = coord.page
    coord.goto(f"/proposals/{proposal['id']}")
    warning = page.locator("#outdated-warning")
    expect_text(warning, "本方案基于过期填报")
    expect_text(warning, code)
    assert page.locator("tr[data-outdated='1']").count() >= 1
    coord.shot(screenshots, "proposal-outdated")

    coord.goto(f"/rounds/{world.round}")
    expect_text(page.locator(f"[data-outdated='{proposal['id']}']"), f"基于过期填报（{code} 已更新）")

    # On a phone too, then the one click: a new job on the latest reports.
    phone = sessions.sign_in("coord", viewport=PHONE)
    phone.goto(f"/proposals/{proposal['id']}")
    expect_text(phone.page.locator("#outdated-warning"), "本方案基于过期填报")
    assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.bring_to_front()
    coord.goto(f"/proposals/{proposal['id']}")
    page.locator("#refresh-plan").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    with world.client("coord") as api:
        fresh = ok(api.get(f"/jobs/{int(page.url.rsplit('/', 1)[1])}"))
    assert fresh["replan"]["from_proposal"] == proposal["id"]


def _plan_and_submit(world: World) -> dict:
    with world.client("coord") as api:
        job = ok(api.post(f"/rounds/{world.round}/jobs", json={"time_limit_s": 5}), 202)
        deadline = time.monotonic() + 60
        while ok(api.get(f"/jobs/{job['id']}"))["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        proposal = ok(api.post(f"/jobs/{job['id']}/proposals"), 201)
        result: dict = ok(api.post(f"/proposals/{proposal['id']}/submit"))
        return result


def test_the_guide_decides_beside_the_key_figures_and_firms_see_a_new_version_coming(
        world: World, sessions: Sessions, screenshots: Path) -> None:
    proposal = _plan_and_submit(world)
    guide = sessions.sign_in("guide")
    page = guide.page
    guide.goto(f"/proposals/{proposal['id']}")
    page.wait_for_selector("#decision #review-form")
    figures, form = page.locator("#key-figures").bounding_box(), page.locator("#review-form").bounding_box()
    table = page.locator("#proposal-items").bounding_box()
    assert figures and form and table
    # Side by side on a desktop, both above the item table.
    assert abs(figures["y"] - form["y"]) < 5 and figures["x"] < form["x"]
    assert form["y"] < table["y"]
    expect_text(page.locator("#key-figures"), "联盟净收益")
    guide.shot(screenshots, "proposal-decision-beside-figures", full_page=False)
    page.locator("#approve").click()
    expect_text(page.locator("#flash"), "批准")

    with world.client("coord") as api:
        items = ok(api.get(f"/proposals/{proposal['id']}/items"))
        item = items[0]
        code = item["first_party"]["code"]
        with world.client(f"clerk-{code.lower()}") as clerk:
            ok(clerk.post(f"/items/{item['id']}/respond", json={"answer": "decline", "reason": "窑炉检修"}))
    # Until the coordinator acts, the firm may change its answer from its item list.
    firm = sessions.sign_in(f"clerk-{code.lower()}")
    firm.goto("/items")
    card = firm.page.locator(f"article[data-item='{item['id']}']")
    card.locator("details.change-answer summary").click()
    card.locator("details.change-answer button[value=confirm]").click()
    expect_text(firm.page.locator("#flash"), "确认")
    with world.client("coord") as api:
        assert ok(api.get(f"/items/{item['id']}"))["status"] == "pending"
        ok(api.post(f"/proposals/{proposal['id']}/replan", json={"time_limit_s": 5}), 202)
    firm.goto("/items")
    expect_text(card.locator(".coming-note"), "新版本即将生成")
    assert card.locator("details.change-answer").count() == 0  # the coordinator acted: answers are final
    firm.shot(screenshots, "items-new-version-coming")
