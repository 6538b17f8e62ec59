from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from cchc.catalogue.io import (
    CatalogueImportError,
    export_catalogue_json,
    export_catalogue_xlsx,
    import_catalogue,
    parse_catalogue_json,
    parse_catalogue_xlsx,
)
from cchc.catalogue.io.shapes import OPTIONAL_COLUMNS, PROCEDURE_KEYS, VERSION_KEYS
from cchc.catalogue.models import (
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    StepTemplate,
    UnitProcedure,
)
from cchc.units.choices import UnitKind
from cchc.units.models import Unit

pytestmark = pytest.mark.django_db

MODELS = (Field, Procedure, ProcedureVersion, RequiredDocument, Fee, StepTemplate, UnitProcedure)


@pytest.fixture(autouse=True)
def units() -> None:
    province = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    Unit.objects.create(
        code="16300",
        name="Xã Nga Sơn",
        kind=UnitKind.COMMUNE,
        parent=province,
        valid_from=dt.date(2025, 7, 1),
    )
    # Merged away: no longer a unit a procedure can be adopted by.
    Unit.objects.create(
        code="16279",
        name="Thị trấn Nga Sơn",
        kind=UnitKind.WARD,
        parent=province,
        valid_to=dt.date(2025, 6, 30),
    )


def catalogue() -> dict[str, Any]:
    """A small catalogue in the exact shape export writes (keys and order included)."""

    def version(effective_from: str, name: str, **overrides: Any) -> dict[str, Any]:
        return {
            "effective_from": effective_from,
            "name": name,
            "processing_time": "0",
            "time_unit": "same_day",
            "time_note": "Hồ sơ nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo",
            "fee_note": "Miễn lệ phí khi đăng ký đúng hạn",
            "legal_basis": "Luật Hộ tịch 2014",
            "online_service": "full",
            "result_type": "Giấy khai sinh",
            "conditions": "",
            "keywords": "khai sinh; giấy khai sinh",
            "published_by": "",
            "documents": [
                {
                    "name": "Tờ khai đăng ký khai sinh",
                    "originals": 1,
                    "copies": 0,
                    "required": True,
                    "form_template": "to-khai-khai-sinh.docx",
                    "note": "",
                },
                {
                    "name": "Giấy chứng sinh",
                    "originals": 1,
                    "copies": 1,
                    "required": False,
                    "form_template": "",
                    "note": "Nếu có",
                },
            ],
            "fees": [{"name": "Lệ phí quá hạn", "amount_vnd": 8000, "note": ""}],
            "steps": [
                {"name": "Tiếp nhận hồ sơ", "role": "reception", "body": "", "share": "10"},
                {"name": "Thẩm định", "role": "specialist", "body": "", "share": "33.33"},
                {"name": "Lấy ý kiến", "role": "", "body": "Công an xã", "share": "33.33"},
                {"name": "Phê duyệt", "role": "leader", "body": "", "share": "23.34"},
            ],
            **overrides,
        }

    return {
        "format": "cchc-catalogue",
        "version": 1,
        "fields": [
            {"code": "chung-thuc", "name": "Chứng thực"},
            {"code": "ho-tich", "name": "Hộ tịch"},
        ],
        "procedures": [
            {
                "code": "1.001193",
                "field": "ho-tich",
                "authority_level": "commune",
                "versions": [
                    version("2024-01-01", "Đăng ký khai sinh (cũ)"),
                    version("2025-07-01", "Đăng ký khai sinh"),
                ],
            },
            {
                "code": "2.000815",
                "field": "chung-thuc",
                "authority_level": "commune",
                "versions": [
                    version(
                        "2025-07-01",
                        "Chứng thực bản sao từ bản chính",
                        processing_time="0.5",
                        time_unit="working_days",
                        online_service="partial",
                        documents=[],
                        fees=[{"name": "Phí chứng thực", "amount_vnd": 2000, "note": "Mỗi trang"}],
                        steps=[],
                    )
                ],
            },
        ],
        "adoptions": [
            {"unit": "16300", "procedure": "1.001193", "implemented": True, "reason": ""},
            {
                "unit": "16300",
                "procedure": "2.000815",
                "implemented": False,
                "reason": "Chuyển về Trung tâm Phục vụ hành chính công",
            },
        ],
    }


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def empty_catalogue() -> None:
    Procedure.objects.all().delete()  # cascades to versions, their lists and adoptions
    Field.objects.all().delete()


def from_json(doc: dict[str, Any]) -> Any:
    return import_catalogue(parse_catalogue_json(json.dumps(doc, ensure_ascii=False)))


