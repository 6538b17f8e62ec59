from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cchc.units.io import UnitImportError, import_units, parse_units_csv, parse_units_json
from cchc.units.models import Unit, UnitSuccession

pytestmark = pytest.mark.django_db

DEMO_CSV = Path(__file__).resolve().parents[1] / "demo" / "units.csv"

HEADER = (
    "code,name,kind,parent_code,valid_from,valid_to,successor_codes,succession_date,legal_basis"
)

# A province, a district commune merged on 01/07/2025 into a commune listed after it, and the
# new commune's one-stop centre.
SMALL = "\n".join(
    [
        HEADER,
        "38,Tỉnh Thanh Hóa,province,,,,,,",
        "371,Huyện Nga Sơn,district,38,,2025-06-30,,,",
        "16279,Thị trấn Nga Sơn,ward,371,,30/06/2025,16300,,NQ 1686",
        "16300,Xã Nga Sơn,commune,38,01/07/2025,,,,",
        "16300-MC,Trung tâm Phục vụ hành chính công,service_centre,16300,2025-07-01,,,,",
    ]
)


def csv_of(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode()


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(UnitImportError) as caught:
        import_units(parse_units_csv(data))
    return caught.value.messages


def state() -> tuple[list[Any], list[Any]]:
    units = list(Unit.objects.order_by("pk").values_list())
    successions = list(UnitSuccession.objects.order_by("pk").values_list())
    return units, successions


def test_the_demo_file_imports_with_its_tree_and_successions() -> None:
    result = import_units(parse_units_csv(DEMO_CSV.read_bytes()))

    assert (result.created, result.successions_created) == (19, 3)
    province = Unit.objects.get(code="38")
    old_town = Unit.objects.get(code="16279")
    commune = Unit.objects.get(code="16300")
    centre = Unit.objects.get(code="16300-MC")
    assert old_town.path == f"/{province.pk}/{old_town.parent_id}/{old_town.pk}/"
    assert centre.path == f"{commune.path}{centre.pk}/"
    assert centre.admin_owner_id == commune.pk
    assert Unit.objects.get(code="38-STP").admin_owner_id == province.pk
    assert {(s.predecessor.code, s.successor.code) for s in UnitSuccession.objects.all()} == {
        ("16279", "16300"),
        ("16282", "16300"),
        ("16285", "16303"),
    }
    assert UnitSuccession.objects.get(predecessor=old_town).effective_on == dt.date(2025, 7, 1)
    assert set(old_town.successors.all()) == {commune}
    assert not Unit.objects.current(dt.date(2025, 7, 1)).filter(code="16279").exists()


def test_importing_the_demo_file_twice_changes_nothing() -> None:
    import_units(parse_units_csv(DEMO_CSV.read_bytes()))
    before = state()

    result = import_units(parse_units_csv(DEMO_CSV.read_bytes()))

    assert (result.created, result.updated, result.unchanged) == (0, 0, 19)
    assert (result.successions_created, result.successions_updated) == (0, 0)
    assert state() == before


def test_successors_may_come_later_and_dates_may_be_written_dd_mm_yyyy() -> None:
    import_units(parse_units_csv(SMALL.encode()))

    old_town = Unit.objects.get(code="16279")
    assert old_town.valid_to == dt.date(2025, 6, 30)
    succession = UnitSuccession.objects.get()
    assert (succession.successor.code, succession.effective_on, succession.legal_basis) == (
        "16300",
        dt.date(2025, 7, 1),
        "NQ 1686",
    )


def test_reimport_updates_a_unit_matched_by_code_and_start_date() -> None:
    import_units(parse_units_csv(SMALL.encode()))
    commune = Unit.objects.get(code="16300")
    # The commune moves under the district; its centre must follow in the materialised path.
    changed = SMALL.replace(
        "16300,Xã Nga Sơn,commune,38,01/07/2025", "16300,Xã Nga Sơn mới,commune,371,01/07/2025"
    )

    result = import_units(parse_units_csv(changed.encode()))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    commune.refresh_from_db()
    assert commune.name == "Xã Nga Sơn mới"
    centre = Unit.objects.get(code="16300-MC")
    assert centre.path.startswith(commune.path)
    assert commune.path.startswith(Unit.objects.get(code="371").path)


def test_a_parent_may_already_be_in_the_database() -> None:
    import_units(parse_units_csv(SMALL.encode()))

    result = import_units(
        parse_units_csv(csv_of("16300-TP,Phòng Tư pháp,specialist_office,16300,,,,,"))
    )

    assert result.created == 1
    assert Unit.objects.get(code="16300-TP").parent == Unit.objects.get(code="16300")


def test_a_code_used_twice_means_the_unit_in_force_at_the_time() -> None:
    # A code may come back with a new start date; a child starting later hangs under the new one.
    import_units(
        parse_units_csv(
            csv_of(
                "38,Tỉnh Thanh Hóa,province,,,,,,",
                "16300,Xã Nga Sơn (cũ),commune,38,,2025-06-30,16300,,",
                "16300,Xã Nga Sơn,commune,38,2025-07-01,,,,",
                "16300-MC,Trung tâm,service_centre,16300,2025-07-01,,,,",
            )
        )
    )

    new = Unit.objects.get(code="16300", valid_from=dt.date(2025, 7, 1))
    assert Unit.objects.get(code="16300-MC").parent == new
    assert UnitSuccession.objects.get().successor == new


def test_json_imports_like_csv() -> None:
    doc = {
        "format": "cchc-units",
        "version": 1,
        "units": [
            {"code": "38", "name": "Tỉnh Thanh Hóa", "kind": "province", "hotline": "0237"},
            {"code": "16300", "name": "Xã Nga Sơn", "kind": "commune", "parent_code": "38"},
        ],
    }

    result = import_units(parse_units_json(json.dumps(doc)))

    assert result.created == 2
    assert Unit.objects.get(code="16300").parent == Unit.objects.get(code="38")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "16300,Xã Nga Sơn,village,38,,,,,",
            'Dòng 3, cột "kind": "village" không hợp lệ (province, district, commune, ward, '
            "township, special_zone, department, service_centre, reception, specialist_office).",
        ),
        (",Xã Nga Sơn,commune,38,,,,,", 'Dòng 3, cột "code": bắt buộc, không được để trống.'),
        ("16300,,commune,38,,,,,", 'Dòng 3, cột "name": bắt buộc, không được để trống.'),
        (
            "16300,Xã Nga Sơn,commune,99,,,,,",
            'Dòng 3, cột "parent_code": "99" không có ở các dòng trước hay trong hệ thống.',
        ),
        (
            "16300,Xã Nga Sơn,commune,38,2025-13-01,,,,",
            'Dòng 3, cột "valid_from": "2025-13-01" không phải là ngày hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy).',
        ),
        (
            "16300,Xã Nga Sơn,commune,38,mai,,,,",
            'Dòng 3, cột "valid_from": "mai" không phải là ngày hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy).',
        ),
        (
            "16300,Xã Nga Sơn,commune,38,2025-07-01,2025-06-30,,,",
            'Dòng 3, cột "valid_to": "2025-06-30" trước ngày valid_from.',
        ),
        (
            "38,Tỉnh Thanh Hóa,province,,,,,,",
            'Dòng 3, cột "code": "38" (cùng valid_from) trùng với Dòng 2, cột "code".',
        ),
        (
            "16300,Xã Nga Sơn,commune,38,,2025-06-30,16999,,",
            'Dòng 3, cột "successor_codes": "16999" không có trong tệp hay trong hệ thống.',
        ),
        (
            "16300,Xã Nga Sơn,commune,38,,,16303,,",
            'Dòng 3, cột "succession_date": bắt buộc khi có successor_codes mà không có valid_to.',
        ),
        (
            "39,Tỉnh khác,province,38,,,,,",
            'Dòng 3, cột "parent_code": tỉnh không có đơn vị cấp trên.',
        ),
    ],
)
def test_it_rejects_a_bad_row_and_writes_nothing(row: str, message: str) -> None:
    before = state()

    messages = errors_of(csv_of("38,Tỉnh Thanh Hóa,province,,,,,,", row))

    assert message in messages
    assert state() == before


