"""The queue's page and API accept and refuse the same things (issue 13, "one shape"): the
counter's buttons (page as a logged-in officer, API with a token) and the kiosk (page and
API) read their input through `tickets/inputs.py`, so one bad input gets one sentence and
changes nothing, and one good input does the same thing through either door."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client

from cchc.accounts.models import User
from cchc.testing import World, api_answer, logged_in
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import Ticket
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db

API = "/api/v1/queue"


@pytest.fixture
def monday() -> Any:
    with time_machine.travel(moment(MONDAY, 8), tick=True) as traveller:
        yield traveller


@pytest.fixture
def serving(world: World, queue: Queue, reception: User, monday: Any) -> Ticket:
    """Counter 1 serves 001; 002 waits."""
    queue_actions.issue_ticket(world.commune_a)
    queue_actions.issue_ticket(world.commune_a)
    called = queue_actions.call_next(queue.one, by=reception)
    assert called is not None
    return queue_actions.start_service(called, by=reception)


def page(user: User, counter_id: int, action: str, form: dict[str, str]) -> tuple[int, str]:
    """The counter page answers with a redirect; its refusal is the message shown after it."""
    response = logged_in(user).post(f"/lam-viec/quay/{counter_id}/{action}/", form)
    shown = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    return response.status_code, shown[0] if shown else ""


def api(user: User, counter_id: int, action: str, body: dict[str, Any]) -> tuple[int, str]:
    return api_answer(user, f"{API}/counters/{counter_id}/{action}", body)


def tickets() -> list[tuple[str, str, int | None]]:
    return list(Ticket.objects.order_by("pk").values_list("code", "status", "counter_id"))


def test_a_transfer_to_another_units_counter_is_refused_alike(
    queue: Queue, reception: User, serving: Ticket
) -> None:
    before = tickets()
    page_answer = page(
        reception, queue.one.pk, "transfer", {"to_counter": str(queue.other_unit.pk)}
    )
    api_answer = api(reception, queue.one.pk, "transfer", {"to_counter": queue.other_unit.pk})
    reason = "Vui lòng chọn quầy nhận (to_counter) của cùng đơn vị."
    assert page_answer == (302, reason) and api_answer == (422, reason)
    assert tickets() == before


def test_a_ticket_id_that_is_no_number_is_refused_not_read_as_the_current_ticket(
    queue: Queue, reception: User, serving: Ticket
) -> None:
    # The page used to read "abc" as "no ticket named" and skip the number being served.
    before = tickets()
    status, reason = page(reception, queue.one.pk, "skip", {"ticket": "abc"})
    assert status == 302 and "Dữ liệu gửi lên không hợp lệ: ticket" in reason
    status, reason = api(reception, queue.one.pk, "skip", {"ticket": "abc"})
    assert status == 400 and "ticket" in reason
    assert tickets() == before


def test_a_button_with_nothing_at_the_counter_is_refused_alike(
    queue: Queue, reception: User, serving: Ticket
) -> None:
    before = tickets()
    page_answer = page(reception, queue.two.pk, "finish", {})
    api_answer = api(reception, queue.two.pk, "finish", {})
    reason = "Quầy chưa có số nào đang gọi. Hãy gọi số tiếp theo trước."
    assert page_answer == (302, reason) and api_answer == (409, reason)
    assert tickets() == before


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_same_transfer_is_taken_by_either_door(
    queue: Queue, reception: User, serving: Ticket, door: str
) -> None:
    if door == "page":
        answer = page(reception, queue.one.pk, "transfer", {"to_counter": str(queue.two.pk)})
        assert answer == (302, "")
    else:
        assert api(reception, queue.one.pk, "transfer", {"to_counter": queue.two.pk}) == (200, "")
    serving.refresh_from_db()
    assert (serving.status, serving.counter_id) == ("transferred", queue.two.pk)


# -- the kiosk ---------------------------------------------------------------------------------

BAD_KIOSK = {
    "a field that is none": ({"field": "nope"}, {"field": "nope"}, 422, "Không có lĩnh vực “nope”"),
    "an empty code": ({"code": ""}, {"code": ""}, 422, "Vui lòng quét mã hoặc nhập mã"),
}


@pytest.mark.parametrize(("form", "body", "status", "reason"), BAD_KIOSK.values(), ids=BAD_KIOSK)
def test_the_kiosk_refuses_the_same_input_alike_at_both_doors(
    queue: Queue,
    monday: Any,
    form: dict[str, str],
    body: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    shown = Client().post("/xep-hang/16300/", form)
    answered = Client().post(
        f"{API}/16300/tickets", json.dumps(body), content_type="application/json"
    )
    assert (shown.status_code, answered.status_code) == (status, status)
    assert reason in html.unescape(shown.content.decode())
    assert reason in answered.json()["detail"]
    assert not Ticket.objects.exists()
