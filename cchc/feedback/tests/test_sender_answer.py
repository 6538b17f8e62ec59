"""The sender reads the answer: from the browser that sent it, with the phone proven on the
lookup, or signed in as the citizen with that phone; anyone else sees only the published text."""

from __future__ import annotations

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.feedback import pakn
from cchc.feedback.choices import Category
from cchc.feedback.models import Feedback
from cchc.feedback.tests.support import send
from cchc.testing import World

pytestmark = pytest.mark.django_db

ANSWER = "Xã đã bổ sung bảng niêm yết lệ phí tại quầy số 1 từ ngày 05/03/2026."


def answered(world: World, user: User, **overrides: object) -> Feedback:
    feedback = send(world, phone="0912 000 111", name="Lê Văn Sáu", **overrides)
    feedback = pakn.classify(feedback, by=user, category=Category.WITHIN)
    return pakn.answer(feedback, by=user, text=ANSWER)


def test_the_answer_is_shown_to_the_browser_that_sent_it(world: World, reception: User) -> None:
    client = Client()
    sent = client.post(
        "/phan-anh/",
        {
            "unit": "16300",
            "kind": "report",
            "subject": "regulation",
            "content": "Chưa niêm yết lệ phí.",
            "phone": "0912000111",
        },
    )
    assert sent.status_code == 302
    feedback = Feedback.objects.get()
    pakn.classify(feedback, by=reception, category=Category.WITHIN)
    pakn.answer(feedback, by=reception, text=ANSWER)
    page = client.get(f"/phan-anh/tra-cuu/{feedback.code}/").content.decode()
    assert ANSWER in page and "Xã Nga Sơn trả lời ngày" in page
    # Someone with the code alone: the status, not the answer sent to the sender.
    other = Client().get(f"/phan-anh/tra-cuu/{feedback.code}/").content.decode()
    assert "Đã trả lời" in other and ANSWER not in other


def test_the_sender_proves_the_phone_on_the_lookup(world: World, reception: User) -> None:
    feedback = answered(world, reception)
    client = Client()
    wrong = client.post("/phan-anh/tra-cuu/", {"code": feedback.code, "phone": "0988000111"})
    unknown = client.post(
        "/phan-anh/tra-cuu/", {"code": "PAKN-000000-AAAAA", "phone": "0912000111"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert "không khớp" in wrong.content.decode()
    page = client.post(
        "/phan-anh/tra-cuu/",
        {"code": feedback.code.lower(), "phone": "+84 912 000 111"},
        follow=True,
    )
    assert page.redirect_chain[-1][0] == f"/phan-anh/tra-cuu/{feedback.code}/"
    assert ANSWER in page.content.decode()
    # The code alone still leads to the status page.
    assert client.post("/phan-anh/tra-cuu/", {"code": feedback.code}).status_code == 302


def test_a_signed_in_citizen_with_the_phone_reads_the_answer(world: World, reception: User) -> None:
    from cchc.portal.actions import request_code

    feedback = answered(world, reception)
    client = Client()
    client.post("/cong-dan/dang-nhap/", {"destination": "0912000111"})
    # A fresh code replaces the one the page sent (whose text the test does not read).
    _otp, code = request_code("0912000111")
    assert client.post("/cong-dan/xac-thuc/", {"code": code}).status_code == 302
    space = client.get("/cong-dan/").content.decode()
    assert feedback.code in space and "Xem trả lời" in space
    assert ANSWER in client.get(f"/phan-anh/tra-cuu/{feedback.code}/").content.decode()


def test_a_published_answer_is_public_without_personal_data(world: World, reception: User) -> None:
    feedback = answered(world, reception)
    pakn.publish(
        feedback, by=reception, summary="Đề nghị niêm yết lệ phí", text="Đã niêm yết tại quầy."
    )
    page = Client().get(f"/phan-anh/tra-cuu/{feedback.code}/").content.decode()
    assert "Đã niêm yết tại quầy." in page and "công khai ngày" in page
    assert ANSWER not in page and "0912" not in page and "Lê Văn Sáu" not in page
    listing = Client().get("/phan-anh/cong-khai/").content.decode()
    assert "Đã niêm yết tại quầy." in listing
    assert "0912" not in listing and "Lê Văn Sáu" not in listing and ANSWER not in listing


def test_an_answered_but_unpublished_pakn_is_not_in_the_public_list(
    world: World, reception: User
) -> None:
    answered(world, reception)
    assert ANSWER not in Client().get("/phan-anh/cong-khai/").content.decode()


def test_the_sent_page_without_a_sending_goes_back_to_the_form(world: World) -> None:
    response = Client().get("/phan-anh/da-gui/")
    assert response.status_code == 302 and response["Location"] == "/phan-anh/"


def test_citizen_facing_pakn_pages_say_ong_ba(world: World) -> None:
    for url in ("/phan-anh/", "/phan-anh/tra-cuu/", "/phan-anh/cong-khai/", "/danh-gia/"):
        page = Client().get(url).content.decode()
        assert " bạn " not in page and "Bạn " not in page, url
