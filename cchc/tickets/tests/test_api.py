"""The queue API: the public board feed, kiosk and booking endpoints, and the counter pad."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cchc.accounts.models import User
from cchc.testing import World, bearer, logged_in
from cchc.tickets import appointments
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import SlotPlan, Ticket
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db

API = "/api/v1/queue"


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(moment(MONDAY, 8), tick=True) as traveller:
        yield traveller


def post(client: Client, url: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json", **extra)


def test_the_board_feed_shows_numbers_and_counters_and_nothing_personal(
    world: World, queue: Queue, plan: SlotPlan, reception: User, received: Any, monday: Any
) -> None:
    appt = appointments.book_appointment(
        world.commune_a,
        queue.civil,
        dt.date(2025, 8, 4),
        dt.time(15, 0),
        "Lê Thị Cúc",
        "0911222333",
    )
    appointments.check_in(appt.code, unit=world.commune_a)
    appointments.ticket_for_code(world.commune_a, received.code)
    queue_actions.issue_ticket(world.commune_a)
    queue_actions.call_next(queue.one, by=reception)
    queue_actions.call_next(queue.three, by=reception)
    response = Client().get(f"{API}/16300/board")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"unit", "day", "updated", "current", "called", "waiting"}
    assert body["waiting"] == 1
    assert [c["code"] for c in body["called"]] == ["002", "U001"]
    assert body["current"]["code"] == "002" and body["current"]["counter"] == 3
    assert set(body["called"][0]) == {"code", "counter", "counter_name", "called_at", "status"}
    text = response.content.decode()
    for secret in ("Lê Thị Cúc", "0911222333", appt.code, received.code, "Nguyễn Văn An", "lan"):
        assert secret not in text


def test_the_board_feed_costs_the_same_queries_for_2_or_20_calls(
    world: World, queue: Queue, reception: User, monday: Any
) -> None:
    def calls(n: int) -> None:
        for _ in range(n):
            queue_actions.issue_ticket(world.commune_a)
            ticket = queue_actions.call_next(queue.one, by=reception)
            assert ticket is not None
            queue_actions.finish(ticket, by=reception)

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get(f"{API}/16300/board").status_code == 200
        return len(ctx.captured_queries)

    calls(2)
    few = cost()
    calls(18)
    assert cost() == few <= 3


def test_the_board_page_costs_the_same_queries_too(
    world: World, queue: Queue, reception: User, monday: Any
) -> None:
    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get("/man-hinh/16300/").status_code == 200
        return len(ctx.captured_queries)

    queue_actions.issue_ticket(world.commune_a)
    queue_actions.call_next(queue.one, by=reception)
    few = cost()
    for counter in (queue.two, queue.three):
        queue_actions.issue_ticket(world.commune_a)
        queue_actions.call_next(counter, by=reception)
    assert cost() == few


def test_a_kiosk_issues_over_the_api(world: World, queue: Queue, monday: Any) -> None:
    client = Client()
    created = post(client, f"{API}/16300/tickets", {"field": "chung-thuc"})
    assert created.status_code == 201
    body = created.json()
    assert body["code"] == "001" and body["field"] == "chung-thuc" and body["status"] == "waiting"
    token = Ticket.objects.get(pk=body["id"]).token
    assert body["print_url"] == f"/xep-hang/ve/{token}/in/"
    assert post(client, f"{API}/16300/tickets", {"field": "nope"}).json()["detail"]
    assert post(client, f"{API}/16300/tickets", {"field": "nope"}).status_code == 422
    assert post(client, f"{API}/99999/tickets").status_code == 404
    unknown = post(client, f"{API}/16300/tickets", {"code": "ABCDEFGH"})
    assert unknown.status_code == 404 and "Vui lòng" in unknown.json()["detail"]
    assert post(client, f"{API}/16300/tickets", {"priority": "maybe"}).status_code == 400


def test_booking_over_the_api(world: World, queue: Queue, plan: SlotPlan, monday: Any) -> None:
    client = Client()
    body = {
        "unit": "16300",
        "field": "ho-tich",
        "date": "2025-08-05",
        "slot": "08:00",
        "name": "Đỗ Văn Em",
        "phone": "0977000111",
    }
    created = post(client, f"{API}/appointments", body)
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    assert created.json()["slot"] == "08:00"
    slots = client.get(f"{API}/16300/slots?field=ho-tich&date=2025-08-05").json()
    assert {"start": "08:00", "left": 1} in slots
    post(client, f"{API}/appointments", {**body, "phone": "0977000112"})
    full = post(client, f"{API}/appointments", {**body, "phone": "0977000113"})
    assert full.status_code == 409 and "hết chỗ" in full.json()["detail"]
    weekend = post(client, f"{API}/appointments", {**body, "date": "2025-08-09"})
    assert weekend.status_code == 422 and "ngày làm việc" in weekend.json()["detail"]
    assert post(client, f"{API}/appointments", {**body, "slot": "8h"}).status_code == 422
    assert post(client, f"{API}/appointments", {**body, "website": "x"}).status_code == 400
    assert post(client, f"{API}/appointments", {**body, "date": "hôm nay"}).status_code == 400
    wrong = post(client, f"{API}/appointments/{code}/cancel", {"phone": "0900000000"})
    assert wrong.status_code == 404
    cancelled = post(client, f"{API}/appointments/{code}/cancel", {"phone": "0977 000 111"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = post(client, f"{API}/appointments/{code}/cancel", {"phone": "0977 000 111"})
    assert again.status_code == 409 and "không hủy được" in again.json()["detail"]


def test_the_counter_pad_over_the_api(
    world: World, queue: Queue, reception: User, monday: Any
) -> None:
    queue_actions.issue_ticket(world.commune_a)
    queue_actions.issue_ticket(world.commune_a)
    client = Client()
    auth = bearer(reception)
    url = f"{API}/counters/{queue.one.pk}"
    state = post(client, f"{url}/call-next", **auth).json()
    assert state["current"]["code"] == "001"
    busy = post(client, f"{url}/call-next", **auth)
    assert busy.status_code == 409 and "Xong" in busy.json()["detail"]
    assert post(client, f"{url}/recall", **auth).status_code == 200
    assert post(client, f"{url}/start", **auth).json()["current"]["status"] == "serving"
    elsewhere = post(client, f"{url}/transfer", {"to_counter": queue.other_unit.pk}, **auth)
    assert elsewhere.status_code == 422 and "quầy nhận" in elsewhere.json()["detail"]
    moved = post(client, f"{url}/transfer", {"to_counter": queue.two.pk}, **auth)
    assert moved.status_code == 200 and moved.json()["current"] is None
    post(client, f"{url}/call-next", **auth)
    assert post(client, f"{url}/skip", **auth).status_code == 200
    assert post(client, f"{url}/finish", **auth).status_code == 409  # nothing at the counter
    assert post(client, f"{url}/dance", **auth).status_code == 404
    assert client.get(url, **auth).json()["waiting"] == 0
    assert Ticket.objects.filter(status="transferred", counter=queue.two).count() == 1


def test_the_counter_pad_is_404_for_another_unit_and_401_for_strangers(
    world: World, queue: Queue, reception_b: User
) -> None:
    client = Client()
    url = f"{API}/counters/{queue.one.pk}"
    assert client.get(url, **bearer(reception_b)).status_code == 404
    assert post(client, f"{url}/call-next", **bearer(reception_b)).status_code == 404
    assert client.get(url).status_code == 401
    assert logged_in(reception_b).get(url).status_code == 404


def test_api_rate_limits_answer_429(
    world: World, queue: Queue, plan: SlotPlan, settings: Any, monday: Any
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.QUEUE_RATES = {"kiosk": "1/m", "booking_ip": "1/h"}
    client = Client()
    assert post(client, f"{API}/16300/tickets").status_code == 201
    limited = post(client, f"{API}/16300/tickets")
    assert limited.status_code == 429 and "thử lại" in limited.json()["detail"]
    body = {
        "unit": "16300",
        "field": "ho-tich",
        "date": "2025-08-05",
        "slot": "08:00",
        "name": "A",
        "phone": "0977000111",
    }
    assert post(client, f"{API}/appointments", body).status_code == 201
    assert post(client, f"{API}/appointments", {**body, "phone": "0977000222"}).status_code == 429
