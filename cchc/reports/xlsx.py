"""Biểu số 06/VPCP/KSTT as an .xlsx laid out like the official form (DOCUMENTS.md): the form's
number and circular top left, the reporting and receiving units top right, the title and the
period centred, two header rows and the row of column numbers (1)–(13), the fields grouped by
level with a subtotal per level and the total, the signature block; landscape A4. A second
sheet carries every column, the extended ones included, under its key (for systems that read
it). Numbers are stored as numbers (each reader's Excel shows them its own way: 31.724 in a
Vietnamese one)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from cchc.reports.choices import COLUMNS, OFFICIAL_COLUMNS, Dimension
from cchc.reports.resolution import Counts, ResolutionReport, Row

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
NUMBER = "#,##0"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
LAST = 13  # the form's last column


def _font(size: int = 12, *, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def _put(
    ws: Worksheet,
    row: int,
    col: int,
    value: str | int | None,
    *,
    to_col: int | None = None,
    to_row: int | None = None,
    font: Font | None = None,
    align: Alignment = CENTRE,
    box: bool = False,
) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.font = font or _font()
    cell.alignment = align
    if to_col is not None or to_row is not None:
        ws.merge_cells(
            start_row=row, start_column=col, end_row=to_row or row, end_column=to_col or col
        )
    if box:
        for r in range(row, (to_row or row) + 1):
            for c in range(col, (to_col or col) + 1):
                ws.cell(row=r, column=c).border = BOX


def sections(report: ResolutionReport) -> list[tuple[str | None, Counts | None, list[Row]]]:
    """The form's body: (level name, its subtotal, its field rows), or one untitled section
    when the rows are not grouped by level first."""
    if not report.group or report.group[0] != Dimension.LEVEL or len(report.group) < 2:
        return [(None, None, report.rows)]
    out: list[tuple[str | None, Counts | None, list[Row]]] = []
    for row in report.rows:
        if not out or out[-1][0] != row.label[0]:
            out.append((row.label[0], Counts(), []))
        name, subtotal, rows = out[-1]
        assert subtotal is not None
        out[-1] = (name, subtotal + row.counts, [*rows, row])
    return out


def _numbers(ws: Worksheet, row: int, counts: Counts, *, bold: bool = False) -> None:
    for i, column in enumerate(OFFICIAL_COLUMNS, start=3):
        cell = ws.cell(row=row, column=i, value=getattr(counts, column.key))
        cell.number_format = NUMBER
        cell.font = _font(12, bold=bold)
        cell.alignment = CENTRE
        cell.border = BOX


def _form(ws: Worksheet, report: ResolutionReport) -> None:
    ws.title = _("Biểu 06")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 38
    for c in range(3, LAST + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11

    _put(ws, 1, 1, _("Biểu số 06/VPCP/KSTT"), to_col=3, font=_font(12, bold=True), align=LEFT)
    _put(
        ws,
        2,
        1,
        _("Ban hành kèm theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020"),
        to_col=4,
        font=_font(10, italic=True),
        align=LEFT,
    )
    _put(ws, 3, 1, _("Ngày nhận báo cáo: ……"), to_col=3, font=_font(10, italic=True), align=LEFT)
    _put(
        ws,
        1,
        10,
        _("Đơn vị báo cáo: %(unit)s") % {"unit": report.unit.name},
        to_col=LAST,
        align=LEFT,
    )
    _put(ws, 2, 10, _("Đơn vị nhận báo cáo: ……"), to_col=LAST, align=LEFT)
    _put(ws, 3, 10, _("Đơn vị tính: Số hồ sơ TTHC"), to_col=LAST, align=LEFT)
    _put(
        ws,
        5,
        1,
        _(
            "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP "
            "GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
        ),
        to_col=LAST,
        font=_font(13, bold=True),
    )
    ws.row_dimensions[5].height = 36
    period = _("Từ ngày %(start)s đến ngày %(end)s") % {
        "start": f"{report.start:%d/%m/%Y}",
        "end": f"{report.end:%d/%m/%Y}",
    }
    _put(ws, 6, 1, period, to_col=LAST, font=_font(12, italic=True))
    if report.live:
        as_of = timezone.localtime(report.as_of)
        _put(
            ws,
            7,
            1,
            _("(Số liệu đang giải quyết tính đến %(moment)s)")
            % {"moment": f"{as_of:%H:%M %d/%m/%Y}"},
            to_col=LAST,
            font=_font(10, italic=True),
        )

    # Two header rows, then the column numbers.
    top = 9
    head = _font(11, bold=True)
    _put(ws, top, 1, _("STT"), to_row=top + 1, font=head, box=True)
    _put(
        ws,
        top,
        2,
        _("Lĩnh vực, công việc giải quyết theo cấp"),
        to_row=top + 1,
        font=head,
        box=True,
    )
    groups: list[tuple[str, int, int]] = []
    for i, column in enumerate(OFFICIAL_COLUMNS, start=3):
        if groups and groups[-1][0] == str(column.group):
            groups[-1] = (groups[-1][0], groups[-1][1], i)
        else:
            groups.append((str(column.group), i, i))
        _put(ws, top + 1, i, str(column.label), font=_font(10, bold=True), box=True)
    for label, first, last in groups:
        _put(ws, top, first, label, to_col=last, font=head, box=True)
    ws.row_dimensions[top + 1].height = 45
    for c in range(1, LAST + 1):
        _put(ws, top + 2, c, f"({c})", font=_font(10, italic=True), box=True)

    row = top + 3
    for s, (level, subtotal, rows) in enumerate(sections(report)):
        if level is not None and subtotal is not None:
            _put(ws, row, 1, ROMAN[s] if s < len(ROMAN) else str(s + 1), font=head, box=True)
            _put(ws, row, 2, level, font=head, align=LEFT, box=True)
            _numbers(ws, row, subtotal, bold=True)
            row += 1
        for n, r in enumerate(rows, start=1):
            _put(ws, row, 1, n, box=True)
            _put(ws, row, 2, r.label[-1], align=LEFT, box=True)
            _numbers(ws, row, r.counts)
            row += 1
    _put(ws, row, 1, "", box=True)
    _put(ws, row, 2, _("Tổng cộng"), font=head, align=LEFT, box=True)
    _numbers(ws, row, report.total, bold=True)

    # The signature block.
    row += 2
    _put(ws, row, 9, _("……, ngày …… tháng …… năm ……"), to_col=LAST, font=_font(12, italic=True))
    _put(ws, row + 1, 1, _("NGƯỜI LẬP BIỂU"), to_col=4, font=head)
    _put(ws, row + 1, 9, _("THỦ TRƯỞNG ĐƠN VỊ"), to_col=LAST, font=head)
    _put(ws, row + 2, 1, _("(Ký, ghi rõ họ tên)"), to_col=4, font=_font(11, italic=True))
    _put(ws, row + 2, 9, _("(Ký tên, đóng dấu)"), to_col=LAST, font=_font(11, italic=True))
    ws.print_title_rows = f"{top}:{top + 2}"


def _detail(ws: Worksheet, report: ResolutionReport) -> None:
    """Every column under its key: one row per table row, then the total."""
    ws.title = _("Số liệu chi tiết")
    dims = list(report.group)
    keys = [c.key for c in COLUMNS]
    ws.append([*dims, "name", *keys])
    ws.append([*([""] * len(dims)), "", *(str(c.label) for c in COLUMNS)])
    for r in report.rows:
        values = r.counts.as_dict()
        ws.append([*r.key, r.name, *(values[k] for k in keys)])
    total = report.total.as_dict()
    ws.append([*([""] * len(dims)), _("Tổng cộng"), *(total[k] for k in keys)])
    for cells in ws.iter_rows(min_row=1, max_row=1):
        for cell in cells:
            cell.font = Font(bold=True)


def resolution_xlsx(report: ResolutionReport) -> bytes:
    """The workbook's bytes (the table is one row per field: small whatever the volume)."""
    workbook = Workbook()
    first = workbook.active
    assert isinstance(first, Worksheet)
    _form(first, report)
    _detail(workbook.create_sheet(), report)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filename(report: ResolutionReport) -> str:
    return f"bieu-06-{report.unit.code}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
