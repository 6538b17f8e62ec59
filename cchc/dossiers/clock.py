"""One definition of where a dossier stands against its legal clock, asked by the worklists, the
morning reminders, the dossier page, the tracking page and (next) the reports.

The clock runs from receipt (or from the return of a complete supplement) to the due moment. It
is stopped while the dossier waits for the citizen's supplement (ND 61 Art. 19(4): the time then
counts again from zero), and while it waits for fees or taxes where the deployment says so
(`rules.payment_stops_clock`, UNVERIFIED, default: it runs). A stopped clock is neither due soon
nor overdue, anywhere (CALENDAR.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.dossiers import rules
from cchc.dossiers.choices import OPEN_STATUSES, PRE_RECEIPT_STATUSES, Status
from cchc.worktime import deadlines
from cchc.worktime.deadlines import WorkCalendar
from cchc.worktime.snapshot import load_calendar


class ClockState(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa tiếp nhận")
    WITHIN_TIME = "within_time", _("Trong hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    WAITING_SUPPLEMENT = (
        "waiting_supplement",
        _("Đang chờ bổ sung — thời hạn tính lại khi nhận đủ"),
    )
    WAITING_PAYMENT = (
        "waiting_payment",
        _("Đang chờ thực hiện nghĩa vụ tài chính — thời hạn tạm dừng"),
    )
    FINISHED = "finished", _("Đã kết thúc")


def stopped_statuses() -> frozenset[str]:
    stopped: set[str] = {Status.SUPPLEMENT}
    if rules.payment_stops_clock():
        stopped.add(Status.PAYMENT)
    return frozenset(stopped)


def running_statuses() -> frozenset[str]:
    return frozenset(str(s) for s in OPEN_STATUSES) - stopped_statuses()


def running_q() -> Q:
    # Sorted, so that the SQL is the same on every call (and the partial index on the open
    # statuses is implied by it).
    return Q(status__in=sorted(running_statuses()))


def end_of_working_day(
    now: dt.datetime, n: int, calendar: WorkCalendar | None = None
) -> dt.datetime:
    """End of office hours of the n-th working day from today (n = 0: today, or the next one)."""
    calendar = calendar or load_calendar()
    today = timezone.localdate(now)
    day = today if calendar.is_working_day(today) else calendar.next_working_day(today)
    if n:
        day = calendar.add_working_days(day, n)
    return calendar.closing(day)


def overdue_q(now: dt.datetime) -> Q:
    """Open, clock running, past the due moment."""
    return running_q() & Q(due_at__lt=now)


def due_within_q(now: dt.datetime, days: int) -> Q:
    """Open, clock running, due by the end of the `days`-th working day (1: today)."""
    return running_q() & Q(due_at__gte=now, due_at__lte=end_of_working_day(now, days - 1))


# How soon "due soon" is on a page: within the working day (the worklists' "due in 1 day").
DUE_SOON_DAYS = 1


@dataclass(frozen=True)
class Clock:
    state: ClockState
    # Working time left (negative once overdue), in working days of 8 hours; None when stopped.
    remaining_days: Decimal | None = None

    @property
    def label(self) -> str:
        return str(self.state.label)

    @property
    def is_stopped(self) -> bool:
        return self.state in (ClockState.WAITING_SUPPLEMENT, ClockState.WAITING_PAYMENT)

    @property
    def is_overdue(self) -> bool:
        return self.state == ClockState.OVERDUE


def clock_of(dossier: Any, now: dt.datetime | None = None) -> Clock:
    """Where this dossier stands now; the same answer the lists give for it."""
    now = now or timezone.now()
    status = dossier.status
    if status in PRE_RECEIPT_STATUSES:
        return Clock(ClockState.NOT_STARTED)
    if status not in OPEN_STATUSES or dossier.due_at is None:
        return Clock(ClockState.FINISHED)
    if status in stopped_statuses():
        if status == Status.SUPPLEMENT:
            return Clock(ClockState.WAITING_SUPPLEMENT)
        return Clock(ClockState.WAITING_PAYMENT)
    calendar = load_calendar(dossier.processing_unit)
    remaining = deadlines.in_working_days(
        deadlines.working_time_remaining(dossier.due_at, now, calendar)
    )
    if dossier.due_at < now:
        return Clock(ClockState.OVERDUE, remaining)
    # The national calendar bounds "due soon", as in the worklists (which span many units).
    if dossier.due_at <= end_of_working_day(now, DUE_SOON_DAYS - 1):
        return Clock(ClockState.DUE_SOON, remaining)
    return Clock(ClockState.WITHIN_TIME, remaining)


def clock_note(dossier: Any) -> str:
    """What a page says instead of a due date while the clock stands still ("" when it runs)."""
    if dossier.status == Status.SUPPLEMENT:
        return str(ClockState.WAITING_SUPPLEMENT.label)
    if dossier.status == Status.PAYMENT and rules.payment_stops_clock():
        return str(ClockState.WAITING_PAYMENT.label)
    return ""
