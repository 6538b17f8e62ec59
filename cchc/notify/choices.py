"""Names used by notifications, defined once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class Kind(models.TextChoices):
    """What a message is about. The first six go to citizens, the last two to officers."""

    RECEIVED = "received", _("Tiếp nhận hồ sơ")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    RESCHEDULED = "rescheduled", _("Xin lỗi và hẹn lại ngày trả")
    RESULT_READY = "result_ready", _("Có kết quả")
    REFUSED = "refused", _("Từ chối giải quyết")
    RETURNED = "returned", _("Đã trả kết quả")
    DUE_TOMORROW = "due_tomorrow", _("Hồ sơ đến hạn ngày làm việc tiếp theo")
    APOLOGY_DUE = "apology_due", _("Hạn cuối xin lỗi, hẹn lại")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    # A worker has claimed the message and is talking to the server right now.
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("Thành công")
    ERROR = "error", _("Lỗi")
