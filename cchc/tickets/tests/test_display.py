"""The small screen above each counter: its name and the number it calls or serves, public,
personal-data free, at a fixed cost per poll."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cchc.accounts.models import User
from cchc.testing import World
from cchc.tickets import appointments
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import SlotPlan
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db

FEED = "/api/v1/queue/16300/board"


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(moment(MONDAY, 8), tick=True) as traveller:
        yield traveller


def screen(number: int, unit: str = "16300") -> str:
    response = Client().get(f"/man-hinh/{unit}/quay/{number}/")
    assert response.status_code == 200
    return response.content.decode()


def shown(html: str) -> tuple[str, str, str]:
    """(counter, label, number) as the screen shows them."""
    found = [
        re.search(rf'id="{name}">([^<]*)<', html)
        for name in ("display-counter", "display-label", "display-current-code")
    ]
    assert all(found)
    return tuple(m.group(1) for m in found if m)  # type: ignore[return-value]


def test_the_screen_follows_its_counter_through_a_ticket(
    world: World, queue: Queue, reception: User, monday: Any
) -> None:
    assert shown(screen(2)) == ("Quầy 2 – Hộ tịch", "Chưa gọi số", "—")
    queue_actions.issue_ticket(world.commune_a, field=queue.civil)
    ticket = queue_actions.call_next(queue.two, by=reception)
    assert ticket is not None

    html = screen(2)
    assert shown(html) == ("Quầy 2 – Hộ tịch", "Mời số", "001")
    assert 'aria-live="assertive"' in html and 'id="display-announcer"' in html
    assert 'data-feed="/api/v1/queue/16300/board/2"' in html
    assert 'data-stamp="001@2025-08-04T08:' in html
    # The other counters are not calling it.
    assert shown(screen(1)) == ("Quầy 1", "Chưa gọi số", "—")

    queue_actions.start_service(ticket, by=reception)
    assert shown(screen(2))[1:] == ("Đang phục vụ số", "001")
    queue_actions.finish(ticket, by=reception)
    assert shown(screen(2))[1:] == ("Chưa gọi số", "—")


def test_the_feed_of_one_counter(
    world: World, queue: Queue, plan: SlotPlan, reception: User, received: Any, monday: Any
) -> None:
    appt = appointments.book_appointment(
        world.commune_a, queue.civil, dt.date(2025, 8, 4), dt.time(15), "Lê Thị Cúc", "0911222333"
    )
    appointments.check_in(appt.code, unit=world.commune_a)
    appointments.ticket_for_code(world.commune_a, received.code)
    queue_actions.call_next(queue.one, by=reception)  # the appointment's priority ticket
    queue_actions.call_next(queue.three, by=reception)  # the scanned receipt's ticket

    response = Client().get(f"{FEED}/1")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"unit", "counter", "day", "updated", "current"}
    assert body["unit"] == {"code": "16300", "name": "Xã Nga Sơn"}
    assert body["counter"] == {"number": 1, "name": "Quầy 1"}
    assert body["day"] == "2025-08-04"
    assert set(body["current"]) == {"code", "status", "called_at"}
    assert (body["current"]["code"], body["current"]["status"]) == ("U001", "called")
    assert body["current"]["called_at"].endswith("+07:00")
    assert Client().get(f"{FEED}/3").json()["current"]["code"] == "002"
    assert Client().get(f"{FEED}/2").json()["current"] is None
    texts = response.content.decode() + screen(1) + Client().get(f"{FEED}/3").content.decode()
    for secret in ("Lê Thị Cúc", "0911222333", appt.code, received.code, "Nguyễn Văn An"):
        assert secret not in texts
    # Nor the officer who called it.
    assert not re.search(rf"\b({reception.username}|{reception.full_name})\b", texts)


def test_a_recall_is_a_new_call_for_the_screen(
    world: World, queue: Queue, reception: User, monday: Any
) -> None:
    queue_actions.issue_ticket(world.commune_a)
    ticket = queue_actions.call_next(queue.one, by=reception)
    assert ticket is not None
    first = Client().get(f"{FEED}/1").json()["current"]["called_at"]
    monday.shift(dt.timedelta(seconds=30))
    queue_actions.recall(ticket, by=reception, counter=queue.one)
    # The script announces again when code@called_at changes.
    assert Client().get(f"{FEED}/1").json()["current"]["called_at"] > first


def test_unknown_units_and_counters_are_404(world: World, queue: Queue) -> None:
    queue.three.active = False
    queue.three.save()
    client = Client()
    for number, unit in ((9, "16300"), (3, "16300"), (2, "16303"), (1, "nope"), (1, "16300-MC")):
        assert client.get(f"/man-hinh/{unit}/quay/{number}/").status_code == 404, (unit, number)
        assert client.get(f"/api/v1/queue/{unit}/board/{number}").status_code == 404
    assert client.get("/man-hinh/16300/quay/abc/").status_code == 404
    # Commune B's own counter 1 is commune B's.
    assert shown(screen(1, "16303"))[0] == "Quầy 1"


def test_a_merged_away_unit_has_no_counter_screen(world: World, queue: Queue) -> None:
    world.commune_b.valid_to = dt.date(2025, 6, 30)
    world.commune_b.save()
    assert Client().get("/man-hinh/16303/quay/1/").status_code == 404


def test_the_screen_and_its_feed_cost_fixed_queries(
    world: World, queue: Queue, reception: User, monday: Any
) -> None:
    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get(url).status_code == 200
        return len(ctx.captured_queries)

    idle = (cost(f"{FEED}/1"), cost("/man-hinh/16300/quay/1/"))
    for _ in range(15):
        queue_actions.issue_ticket(world.commune_a)
        ticket = queue_actions.call_next(queue.one, by=reception)
        assert ticket is not None
        queue_actions.finish(ticket, by=reception)
    queue_actions.issue_ticket(world.commune_a)
    queue_actions.call_next(queue.one, by=reception)
    busy = (cost(f"{FEED}/1"), cost("/man-hinh/16300/quay/1/"))
    # The counter with its unit, then its current ticket.
    assert idle == busy == (2, 2)


def test_the_screen_speaks_english_when_chosen(world: World, queue: Queue) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    # The middleware leaves English active in this thread: restore Vietnamese afterwards.
    with translation.override("vi"):
        html = client.get("/man-hinh/16300/quay/1/").content.decode()
    assert '<html lang="en">' in html
    assert shown(html) == ("Counter 1", "No number called", "—")
