"""Names defined once: statuses (with their national codes), channels, outcomes, and the one
transition table every action checks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.units.choices import Role
from cchc.workflow.table import Rule, TransitionTable


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Mới đăng ký")
    INCOMPLETE = "incomplete", _("Chờ công dân hoàn thiện hồ sơ")
    RECEIVED = "received", _("Được tiếp nhận")
    REFUSED = "refused", _("Không được tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung giấy tờ")
    PAYMENT = "payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = "withdrawn", _("Công dân yêu cầu rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")
    RESOLVED = "resolved", _("Đã xử lý xong")
    RETURNED = "returned", _("Đã trả kết quả")


# REFERENCE §1.5: the status numbers synchronised to the national portal. A dossier sent back
# for completion before receipt is still "waiting for receipt" (1) there.
NATIONAL_CODE: dict[str, int] = {
    Status.SUBMITTED: 1,
    Status.INCOMPLETE: 1,
    Status.RECEIVED: 2,
    Status.REFUSED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT: 5,
    Status.PAYMENT: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.RESOLVED: 9,
    Status.RETURNED: 10,
}
STATUS_BY_NATIONAL_CODE = {
    code: status for status, code in NATIONAL_CODE.items() if status != Status.INCOMPLETE
}

# Statuses in which the legal clock runs or is merely paused: the dossier is "in progress".
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT})
# Not yet received: no code... no clock.
PRE_RECEIPT_STATUSES = frozenset({Status.SUBMITTED, Status.INCOMPLETE})
FINAL_STATUSES = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp")
    POSTAL = "postal", _("Bưu chính công ích")
    ONLINE_FULL = "online_full", _("Trực tuyến toàn trình")
    ONLINE_PARTIAL = "online_partial", _("Trực tuyến một phần")

    @classmethod
    def online(cls) -> frozenset[str]:
        return frozenset({cls.ONLINE_FULL, cls.ONLINE_PARTIAL})


class ReturnMethod(models.TextChoices):
    COUNTER = "counter", _("Tại bộ phận một cửa")
    POSTAL = "postal", _("Qua bưu chính công ích")
    ONLINE = "online", _("Trực tuyến")


class PaymentMethod(models.TextChoices):
    """How fees and taxes are paid (ND 61 Art. 22); online payment is counted by QĐ 766."""

    CASH = "cash", _("Tiền mặt tại bộ phận một cửa")
    BANK_TRANSFER = "bank_transfer", _("Chuyển khoản")
    ONLINE = "online", _("Thanh toán trực tuyến")
    POSTAL = "postal", _("Qua bưu chính công ích")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức")


class EndType(models.TextChoices):
    """How a dossier left processing."""

    RESOLVED = "resolved", _("Giải quyết")
    REFUSED = "refused", _("Từ chối giải quyết")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")


class Action(models.TextChoices):
    SUBMIT = "submit", _("Nộp trực tuyến")
    RECEIVE = "receive", _("Tiếp nhận")
    ASK_COMPLETION = "ask_completion", _("Hướng dẫn hoàn thiện hồ sơ (Mẫu 02)")
    RESUBMIT = "resubmit", _("Nộp lại hồ sơ đã hoàn thiện")
    REFUSE_RECEIPT = "refuse_receipt", _("Từ chối tiếp nhận (Mẫu 03)")
    HAND_OVER = "hand_over", _("Chuyển bước xử lý")
    SEND_BACK = "send_back", _("Trả lại bước trước để xử lý lại")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung (Mẫu 02)")
    SUPPLEMENT_RECEIVED = "supplement_received", _("Nhận hồ sơ bổ sung")
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu nghĩa vụ tài chính")
    RECORD_PAYMENT = "record_payment", _("Ghi nhận đã nộp phí, thuế")
    RESCHEDULE = "reschedule", _("Xin lỗi và hẹn lại ngày trả (Mẫu 04)")
    EXTEND = "extend", _("Áp dụng thời hạn giải quyết kéo dài theo quy định")
    REFUSE = "refuse", _("Từ chối giải quyết (Mẫu 03)")
    RESOLVE = "resolve", _("Có kết quả")
    WITHDRAW = "withdraw", _("Công dân rút hồ sơ")
    STOP = "stop", _("Dừng xử lý")
    RETURN_RESULT = "return_result", _("Trả kết quả")
    ATTACH = "attach", _("Thêm giấy tờ")
    RECOMPUTE_DUE = "recompute_due", _("Tính lại hạn do lịch làm việc thay đổi")
    NOTE = "note", _("Ghi chú")


_OPEN = OPEN_STATUSES
# The one transition table: action → (statuses it may start from, status it leads to).
# `None` as the target keeps the status (a hand-over, a rescheduling, a note).
_MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    Action.RECEIVE: (frozenset({Status.SUBMITTED}), Status.RECEIVED),
    Action.ASK_COMPLETION: (frozenset({Status.SUBMITTED}), Status.INCOMPLETE),
    Action.RESUBMIT: (frozenset({Status.INCOMPLETE}), Status.SUBMITTED),
    Action.REFUSE_RECEIPT: (frozenset({Status.SUBMITTED, Status.INCOMPLETE}), Status.REFUSED),
    Action.HAND_OVER: (frozenset({Status.RECEIVED, Status.PROCESSING}), Status.PROCESSING),
    # The leader sends the work back to the step before (the specialist): still processing.
    Action.SEND_BACK: (frozenset({Status.PROCESSING}), None),
    Action.REQUEST_SUPPLEMENT: (frozenset({Status.RECEIVED, Status.PROCESSING}), Status.SUPPLEMENT),
    Action.SUPPLEMENT_RECEIVED: (frozenset({Status.SUPPLEMENT}), Status.PROCESSING),
    Action.REQUEST_PAYMENT: (frozenset({Status.RECEIVED, Status.PROCESSING}), Status.PAYMENT),
    # A partial payment keeps the dossier waiting; the payment completing the amount moves it on
    # (`record_payment` names the status it leads to).
    Action.RECORD_PAYMENT: (frozenset({Status.PAYMENT}), Status.PROCESSING),
    Action.RESCHEDULE: (frozenset({Status.RECEIVED, Status.PROCESSING, Status.PAYMENT}), None),
    Action.EXTEND: (frozenset({Status.RECEIVED, Status.PROCESSING}), None),
    Action.REFUSE: (frozenset({Status.RECEIVED, Status.PROCESSING}), Status.RESOLVED),
    Action.RESOLVE: (frozenset({Status.RECEIVED, Status.PROCESSING}), Status.RESOLVED),
    Action.WITHDRAW: (_OPEN | {Status.SUBMITTED, Status.INCOMPLETE}, Status.WITHDRAWN),
    Action.STOP: (_OPEN, Status.STOPPED),
    Action.RETURN_RESULT: (frozenset({Status.RESOLVED}), Status.RETURNED),
    Action.ATTACH: (frozenset(Status.values) - FINAL_STATUSES, None),
    Action.NOTE: (frozenset(Status.values), None),
}

# Who may do what, and on which side (the receiving or the processing unit): the roles the
# one transition table checks (`cchc.workflow`). A citizen's own acts (online submission,
# resubmission) have no rule: they come through the portal, not a staff role.
RECEIPT_SIDE = "receiving"
PROCESSING_SIDE = "processing"

ACTION_RULES: dict[str, Rule] = {
    Action.RECEIVE: Rule(RECEIPT_SIDE, frozenset({Role.RECEPTION})),
    Action.ASK_COMPLETION: Rule(RECEIPT_SIDE, frozenset({Role.RECEPTION})),
    Action.REFUSE_RECEIPT: Rule(RECEIPT_SIDE, frozenset({Role.RECEPTION})),
    Action.HAND_OVER: Rule(
        PROCESSING_SIDE, frozenset({Role.RECEPTION, Role.SPECIALIST, Role.LEADER})
    ),
    Action.SEND_BACK: Rule(PROCESSING_SIDE, frozenset({Role.LEADER})),
    Action.REQUEST_SUPPLEMENT: Rule(
        PROCESSING_SIDE, frozenset({Role.RECEPTION, Role.SPECIALIST, Role.LEADER})
    ),
    Action.SUPPLEMENT_RECEIVED: Rule(RECEIPT_SIDE, frozenset({Role.RECEPTION})),
    Action.REQUEST_PAYMENT: Rule(PROCESSING_SIDE, frozenset({Role.RECEPTION, Role.SPECIALIST})),
    Action.RECORD_PAYMENT: Rule(RECEIPT_SIDE, frozenset({Role.RECEPTION})),
    Action.RESCHEDULE: Rule(PROCESSING_SIDE, frozenset({Role.SPECIALIST, Role.LEADER})),
    Action.EXTEND: Rule(PROCESSING_SIDE, frozenset({Role.SPECIALIST, Role.LEADER})),
    Action.REFUSE: Rule(PROCESSING_SIDE, frozenset({Role.LEADER})),
    Action.RESOLVE: Rule(PROCESSING_SIDE, frozenset({Role.SPECIALIST, Role.LEADER})),
    Action.WITHDRAW: Rule(RECEIPT_SIDE, frozenset({Role.RECEPTION})),
    Action.STOP: Rule(PROCESSING_SIDE, frozenset({Role.LEADER})),
    Action.RETURN_RESULT: Rule(RECEIPT_SIDE, frozenset({Role.RECEPTION})),
    Action.ATTACH: Rule(PROCESSING_SIDE, frozenset({Role.RECEPTION, Role.SPECIALIST, Role.LEADER})),
    Action.NOTE: Rule(PROCESSING_SIDE, frozenset({Role.RECEPTION, Role.SPECIALIST, Role.LEADER})),
}

TRANSITIONS = TransitionTable(_MOVES, ACTION_RULES)


def target_status(action: str, current: str) -> str | None:
    """The status `action` leads to from `current`, or None if the move is not allowed."""
    return TRANSITIONS.target(action, current)