def errors_of(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(CatalogueImportError) as caught:
        from_json(doc)
    return caught.value.messages


def sheets_of(xlsx: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    workbook.close()
    return sheets


def xlsx_of(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def small_xlsx() -> dict[str, list[list[Any]]]:
    """One procedure, one version, one fee: the smallest complete xlsx catalogue."""
    return {
        "fields": [["code", "name"], ["ho-tich", "Hộ tịch"]],
        "procedures": [
            # A sheet written before the optional columns were added: it is still read.
            [*PROCEDURE_KEYS, *(key for key in VERSION_KEYS if key not in OPTIONAL_COLUMNS)],
            ["1.001193", "ho-tich", "commune", dt.datetime(2025, 7, 1), "Đăng ký khai sinh"]
            + [3, "working_days", "", "", "", "full", "", "", "", ""],
        ],
        "fees": [
            ["procedure", "effective_from", "position", "name", "amount_vnd", "note"],
            ["1.001193", "2025-07-01", 1, "Lệ phí", 5000, ""],
        ],
    }


# --- Round trips ------------------------------------------------------------------------------


def test_export_writes_the_catalogue_as_imported() -> None:
    from_json(catalogue())

    assert export_catalogue_json() == catalogue()


def test_json_export_imports_into_an_empty_database_and_exports_the_same() -> None:
    from_json(catalogue())
    first = export_catalogue_json()
    empty_catalogue()

    from_json(first)

    assert export_catalogue_json() == first


def test_xlsx_export_imports_into_an_empty_database_and_exports_the_same() -> None:
    from_json(catalogue())
    as_json = export_catalogue_json()
    first = export_catalogue_xlsx()
    empty_catalogue()

    import_catalogue(parse_catalogue_xlsx(first))

    assert export_catalogue_json() == as_json
    assert sheets_of(export_catalogue_xlsx()) == sheets_of(first)


def test_the_stored_rows_are_what_the_file_says() -> None:
    from_json(catalogue())

    procedure = Procedure.objects.get(code="1.001193")
    assert procedure.name == "Đăng ký khai sinh"  # the newest version's
    assert procedure.version_at(dt.date(2025, 1, 1)).name == "Đăng ký khai sinh (cũ)"  # type: ignore[union-attr]
    version = ProcedureVersion.objects.get(procedure=procedure, effective_from="2025-07-01")
    assert [d.position for d in version.documents.all()] == [1, 2]
    assert version.documents.first().form_template.name == "catalogue/forms/to-khai-khai-sinh.docx"  # type: ignore[union-attr]
    assert [s.role for s in version.steps.all()] == ["reception", "specialist", "", "leader"]
    adoption = UnitProcedure.objects.get(procedure__code="2.000815")
    assert (adoption.unit.valid_from, adoption.implemented) == (dt.date(2025, 7, 1), False)


def test_xlsx_accepts_real_dates_numbers_and_sorts_rows_by_position() -> None:
    sheets = small_xlsx()
    sheets["fees"] += [["1.001193", dt.date(2025, 7, 1), 0, "Phí trước", 1000.0, ""]]

    import_catalogue(parse_catalogue_xlsx(xlsx_of(sheets)))

    version = ProcedureVersion.objects.get()
    assert version.processing_time == 3
    assert [(f.position, f.name) for f in version.fees.all()] == [(1, "Phí trước"), (2, "Lệ phí")]


def test_an_exported_subset_carries_only_its_fields_and_adoptions() -> None:
    from_json(catalogue())

    doc = export_catalogue_json(Procedure.objects.filter(code="2.000815"))

    assert [f["code"] for f in doc["fields"]] == ["chung-thuc"]
    assert [a["procedure"] for a in doc["adoptions"]] == ["2.000815"]


# --- Re-import --------------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing() -> None:
    from_json(catalogue())
    before = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}

    result = from_json(catalogue())

    assert not result.changed
    assert result.unchanged == {"fields": 2, "procedures": 2, "versions": 3, "adoptions": 2}
    after = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    assert after == before


def test_reimport_replaces_the_lists_of_a_changed_version_only() -> None:
    from_json(catalogue())
    untouched = list(
        Fee.objects.filter(version__effective_from="2024-01-01").values_list("pk", flat=True)
    )
    doc = catalogue()
    doc["procedures"][0]["versions"][1]["fees"] = [
        {"name": "Lệ phí quá hạn", "amount_vnd": 10000, "note": ""},
        {"name": "Phí bản sao", "amount_vnd": 3000, "note": ""},
    ]
    doc["adoptions"][1] = {
        "unit": "16300",
        "procedure": "2.000815",
        "implemented": True,
        "reason": "",
    }
    doc["fields"][1]["name"] = "Hộ tịch (mới)"

    result = from_json(doc)

    assert result.updated == {"versions": 1, "adoptions": 1, "fields": 1}
    version = ProcedureVersion.objects.get(procedure__code="1.001193", effective_from="2025-07-01")
    assert [(f.name, f.amount_vnd) for f in version.fees.all()] == [
        ("Lệ phí quá hạn", 10000),
        ("Phí bản sao", 3000),
    ]
    assert (
        list(Fee.objects.filter(version__effective_from="2024-01-01").values_list("pk", flat=True))
        == untouched
    )
    assert UnitProcedure.objects.get(procedure__code="2.000815").implemented
    assert "ho tich moi" in Procedure.objects.get(code="1.001193").search_text


def test_a_file_may_refer_to_fields_and_procedures_already_stored() -> None:
    from_json(catalogue())
    doc = catalogue()
    doc["fields"] = []
    doc["procedures"] = doc["procedures"][:1]

    result = from_json(doc)

    assert not result.changed


# --- Rejected files ---------------------------------------------------------------------------


def mutate(change: str) -> dict[str, Any]:
    doc = catalogue()
    first_version = doc["procedures"][0]["versions"][0]
    if change == "duplicate procedure":
        doc["procedures"].append(copy.deepcopy(doc["procedures"][0]))
    elif change == "duplicate version":
        doc["procedures"][0]["versions"][1]["effective_from"] = "2024-01-01"
    elif change == "text fee":
        first_version["fees"][0]["amount_vnd"] = "abc"
    elif change == "negative fee":
        first_version["fees"][0]["amount_vnd"] = -5
    elif change == "unknown field":
        doc["procedures"][1]["field"] = "dat-dai"
    elif change == "unknown unit":
        doc["adoptions"][0]["unit"] = "99999"
    elif change == "merged unit":
        doc["adoptions"][0]["unit"] = "16279"
    elif change == "bad time unit":
        first_version["time_unit"] = "days"
    elif change == "bad online service":
        first_version["online_service"] = "online"
    elif change == "bad role":
        first_version["steps"][0]["role"] = "clerk"
    elif change == "bad authority":
        doc["procedures"][0]["authority_level"] = "district"
    elif change == "bad date":
        first_version["effective_from"] = "01/07/2025"
    elif change == "impossible date":
        first_version["effective_from"] = "2025-02-30"
    elif change == "shares":
        first_version["steps"][0]["share"] = "5"
    elif change == "no reason":
        doc["adoptions"][1]["reason"] = ""
    elif change == "same day time":
        first_version["processing_time"] = "2"
    elif change == "negative time":
        first_version["processing_time"] = "-1"
    elif change == "no versions":
        doc["procedures"][1]["versions"] = []
    elif change == "bad field code":
        doc["fields"][0]["code"] = "Chứng thực"
    elif change == "unknown key":
        first_version["fee"] = []
    elif change == "wrong format":
        doc["format"] = "cchc-units"
    elif change == "step without role or body":
        first_version["steps"][2]["body"] = ""
    elif change == "template path":
        first_version["documents"][0]["form_template"] = "../settings.py"
    return doc


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("duplicate procedure", "procedures[2].code: Mã thủ tục trùng với procedures[0].code."),
        (
            "duplicate version",
            "procedures[0].versions[1].effective_from: Phiên bản hiệu lực từ 2024-01-01 của thủ tục "
            "1.001193 trùng với procedures[0].versions[0].effective_from.",
        ),
        (
            "text fee",
            'procedures[0].versions[0].fees[0].amount_vnd: "abc" không phải là số nguyên không âm.',
        ),
        (
            "negative fee",
            "procedures[0].versions[0].fees[0].amount_vnd: -5 không phải là số nguyên không âm.",
        ),
        (
            "unknown field",
            'procedures[1].field: "dat-dai" không có trong danh sách lĩnh vực của tệp hay trong hệ thống.',
        ),
        (
            "unknown unit",
            'adoptions[0].unit: "99999" không phải là mã của một đơn vị đang hoạt động.',
        ),
        (
            "merged unit",
            'adoptions[0].unit: "16279" không phải là mã của một đơn vị đang hoạt động.',
        ),
        (
            "bad time unit",
            'procedures[0].versions[0].time_unit: "days" không hợp lệ (working_days, working_hours, same_day).',
        ),
        (
            "bad online service",
            'procedures[0].versions[0].online_service: "online" không hợp lệ (full, partial, none).',
        ),
        ("bad role", 'procedures[0].versions[0].steps[0].role: "clerk" không hợp lệ ('),
        (
            "bad authority",
            'procedures[0].authority_level: "district" không hợp lệ (central, province, commune).',
        ),
        (
            "bad date",
            'procedures[0].versions[0].effective_from: "01/07/2025" không phải là ngày hợp lệ (YYYY-MM-DD).',
        ),
        (
            "impossible date",
            'procedures[0].versions[0].effective_from: "2025-02-30" không phải là ngày hợp lệ (YYYY-MM-DD).',
        ),
        (
            "shares",
            "procedures[0].versions[0].steps[0].share: tổng tỷ lệ thời gian các bước của phiên bản là "
            "95, phải bằng 100.",
        ),
        ("no reason", "adoptions[1].reason: bắt buộc khi implemented là false (0)."),
        (
            "same day time",
            'procedures[0].versions[0].processing_time: "2" phải bằng 0 khi time_unit là same_day.',
        ),
        (
            "negative time",
            'procedures[0].versions[0].processing_time: "-1" không phải là số thập phân không âm.',
        ),
        ("no versions", "procedures[1].versions: thủ tục phải có ít nhất một phiên bản."),
        (
            "bad field code",
            'fields[0].code: "Chứng thực" không hợp lệ (chỉ gồm a-z, 0-9 và dấu -).',
        ),
        ("unknown key", "procedures[0].versions[0].fee: khóa không hợp lệ"),
        ("wrong format", 'format: "cchc-units" không hợp lệ (phải là "cchc-catalogue").'),
        (
            "step without role or body",
            "procedures[0].versions[0].steps[2].role: bắt buộc khi không ghi cơ quan thực hiện (body).",
        ),
        (
            "template path",
            'documents[0].form_template: "../settings.py" không phải là tên tệp hợp lệ',
        ),
    ],
)
def test_it_rejects_a_bad_file_and_writes_nothing(change: str, message: str) -> None:
    before = counts()

    messages = errors_of(mutate(change))

    assert any(m.startswith(message) or message in m for m in messages), messages
    assert counts() == before


