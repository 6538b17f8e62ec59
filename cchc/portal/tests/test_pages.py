"""The public and staff pages render, in Vietnamese by default and in English on request."""

from __future__ import annotations

import pytest
from django.test import Client

from cchc.testing import World, logged_in

pytestmark = pytest.mark.django_db


def test_home_page_lists_communes_and_fields(world: World) -> None:
    html = Client().get("/").content.decode()
    assert "Xã Nga Sơn" in html
    assert "Hộ tịch" in html
    assert '<html lang="vi">' in html


def test_vietnamese_comes_first_whatever_the_browser_asks(world: World) -> None:
    html = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html


def test_not_found_pages_use_the_site_layout(world: World, settings) -> None:
    settings.DEBUG = False
    html = Client().get("/khong-co/").content.decode()
    assert "Không tìm thấy trang" in html


def test_english_is_available(world: World) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Administrative procedures" in html and "Thủ tục hành chính" not in html


def test_catalogue_search_without_diacritics(world: World) -> None:
    html = Client().get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in html
    assert "Chứng thực bản sao" not in html


def test_procedure_page_shows_time_fee_and_documents_in_vietnamese_format(world: World) -> None:
    html = Client().get("/thu-tuc/1.001193/").content.decode()
    assert "0,5 ngày làm việc" in html
    assert "8.000 đ" in html
    assert "Tờ khai" in html
    assert "Xã Nga Sơn" in html  # where to submit


def test_public_listing_shows_implemented_and_not_implemented_with_reason(world: World) -> None:
    html = Client().get("/don-vi/16300/niem-yet/").content.decode()
    assert "Đăng ký khai sinh" in html
    assert "Chưa phát sinh" in html
    assert "Đang thực hiện: 1 thủ tục. Chưa thực hiện: 1 thủ tục." in html


def test_unknown_pages_answer_404(world: World) -> None:
    assert Client().get("/thu-tuc/9.999/").status_code == 404
    assert Client().get("/don-vi/00000/niem-yet/").status_code == 404


def test_login_page_says_the_demo_skips_two_factor(world: World, settings) -> None:
    settings.DEMO = True
    assert (
        "xác thực hai bước không bắt buộc" in Client().get("/tai-khoan/dang-nhap/").content.decode()
    )


def test_workspace_lists_the_staff_members_units(world: World, reception) -> None:
    html = logged_in(reception).get("/lam-viec/").content.decode()
    assert "Tiếp nhận hồ sơ" in html
    assert "Xã Nga Sơn" in html
    assert "Xã Nga Thắng" not in html


def test_admin_is_served_to_a_superuser(world: World) -> None:
    from cchc.testing import make_user

    admin = make_user("root", is_superuser=True, is_staff=True)
    client = logged_in(admin)
    for url in [
        "/quan-tri/",
        "/quan-tri/units/unit/",
        "/quan-tri/catalogue/procedure/",
        "/quan-tri/catalogue/procedureversion/",
    ]:
        assert client.get(url).status_code == 200, url
