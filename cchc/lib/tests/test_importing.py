"""The import checker the units and catalogue imports share: places, values and the report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from cchc.lib import importing
from cchc.lib.importing import Item, RowChecker, Where, make_item


class Colour(models.TextChoices):
    RED = "red"
    BLUE = "blue"


def test_a_place_is_named_by_sheet_row_json_path_or_csv_line() -> None:
    assert Where(sheet="fees", row=3).at("name") == 'Trang "fees", dòng 3, cột "name"'
    assert Where(path="units[2]").at("code") == "units[2].code"
    assert Where(row=4).at("kind") == 'Dòng 4, cột "kind"'
    assert Where().at("format") == "format"


def test_values_are_shown_as_written() -> None:
    assert importing.show("Hộ tịch") == '"Hộ tịch"'
    assert importing.show("x" * 80) == '"' + "x" * 57 + '…"'
    assert (importing.show(True), importing.show(None), importing.show(3)) == ("true", '""', "3")
    assert importing.show(dt.datetime(2025, 7, 1, 8, 30)) == "2025-07-01"


def test_the_checker_collects_every_error_with_its_place() -> None:
    errors: list[str] = ["first, from reading"]
    check = RowChecker(errors)
    item = make_item(
        {"code": "", "kind": "green", "day": "31/02/2025", "count": "-1", "share": "1.234"},
        Where(row=2),
        errors,
    )

    assert check.text(item, "code", required=True) == ""
    assert check.choice(item, "kind", Colour) == "green"
    assert check.optional_date(item, "day") is None
    assert check.integer(item, "count", maximum=10) is None
    assert check.decimal(item, "share", max_digits=5, places=2) is None

    assert errors == [
        "first, from reading",
        'Dòng 2, cột "code": bắt buộc, không được để trống.',
        'Dòng 2, cột "kind": "green" không hợp lệ (red, blue).',
        'Dòng 2, cột "day": "31/02/2025" không phải là ngày hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy).',
        'Dòng 2, cột "count": "-1" không phải là số nguyên không âm.',
        'Dòng 2, cột "share": "1.234" có quá 2 chữ số thập phân.',
    ]


def test_good_values_come_out_typed() -> None:
    errors: list[str] = []
    check = RowChecker(errors)
    item = make_item(
        {"code": 38.0, "on": "01/07/2025", "iso": "2025-07-01", "n": "7", "d": 1.5, "b": "true"},
        Where(sheet="s", row=2),
        errors,
    )

    assert check.text(item, "code", max_length=2) == "38"
    assert check.optional_date(item, "on") == dt.date(2025, 7, 1)
    assert check.date(item, "iso") == dt.date(2025, 7, 1)
    assert check.optional_date(item, "missing") is None
    assert check.integer(item, "n", maximum=7) == 7
    assert check.decimal(item, "d", max_digits=5, places=2) == Decimal("1.5")
    assert check.boolean(item, "b") is True
    assert errors == []


def test_a_second_use_of_a_key_names_the_first() -> None:
    errors: list[str] = []
    check = RowChecker(errors)
    seen: dict[Any, Item] = {}
    first, second = (make_item({"code": "a"}, Where(path=f"x[{i}]"), errors) for i in (0, 1))

    check.unique(seen, "a", first, "code", "Mã")
    check.unique(seen, "a", second, "code", "Mã")

    assert errors == ["x[1].code: Mã trùng với x[0].code."]


def test_a_nul_character_is_an_error_of_the_file_and_is_dropped() -> None:
    # PostgreSQL refuses NUL in text: the import's look-ups would fail with a database error.
    errors: list[str] = []

    item = make_item({"name": "T\x00nh", "n": 3}, Where(row=5), errors)

    assert errors == ['Dòng 5, cột "name": có ký tự không hợp lệ (NUL).']
    assert item.values == {"name": "Tnh", "n": 3}


def test_a_json_file_must_hold_an_object() -> None:
    errors: list[str] = []

    assert importing.load_json_object(b'{"a": 1}', errors, "object!") == {"a": 1}
    assert importing.load_json_object(b"[1]", errors, "object!") is None
    assert importing.load_json_object(b"\xff", errors, "object!") is None
    assert importing.load_json_object("{", errors, "object!") is None

    assert errors[0] == "object!"
    assert [e.startswith("Không đọc được tệp JSON: ") for e in errors[1:]] == [True, True]


def test_the_report_is_every_message() -> None:
    error = importing.ImportFileError(["a", "b"])

    assert error.messages == ["a", "b"]
    assert str(error) == "a\nb"
