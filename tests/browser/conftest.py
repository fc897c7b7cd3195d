"""Browser tests: Debian's Chromium, headless, driven by Playwright through the gateway.

`make test` installs Chromium with apt (deploy/local/browser.sh); Playwright
is pointed at it with `executable_path`, so no browser is ever downloaded.
Every test walks a flow in a real page; `screens.check(page, name)` runs
axe-core over the page (no serious or critical violation may remain) and
saves its screenshot under test-artifacts/screenshots/, at the width the
test's page has; `screens.both_widths(...)` does both 1280 px and 390 px.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.browser.seed import Seed

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("PORTAL_TEST_ARTIFACTS", REPO / "test-artifacts"))
WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
# What axe-core must never find: serious or critical violations of WCAG 2.1 A/AA.
BLOCKING = {"serious", "critical"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def chromium_path() -> str:
    for candidate in (os.environ.get("PORTAL_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.exit("Chromium is missing: `make test` installs it (deploy/local/browser.sh)", returncode=3)


@pytest.fixture(scope="session")
def base_url(gateway_url: str) -> str:
    return gateway_url


@pytest.fixture
def seed(portal: httpx.Client) -> Iterator[Seed]:
    yield Seed(portal)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        yield launched
        await launched.close()


@pytest.fixture
async def new_page(browser: Browser, base_url: str):
    """`await new_page()` (1280 px) or `await new_page(narrow=True)` (390 px): a fresh browser
    profile each, so two users can be signed in side by side."""
    contexts: list[BrowserContext] = []

    async def open_page(narrow: bool = False) -> Page:
        context = await browser.new_context(base_url=base_url, viewport=NARROW if narrow else WIDE)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()


@pytest.fixture
async def page(new_page) -> Page:
    return await new_page()


class Screens:
    """Accessibility scans and screenshots of the pages a test reaches."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def check(self, page: Page, name: str) -> None:
        await page.wait_for_load_state("load")
        # A dialog still fading in would be judged on its half-faded colours.
        await page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
        await page.add_script_tag(path=str(AXE))
        result = await page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        blocking = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in BLOCKING
        ]
        width = page.viewport_size["width"] if page.viewport_size else 0
        self.folder.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(self.folder / f"{name}-{width}.png"), full_page=True)
        assert not blocking, f"{name} at {width}px ({page.url}):\n" + json.dumps(blocking, indent=1)

    async def both_widths(self, page: Page, name: str) -> None:
        """This page at 1280 px and at 390 px: both scanned, both kept."""
        original = page.viewport_size or WIDE
        await self.check(page, name)
        await page.set_viewport_size(NARROW if original["width"] != NARROW["width"] else WIDE)
        await self.check(page, name)
        await page.set_viewport_size(original)


@pytest.fixture(scope="session")
def screens() -> Screens:
    return Screens(ARTIFACTS / "screenshots")


async def sign_in(page: Page, email: str, password: str) -> None:
    await page.goto("/sign-in")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state("load")
