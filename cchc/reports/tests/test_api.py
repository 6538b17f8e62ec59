"""GET /api/v1/reports/resolution: the table as JSON and as the official form's .xlsx, scoped to
the caller's units, with a clear 400/404 for bad input."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from cchc.dossiers.choices import EndType
from cchc.reports.choices import OFFICIAL_COLUMNS
from cchc.reports.tests.support import make_dossier
from cchc.testing import World, at, bearer, logged_in

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/resolution"
H = dt.timedelta(hours=1)


@pytest.fixture
def dossiers(world: World) -> None:
    """Commune A, August 2025: two resolved (one late), one still open and overdue; one in
    commune B."""
    make_dossier(
        world,
        received=at("2025-08-04"),
        due=at("2025-08-07", 17),
        finished=at("2025-08-06"),
        end_type=EndType.RESOLVED,
        rating=(at("2025-08-06", 11), 5),
    )
    make_dossier(
        world,
        received=at("2025-08-04"),
        due=at("2025-08-07", 17),
        finished=at("2025-08-11"),
        end_type=EndType.RESOLVED,
        channel="online_full",
        procedure=world.birth,
    )
    make_dossier(world, received=at("2025-08-20"), due=at("2025-08-22", 17), channel="postal")
    make_dossier(world, received=at("2025-08-20"), due=at("2025-08-22", 17), unit=world.commune_b)


def get(client: Client, **params: str):
    return client.get(URL, params)


def test_it_answers_rows_by_field_and_the_total(world, dossiers, carol) -> None:
    answer = get(logged_in(carol), unit="16300", **{"from": "2025-08-01", "to": "2025-08-31"})
    assert answer.status_code == 200
    body = answer.json()
    total = body["total"]
    keys = [c.key for c in OFFICIAL_COLUMNS]
    assert set(keys) <= set(total)
    assert [total[k] for k in keys] == [3, 1, 2, 0, 2, 1, 0, 1, 1, 0, 1]
    assert total["received_postal"] == total["in_progress_overdue_no_apology"] == 1
    assert (total["rated"], total["satisfaction_rate"], total["on_time_rate"]) == (1, 100.0, 50.0)
    assert [(r["key"], r["name"], r["received_total"]) for r in body["rows"]] == [
        ("chung-thuc", "Chứng thực", 2),
        ("ho-tich", "Hộ tịch", 1),
    ]
    assert body["rows"][0]["group"] == {"field": "chung-thuc"}
    assert (body["unit"], body["start"], body["end"], body["live"]) == (
        "16300",
        "2025-08-01",
        "2025-08-31",
        False,
    )


def test_a_province_sees_its_subtree_grouped_as_asked(world, dossiers, pat) -> None:
    answer = get(
        Client(**bearer(pat)),
        unit="38",
        subtree="1",
        group="unit",
        **{"from": "2025-08-01", "to": "2025-08-31"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert [(r["key"], r["received_total"]) for r in body["rows"]] == [("16300", 3), ("16303", 1)]
    # Without the subtree, the province's own agencies only: none here.
    alone = get(Client(**bearer(pat)), unit="38", **{"from": "2025-08-01", "to": "2025-08-31"})
    assert alone.json()["total"]["received_total"] == 0


def test_another_units_table_is_not_found(world, dossiers, bob) -> None:
    answer = get(logged_in(bob), unit="16300", **{"from": "2025-08-01", "to": "2025-08-31"})
    assert answer.status_code == 404
    assert answer.json()["detail"] == "Không tìm thấy đơn vị"
    # Nor does asking for the province's subtree show commune A's dossiers to bob.
    province = get(
        logged_in(bob), unit="38", subtree="1", **{"from": "2025-08-01", "to": "2025-08-31"}
    )
    assert province.status_code == 404


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"unit": "99999", "from": "2025-08-01", "to": "2025-08-31"}, 404, "Không tìm thấy"),
        ({"unit": "16300", "from": "2025-08-31", "to": "2025-08-01"}, 400, "trước ngày bắt đầu"),
        ({"unit": "16300", "from": "1900-01-01", "to": "1900-12-31"}, 400, "01/01/2000"),
        ({"unit": "16300", "from": "2005-01-01", "to": "2024-12-31"}, 400, "quá giới hạn"),
        ({"unit": "16300", "from": "2099-01-01", "to": "2099-12-31"}, 400, "sau hôm nay"),
        ({"unit": "16300", "from": "01/08/2025", "to": "2025-08-31"}, 400, "YYYY-MM-DD"),
        ({"unit": "16300", "from": "2025-08-01", "to": "2025-02-30"}, 400, "YYYY-MM-DD"),
        ({"unit": "16300", "from": "2025-08-01", "to": "2025-08-31", "group": "day"}, 400, "group"),
        (
            {"unit": "16300", "from": "2025-08-01", "to": "2025-08-31", "subtree": "x"},
            400,
            "subtree",
        ),
        ({"unit": "16300", "to": "2025-08-31"}, 400, "from"),
    ],
)
def test_bad_input_is_told_clearly(world, carol, params, status, says) -> None:
    answer = get(logged_in(carol), **params)
    assert answer.status_code == status
    assert says in str(answer.json()["detail"]) + str(answer.json().get("errors", ""))


def test_it_needs_a_staff_member(world) -> None:
    answer = get(Client(), unit="16300", **{"from": "2025-08-01", "to": "2025-08-31"})
    assert answer.status_code == 401


def test_the_form_as_an_xlsx(world, dossiers, carol) -> None:
    answer = get(
        logged_in(carol),
        unit="16300",
        format="xlsx",
        **{"from": "2025-08-01", "to": "2025-08-31"},
    )
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bieu-06-16300-20250801-20250831.xlsx"' in answer["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    form, detail = book.worksheets
    cells = {c.coordinate: c.value for row in form.iter_rows() for c in row if c.value is not None}
    texts = list(cells.values())
    assert cells["A1"] == "Biểu số 06/VPCP/KSTT"
    assert "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020" in texts
    assert "Đơn vị báo cáo: Xã Nga Sơn" in texts
    assert any(str(t).startswith("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH") for t in texts)
    assert "Từ ngày 01/08/2025 đến ngày 31/08/2025" in texts
    assert form.page_setup.orientation == "landscape"
    rows = [list(r) for r in form.iter_rows(values_only=True)]
    numbers = next(r for r in rows if r[0] == "(1)")
    assert numbers[:13] == [f"({i})" for i in range(1, 14)]
    headings = next(r for r in rows if r[0] == "STT")
    assert headings[2] == "Số hồ sơ nhận giải quyết" and headings[6] == "Số hồ sơ đã giải quyết"
    # By level, then field; the level's subtotal, its fields, the total, the signatures.
    body = rows[rows.index(numbers) + 1 :]
    assert body[0][:3] == ["I", "Cấp xã", 3]
    assert [r[1] for r in body[1:3]] == ["Chứng thực", "Hộ tịch"]
    total = next(r for r in body if r[1] == "Tổng cộng")
    assert total[2:13] == [3, 1, 2, 0, 2, 1, 0, 1, 1, 0, 1]
    assert "THỦ TRƯỞNG ĐƠN VỊ" in texts and "NGƯỜI LẬP BIỂU" in texts
    # The second sheet: every column under its key.
    header = [c.value for c in detail[1]]
    assert header[:3] == ["level", "field", "name"] and "received_cross_boundary" in header
    last = [c.value for c in detail[detail.max_row]]
    assert last[header.index("received_total")] == 3


def test_a_period_reaching_today_is_counted_as_of_now(world, carol) -> None:
    today = timezone.localdate()
    answer = get(
        logged_in(carol),
        unit="16300",
        **{"from": (today - dt.timedelta(days=30)).isoformat(), "to": today.isoformat()},
    )
    assert answer.status_code == 200 and answer.json()["live"] is True
