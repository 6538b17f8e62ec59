"""The PAKN page and the API accept and refuse the same things (issue 13, "one shape"): each bad
input through both doors (the page's form as a logged-in officer, the API's body with a token)
is refused with the same status and sentence and changes nothing; good input is taken by both."""

from __future__ import annotations

from typing import Any

import pytest

from cchc.feedback import pakn
from cchc.feedback.models import Feedback
from cchc.feedback.tests.support import send
from cchc.testing import World, api_answer, page_answer

pytestmark = pytest.mark.django_db


def page(user: Any, feedback: Feedback, action: str, form: dict[str, str]) -> tuple[int, str]:
    return page_answer(user, f"/lam-viec/phan-anh/{feedback.code}/thao-tac/{action}/", form)


def api(user: Any, feedback: Feedback, action: str, body: dict[str, Any]) -> tuple[int, str]:
    return api_answer(user, f"/api/v1/feedback/staff/items/{feedback.code}/{action}", body)


def state(feedback: Feedback) -> tuple[Any, ...]:
    fresh = Feedback.objects.get(pk=feedback.pk)
    return fresh.status, fresh.category, fresh.forwarded_to, fresh.events.count()


BAD = {
    "no version": (
        "classify",
        {"category": "within"},
        {"category": "within"},
        422,
        "Thiếu version",
    ),
    "a stale version": (
        "classify",
        {"category": "within", "version": "0"},
        {"category": "within", "version": 0},
        409,
        "version hiện tại 1, yêu cầu gửi 0",
    ),
    "a category that is none": (
        "classify",
        {"category": "maybe", "version": "1"},
        {"category": "maybe", "version": 1},
        422,
        "Hãy chọn một loại phân loại",
    ),
}


@pytest.mark.parametrize(("action", "form", "body", "status", "reason"), BAD.values(), ids=BAD)
def test_both_doors_refuse_the_same_input_alike_and_change_nothing(
    world: World,
    reception: Any,
    action: str,
    form: dict[str, str],
    body: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    feedback = send(world)
    before = state(feedback)
    page_status, page_reason = page(reception, feedback, action, form)
    api_status, api_reason = api(reception, feedback, action, body)
    assert (page_status, api_status) == (status, status)
    assert reason in page_reason and page_reason == api_reason
    assert state(feedback) == before


def test_forwarding_to_a_unit_code_that_names_none_is_refused_not_dropped(
    world: World, reception: Any
) -> None:
    # Before, both doors dropped the unknown code and forwarded to the typed name alone.
    feedback = pakn.classify(send(world), by=reception, category="outside")
    before = state(feedback)
    form = {"version": "2", "to_unit": "99999", "to_name": "Sở Tư pháp"}
    body = {"version": 2, "to_unit": "99999", "to_name": "Sở Tư pháp"}
    page_status, page_reason = page(reception, feedback, "forward", form)
    api_status, api_reason = api(reception, feedback, "forward", body)
    assert (page_status, api_status) == (422, 422)
    assert "Không có đơn vị mã “99999”" in page_reason and page_reason == api_reason
    assert state(feedback) == before


def test_input_past_the_schemas_limits_is_refused_by_both_naming_the_field(
    world: World, reception: Any
) -> None:
    # The page used to send a 301-character name on to the database (a 500 on PostgreSQL).
    feedback = pakn.classify(send(world), by=reception, category="outside")
    before = state(feedback)
    page_status, page_reason = page(
        reception, feedback, "forward", {"version": "2", "to_name": "S" * 301}
    )
    api_status, api_reason = api(
        reception, feedback, "forward", {"version": 2, "to_name": "S" * 301}
    )
    assert (page_status, api_status) == (400, 400)
    assert "to_name" in page_reason and "to_name" in api_reason
    assert state(feedback) == before


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_same_good_input_is_taken_by_either_door(
    world: World, reception: Any, door: str
) -> None:
    feedback = pakn.classify(send(world), by=reception, category="outside")
    if door == "page":
        answer = page(reception, feedback, "forward", {"version": "2", "to_unit": "38"})
        assert answer == (302, "")
    else:
        assert api(reception, feedback, "forward", {"version": 2, "to_unit": "38"}) == (200, "")
    assert state(feedback) == ("forwarded", "outside", "Tỉnh Thanh Hóa", 3)
