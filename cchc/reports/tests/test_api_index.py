"""/api/v1/reports/service-index…, /indicators, /officers: the figures of `index_data.august`
as JSON and .xlsx, another commune's unit answers 404, bad input 400 with the reason."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from openpyxl.worksheet.worksheet import Worksheet

from cchc.accounts.models import User
from cchc.reports.tests.index_data import AFTER, August, Staff, august
from cchc.testing import World, bearer

pytestmark = pytest.mark.django_db


def _first_sheet(content: bytes) -> Worksheet:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


AUG = {"from": "2025-08-01", "to": "2025-08-31"}


@pytest.fixture(autouse=True)
def _after_august(settings: Any) -> Any:
    import time_machine

    with time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def data(world: World, reception: User, specialist: User, leader: User) -> August:
    return august(world, Staff(reception, specialist, leader))


def get(user: User, path: str, **params: Any) -> Any:
    return Client().get(f"/api/v1/reports/{path}", params, **bearer(user))


def test_service_index_as_json(world: World, data: August, carol: User) -> None:
    answer = get(carol, "service-index", unit=world.commune_a.code, **AUG)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["score"] == 50.01 and body["band"] == "average" and body["points"] == 39.01
    assert body["start"] == "2025-08-01" and body["live"] is False
    groups = {g["key"]: g for g in body["groups"]}
    assert [g["max"] for g in body["groups"]] == [18, 20, 22, 22, 18]
    on_time = next(i for i in groups["progress"]["indicators"] if i["key"] == "on_time")
    assert (on_time["numerator"], on_time["denominator"], on_time["points"]) == (4, 6, 13.33)
    assert on_time["weight_verified"] and on_time["formula_verified"] is False
    assert on_time["drill_down"] == "dossier"
    assert body["inputs"]["payments_online"] == 2


def test_service_index_as_xlsx(world: World, data: August, carol: User) -> None:
    answer = get(carol, "service-index", unit=world.commune_a.code, format="xlsx", **AUG)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = _first_sheet(answer.content)
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Điểm quy đổi thang 100"][0] == pytest.approx(50.01)
    assert values["   Tỷ lệ hồ sơ xử lý đúng hạn"][:2] == (20, pytest.approx(13.33))


def test_another_commune_is_not_found(world: World, data: August, bob: User) -> None:
    for path in (
        "service-index",
        "service-index/ranking",
        "service-index/trend",
        "indicators",
        "officers",
        "indicators/dossiers",
    ):
        answer = get(bob, path, unit=world.commune_a.code, **AUG)
        assert answer.status_code == 404, path
    lost = get(bob, "service-index/lost", unit=world.commune_a.code, indicator="on_time", **AUG)
    assert lost.status_code == 404


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"from": "2025-08-31", "to": "2025-08-01"}, "trước ngày bắt đầu"),
        ({"from": "31/08/2025", "to": "2025-08-31"}, "YYYY-MM-DD"),
        ({"from": "2005-01-01", "to": "2025-08-31"}, "quá giới hạn"),
        ({"from": "1990-01-01", "to": "1990-02-01"}, "từ ngày"),
        ({"from": "2025-08-01", "to": "2025-08-31", "subtree": "maybe"}, "subtree"),
    ],
)
def test_bad_input_is_400_with_the_reason(
    world: World, carol: User, params: dict[str, str], says: str
) -> None:
    answer = get(carol, "service-index", unit=world.commune_a.code, **params)
    assert answer.status_code == 400
    assert says in answer.json()["detail"]


def test_an_unknown_unit_is_404_and_an_unknown_indicator_400(world: World, carol: User) -> None:
    assert get(carol, "service-index", unit="99999", **AUG).status_code == 404
    answer = get(carol, "service-index/lost", unit=world.commune_a.code, indicator="x", **AUG)
    assert answer.status_code == 400 and "không có hoặc không đo được" in answer.json()["detail"]
    answer = get(
        carol, "service-index/lost", unit=world.commune_a.code, indicator="data_reuse", **AUG
    )
    assert answer.status_code == 400


def test_a_trend_of_too_many_months_is_refused(world: World, carol: User) -> None:
    answer = get(
        carol,
        "service-index/trend",
        unit=world.commune_a.code,
        **{"from": "2020-01-01", "to": "2025-08-31"},
    )
    assert answer.status_code == 400 and "tối đa" in answer.json()["detail"]


def test_lost_points(world: World, data: August, carol: User) -> None:
    answer = get(
        carol, "service-index/lost", unit=world.commune_a.code, indicator="online_payment", **AUG
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 2 and body["kind"] == "dossier"
    assert sorted(i["code"] for i in body["items"]) == sorted([data.d2.code, data.d3.code])
    page = get(
        carol,
        "service-index/lost",
        unit=world.commune_a.code,
        indicator="online_payment",
        limit=1,
        offset=1,
        **AUG,
    ).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["offset"] == 1


def test_ranking_and_trend(world: World, data: August, pat: User) -> None:
    answer = get(pat, "service-index/ranking", unit=world.province.code, min=2, **AUG)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [e["unit"]["code"] for e in body["ranked"]] == [world.commune_a.code]
    assert [e["unit"]["code"] for e in body["unranked"]] == [world.commune_b.code]
    assert body["min_dossiers"] == 2
    trend = get(
        pat,
        "service-index/trend",
        unit=world.commune_a.code,
        **{"from": "2025-07-01", "to": "2025-08-31"},
    ).json()
    assert [p["month"] for p in trend["points"]] == ["2025-07", "2025-08"]
    assert trend["points"][1]["score"] == 50.01
    workbook = get(pat, "service-index/ranking", unit=world.province.code, format="xlsx", **AUG)
    assert workbook.status_code == 200


def test_indicators_and_officers(world: World, data: August, carol: User) -> None:
    body = get(carol, "indicators", unit=world.commune_a.code, **AUG).json()
    assert body["total"] == 7.7 and body["scaled_total"] == 8.7 and body["band"] == "average"
    assert body["band_label"] == "Trung bình"
    assert [i["score"] for i in body["indicators"]] == [1.2, 0.3, 1.6, 1.6, None, 2.0, 1.0, 0, 0]
    dossiers = get(carol, "indicators/dossiers", unit=world.commune_a.code, **AUG).json()
    assert dossiers["total"] == 5
    officers = get(carol, "officers", unit=world.commune_a.code, **AUG).json()
    lan = next(o for o in officers["officers"] if o["username"] == "lan")
    assert (lan["steps"], lan["early"], lan["points"], lan["band"]) == (3, 2, 6.0, "complete")
    workbook = get(carol, "officers", unit=world.commune_a.code, format="xlsx", **AUG)
    sheet = _first_sheet(workbook.content)
    names = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert "Lan" in names


def test_province_indicators_list_the_communes(world: World, data: August, pat: User) -> None:
    body = get(pat, "indicators", unit=world.province.code, subtree="1", **AUG).json()
    assert [u["unit"]["code"] for u in body["units"]] == [
        world.commune_a.code,
        world.commune_b.code,
    ]
    assert body["dossiers"] == 6
