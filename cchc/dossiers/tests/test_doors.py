"""The page and the API accept and refuse the same things (issue 13, "one shape").

Each bad input goes through both doors, the page's form as a logged-in officer and the API's
body with a token: both refuse with the same status and the same sentence, and the dossier is
left as it was. The same good input is taken by both and leads to the same state.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from cchc.dossiers.models import Dossier, DossierEvent
from cchc.testing import World, api_answer, at, bearer, logged_in, page_answer

pytestmark = pytest.mark.django_db


def page(user: Any, dossier: Dossier, action: str, form: dict[str, str]) -> tuple[int, str]:
    """The page's answer: its status and the refusal shown above the dossier ("" if none)."""
    return page_answer(user, f"/lam-viec/ho-so/{dossier.code}/thao-tac/{action}/", form)


def api(user: Any, dossier: Dossier, action: str, body: dict[str, Any]) -> tuple[int, str]:
    return api_answer(user, f"/api/v1/dossiers/{dossier.code}/actions/{action}", body)


def unchanged(dossier: Dossier) -> tuple[Any, ...]:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.status,
        fresh.row_version,
        fresh.due_at,
        DossierEvent.objects.filter(dossier=dossier).count(),
    )


# Each: the action, the page's form, the API's body (the same input in each door's notation),
# the status both answer with and a part of the sentence both give.
BAD = {
    "a recipient of another role": (
        "hand_over",
        {"version": "1", "to": "hung"},
        {"version": 1, "to": "hung"},
        422,
        "Người nhận không thuộc vai trò của bước tiếp theo",
    ),
    "a recipient who is nobody": (
        "hand_over",
        {"version": "1", "to": "nobody"},
        {"version": 1, "to": "nobody"},
        422,
        "Người nhận không thuộc vai trò của bước tiếp theo",
    ),
    "no version": ("note", {"reason": "Đã gọi"}, {"reason": "Đã gọi"}, 422, "Thiếu version"),
    "a stale version": (
        "note",
        {"version": "0", "reason": "Đã gọi"},
        {"version": 0, "reason": "Đã gọi"},
        409,
        "vừa được người khác cập nhật (version hiện tại 1, yêu cầu gửi 0)",
    ),
    "an empty note": ("note", {"version": "1"}, {"version": 1}, 422, "Ghi chú trống"),
    "an amount of nothing": (
        "request_payment",
        {"version": "1", "amount_vnd": "0"},
        {"version": 1, "amount_vnd": 0},
        422,
        "Số tiền phải nộp phải lớn hơn 0",
    ),
    "an action that does not exist": ("fly", {"version": "1"}, {"version": 1}, 404, ""),
}


