"""Mẫu 06: Sổ theo dõi hồ sơ, the one-stop's ledger of dossiers received in a period.

A4 landscape, one row per dossier, the heading rows repeated on every page and the pages
numbered, since a month of a busy commune runs to several hundred rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cchc.dossiers.choices import EndType, Status
from cchc.dossiers.models import Dossier, DossierStep
from cchc.lib.numbers import localised
from cchc.units.models import Unit
from cchc.worktime.choices import Outcome

from .layout import FONT, FormPDF, compact_moment, in_vietnamese, short_date

HEADINGS = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức, địa chỉ",
    "Ngày, giờ nhận hồ sơ",
    "Ngày, giờ hẹn trả kết quả",
    "Ngày chuyển hồ sơ",
    "Cơ quan giải quyết",
    "Ngày nhận kết quả",
    "Ngày trả kết quả",
    "Chữ ký người nhận kết quả",
    "Ghi chú",
]
# Millimetres across an A4 landscape page for every column but the code (sized to the longest
# code, so "000.30.10.H56-250804-0001" stays on one line and searchable) and the note (the rest).
WIDTHS = [8, 0, 34, 10, 34, 17, 17, 17, 23, 17, 17, 17]
SIZE = 7
ALIGNS = ["C", "L", "L", "C", "L", "C", "C", "C", "L", "C", "C", "C", "L"]


def _for_ledger(dossiers: Iterable[Dossier]) -> Iterable[Dossier]:
    # Everything a row prints in a fixed number of queries, whatever the number of rows.
    if isinstance(dossiers, QuerySet):
        return dossiers.select_related("procedure_version", "processing_unit").prefetch_related(
            Prefetch("steps", queryset=DossierStep.objects.order_by("position"))
        )
    return dossiers


def _transferred(dossier: Dossier) -> dt.datetime | None:
    """The first hand-over: when the second step started (the first is the counter's own)."""
    later = [s.started_at for s in dossier.steps.all() if s.position > 1 and s.started_at]
    return min(later) if later else None


def _bodies(dossier: Dossier) -> str:
    names = [dossier.processing_unit.name]
    for step in dossier.steps.all():
        if step.body and step.body not in names:
            names.append(step.body)
    return "; ".join(names)


def _note(dossier: Dossier) -> str:
    notes: list[str] = []
    if dossier.status in (Status.WITHDRAWN, Status.STOPPED, Status.REFUSED):
        notes.append(str(Status(dossier.status).label))
    elif dossier.end_type == EndType.REFUSED:
        notes.append(str(EndType.REFUSED.label))
    if dossier.outcome:
        notes.append(str(Outcome(dossier.outcome).label))
    if dossier.rescheduled_at:
        notes.append("Đã xin lỗi, hẹn lại")
    if dossier.is_cross_boundary:
        notes.append("Phi địa giới")
    return "; ".join(notes)


def _row(number: int, dossier: Dossier) -> list[str]:
    applicant = dossier.applicant_name
    if dossier.applicant_address:
        applicant += f"\n{dossier.applicant_address}"
    return [
        str(number),
        dossier.code,
        dossier.procedure_version.name,
        "1",
        applicant,
        compact_moment(dossier.received_at),
        compact_moment(dossier.due_at),
        compact_moment(_transferred(dossier)),
        _bodies(dossier),
        compact_moment(dossier.finished_at),
        compact_moment(dossier.returned_at),
        "",
        _note(dossier),
    ]


@in_vietnamese
def ledger_pdf(
    unit: Unit, date_from: dt.date, date_to: dt.date, dossiers: Iterable[Dossier]
) -> bytes:
    """Mẫu 06 for `unit` over [date_from, date_to], one row per dossier in the given order."""
    title = "Sổ theo dõi hồ sơ"
    pdf = FormPDF(
        form_number="06",
        title=title,
        paper="A4",
        orientation="L",
        author=unit.name,
        body_size=10,
        numbered=True,
    )
    pdf.official_header(unit, day=timezone.localdate())
    pdf.heading(title, f"Từ ngày {short_date(date_from)} đến ngày {short_date(date_to)}")
    rows = [_row(i, d) for i, d in enumerate(_for_ledger(dossiers), start=1)]
    pdf.set_font(FONT, "", SIZE)
    widths = [float(w) for w in WIDTHS]
    widths[1] = max([30.0, *(pdf.get_string_width(r[1]) + 2.5 for r in rows)])
    widths.append(pdf.epw - sum(widths))
    pdf.grid(
        [HEADINGS, [f"({i})" for i in range(1, len(HEADINGS) + 1)]],
        rows or [["", "", "Không có hồ sơ trong kỳ", *[""] * (len(HEADINGS) - 3)]],
        widths=widths,
        aligns=ALIGNS,
        size=SIZE,
    )
    pdf.field("Tổng số hồ sơ:", localised(len(rows)))
    return pdf.render()
