"""The printed ticket is public by its random token only: sequential ids are not enumerable."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from cchc.accounts.models import User
from cchc.testing import World, logged_in
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import Ticket
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(moment(MONDAY, 8), tick=True) as traveller:
        yield traveller


@pytest.fixture
def ticket(world: World, queue: Queue, monday: Any) -> Ticket:
    return queue_actions.issue_ticket(world.commune_a, field=queue.civil)


def test_the_kiosk_prints_at_the_tickets_token_address(world: World, queue: Queue, monday: Any):
    response = Client().post("/xep-hang/16300/", {"field": "ho-tich"})
    ticket = Ticket.objects.get()
    assert len(ticket.token) >= 16
    assert response["Location"] == f"/xep-hang/ve/{ticket.token}/in/?may=1"
    assert f"/ve/{ticket.pk}/" not in response["Location"]
    page = Client().get(response["Location"])
    assert page.status_code == 200 and ticket.code in page.content.decode()


def test_a_ticket_is_not_found_by_its_sequential_id(ticket: Ticket) -> None:
    # Walking ids 1, 2, 3… gave every citizen's ticket and, through its QR code, the token of
    # their status page.
    response = Client().get(f"/xep-hang/ve/{ticket.pk}/in/")
    assert response.status_code == 404
    assert ticket.token not in response.content.decode()


def test_staff_of_the_unit_still_reprint_by_id(ticket: Ticket, reception: User) -> None:
    response = logged_in(reception).get(f"/xep-hang/ve/{ticket.pk}/in/")
    assert response.status_code == 200
    assert ticket.code in response.content.decode()


def test_staff_of_another_unit_get_404_by_id(ticket: Ticket, reception_b: User) -> None:
    assert logged_in(reception_b).get(f"/xep-hang/ve/{ticket.pk}/in/").status_code == 404


def test_an_unknown_token_is_404(ticket: Ticket) -> None:
    # One character changed (never to itself: a token ending in "x" once made this a 200).
    other = "y" if ticket.token.endswith("x") else "x"
    assert Client().get(f"/xep-hang/ve/{ticket.token[:-1]}{other}/in/").status_code == 404


def test_the_kiosk_api_gives_the_token_address(world: World, queue: Queue, monday: Any) -> None:
    created = Client().post(
        "/api/v1/queue/16300/tickets", {"field": "ho-tich"}, content_type="application/json"
    )
    assert created.status_code == 201
    ticket = Ticket.objects.get()
    assert created.json()["print_url"] == f"/xep-hang/ve/{ticket.token}/in/"
    assert Client().get(created.json()["print_url"]).status_code == 200


def test_the_counters_poll_is_not_activity(
    world: World, queue: Queue, reception: User, settings: Any
) -> None:
    """An open counter screen polls every 8 s; the session still ends after the idle timeout."""
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel(moment(MONDAY, 8), tick=False) as clock:
        client = logged_in(reception)
        assert client.get(f"/lam-viec/quay/{queue.one.pk}/").status_code == 200
        for minutes in (10, 10, 10):
            clock.shift(minutes * 60 - 1)
            poll = client.get(f"/lam-viec/quay/{queue.one.pk}/cho/")
            assert poll.status_code == 200
        clock.shift(70)  # 31 minutes after the last real click
        poll = client.get(f"/lam-viec/quay/{queue.one.pk}/cho/")
        assert poll.status_code == 302
        assert poll["Location"].startswith("/tai-khoan/dang-nhap/")
