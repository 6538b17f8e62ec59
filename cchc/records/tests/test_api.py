"""The register's API: list and search, register with a file, plans and tasks — refusing bad
input the way the pages do (same message, same status), and 404 for another unit's rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import User
from cchc.records import actions
from cchc.records.actions import TaskFields
from cchc.records.models import OfficialDocument
from cchc.records.tests.support import pdf_bytes, register
from cchc.testing import World, bearer, logged_in

API = "/api/v1/records"


def _fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "unit": "16300",
        "reference": "20/KH-UBND",
        "issued_on": "2026-02-06",
        "title": "Kế hoạch cải cách hành chính năm 2026",
        "signer": "Lê Văn A, Chủ tịch",
    }
    values.update(overrides)
    return values


def _page_form(**overrides: Any) -> dict[str, Any]:
    values = _fields(issued_on="06/02/2026")
    values.update(overrides)
    return values


def test_a_document_is_registered_with_its_file(world: World, keeper: User) -> None:
    data = {**_fields(), "file": SimpleUploadedFile("kh.pdf", pdf_bytes())}
    response = Client().post(f"{API}/documents", data, **bearer(keeper))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["reference"], body["type"], body["issuer"]) == ("20/KH-UBND", "plan", "UBND")
    assert (body["file_signature"], body["digitally_signed"]) == ("unsigned", False)
    assert [h["kind"] for h in body["history"]] == ["registered", "file"]


@pytest.mark.parametrize(
    ("bad", "status", "reason"),
    [
        ({"reference": "20/KH"}, 422, "Thiếu chữ viết tắt tên cơ quan ban hành sau “KH-”"),
        ({"reference": "2O/KH-UBND"}, 422, "Số văn bản phải là chữ số"),
        ({"title": "  "}, 422, "Chưa nhập trích yếu của văn bản."),
        ({"reference": "20/kh-ubnd"}, 409, "20/KH-UBND năm 2026 đã có trong sổ"),
        ({"reference": "21/KH-UBND", "file": b"MZ" + b"\x00" * 100}, 422, "Chỉ nhận tệp PDF"),
    ],
)
def test_the_api_and_the_page_refuse_the_same_input_the_same_way(
    world: World, keeper: User, bad: dict[str, Any], status: int, reason: str
) -> None:
    register(world, keeper, "20/KH-UBND")
    upload = bad.pop("file", None)
    files = {"file": SimpleUploadedFile("x.pdf", upload)} if upload else {}
    api = Client().post(f"{API}/documents", {**_fields(**bad), **files}, **bearer(keeper))
    if upload:
        files = {"file": SimpleUploadedFile("x.pdf", upload)}
    page = logged_in(keeper).post(reverse("records:add"), {**_page_form(**bad), **files})
    assert api.status_code == page.status_code == status
    detail = api.json()["detail"]
    message = next(iter(detail.values()))[0] if isinstance(detail, dict) else detail
    assert reason in message
    assert message in page.content.decode()
    assert OfficialDocument.objects.count() == 1


def test_search_by_number_and_by_words_without_diacritics(world: World, keeper: User) -> None:
    register(world, keeper, "20/KH-UBND")
    register(world, keeper, "05/BC-UBND", title="Báo cáo kết quả CCHC quý I")
    client = Client()
    by_number = client.get(f"{API}/documents", {"q": "20/KH"}, **bearer(keeper)).json()
    assert [d["reference"] for d in by_number["items"]] == ["20/KH-UBND"]
    by_words = client.get(f"{API}/documents", {"q": "bao cao ket qua"}, **bearer(keeper)).json()
    assert [d["reference"] for d in by_words["items"]] == ["05/BC-UBND"]
    signed = client.get(f"{API}/documents", {"signed": "true"}, **bearer(keeper)).json()
    assert signed["count"] == 0


def test_another_units_document_and_plan_answer_404(
    world: World, keeper: User, keeper_b: User
) -> None:
    document = register(world, keeper)
    plan = actions.create_plan(document, by=keeper)
    client, auth = Client(), bearer(keeper_b)
    assert client.get(f"{API}/documents/{document.pk}", **auth).status_code == 404
    assert client.get(f"{API}/plans/{plan.pk}/tasks", **auth).status_code == 404
    edit = client.put(
        f"{API}/documents/{document.pk}",
        _fields(title="Sửa trộm"),
        content_type="application/json",
        **auth,
    )
    assert edit.status_code == 404
    assert client.post(f"{API}/documents", _fields(), **auth).status_code == 404
    assert client.get(f"{API}/documents", {"unit": "16300"}, **auth).status_code == 404
    assert client.get(f"{API}/documents", **auth).json()["count"] == 0
    document.refresh_from_db()
    assert document.title == "Kế hoạch cải cách hành chính năm 2026"


def test_a_plan_with_tasks_and_its_progress(world: World, keeper: User) -> None:
    document = register(world, keeper)
    client, auth = Client(), bearer(keeper)
    response = client.post(
        f"{API}/documents/{document.pk}/plan",
        {
            "topic": "cchc",
            "tasks": [
                {"content": "Tự kiểm tra", "due_on": "2026-01-15", "owner_person": "Lê Thị Kiểm"},
                {"content": "Khảo sát", "due_on": "2099-06-30", "owner_body": "Một cửa"},
            ],
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    plan = response.json()
    assert [t["status"] for t in plan["tasks"]] == ["late", "not_started"]
    assert (plan["progress"]["total"], plan["progress"]["late"]) == (2, 1)
    url = f"{API}/plans/{plan['id']}/tasks/1"
    late = client.put(url, {"progress": "late"}, content_type="application/json", **auth)
    assert late.status_code == 422
    assert "tự chuyển quá hạn" in late.json()["detail"]["progress"][0]
    done = client.put(
        url,
        {"progress": "done", "result": "Đã kiểm tra", "done_on": "2026-01-20"},
        content_type="application/json",
        **auth,
    )
    assert done.status_code == 200
    first = done.json()["tasks"][0]
    assert (first["status"], first["finished_late"]) == ("done", True)


def test_a_plan_from_a_report_is_refused(world: World, keeper: User) -> None:
    report = register(world, keeper, "05/BC-UBND", title="Báo cáo")
    response = Client().post(
        f"{API}/documents/{report.pk}/plan", {}, content_type="application/json", **bearer(keeper)
    )
    assert response.status_code == 422
    assert "loại Kế hoạch (KH)" in response.json()["detail"]


def test_the_year_summary(world: World, keeper: User) -> None:
    document = register(world, keeper)
    actions.create_plan(
        document,
        by=keeper,
        tasks=[TaskFields("Tự kiểm tra", dt.date(2026, 1, 15), owner_person="Kiểm")],
    )
    response = Client().get(f"{API}/summary", {"unit": "16300", "year": "2026"}, **bearer(keeper))
    body = response.json()
    assert body["documents_total"] == 1 and body["plans"]["late"] == 1
    assert body["documents"][0]["abbreviation"] == "KH"
