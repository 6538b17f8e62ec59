"""The portal finds a dossier however its code and the applicant's phone are typed: a code in
lower case (issue 9, item 12), "+84…" for a phone given as "0912 345 678" at the counter."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cchc.accounts.models import User
from cchc.dossiers.models import Dossier
from cchc.notify.models import Message
from cchc.testing import World, logged_in

pytestmark = pytest.mark.django_db

API = "/api/v1/public/dossiers/{}"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    settings.DEMO = False


@pytest.fixture
def at_counter(world: World, reception: User, copy_implemented: None) -> Dossier:
    """Received at the counter page with the phone typed "0912 345 678"."""
    response = logged_in(reception).post(
        "/lam-viec/ho-so/tiep-nhan/",
        {
            "procedure": "2.000815",
            "unit": "16300",
            "applicant_kind": "person",
            "applicant_name": "Lê Thị Hoa",
            "applicant_phone": "0912 345 678",
            "channel": "counter",
            "return_method": "counter",
            "outcome": "received",
            "doc_1": "on",
            "doc_1_originals": "1",
            "doc_1_copies": "0",
        },
    )
    assert response.status_code == 302
    return Dossier.objects.get()


def sign_in(client: Client, destination: str) -> None:
    assert client.post("/cong-dan/dang-nhap/", {"destination": destination}).status_code == 302
    message = Message.objects.filter(kind="one_time_code").latest("id")
    code = message.body.split(": ")[1][:6]
    assert client.post("/cong-dan/xac-thuc/", {"code": code}).status_code == 302


# -- tracking codes in any case ------------------------------------------------------------------


def test_the_qr_page_answers_a_code_typed_in_lower_case(received: Dossier) -> None:
    assert received.code != received.code.lower()
    page = Client().get(f"/tra-cuu/{received.code.lower()}/")
    assert page.status_code == 200 and received.code in page.content.decode()


def test_the_public_api_answers_a_code_typed_in_lower_case(received: Dossier) -> None:
    client = Client()
    upper = client.get(API.format(received.code))
    lower = client.get(API.format(received.code.lower()))
    assert lower.status_code == 200 and lower.json()["code"] == received.code
    assert lower.content == upper.content
    personal = client.get(API.format(received.code.lower()), {"phone": "+84 912 345 678"})
    assert personal.status_code == 200 and personal.json()["applicant_name"] == "Nguyễn Văn An"


def test_every_spelling_of_a_code_shares_one_warm_lookup(
    received: Dossier, django_assert_num_queries: Any
) -> None:
    client = Client()
    client.get(API.format(received.code))
    with django_assert_num_queries(1):  # the stamp only: the answer is the upper-case one's
        assert client.get(API.format(received.code.lower())).status_code == 200


def test_a_lower_case_code_with_a_wrong_phone_is_still_not_found(received: Dossier) -> None:
    client = Client()
    assert client.get(API.format(received.code.lower()), {"phone": "0900000000"}).status_code == 404
    assert client.get(API.format("000.30.10.h56-991231-9999")).status_code == 404


# -- the applicant's phone however typed -----------------------------------------------------------


def test_the_tracking_check_accepts_the_phone_and_the_code_however_typed(
    at_counter: Dossier,
) -> None:
    client = Client()
    response = client.post(
        "/tra-cuu/", {"code": at_counter.code.lower(), "phone": "+84 912 345 678"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/tra-cuu/{at_counter.code}/"
    assert "Lê Thị Hoa" in client.get(response["Location"]).content.decode()
    # The same session sees it by the lower-case address too.
    assert "Lê Thị Hoa" in client.get(f"/tra-cuu/{at_counter.code.lower()}/").content.decode()


def test_the_citizen_account_lists_a_counter_dossier_whatever_the_spelling(
    at_counter: Dossier,
) -> None:
    client = Client()
    sign_in(client, "+84 912 345 678")
    home = client.get("/cong-dan/").content.decode()
    assert at_counter.code in home
    # Their dossier's personal view, by its address in any case.
    assert "Lê Thị Hoa" in client.get(f"/tra-cuu/{at_counter.code.lower()}/").content.decode()


def test_another_citizen_does_not_see_the_personal_view(at_counter: Dossier) -> None:
    client = Client()
    sign_in(client, "0987 654 321")
    assert at_counter.code not in client.get("/cong-dan/").content.decode()
    assert "Lê Thị Hoa" not in client.get(f"/tra-cuu/{at_counter.code}/").content.decode()


def test_signing_in_needs_a_mobile(world: World) -> None:
    response = Client().post("/cong-dan/dang-nhap/", {"destination": "0237 3870 123"})
    assert response.status_code == 422
    assert "Số máy bàn không nhận được tin nhắn" in response.content.decode()


# -- online submission -----------------------------------------------------------------------------


@pytest.fixture
def draft_url(world: World, copy_implemented: None) -> str:
    world.copy.versions.update(online_service="partial")
    client = Client()
    url = client.post(f"/nop-truc-tuyen/{world.copy.code}/", {"unit": "16300"})["Location"]
    client.post(url, {"doc_1": SimpleUploadedFile("to-khai.pdf", PDF)})
    return url


def submit(url: str, **values: str) -> Any:
    client = Client()
    client.post(url, {"applicant_name": "Hoàng Văn Bảy", **values})
    return client.post(url, {"submit": "1"}, follow=True)


def test_an_online_submission_stores_the_phone_and_id_number_in_one_form(draft_url: str) -> None:
    submit(draft_url, applicant_phone="+84 987.654.321", applicant_id_number="038 090 001 234")
    dossier = Dossier.objects.get()
    assert (dossier.applicant_phone, dossier.applicant_id_number) == (
        "0987654321",
        "038090001234",
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"applicant_phone": "0237 3870 123"}, "Số máy bàn không nhận được tin nhắn"),
        ({"applicant_phone": "0987 654 32"}, "Số điện thoại di động không hợp lệ"),
        (
            {"applicant_phone": "0987654321", "applicant_id_number": "172345678"},
            "Chứng minh nhân dân 9 số đã hết giá trị",
        ),
        ({"applicant_phone": "0987654321", "applicant_kind": "robot"}, "cá nhân hay tổ chức"),
    ],
)
def test_an_online_submission_says_what_to_correct(
    draft_url: str, values: dict, message: str
) -> None:
    page = submit(draft_url, **values).content.decode()
    assert message in page and not Dossier.objects.exists()