def test_it_rejects_a_bad_reimport_and_keeps_what_was_stored() -> None:
    from_json(catalogue())
    stored = export_catalogue_json()
    doc = catalogue()
    doc["fields"][1]["name"] = "Đã đổi"  # valid on its own, but the file has an error elsewhere
    doc["adoptions"][0]["unit"] = "99999"

    errors_of(doc)

    assert export_catalogue_json() == stored


def test_it_reports_every_error_of_the_file_at_once() -> None:
    doc = catalogue()
    version = doc["procedures"][0]["versions"][0]
    version["time_unit"] = "days"
    version["fees"][0]["amount_vnd"] = "abc"
    doc["adoptions"][0]["unit"] = "99999"

    assert len(errors_of(doc)) == 3


def test_a_nul_character_is_an_error_of_the_file_not_a_database_error() -> None:
    # PostgreSQL refuses NUL in text; the field code and the unit are looked up before checking.
    doc = catalogue()
    doc["procedures"][0]["field"] = "ho-tich\x00"
    doc["adoptions"][0]["unit"] = "16300\x00"
    before = counts()

    messages = errors_of(doc)

    assert messages == [
        "procedures[0].field: có ký tự không hợp lệ (NUL).",
        "adoptions[0].unit: có ký tự không hợp lệ (NUL).",
    ]
    assert counts() == before


