"""Mẫu 01–05 of TT 01/2018/TT-VPCP, one function per form, each returning PDF bytes.

The content comes only from the dossier, its documents, steps and events, so a form can be
printed again at any time and says the same thing. A form that does not apply to the dossier
(a refusal slip for a dossier never refused) raises `FormNotApplicable`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.dossiers.choices import Action, ApplicantKind, ReturnMethod
from cchc.dossiers.ledger import ledger_number
from cchc.dossiers.models import DocumentKind, Dossier, DossierEvent
from cchc.dossiers.rules import forms_legal_basis
from cchc.lib.numbers import localised, plain_decimal
from cchc.lib.urls import tracking_path, tracking_url
from cchc.units.choices import Role
from cchc.worktime.choices import Outcome

from .layout import (
    FormPDF,
    Signer,
    compact_moment,
    hm_moment,
    in_vietnamese,
    long_date,
    long_moment,
)


class FormNotApplicable(LookupError):
    """The dossier has no event this form reports (e.g. Mẫu 03 for a dossier never refused)."""


# -- the public status page the QR code points to -------------------------------------------------


# The PDF is printed on paper, so the link is absolute, on the public address (lib.urls).
public_status_path = tracking_path
public_status_url = tracking_url


def _qr_image(data: str) -> Any:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.make_image().get_image()


# -- what the forms say about people and events ----------------------------------------------


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.full_name or user.username) if hasattr(user, "full_name") else str(user)


def _you(dossier: Dossier) -> str:
    """How the form addresses the applicant."""
    if dossier.applicant_kind == ApplicantKind.ORGANISATION:
        return "Quý cơ quan, tổ chức"
    return "Ông/Bà"


def _addressee(dossier: Dossier) -> str:
    if dossier.applicant_kind == ApplicantKind.ORGANISATION:
        return dossier.applicant_name
    return f"Ông/Bà {dossier.applicant_name}"


def _latest(dossier: Dossier, *actions: str) -> DossierEvent:
    event = (
        dossier.events.filter(action__in=actions)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        raise FormNotApplicable(
            _("Hồ sơ %(code)s không có sự kiện cho mẫu này.") % {"code": dossier.code}
        )
    return event


def _basis(dossier: Dossier) -> str:
    moment = dossier.received_at or dossier.submitted_at
    return forms_legal_basis(timezone.localdate(moment) if moment else None)


def _procedure(dossier: Dossier) -> str:
    return f"{dossier.procedure_version.name} (mã {dossier.procedure.code})"


def _processing_time(dossier: Dossier) -> str:
    version = dossier.procedure_version
    if version.time_unit == "same_day" or not version.processing_time:
        return "Trong ngày"
    amount = localised(plain_decimal(version.processing_time))
    return f"{amount} {version.get_time_unit_display()}"


def _return_place(dossier: Dossier) -> str:
    unit = dossier.receiving_unit
    if dossier.return_method == ReturnMethod.POSTAL:
        return f"Địa chỉ của người nộp: {dossier.applicant_address or '…'}"
    if dossier.return_method == ReturnMethod.ONLINE:
        return "Tài khoản của người nộp trên Cổng Dịch vụ công"
    return f"Bộ phận Một cửa – {unit.name}" + (f", {unit.address}" if unit.address else "")


def _contact(dossier: Dossier) -> str:
    parts = [f"Điện thoại: {dossier.applicant_phone or '…'}"]
    if dossier.applicant_email:
        parts.append(f"Thư điện tử: {dossier.applicant_email}")
    return "; ".join(parts)


def _applicant_block(pdf: FormPDF, dossier: Dossier, label: str) -> None:
    pdf.field(label, dossier.applicant_name)
    pdf.field("Địa chỉ:", dossier.applicant_address)
    pdf.field("", _contact(dossier), bold=False)
    pdf.field("Nội dung yêu cầu giải quyết:", _procedure(dossier))


def _iso(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


# -- Mẫu 01 ---------------------------------------------------------------------------------------


@in_vietnamese
def receipt_pdf(dossier: Dossier) -> bytes:
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả, with a QR code of the status page."""
    if dossier.received_at is None:
        raise FormNotApplicable(_("Hồ sơ chưa được tiếp nhận."))
    unit = dossier.receiving_unit
    title = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    pdf = FormPDF(form_number="01", title=title, author=unit.name, legal_basis=_basis(dossier))
    pdf.official_header(unit, day=dossier.received_at)
    pdf.heading(
        title,
        f"Mã hồ sơ: {dossier.code}",
        f"Số thứ tự trong sổ theo dõi: {ledger_number(dossier):02d}",
    )

    # The QR code sits at the right of the applicant block; the text wraps short of it.
    qr_size = 24.0
    top = pdf.get_y()
    pdf.image(
        _qr_image(public_status_url(dossier.code)),
        x=pdf.w - pdf.r_margin - qr_size,
        y=top,
        w=qr_size,
        h=qr_size,
    )
    pdf.set_xy(pdf.w - pdf.r_margin - qr_size, top + qr_size)
    pdf.set_font("DejaVuSerif", "I", 6)
    pdf.cell(qr_size, 3, "Tra cứu hồ sơ", align="C")
    pdf.set_xy(pdf.l_margin, top)
    right_margin = pdf.r_margin
    pdf.set_right_margin(right_margin + qr_size + 3)
    pdf.field(f"{unit.name} tiếp nhận hồ sơ của:", dossier.applicant_name)
    pdf.field("Địa chỉ:", dossier.applicant_address)
    pdf.field("", _contact(dossier), bold=False)
    pdf.field("Nội dung yêu cầu giải quyết:", _procedure(dossier))
    pdf.set_right_margin(right_margin)
    pdf.set_y(max(pdf.get_y(), top + qr_size + 3))

    documents = [d for d in dossier.documents.all() if d.kind == DocumentKind.SUBMITTED]
    pdf.paragraph("1. Thành phần hồ sơ nộp gồm:")
    widths = [8.0, pdf.epw - 8 - 2 * 16, 16.0, 16.0]
    pdf.grid(
        [["TT", "Tên giấy tờ", "Bản chính", "Bản sao"]],
        [
            [str(i), doc.name, localised(doc.originals), localised(doc.copies)]
            for i, doc in enumerate(documents, start=1)
        ]
        or [["", "(không có giấy tờ)", "", ""]],
        widths=widths,
        aligns=["C", "L", "C", "C"],
    )
    pdf.field("2. Số lượng hồ sơ:", f"{dossier.sets:02d} (bộ)")
    pdf.field("3. Thời gian giải quyết hồ sơ theo quy định:", _processing_time(dossier))
    pdf.field("4. Thời gian nhận hồ sơ:", long_moment(dossier.received_at))
    # The receipt as it was issued: its appointment is the original one; a later date agreed
    # through an apology slip (Mẫu 04) is shown beside it, never in its place.
    promised = dossier.original_due_at or dossier.due_at
    pdf.field("5. Thời gian trả kết quả giải quyết hồ sơ:", long_moment(promised))
    if dossier.due_at and promised and dossier.due_at != promised:
        pdf.paragraph(
            f"(Đã hẹn lại: {long_moment(dossier.due_at)} – theo Phiếu xin lỗi và hẹn lại "
            "ngày trả kết quả)",
            style="I",
        )
    pdf.field("6. Nơi trả kết quả:", _return_place(dossier))
    pdf.field("7. Hình thức nhận kết quả:", dossier.get_return_method_display())
    if dossier.fee_due_vnd:
        pdf.field("8. Phí, lệ phí:", f"{localised(dossier.fee_due_vnd)} đồng")
    pdf.signatures(
        Signer("Người nộp hồ sơ", dossier.applicant_name),
        Signer("Người tiếp nhận hồ sơ", _person(dossier.received_by)),
    )
    return pdf.render()


