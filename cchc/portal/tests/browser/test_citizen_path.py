"""The whole citizen path in a real browser, on a phone-sized screen, with accessibility checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cchc.dossiers import actions
from cchc.dossiers.models import Dossier
from cchc.feedback import pakn as feedback_pakn
from cchc.feedback.models import Feedback, Rating
from cchc.testing import PDF, World, assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def act(page: Any, label: str) -> None:
    """Do the act the dossier page offers first ("Việc cần làm"), confirming it if asked."""
    item = page.locator(".next-act-item", has=page.get_by_role("heading", name=label, exact=True))
    confirm = item.locator("input[name=confirm]")
    if confirm.count():
        confirm.check()
    item.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


def test_search_submit_receive_track_return(
    phone_page: Any, world: World, reception: Any, leader: Any, tmp_path: Path
) -> None:
    world.birth.versions.update(online_service="partial")
    page = phone_page

    # Search without diacritics, from the home page.
    page.goto("/")
    assert_accessible(page)
    page.fill("#q", "dang ky khai sinh")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Đăng ký khai sinh").first.click()
    assert page.locator("h1").inner_text() == "Đăng ký khai sinh"
    assert_accessible(page)

    # Online submission with an upload.
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.select_option("#unit", "16300")
    page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()
    assert_accessible(page)
    page.fill("#applicant_name", "Trịnh Thị Hạnh")
    page.fill("#applicant_phone", "0977123456")
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(PDF)
    page.set_input_files("#doc_1", str(scan))
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r"/tra-cuu/"))
    dossier = Dossier.objects.get()
    assert dossier.code in page.content()
    assert_accessible(page)
    # Post/Redirect/Get: reloading the page the submission led to submits nothing again.
    page.reload()
    assert Dossier.objects.count() == 1

    # The officer receives it at the counter.
    officer = page.context.browser.new_context(base_url=page.url.split("/tra-cuu")[0]).new_page()
    log_in(officer, reception)
    officer.goto("/lam-viec/ho-so/?list=to_receive")
    officer.get_by_role("link", name=dossier.code).click()
    act(officer, "Tiếp nhận")
    dossier.refresh_from_db()
    assert dossier.status == "received"

    # The citizen looks it up with the phone number.
    page.goto("/tra-cuu/")
    page.fill("#code", dossier.code)
    page.fill("#phone", "0977123456")
    page.get_by_role("button", name="Tra cứu").click()
    assert "Trịnh Thị Hạnh" in page.content()
    assert "đã được tiếp nhận" in page.content()
    assert_accessible(page)

    # The leader signs the result; the counter returns it.
    actions.resolve(dossier, by=leader)
    officer.goto(f"/lam-viec/ho-so/{dossier.code}/")
    act(officer, "Trả kết quả")
    dossier.refresh_from_db()
    assert dossier.status == "returned"
    page.reload()
    assert "Đã trả kết quả" in page.content()

    # The citizen rates the service, once.
    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    page.fill("#id_phone", "0977123456")
    page.get_by_label("Rất hài lòng", exact=True).check()
    page.fill("#id_comment", "Cán bộ hướng dẫn tận tình")
    assert_accessible(page)
    page.locator("form button[type=submit]").last.click()
    rating = Rating.objects.get(dossier=dossier)
    assert rating.level == 5
    page.goto(f"/danh-gia/?ma={dossier.code}")
    page.fill("#id_phone", "0977123456")
    page.get_by_label("Hài lòng", exact=True).check()
    page.locator("form button[type=submit]").last.click()
    assert Rating.objects.filter(dossier=dossier).count() == 1


def test_feedback_from_submission_to_published_answer(
    phone_page: Any, world: World, reception: Any
) -> None:
    page = phone_page
    page.goto("/phan-anh/")
    assert_accessible(page)
    page.select_option("#id_unit", "16300")
    page.fill(
        "#id_content", "Đề nghị niêm yết rõ lệ phí <script>alert(1)</script> tại bộ phận một cửa."
    )
    page.fill("#id_phone", "0912000111")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/phan-anh/da-gui/")
    feedback = Feedback.objects.get()
    assert feedback.code in page.content()

    feedback_pakn.classify(feedback, by=reception, category="within")
    feedback_pakn.answer(feedback, by=reception, text="Xã đã niêm yết bảng phí tại quầy số 1.")
    feedback_pakn.publish(
        feedback,
        by=reception,
        summary="Đề nghị niêm yết rõ lệ phí",
        text="Xã đã niêm yết bảng phí tại quầy số 1.",
    )
    page.goto("/phan-anh/cong-khai/")
    assert "Xã đã niêm yết bảng phí tại quầy số 1." in page.content()
    assert "0912000111" not in page.content()
    assert_accessible(page)
    page.goto(f"/phan-anh/tra-cuu/{feedback.code}/")
    assert "<script>alert(1)</script>" not in page.content()
