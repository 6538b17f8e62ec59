"""Post/Redirect/Get on the queue's public forms (issue 12, item 6): in Chromium, a booking and a
kiosk ticket, each followed by a reload, leave one appointment and one ticket."""

from __future__ import annotations

from typing import Any

import pytest

from cchc.testing import World
from cchc.tickets.models import Appointment, Ticket
from cchc.tickets.tests.support import Queue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_booking_reloaded_is_still_one(
    phone_page: Any, world: World, queue: Queue, plan: Any
) -> None:
    page = phone_page
    page.goto("/dat-lich/16300/")
    page.select_option("#book-field", "ho-tich")
    page.click("#book-next")
    page.select_option("#book-date", index=1)
    page.click("#book-next")
    page.locator("#book-slots input").first.check()
    page.fill("#id_name", "Phạm Thị Giang")
    page.fill("#id_phone", "0912 345 678")
    page.click("#book-submit")
    page.wait_for_url("**/dat-lich/lich-hen/*/")
    code = page.locator("#appointment-code").inner_text()
    page.reload()
    assert page.locator("#appointment-code").inner_text() == code
    assert Appointment.objects.count() == 1


def test_a_kiosk_ticket_reloaded_is_still_one(phone_page: Any, world: World, queue: Queue) -> None:
    page = phone_page
    page.goto("/xep-hang/16300/")
    page.click("#field-ho-tich")
    page.wait_for_url("**/in/?may=1")
    page.reload()
    assert Ticket.objects.count() == 1
