"""Public screens: the board's clock is Vietnam time from the server; no booking link where no
booking can be made; the kiosk's field buttons readable from a metre away."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cchc.testing import World
from cchc.tickets.models import SlotPlan
from cchc.tickets.tests.support import Queue
from cchc.tickets.views import board_clock

pytestmark = pytest.mark.django_db


def test_the_board_clock_is_vietnam_time_whatever_the_server_zone() -> None:
    clock = board_clock(dt.datetime(2025, 8, 4, 2, 5, tzinfo=dt.UTC))
    assert clock["text"] == "09:05"
    assert clock["offset_minutes"] == "420"
    assert clock["epoch_ms"] == str(
        int(dt.datetime(2025, 8, 4, 2, 5, tzinfo=dt.UTC).timestamp() * 1000)
    )


def test_the_board_page_carries_the_server_moment(world: World, queue: Queue) -> None:
    page = Client().get("/man-hinh/16300/").content.decode()
    tag = re.search(
        r'<time id="board-clock" data-now="(\d+)" data-offset="(\d+)">(\d\d:\d\d)</time>', page
    )
    assert tag is not None, page
    assert abs(int(tag.group(1)) - time.time() * 1000) < 60_000
    assert tag.group(2) == "420"
    js = (Path(__file__).parents[1] / "static" / "tickets" / "board.js").read_text()
    # The script ticks from the server's moment in UTC+7, not from the device's local hours.
    assert "getUTCHours" in js and "data-now" in js and "getHours()" not in js


def test_no_booking_link_for_a_unit_that_takes_no_appointments(world: World, queue: Queue) -> None:
    # Both communes run counters, neither has a slot plan: booking would be a dead end.
    page = Client().get("/").content.decode()
    assert "/dat-lich/" not in page
    SlotPlan.objects.create(unit=world.commune_a, slot_minutes=30, capacity=2)
    page = Client().get("/").content.decode()
    assert "/dat-lich/16300/" in page and "/dat-lich/16303/" not in page
    assert "chưa nhận đặt lịch" not in Client().get("/dat-lich/16300/").content.decode()


def test_kiosk_buttons_have_a_real_font_size() -> None:
    css = (Path(__file__).parents[1] / "static" / "tickets" / "queue.css").read_text()
    rule = re.search(r"\n\.big \{([^}]*)\}", css)
    assert rule is not None
    assert "font:" not in rule.group(1)  # the shorthand with `inherit` was invalid, and dropped
    size = re.search(r"font-size:max\(([\d.]+)rem", rule.group(1))
    assert size is not None and float(size.group(1)) * 16 >= 28


def test_the_kiosk_page_uses_the_big_buttons(world: World, queue: Queue, **_: Any) -> None:
    page = Client().get("/xep-hang/16300/").content.decode()
    assert 'class="big"' in page