def test_it_rejects_a_file_that_is_not_json() -> None:
    data = parse_catalogue_json(b"{not json")

    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue(data)

    assert caught.value.messages[0].startswith("Không đọc được tệp JSON")


def test_xlsx_errors_name_the_sheet_row_and_column() -> None:
    sheets = small_xlsx()
    sheets["fees"] += [["1.001193", "2025-07-01", 2, "Phí", "abc", ""]]
    before = counts()

    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue(parse_catalogue_xlsx(xlsx_of(sheets)))

    assert caught.value.messages == [
        'Trang "fees", dòng 3, cột "amount_vnd": "abc" không phải là số nguyên không âm.'
    ]
    assert counts() == before


def test_xlsx_rejects_a_missing_or_unknown_column() -> None:
    sheets = small_xlsx()
    sheets["fees"][0][4] = "amount"

    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue(parse_catalogue_xlsx(xlsx_of(sheets)))

    assert caught.value.messages[:2] == [
        'Trang "fees", dòng 1, cột "amount": cột không hợp lệ (các cột: procedure, '
        "effective_from, position, name, amount_vnd, note).",
        'Trang "fees": thiếu cột "amount_vnd".',
    ]
    assert Procedure.objects.count() == 0


def test_xlsx_rejects_rows_of_a_version_that_is_not_there() -> None:
    sheets = small_xlsx()
    sheets["fees"] += [["1.001193", "2025-08-01", 2, "Phí", 1000, ""]]

    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue(parse_catalogue_xlsx(xlsx_of(sheets)))

    assert caught.value.messages == [
        'Trang "fees", dòng 3, cột "procedure": không có dòng nào trong trang "procedures" với '
        'code "1.001193" và effective_from "2025-08-01".'
    ]


