"""The dossier API: receipt, detail, actions and worklists, with the same rules as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cchc.dossiers.models import Dossier
from cchc.dossiers.tests.support import RECEIPT
from cchc.testing import World, at, bearer

pytestmark = pytest.mark.django_db


def post(user: Any, url: str, body: dict[str, Any], **headers: Any) -> Any:
    return Client().post(
        url, data=json.dumps(body), content_type="application/json", **bearer(user), **headers
    )


def test_a_receipt_answers_201_with_code_status_and_due(
    world: World, reception, copy_implemented
) -> None:
    response = post(reception, "/api/v1/dossiers", RECEIPT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith("000.30.10.H56-")
    assert body["status"] == "received" and body["national_status"] == 2
    assert body["due"].endswith("17:00:00+07:00")


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"procedure": "9.999999"}, 422, "9.999999"),
        ({"documents": []}, 422, "Tờ khai"),
        ({"unit": "16303"}, 404, "Không tìm thấy"),
        ({"unit": "99999"}, 404, "Không tìm thấy"),
        ({"channel": "fax"}, 400, ""),
        ({"applicant": {"name": ""}}, 422, "tên người nộp"),
        ({"outcome": "incomplete", "missing": []}, 422, "một lần"),
    ],
)
def test_bad_receipts_are_refused_and_write_nothing(
    world: World, reception, copy_implemented, change, status, words
) -> None:
    response = post(reception, "/api/v1/dossiers", {**RECEIPT, **change})
    assert response.status_code == status, response.content
    assert words in json.dumps(response.json(), ensure_ascii=False)
    assert Dossier.objects.count() == 0


def test_the_api_needs_a_token(world: World) -> None:
    assert (
        Client().post("/api/v1/dossiers", data="{}", content_type="application/json").status_code
        == 401
    )


def test_an_idempotency_key_makes_a_retried_receipt_create_one_dossier(
    world: World, reception, copy_implemented
) -> None:
    first = post(reception, "/api/v1/dossiers", RECEIPT, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = post(reception, "/api/v1/dossiers", RECEIPT, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["code"] == again.json()["code"]
    assert Dossier.objects.count() == 1
    other = post(
        reception,
        "/api/v1/dossiers",
        {**RECEIPT, "applicant": {"name": "Khác"}},
        HTTP_IDEMPOTENCY_KEY="abc-1",
    )
    assert other.status_code == 422
    assert (
        post(reception, "/api/v1/dossiers", RECEIPT, HTTP_IDEMPOTENCY_KEY="abc-2").json()["code"]
        != first.json()["code"]
    )


def test_detail_has_steps_and_history(received: Dossier, reception) -> None:
    body = Client().get(f"/api/v1/dossiers/{received.code}", **bearer(reception)).json()
    assert [s["name"] for s in body["steps"]] == ["Tiếp nhận", "Xử lý"]
    assert [e["action"] for e in body["history"]] == ["receive"]


def test_another_communes_officer_gets_404_for_detail_and_actions(
    received: Dossier, reception_b
) -> None:
    assert (
        Client().get(f"/api/v1/dossiers/{received.code}", **bearer(reception_b)).status_code == 404
    )
    response = post(reception_b, f"/api/v1/dossiers/{received.code}/actions/withdraw", {})
    assert response.status_code == 404
    received.refresh_from_db()
    assert received.status == "received"


def test_actions_answer_200_409_422_403(received: Dossier, reception, specialist, leader) -> None:
    url = f"/api/v1/dossiers/{received.code}/actions"
    ok = post(reception, f"{url}/hand_over", {"version": 1, "to": "minh"})
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "processing" and ok.json()["version"] == 2
    stale = post(leader, f"{url}/resolve", {"version": 1})
    assert stale.status_code == 409 and "vừa được người khác cập nhật" in stale.json()["detail"]
    illegal = post(reception, f"{url}/return_result", {"version": 2})
    assert illegal.status_code == 409 and "Đã xử lý xong" in illegal.json()["detail"]
    no_reason = post(leader, f"{url}/refuse", {"version": 2, "reason": ""})
    assert no_reason.status_code == 422
    wrong_role = post(reception, f"{url}/resolve", {"version": 2})
    assert wrong_role.status_code == 403
    # A name that is no action is not found; a known action refused here keeps its answer.
    unknown = post(leader, f"{url}/fly", {"version": 2})
    assert unknown.status_code == 404 and "Không có thao tác “fly”" in unknown.json()["detail"]
    not_here = post(leader, f"{url}/submit", {"version": 2})
    assert not_here.status_code == 422 and "submit" in not_here.json()["detail"]
    naive = post(
        leader,
        f"{url}/reschedule",
        {"version": 2, "new_due": "2025-08-12T17:00:00", "reason": "x"},
    )
    assert naive.status_code == 422
    done = post(leader, f"{url}/resolve", {"version": 2, "digital": True})
    assert done.status_code == 200 and done.json()["status"] == "resolved"


def test_worklists_page_by_cursor(world: World, reception, copy_implemented) -> None:
    from cchc.dossiers.actions import receive_dossier
    from cchc.testing import receipt_for

    codes = [
        receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 8, i)).code
        for i in range(7)
    ]
    client, headers = Client(), bearer(reception)
    seen: list[str] = []
    cursor = None
    while True:
        query: dict[str, Any] = {
            "list": "open",
            "limit": 3,
            **({"cursor": cursor} if cursor else {}),
        }
        body = client.get("/api/v1/dossiers", query, **headers).json()
        seen += [d["code"] for d in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(codes) and len(seen) == 7
    assert client.get("/api/v1/dossiers", {"list": "nope"}, **headers).status_code == 400
    assert client.get("/api/v1/dossiers", {"cursor": "garbage!"}, **headers).status_code == 400


def test_worklist_search_by_phone_and_code(world: World, received: Dossier, reception) -> None:
    client, headers = Client(), bearer(reception)
    for q in ["0912345678", received.code, "0001", "Nguyễn Văn"]:
        items = client.get("/api/v1/dossiers", {"list": "open", "q": q}, **headers).json()["items"]
        assert [d["code"] for d in items] == [received.code], q
    assert (
        client.get("/api/v1/dossiers", {"list": "open", "q": "Lê Thị"}, **headers).json()["items"]
        == []
    )


def test_historical_dossiers_import_through_the_api_line_by_line(
    world: World, carol, copy_implemented
) -> None:
    line = {
        "external_id": "old-1",
        "procedure": "2.000815",
        "unit": "16300",
        "channel": "counter",
        "applicant": {"name": "Đỗ Văn Tư"},
        "received_at": "2025-08-04T09:00:00+07:00",
        "finished_at": "2025-08-05T10:00:00+07:00",
        "returned_at": "2025-08-06T10:00:00+07:00",
        "status": "returned",
    }
    body = "\n".join(
        [
            json.dumps(line),
            "{not json",
            json.dumps({**line, "external_id": "old-2", "unit": "16303"}),
        ]
    )
    client, headers = Client(), bearer(carol)
    response = client.post(
        "/api/v1/dossiers/import", data=body, content_type="application/x-ndjson", **headers
    )
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["created"], result["failed"]) == (1, 2), result["errors"]
    assert [e["line"] for e in result["errors"]] == [2, 3]
    again = client.post(
        "/api/v1/dossiers/import",
        data=json.dumps(line),
        content_type="application/x-ndjson",
        **headers,
    )
    assert again.json()["unchanged"] == 1
    assert Dossier.objects.get(external_id="old-1").outcome == "early"
    wrong = client.post(
        "/api/v1/dossiers/import", data="{}", content_type="application/json", **headers
    )
    assert wrong.status_code == 415
