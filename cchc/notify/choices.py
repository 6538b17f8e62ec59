"""Names used by notifications, defined once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class Kind(models.TextChoices):
    """What a message is about: the last two go to officers, all others to citizens."""

    RECEIVED = "received", _("Tiếp nhận hồ sơ")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    RESCHEDULED = "rescheduled", _("Xin lỗi và hẹn lại ngày trả")
    RESULT_READY = "result_ready", _("Có kết quả")
    REFUSED = "refused", _("Từ chối giải quyết")
    RETURNED = "returned", _("Đã trả kết quả")
    SUBMITTED = "submitted", _("Đã nộp hồ sơ trực tuyến")
    COMPLETION_REQUESTED = "completion_requested", _("Hướng dẫn hoàn thiện hồ sơ trực tuyến")
    RECEIPT_REFUSED = "receipt_refused", _("Từ chối tiếp nhận hồ sơ")
    PAYMENT_DUE = "payment_due", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    EXTENDED = "extended", _("Áp dụng thời hạn kéo dài theo quy định")
    STOPPED = "stopped", _("Dừng xử lý hồ sơ")
    WITHDRAWN = "withdrawn", _("Ghi nhận rút hồ sơ")
    ONE_TIME_CODE = "one_time_code", _("Mã xác thực một lần")
    FEEDBACK_RECEIVED = "feedback_received", _("Đã nhận phản ánh, kiến nghị")
    FEEDBACK_ANSWERED = "feedback_answered", _("Trả lời phản ánh, kiến nghị")
    APPOINTMENT_BOOKED = "appointment_booked", _("Đặt lịch hẹn")
    SURVEY_INVITATION = "survey_invitation", _("Mời tham gia khảo sát sự hài lòng")
    DUE_TOMORROW = "due_tomorrow", _("Hồ sơ đến hạn ngày làm việc tiếp theo")
    APOLOGY_DUE = "apology_due", _("Hạn cuối xin lỗi, hẹn lại")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    # A worker has claimed the message and is talking to the server right now (under a lease).
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    # Never sendable: the recipient cannot be valid (a landline for an SMS, a malformed address).
    FAILED = "failed", _("Gửi không thành công")
    # The dead letter: every allowed attempt failed; an administrator decides (resend or drop).
    DEAD = "dead", _("Hết lượt gửi, cần xử lý")
    # Handed to a server that may have taken it, and the answer never came back (a worker killed
    # mid-send, a timeout after the last byte): not sent again blind; an administrator checks.
    UNKNOWN = "unknown", _("Có thể đã gửi, chưa rõ kết quả")

    @classmethod
    def needs_attention(cls) -> list[str]:
        """What administrators are alerted to."""
        return [cls.DEAD, cls.UNKNOWN]


class AttemptOutcome(models.TextChoices):
    SENT = "sent", _("Thành công")
    ERROR = "error", _("Lỗi")
    # The worker died or lost its answer after handing the message over: possibly sent.
    UNKNOWN = "unknown", _("Không rõ kết quả")