def test_xlsx_rejects_versions_that_disagree_on_the_procedure() -> None:
    sheets = small_xlsx()
    second = list(sheets["procedures"][1])
    second[1:4] = ["chung-thuc", "commune", "2026-01-01"]
    sheets["procedures"].append(second)

    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue(parse_catalogue_xlsx(xlsx_of(sheets)))

    assert caught.value.messages[0] == (
        'Trang "procedures", dòng 3, cột "field": "chung-thuc" khác với Trang "procedures", '
        'dòng 2, cột "field" của cùng thủ tục 1.001193.'
    )


def test_xlsx_rejects_duplicate_positions() -> None:
    sheets = small_xlsx()
    sheets["fees"] += [["1.001193", "2025-07-01", 1, "Phí", 1000, ""]]

    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue(parse_catalogue_xlsx(xlsx_of(sheets)))

    assert caught.value.messages == [
        'Trang "fees", dòng 3, cột "position": Thứ tự 1 trùng với Trang "fees", dòng 2, cột "position".'
    ]


def test_it_rejects_a_file_that_is_not_xlsx() -> None:
    with pytest.raises(CatalogueImportError) as caught:
        import_catalogue(parse_catalogue_xlsx(b"not a spreadsheet"))

    assert caught.value.messages == ["Tệp không phải là bảng tính xlsx hợp lệ."]


# --- Commands ---------------------------------------------------------------------------------


def test_the_commands_export_and_import_both_formats(tmp_path: Path) -> None:
    from_json(catalogue())
    stored = export_catalogue_json()
    for file_format in ("json", "xlsx"):
        path = tmp_path / f"catalogue.{file_format}"
        call_command("export_catalogue", "--format", file_format, str(path), stdout=io.StringIO())
        empty_catalogue()
        out = io.StringIO()

        call_command("import_catalogue", str(path), stdout=out)

        assert "Thủ tục: 2 thêm mới, 0 cập nhật, 0 không đổi." in out.getvalue()
        assert export_catalogue_json() == stored


def test_the_import_command_prints_every_error_and_fails(tmp_path: Path) -> None:
    doc = mutate("text fee")
    doc["adoptions"][0]["unit"] = "99999"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 lỗi"):
        call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=err)

    assert "amount_vnd" in err.getvalue()
    assert "adoptions[0].unit" in err.getvalue()
    assert Procedure.objects.count() == 0


def with_extended_time(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["procedures"][0]["versions"][0].update(
        {
            "extended_time": "5",
            "extended_time_unit": "working_days",
            "extended_time_condition": "Trường hợp cần xác minh: không quá 05 ngày làm việc",
        }
    )
    return doc


def test_a_lawful_longer_time_travels_in_both_formats() -> None:
    doc = with_extended_time(catalogue())
    from_json(doc)
    first = doc["procedures"][0]
    version = ProcedureVersion.objects.get(
        procedure__code=first["code"], effective_from=first["versions"][0]["effective_from"]
    )
    assert version.extended_duration is not None
    assert version.extended_duration.amount == 5
    assert export_catalogue_json() == doc
    xlsx = export_catalogue_xlsx()
    empty_catalogue()
    import_catalogue(parse_catalogue_xlsx(xlsx))
    assert export_catalogue_json() == doc


def test_a_longer_time_needs_its_condition() -> None:
    doc = with_extended_time(catalogue())
    doc["procedures"][0]["versions"][0]["extended_time_condition"] = ""
    with pytest.raises(CatalogueImportError, match="extended_time_condition"):
        from_json(doc)
    assert not ProcedureVersion.objects.exists()
