"""GET /api/v1/calendar/due and GET /api/v1/calendar/<year>: public, 400 on any bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from cchc.testing import World, make_user
from cchc.worktime import actions

DUE = "/api/v1/calendar/due"


def get_due(**params: str) -> Any:
    return Client().get(f"{DUE}?{urlencode(params)}")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"start": "2025-01-23T10:00:00+07:00", "working_days": "5"}, "2025-02-06T17:00:00+07:00"),
        ({"start": "2025-04-25T09:00:00+07:00", "working_days": "3"}, "2025-04-29T17:00:00+07:00"),
        ({"start": "2025-02-10T09:00:00+07:00", "working_hours": "4"}, "2025-02-10T14:30:00+07:00"),
        ({"start": "2025-02-10T02:00:00Z", "working_hours": "4"}, "2025-02-10T14:30:00+07:00"),
        (
            {"start": "2025-02-10T09:00:00+07:00", "working_days": "0,5"},
            "2025-02-10T14:30:00+07:00",
        ),
        ({"start": "2025-02-10T14:59:00+07:00", "same_day": "1"}, "2025-02-10T17:00:00+07:00"),
        ({"start": "2025-02-10T15:30:00+07:00", "same_day": "1"}, "2025-02-11T17:00:00+07:00"),
        ({"start": "2025-04-25T15:30:00+07:00", "same_day": "1"}, "2025-04-26T17:00:00+07:00"),
        ({"start": "2025-12-31T10:00:00+07:00", "working_days": "1"}, "2026-01-02T17:00:00+07:00"),
    ],
)
def test_it_answers_the_due_moment_in_vietnam_time(
    db: Any, params: dict[str, str], expected: str
) -> None:
    response = get_due(**params)
    assert response.status_code == 200, response.content
    assert response.json() == {"due": expected}


def test_an_unencoded_plus_in_the_offset_is_understood(db: Any) -> None:
    response = Client().get(f"{DUE}?start=2025-01-23T10:00:00+07:00&working_days=5")
    assert response.json() == {"due": "2025-02-06T17:00:00+07:00"}


def test_it_uses_the_unit_closures_and_office_hours(world: World) -> None:
    admin_user = make_user("ada", is_staff=True, is_superuser=True)
    actions.add_unit_closure(
        world.commune_a, dt.date(2025, 3, 6), reason="Lễ hội", actor=admin_user
    )
    actions.set_office_hours(
        world.commune_a,
        morning=(dt.time(7), dt.time(11)),
        afternoon=(dt.time(13), dt.time(17, 30)),
        reason="Giờ riêng",
        actor=admin_user,
    )
    start = "2025-03-05T09:00:00+07:00"
    assert get_due(start=start, working_days="1", unit="16300").json() == {
        "due": "2025-03-07T17:30:00+07:00"
    }
    assert get_due(start=start, working_days="1", unit="16303").json() == {
        "due": "2025-03-06T17:00:00+07:00"
    }


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"working_days": "2"}, "Thiếu tham số start"),
        ({"start": "2025-02-10T09:00:00", "working_days": "2"}, "phải có múi giờ"),
        ({"start": "10/02/2025 09:00", "working_days": "2"}, "ISO 8601"),
        ({"start": "2025-02-30T09:00:00+07:00", "working_days": "2"}, "ISO 8601"),
        ({"start": "2025-02-10T09:00:00+07:00"}, "Cần một trong"),
        (
            {"start": "2025-02-10T09:00:00+07:00", "working_days": "2", "working_hours": "3"},
            "Chỉ được cho một",
        ),
        (
            {"start": "2025-02-10T09:00:00+07:00", "working_days": "2", "same_day": "1"},
            "Chỉ được cho một",
        ),
        ({"start": "2025-02-10T09:00:00+07:00", "working_days": "-1"}, "lớn hơn 0"),
        ({"start": "2025-02-10T09:00:00+07:00", "working_days": "0"}, "lớn hơn 0"),
        ({"start": "2025-02-10T09:00:00+07:00", "working_days": "3651"}, "không quá 3650"),
        ({"start": "2025-02-10T09:00:00+07:00", "working_days": "1e9999"}, "không quá 3650"),
        ({"start": "2025-02-10T09:00:00+07:00", "working_days": "NaN"}, "lớn hơn 0"),
        ({"start": "2025-02-10T09:00:00+07:00", "working_days": "abc"}, "phải là một số"),
        ({"start": "2025-02-10T09:00:00+07:00", "working_hours": "29201"}, "không quá 29200"),
        (
            {"start": "2025-02-10T09:00:00+07:00", "working_days": "2", "unit": "99999"},
            "Không tìm thấy đơn vị",
        ),
        ({"start": "1999-02-10T09:00:00+07:00", "working_days": "2"}, "ngoài phạm vi lịch"),
        ({"start": "2099-12-30T09:00:00+07:00", "working_days": "3650"}, "ngoài phạm vi lịch"),
    ],
)
def test_bad_input_is_a_400_with_a_vietnamese_message(
    db: Any, params: dict[str, str], fragment: str
) -> None:
    response = get_due(**params)
    assert response.status_code == 400, response.content
    assert fragment in response.json()["detail"]


def test_the_year_lists_days_off_and_make_up_days(db: Any) -> None:
    response = Client().get("/api/v1/calendar/2025")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2025 and body["unit"] is None
    assert [d["date"] for d in body["makeup_working_days"]] == ["2025-04-26"]
    off = {d["date"]: d for d in body["days_off"]}
    assert off["2025-05-02"]["kind"] == "swapped" and off["2025-05-02"]["source"] == "official"
    assert off["2025-01-01"]["source"] == "computed"
    assert off["2025-01-29"]["kind_label"] == "Tết Nguyên đán"
    assert (
        len(
            [
                d
                for d in off
                if d.startswith("2025-01-2")
                or d.startswith("2025-01-3")
                or d.startswith("2025-02-0")
            ]
        )
        == 9
    )


def test_the_year_with_a_unit_adds_its_closures(world: World) -> None:
    admin_user = make_user("ada", is_staff=True, is_superuser=True)
    actions.add_unit_closure(
        world.commune_a, dt.date(2025, 3, 6), reason="Lễ hội", actor=admin_user
    )
    body = Client().get("/api/v1/calendar/2025?unit=16300-MC").json()
    closures = [d for d in body["days_off"] if d["kind"] == "unit_closure"]
    assert closures == [
        {
            "date": "2025-03-06",
            "kind": "unit_closure",
            "kind_label": "Đơn vị nghỉ",
            "name": "Lễ hội",
            "legal_basis": "",
            "source": "16300",
        }
    ]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/calendar/1800", 400),
        ("/api/v1/calendar/2025?unit=nope", 400),
        ("/api/v1/calendar/abc", 404),
    ],
)
def test_a_bad_year_or_unit_is_refused(db: Any, path: str, status: int) -> None:
    assert Client().get(path).status_code == status


def test_both_endpoints_are_public(db: Any) -> None:
    assert Client().get("/api/v1/calendar/2026").status_code == 200
    assert get_due(start="2026-02-13T09:00:00+07:00", working_days="1").json() == {
        "due": "2026-02-23T17:00:00+07:00"
    }
