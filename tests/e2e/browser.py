"""Headless Chromium for the page tests: Debian's ``chromium`` driven by Playwright.

``playwright install`` cannot download browsers here, so the system package is used, installed
by ``scripts/install_browser.sh`` together with a CJK font (without one, Chinese renders as
boxes and a screenshot proves nothing).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, Route

from cunfa.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
INSTALL_SCRIPT = PROJECT_ROOT / "scripts" / "install_browser.sh"


def ensure_chromium() -> None:
    """Install chromium and a CJK font when missing (the script is a no-op when both are there)."""
    result = subprocess.run(["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=900)
    if result.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(
            f"headless Chromium is not available: {INSTALL_SCRIPT} exited {result.returncode}\n{result.stderr[-3000:]}",
            pytrace=False,
        )


@dataclass
class Watch:
    """What a page did that nobody would see on screen: script errors, CSP refusals, off-site requests."""

    origin: str
    problems: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        # "Failed to load resource" is how Chromium logs every 4xx answer, expected ones included;
        # broken static files are caught in on_response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def on_response(self, response: Response) -> None:
        if urlsplit(response.url).path.startswith("/static/") and response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def guard(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.origin) or url.startswith("data:"):
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort()

    def assert_clean(self) -> None:
        assert self.offsite == [], f"pages must not reach off-site: {self.offsite}"
        assert self.problems == [], "\n".join(self.problems)


def open_page(browser: Browser, base_url: str, *, width: int, height: int) -> tuple[Page, Watch]:
    """A page in a fresh context (its own sessionStorage) that records anything going wrong."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    watch = Watch(origin)
    # Reduced motion: the pages then scroll without animation, so screenshots show where they settle.
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        reduced_motion="reduce",
    )
    context.set_default_timeout(60_000)
    context.route("**/*", watch.guard)
    page = context.new_page()
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.problems.append(f"page error: {error}"))
    page.on("response", watch.on_response)
    return page, watch


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/ and check it is a real picture, not a blank."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 20_000, f"{path} is suspiciously small ({path.stat().st_size} bytes)"
    return path
