"""The lost-points report of an imported assessment (SEEDS.md §4) as .docx and .xlsx, read back;
another unit's download is a 404."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.criteria import DATA, load_shipped, save_set
from cchc.parindex.models import Assessment
from cchc.testing import World, logged_in


@pytest.fixture
def imported(world: World, pat: User) -> Assessment:
    save_set(load_shipped("par-xa-8lv-2022.json"))
    doc = json.loads((DATA / "demo-assessment-2022.json").read_text())
    return actions.import_assessment(world.commune_a, doc, by=pat)


def test_the_docx_holds_the_lost_points_by_field(imported: Assessment, carol: User) -> None:
    response = logged_in(carol).get(f"/lam-viec/chi-so-cchc/{imported.pk}/diem-bi-tru.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "Kết quả Chỉ số cải cách hành chính năm 2022" in text
    assert "21 tiêu chí bị trừ tổng cộng 19 điểm" in text
    table = document.tables[-2]  # the last is the signature block
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == [
        "Mã",
        "Tiêu chí",
        "Lý do trừ điểm",
        "Điểm tối đa",
        "Tự chấm",
        "Thẩm định",
        "Bị trừ",
    ]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["7.2"][2:] == [
        "Chưa có nhiệm vụ chuyển đổi số được phê duyệt.",
        "1,5",
        "0,5",
        "0,5",
        "1",
    ]
    assert by_code["7"][1] == "Xây dựng và phát triển chính quyền điện tử, chính quyền số"
    assert [r[0] for r in rows[1:] if "." not in r[0]] == ["1", "2", "3", "4", "5", "7", "8"]


def test_the_xlsx_holds_the_same_rows_as_numbers(imported: Assessment, carol: User) -> None:
    response = logged_in(carol).get(f"/lam-viec/chi-so-cchc/{imported.pk}/diem-bi-tru.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = rows.index(
        ["Mã", "Tiêu chí", "Lý do trừ điểm", "Điểm tối đa", "Tự chấm", "Thẩm định", "Bị trừ"]
    )
    body = {r[0]: r for r in rows[header + 1 :]}
    assert body["2.3"][3:] == [2, 2, 1.5, 0.5]
    assert body["8"][6] == 6.5  # 8.1–8.5 lost 1 + 1 + 1,5 + 2 + 1
    assert sum(float(str(r[6])) for code, r in body.items() if "." in str(code)) == 19


@pytest.mark.parametrize("ext", ["docx", "xlsx"])
def test_another_units_download_answers_404(imported: Assessment, bob: User, ext: str) -> None:
    response = logged_in(bob).get(f"/lam-viec/chi-so-cchc/{imported.pk}/diem-bi-tru.{ext}")
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(imported: Assessment, client: Any) -> None:
    assert client.get(f"/lam-viec/chi-so-cchc/{imported.pk}/diem-bi-tru.xlsx").status_code == 302
