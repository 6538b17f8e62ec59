"""The staff screen: the form's table with Vietnamese numbers, scoped, reachable from the
workspace, the same table as .xlsx, clear messages for a bad period, and a bounded number of
queries whatever the volume."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc.dossiers.choices import EndType
from cchc.dossiers.models import Dossier
from cchc.reports import aggregates
from cchc.reports.tests.support import make_dossier
from cchc.testing import World, at, logged_in

pytestmark = pytest.mark.django_db

PAGE = "/lam-viec/bao-cao/ket-qua-giai-quyet/"
AUGUST = {"unit": "16300", "from": "2025-08-01", "to": "2025-08-31"}


@pytest.fixture
def many(world: World) -> None:
    """1,250 dossiers received in August 2025 in commune A (1,200 resolved, 40 late), so that
    thousands are grouped the Vietnamese way."""
    first = make_dossier(
        world,
        received=at("2025-08-04"),
        due=at("2025-08-07", 17),
        finished=at("2025-08-05"),
        end_type=EndType.RESOLVED,
    )
    template = {f.attname: getattr(first, f.attname) for f in Dossier._meta.concrete_fields}
    template.pop("id")
    rows = []
    for i in range(1249):
        values = {**template, "code": f"BULK-{i:05d}"}
        if i >= 1199:
            values.update(finished_at=None, end_type="", outcome="", status="processing")
        elif i < 40:
            values.update(finished_at=at("2025-08-12"), outcome="late")
        rows.append(Dossier(**values))
    Dossier.objects.bulk_create(rows)
    aggregates.sweep()


def test_the_table_reads_as_officials_write_it(world, many, carol) -> None:
    page = logged_in(carol).get(PAGE, AUGUST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Số hồ sơ nhận giải quyết" in html and "(13)" in html
    # 1.250 received, 1.200 resolved of which 40 late: 96,67 % on time.
    assert ">1.250<" in html and ">1.200<" in html and ">1.160<" in html
    assert "96,67" in html
    assert "Từ ngày 01/08/2025 đến ngày 31/08/2025" in html
    assert "Cấp xã" in html and "Chứng thực" in html


def test_the_workspace_leads_to_it(world, reception) -> None:
    workspace = logged_in(reception).get(reverse("units:workspace")).content.decode()
    assert PAGE in workspace
    # With no parameters: this month to today, for the first unit the person sees.
    page = logged_in(reception).get(PAGE)
    assert page.status_code == 200 and "Xã Nga Sơn" in page.content.decode()


def test_another_units_table_is_not_found(world, many, bob) -> None:
    assert logged_in(bob).get(PAGE, AUGUST).status_code == 404
    xlsx = reverse("reports:resolution_xlsx")
    assert logged_in(bob).get(xlsx, AUGUST).status_code == 404


def test_a_bad_period_is_told_in_place(world, carol) -> None:
    page = logged_in(carol).get(PAGE, {**AUGUST, "from": "2025-09-01"})
    assert page.status_code == 400
    assert "trước ngày bắt đầu" in page.content.decode()
    page = logged_in(carol).get(PAGE, {**AUGUST, "to": "31-08-2025x"})
    assert page.status_code == 400 and "không hợp lệ" in page.content.decode()


def test_the_download_is_the_form(world, many, carol) -> None:
    answer = logged_in(carol).get(reverse("reports:resolution_xlsx"), AUGUST)
    assert answer.status_code == 200
    form = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    total = next(r for r in form.iter_rows(values_only=True) if r[1] == "Tổng cộng")
    assert total[2:6] == (1250, 0, 1250, 0)


def test_the_queries_do_not_grow_with_the_dossiers(
    world, many, carol, django_assert_max_num_queries
) -> None:
    client = logged_in(carol)
    client.get(PAGE, AUGUST)  # sessions, caches
    with django_assert_max_num_queries(20):
        assert client.get(PAGE, {**AUGUST, "group": "procedure"}).status_code == 200
