"""What the dossier workflow tells citizens: which events send what, and the words.

Called inside the action's transaction (`on_dossier_event`), so that a rolled-back action sends
nothing and a committed one is never lost; the messages go out through the outbox
(`cchc.notify.dispatch.queue_message`). Vietnamese, short for SMS, never the citizen's ID number.

Every citizen message names the dossier code, the procedure and the public tracking address;
those that promise a date (receipt, rescheduling) give it as dd/mm/yyyy. Another app may add a
paragraph to the e-mails of a kind through `cchc.notify.registry.register_addendum` (the feedback
app adds the rating invitation to "result returned").
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from cchc.dossiers.choices import Action, ApplicantKind, ReturnMethod
from cchc.dossiers.choices import Channel as DossierChannel
from cchc.dossiers.missing import missing_lines
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.lib.numbers import localised
from cchc.lib.urls import tracking_url
from cchc.notify.choices import Channel, Kind
from cchc.notify.dispatch import digest, queue_message
from cchc.notify.registry import addenda
from cchc.notify.texts import Texts, shorten, sms_text
from cchc.worktime.deadlines import to_local

SMS_PROCEDURE_CHARS = 40
SMS_ITEMS_CHARS = 70

# The events a citizen hears about, and what each is called. Anything else (hand-overs, notes,
# payments, counter-side refusals the citizen witnesses in person) sends nothing.
CITIZEN_KINDS: dict[str, str] = {
    Action.SUBMIT: Kind.SUBMITTED,
    Action.RESUBMIT: Kind.SUBMITTED,
    Action.ASK_COMPLETION: Kind.COMPLETION_REQUESTED,
    Action.REFUSE_RECEIPT: Kind.RECEIPT_REFUSED,
    Action.RECEIVE: Kind.RECEIVED,
    Action.REQUEST_SUPPLEMENT: Kind.SUPPLEMENT_REQUESTED,
    Action.RESCHEDULE: Kind.RESCHEDULED,
    Action.EXTEND: Kind.EXTENDED,
    Action.REQUEST_PAYMENT: Kind.PAYMENT_DUE,
    Action.STOP: Kind.STOPPED,
    Action.WITHDRAW: Kind.WITHDRAWN,
    Action.RESOLVE: Kind.RESULT_READY,
    Action.REFUSE: Kind.REFUSED,
    Action.RETURN_RESULT: Kind.RETURNED,
}

PAPER_AT_THE_COUNTER = frozenset({Action.ASK_COMPLETION, Action.REFUSE_RECEIPT})


def on_dossier_event(event: DossierEvent, *, new_event: bool = False) -> None:
    """Queue the messages an event calls for: an e-mail to the applicant's address and an SMS
    to the applicant's phone, whichever the dossier has.

    Safe to call again for the same event (nothing is queued twice). `new_event` says the event
    was written in this transaction, so no message can exist for it yet: plain inserts then.
    """
    kind = CITIZEN_KINDS.get(event.action)
    if kind is None:
        return
    dossier = event.dossier
    if event.action in PAPER_AT_THE_COUNTER and dossier.channel not in DossierChannel.online():
        # At the counter the applicant is handed the printed form (Mẫu 02 or 03) there and then.
        return
    words = for_citizen(kind, dossier, event)
    for channel, recipient, subject, body in (
        (Channel.EMAIL, dossier.applicant_email, words.subject, words.body),
        (Channel.SMS, dossier.applicant_phone, "", words.sms),
    ):
        if not recipient.strip():
            continue
        queue_message(
            channel=channel,
            kind=kind,
            recipient=recipient.strip(),
            subject=subject,
            body=body,
            key=f"event:{event.pk}:{kind}:{channel}:{digest(recipient.strip())}",
            dossier=dossier,
            new_key=new_event,
        )


def day(moment: dt.datetime | None) -> str:
    return to_local(moment).strftime("%d/%m/%Y") if moment is not None else ""


def day_and_time(moment: dt.datetime) -> str:
    return to_local(moment).strftime("%H:%M %d/%m/%Y")


def _parse(value: object) -> dt.datetime | None:
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _greeting(dossier: Dossier) -> str:
    if dossier.applicant_kind == ApplicantKind.ORGANISATION:
        return _("Kính gửi %(name)s,") % {"name": dossier.applicant_name}
    return _("Kính gửi ông/bà %(name)s,") % {"name": dossier.applicant_name}


def _signature(dossier: Dossier) -> str:
    unit = dossier.receiving_unit
    lines = [unit.name]
    if unit.hotline:
        lines.append(_("Đường dây nóng: %(hotline)s") % {"hotline": unit.hotline})
    lines.append(_("Đây là thư tự động, xin vui lòng không trả lời thư này."))
    return "\n".join(lines)


def _email(dossier: Dossier, *paragraphs: str) -> str:
    parts = [_greeting(dossier), *paragraphs, _signature(dossier)]
    return "\n\n".join(p for p in parts if p)


def _facts(dossier: Dossier, *extra: str) -> str:
    lines = [
        _("Mã hồ sơ: %(code)s") % {"code": dossier.code},
        _("Thủ tục: %(procedure)s") % {"procedure": dossier.procedure_version.name},
        *extra,
        _("Tra cứu tình trạng hồ sơ: %(url)s") % {"url": tracking_url(dossier.code)},
    ]
    return "\n".join(lines)


def for_citizen(kind: str, dossier: Dossier, event: DossierEvent) -> Texts:
    """Subject, e-mail body and SMS text for one citizen-facing event."""
    with translation.override(settings.LANGUAGE_CODE):
        return _for_citizen(kind, dossier, event)


def _for_citizen(kind: str, dossier: Dossier, event: DossierEvent) -> Texts:
    code = dossier.code
    url = tracking_url(code)
    procedure = dossier.procedure_version.name
    short = shorten(procedure, SMS_PROCEDURE_CHARS)
    unit = dossier.receiving_unit.name
    values = {"code": code, "procedure": short, "url": url, "unit": unit}

    if kind == Kind.RECEIVED:
        due = day(dossier.due_at)
        return Texts(
            subject=_("Đã tiếp nhận hồ sơ %(code)s") % values,
            body=_email(
                dossier,
                _("%(unit)s đã tiếp nhận hồ sơ của ông/bà.") % values,
                _facts(dossier, _("Ngày hẹn trả kết quả: %(due)s") % {"due": due}),
            ),
            sms=sms_text(
                _(
                    "Đã tiếp nhận hồ sơ %(code)s (%(procedure)s). Hẹn trả kết quả ngày %(due)s. "
                    "Tra cứu: %(url)s"
                )
                % {**values, "due": due}
            ),
        )

    if kind == Kind.SUPPLEMENT_REQUESTED:
        items = missing_lines(event.data.get("items", [])) or [event.reason]
        listing = "\n".join(f"- {item}" for item in items if item)
        return Texts(
            subject=_("Hồ sơ %(code)s cần bổ sung giấy tờ") % values,
            body=_email(
                dossier,
                _("Để tiếp tục giải quyết hồ sơ, ông/bà cần bổ sung, hoàn thiện các nội dung sau:")
                + "\n"
                + listing,
                _("Thời hạn giải quyết được tính lại từ đầu khi %(unit)s nhận đủ hồ sơ bổ sung.")
                % values,
                _facts(dossier),
            ),
            sms=sms_text(
                _("Hồ sơ %(code)s (%(procedure)s) cần bổ sung: %(items)s. Chi tiết: %(url)s")
                % {**values, "items": shorten("; ".join(items), SMS_ITEMS_CHARS)}
            ),
        )

    if kind == Kind.RESCHEDULED:
        new_due = day(_parse(event.data.get("new_due")) or dossier.due_at)
        old_due = day(_parse(event.data.get("old_due")) or dossier.original_due_at)
        dates = {**values, "new_due": new_due, "old_due": old_due}
        reason = (_("Lý do: %(reason)s") % {"reason": event.reason}) if event.reason else ""
        return Texts(
            subject=_("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s") % values,
            body=_email(
                dossier,
                _(
                    "%(unit)s thành thật xin lỗi ông/bà vì hồ sơ chưa giải quyết được đúng hẹn "
                    "ngày %(old_due)s."
                )
                % dates,
                reason,
                _facts(dossier, _("Ngày hẹn trả kết quả mới: %(new_due)s") % dates),
            ),
            sms=sms_text(
                _(
                    "Xin lỗi ông/bà: hồ sơ %(code)s (%(procedure)s) chưa kịp trả ngày %(old_due)s. "
                    "Hẹn trả mới: %(new_due)s. Tra cứu: %(url)s"
                )
                % dates
            ),
        )

    if kind == Kind.RESULT_READY:
        where, where_sms = _pickup(dossier)
        return Texts(
            subject=_("Hồ sơ %(code)s đã có kết quả") % values,
            body=_email(
                dossier,
                _("Hồ sơ của ông/bà đã có kết quả giải quyết.") + " " + where,
                _facts(dossier),
            ),
            sms=sms_text(
                _("Hồ sơ %(code)s (%(procedure)s) đã có kết quả. %(where)s Tra cứu: %(url)s")
                % {**values, "where": where_sms}
            ),
        )

    if kind == Kind.REFUSED:
        reason = (_("Lý do: %(reason)s") % {"reason": event.reason}) if event.reason else ""
        return Texts(
            subject=_("Hồ sơ %(code)s: thông báo từ chối giải quyết") % values,
            body=_email(
                dossier,
                _(
                    "Sau khi thẩm định, hồ sơ của ông/bà không đủ điều kiện giải quyết. "
                    "Văn bản trả lời được trả theo hình thức ông/bà đã đăng ký: %(method)s."
                )
                % {"method": ReturnMethod(dossier.return_method).label},
                reason,
                _facts(dossier),
            ),
            sms=sms_text(
                _(
                    "Hồ sơ %(code)s (%(procedure)s) không đủ điều kiện giải quyết. "
                    "Lý do và văn bản trả lời: %(url)s"
                )
                % values
            ),
        )

    if kind == Kind.RETURNED:
        returned = day(dossier.returned_at or event.at)
        tracking = str(event.data.get("postal_tracking") or dossier.postal_tracking or "")
        postal = (
            _("Mã bưu gửi: %(tracking)s") % {"tracking": tracking}
            if dossier.return_method == ReturnMethod.POSTAL and tracking
            else ""
        )
        method = ReturnMethod(dossier.return_method).label
        return Texts(
            subject=_("Hồ sơ %(code)s đã được trả kết quả") % values,
            body=_email(
                dossier,
                _("Kết quả giải quyết hồ sơ đã được trả ngày %(date)s, hình thức: %(method)s.")
                % {"date": returned, "method": method},
                _facts(dossier, *([postal] if postal else [])),
                # The rating invitation: the feedback app registers it (cchc/feedback/apps.py).
                *addenda(Kind.RETURNED, dossier),
            ),
            sms=sms_text(
                " ".join(
                    part
                    for part in (
                        _("Hồ sơ %(code)s (%(procedure)s) đã trả kết quả ngày %(date)s.")
                        % {**values, "date": returned},
                        f"{postal}." if postal else "",
                        _("Tra cứu: %(url)s") % values,
                    )
                    if part
                )
            ),
        )

    if kind == Kind.SUBMITTED:
        return Texts(
            subject=_("Đã nhận hồ sơ trực tuyến %(code)s") % values,
            body=_email(
                dossier,
                _(
                    "%(unit)s đã nhận hồ sơ trực tuyến của ông/bà. Cán bộ sẽ kiểm tra và "
                    "thông báo tiếp nhận hoặc hướng dẫn bổ sung."
                )
                % values,
                _facts(dossier),
            ),
            sms=sms_text(
                _(
                    "Đã nhận hồ sơ trực tuyến %(code)s (%(procedure)s), chờ kiểm tra. Tra cứu: %(url)s"
                )
                % values
            ),
        )

    if kind == Kind.COMPLETION_REQUESTED:
        items = missing_lines(event.data.get("missing", [])) or [event.reason]
        listing = "\n".join(f"- {item}" for item in items if item)
        return Texts(
            subject=_("Hồ sơ %(code)s cần hoàn thiện trước khi tiếp nhận") % values,
            body=_email(
                dossier,
                _(
                    "Hồ sơ chưa đủ để tiếp nhận. Ông/bà cần bổ sung, hoàn thiện một lần các nội dung sau:"
                )
                + "\n"
                + listing,
                _("Bổ sung trực tuyến tại trang tra cứu hồ sơ."),
                _facts(dossier),
            ),
            sms=sms_text(
                _("Hồ sơ %(code)s cần hoàn thiện: %(items)s. Bổ sung tại: %(url)s")
                % {**values, "items": shorten("; ".join(items), SMS_ITEMS_CHARS)}
            ),
        )

    if kind == Kind.RECEIPT_REFUSED:
        reason = (_("Lý do: %(reason)s") % {"reason": event.reason}) if event.reason else ""
        return Texts(
            subject=_("Hồ sơ %(code)s không được tiếp nhận") % values,
            body=_email(
                dossier,
                _("%(unit)s không tiếp nhận hồ sơ của ông/bà.") % values,
                reason,
                _facts(dossier),
            ),
            sms=sms_text(_("Hồ sơ %(code)s không được tiếp nhận. Lý do: %(url)s") % values),
        )

    if kind == Kind.PAYMENT_DUE:
        amount = int(event.data.get("amount_vnd") or dossier.fee_due_vnd - dossier.fee_paid_vnd)
        money = {**values, "amount": localised(amount)}
        return Texts(
            subject=_("Hồ sơ %(code)s: mời ông/bà nộp phí, lệ phí, thuế") % values,
            body=_email(
                dossier,
                _("Để tiếp tục giải quyết hồ sơ, ông/bà cần nộp %(amount)s đồng.") % money,
                (_("Nội dung: %(reason)s") % {"reason": event.reason}) if event.reason else "",
                _(
                    "Ông/bà có thể nộp tiền mặt tại %(unit)s, chuyển khoản hoặc thanh toán trực "
                    "tuyến theo hướng dẫn trên trang tra cứu hồ sơ."
                )
                % values,
                _facts(dossier),
            ),
            sms=sms_text(
                _("Hồ sơ %(code)s: mời nộp %(amount)s đ để tiếp tục giải quyết. Chi tiết: %(url)s")
                % money
            ),
        )

    if kind == Kind.EXTENDED:
        new_due = day(_parse(event.data.get("new_due")) or dossier.due_at)
        dates = {**values, "new_due": new_due}
        return Texts(
            subject=_("Hồ sơ %(code)s: thời hạn giải quyết theo quy định là %(new_due)s") % dates,
            body=_email(
                dossier,
                _(
                    "Hồ sơ của ông/bà thuộc trường hợp được pháp luật cho phép thời hạn giải "
                    "quyết dài hơn: %(condition)s."
                )
                % {"condition": event.data.get("condition") or event.reason},
                _("Ngày hẹn trả kết quả mới: %(new_due)s.") % dates,
                _facts(dossier),
            ),
            sms=sms_text(
                _(
                    "Hồ sơ %(code)s được áp dụng thời hạn theo quy định; hẹn trả: %(new_due)s. %(url)s"
                )
                % dates
            ),
        )

    if kind in (Kind.STOPPED, Kind.WITHDRAWN):
        reason = (_("Lý do: %(reason)s") % {"reason": event.reason}) if event.reason else ""
        if kind == Kind.STOPPED:
            subject = _("Hồ sơ %(code)s đã dừng xử lý") % values
            line = _("%(unit)s đã dừng giải quyết hồ sơ của ông/bà.") % values
            sms = _("Hồ sơ %(code)s đã dừng xử lý. Chi tiết: %(url)s") % values
        else:
            subject = _("Đã ghi nhận ông/bà rút hồ sơ %(code)s") % values
            line = _("%(unit)s đã ghi nhận yêu cầu rút hồ sơ của ông/bà.") % values
            sms = _("Đã ghi nhận rút hồ sơ %(code)s. Chi tiết: %(url)s") % values
        return Texts(
            subject=subject, body=_email(dossier, line, reason, _facts(dossier)), sms=sms_text(sms)
        )

    raise ValueError(f"no citizen text for kind {kind!r}")


def _pickup(dossier: Dossier) -> tuple[str, str]:
    """Where the result waits: the e-mail sentence and the shorter SMS one."""
    if dossier.return_method == ReturnMethod.POSTAL:
        return (
            _("Kết quả sẽ được gửi đến ông/bà qua dịch vụ bưu chính công ích."),
            _("Kết quả được gửi qua bưu chính."),
        )
    if dossier.return_method == ReturnMethod.ONLINE:
        return (
            _("Ông/bà nhận kết quả trực tuyến tại trang tra cứu hồ sơ."),
            _("Nhận kết quả trực tuyến."),
        )
    return (
        _("Mời ông/bà đến %(unit)s để nhận kết quả.") % {"unit": dossier.receiving_unit.name},
        _("Mời nhận tại bộ phận một cửa."),
    )
