"""In Chromium: the unit's TTHC-control officer gives a remediation task from the lost-points
row with the keyboard alone (the link, then title, owner and due date, Enter), on a desk screen
(1366×768) and a phone (360 px); axe-core finds no serious or critical violation on the
assessment's lost points and on the tasks' page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from cchc.accounts.models import User
from cchc.parindex.models import Assessment, RemediationTask
from cchc.parindex.tests.support import round_one_closed
from cchc.testing import assert_accessible, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "sized_page", [(1366, 768), (360, 740)], ids=["desk", "phone"], indirect=True
)
def test_the_officer_gives_a_task_from_the_lost_points_row_with_the_keyboard(
    sized_page: Any, assessment: Assessment, carol: User, pat: User, specialist: User
) -> None:
    page = sized_page
    width = page.viewport_size["width"]
    round_one_closed(assessment, carol, pat)
    log_in(page, carol)
    page.goto(f"/lam-viec/chi-so-cchc/{assessment.pk}/#lost")
    assert_accessible(page)
    link = page.get_by_role("link", name="Giao nhiệm vụ khắc phục tiêu chí 2.2")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    title = page.locator("#task-title")
    expect(title).to_be_focused()
    expect(page.locator("#task-code")).to_have_value("2.2")
    page.keyboard.type("Lập báo cáo rà soát thủ tục")
    page.keyboard.press("Tab")
    expect(page.locator("#task-owner")).to_be_focused()
    page.keyboard.type("Minh")
    expect(page.locator("#task-owner")).to_have_value("minh")
    page.keyboard.press("Tab")
    expect(page.locator("#task-due")).to_be_focused()
    page.keyboard.type("31/12/2099")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".message[role=status]").wait_for()
    assert "Đã giao nhiệm vụ khắc phục tiêu chí 2.2" in page.locator("main").inner_text()
    task = RemediationTask.objects.get()
    assert (task.criterion.code, task.owner, task.due_on, task.status) == (
        "2.2",
        specialist,
        dt.date(2099, 12, 31),
        "open",
    )
    assert "Lập báo cáo rà soát thủ tục" in page.locator("#h-tasks + .table-wrap").inner_text()
    assert_accessible(page)
    shot(page, f"par-remediation-{width}")
    # A due date that is not one: the refusal names the criterion and nothing is given.
    page.goto(f"/lam-viec/chi-so-cchc/{assessment.pk}/khac-phuc/?tieu-chi=1.4")
    page.keyboard.type("Bổ sung kế hoạch tuyên truyền")
    page.keyboard.press("Tab")
    page.keyboard.type("Minh")
    page.keyboard.press("Tab")
    page.keyboard.type("31/13/2099")
    page.locator("#task-due").evaluate("e => e.removeAttribute('pattern')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Tiêu chí 1.4: hạn hoàn thành" in page.locator("[role=alert]").inner_text()
    assert RemediationTask.objects.count() == 1
    assert_accessible(page)
