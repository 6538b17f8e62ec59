"""What the survey tells the citizen: the invitation to answer, by e-mail and SMS, with the
round's one-time link. Queued through the outbox (`cchc.notify.dispatch.queue_message`) in the
sending action's transaction; the morning run sends what was drawn during the day
(registered in `cchc/surveys/apps.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cchc.lib.urls import public_url
from cchc.notify.choices import Channel as MessageChannel
from cchc.notify.choices import Kind as MessageKind
from cchc.notify.dispatch import queue_message, sms_number
from cchc.notify.texts import sms_text

if TYPE_CHECKING:
    from cchc.surveys.models import Invitation


def answer_url(token: str) -> str:
    """The public address of the online questionnaire for one invitation (also its QR code)."""
    return public_url("surveys:answer", token)


def invite(invitation: Invitation) -> int:
    """Queue the invitation to the applicant's mobile and e-mail; how many messages were queued
    (0 when the dossier has no usable contact: the applicant can still answer on paper)."""
    dossier = invitation.dossier
    survey = invitation.round
    with translation.override(settings.LANGUAGE_CODE):
        words = {
            "unit": invitation.unit.name,
            "url": answer_url(invitation.token),
            "until": survey.answer_until.strftime("%d/%m/%Y"),
        }
        subject = _("Mời ông/bà tham gia khảo sát sự hài lòng")
        body = (
            _(
                "%(unit)s trân trọng mời ông/bà cho biết mức độ hài lòng về việc giải quyết thủ "
                "tục hành chính. Phiếu khảo sát ẩn danh, trả lời một lần, hạn đến ngày "
                "%(until)s:\n%(url)s"
            )
            % words
        )
        sms = _("%(unit)s moi ong/ba tra loi khao sat su hai long (den %(until)s): %(url)s") % words
    queued = 0
    for channel, recipient, text in (
        (MessageChannel.SMS, dossier.applicant_phone, sms_text(sms)),
        (MessageChannel.EMAIL, dossier.applicant_email, body),
    ):
        if not recipient or (channel == MessageChannel.SMS and sms_number(recipient) is None):
            continue
        message = queue_message(
            channel=channel,
            kind=MessageKind.SURVEY_INVITATION,
            recipient=recipient,
            subject=subject if channel == MessageChannel.EMAIL else "",
            body=text,
            key=f"survey:{invitation.pk}:{channel}",
            dossier=dossier,
        )
        queued += message is not None
    return queued


def sent_day(invitation: Invitation) -> str:
    return timezone.localtime(invitation.sent_at).strftime("%d/%m/%Y") if invitation.sent_at else ""
