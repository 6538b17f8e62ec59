"""What the feedback app tells people: the sender of a PAKN when it is received and when it is
answered, and the rating invitation that ends the "result returned" message of a dossier.

The PAKN messages are queued in the action's transaction through the outbox
(`cchc.notify.dispatch.queue_message`). The rating invitation is registered with the outbox in
`cchc/feedback/apps.py` (`cchc.notify.registry.register_addendum`): the dossiers, which write the
"result returned" message, come before feedback in the import order and cannot ask for it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cchc.feedback.ratings import rating_link
from cchc.lib.urls import public_url
from cchc.notify.choices import Channel as MessageChannel
from cchc.notify.choices import Kind as MessageKind
from cchc.notify.dispatch import queue_message
from cchc.notify.texts import shorten, sms_text

if TYPE_CHECKING:
    from cchc.dossiers.models import Dossier
    from cchc.feedback.models import Feedback

SMS_ANSWER_CHARS = 300


def status_url(code: str) -> str:
    return public_url("feedback:status", code)


def _day(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def _send(feedback: Feedback, kind: str, subject: str, body: str, sms: str) -> None:
    for channel, recipient, words in (
        (MessageChannel.EMAIL, feedback.email, body),
        (MessageChannel.SMS, feedback.phone, sms_text(sms)),
    ):
        if not recipient:
            continue
        queue_message(
            channel=channel,
            kind=kind,
            recipient=recipient,
            subject=subject if channel == MessageChannel.EMAIL else "",
            body=words,
            key=f"feedback:{feedback.pk}:{kind}:{channel}",
        )


def pakn_received(feedback: Feedback) -> None:
    """Tell the sender their PAKN arrived: its code, the answer's due date, where to follow it."""
    if not (feedback.email or feedback.phone):
        return
    with translation.override(settings.LANGUAGE_CODE):
        words = {
            "code": feedback.code,
            "unit": feedback.unit.name,
            "day": _day(feedback.received_at),
            "due": _day(feedback.answer_due_at),
            "url": status_url(feedback.code),
        }
        subject = _("Đã nhận phản ánh, kiến nghị %(code)s") % words
        body = (
            _(
                "%(unit)s đã nhận phản ánh, kiến nghị của ông/bà ngày %(day)s.\n"
                "Mã tra cứu: %(code)s\nHạn trả lời: %(due)s\nTheo dõi tại: %(url)s"
            )
            % words
        )
        sms = _("%(unit)s da nhan PAKN %(code)s, han tra loi %(due)s. Tra cuu: %(url)s") % words
    _send(feedback, MessageKind.FEEDBACK_RECEIVED, subject, body, sms)


def pakn_answered(feedback: Feedback) -> None:
    """Send the sender the answer: in full by e-mail, shortened by SMS."""
    if not (feedback.email or feedback.phone):
        return
    with translation.override(settings.LANGUAGE_CODE):
        words = {
            "code": feedback.code,
            "unit": feedback.unit.name,
            "answer": feedback.answer,
            "short": shorten(feedback.answer, SMS_ANSWER_CHARS),
            "url": status_url(feedback.code),
            "hotline": feedback.unit.hotline or "—",
        }
        subject = _("Trả lời phản ánh, kiến nghị %(code)s") % words
        body = (
            _(
                "%(unit)s trả lời phản ánh, kiến nghị %(code)s của ông/bà:\n\n%(answer)s\n\n"
                "Theo dõi tại: %(url)s\nĐường dây nóng: %(hotline)s"
            )
            % words
        )
        sms = _("Tra loi PAKN %(code)s: %(short)s") % words
    _send(feedback, MessageKind.FEEDBACK_ANSWERED, subject, body, sms)


def rating_invitation(dossier: Dossier) -> str:
    """The paragraph inviting the applicant to rate a returned dossier, with their signed link."""
    return _("Cảm ơn ông/bà đã sử dụng dịch vụ. Mời ông/bà đánh giá mức độ hài lòng: %(link)s") % {
        "link": rating_link(dossier)
    }
