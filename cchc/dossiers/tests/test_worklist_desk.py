"""Worklists that read at a glance (issue 12, item 3): a count on every tab from one query, a
text badge for overdue and due today, tabs that cannot be confused, the unit column and filter
for those who see several units, the officer's own held step in "Tôi đang xử lý", and the
current list exported as CSV or xlsx, scoped like the page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from cchc.accounts.models import User
from cchc.catalogue.models import UnitProcedure
from cchc.dossiers import actions
from cchc.dossiers.models import Dossier
from cchc.dossiers.worklists import WORKLISTS, Filters, counts, worklist_rows
from cchc.testing import World, at, logged_in, receipt_for
from cchc.units.models import visible_unit_ids
from cchc.worktime.snapshot import load_calendar

pytestmark = pytest.mark.django_db


def _body(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def several(world: World, reception: User, reception_b: User, copy_implemented: None) -> None:
    """Two dossiers received at commune A in August 2025 (overdue now), one at commune B."""
    UnitProcedure.objects.create(unit=world.commune_b, procedure=world.copy, implemented=True)
    for minute in (0, 1):
        actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 9, minute))
    actions.receive_dossier(
        receipt_for(world, processing_unit=world.commune_b),
        by=reception_b,
        at=at("2025-08-04", 9, 2),
    )


def test_every_counted_tab_comes_from_one_query(
    several: None, reception: User, django_assert_num_queries
) -> None:
    visible_unit_ids(reception)  # the scope, read once per request before the lists
    calendar = load_calendar()
    with django_assert_num_queries(1):
        numbers = counts(reception, Filters(), calendar=calendar)
    assert set(numbers) == {w.key for w in WORKLISTS.values() if w.counted}
    for key, n in numbers.items():
        assert n == worklist_rows(reception, key, Filters()).count(), key
    assert numbers["open"] == 2 and numbers["overdue"] == 2 and numbers["mine"] == 2


def test_tabs_show_counts_and_names_that_cannot_be_confused(several: None, reception: User) -> None:
    page = logged_in(reception).get("/lam-viec/ho-so/?list=open").content.decode()
    assert 'Đang giải quyết <span class="count">2' in page
    assert 'Quá hạn <span class="count">2' in page
    labels = [str(w.label) for w in WORKLISTS.values()]
    assert "Có kết quả, chờ trả (tất cả)" in labels
    assert "Có kết quả từ trước hôm nay, vẫn chưa trả" in labels
    assert "Chờ trả kết quả" not in labels and "Đã có kết quả nhưng chưa trả" not in labels


def test_overdue_rows_carry_a_text_badge(several: None, reception: User) -> None:
    page = logged_in(reception).get("/lam-viec/ho-so/?list=open").content.decode()
    assert page.count('<span class="badge overdue">Quá hạn</span>') == 2


def test_the_badge_says_due_today(world: World, reception: User, copy_implemented: None) -> None:
    dossier = actions.receive_dossier(receipt_for(world), by=reception)
    Dossier.objects.filter(pk=dossier.pk).update(
        due_at=load_calendar().closing(at("2026-12-07").date())
    )
    from cchc.dossiers.exports import deadline_badge

    dossier.refresh_from_db()
    assert dossier.due_at is not None
    moment = at("2026-12-07", 10)
    assert deadline_badge(dossier, moment, dossier.due_at) == "Đến hạn hôm nay"
    assert deadline_badge(dossier, at("2026-12-08", 10), dossier.due_at) == "Quá hạn"


def test_the_officers_own_held_step_counts_as_mine(
    world: World, reception: User, specialist: User, copy_implemented: None
) -> None:
    dossier = actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04"))
    assert dossier.assignee_id is None  # reception holds step 1, the dossier names nobody
    mine = set(worklist_rows(reception, "mine", Filters()).values_list("code", flat=True))
    assert mine == {dossier.code}
    actions.hand_over(dossier, by=reception, to=specialist, at=at("2025-08-04", 10))
    assert not worklist_rows(reception, "mine", Filters()).exists()
    assert worklist_rows(specialist, "mine", Filters()).get().code == dossier.code


def test_unit_column_and_filter_for_someone_who_sees_several_units(
    several: None, sam: User, reception: User, world: World
) -> None:
    client = logged_in(sam)
    page = client.get("/lam-viec/ho-so/?list=open").content.decode()
    assert '<select id="unit" name="unit">' in page and "Đơn vị giải quyết" in page
    assert 'Đang giải quyết <span class="count">3' in page
    only_b = client.get("/lam-viec/ho-so/", {"list": "open", "unit": "16303"}).content.decode()
    assert only_b.count("/lam-viec/ho-so/000.") == 1 and "Xã Nga Thắng" in only_b
    assert 'Đang giải quyết <span class="count">1' in only_b
    # One commune's officer sees one unit: no filter, no column.
    own = logged_in(reception).get("/lam-viec/ho-so/?list=open").content.decode()
    assert 'name="unit"' not in own


def test_counts_are_kept_briefly_for_several_units_and_exact_for_one(
    several: None, sam: User, reception: User, world: World, settings: Any
) -> None:
    settings.WORKLIST_COUNTS_CACHE_SECONDS = 30
    wide, own = logged_in(sam), logged_in(reception)
    assert 'Đang giải quyết <span class="count">3' in wide.get("/lam-viec/ho-so/").content.decode()
    assert 'Đang giải quyết <span class="count">2' in own.get("/lam-viec/ho-so/").content.decode()
    actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 9, 5))
    # The commune's officer, who acts on the counts, sees the new dossier at once ...
    assert 'Đang giải quyết <span class="count">3' in own.get("/lam-viec/ho-so/").content.decode()
    # ... the supervisor's tabs keep their count (the list below is read fresh) and say so.
    page = wide.get("/lam-viec/ho-so/").content.decode()
    assert 'Đang giải quyết <span class="count">3' in page and "sau mỗi 30 giây" in page
    assert page.count("/lam-viec/ho-so/000.") == 4
    settings.WORKLIST_COUNTS_CACHE_SECONDS = 0
    page = wide.get("/lam-viec/ho-so/").content.decode()
    assert 'Đang giải quyết <span class="count">4' in page and "sau mỗi" not in page


def test_a_unit_outside_the_scope_is_ignored(several: None, reception: User) -> None:
    page = logged_in(reception).get("/lam-viec/ho-so/", {"list": "open", "unit": "16303"})
    assert page.status_code == 200
    assert 'Đang giải quyết <span class="count">2' in page.content.decode()


def test_the_current_list_exports_as_csv_scoped_like_the_page(
    several: None, reception: User, reception_b: User
) -> None:
    response = logged_in(reception).get("/lam-viec/ho-so/", {"list": "open", "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = _body(response)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Mã hồ sơ", "Thủ tục", "Người nộp"]
    assert len(rows) == 3 and {r[3] for r in rows[1:]} == {"Xã Nga Sơn"}
    assert rows[1][8] == "Quá hạn" and rows[1][7].count("/") == 2  # dd/mm/yyyy hh:mm
    other = logged_in(reception_b).get("/lam-viec/ho-so/", {"list": "open", "export": "csv"})
    assert len(list(csv.reader(io.StringIO(_body(other))))) == 2


def test_the_current_list_exports_as_xlsx(several: None, sam: User) -> None:
    response = logged_in(sam).get(
        "/lam-viec/ho-so/", {"list": "overdue", "unit": "16300", "export": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0][0] == "Mã hồ sơ" and len(values) == 3
    assert {row[3] for row in values[1:]} == {"Xã Nga Sơn"}


def test_a_formula_in_a_name_is_not_exported_as_a_formula(
    world: World, reception: User, copy_implemented: None
) -> None:
    from cchc.dossiers.actions import Applicant

    actions.receive_dossier(
        receipt_for(world, applicant=Applicant(name="=HYPERLINK(1)", phone="0912345678")),
        by=reception,
        at=at("2025-08-04"),
    )
    response = logged_in(reception).get("/lam-viec/ho-so/", {"list": "open", "export": "csv"})
    assert "'=HYPERLINK(1)" in _body(response)
