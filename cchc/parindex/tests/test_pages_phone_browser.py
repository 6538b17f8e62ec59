"""In Chromium at 360 px: the assessment's tables stack each row (code and title, then the
labelled figures) so nothing is cut off or needs sideways scrolling; at 1366 px they stay
tables with their header row."""

from __future__ import annotations

from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.parindex.models import Assessment
from cchc.parindex.tests.support import round_one_closed
from cchc.testing import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WIDEST = """() => Math.max(...[...document.querySelectorAll('main table.par')].map(
    t => t.closest('.table-wrap').scrollWidth - t.closest('.table-wrap').clientWidth))"""


@pytest.mark.parametrize("sized_page", [(360, 740)], ids=["phone"], indirect=True)
def test_on_a_phone_the_tables_fit_and_label_their_figures(
    sized_page: Any, assessment: Assessment, carol: User, pat: User
) -> None:
    page = sized_page
    a = round_one_closed(assessment, carol, pat)
    log_in(page, carol)
    page.goto(f"/lam-viec/chi-so-cchc/{a.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(WIDEST) <= 0  # no table scrolls sideways
    row = page.locator("#h-criteria ~ .table-wrap tr.depth-1", has_text="1.4").first
    cells = row.locator("td[data-label]")
    labels = [
        cells.nth(i).evaluate("c => getComputedStyle(c, '::before').content")
        for i in range(cells.count())
    ]
    assert '"Thẩm định: "' in labels and '"Bị trừ: "' in labels
    appraised = row.locator("td[data-label='Thẩm định']")
    box = appraised.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360
    assert_accessible(page)
    for path in (
        "/lam-viec/chi-so-cchc/",
        f"/lam-viec/chi-so-cchc/don-vi/{a.unit.code}/so-sanh/",
        f"/lam-viec/chi-so-cchc/{a.pk}/khac-phuc/",
        f"/lam-viec/chi-so-cchc/{a.pk}/tieu-chi/1.4/",
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert page.evaluate(WIDEST) <= 0, path


@pytest.mark.parametrize("sized_page", [(1366, 768)], ids=["desk"], indirect=True)
def test_at_the_desk_the_tables_keep_their_header_row(
    sized_page: Any, assessment: Assessment, carol: User
) -> None:
    page = sized_page
    log_in(page, carol)
    page.goto(f"/lam-viec/chi-so-cchc/{assessment.pk}/")
    header = page.locator("#h-criteria ~ .table-wrap thead").first
    assert header.is_visible()
    box = header.bounding_box()
    assert box is not None and box["height"] > 20
    # The list: a click on the row's year cell opens the assessment.
    page.goto("/lam-viec/chi-so-cchc/")
    cell = page.locator("table.par-list tbody td").nth(4).bounding_box()
    assert cell is not None
    with page.expect_navigation():  # a plain click where the mouse is: the row's link is on top
        page.mouse.click(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] / 2)
    assert page.url.endswith(f"/lam-viec/chi-so-cchc/{assessment.pk}/")
