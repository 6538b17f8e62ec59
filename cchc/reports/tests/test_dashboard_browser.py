"""In Chromium: the dashboard (1366 px), a supervisor's board (1920 × 1080) and the public page
(a 360-px phone) render their charts, pass axe-core without a serious or critical violation and
break no rule of the Content-Security-Policy. Screenshots go to $CCHC_SCREENS when it is set,
for a person to look at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cchc.dossiers.choices import Channel, EndType
from cchc.reports.tests.support import make_dossier
from cchc.testing import World, assert_accessible, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def history(world: World) -> None:
    """Four months of dossiers at commune A and some at commune B, counted back from now."""
    now = timezone.now()
    for i, days in enumerate(range(5, 120, 6)):
        received = now - dt.timedelta(days=days)
        late = i % 4 == 1
        make_dossier(
            world,
            received=received,
            due=received + dt.timedelta(days=3),
            finished=received + dt.timedelta(days=4 if late else 2),
            end_type=EndType.RESOLVED,
            channel=Channel.ONLINE_PARTIAL if i % 3 == 0 else Channel.COUNTER,
            rescheduled=received + dt.timedelta(days=2) if late and i % 8 == 1 else None,
            rating=(received + dt.timedelta(days=5), 5 if i % 5 else 3),
        )
        make_dossier(
            world,
            received=received,
            due=received + dt.timedelta(days=1),
            finished=received + dt.timedelta(hours=5),
            end_type=EndType.RESOLVED,
            unit=world.commune_b,
            procedure=world.birth,
        )
    for days in (1, 2, 9):
        received = now - dt.timedelta(days=days)
        make_dossier(world, received=received, due=received + dt.timedelta(days=3))


def charts_drawn(page: Any) -> int:
    """How many chart images the browser decoded (an SVG it could not read has no width)."""
    return int(
        page.evaluate(
            "Array.from(document.querySelectorAll('img.chart'))"
            ".filter(i => i.complete && i.naturalWidth > 100).length"
        )
    )


def test_the_leaders_dashboard(
    browser: Any, live_server: Any, settings: Any, world: World, history: None, leader: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    settings.RATELIMIT_ENABLE = False
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    page.add_init_script(LISTEN)
    log_in(page, "hung")
    assert page.locator("h1").inner_text() == "Tổng quan: Xã Nga Sơn"
    assert charts_drawn(page) == 7
    assert page.evaluate("window.__csp") == []
    assert_accessible(page)
    shot(page, "dashboard-1366")
    # A figure's link opens the officers' list it counts.
    page.locator("#fields tfoot a").first.click()
    page.wait_for_url("**/lam-viec/ho-so/?list=open")
    assert page.locator("tbody tr").count() == 3
    context.close()


def test_the_supervisors_board_on_a_wall_screen(
    browser: Any, live_server: Any, settings: Any, world: World, history: None, sam: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    settings.RATELIMIT_ENABLE = False
    settings.REPORTS_RANK_MIN_RESOLVED = 5
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    page.add_init_script(LISTEN)
    log_in(page, "sam")
    assert page.locator("h1").inner_text() == "Tổng quan: Tỉnh Thanh Hóa"
    ranked = page.locator("#units tbody tr")
    assert ranked.count() == 2
    assert ranked.first.locator("th").inner_text() == "Xã Nga Thắng"
    assert charts_drawn(page) == 8
    assert page.evaluate("window.__csp") == []
    assert_accessible(page)
    shot(page, "board-1920")
    context.close()


def test_the_public_page_on_a_phone(
    phone_page: Any, world: World, history: None, tmp_path: Path
) -> None:
    page = phone_page
    page.add_init_script(LISTEN)
    page.goto("/")
    page.locator('a[href="/don-vi/16300/ket-qua-giai-quyet/"]').click()
    # Layout is measured once the page's own stylesheet has loaded (the DOM is readable before).
    page.wait_for_load_state("load")
    assert "Xã Nga Sơn" in page.locator("h1").inner_text()
    assert charts_drawn(page) == 1
    # The chart fits the screen: no sideways scrolling for the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("window.__csp") == []
    assert_accessible(page)
    shot(page, "public-360")