def test_a_parent_listed_after_its_child_is_not_found() -> None:
    messages = errors_of(
        csv_of("16300,Xã Nga Sơn,commune,38,,,,,", "38,Tỉnh Thanh Hóa,province,,,,,,")
    )

    assert messages == [
        'Dòng 2, cột "parent_code": "38" không có ở các dòng trước hay trong hệ thống.'
    ]
    assert Unit.objects.count() == 0


def test_a_bad_reimport_leaves_the_stored_units_alone() -> None:
    import_units(parse_units_csv(SMALL.encode()))
    before = state()
    bad = SMALL.replace("Xã Nga Sơn,commune", "Xã Nga Sơn đổi tên,commune") + "\n99,X,planet,,,,,,"

    messages = errors_of(bad.encode())

    assert len(messages) == 1
    assert state() == before


def test_it_refuses_to_put_a_unit_under_its_own_descendant() -> None:
    import_units(parse_units_csv(SMALL.encode()))

    messages = errors_of(
        csv_of(
            "38,Tỉnh Thanh Hóa,province,,,,,,", "371,Huyện Nga Sơn,district,16279,,2025-06-30,,,"
        )
    )

    assert messages == ['Dòng 3, cột "parent_code": "16279" tạo thành vòng lặp đơn vị cấp trên.']


