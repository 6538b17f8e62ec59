"""Issue 12's citizen journeys in Chromium on a 360-px phone, with axe-core checks:

- a citizen signs in with a one-time code (read from the SMS outbox, as the gateway would
  deliver it) and finds the dossier received at the counter under their phone typed with spaces;
- a PAKN is sent, the page reloaded (still one), answered by an officer on the staff page, and
  read by its sender.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cchc.accounts.models import User
from cchc.dossiers.actions import Applicant, receive_dossier
from cchc.feedback.models import Feedback
from cchc.notify.models import Message
from cchc.testing import PASSWORD, World, assert_accessible, receipt_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sms_code(phone: str) -> str:
    body = Message.objects.filter(kind="one_time_code", recipient=phone).latest("id").body
    return body.split(": ")[1][:6]


def test_a_citizen_signs_in_by_code_and_finds_the_counter_dossier(
    phone_page: Any, world: World, reception: User, copy_implemented: None, settings: Any
) -> None:
    settings.DEMO = False
    dossier = receive_dossier(
        receipt_for(world, applicant=Applicant(name="Đỗ Thị Mười", phone="0912 345 678")),
        by=reception,
    )
    page = phone_page
    page.goto("/")
    # On a phone the header's links fold behind "Danh mục".
    page.get_by_text("Danh mục", exact=True).click()
    page.get_by_role("link", name="Đăng nhập công dân").click()
    page.wait_for_url("**/cong-dan/dang-nhap/")
    assert_accessible(page)
    page.fill("#destination", "0912 345 678")
    page.get_by_role("button", name="Gửi mã").click()
    page.wait_for_url("**/cong-dan/xac-thuc/")
    assert_accessible(page)
    page.fill("#code", sms_code("0912345678"))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/cong-dan/")
    page.get_by_text("Danh mục", exact=True).click()
    header = page.locator("header.top").inner_text()
    assert "09******78" in header and "Hồ sơ của tôi" in header and "Đăng xuất" in header
    assert "Đăng nhập công dân" not in header
    card = page.locator("ul.mine li", has_text=dossier.code)
    assert "Được tiếp nhận" in card.inner_text()
    assert "Bước tiếp theo" in card.inner_text()
    assert_accessible(page)
    card.get_by_role("link", name=dossier.code).click()
    page.wait_for_url(f"**/tra-cuu/{dossier.code}/")
    assert "Đỗ Thị Mười" in page.content()  # the personal view: it is theirs


def test_a_pakn_sent_reloaded_answered_and_read_by_its_sender(
    phone_page: Any, world: World, reception: User
) -> None:
    page = phone_page
    page.goto("/phan-anh/")
    page.select_option("#id_unit", "16300")
    page.fill("#id_content", "Đề nghị niêm yết giờ làm việc của bộ phận một cửa.")
    page.fill("#id_phone", "0912 000 111")
    page.get_by_role("button", name="Gửi", exact=True).click()
    page.wait_for_url("**/phan-anh/da-gui/")
    feedback = Feedback.objects.get()
    assert feedback.code in page.locator("main").inner_text()
    assert_accessible(page)
    # A reload shows the same page and files nothing again.
    page.reload()
    assert feedback.code in page.locator("main").inner_text()
    assert Feedback.objects.count() == 1

    # The officer classifies and answers on the staff page.
    officer = page.context.browser.new_context(
        base_url=page.url.split("/phan-anh")[0], viewport={"width": 1366, "height": 768}
    ).new_page()
    officer.goto("/tai-khoan/dang-nhap/")
    officer.fill("#id_username", reception.username)
    officer.fill("#id_password", PASSWORD)
    officer.click("button[type=submit]")
    officer.goto(f"/lam-viec/phan-anh/{feedback.code}/")
    officer.check("input[name=category][value=within]")
    officer.locator("form[action$='/thao-tac/classify/'] button[type=submit]").click()
    expect(officer.locator("dl.facts strong")).to_have_text("Đã phân loại")
    officer.locator("details.action summary", has_text="Trả lời").click()
    officer.fill("#answer-text", "Giờ làm việc đã được niêm yết tại cửa bộ phận một cửa.")
    officer.locator("form[action$='/thao-tac/answer/'] button[type=submit]").click()
    expect(officer.locator("dl.facts strong")).to_have_text("Đã trả lời")
    feedback.refresh_from_db()
    assert feedback.status == "answered"

    # The sender opens the tracking link and reads the answer, its date and the unit.
    page.get_by_role("link", name="Theo dõi kết quả").click()
    answer = page.locator("#tra-loi")
    assert "Giờ làm việc đã được niêm yết tại cửa bộ phận một cửa." in answer.inner_text()
    assert "Xã Nga Sơn trả lời ngày" in answer.inner_text()
    assert_accessible(page)