# -- Mẫu 02 ---------------------------------------------------------------------------------------


def _supplement_items(event: DossierEvent) -> list[tuple[str, str]]:
    """(content, reason) pairs of the request. The actions store `{"name", "reason"}` objects;
    events recorded before reasons were kept hold plain strings (no reason of their own)."""
    raw = event.data.get("missing") or event.data.get("items") or []
    items: list[tuple[str, str]] = []
    for item in raw:
        if isinstance(item, dict):
            content = str(item.get("name") or item.get("item") or item.get("content") or "")
            items.append((content.strip(), str(item.get("reason") or "").strip()))
        else:
            items.append((str(item).strip(), ""))
    return [(c, r) for c, r in items if c]


def _own_reason(event: DossierEvent, items: list[tuple[str, str]]) -> str:
    """The event's reason when it says more than the items: the actions store the items joined
    ("a; b (lý do)") as the reason, which the table already shows."""
    reason = event.reason.strip()
    derived = {
        "; ".join(c for c, _r in items),
        "; ".join(f"{c} ({r})" if r else c for c, r in items),
    }
    return "" if reason in derived else reason


@in_vietnamese
def incomplete_pdf(dossier: Dossier) -> bytes:
    """Mẫu 02: what to supplement, each with its reason, and whom to ask, from the latest request."""
    event = _latest(dossier, Action.ASK_COMPLETION, Action.REQUEST_SUPPLEMENT)
    before_receipt = event.action == Action.ASK_COMPLETION
    # Before receipt the one-stop counter speaks; after it, the body processing the dossier.
    unit = dossier.receiving_unit if before_receipt else dossier.processing_unit
    title = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    pdf = FormPDF(form_number="02", title=title, author=unit.name, legal_basis=_basis(dossier))
    pdf.official_header(unit, day=event.at)
    pdf.heading(title, f"Mã hồ sơ: {dossier.code}")
    _applicant_block(pdf, dossier, "Hồ sơ của:")
    if not before_receipt and dossier.received_at:
        pdf.field("Ngày tiếp nhận hồ sơ:", long_moment(dossier.received_at))
    you = _you(dossier)
    pdf.paragraph(f"Đề nghị {you} bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:")
    items = _supplement_items(event)
    pdf.grid(
        [["TT", "Nội dung cần bổ sung, hoàn thiện", "Lý do"]],
        [[str(i), content, reason] for i, (content, reason) in enumerate(items, start=1)]
        or [["", "(không ghi nội dung)", ""]],
        widths=[8.0, (pdf.epw - 8) * 0.55, (pdf.epw - 8) * 0.45],
        aligns=["C", "L", "L"],
    )
    # Items recorded without a reason of their own (older requests) share the general one.
    reason = _own_reason(event, items)
    if not reason and any(not r for _c, r in items):
        reason = (
            "Hồ sơ chưa đầy đủ, hợp lệ theo quy định của thủ tục hành chính."
            if before_receipt
            else "Cần bổ sung các nội dung trên để có đủ căn cứ giải quyết hồ sơ."
        )
    if reason:
        pdf.field("Lý do:", reason, bold=False)
    officer = _person(event.actor)
    hotline = unit.hotline or dossier.receiving_unit.hotline
    pdf.paragraph(
        f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {you} liên hệ với "
        + (f"{officer}, " if officer else "")
        + f"{unit.name}"
        + (f", số điện thoại {hotline}" if hotline else "")
        + " để được hướng dẫn."
    )
    if not before_receipt:
        pdf.paragraph(
            "Thời gian giải quyết hồ sơ được tính lại từ đầu kể từ khi nhận đủ hồ sơ bổ sung.",
            style="I",
        )
    pdf.signatures(Signer("Người hướng dẫn", officer))
    return pdf.render()


