"""Names of the queue defined once: ticket and appointment statuses, the transition tables every
action checks (tickets, appointments), and the kinds of event their histories record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.workflow.table import TransitionTable


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Đang chờ")
    CALLED = "called", _("Đã gọi")
    SERVING = "serving", _("Đang phục vụ")
    DONE = "done", _("Đã xong")
    SKIPPED = "skipped", _("Bỏ qua (vắng mặt)")
    # Waiting again, but for one given counter (ticket.counter): another counter sent it there.
    TRANSFERRED = "transferred", _("Chuyển quầy")
    NO_SHOW = "no_show", _("Không đến")


# Statuses in which a counter is busy with the ticket: at most one per counter at a time.
AT_COUNTER = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
# Statuses still waiting for a counter (to be swept to no_show when the day closes).
OPEN_TICKET_STATUSES = frozenset(
    {TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SKIPPED, TicketStatus.TRANSFERRED}
)


class TicketAction(models.TextChoices):
    ISSUE = "issue", _("Lấy số")
    CALL = "call", _("Gọi số")
    RECALL = "recall", _("Gọi lại")
    SKIP = "skip", _("Bỏ qua")
    START = "start", _("Bắt đầu phục vụ")
    FINISH = "finish", _("Xong")
    TRANSFER = "transfer", _("Chuyển quầy")
    CLOSE = "close", _("Hết ngày, không đến")


# The one table of allowed moves: action → (statuses it starts from, status it leads to).
# Recall of a called ticket keeps it "called"; recall of a skipped one calls it again.
_MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    TicketAction.CALL: (
        frozenset({TicketStatus.WAITING, TicketStatus.TRANSFERRED}),
        TicketStatus.CALLED,
    ),
    TicketAction.RECALL: (
        frozenset({TicketStatus.CALLED, TicketStatus.SKIPPED}),
        TicketStatus.CALLED,
    ),
    TicketAction.SKIP: (frozenset({TicketStatus.CALLED}), TicketStatus.SKIPPED),
    TicketAction.START: (frozenset({TicketStatus.CALLED}), TicketStatus.SERVING),
    TicketAction.FINISH: (
        frozenset({TicketStatus.CALLED, TicketStatus.SERVING}),
        TicketStatus.DONE,
    ),
    TicketAction.TRANSFER: (
        frozenset({TicketStatus.CALLED, TicketStatus.SERVING}),
        TicketStatus.TRANSFERRED,
    ),
    TicketAction.CLOSE: (OPEN_TICKET_STATUSES, TicketStatus.NO_SHOW),
}
# No roles: the counter's doors let in its officers, the board and the kiosk.
TRANSITIONS = TransitionTable(_MOVES)


class PriorityReason(models.TextChoices):
    APPOINTMENT = "appointment", _("Có lịch hẹn")
    # Người cao tuổi, người khuyết tật, phụ nữ mang thai, người có công: priority by law,
    # declared at the kiosk and checked at the counter.
    PRIORITY_GROUP = "priority_group", _("Đối tượng ưu tiên")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Đã đặt")
    CANCELLED = "cancelled", _("Đã hủy")
    CHECKED_IN = "checked_in", _("Đã lấy số")
    EXPIRED = "expired", _("Quá hạn, không đến")


# Appointments that hold a place in their slot.
HOLDING_PLACE = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN})


class AppointmentAction(models.TextChoices):
    BOOK = "book", _("Đặt lịch")
    CANCEL = "cancel", _("Hủy lịch")
    CHECK_IN = "check_in", _("Lấy số")
    EXPIRE = "expire", _("Hết ngày hẹn, không đến")


# An appointment moves once, from booked to one of its three ends; nothing leaves an end, so a
# second cancel, a cancel after check-in or a check-in after cancelling is refused by the table.
# Booking creates the row: its event is recorded, it is no move of the table.
APPOINTMENT_TRANSITIONS = TransitionTable(
    {
        AppointmentAction.CANCEL: (
            frozenset({AppointmentStatus.BOOKED}),
            AppointmentStatus.CANCELLED,
        ),
        AppointmentAction.CHECK_IN: (
            frozenset({AppointmentStatus.BOOKED}),
            AppointmentStatus.CHECKED_IN,
        ),
        AppointmentAction.EXPIRE: (
            frozenset({AppointmentStatus.BOOKED}),
            AppointmentStatus.EXPIRED,
        ),
    }
)
