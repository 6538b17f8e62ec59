"""A staff session ends after STAFF_IDLE_TIMEOUT_MINUTES without activity (it lasted 14 days).

Requests move the expiry forward at most once a minute, so the session allows between 30 and 31
idle minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from cchc.accounts.models import User
from cchc.testing import PASSWORD, TZ, World

pytestmark = pytest.mark.django_db

NINE = dt.datetime(2025, 8, 4, 9, 0, tzinfo=TZ)


def log_in(user: User) -> Client:
    client = Client()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def is_out(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")


def test_a_staff_session_ends_after_30_idle_minutes(world: World, reception: User) -> None:
    with time_machine.travel(NINE, tick=False) as clock:
        client = log_in(reception)
        assert client.get("/lam-viec/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/lam-viec/").status_code == 200
        clock.shift(dt.timedelta(minutes=30))
        assert client.get("/lam-viec/").status_code == 200
        clock.shift(dt.timedelta(minutes=32))
        assert is_out(client.get("/lam-viec/"))


def test_activity_keeps_the_session_alive(world: World, reception: User) -> None:
    with time_machine.travel(NINE, tick=False) as clock:
        client = log_in(reception)
        for _ in range(8):  # a whole morning, a click every 25 minutes
            clock.shift(dt.timedelta(minutes=25))
            assert client.get("/lam-viec/").status_code == 200


def test_the_session_expires_in_the_store_and_in_the_browser(world: World, reception: User) -> None:
    with time_machine.travel(NINE, tick=False):
        client = log_in(reception)
        cookie = client.cookies["sessionid"]
        assert int(cookie["max-age"]) == 31 * 60
        assert client.session.get_expiry_age() == 31 * 60


def test_the_timeout_is_a_setting(world: World, reception: User, settings: Any) -> None:
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    with time_machine.travel(NINE, tick=False) as clock:
        client = log_in(reception)
        clock.shift(dt.timedelta(minutes=5))
        assert client.get("/lam-viec/").status_code == 200
        clock.shift(dt.timedelta(minutes=7))
        assert is_out(client.get("/lam-viec/"))


def test_the_api_session_ends_too(world: World, reception: User) -> None:
    with time_machine.travel(NINE, tick=False) as clock:
        client = log_in(reception)
        assert client.get("/api/v1/me").status_code == 200
        clock.shift(dt.timedelta(minutes=32))
        assert client.get("/api/v1/me").status_code == 401


def test_a_session_from_before_the_limit_is_shortened_on_its_next_request(
    world: World, reception: User
) -> None:
    with time_machine.travel(NINE, tick=False) as clock:
        client = Client()
        client.force_login(reception, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        del session["_session_expiry"]  # as sessions opened before this change were
        session.save()
        assert client.session.get_expiry_age() == 14 * 24 * 3600
        assert client.get("/lam-viec/").status_code == 200
        assert client.session.get_expiry_age() == 31 * 60
        clock.shift(dt.timedelta(minutes=32))
        assert is_out(client.get("/lam-viec/"))


def test_a_request_right_after_login_writes_nothing(world: World, reception: User) -> None:
    """The expiry is set in the session the login saves: the pages' query counts do not move."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = log_in(reception)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/lam-viec/").status_code == 200
    assert not [q for q in queries.captured_queries if "UPDATE" in q["sql"].upper()]
