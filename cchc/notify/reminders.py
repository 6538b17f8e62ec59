"""Reminding officers: what falls due on the next working day, and the last day to apologise.

`remind_officers(now)` is the work, importable and idempotent per day (message keys carry the
day and the officer). Two ways run it every morning, and running both is harmless:

- the self-rescheduling job `daily_reminders`: each run first queues the next morning's run
  (07:00 Asia/Ho_Chi_Minh by default), keyed by day in `ReminderRun` so that the chain never
  forks; `manage.py send_reminders --schedule` starts it (idempotent: safe in every deploy);
- cron: `0 7 * * * manage.py send_reminders`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cchc.accounts.models import User
from cchc.dossiers import clock, rules
from cchc.dossiers.models import Dossier
from cchc.lib.daily_jobs import claim_day, schedule_once
from cchc.notify import texts
from cchc.notify.choices import Channel, Kind
from cchc.notify.delivery import requeue_stale
from cchc.notify.dispatch import queue_message
from cchc.notify.models import ReminderRun
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
            words = texts.for_officer(kind, dossiers, today)
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


# -- the self-rescheduling morning job ------------------------------------------------------


def morning_of(day: dt.date) -> dt.datetime:
    hour = int(getattr(settings, "NOTIFY_REMINDER_HOUR", 7))
    return dt.datetime.combine(day, dt.time(hour), TZ)


def next_run_at(now: dt.datetime) -> dt.datetime:
    """The next reminder moment strictly after `now` (07:00 Vietnam time by default)."""
    today = to_local(now).date()
    candidate = morning_of(today)
    return candidate if candidate > now else morning_of(today + dt.timedelta(days=1))


def schedule_reminders(now: dt.datetime | None = None) -> ReminderRun | None:
    """Make sure the next morning's run is queued; asking twice queues it once.

    Needs a backend that can defer jobs (the database backend); with another one it logs and
    returns None, and cron must run `send_reminders` instead.
    """
    run_after = next_run_at(now or timezone.now())
    run = schedule_once(ReminderRun, daily_reminders, run_after.date(), run_after)
    if run is None:
        logger.warning("notify: the task backend cannot defer jobs; schedule reminders by cron")
    return run


def run_daily(day: dt.date, now: dt.datetime | None = None) -> int:
    """One morning's run: queue tomorrow's first (so one failure never ends the chain), then
    remind. A second copy of the same day's job does nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        run = claim_day(ReminderRun, day, now)
        if run is None:
            logger.info("notify: reminders for %s already ran", day.isoformat())
            return 0
        # Never the same day again, even if this copy runs early (by hand, before 07:00).
        schedule_reminders(max(now, morning_of(day)))
    with transaction.atomic():
        result = remind_officers(now)
        requeue_stale(now)
        run.finished_at = timezone.now()
        run.queued = result.queued
        run.save(update_fields=["finished_at", "queued"])
    return result.queued


@task()
def daily_reminders(day: str) -> int:
    """The morning job (see `run_daily`); `day` is the ISO date it was scheduled for."""
    return run_daily(dt.date.fromisoformat(day))