# -- Mẫu 03 ---------------------------------------------------------------------------------------


@in_vietnamese
def refusal_pdf(dossier: Dossier) -> bytes:
    """Mẫu 03: refused at the counter (not received) or refused after appraisal, with the reason."""
    event = _latest(dossier, Action.REFUSE_RECEIPT, Action.REFUSE)
    at_counter = event.action == Action.REFUSE_RECEIPT
    unit = dossier.receiving_unit if at_counter else dossier.processing_unit
    title = "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    pdf = FormPDF(form_number="03", title=title, author=unit.name, legal_basis=_basis(dossier))
    pdf.official_header(unit, day=event.at)
    pdf.heading(title, f"Mã hồ sơ: {dossier.code}")
    _applicant_block(pdf, dossier, f"{unit.name} tiếp nhận hồ sơ của:")
    if at_counter:
        lead = f"Qua xem xét, {unit.name} thông báo không tiếp nhận, giải quyết hồ sơ này"
    else:
        lead = f"Qua thẩm định, {unit.name} thông báo không giải quyết hồ sơ này"
    pdf.paragraph(f"{lead} với lý do cụ thể như sau:")
    pdf.paragraph(event.reason, style="B", align="L", indent=4)
    pdf.paragraph(f"Xin thông báo cho {_you(dossier)} được biết và thực hiện./.")
    if at_counter:
        pdf.signatures(Signer("Người tiếp nhận", _person(event.actor)))
    else:
        pdf.signatures(
            Signer(
                "Đại diện cơ quan giải quyết",
                _person(event.actor),
                "(Ký, ghi rõ họ tên và đóng dấu)",
            )
        )
    return pdf.render()


