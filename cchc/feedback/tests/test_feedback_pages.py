"""PAKN pages and API: the public form (honeypot, escaping, limits), the status page and the
published list without personal data, and the staff pages scoped to the user's units."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cchc.accounts.models import User
from cchc.feedback import pakn
from cchc.feedback.choices import Category, Status
from cchc.feedback.models import Feedback
from cchc.feedback.tests.support import form_data, send
from cchc.testing import World, at, bearer, logged_in

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def published(world: World, user: User, **overrides: Any) -> Feedback:
    feedback = send(world, **overrides)
    feedback = pakn.classify(feedback, by=user, category=Category.WITHIN)
    feedback = pakn.answer(feedback, by=user, text="Đã niêm yết.")
    return pakn.publish(
        feedback, by=user, summary=overrides.get("content", "Tóm tắt"), text="Đã niêm yết."
    )


# -- the public form ---------------------------------------------------------------------------


def test_the_form_shows_the_units_hotline_and_email(world: World) -> None:
    world.commune_a.hotline = "0237 3870 123"
    world.commune_a.email = "motcua@ngason.gov.vn"
    world.commune_a.save()
    page = Client().get("/phan-anh/?don-vi=16300").content.decode()
    assert "0237 3870 123" in page and "motcua@ngason.gov.vn" in page
    assert 'tabindex="-1"' in page and 'aria-hidden="true"' in page  # the honeypot


def test_a_feedback_sent_from_the_form_gets_its_code(world: World) -> None:
    upload = SimpleUploadedFile("anh.pdf", PDF, "application/pdf")
    client = Client()
    response = client.post("/phan-anh/", {**form_data(), "attachments": [upload]}, follow=True)
    feedback = Feedback.objects.get()
    # Post/Redirect/Get: the code is on the page the form redirects to; reloading it sends nothing.
    assert response.redirect_chain == [("/phan-anh/da-gui/", 302)]
    assert response.status_code == 200 and feedback.code in response.content.decode()
    assert feedback.code in client.get("/phan-anh/da-gui/").content.decode()
    assert Feedback.objects.count() == 1
    assert feedback.attachments.count() == 1


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(world: World) -> None:
    response = Client().post("/phan-anh/", form_data(website="http://spam.example"), follow=True)
    assert response.status_code == 200 and "PAKN-" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_refusal_says_what_to_do(world: World) -> None:
    response = Client().post("/phan-anh/", form_data(kind="complaint", subject="conduct"))
    assert response.status_code == 422
    assert "phải ghi họ tên" in response.content.decode()


def test_a_disguised_program_is_refused_on_the_form(world: World) -> None:
    exe = SimpleUploadedFile("don.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = Client().post("/phan-anh/", {**form_data(), "attachments": [exe]})
    assert response.status_code == 422 and "Chỉ nhận tệp PDF" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_is_limited_per_ip(world: World, rate_limits_on: None) -> None:
    client = Client()
    codes = [client.post("/phan-anh/", form_data()).status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert Feedback.objects.count() == 5
    # The API draws on the same budget.
    api = client.post("/api/v1/feedback", form_data(), content_type="application/json")
    assert api.status_code == 429 and "quá nhiều" in api.json()["detail"]
    # Reading the form is not counted.
    assert client.get("/phan-anh/").status_code == 200


# -- status page and published answers ---------------------------------------------------------


def test_the_status_page_shows_progress_and_no_personal_data(world: World) -> None:
    feedback = send(
        world, name="Lê Văn Cường", phone="0912345678", email="cuong@example.vn", content=SCRIPT
    )
    page = Client().get(f"/phan-anh/tra-cuu/{feedback.code}/")
    text = page.content.decode()
    assert page.status_code == 200 and "Đã tiếp nhận" in text
    for private in ("Lê Văn Cường", "0912345678", "cuong@example.vn", "alert("):
        assert private not in text
    assert Client().get("/phan-anh/tra-cuu/PAKN-260302-ZZZZZ/").status_code == 404
    assert Client().get(f"/phan-anh/tra-cuu/?code={feedback.code}").status_code == 302


def test_a_script_in_a_feedback_is_shown_as_text_everywhere(world: World, reception: User) -> None:
    feedback = published(world, reception, content=f"Phản ánh {SCRIPT} về giờ làm việc")
    for client, url in (
        (Client(), "/phan-anh/cong-khai/"),
        (Client(), f"/phan-anh/tra-cuu/{feedback.code}/"),
        (logged_in(reception), f"/lam-viec/phan-anh/{feedback.code}/"),
        (logged_in(reception), "/lam-viec/phan-anh/?list=all"),
    ):
        text = client.get(url).content.decode()
        assert SCRIPT not in text, url
    public = Client().get("/phan-anh/cong-khai/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in public


def test_the_public_list_is_anonymised_and_filterable_by_unit(
    world: World, reception: User, bob: User
) -> None:
    world.commune_b.hotline = "0237 3999 888"
    world.commune_b.save()
    a = published(world, reception, name="Lê Văn Cường", phone="0912345678")
    b = published(world, bob, unit=world.commune_b, content="Nội dung ở xã Nga Thắng ạ")
    send(world)  # not published
    page = Client().get("/phan-anh/cong-khai/").content.decode()
    assert "Lê Văn Cường" not in page and "0912345678" not in page
    assert page.count("<article") == 2
    only_b = Client().get("/phan-anh/cong-khai/?don-vi=16303").content.decode()
    assert only_b.count("<article") == 1 and b.public_summary in only_b
    assert a.code not in only_b and "0237 3999 888" in only_b


# -- staff pages -------------------------------------------------------------------------------


def test_staff_act_from_the_page(world: World, reception: User) -> None:
    feedback = send(world)
    client = logged_in(reception)
    url = f"/lam-viec/phan-anh/{feedback.code}/"
    assert "Phân loại" in client.get(url).content.decode()
    # Each form sends back the version the page showed (the count of history entries).
    response = client.post(f"{url}thao-tac/classify/", {"category": "outside", "version": "1"})
    assert response.status_code == 302
    response = client.post(f"{url}thao-tac/forward/", {"to_unit": "38", "version": "2"})
    feedback.refresh_from_db()
    assert feedback.status == Status.FORWARDED and feedback.forwarded_to == "Tỉnh Thanh Hóa"
    refused = client.post(f"{url}thao-tac/publish/", {"summary": "a", "text": "b", "version": "3"})
    assert refused.status_code == 409 and "Công khai kết quả" in refused.content.decode()
    assert client.post(f"{url}thao-tac/explode/").status_code == 404


def test_another_units_feedback_is_404_on_every_staff_page_and_endpoint(
    world: World, reception_b: User
) -> None:
    feedback = send(world, files=[SimpleUploadedFile("a.pdf", PDF)])
    attachment = feedback.attachments.get()
    client = logged_in(reception_b)
    base = f"/lam-viec/phan-anh/{feedback.code}/"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}thao-tac/classify/", {"category": "within"}).status_code == 404
    assert client.get(f"{base}tep/{attachment.pk}/").status_code == 404
    assert feedback.code not in client.get("/lam-viec/phan-anh/?list=all").content.decode()
    api, headers = Client(), bearer(reception_b)
    assert api.get(f"/api/v1/feedback/staff/items/{feedback.code}", **headers).status_code == 404
    act = api.post(
        f"/api/v1/feedback/staff/items/{feedback.code}/classify",
        {"category": "within"},
        content_type="application/json",
        **headers,
    )
    assert act.status_code == 404
    listing = api.get("/api/v1/feedback/staff/items?list=all", **headers).json()
    assert listing == []
    assert Feedback.objects.get().status == Status.RECEIVED


def test_staff_download_attachments_under_a_safe_name(world: World, reception: User) -> None:
    feedback = send(world, files=[SimpleUploadedFile("đơn <x>.pdf", PDF)])
    attachment = feedback.attachments.get()
    response = logged_in(reception).get(f"/lam-viec/phan-anh/{feedback.code}/tep/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{feedback.code}-{attachment.pk}.pdf"'
    )


def test_the_worklist_shows_overdue_items(world: World, reception: User) -> None:
    late = send(world, at=at("2026-03-02"))
    fresh = send(world, at=at("2026-03-09"))
    with time_machine.travel(at("2026-03-10", 10)):
        page = logged_in(reception).get("/lam-viec/phan-anh/?list=overdue").content.decode()
    assert late.code in page and fresh.code not in page
    assert "Quá hạn (1)" in page and "Mới tiếp nhận (2)" in page


def test_the_to_forward_list_shows_the_forward_deadline(world: World, reception: User) -> None:
    feedback = pakn.classify(
        send(world, at=at("2026-02-13", 10)), by=reception, category=Category.CONDUCT
    )
    with time_machine.travel(at("2026-02-24", 10)):
        page = logged_in(reception).get("/lam-viec/phan-anh/?list=to_forward").content.decode()
    assert feedback.code in page and "27/02/2026" in page


def test_the_worklist_costs_the_same_queries_for_3_or_20_rows(
    world: World, reception: User
) -> None:
    client = logged_in(reception)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for _ in range(n):
            feedback = send(world, procedure=world.copy)
            pakn.classify(feedback, by=reception, category=Category.WITHIN)

    add(3)
    few = {key: count(f"/lam-viec/phan-anh/?list={key}") for key in ("to_answer", "all")}
    add(17)
    many = {key: count(f"/lam-viec/phan-anh/?list={key}") for key in ("to_answer", "all")}
    assert few == many


def test_staff_pages_need_a_login(world: World) -> None:
    assert Client().get("/lam-viec/phan-anh/").status_code == 302


# -- API ---------------------------------------------------------------------------------------


def test_the_api_takes_a_feedback_and_shows_its_status_without_personal_data(
    world: World,
) -> None:
    client = Client()
    sent = client.post(
        "/api/v1/feedback",
        form_data(name="Lê Văn Cường", phone="0912345678"),
        content_type="application/json",
    )
    assert sent.status_code == 201
    code = sent.json()["code"]
    status = client.get(f"/api/v1/feedback/{code}")
    assert status.status_code == 200 and status.json()["status"] == "received"
    assert "Lê Văn Cường" not in status.content.decode()
    assert "0912345678" not in status.content.decode()
    assert client.get("/api/v1/feedback/PAKN-260302-ZZZZZ").status_code == 404


def test_the_api_honeypot_and_refusals(world: World) -> None:
    client = Client()
    robot = client.post("/api/v1/feedback", form_data(website="x"), content_type="application/json")
    assert robot.status_code == 201 and robot.json()["code"].startswith("PAKN-")
    assert not Feedback.objects.exists()
    complaint = client.post(
        "/api/v1/feedback",
        form_data(kind="complaint", subject="conduct"),
        content_type="application/json",
    )
    assert complaint.status_code == 422 and "họ tên" in complaint.json()["detail"]
    unknown = client.post(
        "/api/v1/feedback", form_data(unit="99999"), content_type="application/json"
    )
    assert unknown.status_code == 422


def test_staff_act_through_the_api(world: World, reception: User) -> None:
    feedback = send(world)
    client, headers = Client(), bearer(reception)
    url = f"/api/v1/feedback/staff/items/{feedback.code}"

    def act(action: str, **body: str):
        # Each action sends the version it read: the count of history entries.
        version = client.get(url, **headers).json()["version"]
        return client.post(
            f"{url}/{action}",
            {**body, "version": version},
            content_type="application/json",
            **headers,
        )

    assert act("classify", category="within").json()["status"] == "classified"
    answered = act("answer", text="Trả lời")
    assert answered.status_code == 200 and answered.json()["answer"] == "Trả lời"
    assert act("reject", reason="muộn").status_code == 409
    detail = client.get(url, **headers).json()
    assert [e["action"] for e in detail["events"]] == ["submit", "classify", "answer"]
