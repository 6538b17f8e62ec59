"""The staff pages of the service index and the TT 01/2018 indicators: figures in Vietnamese
format, lost points linked to the dossiers behind them, the ranking's minimum stated, another
commune's unit refused (404), a bad period shown in place (400)."""

from __future__ import annotations

import html
import io
from typing import Any

import openpyxl
import pytest
import time_machine
from openpyxl.worksheet.worksheet import Worksheet

from cchc.accounts.models import User
from cchc.reports.tests.index_data import AFTER, August, Staff, august
from cchc.testing import World, logged_in

pytestmark = pytest.mark.django_db


def _first_sheet(content: bytes) -> Worksheet:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


AUG = {"from": "2025-08-01", "to": "2025-08-31"}


@pytest.fixture(autouse=True)
def _after_august() -> Any:
    with time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def data(world: World, reception: User, specialist: User, leader: User) -> August:
    return august(world, Staff(reception, specialist, leader))


def test_the_index_page(world: World, data: August, carol: User) -> None:
    page = logged_in(carol).get("/lam-viec/bao-cao/chi-so-phuc-vu/", {"unit": "16300", **AUG})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<strong>50,01</strong> / 100" in html and "Trung bình" in html
    assert "13,33" in html  # on time: 20 × 4 / 6
    assert "trọng số mặc định, chưa được xác minh" in html
    assert "chi-so-phuc-vu/mat-diem/?" in html and "indicator=on_time" in html


def test_the_lost_points_page_links_the_dossiers(world: World, data: August, carol: User) -> None:
    page = logged_in(carol).get(
        "/lam-viec/bao-cao/chi-so-phuc-vu/mat-diem/",
        {"unit": "16300", "indicator": "on_time", **AUG},
    )
    assert page.status_code == 200
    html = page.content.decode()
    for d in (data.d3, data.d4):
        assert f'href="/lam-viec/ho-so/{d.code}/"' in html
    assert data.d1.code not in html


@pytest.mark.parametrize("key", ["x", "data_reuse"])  # not in the index; scored by hand
def test_an_indicator_without_a_measure_is_refused_as_the_api_refuses_it(
    world: World, carol: User, key: str
) -> None:
    page = logged_in(carol).get(
        "/lam-viec/bao-cao/chi-so-phuc-vu/mat-diem/", {"unit": "16300", "indicator": key, **AUG}
    )
    api = logged_in(carol).get(
        "/api/v1/reports/service-index/lost", {"unit": "16300", "indicator": key, **AUG}
    )
    said = f"Chỉ tiêu “{key}” không có hoặc không đo được từ số liệu của nền tảng."
    assert (page.status_code, api.status_code) == (400, 400)
    assert api.json()["detail"] == said and said in html.unescape(page.content.decode())


def test_another_commune_is_refused(world: World, data: August, bob: User) -> None:
    client = logged_in(bob)
    for path in ("", "xep-hang/", "mat-diem/"):
        page = client.get(
            f"/lam-viec/bao-cao/chi-so-phuc-vu/{path}",
            {"unit": "16300", "indicator": "on_time", **AUG},
        )
        assert page.status_code == 404, path
    page = client.get("/lam-viec/bao-cao/danh-gia-tt01/", {"unit": "16300", **AUG})
    assert page.status_code == 404


def test_a_bad_period_is_shown_in_place(world: World, carol: User) -> None:
    page = logged_in(carol).get(
        "/lam-viec/bao-cao/chi-so-phuc-vu/",
        {"unit": "16300", "from": "2025-09-01", "to": "2025-08-01"},
    )
    assert page.status_code == 400
    assert "trước ngày bắt đầu" in page.content.decode()
    page = logged_in(carol).get("/lam-viec/bao-cao/chi-so-phuc-vu/", {"unit": "16300", "from": "x"})
    assert page.status_code == 400


def test_the_ranking_states_its_minimum(
    world: World, data: August, pat: User, settings: Any
) -> None:
    settings.REQUIRE_2FA = False
    settings.REPORTS_INDEX_RANK_MIN_DOSSIERS = 2
    page = logged_in(pat).get("/lam-viec/bao-cao/chi-so-phuc-vu/xep-hang/", {"unit": "38", **AUG})
    assert page.status_code == 200
    html = page.content.decode().split("<h2>", 1)[1]  # after the unit picker
    assert "từ 2 hồ sơ trở lên" in html
    assert html.index("Xã Nga Sơn") < html.index("Chưa xếp hạng") < html.index("Xã Nga Thắng")


def test_the_indicators_page(world: World, data: August, carol: User) -> None:
    page = logged_in(carol).get("/lam-viec/bao-cao/danh-gia-tt01/", {"unit": "16300", **AUG})
    assert page.status_code == 200
    html = page.content.decode()
    assert "không đánh giá được" in html  # indicator 5
    assert "8/9 chỉ số đánh giá được; quy đổi thang 18: 8,7" in html
    assert "Hoàn thành 100% nhiệm vụ" in html and "Minh" in html


def test_the_download(world: World, data: August, carol: User) -> None:
    answer = logged_in(carol).get(
        "/lam-viec/bao-cao/chi-so-phuc-vu/tai-ve.xlsx", {"unit": "16300", **AUG}
    )
    assert answer.status_code == 200
    sheet = _first_sheet(answer.content)
    assert sheet["A1"].value.startswith("Bộ chỉ số phục vụ")
