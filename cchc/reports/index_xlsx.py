"""The service index, its ranking, trend and drill-down, the TT 01/2018 indicators and the
officers' figures as .xlsx workbooks: a title, the unit and period, one row per item, numbers as
numbers (each reader's Excel shows them its own way), and a note on what is a default rather
than a verified rule."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cchc.reports.indicators import OfficerRow, UnitIndicators
from cchc.reports.scoring import OFFICER_BANDS
from cchc.reports.service_index import IndexReport, Lost, Ranking, TrendPoint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(name="Times New Roman", size=12, bold=True)
PLAIN = Font(name="Times New Roman", size=12)
WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet(wb: Workbook, title: str, heading: str, subtitle: str) -> Worksheet:
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = title[:31]
    ws.append([heading])
    ws["A1"].font = BOLD
    ws.append([subtitle])
    ws.append([])
    return ws


def _table(ws: Worksheet, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    ws.append(list(header))
    for cell in ws[ws.max_row]:
        cell.font = BOLD
        cell.alignment = WRAP
    for row in rows:
        ws.append(list(row))
    for n, _h in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(n)].width = 14 if n > 1 else 48


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _period(unit: Any, start: Any, end: Any) -> str:
    return _("%(unit)s · từ ngày %(start)s đến ngày %(end)s") % {
        "unit": unit.name,
        "start": f"{start:%d/%m/%Y}",
        "end": f"{end:%d/%m/%Y}",
    }


def _number(value: Any) -> Any:
    return float(value) if value is not None else None


def _yes(flag: bool) -> str:
    return _("đã xác minh") if flag else _("mặc định, chưa được xác minh")


def index_xlsx(report: IndexReport) -> bytes:
    wb = Workbook()
    ws = _sheet(
        wb,
        _("Chỉ số phục vụ"),
        _("Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)"),
        _period(report.unit, report.start, report.end),
    )
    r = report.result
    header = [
        _("Nhóm / chỉ tiêu"),
        _("Điểm tối đa"),
        _("Điểm đạt"),
        _("Điểm mất"),
        _("Tỷ lệ (%)"),
        _("Tử số"),
        _("Mẫu số"),
        _("Trọng số"),
        _("Ghi chú"),
    ]
    rows: list[list[Any]] = []
    for g in r.groups:
        rows.append([g.name, _number(g.max), _number(g.points), None, None, None, None, "", ""])
        for s in g.subs:
            rows.append(
                [
                    "   " + s.name,
                    _number(s.max),
                    _number(s.points),
                    _number(s.lost),
                    _number(s.rate),
                    s.numerator,
                    s.denominator,
                    _yes(s.weight_verified),
                    s.note,
                ]
            )
    _table(ws, header, rows)
    ws.append([])
    ws.append([_("Tổng điểm đạt"), _number(r.points)])
    ws.append([_("Điểm tối đa đánh giá được"), _number(r.assessable_max)])
    ws.append([_("Điểm quy đổi thang 100"), _number(r.score), r.band_label])
    ws.append([])
    ws.append(
        [
            _(
                "Công thức tính từng chỉ tiêu và ngưỡng xếp loại là mặc định, chưa được xác minh "
                "với Phụ lục QĐ 766; chỉ tiêu không có số liệu không tính vào điểm tối đa."
            )
        ]
    )
    return _save(wb)


def ranking_xlsx(ranking: Ranking) -> bytes:
    wb = Workbook()
    ws = _sheet(
        wb,
        _("Xếp hạng"),
        _("Xếp hạng chỉ số phục vụ các đơn vị trực thuộc"),
        _period(ranking.parent, ranking.start, ranking.end),
    )
    header = [_("Đơn vị"), _("Hạng"), _("Điểm"), _("Xếp loại"), _("Số hồ sơ tiếp nhận")]
    rows = [
        [e.unit.name, e.rank, _number(e.result.score), e.result.band_label, e.dossiers]
        for e in [*ranking.ranked, *ranking.unranked]
    ]
    _table(ws, header, rows)
    ws.append([])
    ws.append(
        [
            _("Đơn vị có dưới %(n)s hồ sơ tiếp nhận trong kỳ không được xếp hạng.")
            % {"n": ranking.min_dossiers}
        ]
    )
    return _save(wb)


def trend_xlsx(unit: Any, start: Any, end: Any, points: list[TrendPoint]) -> bytes:
    wb = Workbook()
    ws = _sheet(
        wb, _("Diễn biến"), _("Diễn biến chỉ số phục vụ theo tháng"), _period(unit, start, end)
    )
    groups = points[0].result.groups if points else []
    header = [_("Tháng"), _("Điểm"), *(g.name for g in groups), _("Số hồ sơ tiếp nhận")]
    rows = [
        [
            f"{p.month:%m/%Y}",
            _number(p.result.score),
            *(_number(g.points) for g in p.result.groups),
            p.inputs.received,
        ]
        for p in points
    ]
    _table(ws, header, rows)
    return _save(wb)


def lost_xlsx(unit: Any, start: Any, end: Any, name: str, lost: Lost) -> bytes:
    wb = Workbook()
    ws = _sheet(wb, _("Mất điểm"), name, _period(unit, start, end))
    _table(ws, [_("Mã"), _("Lý do"), _("Đơn vị")], ([i.code, i.reason, i.unit] for i in lost.items))
    return _save(wb)


def indicators_xlsx(result: UnitIndicators, children: list[UnitIndicators]) -> bytes:
    wb = Workbook()
    ws = _sheet(
        wb,
        _("Chỉ số TT 01-2018"),
        _("Kết quả đánh giá việc giải quyết TTHC (Thông tư 01/2018/TT-VPCP)"),
        _period(result.unit, result.start, result.end),
    )
    header = [_("Chỉ số"), _("Điểm"), _("Số hồ sơ"), _("Ghi chú")]
    rows = [
        [f"{i.number}. {i.name}", _number(i.score), i.dossiers, i.note] for i in result.indicators
    ]
    _table(ws, header, rows)
    ws.append([])
    ws.append([_("Tổng điểm"), _number(result.total)])
    ws.append([_("Số chỉ số đánh giá được"), result.assessed])
    ws.append([_("Điểm quy đổi thang 18"), _number(result.scaled_total)])
    ws.append([_("Xếp loại"), result.as_dict()["band_label"]])
    if children:
        ws = wb.create_sheet(_("Đơn vị trực thuộc"))
        header = [_("Đơn vị"), *(str(n) for n in range(1, 10)), _("Tổng"), _("Xếp loại")]
        _table(
            ws,
            header,
            (
                [
                    c.unit.name,
                    *(_number(i.score) for i in c.indicators),
                    _number(c.total),
                    c.as_dict()["band_label"],
                ]
                for c in children
            ),
        )
    return _save(wb)


def officers_xlsx(unit: Any, start: Any, end: Any, rows: list[OfficerRow]) -> bytes:
    wb = Workbook()
    ws = _sheet(
        wb,
        _("Cán bộ"),
        _("Kết quả giải quyết hồ sơ theo cán bộ, công chức"),
        _period(unit, start, end),
    )
    header = [
        _("Cán bộ"),
        _("Bước đã xử lý"),
        _("Trước hạn"),
        _("Đúng hạn"),
        _("Quá hạn"),
        _("Số hồ sơ"),
        _("Yêu cầu bổ sung"),
        _("Hướng dẫn hoàn thiện"),
        _("Lượt đánh giá"),
        _("Hài lòng"),
        _("Điểm TT 01/2018"),
        _("Mức hoàn thành nhiệm vụ"),
    ]
    _table(
        ws,
        header,
        (
            [
                o.name,
                o.steps,
                o.early,
                o.on_time,
                o.late,
                o.dossiers,
                o.supplement_requests,
                o.completion_requests,
                o.rated,
                o.satisfied,
                _number(o.points),
                str(OFFICER_BANDS[o.band]) if o.band else "",
            ]
            for o in rows
        ),
    )
    return _save(wb)
