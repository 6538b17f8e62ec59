"""Staff pages: the register with its filters, a document's page, the forms (refusing what the
actions refuse, with the same message and status), a plan's tasks; another unit gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.accounts.models import User
from cchc.records import actions
from cchc.records.actions import TaskFields
from cchc.records.models import OfficialDocument
from cchc.records.tests.support import pdf_bytes, register
from cchc.testing import World, logged_in


def _form(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "unit": "16300",
        "reference": "20/KH-UBND",
        "issued_on": "06/02/2026",
        "title": "Kế hoạch cải cách hành chính năm 2026",
        "signer": "Lê Văn A, Chủ tịch",
    }
    values.update(overrides)
    return values


def test_the_staff_menu_links_to_the_register(world: World, keeper: User) -> None:
    response = logged_in(keeper).get(reverse("units:workspace"))
    assert reverse("records:register") in response.content.decode()


def test_a_document_is_registered_from_the_form_with_its_file(world: World, keeper: User) -> None:
    client = logged_in(keeper)
    data = _form(file=SimpleUploadedFile("kh.pdf", pdf_bytes()))
    response = client.post(reverse("records:add"), data)
    document = OfficialDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("records:document", args=[document.pk])
    page = client.get(response["Location"]).content.decode()
    assert "20/KH-UBND" in page and "06/02/2026" in page
    assert "Tệp PDF không có chữ ký số" in page


def test_a_bad_number_is_shown_in_the_error_summary_with_the_reason(
    world: World, keeper: User
) -> None:
    response = logged_in(keeper).post(reverse("records:add"), _form(reference="20/KH"))
    page = response.content.decode()
    assert response.status_code == 422
    assert 'href="#id_reference"' in page  # the error summary links to the field
    assert "Thiếu chữ viết tắt tên cơ quan ban hành sau “KH-”" in page
    assert not OfficialDocument.objects.exists()


def test_a_duplicate_is_refused_by_the_page_with_409(world: World, keeper: User) -> None:
    register(world, keeper, "20/KH-UBND")
    response = logged_in(keeper).post(reverse("records:add"), _form(reference="20/kh-ubnd"))
    assert response.status_code == 409
    assert "20/KH-UBND năm 2026 đã có trong sổ" in response.content.decode()
    assert OfficialDocument.objects.count() == 1


def test_a_file_of_the_wrong_kind_is_refused_by_the_page(world: World, keeper: User) -> None:
    data = _form(file=SimpleUploadedFile("kh.pdf", b"MZ" + b"\x00" * 100))
    response = logged_in(keeper).post(reverse("records:add"), data)
    assert response.status_code == 422
    assert "Chỉ nhận tệp PDF" in response.content.decode()
    assert not OfficialDocument.objects.exists()


def test_the_register_filters_and_shows_dates_the_vietnamese_way(
    world: World, keeper: User
) -> None:
    register(world, keeper, "20/KH-UBND")
    register(world, keeper, "05/BC-UBND", title="Báo cáo CCHC quý I", issued_on=dt.date(2026, 3, 1))
    client = logged_in(keeper)
    page = client.get(reverse("records:register")).content.decode()
    assert page.index("05/BC-UBND") < page.index("20/KH-UBND")  # newest first
    assert "01/03/2026" in page
    found = client.get(reverse("records:register"), {"q": "bao cao"}).content.decode()
    assert "05/BC-UBND" in found and "20/KH-UBND" not in found
    typed = client.get(reverse("records:register"), {"q": "20/KH", "type": "plan"}).content.decode()
    assert "20/KH-UBND" in typed and "05/BC-UBND" not in typed


def test_an_edit_from_the_page_appears_in_the_history(world: World, keeper: User) -> None:
    document = register(world, keeper, "20/KH-UBND")
    client = logged_in(keeper)
    response = client.post(
        reverse("records:edit", args=[document.pk]), _form(title="Kế hoạch CCHC năm 2026 (sửa)")
    )
    assert response.status_code == 302
    page = client.get(reverse("records:document", args=[document.pk])).content.decode()
    assert "Kế hoạch CCHC năm 2026 (sửa)" in page and "Sửa thông tin" in page
    assert "Trích yếu “Kế hoạch cải cách hành chính năm 2026” → “Kế hoạch CCHC" in page


def test_a_plans_page_marks_late_tasks(world: World, keeper: User) -> None:
    document = register(world, keeper, "20/KH-UBND")
    plan = actions.create_plan(
        document,
        by=keeper,
        tasks=[
            TaskFields("Tự kiểm tra CCHC", dt.date(2026, 1, 15), owner_person="Lê Thị Kiểm"),
            TaskFields("Khảo sát hài lòng", dt.date(2099, 6, 30), owner_body="Một cửa"),
        ],
    )
    client = logged_in(keeper)
    page = client.get(reverse("records:plan", args=[plan.pk])).content.decode()
    assert "0/2 nhiệm vụ hoàn thành" in page and "1 nhiệm vụ quá hạn" in page
    assert page.count('class="badge late">Quá hạn') == 1
    late = plan.tasks.get(position=1)
    response = client.post(
        reverse("records:update_task", args=[plan.pk]),
        {"task": late.pk, "progress": "done", "result": "", "done_on": ""},
    )
    assert response.status_code == 422
    assert "Nhiệm vụ đã hoàn thành cần ghi kết quả." in response.content.decode()
    response = client.post(
        reverse("records:update_task", args=[plan.pk]),
        {
            "task": late.pk,
            "progress": "done",
            "result": "Đã kiểm tra 3 bộ phận",
            "done_on": "20/01/2026",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("records:plan", args=[plan.pk])).content.decode()
    assert "1/2 nhiệm vụ hoàn thành" in page and "sau hạn" in page


def test_a_plan_is_created_from_the_documents_page(world: World, keeper: User) -> None:
    document = register(world, keeper, "20/KH-UBND")
    response = logged_in(keeper).post(
        reverse("records:create_plan", args=[document.pk]), {"topic": "communication"}
    )
    assert response.status_code == 302
    assert document.plan.topic == "communication"


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("records:document", "get"),
        ("records:edit", "get"),
        ("records:edit", "post"),
        ("records:download", "get"),
        ("records:attach", "post"),
        ("records:create_plan", "post"),
    ],
)
def test_another_communes_officer_gets_404(
    world: World, keeper: User, keeper_b: User, name: str, method: str
) -> None:
    document = register(world, keeper, file=SimpleUploadedFile("kh.pdf", pdf_bytes()))
    client = logged_in(keeper_b)
    response = getattr(client, method)(reverse(name, args=[document.pk]), _form())
    assert response.status_code == 404
    document.refresh_from_db()
    assert document.edits.count() == 2  # registered, file: nothing of B's


@pytest.mark.parametrize("name", ["records:plan", "records:add_task", "records:update_task"])
def test_another_communes_officer_gets_404_on_a_plan(
    world: World, keeper: User, keeper_b: User, name: str
) -> None:
    plan = actions.create_plan(register(world, keeper), by=keeper)
    client = logged_in(keeper_b)
    url = reverse(name, args=[plan.pk])
    response = client.get(url) if name == "records:plan" else client.post(url, {})
    assert response.status_code == 404


def test_a_clerk_reads_the_register_but_cannot_edit(
    world: World, keeper: User, clerk: User
) -> None:
    document = register(world, keeper)
    client = logged_in(clerk)
    assert client.get(reverse("records:document", args=[document.pk])).status_code == 200
    assert client.get(reverse("records:edit", args=[document.pk])).status_code == 403
    assert client.get(reverse("records:add")).status_code == 404


def test_the_register_costs_the_same_queries_for_3_or_13_documents(
    world: World, keeper: User
) -> None:
    client = logged_in(keeper)
    for n in range(1, 4):
        register(world, keeper, f"{n}/BC-UBND", title=f"Báo cáo {n}")
    client.get(reverse("records:register"))  # warm: session, memberships
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("records:register"))
    for n in range(4, 14):
        register(world, keeper, f"{n}/BC-UBND", title=f"Báo cáo {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("records:register")).content.decode()
    assert "13/BC-UBND" in page
    assert len(many.captured_queries) == len(few.captured_queries)
