"""The kiosk, the printed ticket, the board, the counter and booking pages, as a browser sees them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from cchc.accounts.models import User
from cchc.testing import World, logged_in
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import Appointment, SlotPlan, Ticket
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(moment(MONDAY, 8), tick=True) as traveller:
        yield traveller


def test_the_kiosk_shows_a_button_per_implemented_field(world: World, queue: Queue) -> None:
    page = Client().get("/xep-hang/16300/")
    assert page.status_code == 200
    html = page.content.decode()
    for element in [
        'id="field-ho-tich"',
        'id="field-chung-thuc"',
        'id="field-other"',
        'id="kiosk-code"',
        'id="kiosk-priority"',
    ]:
        assert element in html


def test_a_unit_without_counters_has_no_kiosk_board_or_booking(world: World) -> None:
    client = Client()
    for url in ("/xep-hang/16300/", "/man-hinh/16300/", "/dat-lich/16300/", "/xep-hang/nope/"):
        assert client.get(url).status_code == 404


def test_a_touch_gives_a_printable_ticket_with_a_qr_code(
    world: World, queue: Queue, monday: Any
) -> None:
    client = Client()
    response = client.post("/xep-hang/16300/", {"field": "ho-tich", "priority": "1"})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/xep-hang/ve/{ticket.token}/in/?may=1"
    assert ticket.priority and ticket.field == queue.civil and ticket.code == "U001"
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'id="ticket-code">U001<', page)
    assert "<svg" in page and "Hộ tịch" in page and "data-autoprint" in page
    status = client.get(f"/xep-hang/ve/{ticket.token}/")
    assert status.status_code == 200 and "Đang chờ" in status.content.decode()


def test_the_kiosk_explains_an_unknown_code(world: World, queue: Queue) -> None:
    response = Client().post("/xep-hang/16300/", {"code": "KHONGCO1"})
    assert response.status_code == 404
    assert "chọn lĩnh vực để lấy số" in response.content.decode()
    assert 'id="kiosk-error"' in response.content.decode()


def test_the_status_page_of_an_unknown_token_is_404(world: World, queue: Queue) -> None:
    assert Client().get("/xep-hang/ve/not-a-token/").status_code == 404


def test_kiosk_ticket_then_counter_call_then_the_board_shows_it(
    world: World, queue: Queue, reception: User, monday: Any
) -> None:
    kiosk = Client()
    kiosk.post("/xep-hang/16300/", {"field": "ho-tich"})
    officer = logged_in(reception)
    response = officer.post(f"/lam-viec/quay/{queue.two.pk}/next/")
    assert response.status_code == 302
    page = officer.get(f"/lam-viec/quay/{queue.two.pk}/").content.decode()
    assert re.search(r'id="counter-current-code">001<', page)
    board = Client().get("/man-hinh/16300/").content.decode()
    assert re.search(r'id="board-current-code">001<', board)
    assert re.search(r'id="board-current-counter">2<', board)
    assert 'aria-live="assertive"' in board


def test_counter_buttons_walk_a_ticket_through(
    world: World, queue: Queue, reception: User, monday: Any
) -> None:
    first = queue_actions.issue_ticket(world.commune_a)
    queue_actions.issue_ticket(world.commune_a)
    officer = logged_in(reception)
    base = f"/lam-viec/quay/{queue.one.pk}"
    officer.post(f"{base}/next/")
    refused = officer.post(f"{base}/next/", follow=True).content.decode()
    assert "Bấm “Xong” hoặc “Bỏ qua”" in refused
    for step in ("recall", "start"):
        officer.post(f"{base}/{step}/")
    officer.post(f"{base}/transfer/", {"to_counter": queue.three.pk})
    first.refresh_from_db()
    assert first.status == "transferred" and first.counter == queue.three
    officer.post(f"{base}/next/")
    officer.post(f"{base}/skip/")
    second = Ticket.objects.get(number=2)
    assert second.status == "skipped"
    officer.post(f"{base}/recall/", {"ticket": second.pk})
    officer.post(f"{base}/finish/")
    second.refresh_from_db()
    assert second.status == "done" and second.recall_count == 1
    assert officer.get(f"{base}/cho/").status_code == 200
    assert officer.post(f"{base}/explode/").status_code == 404


def test_counter_pages_are_404_for_another_units_officer(
    world: World, queue: Queue, reception_b: User
) -> None:
    client = logged_in(reception_b)
    assert client.get(f"/lam-viec/quay/{queue.one.pk}/").status_code == 404
    assert client.post(f"/lam-viec/quay/{queue.one.pk}/next/").status_code == 404
    assert client.get(f"/lam-viec/quay/{queue.one.pk}/cho/").status_code == 404
    listing = client.get("/lam-viec/quay/").content.decode()
    assert f"/lam-viec/quay/{queue.other_unit.pk}/" in listing
    assert f"/lam-viec/quay/{queue.one.pk}/" not in listing


def test_counter_pages_need_a_reception_role_and_a_login(
    world: World, queue: Queue, carol: User
) -> None:
    assert logged_in(carol).get(f"/lam-viec/quay/{queue.one.pk}/").status_code == 404
    assert Client().get(f"/lam-viec/quay/{queue.one.pk}/").status_code == 302


def test_booking_step_by_step(world: World, queue: Queue, plan: SlotPlan, monday: Any) -> None:
    client = Client()
    assert client.get("/dat-lich/16300/").status_code == 200
    days = client.get("/dat-lich/16300/?field=ho-tich").content.decode()
    assert 'value="2025-08-05"' in days and 'value="2025-08-09"' not in days
    slots = client.get("/dat-lich/16300/?field=ho-tich&date=2025-08-05").content.decode()
    assert 'value="07:30"' in slots and 'value="12:00"' not in slots
    form = {"field": "ho-tich", "date": "2025-08-05", "slot": "09:00", "name": "Trần Văn Bình"}
    bad = client.post("/dat-lich/16300/?field=ho-tich&date=2025-08-05", {**form, "phone": "12"})
    assert bad.status_code == 422 and "Số điện thoại di động không hợp lệ" in bad.content.decode()
    done = client.post("/dat-lich/16300/", {**form, "phone": "0987654321"})
    appt = Appointment.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/dat-lich/lich-hen/{appt.code}/"
    page = client.get(done["Location"]).content.decode()
    assert appt.code in page and "<svg" in page and "0987654321" not in page
    assert "Trần Văn Bình" not in page  # the page shows the booking, not the person
    client.post(done["Location"], {"cancel": "1"})
    appt.refresh_from_db()
    assert appt.status == "cancelled"


def test_the_honeypot_refuses_with_an_explanation(
    world: World, queue: Queue, plan: SlotPlan, monday: Any
) -> None:
    response = Client().post(
        "/dat-lich/16300/",
        {
            "field": "ho-tich",
            "date": "2025-08-05",
            "slot": "09:00",
            "name": "Bot",
            "phone": "0987654321",
            "website": "http://spam.example",
        },
    )
    assert response.status_code == 400
    assert "phải để trống" in response.content.decode()
    assert not Appointment.objects.exists()


def test_rate_limits_answer_429_with_what_to_do(
    world: World, queue: Queue, plan: SlotPlan, settings: Any, monday: Any
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.QUEUE_RATES = {"kiosk": "2/m", "booking_ip": "100/h", "booking_phone": "1/d"}
    client = Client()
    codes = [client.post("/xep-hang/16300/", {"field": ""}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert "đợi một phút" in client.post("/xep-hang/16300/", {"field": ""}).content.decode()
    form = {"field": "ho-tich", "date": "2025-08-05", "name": "An", "phone": "0987654321"}
    assert client.post("/dat-lich/16300/", {**form, "slot": "09:00"}).status_code == 302
    again = client.post("/dat-lich/16300/", {**form, "slot": "10:00", "phone": "0987 654 321"})
    assert again.status_code == 429 and "thử lại sau" in again.content.decode()


def test_pages_fit_a_phone_and_name_their_language(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    for url in (
        "/xep-hang/16300/",
        "/man-hinh/16300/",
        "/man-hinh/16300/quay/1/",
        "/dat-lich/16300/",
    ):
        html = Client().get(url).content.decode()
        assert 'name="viewport" content="width=device-width' in html
        assert '<html lang="vi">' in html


def test_every_page_is_dated_in_vietnam(world: World, queue: Queue) -> None:
    # A ticket issued at 23:30 UTC belongs to the next Vietnamese day.
    ticket = queue_actions.issue_ticket(
        world.commune_a, at=dt.datetime(2025, 8, 4, 23, 30, tzinfo=dt.UTC)
    )
    assert str(ticket.day) == "2025-08-05"