def test_it_rejects_unknown_or_missing_columns() -> None:
    messages = errors_of(b"code,name,type\n38,Thanh Hoa,province\n")

    assert messages == [
        'Dòng 1, cột "type": cột không hợp lệ (các cột: code, name, kind, parent_code, '
        "agency_identifier, valid_from, valid_to, successor_codes, succession_date, legal_basis, "
        "address, hotline, email).",
        'Thiếu cột "kind".',
    ]


def json_errors_of(*units: dict[str, str]) -> list[str]:
    doc = {"format": "cchc-units", "version": 1, "units": list(units)}
    with pytest.raises(UnitImportError) as caught:
        import_units(parse_units_json(json.dumps(doc)))
    return caught.value.messages


def test_a_nul_character_is_an_error_of_the_file_not_a_database_error() -> None:
    # PostgreSQL refuses NUL in text: the row is refused with the others, nothing is written.
    assert json_errors_of({"code": "38", "name": "T\x00", "kind": "province"}) == [
        "units[0].name: có ký tự không hợp lệ (NUL)."
    ]
    assert errors_of(csv_of("38,Tỉnh\x00,province,,,,,,")) == [
        'Dòng 2, cột "name": có ký tự không hợp lệ (NUL).'
    ]
    assert not Unit.objects.exists()


def test_json_errors_name_the_path() -> None:
    messages = json_errors_of({"code": "38", "name": "X", "kind": "tinh"})

    assert messages[0].startswith('units[0].kind: "tinh" không hợp lệ')


def test_the_command_imports_and_reports_errors(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_units", str(DEMO_CSV), stdout=out)
    assert "Đơn vị: 19 thêm mới" in out.getvalue()

    bad = tmp_path / "units.csv"
    bad.write_bytes(csv_of("38,Tỉnh Thanh Hóa,province,,,,,,", "16300,,village,99,,,,,"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 lỗi"):
        call_command("import_units", str(bad), stdout=io.StringIO(), stderr=err)
    assert 'Dòng 3, cột "kind"' in err.getvalue()
    assert Unit.objects.count() == 19
