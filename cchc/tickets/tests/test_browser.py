"""In Chromium: a kiosk ticket, called at the counter, appears on the board without a reload.

Uses the browser fixtures of cchc/conftest.py (skipped locally without Chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cchc.accounts.models import User
from cchc.testing import World, assert_accessible
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import Ticket
from cchc.tickets.tests.support import Queue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kiosk_ticket_counter_call_board_shows_the_number(
    phone_page: Any,
    world: World,
    queue: Queue,
    reception: User,
    settings: Any,
) -> None:
    page = phone_page
    page.goto("/man-hinh/16300/")
    assert page.locator("#board-current-code").inner_text() == "—"
    assert_accessible(page)

    board = page.context.new_page()
    board.goto("/man-hinh/16300/")

    page.goto("/xep-hang/16300/")
    assert_accessible(page)
    page.click("#field-ho-tich")
    page.wait_for_url("**/in/?may=1")
    assert page.locator("#ticket-code").inner_text() == "001"
    assert page.locator("#ticket-qr svg").count() == 1

    ticket = Ticket.objects.get()
    queue_actions.call_next(queue.two, by=reception)
    # The board polls every 2.5 s: the number appears without a reload.
    board.locator("#board-current-code", has_text="001").wait_for(timeout=10_000)
    assert board.locator("#board-current-counter").inner_text() == "2"
    # Screen readers hear the call (written a moment later, so that a repeat is re-announced).
    # expect() polls through Playwright's own injected script: a string given to
    # wait_for_function is evaluated with eval, which the pages' CSP (no 'unsafe-eval') refuses.
    expect(board.locator("#board-announcer")).to_have_text("Mời số 1 đến quầy 2")
    assert ticket.code == "001"


def test_the_booking_page_works_on_a_phone(
    phone_page: Any,
    world: World,
    queue: Queue,
    plan: Any,
) -> None:
    page = phone_page
    page.goto("/dat-lich/16300/")
    page.select_option("#book-field", "ho-tich")
    page.click("#book-next")
    page.select_option("#book-date", index=1)
    page.click("#book-next")
    assert_accessible(page)
    page.locator("#book-slots input").first.check()
    page.fill("#id_name", "Phạm Thị Giang")
    page.fill("#id_phone", "0912345678")
    page.click("#book-submit")
    page.wait_for_url("**/dat-lich/lich-hen/*/")
    assert len(page.locator("#appointment-code").inner_text()) == 8
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_a_counter_screen_follows_its_counter_without_a_reload(
    browser: Any,
    live_server: Any,
    world: World,
    queue: Queue,
    reception: User,
    settings: Any,
) -> None:
    settings.RATELIMIT_ENABLE = False
    # A small landscape monitor above the counter.
    context = browser.new_context(
        viewport={"width": 1024, "height": 576}, locale="vi-VN", base_url=live_server.url
    )
    try:
        page = context.new_page()
        page.goto("/man-hinh/16300/quay/2/")
        assert page.locator("#display-counter").inner_text() == "Quầy 2 – Hộ tịch"
        assert page.locator("#display-current-code").inner_text() == "—"
        assert_accessible(page)

        queue_actions.issue_ticket(world.commune_a, field=queue.civil)
        ticket = queue_actions.call_next(queue.two, by=reception)
        assert ticket is not None
        page.locator("#display-current-code", has_text="001").wait_for(timeout=10_000)
        assert page.locator("#display-label").inner_text() == "Mời số"
        expect(page.locator("#display-announcer")).to_have_text("Mời số 1 đến quầy 2")
        queue_actions.start_service(ticket, by=reception)
        page.locator("#display-label", has_text="Đang phục vụ số").wait_for(timeout=10_000)
        queue_actions.finish(ticket, by=reception)
        page.locator("#display-current-code", has_text="—").wait_for(timeout=10_000)
        assert page.locator("#display-label").inner_text() == "Chưa gọi số"
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    finally:
        context.close()
