"""The periodic CCHC report as documents: the .docx opened with python-docx and the .pdf with
pypdf, their layout (Decree 30/2020) and their numbers checked; the background job that makes
them, its progress page and its download, for the person who asked and nobody else."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from docx import Document
from docx.enum.section import WD_ORIENT
from pypdf import PdfReader

from cchc.lib.numbers import localised
from cchc.reports import service_index as si
from cchc.reports.dashboards import number, percent
from cchc.reports.report_content import Options, Placeholder, build_report, report_period
from cchc.reports.report_docx import report_docx
from cchc.reports.report_pdf import report_pdf
from cchc.reports.resolution import PeriodError, units_in
from cchc.reports.tests.dashboard_data import NOW, Dossiers, make_world_dossiers
from cchc.testing import World, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dossiers(world: World, frozen: Any) -> Dossiers:
    return make_world_dossiers(world)


@pytest.fixture
def report(world: World, dossiers: Dossiers) -> Any:
    period = report_period("quarter", 2025, 4)
    return build_report(
        world.commune_a,
        period,
        scope=units_in(world.commune_a, subtree=True),
        options=Options(number=5, signer_name="Lê Văn Hùng", issued=NOW.date()),
    )


def mm(length: Any) -> float:
    assert length is not None
    return float(length.mm)


def texts(document: Any) -> list[str]:
    """Every paragraph's text, the tables' cells included, in order."""
    out = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                out.extend(p.text for p in cell.paragraphs)
    return out


def test_the_periods(world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        assert report_period("quarter", 2025, 4).phrase == "quý IV năm 2025"
        half = report_period("half", 2025, 1)
        assert (half.start.isoformat(), half.end.isoformat()) == ("2025-01-01", "2025-06-30")
        assert report_period("year", 2025).phrase == "năm 2025"
        with pytest.raises(PeriodError):
            report_period("quarter", 2025, 5)
        with pytest.raises(PeriodError):
            report_period("year", 2026)  # has not begun


def test_the_docx_is_an_administrative_document(report: Any) -> None:
    document = Document(io.BytesIO(report_docx(report)))
    first = document.sections[0]
    assert [round(mm(v)) for v in (first.page_width, first.page_height)] == [210, 297]
    assert [round(mm(v)) for v in (first.top_margin, first.bottom_margin)] == [20, 20]
    assert [round(mm(v)) for v in (first.left_margin, first.right_margin)] == [30, 15]
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size.pt == 14
    # Page numbers from the second page: a PAGE field in the header, none on the first page.
    assert first.different_first_page_header_footer
    assert "PAGE" in first.header._element.xml
    assert "PAGE" not in first.first_page_header._element.xml

    header = document.tables[0]
    left, right = (cell.paragraphs for cell in header.rows[0].cells)
    assert [p.text for p in left if p.text] == ["ỦY BAN NHÂN DÂN", "XÃ NGA SƠN", "Số: 05/BC-UBND"]
    assert left[1].runs[0].bold
    nation, motto, place = (p for p in right if p.text)
    assert nation.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and nation.runs[0].bold
    assert motto.text == "Độc lập - Tự do - Hạnh phúc" and motto.runs[0].bold
    assert motto.runs[0].underline and motto.runs[0].font.size.pt == 14
    assert place.text == "Nga Sơn, ngày 10 tháng 12 năm 2025" and place.runs[0].italic

    body = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in body
    assert "Kết quả thực hiện công tác cải cách hành chính quý IV năm 2025" in body
    for part in (
        "II. KẾT QUẢ ĐẠT ĐƯỢC",
        "2. Hạn chế, nguyên nhân",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
    ):
        assert part in body
    closing = texts(document)
    assert "Nơi nhận:" in closing and "- Lưu: VT." in closing
    assert "TM. ỦY BAN NHÂN DÂN" in closing and "CHỦ TỊCH" in closing and "Lê Văn Hùng" in closing


def test_the_docx_fills_the_figures_and_marks_what_people_write(report: Any) -> None:
    document = Document(io.BytesIO(report_docx(report)))
    body = "\n".join(p.text for p in document.paragraphs)
    t = report.total
    assert f"Tổng số hồ sơ tiếp nhận: {number(t.received_total)} hồ sơ" in body
    assert "Số hồ sơ đã giải quyết: 2 hồ sơ (trước hạn: 1; đúng hạn: 0; quá hạn: 1)" in body
    assert f"đạt {percent(t.on_time_rate)}" in body and "50,0 %" in body
    assert "tỷ lệ hài lòng và rất hài lòng đạt 100,0 %" in body
    # The service index, as its own module computes it for the same unit and period.
    index = si.service_index(
        report.unit, report.period.start, report.period.end, subtree=True, now=NOW
    ).result
    assert index.score is not None
    assert f"trong kỳ đạt {localised(index.score, 2)}/100 điểm" in body
    index_table = next(t for t in document.tables if t.rows[0].cells[1].text == "Nhóm chỉ số")
    assert [c.text for c in index_table.rows[-1].cells][1:4] == [
        "Chỉ số (thang 100 điểm), xếp loại",
        "100",
        localised(index.score, 2),
    ]
    marked = [
        run
        for p in document.paragraphs
        for run in p.runs
        if run.text.startswith("[Đơn vị bổ sung:")
    ]
    placeholders = [b for b in report.body if isinstance(b, Placeholder)]
    assert len(marked) == len(placeholders) >= 8
    assert all(run.font.highlight_color is not None and run.italic for run in marked)
    # Nothing left unformatted: every run is Times New Roman (or inherits it from Normal).
    assert all(
        run.font.name in (None, "Times New Roman") for p in document.paragraphs for run in p.runs
    )


def test_the_appendix_is_form_06_on_a_landscape_page(report: Any) -> None:
    document = Document(io.BytesIO(report_docx(report)))
    appendix = document.sections[-1]
    assert appendix.orientation == WD_ORIENT.LANDSCAPE
    assert [round(mm(v)) for v in (appendix.page_width, appendix.page_height)] == [297, 210]
    table = document.tables[-1]
    numbering = [c.text for c in table.rows[2].cells]
    assert numbering == [f"({i})" for i in range(1, 14)]
    total = [c.text for c in table.rows[-1].cells]
    t = report.total
    assert total[1] == "Tổng cộng"
    assert total[2:] == [
        number(v)
        for v in (
            t.received_total, t.received_online, t.received_direct, t.carried_over,
            t.resolved_total, t.resolved_early, t.resolved_on_time, t.resolved_late,
            t.in_progress_total, t.in_progress_within, t.in_progress_overdue,
        )
    ]  # fmt: skip
    assert total[2:] == ["5", "2", "3", "0", "2", "1", "0", "1", "3", "2", "1"]
    # The identities the form states hold on the page too.
    assert int(total[2]) == int(total[3]) + int(total[4]) + int(total[5])
    assert int(total[6]) == int(total[7]) + int(total[8]) + int(total[9])
    assert int(total[10]) == int(total[11]) + int(total[12])


def test_the_pdf_says_the_same_in_the_same_layout(report: Any) -> None:
    reader = PdfReader(io.BytesIO(report_pdf(report)))
    first, last = reader.pages[0], reader.pages[-1]
    assert (
        round(float(first.mediabox.width) / 72 * 25.4),
        round(float(first.mediabox.height) / 72 * 25.4),
    ) == (210, 297)
    assert float(last.mediabox.width) > float(last.mediabox.height)  # the appendix, landscape
    page1 = first.extract_text()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page1
    assert "Độc lập - Tự do - Hạnh phúc" in page1
    assert "Số: 05/BC-UBND" in page1 and "Nga Sơn, ngày 10 tháng 12 năm 2025" in page1
    assert not re.match(r"\s*1\s", page1)  # no number on the first page
    assert reader.pages[1].extract_text().strip().startswith("2")
    everything = "\n".join(p.extract_text() for p in reader.pages)
    assert "Nơi nhận:" in everything and "Lê Văn Hùng" in everything
    assert "50,0 %" in everything and "Biểu số 06/VPCP/KSTT" in everything
    assert "(13)" in last.extract_text()


# The worker closes its database connection when it is done, as a worker process does: the test
# cannot run inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_the_job_makes_the_file_and_only_its_requester_gets_it(
    world: World, dossiers: Dossiers, carol: Any, bob: Any, frozen: Any
) -> None:
    client = logged_in(carol)
    form = client.get("/lam-viec/tong-quan-bao-cao/")
    assert form.status_code == 200 and "quarter-4-2025" in form.content.decode()
    asked = client.post(
        "/lam-viec/tong-quan-bao-cao/",
        {"unit": "16300", "period": "quarter-4-2025", "format": "docx", "number": "7"},
    )
    assert asked.status_code == 302
    status_url = asked["Location"]
    waiting = client.get(status_url).content.decode()
    assert 'http-equiv="refresh"' in waiting and "<progress" in waiting
    # Another commune's officer: the same 404 as for a job that does not exist.
    assert logged_in(bob).get(status_url).status_code == 404
    assert logged_in(bob).get(status_url + "tai-ve/").status_code == 404
    assert client.get(status_url + "tai-ve/").status_code == 404  # not ready yet

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    done = client.get(status_url).content.decode()
    assert "refresh" not in done and "tai-ve/" in done
    download: Any = client.get(status_url + "tai-ve/")
    assert download.status_code == 200
    assert "bao-cao-cchc-16300-quy-4-2025.docx" in download["Content-Disposition"]
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert any(c.text == "Số: 07/BC-UBND" for c in document.tables[0].rows[0].cells[0].paragraphs)
    assert logged_in(bob).get(status_url + "tai-ve/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_form_06_table_alone_comes_as_the_official_xlsx(
    world: World, dossiers: Dossiers, carol: Any, frozen: Any
) -> None:
    from openpyxl import load_workbook

    client = logged_in(carol)
    asked = client.post(
        "/lam-viec/tong-quan-bao-cao/",
        {"unit": "16300", "period": "quarter-4-2025", "format": "xlsx"},
    )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    download: Any = client.get(asked["Location"] + "tai-ve/")
    assert download.status_code == 200
    assert "bieu-06-16300-20251001-20251231.xlsx" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "Biểu số 06/VPCP/KSTT" in values
    assert "(13)" in values
    # The total row: received 5, of which 2 online and 3 direct; resolved 2; in progress 3.
    total = next(
        row for row in sheet.iter_rows(values_only=True) if any(c == "Tổng cộng" for c in row if c)
    )
    numbers = [c for c in total if isinstance(c, int)]
    assert numbers[:4] == [5, 2, 3, 0] and numbers[4] == 2 and numbers[8] == 3


@pytest.mark.django_db(transaction=True)
def test_a_years_ledger_is_made_by_the_worker_with_every_line_of_the_book(
    world: World, dossiers: Dossiers, carol: Any, frozen: Any
) -> None:
    from cchc.dossiers import ledger
    from cchc.dossiers.models import Dossier

    client = logged_in(carol)
    asked = client.post(
        "/lam-viec/tong-quan-bao-cao/",
        {"unit": "16300", "period": "year-1-2025", "format": "ledger"},
    )
    assert asked.status_code == 302
    # The dossier pages' print view takes a quarter at most and says where the year is made.
    too_long = client.get("/lam-viec/don-vi/16300/so-theo-doi.pdf?from=2025-01-01&to=2025-12-31")
    assert too_long.status_code == 400 and "Báo cáo định kỳ" in too_long.content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    download: Any = client.get(asked["Location"] + "tai-ve/")
    assert download.status_code == 200
    assert "so-theo-doi-16300-20250101-20251231.pdf" in download["Content-Disposition"]
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages
    )
    assert "SỔ THEO DÕI HỒ SƠ" in text.upper() and "Mẫu số 06" in text
    flat = "".join(text.split())  # a code may wrap inside its cell
    book = list(
        ledger.entries(
            world.commune_a, dt.date(2025, 1, 1), dt.date(2025, 12, 31), Dossier.objects.all()
        )
    )
    assert book and all(d.code in flat for d in book)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"unit": "16303", "period": "quarter-4-2025"}, 404, ""),
        ({"unit": "16300", "period": "quarter-9-2025"}, 400, "Quý phải là"),
        ({"unit": "16300", "period": "rubbish"}, 400, "Hãy chọn kỳ báo cáo"),
        ({"unit": "16300", "period": "year-1-2026"}, 400, "từ 2000 đến 2025"),
        ({"unit": "16300", "period": "year-1-2025", "format": "exe"}, 400, "Định dạng"),
        ({"unit": "16300", "period": "year-1-2025", "number": "-3"}, 400, "Số báo cáo"),
    ],
)
def test_bad_requests_are_refused_saying_why(
    world: World, dossiers: Dossiers, carol: Any, data: dict[str, str], status: int, message: str
) -> None:
    response = logged_in(carol).post("/lam-viec/tong-quan-bao-cao/", {"format": "docx", **data})
    assert response.status_code == status
    assert message in response.content.decode()


def test_a_person_cannot_queue_more_than_a_few_at_once(
    world: World, dossiers: Dossiers, carol: Any, settings: Any
) -> None:
    settings.REPORTS_EXPORT_MAX_WAITING = 2
    client = logged_in(carol)
    ask = {"unit": "16300", "period": "year-1-2025", "format": "pdf"}
    assert client.post("/lam-viec/tong-quan-bao-cao/", ask).status_code == 302
    assert client.post("/lam-viec/tong-quan-bao-cao/", ask).status_code == 302
    third = client.post("/lam-viec/tong-quan-bao-cao/", ask)
    assert third.status_code == 429 and "đang có 2 báo cáo chờ tạo" in third.content.decode()
