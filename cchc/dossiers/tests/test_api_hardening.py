"""The dossier API under bad input (issue 10, defects 4 and 6): every refusal is a 4xx that names
the problem and writes nothing, never a 500; an action without `version` is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client

from cchc.dossiers import actions
from cchc.dossiers.models import Dossier, DossierDocument, DossierEvent, IdempotentReceipt
from cchc.dossiers.tests.support import PNG, RECEIPT
from cchc.testing import bearer

pytestmark = pytest.mark.django_db


def send(user: Any, url: str, body: Any, **headers: Any) -> Any:
    # raise_request_exception=False: a 500 is an answer to assert on, not a test error.
    client = Client(raise_request_exception=False)
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **bearer(user), **headers)


APPLICANT: dict[str, str] = dict(RECEIPT["applicant"])  # type: ignore[arg-type]

# Each of these reached the database and answered 500 on PostgreSQL (and on SQLite, for the
# numbers past a CHECK constraint).
BAD_RECEIPTS = {
    "name of 201 characters": {"applicant": {**APPLICANT, "name": "A" * 201}},
    "phone of 21 characters": {"applicant": {**APPLICANT, "phone": "0" * 21}},
    "40000 originals": {"documents": [{"position": 1, "originals": 40000}]},
    "-5 originals": {"documents": [{"position": 1, "originals": -5}]},
    "NUL in the name": {"applicant": {**APPLICANT, "name": "Nguyễn\x00An"}},
    "NUL in the procedure": {"procedure": "2.000815\x00"},
    "NUL in the unit": {"unit": "16300\x00"},
    "NUL in a refusal's reason": {"outcome": "refused", "reason": "Thiếu\x00giấy"},
    "NUL in a missing item": {"outcome": "incomplete", "missing": ["Tờ\x00khai"]},
    "a thousand documents": {"documents": [{"position": 1, "originals": 1}] * 1000},
}


@pytest.mark.parametrize("change", BAD_RECEIPTS.values(), ids=BAD_RECEIPTS.keys())
@pytest.mark.parametrize("key", ["", "retry-1"], ids=["no key", "idempotency key"])
def test_a_bad_receipt_answers_400_naming_the_field_and_writes_nothing(
    reception, copy_implemented, change: dict[str, Any], key: str
) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = send(reception, "/api/v1/dossiers", {**RECEIPT, **change}, **headers)
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert detail.startswith("Dữ liệu gửi lên không hợp lệ:")
    assert Dossier.objects.count() == IdempotentReceipt.objects.count() == 0


def test_the_400_says_which_field_and_what_is_wrong(reception, copy_implemented) -> None:
    body: dict[str, Any] = {
        **RECEIPT,
        "applicant": {**APPLICANT, "name": "A" * 201, "address": "x\x00"},
    }
    detail = send(reception, "/api/v1/dossiers", body).json()["detail"]
    assert "applicant.name: dài quá 200 ký tự" in detail
    assert "applicant.address: có ký tự không hợp lệ (NUL)" in detail


@pytest.mark.parametrize(
    "key", ["k" * 101, "khóa-có-dấu", "a\x00b"], ids=["101 characters", "non-ASCII", "NUL"]
)
def test_an_unusable_idempotency_key_answers_400(reception, copy_implemented, key: str) -> None:
    response = send(reception, "/api/v1/dossiers", RECEIPT, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert not Dossier.objects.exists()


def test_a_constraint_broken_by_the_receipt_itself_is_409_not_a_key_race(
    reception, copy_implemented, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The IntegrityError branch used to assume a key race and look the key up with .get():
    # an error of the receipt itself then became a DoesNotExist and a 500.
    def broken(*_args: Any, **_kwargs: Any) -> Dossier:
        raise IntegrityError("CHECK constraint failed")

    monkeypatch.setattr(actions, "receive_dossier", broken)
    response = send(reception, "/api/v1/dossiers", RECEIPT, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409, response.content
    assert "chưa có gì được lưu" in response.json()["detail"]
    assert not IdempotentReceipt.objects.exists()


# -- actions need the version they were decided on -------------------------------------------


def test_null_as_an_action_body_is_refused_and_nothing_moves(received: Dossier, reception) -> None:
    response = send(reception, f"/api/v1/dossiers/{received.code}/actions/hand_over", "null")
    assert response.status_code == 422, response.content
    assert "Thiếu version" in response.json()["detail"]
    received.refresh_from_db()
    assert (received.status, received.row_version) == ("received", 1)


@pytest.mark.parametrize("body", [{}, {"version": None}, {"reason": "Ghi chú"}])
def test_an_action_without_version_is_422_with_the_reason(
    received: Dossier, reception, body: dict[str, Any]
) -> None:
    response = send(reception, f"/api/v1/dossiers/{received.code}/actions/note", body)
    assert response.status_code == 422
    assert "Thiếu version" in response.json()["detail"]
    assert DossierEvent.objects.filter(dossier=received, action="note").count() == 0


def test_a_repeated_note_is_written_once(received: Dossier, reception) -> None:
    url = f"/api/v1/dossiers/{received.code}/actions/note"
    first = send(reception, url, {"version": 1, "reason": "Đã gọi điện"})
    again = send(reception, url, {"version": 1, "reason": "Đã gọi điện"})
    assert first.status_code == 200 and first.json()["version"] == 2
    assert again.status_code == 409
    assert "version hiện tại 2, yêu cầu gửi 1" in again.json()["detail"]
    assert DossierEvent.objects.filter(dossier=received, action="note").count() == 1


def test_an_upload_needs_the_version_too(
    received: Dossier, reception, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    url = f"/api/v1/dossiers/{received.code}/documents"
    client = Client()
    missing = client.post(url, {"file": SimpleUploadedFile("a.png", PNG)}, **bearer(reception))
    assert missing.status_code == 422 and "Thiếu version" in missing.json()["detail"]
    ok = client.post(
        url, {"file": SimpleUploadedFile("a.png", PNG), "version": 1}, **bearer(reception)
    )
    again = client.post(
        url, {"file": SimpleUploadedFile("a.png", PNG), "version": 1}, **bearer(reception)
    )
    assert (ok.status_code, again.status_code) == (201, 409)
    assert DossierDocument.objects.filter(dossier=received).exclude(file="").count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1, "reason": "x" * 10_001},
        {"version": 1, "reason": "a\x00b"},
        {"version": -1},
        {"version": 2**40},
        {"version": 1, "amount_vnd": -8000},
        {"version": 1, "amount_vnd": 2**70},
        {"version": 1, "items": ["Tờ khai\x00"]},
        {"version": 1, "to": "minh\x00"},
        {"version": 1, "postal_tracking": "E" * 41},
    ],
)
def test_bad_action_input_answers_400_and_changes_nothing(
    received: Dossier, reception, body: dict[str, Any]
) -> None:
    response = send(reception, f"/api/v1/dossiers/{received.code}/actions/hand_over", body)
    assert response.status_code == 400, response.content
    received.refresh_from_db()
    assert received.row_version == 1


def test_paths_and_queries_are_bounded_too(received: Dossier, reception) -> None:
    client = Client(raise_request_exception=False)
    headers = bearer(reception)
    assert client.get(f"/api/v1/dossiers/{'X' * 65}", **headers).status_code == 400
    assert client.get(f"/api/v1/dossiers/{received.code}/documents/0", **headers).status_code == 400
    huge = 2**63
    assert (
        client.get(f"/api/v1/dossiers/{received.code}/documents/{huge}", **headers).status_code
        == 400
    )
    assert client.get("/api/v1/dossiers", {"limit": 201}, **headers).status_code == 400
    assert client.get("/api/v1/dossiers", {"q": "x" * 201}, **headers).status_code == 400
