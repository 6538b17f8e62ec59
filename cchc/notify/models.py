"""Outgoing messages and their delivery history.

A `Message` is written in the same transaction as the change it reports, so it exists exactly
when the change does; the job worker then delivers it and appends one `DeliveryAttempt` per try.
Neither table's error columns ever hold an address, a number or a server's free-text reply: only
the exception class (and a numeric status code), so they can be shown and logged freely.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.lib.daily_jobs import DailyRun
from cchc.lib.personal import mask_email, mask_phone
from cchc.notify.choices import AttemptOutcome, Channel, Kind, MessageStatus


def mask(recipient: str) -> str:
    """A recipient shortened so that a list page does not reveal it: `09******78`, `n***@x.vn`."""
    return mask_email(recipient) if "@" in recipient else mask_phone(recipient)


class Message(models.Model):
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("loại thông báo"), max_length=30, choices=Kind.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    body = models.TextField(_("nội dung"))
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("hồ sơ"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("cán bộ nhận"),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=MessageStatus.choices,
        default=MessageStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.CharField(
        _("lỗi gần nhất"),
        max_length=200,
        blank=True,
        help_text="Exception class and status code only: never an address or a server reply.",
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The claiming worker renews this while it sends; a SENDING message past its lease belongs to
    # a worker that died, and is recovered within a minute (delivery.recover_lost).
    lease_until = models.DateTimeField(null=True, blank=True)
    # Set (and committed) just before the byte after which the server may keep the message (the
    # SMTP DATA command, the gateway request): a worker lost before it certainly sent nothing,
    # one lost after it possibly did.
    handoff_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    idempotency_key = models.CharField(
        max_length=200,
        help_text="What the message is for (event or day, kind, channel, recipient digest).",
    )

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="notify_message_key_unique")
        ]
        indexes = [
            # The sweep for messages whose delivery job was lost (worker killed mid-send).
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]),
                name="notify_message_pending",
            ),
            # What administrators are alerted to (dead letters, possibly sent): a handful of rows.
            models.Index(
                fields=["status"],
                condition=Q(status__in=[MessageStatus.DEAD, MessageStatus.UNKNOWN]),
                name="notify_message_attention",
            ),
        ]
        permissions = [("resend_message", "Can resend a dead or possibly sent message")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.channel}"

    @property
    def masked_recipient(self) -> str:
        return mask(self.recipient)


class DeliveryAttempt(models.Model):
    """One try at handing a message to the mail server or the SMS gateway; append-only."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveSmallIntegerField(_("lần thứ"))
    started_at = models.DateTimeField(_("bắt đầu"))
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=AttemptOutcome.choices)
    error = models.CharField(_("lỗi"), max_length=200, blank=True)
    provider_ref = models.CharField(
        _("mã của nhà cung cấp"), max_length=100, blank=True, help_text="The gateway's message id."
    )

    class Meta:
        verbose_name = _("lần gửi")
        verbose_name_plural = _("lần gửi")
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="notify_attempt_unique")
        ]
        indexes = [
            # The failures counter of /metrics: failed attempts are a small part of the table.
            models.Index(
                fields=["outcome"],
                condition=~Q(outcome=AttemptOutcome.SENT),
                name="notify_attempt_failures",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.message_id}/{self.number} {self.outcome}"


class ReminderRun(DailyRun):
    """One day of the self-rescheduling reminder job (`cchc.lib.daily_jobs`)."""

    queued = models.PositiveIntegerField(_("số thư đã xếp hàng"), default=0)

    class Meta(DailyRun.Meta):
        verbose_name = _("lượt nhắc hạn")
        verbose_name_plural = _("lượt nhắc hạn")