# -- Mẫu 04 ---------------------------------------------------------------------------------------


@in_vietnamese
def apology_pdf(dossier: Dossier) -> bytes:
    """Mẫu 04: the apology with the original appointment, the reason and the new date."""
    event = _latest(dossier, Action.RESCHEDULE)
    unit = dossier.processing_unit
    old_due = _iso(event.data.get("old_due")) or dossier.original_due_at
    new_due = _iso(event.data.get("new_due")) or dossier.due_at
    title = "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    pdf = FormPDF(form_number="04", title=title, author=unit.name, legal_basis=_basis(dossier))
    pdf.official_header(unit, day=event.at)
    pdf.heading(title)
    you = _you(dossier)
    pdf.paragraph(f"Kính gửi: {_addressee(dossier)}", style="B", align="C")
    pdf.field("Địa chỉ:", dossier.applicant_address)
    pdf.field("", _contact(dossier), bold=False)
    received = long_date(dossier.received_at) if dossier.received_at else "…"
    pdf.paragraph(
        f"{received[0].upper()}{received[1:]}, {dossier.receiving_unit.name} tiếp nhận hồ sơ "
        f"đề nghị giải quyết thủ tục {_procedure(dossier)} của {you}."
    )
    pdf.field("Mã hồ sơ:", dossier.code)
    pdf.paragraph(
        "Theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả, thời gian trả kết quả giải quyết hồ sơ "
        f"là {long_moment(old_due)}."
    )
    pdf.paragraph(
        f"Tuy nhiên đến nay, {unit.name} chưa thể trả kết quả giải quyết hồ sơ của {you}."
    )
    pdf.field("Lý do:", event.reason)
    pdf.paragraph(
        f"Sự chậm trễ này đã gây phiền hà cho {you}. {unit.name} xin lỗi {you} và sẽ trả kết "
        f"quả giải quyết hồ sơ cho {you} vào {long_moment(new_due)}."
    )
    pdf.paragraph("Xin trân trọng cảm ơn./.")
    pdf.signatures(
        Signer(
            "Đại diện cơ quan giải quyết hồ sơ",
            _person(event.actor),
            "(Ký, ghi rõ họ tên và đóng dấu)",
        )
    )
    return pdf.render()


# -- Mẫu 05 ---------------------------------------------------------------------------------------


