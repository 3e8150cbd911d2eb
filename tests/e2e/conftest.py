"""Browser tests: the demo's Home Assistants (not linked yet) and headless Chromium (Playwright)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import os
from pathlib import Path

from playwright.async_api import Page, Route, ViewportSize, async_playwright, expect
import pytest

from demo.stack import PROXY_PORT, Demo, preferred_port, running_demo

from ..testbed.remote_ha import OWNER
from ..testbed.sync import sockets_allowed

# Debian's chromium (script/setup installs it); Playwright cannot download its own browser here.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
# The README's pictures are rewritten only when asked (UPDATE_SCREENSHOTS=1); a plain test run
# leaves the tracked files alone and writes its screenshots to the temporary folder.
README_IMAGES = Path(__file__).parents[2] / "docs" / "images"
TIMEOUT_MS = 30_000  # for every wait: steps cross two Home Assistants and a proxy

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """Allow sockets to 127.0.0.1 (the demo's processes)."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Remote HA behind nginx (mTLS) and a local HA with this integration, not linked.

    The proxy listens on the demo's port when it is free, so the screenshots match the README.
    """
    directory = tmp_path_factory.mktemp("demo")
    with sockets_allowed():
        with running_demo(directory, proxy_port=preferred_port(PROXY_PORT)) as running:
            yield running


async def _loopback_only(route: Route) -> None:
    """Let the page reach 127.0.0.1 only (the frontend links to online help and brand images)."""
    if route.request.url.startswith("http://127.0.0.1:"):
        await route.continue_()
    else:
        await route.abort()


@pytest.fixture
async def page(demo: Demo) -> AsyncIterator[Page]:
    """A Chromium page logged in to the local Home Assistant as its owner."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run script/setup (it installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(
                base_url=demo.local.url, viewport=VIEWPORT, locale="en-US", color_scheme="light"
            )
            await context.route("**/*", _loopback_only)
            context.set_default_timeout(TIMEOUT_MS)
            page = await context.new_page()
            await page.goto("/")
            await page.get_by_role("textbox", name="Username").fill(OWNER["username"])
            await page.get_by_role("textbox", name="Password").fill(OWNER["password"])
            await page.get_by_role("checkbox", name="Keep me logged in").check()
            await page.get_by_role("button", name="Log in").click()
            await page.wait_for_url(lambda url: "/auth/" not in url)
            # The frontend trades the code for tokens after the redirect; navigating before
            # they are stored (a busy machine) would land on the login page again.
            await page.wait_for_function("() => localStorage.getItem('hassTokens') !== null")
            yield page
        finally:
            await browser.close()


async def screenshot(page: Page, name: str) -> None:
    """Save what the viewport shows as NAME.png (in docs/images with UPDATE_SCREENSHOTS=1)."""
    folder = README_IMAGES if os.environ.get("UPDATE_SCREENSHOTS") == "1" else _run_folder()
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=folder / f"{name}.png", animations="disabled")


def _run_folder() -> Path:
    return Path(os.environ.get("TMPDIR", "/tmp")) / "remote_mtls_screenshots"
