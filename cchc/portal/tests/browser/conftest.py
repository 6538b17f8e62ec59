"""Helpers for the browser tests; the `browser` and `phone_page` fixtures live in `cchc/conftest.py`
so that every app's browser tests share one Chromium."""

from __future__ import annotations

from typing import Any


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert bad == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']]}" for v in bad
    )