@pytest.mark.parametrize(("action", "form", "body", "status", "reason"), BAD.values(), ids=BAD)
def test_both_doors_refuse_the_same_input_alike_and_change_nothing(
    received: Dossier,
    reception: Any,
    specialist: Any,
    leader: Any,
    action: str,
    form: dict[str, str],
    body: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    before = unchanged(received)
    page_status, page_reason = page(reception, received, action, form)
    api_status, api_reason = api(reception, received, action, body)
    assert (page_status, api_status) == (status, status)
    if status != 404:
        assert reason in page_reason and page_reason == api_reason
    assert unchanged(received) == before


def test_input_past_the_schemas_limits_is_refused_by_both_naming_the_field(
    received: Dossier, reception: Any
) -> None:
    before = unchanged(received)
    page_status, page_reason = page(
        reception, received, "note", {"version": "1", "reason": "x" * 10_001}
    )
    api_status, api_reason = api(
        reception, received, "note", {"version": 1, "reason": "x" * 10_001}
    )
    assert (page_status, api_status) == (400, 400)
    assert "reason" in page_reason and "reason" in api_reason
    assert unchanged(received) == before


# The specialist's acts, on the dossier handed to them (version 2).
BAD_AT_SPECIALIST = {
    "a new date without the date": (
        {"version": "2", "reason": "Chờ xác minh"},
        {"version": 2, "reason": "Chờ xác minh"},
        "Thiếu ngày hẹn mới",
    ),
    # A Sunday: the page's wall-clock text and the API's +07:00 are the same moment, named
    # alike in the refusal.
    "a new date on a Sunday": (
        {"version": "2", "reason": "Chờ xác minh", "new_due": "10:00 10/08/2025"},
        {"version": 2, "reason": "Chờ xác minh", "new_due": "2025-08-10T10:00:00+07:00"},
        "Ngày hẹn mới 10:00 10/08/2025 không phải giờ làm việc",
    ),
}


@pytest.mark.parametrize(
    ("form", "body", "reason"), BAD_AT_SPECIALIST.values(), ids=BAD_AT_SPECIALIST
)
def test_both_doors_refuse_a_bad_new_date_alike_and_change_nothing(
    received: Dossier,
    reception: Any,
    specialist: Any,
    form: dict[str, str],
    body: dict[str, Any],
    reason: str,
) -> None:
    handed = _at_specialist(received, reception)
    before = unchanged(handed)
    page_status, page_reason = page(specialist, handed, "reschedule", form)
    api_status, api_reason = api(specialist, handed, "reschedule", body)
    assert (page_status, api_status) == (422, 422)
    assert reason in page_reason and page_reason == api_reason
    assert unchanged(handed) == before


def test_the_api_refuses_a_moment_without_its_offset_the_page_reads_its_wall_clock(
    received: Dossier, reception: Any, specialist: Any
) -> None:
    # The decision (dossiers/inputs.py): the page's box is the office's clock; a program says
    # which moment it means.
    handed = _at_specialist(received, reception)
    naive = {"version": 2, "reason": "Chờ", "new_due": "2025-08-10T10:00:00"}
    status, reason = api(specialist, handed, "reschedule", naive)
    assert status == 422 and "new_due phải có múi giờ" in reason
    form = {"version": "2", "reason": "Chờ", "new_due": "2025-08-10T10:00"}
    status, reason = page(specialist, handed, "reschedule", form)
    assert status == 422 and "Ngày hẹn mới 10:00 10/08/2025 không phải giờ làm việc" in reason
    assert unchanged(handed)[1] == 2


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_same_good_input_is_taken_by_either_door(
    received: Dossier, reception: Any, specialist: Any, door: str
) -> None:
    if door == "page":
        status, reason = page(reception, received, "hand_over", {"version": "1", "to": "minh"})
        assert (status, reason) == (302, "")
    else:
        assert api(reception, received, "hand_over", {"version": 1, "to": "minh"}) == (200, "")
    received.refresh_from_db()
    assert (received.status, received.row_version, received.assignee) == (
        "processing",
        2,
        specialist,
    )


@pytest.mark.parametrize(
    ("door", "new_due"),
    [
        ("page", "10:00 08/08/2025"),
        ("page", "08/08/2025 10:00"),
        ("api", "2025-08-08T10:00:00+07:00"),
    ],
)
def test_a_new_date_means_the_same_moment_through_either_door(
    received: Dossier, reception: Any, specialist: Any, door: str, new_due: str
) -> None:
    received = _at_specialist(received, reception)
    version = received.row_version
    with time_machine.travel(at("2025-08-05", 10), tick=False):
        if door == "page":
            form = {"version": str(version), "reason": "Chờ xác minh", "new_due": new_due}
            assert page(specialist, received, "reschedule", form) == (302, "")
        else:
            body = {"version": version, "reason": "Chờ xác minh", "new_due": new_due}
            assert api(specialist, received, "reschedule", body) == (200, "")
    received.refresh_from_db()
    assert received.due_at == at("2025-08-08", 10)


def _at_specialist(dossier: Dossier, reception: Any) -> Dossier:
    from cchc.dossiers import actions

    return actions.hand_over(
        dossier,
        by=reception,
        to=type(reception).objects.get(username="minh"),
        at=at("2025-08-04", 10),
    )


# -- the counter's outcome is decided once ---------------------------------------------------

COUNTER_PAGE = {
    "procedure": "2.000815",
    "unit": "16300",
    "applicant_kind": "person",
    "applicant_name": "Nguyễn Văn An",
    "applicant_phone": "0912345678",
    "channel": "counter",
    "return_method": "counter",
    "doc_1": "on",
    "doc_1_originals": "1",
    "doc_1_copies": "0",
}
COUNTER_API = {
    "procedure": "2.000815",
    "unit": "16300",
    "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
    "documents": [{"position": 1, "originals": 1}],
}


@pytest.mark.parametrize(
    ("page_extra", "api_extra", "reason"),
    [
        (
            {"outcome": "incomplete", "missing": "  "},
            {"outcome": "incomplete", "missing": []},
            "Phải ghi đầy đủ, một lần các nội dung cần bổ sung.",
        ),
        (
            {"outcome": "refused", "reason": " "},
            {"outcome": "refused", "reason": " "},
            "Phải ghi rõ lý do từ chối tiếp nhận.",
        ),
    ],
    ids=["guided without the list", "refused without a reason"],
)
def test_the_counter_refuses_an_outcome_without_its_content_at_both_doors(
    world: World,
    reception: Any,
    copy_implemented: None,
    page_extra: dict[str, str],
    api_extra: dict[str, Any],
    reason: str,
) -> None:
    shown = logged_in(reception).post("/lam-viec/ho-so/tiep-nhan/", {**COUNTER_PAGE, **page_extra})
    answered = Client().post(
        "/api/v1/dossiers",
        data=json.dumps({**COUNTER_API, **api_extra}),
        content_type="application/json",
        **bearer(reception),
    )
    assert (shown.status_code, answered.status_code) == (422, 422)
    assert reason in html.unescape(shown.content.decode())
    assert answered.json()["detail"] == reason
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_counter_guides_to_complete_the_same_way_through_either_door(
    world: World, reception: Any, copy_implemented: None, door: str
) -> None:
    if door == "page":
        form = {**COUNTER_PAGE, "outcome": "incomplete", "missing": "Tờ khai — chưa ký"}
        assert logged_in(reception).post("/lam-viec/ho-so/tiep-nhan/", form).status_code == 302
    else:
        body = {
            **COUNTER_API,
            "outcome": "incomplete",
            "missing": [{"name": "Tờ khai", "reason": "chưa ký"}],
        }
        response = Client().post(
            "/api/v1/dossiers",
            data=json.dumps(body),
            content_type="application/json",
            **bearer(reception),
        )
        assert response.status_code == 201, response.content
    dossier = Dossier.objects.get()
    event = dossier.events.get()
    assert (dossier.status, event.data["missing"]) == (
        "incomplete",
        [{"name": "Tờ khai", "reason": "chưa ký"}],
    )


# -- uploads need the version too ---------------------------------------------------------------


def test_an_upload_without_version_or_at_an_old_one_is_refused_by_both_doors(
    received: Dossier, reception: Any, settings: Any, tmp_path: Any
) -> None:
    # The page used to store any upload, twice when a form was sent twice.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.dossiers.tests.support import PNG

    settings.MEDIA_ROOT = tmp_path

    def through_page(**form: Any) -> tuple[int, str]:
        upload = {"file": SimpleUploadedFile("a.png", PNG), **form}
        return page_answer(reception, f"/lam-viec/ho-so/{received.code}/giay-to/", upload)

    def through_api(**form: Any) -> tuple[int, str]:
        response = Client().post(
            f"/api/v1/dossiers/{received.code}/documents",
            {"file": SimpleUploadedFile("a.png", PNG), **form},
            **bearer(reception),
        )
        return response.status_code, response.json().get("detail", "")

    on_page, on_api = through_page(), through_api()
    assert on_page == on_api and on_page[0] == 422
    assert "Thiếu version" in on_page[1]
    assert through_page(version="1")[0] == 302
    page_again, api_again = through_page(version="1"), through_api(version=1)
    assert page_again == api_again and page_again[0] == 409
    assert received.documents.exclude(file="").count() == 1
