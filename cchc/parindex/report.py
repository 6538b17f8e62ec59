"""The lost-points report (SEEDS.md §4's supervision conclusion, criterion by criterion) as an
administrative document (.docx, laid out by cchc.reports.report_docx after Decree 30/2020) and
as a workbook (.xlsx): for each field, the criteria that lost points — maximum, self-score,
appraised score, points lost, reason — with the assessment's totals, then the remediation tasks
given for them (a second table, a second sheet: the first table's columns stay those of the
lost-points rows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cchc.dossiers.printing.layout import issuer_lines, long_date, place_name
from cchc.lib.numbers import localised
from cchc.parindex.models import Assessment
from cchc.parindex.results import lost_points, totals
from cchc.parindex.tasks import owner_name, tasks_of
from cchc.reports.index_xlsx import XLSX, _save, _sheet, _table
from cchc.reports.report_content import (
    Block,
    HeaderCell,
    OfficialReport,
    Para,
    Placeholder,
    ReportPeriod,
    Signer,
    TableBlock,
)
from cchc.reports.report_docx import report_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COLUMNS = ("Mã", "Tiêu chí", "Lý do trừ điểm", "Điểm tối đa", "Tự chấm", "Thẩm định", "Bị trừ")
TASK_COLUMNS = (
    "Mã",
    "Nhiệm vụ khắc phục",
    "Người chịu trách nhiệm",
    "Hạn",
    "Trạng thái",
    "Kết quả, minh chứng",
)


def task_rows(assessment: Assessment, on: dt.date) -> list[tuple[str, ...]]:
    """One row per remediation task, in the set's order: lateness as of `on`."""
    rows: list[tuple[str, ...]] = []
    for task in tasks_of(assessment, history=False):
        state = str(task.get_status_display())
        if task.is_late(on):
            state += " (quá hạn)"
        evidence = task.evidence
        if task.evidence_record is not None:
            document = task.evidence_record
            evidence += f" ({document.reference} ngày {document.issued_on:%d/%m/%Y})"
        rows.append(
            (
                task.criterion.code,
                task.title,
                owner_name(task.owner),
                f"{task.due_on:%d/%m/%Y}",
                state,
                evidence,
            )
        )
    return rows


def _pts(value: Decimal | None) -> str:
    return "" if value is None else localised(value)


def _summary(assessment: Assessment) -> str:
    return f"Kết quả Chỉ số cải cách hành chính năm {assessment.year} và các tiêu chí bị trừ điểm"


