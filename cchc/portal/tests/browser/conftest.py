"""Browser tests: Debian's Chromium driven by Playwright against the live test server, with an
axe-core accessibility check on every public page they visit.

Locally they are skipped when Chromium is missing; under CI (CI=true) a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Playwright's sync API runs an event loop in this thread; the tests still read the database
# directly to check what the pages did.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required for the browser tests in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser: Any, live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    """A 360-px-wide phone screen on the live server."""
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert bad == [], "\n".join(f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']]}" for v in bad)
