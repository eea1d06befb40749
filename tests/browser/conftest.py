"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's
live_server.

Never `playwright install`: the browser is /usr/bin/chromium from Debian (scripts/test
installs it). Playwright's sync API runs an asyncio loop in the test thread, which makes
Django's async-safety check refuse ORM calls made by the test itself; the tests do use the
ORM (to build data and to act as another user), hence DJANGO_ALLOW_ASYNC_UNSAFE.

Screenshots for the user guide are written to docs/img/ only when POLLGUARD_SCREENSHOTS=1,
so an ordinary run (and CI) never dirties the tree.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "img"


def pytest_configure() -> None:
    # Test-only, as in tests/web/conftest.py: a fixed key (production refuses to run
    # without one) and a fast password hasher.
    from django.conf import settings

    settings.SECRET_KEY = "test-only-secret-key"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.POLLGUARD_COUNTERS_FILE = (
        Path(tempfile.mkdtemp(prefix="pollguard-counters-")) / "counters.sqlite3"
    )


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Debian chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium: Any) -> Iterator[Any]:
    """Factory of isolated browser contexts (separate cookies: separate users)."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1366, "height": 820})
        options.setdefault("locale", "ar-IQ")
        context = chromium.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    _wait_for_requests_in_flight()


def _wait_for_requests_in_flight(limit_s: float = 10.0) -> None:
    """Let the live server finish the requests the closed pages left running.

    Pages poll the live feed and refresh fragments; a request still being answered holds a
    read on the in-memory SQLite database, and the database flush after the test then fails
    with "database table is locked". The live server answers each request in a thread of
    its own (socketserver's process_request_thread): wait until none is left.
    """
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        busy = [
            t for t in threading.enumerate() if "process_request_thread" in t.name and t.is_alive()
        ]
        if not busy:
            return
        time.sleep(0.05)


def screenshot(page: Any, name: str) -> None:
    """Save a user-guide screenshot as docs/img/<name>.png when POLLGUARD_SCREENSHOTS=1."""
    if os.environ.get("POLLGUARD_SCREENSHOTS") != "1":
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=False)


def nav_to(page: Any, href: str) -> None:
    """Follow the main navigation's entry for `href`, opening its group first if it has one."""
    group = page.locator(f".pg-nav-group:has(a[href='{href}']) > summary")
    if group.count():
        group.click()
    page.click(f".pg-nav a[href='{href}']")
