"""In Chromium: the TTHC-control officer self-scores a criterion with the keyboard alone (the
score box has the focus, Enter saves), on a desk screen (1366×768) and a phone (360 px); axe-core
finds no serious or critical violation on the assessment's and the criterion's pages."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.models import Assessment, Score
from cchc.testing import assert_accessible, at, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def under_way(assessment: Assessment, carol: User) -> Iterator[Assessment]:
    """Some criteria self-scored, with evidence, as a unit is a month into its cycle."""
    entries = [actions.SelfEntry(c, s) for c, s in (("1.2", "1"), ("1.3", "0,5"), ("2.2", "2"))]
    actions.self_assess(assessment, entries, by=carol, at=at("2025-10-05"))
    actions.add_evidence(
        assessment, "1.3", by=carol, kind="record", label="Kế hoạch CCHC năm 2025", ref="20/KH-UBND"
    )
    yield assessment


@pytest.mark.parametrize(
    "sized_page", [(1366, 768), (360, 740)], ids=["desk", "phone"], indirect=True
)
def test_the_officer_self_scores_a_criterion_with_the_keyboard(
    sized_page: Any, under_way: Assessment, carol: User
) -> None:
    page = sized_page
    width = page.viewport_size["width"]
    log_in(page, carol)
    page.goto(f"/lam-viec/chi-so-cchc/{under_way.pk}/")
    assert_accessible(page)
    shot(page, f"par-assessment-{width}")
    page.goto(f"/lam-viec/chi-so-cchc/{under_way.pk}/tieu-chi/2.1/")
    expect(page.locator("#id_self-score")).to_be_focused()
    page.keyboard.type("1,5")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".message[role=status]").wait_for()
    assert "Đã lưu điểm tự chấm tiêu chí 2.1" in page.locator(".message[role=status]").inner_text()
    score = Score.objects.get(assessment=under_way, criterion__code="2.1")
    assert score.self_score == Decimal("1.5")
    assert_accessible(page)
    shot(page, f"par-criterion-{width}")
    # A score above the maximum: the refusal names the criterion, the box keeps the focus path.
    page.fill("#id_self-score", "3")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Tiêu chí 2.1" in page.locator("main").inner_text()
    score.refresh_from_db()
    assert score.self_score == Decimal("1.5")
    assert_accessible(page)
    shot(page, f"par-criterion-refused-{width}")
