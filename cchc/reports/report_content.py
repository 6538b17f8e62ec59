"""The periodic CCHC report (quarterly, half-year, year) as content: the administrative
document's parts (Decree 30/2020 layout, docs/reports.md) and its body as a list of blocks that
`report_docx` and `report_pdf` each lay out, so the .docx and the .pdf say the same thing.

The statistical parts are filled from the records (Biểu 06 counts, ratings, PAKN); the narrative
parts are marked places for the unit to write (`Placeholder`): the platform does not invent
what only people know. The text is Vietnamese whatever language the clerk's session uses, as on
the printed forms: it is an official document, not a page, so it is not translated.

Interface:
    report_period(kind, year, part)                       -> ReportPeriod
    build_report(unit, period, options, scope, now)       -> OfficialReport
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cchc.dossiers.printing.layout import issuer_lines, long_date, place_name
from cchc.feedback import reports as feedback_reports
from cchc.feedback.choices import Level as RatingLevel
from cchc.lib.numbers import localised
from cchc.reports import service_index as si
from cchc.reports.charts import Chart
from cchc.reports.choices import OFFICIAL_COLUMNS
from cchc.reports.dashboards import Month, month_chart, monthly, number, percent, share
from cchc.reports.facts import next_month
from cchc.reports.resolution import Counts, PeriodError, ResolutionReport, check_period, resolution
from cchc.units.models import Unit
from cchc.worktime.deadlines import TZ

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
KINDS = ("quarter", "half", "year")


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    year: int
    part: int
    start: dt.date
    end: dt.date

    @property
    def phrase(self) -> str:
        """quý I năm 2026 · 6 tháng đầu năm 2026 · năm 2026"""
        if self.kind == "quarter":
            return f"quý {ROMAN[self.part]} năm {self.year}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.part == 1 else 'cuối'} năm {self.year}"
        return f"năm {self.year}"

    @property
    def slug(self) -> str:
        return {
            "quarter": f"quy-{self.part}-{self.year}",
            "half": f"6-thang-{'dau' if self.part == 1 else 'cuoi'}-{self.year}",
            "year": f"nam-{self.year}",
        }[self.kind]


def report_period(
    kind: str, year: int, part: int = 1, *, today: dt.date | None = None
) -> ReportPeriod:
    """The calendar period of a periodic report; PeriodError for one that cannot be reported."""
    today = today or timezone.localdate()
    if kind not in KINDS:
        raise PeriodError(_("Loại kỳ báo cáo không hợp lệ."))
    if kind == "quarter" and part not in (1, 2, 3, 4):
        raise PeriodError(_("Quý phải là 1, 2, 3 hoặc 4."))
    if kind == "half" and part not in (1, 2):
        raise PeriodError(_("Chọn 6 tháng đầu năm hoặc 6 tháng cuối năm."))
    if not 2000 <= year <= today.year:
        raise PeriodError(_("Năm báo cáo phải từ 2000 đến %(year)s.") % {"year": today.year})
    if kind == "quarter":
        start = dt.date(year, 3 * (part - 1) + 1, 1)
        end = next_month(dt.date(year, 3 * part, 1)) - dt.timedelta(days=1)
    elif kind == "half":
        start = dt.date(year, 1 if part == 1 else 7, 1)
        end = dt.date(year, 6, 30) if part == 1 else dt.date(year, 12, 31)
    else:
        part = 1
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    check_period(start, end, today)
    return ReportPeriod(kind, year, part, start, end)


# -- blocks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: "I. …" in capitals; 2: "1. …"; 3: "a) …"


@dataclass(frozen=True)
class Para:
    text: str
    lead: str = ""  # a bold lead-in ("Tổng số hồ sơ tiếp nhận:")


@dataclass(frozen=True)
class Placeholder:
    """A place for the unit to write: what to write there, shown so that nobody sends the
    report without filling it in."""

    text: str


@dataclass(frozen=True)
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class TableBlock:
    header: tuple[tuple[HeaderCell, ...], ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative
    numeric_from: int = 2  # right-align from this column on
    bold_rows: frozenset[int] = frozenset()
    size: float = 11
    caption: str = ""


@dataclass(frozen=True)
class FigureBlock:
    chart: Chart
    caption: str


Block = Heading | Para | Placeholder | TableBlock | FigureBlock


@dataclass
class Signer:
    authority: tuple[str, ...]  # "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    name: str


@dataclass
class OfficialReport:
    unit: Unit
    period: ReportPeriod
    as_of: dt.datetime
    issued: dt.date
    issuer_top: str
    issuer: str
    number: str  # "Số: 05/BC-UBND", or with the number left blank for the clerk
    place_date: str
    title: str
    summary: str
    body: list[Block]
    # The last sentence: kept on the page of the signature, which never stands alone.
    closing: str
    recipients: list[str]
    signer: Signer
    appendix_title: tuple[str, ...]
    appendix_meta: tuple[tuple[str, str], ...]
    appendix: list[Block]
    # The figures, for the tests and the file name.
    total: Counts = field(default_factory=Counts)

    @property
    def filename(self) -> str:
        return f"bao-cao-cchc-{self.unit.code}-{self.period.slug}"


@dataclass(frozen=True)
class Options:
    number: int | None = None
    signer_name: str = ""
    deputy: bool = False  # "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" instead of "TM. … / CHỦ TỊCH"
    issued: dt.date | None = None


# -- the report --------------------------------------------------------------------------------------


def _number_line(number: int | None) -> str:
    # ND 30/2020: numbers below 10 take a leading zero; blank for the clerk to fill at issue.
    if number is None:
        return "Số:        /BC-UBND"
    return f"Số: {number:02d}/BC-UBND"


def _body_name(unit: Unit) -> str:
    """The issuing body as the text names it: "UBND xã Nga Sơn"."""
    owner = unit if unit.is_administrative else (unit.admin_owner or unit)
    return f"UBND {owner.name[0].lower()}{owner.name[1:]}"


def _months_of(period: ReportPeriod, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    months = []
    start = period.start
    while start <= min(period.end, today):
        last = next_month(start) - dt.timedelta(days=1)
        months.append((start, min(last, period.end, today)))
        start = next_month(start)
    return months


def build_report(
    unit: Unit,
    period: ReportPeriod,
    *,
    scope: Sequence[int],
    options: Options | None = None,
    now: dt.datetime | None = None,
    progress: Any = None,
) -> OfficialReport:
    """The periodic report of `unit` (its whole subtree, limited to `scope`) for `period`."""
    options = options or Options()
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    step = progress or (lambda *_a: None)
    with translation.override("vi"):
        step(10, _("Đang tổng hợp số liệu giải quyết hồ sơ"))
        by_level = resolution(
            unit,
            period.start,
            period.end,
            subtree=True,
            group=("level", "field"),
            units=scope,
            now=now,
        )
        months = monthly(unit, _months_of(period, today), subtree=True, units=scope, now=now)
        step(35, _("Đang tổng hợp đánh giá và phản ánh, kiến nghị"))
        satisfaction = feedback_reports.satisfaction(unit, period.start, min(period.end, today))
        feedback = feedback_reports.feedback_timeliness(unit, by_level.as_of)
        index = si.service_index(unit, period.start, period.end, subtree=True, units=scope, now=now)
        step(50, _("Đang soạn nội dung báo cáo"))
        return _compose(
            unit, period, options, by_level, months, satisfaction, feedback, index, today
        )


def _compose(
    unit: Unit,
    period: ReportPeriod,
    options: Options,
    report: ResolutionReport,
    months: list[Month],
    satisfaction: feedback_reports.Satisfaction,
    feedback: feedback_reports.Timeliness,
    index: si.IndexReport,
    today: dt.date,
) -> OfficialReport:
    t = report.total
    issued = options.issued or today
    top, issuer = issuer_lines(unit)
    as_of = timezone.localtime(report.as_of, TZ)
    cut = (
        f" (số liệu tính đến {as_of:%H} giờ {as_of:%M} ngày {as_of:%d/%m/%Y})"
        if report.live
        else f" (số liệu từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y})"
    )
    body_name = _body_name(unit)
    body: list[Block] = [
        Para(
            f"Thực hiện chế độ báo cáo định kỳ về công tác cải cách hành chính, {body_name} báo cáo "
            f"kết quả thực hiện công tác cải cách hành chính {period.phrase} như sau:"
        ),
        Heading("I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", 1),
        Placeholder(
            "Nêu các văn bản chỉ đạo, điều hành đã ban hành trong kỳ (kế hoạch cải cách hành chính, "
            "kế hoạch tuyên truyền, kế hoạch kiểm tra, phân công nhiệm vụ…: số, ký hiệu, ngày ban hành); "
            "công tác tuyên truyền, kiểm tra cải cách hành chính; sáng kiến, mô hình mới."
        ),
        Heading("II. KẾT QUẢ ĐẠT ĐƯỢC", 1),
        Heading("1. Cải cách thể chế", 2),
        Placeholder(
            "Nêu kết quả xây dựng, ban hành, rà soát văn bản quy phạm pháp luật; theo dõi thi hành pháp luật."
        ),
        Heading("2. Cải cách thủ tục hành chính, thực hiện cơ chế một cửa, một cửa liên thông", 2),
        Heading("a) Kết quả tiếp nhận, giải quyết hồ sơ thủ tục hành chính" + cut, 3),
        Para(
            f"{number(t.received_total)} hồ sơ (trực tuyến: {number(t.received_online)}; trực tiếp và "
            f"qua dịch vụ bưu chính công ích: {number(t.received_direct)}; kỳ trước chuyển qua: "
            f"{number(t.carried_over)}).",
            lead="Tổng số hồ sơ tiếp nhận:",
        ),
        Para(
            f"{number(t.resolved_total)} hồ sơ (trước hạn: {number(t.resolved_early)}; đúng hạn: "
            f"{number(t.resolved_on_time)}; quá hạn: {number(t.resolved_late)}); tỷ lệ giải quyết "
            f"trước hạn và đúng hạn đạt {percent(t.on_time_rate)}.",
            lead="Số hồ sơ đã giải quyết:",
        ),
        Para(
            f"{number(t.in_progress_total)} hồ sơ (trong hạn: {number(t.in_progress_within)}, trong đó "
            f"chờ bổ sung: {number(t.waiting_supplement)}; quá hạn: {number(t.in_progress_overdue)}).",
            lead="Số hồ sơ đang giải quyết:",
        ),
        Para(
            f"{number(t.withdrawn)} hồ sơ công dân rút; {number(t.stopped)} hồ sơ dừng xử lý; "
            f"{number(t.resolved_refused)} hồ sơ từ chối giải quyết (đã tính trong số đã giải quyết). "
            "Chi tiết theo lĩnh vực tại Bảng 1 và Phụ lục kèm theo (Biểu số 06/VPCP/KSTT).",
            lead="Rút hồ sơ, dừng xử lý:",
        ),
        _fields_table(report),
    ]
    if len(months) > 1:
        chart, _alt = month_chart(months)
        body.append(
            FigureBlock(
                chart, "Hình 1. Số hồ sơ giải quyết trước hạn, đúng hạn và quá hạn theo tháng"
            )
        )
    body += [
        Heading("b) Hồ sơ quá hạn và việc xin lỗi người dân, tổ chức", 3),
        Para(
            f"Trong kỳ có {number(t.resolved_late)} hồ sơ giải quyết quá hạn, trong đó "
            f"{number(t.resolved_late_apology)} hồ sơ đã có văn bản xin lỗi và hẹn lại ngày trả kết quả, "
            f"{number(t.resolved_late_no_apology)} hồ sơ chưa có. Đang có {number(t.in_progress_overdue)} "
            f"hồ sơ quá hạn, trong đó {number(t.in_progress_overdue_apology)} hồ sơ đã có văn bản xin lỗi."
        ),
        Placeholder("Nêu nguyên nhân hồ sơ quá hạn (theo lĩnh vực, cơ quan) và biện pháp khắc phục."),
        Heading("c) Tiếp nhận, xử lý phản ánh, kiến nghị", 3),
        Para(
            f"Lũy kế đến thời điểm báo cáo đã tiếp nhận {number(feedback.total)} phản ánh, kiến nghị; "
            f"đã trả lời {number(feedback.answered)} (đúng hạn: {number(feedback.answered_on_time)}; quá hạn: "
            f"{number(feedback.answered_late)}); đang xử lý {number(feedback.open_within_time + feedback.open_overdue)} "
            f"(quá hạn: {number(feedback.open_overdue)}); tỷ lệ trả lời đúng hạn đạt {percent(feedback.on_time_share)}."
        ),
        Heading("d) Mức độ hài lòng của người dân, tổ chức", 3),
        Para(_satisfaction_sentence(satisfaction)),
        Heading("đ) Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)", 3),
        *_index_blocks(index, body_name),
        Heading("e) Rà soát, công bố, công khai thủ tục hành chính", 3),
        Placeholder(
            "Nêu kết quả rà soát, đơn giản hóa thủ tục hành chính; công khai thủ tục tại Bộ phận Tiếp nhận "
            "và trả kết quả, trên Cổng dịch vụ công; số thủ tục thực hiện, chưa thực hiện tại đơn vị."
        ),
        Heading("3. Cải cách tổ chức bộ máy", 2),
        Placeholder("Nêu kết quả sắp xếp tổ chức bộ máy, quản lý biên chế."),
        Heading("4. Cải cách chế độ công vụ", 2),
        Placeholder("Nêu kết quả quản lý, đánh giá, đào tạo cán bộ, công chức; kỷ luật, kỷ cương hành chính."),
        Heading("5. Cải cách tài chính công", 2),
        Placeholder("Nêu kết quả thực hiện cơ chế tự chủ, quy chế chi tiêu nội bộ, quản lý tài sản công."),
        Heading("6. Xây dựng, phát triển Chính quyền điện tử, Chính quyền số", 2),
        Para(
            f"Tỷ lệ hồ sơ tiếp nhận trực tuyến trên tổng số hồ sơ mới tiếp nhận đạt "
            f"{percent(share(t.received_online, t.received_new))} (trực tuyến toàn trình: "
            f"{number(t.received_online_full)}; trực tuyến một phần: {number(t.received_online_partial)}); "
            f"tiếp nhận không phụ thuộc địa giới hành chính: {number(t.received_cross_boundary)} hồ sơ."
        ),
        Placeholder(
            "Nêu kết quả ứng dụng công nghệ thông tin, chữ ký số, số hóa hồ sơ, kết quả giải quyết, "
            "thanh toán trực tuyến."
        ),
        Heading("III. ĐÁNH GIÁ CHUNG", 1),
        Heading("1. Ưu điểm", 2),
        Placeholder("Nêu những kết quả nổi bật trong kỳ."),
        Heading("2. Hạn chế, nguyên nhân", 2),
        Placeholder(
            "Nêu tồn tại, hạn chế (ví dụ: hồ sơ quá hạn, chưa có văn bản xin lỗi, tỷ lệ trực tuyến thấp) "
            "và nguyên nhân chủ quan, khách quan."
        ),
        Heading("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", 1),
        Placeholder("Nêu các nhiệm vụ, giải pháp trọng tâm của kỳ tới."),
        Heading("V. KIẾN NGHỊ, ĐỀ XUẤT", 1),
        Placeholder("Nêu kiến nghị, đề xuất với cấp trên (nếu có)."),
    ]  # fmt: skip
    closing = f"Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính {period.phrase} của {body_name}./."

    parent = unit.parent
    receiver = f"UBND {parent.name[0].lower()}{parent.name[1:]}" if parent else "Bộ Nội vụ"
    recipients = [f"{receiver} (báo cáo);", "Lưu: VT."]
    authority = (
        ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH") if options.deputy else ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    )
    number_line = _number_line(options.number)
    return OfficialReport(
        unit=unit,
        period=period,
        as_of=report.as_of,
        issued=issued,
        issuer_top=top,
        issuer=issuer,
        number=number_line,
        place_date=f"{place_name(unit)}, {long_date(issued)}",
        title="BÁO CÁO",
        summary=f"Kết quả thực hiện công tác cải cách hành chính {period.phrase}",
        body=body,
        closing=closing,
        recipients=recipients,
        signer=Signer(authority, options.signer_name.strip()),
        appendix_title=(
            "Phụ lục",
            "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
            f"(Kèm theo Báo cáo {number_line.replace('Số: ', 'số ').strip()} {long_date(issued)} của {body_name})",
        ),
        appendix_meta=(
            ("Biểu số 06/VPCP/KSTT", "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020"),
            ("Kỳ báo cáo", f"{period.phrase[0].upper()}{period.phrase[1:]} (từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y})"),
            ("Đơn vị báo cáo", body_name),
            ("Đơn vị nhận báo cáo", receiver),
            ("Đơn vị tính", "Số hồ sơ TTHC"),
        ),
        appendix=[_form06_table(report)],
        total=t,
    )  # fmt: skip


def _index_blocks(index: si.IndexReport, body_name: str) -> list[Block]:
    result = index.result
    if result.score is None:
        return [Para("Chưa đủ số liệu để tính chỉ số phục vụ trong kỳ.")]
    groups = "; ".join(
        f"{g.name[0].lower()}{g.name[1:]}: {localised(g.points, 2)}/{localised(g.max)}"
        for g in result.groups
    )
    rows = [
        (str(i), g.name, localised(g.max), localised(g.points, 2), _unmeasured(g))
        for i, g in enumerate(result.groups, start=1)
    ]
    rows.append(
        ("", "Cộng", localised(sum(g.max for g in result.groups)), localised(result.points, 2), "")
    )
    rows.append(
        (
            "",
            "Chỉ số (thang 100 điểm), xếp loại",
            "100",
            localised(result.score, 2),
            result.band_label,
        )
    )
    unverified = any(not sub.weight_verified for g in result.groups for sub in g.subs)
    return [
        Para(
            f"Chỉ số phục vụ người dân, doanh nghiệp của {body_name} trong kỳ đạt "
            f"{localised(result.score, 2)}/100 điểm, xếp loại {result.band_label.lower()} "
            f"(điểm từng nhóm: {groups})."
        ),
        TableBlock(
            header=(tuple(HeaderCell(h) for h in ("STT", "Nhóm chỉ số", "Điểm tối đa", "Điểm đạt", "Ghi chú")),),
            rows=tuple(rows),
            widths=(0.8, 5.0, 1.5, 1.5, 2.6),
            bold_rows=frozenset({len(rows) - 2, len(rows) - 1}),
            caption="Bảng 2. Chỉ số phục vụ người dân, doanh nghiệp theo nhóm",
        ),
        Para(
            "điểm do hệ thống một cửa điện tử tính từ dữ liệu của đơn vị; chỉ tiêu hệ thống chưa đo "
            "được không tính vào thang điểm"
            + (
                "; một số trọng số, công thức là mặc định, chưa xác minh với Phụ lục Quyết định "
                "766/QĐ-TTg, cần đối chiếu với kết quả công bố trên Cổng Dịch vụ công quốc gia."
                if unverified
                else "."
            ),
            lead="Ghi chú:",
        ),
    ]  # fmt: skip


def _unmeasured(group: si.GroupScore) -> str:
    """What of a group the records cannot measure (left out of the scale to 100)."""
    missing = group.max - group.assessable_max
    return f"chưa đo được {localised(missing, 2)} điểm" if missing else ""


def _satisfaction_sentence(s: feedback_reports.Satisfaction) -> str:
    if not s.total:
        return "Trong kỳ chưa có lượt đánh giá mức độ hài lòng nào."
    parts = "; ".join(
        f"{str(level.label).lower()}: {number(s.by_level.get(int(level), 0))}"
        for level in sorted(RatingLevel, key=lambda v: -int(v))
    )
    return (
        f"Trong kỳ có {number(s.total)} lượt đánh giá ({parts}); tỷ lệ hài lòng và rất hài lòng "
        f"đạt {percent(s.satisfied_share)}."
    )


def _field_totals(report: ResolutionReport) -> list[tuple[str, Counts]]:
    position = report.group.index("field")
    sums: dict[str, tuple[str, Counts]] = {}
    for row in report.rows:
        key, name = row.key[position], row.label[position]
        before = sums.get(key)
        sums[key] = (name, row.counts if before is None else before[1] + row.counts)
    return sorted(sums.values(), key=lambda item: item[0])


def _fields_table(report: ResolutionReport) -> TableBlock:
    rows = []
    for i, (name, c) in enumerate(_field_totals(report), start=1):
        rows.append(
            (
                str(i),
                name,
                number(c.received_total),
                number(c.resolved_total),
                number(c.resolved_early + c.resolved_on_time),
                number(c.resolved_late),
                number(c.in_progress_total),
                percent(c.on_time_rate),
            )
        )
    t = report.total
    rows.append(
        (
            "",
            "Tổng cộng",
            number(t.received_total),
            number(t.resolved_total),
            number(t.resolved_early + t.resolved_on_time),
            number(t.resolved_late),
            number(t.in_progress_total),
            percent(t.on_time_rate),
        )
    )
    header = (
        tuple(
            HeaderCell(h)
            for h in (
                "STT", "Lĩnh vực", "Tiếp nhận", "Đã giải quyết", "Trước hạn, đúng hạn", "Quá hạn",
                "Đang giải quyết", "Tỷ lệ đúng hạn",
            )
        ),
    )  # fmt: skip
    return TableBlock(
        header=header,
        rows=tuple(rows),
        widths=(0.8, 3.1, 1.4, 1.4, 1.5, 1.1, 1.4, 1.4),
        bold_rows=frozenset({len(rows) - 1}),
        caption="Bảng 1. Kết quả giải quyết hồ sơ thủ tục hành chính theo lĩnh vực",
    )


NUMERALS = ("I", "II", "III", "IV", "V", "VI")


def _form06_table(report: ResolutionReport) -> TableBlock:
    """Biểu số 06/VPCP/KSTT: the two header rows, the row numbering the columns (1)–(13), the
    fields grouped by level with a subtotal per level, and the total."""
    columns = [c.key for c in OFFICIAL_COLUMNS]
    groups: list[tuple[str, str, list[tuple[str, Counts]]]] = []
    level_pos, field_pos = report.group.index("level"), report.group.index("field")
    for row in report.rows:
        level, label = row.key[level_pos], row.label[level_pos]
        if not groups or groups[-1][0] != level:
            groups.append((level, label, []))
        groups[-1][2].append((row.label[field_pos], row.counts))

    def values(c: Counts) -> tuple[str, ...]:
        return tuple(number(getattr(c, k)) for k in columns)

    rows: list[tuple[str, ...]] = []
    bold: set[int] = set()
    for numeral, (_level, label, fields) in zip(NUMERALS, groups, strict=False):
        subtotal = Counts()
        for _name, c in fields:
            subtotal = subtotal + c
        bold.add(len(rows))
        rows.append((numeral, label, *values(subtotal)))
        for i, (name, c) in enumerate(fields, start=1):
            rows.append((str(i), name, *values(c)))
    bold.add(len(rows))
    rows.append(("", "Tổng cộng", *values(report.total)))
    first = (
        HeaderCell("STT", rowspan=2),
        HeaderCell("Lĩnh vực, công việc giải quyết theo cấp", rowspan=2),
        HeaderCell(str(OFFICIAL_COLUMNS[0].group), colspan=4),
        HeaderCell(str(OFFICIAL_COLUMNS[4].group), colspan=4),
        HeaderCell(str(OFFICIAL_COLUMNS[8].group), colspan=3),
    )
    second = tuple(HeaderCell(str(c.label)) for c in OFFICIAL_COLUMNS)
    numbers = tuple(HeaderCell(f"({i})") for i in range(1, 14))
    return TableBlock(
        header=(first, second, numbers),
        rows=tuple(rows),
        widths=(0.8, 4.5, *([1.35] * 11)),
        bold_rows=frozenset(bold),
        size=10,
    )
