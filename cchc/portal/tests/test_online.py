"""The citizen's path: draft → submission → counter receipt → tracking → completion; accounts by
one-time code; the public lookup that never leaks personal data or the existence of a code."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cchc.dossiers import actions as dossier_actions
from cchc.dossiers.models import Dossier
from cchc.notify.models import Message
from cchc.portal import actions
from cchc.portal.actions import PortalError
from cchc.portal.models import Draft
from cchc.testing import World, bearer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False


def alert(response: Any) -> str:
    """The refusal a page shows (the part of the page that could differ between two refusals)."""
    match = re.search(r'role="alert">(.*?)<', response.content.decode())
    return match.group(1) if match else ""


@pytest.fixture
def online(world: World, copy_implemented: None) -> World:
    """The certification procedure is offered partly online at commune A."""
    world.copy.versions.update(online_service="partial")
    return world


def fill_and_submit(client: Client, world: World) -> tuple[Dossier, Client]:
    """Fill a draft, lose the session, come back by the draft's address and submit; returns the
    dossier and the browser that submitted it (which may see its personal part)."""
    response = client.post(f"/nop-truc-tuyen/{world.copy.code}/", {"unit": "16300"})
    assert response.status_code == 302, response.content
    draft_url = response["Location"]
    client.post(
        draft_url,
        {"applicant_name": "Hoàng Văn Bảy", "applicant_phone": "0987 654 321"},
        HTTP_X_AUTOSAVE="1",
    )
    # The session is lost: the draft's address alone brings everything back.
    fresh = Client()
    page = fresh.get(draft_url).content.decode()
    assert "Hoàng Văn Bảy" in page
    fresh.post(draft_url, {"doc_1": SimpleUploadedFile("to-khai.pdf", PDF)})
    response = fresh.post(draft_url, {"submit": "1"})
    assert response.status_code == 302, response.content
    return Dossier.objects.get(), fresh


def test_a_citizen_submits_online_and_the_counter_receives_it(online: World, reception) -> None:
    dossier, _browser = fill_and_submit(Client(), online)
    assert dossier.status == "submitted" and dossier.channel == "online_partial"
    assert dossier.applicant_phone == "0987654321"
    assert dossier.documents.get().file.name.startswith("online/")
    assert Message.objects.filter(kind="submitted", recipient="0987654321").exists()
    listed = Client().get("/api/v1/dossiers?list=to_receive", **bearer(reception)).json()["items"]
    assert [d["code"] for d in listed] == [dossier.code]
    received = dossier_actions.receive_submitted(dossier, by=reception)
    assert received.status == "received" and received.due_at is not None


def test_a_draft_without_the_required_documents_is_not_submitted(online: World) -> None:
    client = Client()
    draft_url = client.post(f"/nop-truc-tuyen/{online.copy.code}/", {"unit": "16300"})["Location"]
    client.post(draft_url, {"applicant_name": "A", "applicant_phone": "0987654321"})
    page = client.post(draft_url, {"submit": "1"}, follow=True).content.decode()
    assert "Còn thiếu giấy tờ" in page
    assert not Dossier.objects.exists()


def test_procedures_without_online_service_cannot_be_started(
    world: World, copy_implemented
) -> None:
    world.copy.versions.update(online_service="none")
    page = (
        Client()
        .post(f"/nop-truc-tuyen/{world.copy.code}/", {"unit": "16300"}, follow=True)
        .content.decode()
    )
    assert "chưa cung cấp dịch vụ công trực tuyến" in page
    assert not Draft.objects.exists()


def test_a_bot_filling_the_honeypot_creates_nothing(online: World) -> None:
    Client().post(
        f"/nop-truc-tuyen/{online.copy.code}/", {"unit": "16300", "website": "http://spam"}
    )
    assert not Draft.objects.exists()


def test_tracking_shows_personal_data_only_with_the_applicants_phone(
    online: World, reception
) -> None:
    dossier, _browser = fill_and_submit(Client(), online)
    anonymous = Client().get(f"/tra-cuu/{dossier.code}/").content.decode()
    assert "chờ cán bộ kiểm tra" in anonymous and "Hoàng Văn Bảy" not in anonymous
    client = Client()
    wrong = client.post("/tra-cuu/", {"code": dossier.code, "phone": "0900000000"})
    unknown = client.post("/tra-cuu/", {"code": "000.30.10.H56-991231-9999", "phone": "0987654321"})
    assert wrong.status_code == unknown.status_code == 404
    assert alert(wrong) == alert(unknown) != ""
    ok = client.post(
        "/tra-cuu/", {"code": dossier.code, "phone": "0987654321"}, follow=True
    ).content.decode()
    assert "Hoàng Văn Bảy" in ok


def test_the_public_json_answers_an_unknown_code_like_a_wrong_phone(online: World) -> None:
    dossier, _browser = fill_and_submit(Client(), online)
    client = Client()
    public = client.get(f"/api/v1/public/dossiers/{dossier.code}").json()
    assert public["status"] == "submitted" and public["national_status"] == 1
    assert "applicant_name" not in json.dumps({k: v for k, v in public.items() if v is not None})
    personal = client.get(f"/api/v1/public/dossiers/{dossier.code}", {"phone": "0987654321"}).json()
    assert personal["applicant_name"] == "Hoàng Văn Bảy"
    wrong = client.get(f"/api/v1/public/dossiers/{dossier.code}", {"phone": "0911111111"})
    unknown = client.get(
        "/api/v1/public/dossiers/000.30.10.H56-991231-9999", {"phone": "0987654321"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


def test_lookups_are_rate_limited(online: World, settings: Any) -> None:
    settings.RATELIMIT_ENABLE = True
    client = Client()
    codes = [
        client.get("/api/v1/public/dossiers/X", {"phone": "0987654321"}).status_code
        for _ in range(22)
    ]
    assert codes[:20] == [404] * 20 and codes[-1] == 429
    assert (
        "quá nhiều"
        in client.get("/api/v1/public/dossiers/X", {"phone": "0987654321"}).json()["detail"]
    )


def test_an_incomplete_submission_is_completed_online(online: World, reception) -> None:
    dossier, client = fill_and_submit(Client(), online)
    dossier_actions.ask_completion(dossier, by=reception, missing=["Bản chụp CCCD hai mặt"])
    page = client.get(f"/tra-cuu/{dossier.code}/").content.decode()
    assert "Bản chụp CCCD hai mặt" in page
    client.post(
        f"/tra-cuu/{dossier.code}/bo-sung/", {"files": [SimpleUploadedFile("cccd.pdf", PDF)]}
    )
    dossier.refresh_from_db()
    assert dossier.status == "submitted" and dossier.documents.count() == 2


def test_a_disguised_upload_is_refused_with_a_message(online: World) -> None:
    client = Client()
    draft_url = client.post(f"/nop-truc-tuyen/{online.copy.code}/", {"unit": "16300"})["Location"]
    page = client.post(
        draft_url, {"doc_1": SimpleUploadedFile("x.pdf", b"MZ\x90\x00" * 20)}, follow=True
    ).content.decode()
    assert "Chỉ nhận tệp" in page


def test_a_citizen_signs_in_with_a_one_time_code_and_sees_their_dossiers(
    online: World, settings: Any
) -> None:
    settings.DEMO = False
    dossier, _browser = fill_and_submit(Client(), online)
    client = Client()
    client.post("/cong-dan/dang-nhap/", {"destination": "0987654321"})
    message = Message.objects.filter(kind="one_time_code").latest("id")
    code = message.body.split(": ")[1][:6]
    assert "Sai" not in code and code.isdigit()
    assert (
        client.post(
            "/cong-dan/xac-thuc/", {"code": "000000" if code != "000000" else "111111"}
        ).status_code
        == 422
    )
    assert client.post("/cong-dan/xac-thuc/", {"code": code}).status_code == 302
    assert dossier.code in client.get("/cong-dan/").content.decode()


def test_a_code_is_refused_after_too_many_tries(online: World) -> None:
    _otp, code = actions.request_code("0987654321")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(PortalError):
            actions.verify_code("0987654321", wrong)
    with pytest.raises(PortalError, match="quá nhiều"):
        actions.verify_code("0987654321", code)


def test_feedback_text_is_escaped_on_the_tracking_page(online: World, reception) -> None:
    dossier, client = fill_and_submit(Client(), online)
    dossier_actions.ask_completion(dossier, by=reception, missing=["<script>alert(1)</script>"])
    page = client.get(f"/tra-cuu/{dossier.code}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
