"""What the PAR Index pages tell their reader, checked on the rendered pages: a register
document's signature and warning on the criterion page and in the criteria table, "—" for
what is not yet appraised, lost points only where there is a score to compare, an imported
assessment's import time, the list's links and its legend for a provisional index."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.criteria import DATA, load_shipped, save_set
from cchc.parindex.models import Assessment, Criterion
from cchc.parindex.tests.support import round_one_closed
from cchc.records.tests.support import register
from cchc.testing import World, at, logged_in

pytestmark = pytest.mark.django_db

WHEN = at("2025-10-05", 9)


@pytest.fixture(autouse=True)
def _no_trust_roots(settings: Any) -> None:
    settings.SIGNING_TRUST_ROOTS = ""


def page(a: Assessment) -> str:
    return f"/lam-viec/chi-so-cchc/{a.pk}/"


def text(response: Any) -> str:
    """The page's words, tags dropped, spaces collapsed."""
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def with_documents(world: World, assessment: Assessment, carol: User) -> Assessment:
    """1.4 asks for signed reports; one linked report is signed, the other is not."""
    Criterion.objects.filter(criteria_set=assessment.criteria_set, code="1.4").update(
        evidence_required="Báo cáo CCHC hằng quý (văn bản ký số)"
    )
    for reference, signed in (("45/BC-UBND", False), ("46/BC-UBND", True)):
        document = register(
            world,
            carol,
            reference,
            title="Báo cáo công tác cải cách hành chính quý III năm 2025",
            issued_on=dt.date(2025, 9, 10),
            at=WHEN,
            declared_signed=signed,
        )
        actions.add_evidence(
            assessment, "1.4", by=carol, kind="record", label="", record=document, at=WHEN
        )
    return assessment


def test_the_criterion_page_shows_each_documents_signature_and_the_warning(
    with_documents: Assessment, carol: User
) -> None:
    body = text(logged_in(carol).get(f"{page(with_documents)}tieu-chi/1.4/"))
    assert "45/BC-UBND ngày 10/09/2025: Báo cáo công tác" in body
    assert "Chưa ký số" in body and "Đã ký số" in body
    assert "Cảnh báo: Tiêu chí 1.4: văn bản 45/BC-UBND chưa được ký số" in body
    assert "46/BC-UBND chưa được ký số" not in body
    # The reference once per line (the label holds it), the day it was linked labelled.
    assert body.count("45/BC-UBND") == 2  # the line and its warning
    assert "Văn bản đã đăng ký:" not in body
    assert body.count("thêm ngày 05/10/2025") == 2


def test_a_criterion_with_a_warned_document_is_marked_in_words_in_the_table(
    with_documents: Assessment, carol: User
) -> None:
    response = logged_in(carol).get(page(with_documents))
    marks = re.findall(
        r'<a class="warnmark" href="([^"]+)"[^>]*>⚠ cảnh báo</a>', text_raw(response)
    )
    assert marks == [f"{page(with_documents)}tieu-chi/1.4/#h-evidence"]


def text_raw(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def field_line(response: Any, code: str) -> list[str]:
    """The figures of one field's line in the totals table (its cells after the title)."""
    table = text_raw(response).split('aria-labelledby="h-fields"')[1].split("</table>")[0]
    row = re.search(rf"<tr><td class=\"t\">{re.escape(code)}\. .*?</tr>", table, re.S)
    assert row, code
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[0])][
        1:
    ]


def test_not_yet_appraised_field_totals_read_a_dash(assessment: Assessment, carol: User) -> None:
    actions.set_self_score(assessment, "1.2", "1", by=carol, at=WHEN)
    response = logged_in(carol).get(page(assessment))
    maximum, own, appraised, survey = field_line(response, "1")
    assert own == "1" and appraised == "—" and survey == "—"
    total = text_raw(response).split('aria-labelledby="h-fields"')[1].split("<tfoot>")[1]
    assert total.count("<strong>—</strong>") == 2  # appraised and survey


def test_a_fields_lost_points_leave_out_criteria_not_yet_scored(
    assessment: Assessment, carol: User, pat: User
) -> None:
    a = round_one_closed(assessment, carol, pat)  # 1.4 and 2.2 lose points
    response = logged_in(carol).get(page(a))
    rows = {r.criterion.code: r for r in response.context["rows"]}
    survey_codes = [c for c, r in rows.items() if r.criterion.method == "survey"]
    assert survey_codes and all(rows[c].lost is None for c in survey_codes)  # not merged yet
    field = rows["1"]
    leaves_lost = sum(
        (r.lost for c, r in rows.items() if c.startswith("1.") and r.lost is not None),
        Decimal(0),
    )
    assert field.lost == leaves_lost
    survey_max = sum(
        (rows[c].criterion.max_score for c in survey_codes if c.startswith("1.")), Decimal(0)
    )
    assert field.lost == field.criterion.max_score - survey_max - field.appraised


def test_an_imported_assessment_says_when_it_was_imported(world: World, carol: User, pat: User):
    save_set(load_shipped("par-xa-8lv-2022.json"))
    doc = json.loads((DATA / "demo-assessment-2022.json").read_text())
    a = actions.import_assessment(world.commune_a, doc, by=pat, at=at("2026-12-07", 5))
    body = text(logged_in(carol).get(page(a)))
    assert "Nhập từ tệp lúc 05:00 07/12/2026" in body
    assert "Gửi tự đánh giá lúc" not in body
    # The criteria table's evidence column and the header count the same criteria.
    with_evidence = re.search(r"(\d+)/(\d+) tiêu chí có minh chứng", body)
    assert with_evidence
    response = logged_in(carol).get(page(a))
    counted = [r for r in response.context["rows"] if r.evidence_n]
    assert len(counted) == int(with_evidence[1])


def test_a_submitted_assessment_still_says_when_it_was_submitted(
    assessment: Assessment, carol: User, pat: User
) -> None:
    a = round_one_closed(assessment, carol, pat)
    body = text(logged_in(carol).get(page(a)))
    assert "Gửi tự đánh giá lúc" in body and "Nhập từ tệp lúc" not in body


def test_the_list_links_the_year_and_explains_a_provisional_index(
    assessment: Assessment, carol: User
) -> None:
    actions.set_self_score(assessment, "1.2", "1", by=carol, at=WHEN)
    raw = text_raw(logged_in(carol).get("/lam-viec/chi-so-cchc/"))
    assert f'<a href="{page(assessment)}" tabindex="-1">2025</a>' in raw
    assert f'<a class="row-link" href="{page(assessment)}">' in raw
    assert 'title="dự kiến: chưa chốt kết quả"' in raw
    assert "“dự kiến”: chưa chốt kết quả" in raw


def test_another_communes_officer_still_gets_404(with_documents: Assessment, bob: User) -> None:
    client = logged_in(bob)
    assert client.get(page(with_documents)).status_code == 404
    assert client.get(f"{page(with_documents)}tieu-chi/1.4/").status_code == 404
