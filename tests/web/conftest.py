"""Fixtures of the browser tests: a live service on a free port, Debian's Chromium driven by Playwright.

Without ``/usr/bin/chromium`` (``apt-get install chromium``) or the ``playwright`` package the browser tests
are skipped with the reason; ``playwright install`` is never needed (and would fail offline).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.web.world import ADMIN, World, build_world, live_server, password

CHROMIUM = Path(os.environ.get("ALLIANCE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-results" / "screenshots"
DESKTOP: Any = {"width": 1280, "height": 900}
PHONE: Any = {"width": 375, "height": 812}

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None  # type: ignore[assignment]


def _browser_missing() -> str | None:
    if sync_playwright is None:
        return "playwright is not installed (pip install playwright)"
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[World]:
    """The service with the test alliance (see world.py); one per test module."""
    with live_server(tmp_path_factory.mktemp("web") / "web.db") as base_url:
        yield build_world(base_url)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@dataclass
class Session:
    """One signed-in browser tab, with the page errors it has seen (a test fails on any)."""

    context: BrowserContext
    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def shot(self, directory: Path, name: str, full_page: bool = True) -> Path:
        path = directory / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


class Sessions:
    def __init__(self, browser: Browser, world: World) -> None:
        self.browser, self.world = browser, world
        self.open: list[Session] = []

    def new(self, viewport: Any = DESKTOP, **context_args: Any) -> Session:
        context = self.browser.new_context(viewport=viewport, locale="zh-CN", **context_args)
        context.set_default_timeout(15_000)
        page = context.new_page()
        session = Session(context, page, self.world.base_url)
        page.on("pageerror", lambda exc: session.errors.append(f"page error: {exc}"))
        # Failed requests are logged by Chromium as console errors; the tests provoke 4xx on purpose, so only the
        # pages' own console.error calls count.
        page.on("console", lambda msg: session.errors.append(f"console: {msg.text}")
                if msg.type == "error" and "Failed to load resource" not in msg.text else None)
        self.open.append(session)
        return session

    def sign_in(self, username: str, viewport: Any = DESKTOP, secret: str | None = None) -> Session:
        """Sign in through the form, with the keyboard (type, Enter), and land on the home page."""
        session = self.new(viewport)
        session.goto("/login")
        page = session.page
        page.locator("#username").fill(username)
        page.locator("#password").fill(secret or (ADMIN[1] if username == ADMIN[0] else password(username)))
        page.locator("#password").press("Enter")
        page.wait_for_url("**/home")
        page.wait_for_selector("#home:not([aria-busy])")
        return session

    def close(self) -> list[str]:
        errors = [e for s in self.open for e in s.errors]
        for session in self.open:
            session.context.close()
        self.open.clear()
        return errors


@pytest.fixture
def sessions(browser: Browser, world: World) -> Iterator[Sessions]:
    opened = Sessions(browser, world)
    yield opened
    errors = opened.close()
    assert not errors, "the pages reported errors:\n" + "\n".join(errors)


def expect_text(locator: Any, pattern: str, timeout: float = 15.0) -> None:
    """Wait until the element's text matches (pages fill in asynchronously, and some reload themselves)."""
    deadline = time.monotonic() + timeout
    text = None
    while time.monotonic() < deadline:
        try:
            text = locator.text_content(timeout=1000)
        except PlaywrightTimeout:
            text = None
        if text is not None and re.search(pattern, text):
            return
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} never appeared; the text is {text!r}")
