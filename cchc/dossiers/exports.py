"""A worklist as a spreadsheet: the current list (its tab, search and unit), scoped like the page.

CSV (UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly) or xlsx (openpyxl,
write-only). Rows are read in the list's order in chunks with their related rows joined: no
query per row. A list longer than `MAX_ROWS` is cut there and the file says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.dossiers import clock
from cchc.dossiers.models import Dossier, DossierQuerySet
from cchc.dossiers.worklists import Worklist
from cchc.lib.numbers import localised

MAX_ROWS = 20_000
# A cell starting with one of these would be read as a formula by a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


def headers() -> list[str]:
    return [
        _("Mã hồ sơ"),
        _("Thủ tục"),
        _("Người nộp"),
        _("Đơn vị giải quyết"),
        _("Nơi tiếp nhận"),
        _("Trạng thái"),
        _("Tiếp nhận lúc"),
        _("Hẹn trả"),
        _("Tình trạng hạn"),
        _("Có kết quả lúc"),
        _("Đã trả lúc"),
    ]


def deadline_badge(dossier: Dossier, now: dt.datetime, end_of_today: dt.datetime) -> str:
    """ "Quá hạn" or "Đến hạn hôm nay" for a dossier whose clock runs; empty otherwise."""
    if dossier.due_at is None or dossier.status not in clock.running_statuses():
        return ""
    if dossier.due_at < now:
        return str(_("Quá hạn"))
    if dossier.due_at <= end_of_today:
        return str(_("Đến hạn hôm nay"))
    return ""


def ordered(qs: DossierQuerySet, worklist: Worklist) -> DossierQuerySet:
    direction = "-" if worklist.descending else ""
    return qs.select_related("procedure", "processing_unit", "receiving_unit").order_by(
        f"{direction}{worklist.sort}", f"{direction}id"
    )


def rows(qs: DossierQuerySet, worklist: Worklist) -> Iterator[list[str]]:
    now = timezone.now()
    end_of_today = clock.end_of_working_day(now, 0)
    for count, d in enumerate(ordered(qs, worklist)[: MAX_ROWS + 1].iterator(chunk_size=2000), 1):
        if count > MAX_ROWS:
            yield [
                _("Danh sách dài hơn %(n)s hồ sơ: chỉ xuất %(n)s hồ sơ đầu; hãy lọc thêm.")
                % {"n": localised(MAX_ROWS)}
            ]
            return
        yield [
            _safe(value)
            for value in (
                d.code,
                d.procedure.name,
                d.applicant_name,
                d.processing_unit.name,
                d.receiving_unit.name,
                str(d.get_status_display()),
                _when(d.received_at),
                _when(d.due_at),
                deadline_badge(d, now, end_of_today),
                _when(d.finished_at),
                _when(d.returned_at),
            )
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(qs: DossierQuerySet, worklist: Worklist, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff"
        yield writer.writerow(headers())
        for row in rows(qs, worklist):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(qs: DossierQuerySet, worklist: Worklist, filename: str, title: Any) -> Any:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(title)[:31])
    bold = Font(bold=True)
    header_cells = []
    for name in headers():
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows(qs, worklist):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
