"""Repeated counter-pad requests at once act once (issue 10, defect 6, checked for the queue):
the queue needs no `version`, because each button acts on the counter's state under its row lock.
A counter with a number called is busy until that number moves on, so 50 clicks of "call next"
call one number; "start" moves the ticket on, so the 49 copies find it moved. (Recall is meant
to repeat: each press announces the number again.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from cchc.testing import World, bearer, run_together
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import Ticket
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db(transaction=True)


def fifty(url: str, headers: dict[str, Any]) -> list[Any]:
    def one() -> int:
        client = Client(raise_request_exception=False)
        return client.post(url, "{}", content_type="application/json", **headers).status_code

    return run_together([one] * 50)


def test_fifty_clicks_on_call_next_call_one_number_and_start_it_once(
    world: World, queue: Queue, reception: Any
) -> None:
    with time_machine.travel(moment(MONDAY, 8), tick=True):
        for _ in range(5):
            queue_actions.issue_ticket(world.commune_a)
        headers = bearer(reception)
        url = f"/api/v1/queue/counters/{queue.one.pk}"
        called = fifty(f"{url}/call-next", headers)
        assert called.count(200) == 1 and called.count(409) == 49, called
        assert Ticket.objects.filter(status="called").count() == 1
        assert Ticket.objects.filter(status="waiting").count() == 4
        started = fifty(f"{url}/start", headers)
        assert started.count(200) == 1 and started.count(409) == 49, started
        assert Ticket.objects.filter(status="serving").count() == 1
        body = json.loads(Client().get(url, **headers).content)
        assert body["current"]["code"] == "001" and body["waiting"] == 4
