"""Every page, as a person reads it: no English code inside Chinese text, no sideways page scroll.

Run on a round with a plan, a proposal approved by the guide and an agreement, at the desktop (1366×800)
and phone (390×844) widths of issue 11.  A page fails when ``document.documentElement.scrollWidth``
exceeds ``innerWidth`` (the page itself scrolls sideways; a table scrolling inside its own box is fine),
or when its visible Chinese text holds a skill, process or machine code, a status word or a role code.
"""

from __future__ import annotations

import re
import time
from typing import Any, cast

import pytest

from alliance.plan import Status
from tests.web.conftest import Sessions
from tests.web.world import ADMIN, ROUND, World, ok

pytestmark = pytest.mark.browser

DESKTOP: Any = {"width": 1366, "height": 800}
PHONE: Any = {"width": 390, "height": 844}

CODES = [*cast(list[str], ROUND["skills"]), *cast(list[str], ROUND["machines"]), *(s.value for s in Status),
         "admin", "coordinator", "enterprise", "guide", "pending", "confirmed", "declined", "approved", "draft",
         "submitted", "succeeded", "running", "queued"]
# Words that legitimately hold a code's letters: the language switch and the API-docs link.
ALLOWED = {"English"}


@pytest.fixture(scope="module")
def made(world: World) -> dict[str, int]:
    """A solved job, an approved proposal and one agreement (both firms confirmed), through the API."""
    with world.client("coord") as coord:
        job = ok(coord.post(f"/rounds/{world.round}/jobs", json={"time_limit_s": 5}), 202)["id"]
        for _ in range(120):
            if ok(coord.get(f"/jobs/{job}"))["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.5)
        proposal = ok(coord.post(f"/jobs/{job}/proposals"), 201)["id"]
        ok(coord.post(f"/proposals/{proposal}/submit"))
    with world.client("guide") as guide:
        ok(guide.post(f"/proposals/{proposal}/review", json={"decision": "approve"}))
    with world.client("coord") as coord:
        items = ok(coord.get(f"/proposals/{proposal}/items"))
    item = items[0]
    for party in (item["first_party"]["code"], item["second_party"]["code"]):
        with world.client(f"clerk-{party.lower()}") as clerk:
            ok(clerk.post(f"/items/{item['id']}/respond", json={"answer": "confirm"}))
    return {"job": job, "proposal": proposal, "item": item["id"],
            "clerk": item["first_party"]["code"].lower()}


def pages(world: World, made: dict[str, int]) -> list[tuple[str, str]]:
    """(account, path) of every page."""
    clerk = f"clerk-{made['clerk']}"
    return [
        ("coord", "/home"), ("coord", "/rounds/new"), ("coord", f"/rounds/{world.round}"),
        ("coord", f"/jobs/{made['job']}"), ("coord", f"/jobs/{made['job']}/plan"),
        ("coord", f"/proposals/{made['proposal']}"), ("guide", "/home"),
        (clerk, "/home"), (clerk, "/report"), (clerk, "/items"), (clerk, f"/agreements/{made['item']}"),
        (clerk, f"/proposals/{made['proposal']}"),
        (ADMIN[0], "/home"), (ADMIN[0], "/admin/catalogue"), ("coord", "/no/such/page"),
    ]


# The visible text of <main>, without what is marked as English (lang="en": the English half of a bilingual
# agreement, the codes an admin edits in the catalogue).
VISIBLE_CHINESE_TEXT = """() => {
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('[lang^="en"]') || !parent.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""


def visible_codes(text: str) -> list[str]:
    words = set(re.findall(r"[A-Za-z_]+", text)) - ALLOWED
    return sorted(w for w in words if w in CODES)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop-1366", "phone-390"])
def test_every_page_is_chinese_and_fits(world: World, made: dict[str, int], sessions: Sessions,
                                        viewport: Any) -> None:
    problems: list[str] = []
    signed_in: dict[str, Any] = {}
    for account, path in pages(world, made):
        if account not in signed_in:
            signed_in[account] = sessions.sign_in(account, viewport)
        session = signed_in[account]
        session.goto(path)
        page = session.page
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => !document.querySelector('[aria-busy=true]')", timeout=15_000)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"{path} ({account}): page is {width[0]} px wide in a {width[1]} px window")
        text = page.evaluate(VISIBLE_CHINESE_TEXT)
        codes = visible_codes(text)
        if codes:
            problems.append(f"{path} ({account}): English codes in the Chinese page: {', '.join(codes)}")
    assert not problems, "\n".join(problems)


def test_report_takes_full_width_digits_gives_one_message_per_bad_value_and_guards_edits(
        world: World, sessions: Sessions) -> None:
    clerk = sessions.sign_in("clerk-b", PHONE)
    page = clerk.page
    clerk.goto("/report")
    page.wait_for_selector("#cell-idle_workers_glazing_0")
    page.locator("#cell-idle_workers_glazing_0").fill("２")  # what a Chinese input method types
    page.locator("#cell-idle_workers_glazing_1").fill("-3")
    assert page.locator("#cell-idle_workers_glazing_0").input_value() == "2"
    page.locator("#check-report").click()
    summary = page.locator("#report-form > .form-error")
    summary.filter(has_text="处").wait_for()
    assert "1 处" in summary.inner_text()  # −3 is one mistake, not "应为整数" and "应不小于 0"
    lines = page.locator("#err-cell-idle_workers_glazing .field-error-line").all_inner_texts()
    assert lines == ["应不小于 0"], lines
    # Leaving with unsent edits asks first.
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.locator("#nav a[href='/home']").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and page.url.endswith("/report")


def test_the_round_board_sorts_by_a_column(world: World, sessions: Sessions) -> None:
    coord = sessions.sign_in("coord", DESKTOP)
    coord.goto(f"/rounds/{world.round}")
    page = coord.page
    page.wait_for_selector("#reports tbody tr")
    firms = lambda: page.eval_on_selector_all("#reports tbody tr", "trs => trs.map(tr => tr.dataset.firm)")  # noqa: E731
    header = page.locator("#reports th", has_text="企业").first
    header.get_by_role("button").click()
    ascending = firms()
    assert ascending == sorted(ascending) and header.get_attribute("aria-sort") == "ascending"
    header.get_by_role("button").click()
    assert firms() == ascending[::-1] and header.get_attribute("aria-sort") == "descending"
    # The action column keeps its words on one line at 1366 px (it was one character wide).
    link = page.locator("#reports td a").first
    box = link.bounding_box()
    assert box is not None and box["height"] < 30, box
