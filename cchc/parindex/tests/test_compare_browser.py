"""In Chromium: the unit's officer goes from the assessment to the year-over-year comparison and
on to a year's assessment with the keyboard alone, on a desk screen (1366×768) and a phone
(360 px, nothing wider than the screen but the tables, which scroll in their own region);
axe-core finds no serious or critical violation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from cchc.accounts.models import User
from cchc.parindex.criteria import load_shipped, save_set
from cchc.parindex.models import Assessment
from cchc.parindex.tests.support import cycle, full_survey, merged_commune, set_for_year
from cchc.testing import World, assert_accessible, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_years(world: World, carol: User, pat: User) -> Iterator[Assessment]:
    """2022 under the 8-field set, appraised in round 1; 2025 under the 7-field set, final."""
    cycle(
        world.commune_a,
        set_for_year("par-xa-8lv-2022.json"),
        carol,
        pat,
        {"1.4": "0.5", "7.2": "0.5"},
        final=False,
    )
    commune_set = save_set(load_shipped("par-xa-2025.json"))
    yield cycle(
        world.commune_a,
        commune_set,
        carol,
        pat,
        {"1.4": "0.5", "3.8": "0.5"},
        survey=full_survey(commune_set, **{"3_9": "6"}),
    )


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reached with Tab")


@pytest.mark.parametrize(
    "sized_page", [(1366, 768), (360, 740)], ids=["desk", "phone"], indirect=True
)
def test_the_officer_compares_the_years_with_the_keyboard(
    sized_page: Any, two_years: Assessment, carol: User
) -> None:
    page = sized_page
    width = page.viewport_size["width"]
    log_in(page, carol)
    page.goto(f"/lam-viec/chi-so-cchc/{two_years.pk}/")
    _tab_to(page, "a[href$='/don-vi/16300/so-sanh/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = page.locator("main").inner_text()
    assert "So sánh Chỉ số CCHC qua các năm" in main
    assert "97,14" in main and "không so sánh" in main  # 2022: 68 of 70, provisional
    chart = page.locator("img.par-chart")
    assert chart.evaluate("i => i.complete && i.naturalWidth > 0")
    # Nothing but the tables' own scrolling regions is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert chart.bounding_box()["width"] <= width
    assert_accessible(page)
    shot(page, f"par-comparison-{width}")
    # Each year leads to its assessment.
    _tab_to(page, f"a[href='/lam-viec/chi-so-cchc/{two_years.pk}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/lam-viec/chi-so-cchc/{two_years.pk}/")


@pytest.mark.parametrize(
    "sized_page", [(1366, 768), (360, 740)], ids=["desk", "phone"], indirect=True
)
def test_a_merged_commune_shows_the_units_it_took_over(
    sized_page: Any, world: World, carol: User, pat: User
) -> None:
    page = sized_page
    width = page.viewport_size["width"]
    merged_commune(world, save_set(load_shipped("par-xa-2025.json")), carol, pat)
    log_in(page, carol)
    page.goto("/lam-viec/chi-so-cchc/don-vi/16300/so-sanh/")
    forebears = page.locator("#h-forebears")
    expect(forebears).to_have_text("Đơn vị tiền thân")
    main = page.locator("main").inner_text()
    assert "Xã Nga Thanh" in main and "97,86" in main and "Xã Nga Lĩnh" in main
    assert "Năm 2024 (Xã Nga Thanh) và năm 2025" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    forebears.scroll_into_view_if_needed()
    shot(page, f"par-comparison-merged-{width}")
