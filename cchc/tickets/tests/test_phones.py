"""Booking phones the way people type them: one number whatever its spelling, for the booking
itself, its cancellation and the per-phone limit (issue 9, item 11)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from cchc.testing import World
from cchc.tickets.models import Appointment, SlotPlan
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db

API = "/api/v1/queue"
BOOKING = {"unit": "16300", "field": "ho-tich", "date": "2025-08-05", "name": "Đỗ Văn Em"}


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(moment(MONDAY, 8), tick=True) as traveller:
        yield traveller


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_booking_page_stores_the_mobile_normalised(
    world: World, queue: Queue, plan: SlotPlan, monday: Any
) -> None:
    form = {**BOOKING, "slot": "09:00", "phone": "+84 912.345.678"}
    response = Client().post("/dat-lich/16300/", form)
    assert response.status_code == 302
    assert Appointment.objects.get().phone == "0912345678"


def test_the_booking_page_refuses_a_landline_on_the_field(
    world: World, queue: Queue, plan: SlotPlan, monday: Any
) -> None:
    form = {**BOOKING, "slot": "09:00", "phone": "0237 3870 123"}
    response = Client().post("/dat-lich/16300/", form)
    page = response.content.decode()
    assert response.status_code == 422 and "Số máy bàn không nhận được tin nhắn" in page
    assert 'class="errorlist"' in page and not Appointment.objects.exists()


def test_a_booking_is_cancelled_with_its_phone_in_another_spelling(
    world: World, queue: Queue, plan: SlotPlan, monday: Any
) -> None:
    client = Client()
    created = post(
        client, f"{API}/appointments", {**BOOKING, "slot": "08:00", "phone": "0977 000 111"}
    )
    code = created.json()["code"]
    cancelled = post(client, f"{API}/appointments/{code}/cancel", {"phone": "+84977000111"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_the_per_phone_limit_counts_every_spelling_as_one(
    world: World, queue: Queue, plan: SlotPlan, monday: Any, settings: Any
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.QUEUE_RATES = {"booking_ip": "100/h", "booking_phone": "1/d", "lookup": "100/m"}
    client = Client()
    first = post(client, f"{API}/appointments", {**BOOKING, "slot": "08:00", "phone": "0977000111"})
    assert first.status_code == 201
    again = post(
        client, f"{API}/appointments", {**BOOKING, "slot": "09:00", "phone": "+84 977 000 111"}
    )
    assert again.status_code == 429