def _step_outcome(step: Any) -> str:
    if step.started_at is None:
        return ""
    if step.finished_at is None:
        return "Đang xử lý"
    if step.outcome:
        return str(Outcome(step.outcome).label)
    return "Đã xử lý"


def _hand_over(dossier: Dossier, steps: list[Any], index: int) -> tuple[str, str]:
    """The "Giao" and "Nhận" lines of the step at `index`: the dossier came to it in one
    hand-over, so both lines carry the one moment the step started.

    The giver is whoever recorded the hand-over; a step started by the system (the return step
    opened when the result is ready) falls back to whoever held the dossier before. The first
    step is the counter taking the dossier from the applicant.
    """
    step = steps[index]
    moment = hm_moment(step.started_at) or "…"
    if step.started_at is None:
        return f"Giao: {moment}", f"Nhận: {moment}"
    giver = step.given_by
    receiver = step.assignee
    if index == 0:
        giver_name = dossier.applicant_name
        receiver = receiver or step.given_by or dossier.received_by
    else:
        giver = giver or steps[index - 1].assignee
        giver_name = _person(giver)
    return (
        f"Giao: {moment} — {giver_name or '…'}",
        f"Nhận: {moment} — {_person(receiver) or '…'}",
    )


@in_vietnamese
def control_slip_pdf(dossier: Dossier) -> bytes:
    """Mẫu 05: one row per step of the dossier: how it came to that body (given and received at
    one moment, by whom to whom), the step's result against its due moment, and notes.

    A5 landscape: five columns of hand-written-size text do not fit 148 mm across.
    """
    steps = list(dossier.steps.select_related("given_by", "assignee").order_by("position"))
    if not steps:
        raise FormNotApplicable(_("Hồ sơ chưa có quá trình giải quyết."))
    unit = dossier.receiving_unit
    title = "Phiếu kiểm soát quá trình giải quyết hồ sơ"
    pdf = FormPDF(
        form_number="05",
        title=title,
        orientation="L",
        author=unit.name,
        body_size=9,
        legal_basis=_basis(dossier),
    )
    pdf.official_header(unit, day=dossier.received_at)
    pdf.heading(title, f"Mã hồ sơ: {dossier.code}")
    pdf.field("Kèm theo hồ sơ của:", dossier.applicant_name)
    pdf.field("", _contact(dossier), bold=False)
    pdf.field("Nội dung yêu cầu giải quyết:", _procedure(dossier))
    pdf.field(
        "Ngày nhận hồ sơ:",
        f"{hm_moment(dossier.received_at)}; hẹn trả kết quả: {hm_moment(dossier.due_at)}",
    )
    rows = []
    for index, step in enumerate(steps):
        where = step.body or (str(Role(step.role).label) if step.role else "")
        notes = [f"Hạn: {compact_moment(step.due_at)}"] if step.due_at else []
        if step.finished_at:
            notes.append(f"Xong: {compact_moment(step.finished_at)}")
        if step.note:
            notes.append(step.note)
        given, received = _hand_over(dossier, steps, index)
        rows.append(
            [
                str(step.position),
                step.name + (f"\n({where})" if where else ""),
                f"{given}\n{received}",
                _step_outcome(step),
                "\n".join(notes),
            ]
        )
    pdf.grid(
        [
            [
                "TT",
                "Tên cơ quan, bộ phận",
                "Thời gian giao, nhận hồ sơ — người giao, người nhận",
                "Kết quả giải quyết (trước hạn/ đúng hạn/ quá hạn)",
                "Ghi chú",
            ]
        ],
        rows,
        # The hand-over lines ("Giao: 14 giờ 00 phút, ngày 04/08/2025 — <name>") are the
        # form's substance: their column takes what the others leave.
        widths=[8, 30, pdf.epw - 96, 20, 38],
        aligns=["C", "L", "L", "C", "L"],
        size=8,
    )
    return pdf.render()
