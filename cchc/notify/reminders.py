"""The morning run: each day at 07:00 the outbox runs the morning jobs the domains registered
(`cchc.notify.registry.register_morning_job`; the dossiers register their officers' reminders,
`cchc.dossiers.reminders.remind_officers`) and settles lost deliveries.

Each job is idempotent per day (its message keys carry the day). Two ways run them every
morning, and running both is harmless:

- the self-rescheduling job `daily_reminders`: each run first queues the next morning's run
  (07:00 Asia/Ho_Chi_Minh by default), keyed by day in `ReminderRun` so that the chain never
  forks; `manage.py send_reminders --schedule` starts it (idempotent: safe in every deploy);
- cron: `0 7 * * * manage.py send_reminders`.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cchc.lib.daily_jobs import claim_day, schedule_once
from cchc.notify.delivery import requeue_stale
from cchc.notify.models import ReminderRun
from cchc.notify.registry import MorningResult, morning_jobs

logger = logging.getLogger(__name__)

# Vietnam's one time zone (as `cchc.worktime.deadlines.TZ`, which notify may not import): the
# morning run is at 07:00 there whatever the server's clock says.
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def run_morning_jobs(now: dt.datetime) -> list[MorningResult]:
    """Every registered morning job, in registration order, as on the morning of `now`."""
    return [job(now) for job in morning_jobs()]


# -- the self-rescheduling morning job ------------------------------------------------------


def morning_of(day: dt.date) -> dt.datetime:
    hour = int(getattr(settings, "NOTIFY_REMINDER_HOUR", 7))
    return dt.datetime.combine(day, dt.time(hour), TZ)


def next_run_at(now: dt.datetime) -> dt.datetime:
    """The next reminder moment strictly after `now` (07:00 Vietnam time by default)."""
    today = now.astimezone(TZ).date()
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
        queued = sum(result.queued for result in run_morning_jobs(now))
        requeue_stale(now)
        run.finished_at = timezone.now()
        run.queued = queued
        run.save(update_fields=["finished_at", "queued"])
    return queued


@task()
def daily_reminders(day: str) -> int:
    """The morning job (see `run_daily`); `day` is the ISO date it was scheduled for."""
    return run_daily(dt.date.fromisoformat(day))