def lost_points_report(assessment: Assessment, *, now: dt.datetime | None = None) -> OfficialReport:
    """The report's content; `lost_points_docx` lays it out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    unit = assessment.unit
    result = totals(assessment)
    groups = lost_points(assessment)
    rows: list[tuple[str, ...]] = []
    bold: set[int] = set()
    for group in groups:
        bold.add(len(rows))
        rows.append((group.code, group.title, "", "", "", "", _pts(group.lost)))
        for r in group.rows:
            rows.append(
                (
                    r["code"],
                    r["title"],
                    r["reason"],
                    _pts(r["max_score"]),
                    _pts(r["self_score"]),
                    _pts(r["appraised_score"]),
                    _pts(r["lost"]),
                )
            )
    lost_total = sum((g.lost for g in groups), Decimal(0))
    index = (
        f"{localised(result.index, 2)} %" + (" (tạm tính)" if result.provisional else "")
        if result.index is not None
        else "chưa tính"
    )
    body: list[Block] = [
        Para(
            f"Căn cứ bộ tiêu chí {assessment.criteria_set.name} ({assessment.criteria_set.code}), "
            f"{unit.name} báo cáo kết quả tự đánh giá, thẩm định Chỉ số cải cách hành chính năm "
            f"{assessment.year} và các tiêu chí bị trừ điểm như sau:"
        ),
        Para(
            f"tự chấm {_pts(result.self_total)}; thẩm định {_pts(result.appraised_total)}; điều tra "
            f"xã hội học {_pts(result.survey_total)} trên tổng {_pts(result.max_total)} điểm. Chỉ số "
            f"đạt {index}" + (f", xếp loại {result.band}." if result.band else "."),
            lead="Tổng điểm:",
        ),
        Para(
            f"{sum(len(g.rows) for g in groups)} tiêu chí bị trừ tổng cộng {_pts(lost_total)} điểm "
            "(chi tiết tại bảng dưới đây).",
            lead="Các tiêu chí bị trừ điểm:",
        ),
        TableBlock(
            header=(tuple(HeaderCell(c) for c in COLUMNS),),
            rows=tuple(rows),
            widths=(1.1, 4.2, 4.2, 1.3, 1.3, 1.4, 1.2),
            numeric_from=3,
            bold_rows=frozenset(bold),
            size=10,
            caption="Bảng 1. Các tiêu chí bị trừ điểm theo lĩnh vực",
        ),
    ]
    tasks = task_rows(assessment, today)
    if tasks:
        body += [
            Para(
                f"{len(tasks)} nhiệm vụ, tình hình đến ngày {today:%d/%m/%Y} (chi tiết tại bảng "
                "dưới đây).",
                lead="Nhiệm vụ khắc phục:",
            ),
            TableBlock(
                header=(tuple(HeaderCell(c) for c in TASK_COLUMNS),),
                rows=tuple(tasks),
                widths=(1.1, 4.2, 2.4, 1.6, 2.0, 3.3),
                numeric_from=len(TASK_COLUMNS),
                size=10,
                caption="Bảng 2. Nhiệm vụ khắc phục các tiêu chí bị trừ điểm",
            ),
        ]
    body.append(
        Placeholder(
            "Nêu nguyên nhân chung, nhiệm vụ khắc phục (người chịu trách nhiệm, thời hạn) và kiến nghị."
        )
    )
    top, issuer = issuer_lines(unit)
    start, end = dt.date(assessment.year, 1, 1), dt.date(assessment.year, 12, 31)
    return OfficialReport(
        unit=unit,
        period=ReportPeriod("year", assessment.year, 1, start, end),
        as_of=now,
        issued=today,
        issuer_top=top,
        issuer=issuer,
        number="Số:        /BC-UBND",
        place_date=f"{place_name(unit)}, {long_date(today)}",
        title="BÁO CÁO",
        summary=_summary(assessment),
        body=body,
        closing=f"Trên đây là báo cáo kết quả Chỉ số cải cách hành chính năm {assessment.year} của "
        f"{unit.name}./.",
        recipients=["Hội đồng thẩm định Chỉ số CCHC;", "Thường trực HĐND;", "Lưu: VT."],
        signer=Signer(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), ""),
        appendix_title=("", "", ""),
        appendix_meta=(),
        appendix=[],
    )


def lost_points_docx(assessment: Assessment, *, now: dt.datetime | None = None) -> bytes:
    return report_docx(lost_points_report(assessment, now=now))


def lost_points_xlsx(assessment: Assessment, *, now: dt.datetime | None = None) -> bytes:
    """One row per criterion that lost points, a bold row per field; numbers as numbers. A
    second sheet lists the remediation tasks."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = _sheet(
        wb,
        "Điểm bị trừ",
        _summary(assessment).upper(),
        f"{assessment.unit.name} · {assessment.criteria_set.code}",
    )
    rows: list[list[object]] = []
    field_rows: list[int] = []
    for group in lost_points(assessment):
        field_rows.append(len(rows))
        rows.append([group.code, group.title, "", None, None, None, float(group.lost)])
        for r in group.rows:
            self_score = r["self_score"]
            rows.append(
                [
                    r["code"],
                    r["title"],
                    r["reason"],
                    float(r["max_score"]),
                    None if self_score is None else float(self_score),
                    float(r["appraised_score"]),
                    float(r["lost"]),
                ]
            )
    _table(ws, COLUMNS, rows)
    first = ws.max_row - len(rows) + 1
    for offset in field_rows:
        for cell in ws[first + offset]:
            cell.font = Font(name="Times New Roman", size=12, bold=True)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 48
    today = timezone.localdate(now or timezone.now())
    tasks = wb.create_sheet("Nhiệm vụ khắc phục")
    tasks.append([f"NHIỆM VỤ KHẮC PHỤC, TÌNH HÌNH ĐẾN NGÀY {today:%d/%m/%Y}"])
    tasks["A1"].font = Font(name="Times New Roman", size=12, bold=True)
    tasks.append([f"{assessment.unit.name} · {assessment.criteria_set.code}"])
    tasks.append([])
    _table(tasks, TASK_COLUMNS, task_rows(assessment, today))
    for letter, width in zip("ABCDEF", (8, 48, 24, 12, 22, 40), strict=True):
        tasks.column_dimensions[letter].width = width
    return _save(wb)


__all__ = [
    "DOCX",
    "XLSX",
    "lost_points_docx",
    "lost_points_report",
    "lost_points_xlsx",
    "task_rows",
]
