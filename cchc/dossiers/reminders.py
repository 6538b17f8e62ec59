"""Reminding officers every morning: what falls due on the next working day, and the last day to
apologise and reschedule.

`remind_officers(now)` is the work, importable and idempotent per day (message keys carry the
day and the officer). It is registered with the outbox's morning run
(`cchc.notify.registry.register_morning_job`, in `cchc/dossiers/apps.py`): the self-rescheduling
job `cchc.notify.reminders.daily_reminders` and `manage.py send_reminders` run it, and running
both is harmless.

Officers' digests list codes and procedures only: the applicant's name is one click away for
those allowed to see it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cchc.accounts.models import User
from cchc.dossiers import clock, rules
from cchc.dossiers.choices import Status
from cchc.dossiers.models import Dossier
from cchc.dossiers.notices import day_and_time
from cchc.notify.choices import Channel, Kind
from cchc.notify.dispatch import queue_message
from cchc.notify.texts import Texts
from cchc.units.choices import Role
from cchc.units.models import Membership
from cchc.worktime import deadlines
from cchc.worktime.deadlines import TZ, WorkCalendar, to_local
from cchc.worktime.snapshot import load_calendar

logger = logging.getLogger(__name__)

# The longest run of days off the calendar allows (Tết with its weekends) is well under a
# month: dossiers due later than this cannot be due on the next working day.
LOOKAHEAD = dt.timedelta(days=31)


@dataclass
class Reminders:
    due_tomorrow: int = 0
    apology_due: int = 0

    @property
    def queued(self) -> int:
        return self.due_tomorrow + self.apology_due

    def summary(self) -> str:
        # The line `manage.py send_reminders` prints (cchc.notify.registry.MorningResult).
        return f"{self.due_tomorrow} digests and {self.apology_due} apology warnings queued."


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, TZ)


class _Officers:
    """Who answers for a dossier: its assignee, else the leaders of its processing unit."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._leaders: dict[int, list[User]] = {}

    def of(self, dossier: Dossier) -> list[User]:
        if dossier.assignee is not None and dossier.assignee.is_active:
            return [dossier.assignee]
        unit_id = dossier.processing_unit_id
        if unit_id not in self._leaders:
            memberships = (
                Membership.objects.active(self.today)
                .filter(unit_id=unit_id, role=Role.LEADER, user__is_active=True)
                .select_related("user")
                .order_by("user_id")
            )
            self._leaders[unit_id] = [m.user for m in memberships]
        return self._leaders[unit_id]


def remind_officers(now: dt.datetime | None = None) -> Reminders:
    """Queue, for each responsible officer, one digest of the open dossiers due on the next
    working day and one warning listing those for which today is the last day to apologise and
    reschedule (not yet rescheduled). Nothing on a day that is not a working day of the unit:
    a dossier due on Monday is reminded on Friday. Running it twice a day queues nothing new."""
    now = now or timezone.now()
    today = to_local(now).date()
    calendars: dict[int, WorkCalendar] = {}
    officers = _Officers(today)
    users: dict[int, User] = {}
    due: dict[int, list[Dossier]] = defaultdict(list)
    apology: dict[int, list[Dossier]] = defaultdict(list)

    candidates = (
        # A stopped clock (waiting for a supplement; for payment where so configured) is not due.
        Dossier.objects.filter(clock.running_q())
        .filter(due_at__gte=_start_of(today + dt.timedelta(days=1)))
        .filter(due_at__lt=_start_of(today) + LOOKAHEAD)
        .select_related("processing_unit", "procedure_version", "assignee")
        .order_by("due_at", "id")
    )
    for dossier in candidates:
        assert dossier.due_at is not None
        unit = dossier.processing_unit
        calendar = calendars.get(unit.pk)
        if calendar is None:
            calendar = calendars[unit.pk] = load_calendar(unit)
        if not calendar.is_working_day(today):
            continue
        due_day = to_local(dossier.due_at).date()
        if not today < due_day <= calendar.next_working_day(today):
            continue
        responsible = officers.of(dossier)
        if not responsible:
            logger.warning("notify: dossier %s due soon has no responsible officer", dossier.pk)
        last_day = calendar.previous_working_day(due_day)
        warn = (
            dossier.reschedule_count < rules.max_reschedules()
            and last_day == today
            and deadlines.reschedule_refusal(
                dossier.due_at,
                now,
                calendar,
                times_rescheduled=dossier.reschedule_count,
                max_times=rules.max_reschedules(),
            )
            is None
        )
        for user in responsible:
            users[user.pk] = user
            due[user.pk].append(dossier)
            if warn:
                apology[user.pk].append(dossier)

    result = Reminders()
    for kind, by_user in ((Kind.DUE_TOMORROW, due), (Kind.APOLOGY_DUE, apology)):
        for user_id, dossiers in by_user.items():
            user = users[user_id]
            if not user.email:
                logger.warning("notify: officer %s has no e-mail address for %s", user.pk, kind)
                continue
            words = for_officer(kind, dossiers, today)
            message = queue_message(
                channel=Channel.EMAIL,
                kind=kind,
                recipient=user.email,
                subject=words.subject,
                body=words.body,
                key=f"reminder:{today.isoformat()}:{kind}:user:{user.pk}",
                user=user,
            )
            if message is not None:
                if kind == Kind.DUE_TOMORROW:
                    result.due_tomorrow += 1
                else:
                    result.apology_due += 1
    logger.info(
        "notify: reminders for %s: %s digests, %s apology warnings queued",
        today.isoformat(),
        result.due_tomorrow,
        result.apology_due,
    )
    return result


def for_officer(kind: str, dossiers: Sequence[Dossier], today: dt.date) -> Texts:
    """One digest e-mail to one officer: the dossiers due on the next working day, or those for
    which today is the last day to apologise and reschedule."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = "\n".join(
            _("- %(code)s · %(procedure)s · hạn %(due)s · %(status)s")
            % {
                "code": d.code,
                "procedure": d.procedure_version.name,
                "due": day_and_time(d.due_at) if d.due_at else "",
                "status": Status(d.status).label,
            }
            for d in dossiers
        )
        values = {"n": len(dossiers), "today": today.strftime("%d/%m/%Y")}
        if kind == Kind.DUE_TOMORROW:
            return Texts(
                subject=_("[CCHC] %(n)s hồ sơ đến hạn trả kết quả vào ngày làm việc tiếp theo")
                % values,
                body="\n\n".join(
                    [
                        _(
                            "Các hồ sơ sau do đồng chí phụ trách sẽ đến hạn trả kết quả vào ngày "
                            "làm việc tiếp theo:"
                        ),
                        lines,
                        _("Thư tự động của hệ thống CCHC, gửi ngày %(today)s.") % values,
                    ]
                ),
                sms="",
            )
        if kind == Kind.APOLOGY_DUE:
            return Texts(
                subject=_("[CCHC] Hôm nay là hạn cuối xin lỗi, hẹn lại cho %(n)s hồ sơ") % values,
                body="\n\n".join(
                    [
                        _(
                            "Các hồ sơ sau đến hạn vào ngày làm việc tiếp theo và chưa được hẹn "
                            "lại. Nếu không thể trả kết quả đúng hẹn, hôm nay (%(today)s) là ngày "
                            "cuối cùng được lập thư xin lỗi và hẹn lại ngày trả (Mẫu 04): chậm "
                            "nhất 01 ngày làm việc trước ngày hẹn trả."
                        )
                        % values,
                        lines,
                    ]
                ),
                sms="",
            )
    raise ValueError(f"no officer text for kind {kind!r}")
