"""Mẫu 06: Sổ theo dõi hồ sơ, the one-stop's ledger over a period.

A4 landscape, one row per dossier given a code (turned away and refused ones too, with a note
saying so), numbered as in the year's book (`cchc.dossiers.ledger`), so a period printed in
June starts at the number the year has reached; the heading rows repeated on every page and
the pages numbered, since a month of a busy commune runs to several hundred rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cchc.dossiers import ledger
from cchc.dossiers.choices import Channel, EndType, Status
from cchc.dossiers.models import Dossier, DossierStep
from cchc.dossiers.rules import forms_legal_basis
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
WIDTHS = [10, 0, 32, 10, 36, 17, 17, 17, 20, 17, 17, 15]
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


# Why a line has no receipt, hand-over or result: the dossier was never received.
_NOT_RECEIVED: dict[str, str] = {
    Status.SUBMITTED: "Nộp trực tuyến, chờ tiếp nhận",
    Status.INCOMPLETE: "Không tiếp nhận, hướng dẫn hoàn thiện (Mẫu 02)",
    Status.REFUSED: "Từ chối tiếp nhận (Mẫu 03)",
    Status.WITHDRAWN: "Công dân rút hồ sơ trước khi tiếp nhận",
}


def _note(dossier: Dossier) -> str:
    notes: list[str] = []
    if dossier.received_at is None and dossier.status in _NOT_RECEIVED:
        notes.append(_NOT_RECEIVED[dossier.status])
    elif dossier.status in (Status.WITHDRAWN, Status.STOPPED):
        notes.append(str(Status(dossier.status).label))
    elif dossier.end_type == EndType.REFUSED:
        notes.append(f"{EndType.REFUSED.label} (Mẫu 03)")
    if dossier.channel != Channel.COUNTER and dossier.status != Status.SUBMITTED:
        channel = str(Channel(dossier.channel).label)
        # Entered when it was submitted (its code), received later: say when, so the order of
        # the lines is plain to the reader.
        if dossier.received_at and dossier.received_at != dossier.submitted_at:
            channel += f", nộp {compact_moment(dossier.submitted_at)}"
        notes.append(channel)
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
        f"{number:02d}",
        dossier.code,
        dossier.procedure_version.name,
        f"{dossier.sets:02d}",
        applicant,
        # A dossier never received shows when it was handed in (or submitted online).
        compact_moment(dossier.received_at or dossier.submitted_at),
        compact_moment(dossier.due_at),
        compact_moment(_transferred(dossier)),
        _bodies(dossier) if dossier.received_at else "",
        compact_moment(dossier.finished_at),
        compact_moment(dossier.returned_at),
        "",
        _note(dossier),
    ]


def _summary(dossiers: list[Dossier]) -> str:
    received = sum(1 for d in dossiers if d.received_at is not None)
    counts = [("tiếp nhận", received)]
    for status, label in (
        (Status.INCOMPLETE, "hướng dẫn bổ sung, hoàn thiện"),
        (Status.REFUSED, "từ chối tiếp nhận"),
        (Status.SUBMITTED, "chờ tiếp nhận"),
        (Status.WITHDRAWN, "rút trước khi tiếp nhận"),
    ):
        count = sum(1 for d in dossiers if d.received_at is None and d.status == status)
        if count:
            counts.append((label, count))
    return (
        f"{localised(len(dossiers))} ("
        + "; ".join(f"{label}: {localised(count)}" for label, count in counts)
        + ")"
    )


@in_vietnamese
def ledger_pdf(
    unit: Unit, date_from: dt.date, date_to: dt.date, dossiers: Iterable[Dossier]
) -> bytes:
    """Mẫu 06 for `unit` over [date_from, date_to], one row per dossier in the given order
    (`ledger.entries` gives the right ones), each under its number in the year's book."""
    title = "Sổ theo dõi hồ sơ"
    pdf = FormPDF(
        form_number="06",
        title=title,
        paper="A4",
        orientation="L",
        author=unit.name,
        body_size=10,
        numbered=True,
        legal_basis=forms_legal_basis(date_to),
    )
    pdf.official_header(unit, day=timezone.localdate())
    pdf.heading(title, f"Từ ngày {short_date(date_from)} đến ngày {short_date(date_to)}")
    listed = list(_for_ledger(dossiers))
    numbers = ledger.numbers(unit, date_from, date_to)
    rows = [
        # A dossier outside the period's book (a caller's own list) is numbered on its own.
        _row(numbers.get(d.pk) or ledger.ledger_number(d), d)
        for d in listed
    ]
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
    pdf.field("Tổng số hồ sơ:", _summary(listed))
    return pdf.render()
