"""Closing the queue's past days every night: open tickets become "no show"
(`queue.close_day`), unused appointments "expired" (`appointments.expire_appointments`), at
every unit that runs a queue.

`close_days(day)` is the work, importable and idempotent: a second run finds nothing open and
changes nothing. It never touches today (Vietnam time) or a later day: today's numbers may still
be called. It closes everything up to `day`, so a missed night is caught up by the next one.
Two ways run it every night, and running both is harmless (as for the officers' reminders,
`cchc.notify.reminders`, whose mechanism this follows):

- the self-rescheduling job `nightly_close`: each run first queues the next night's run
  (01:00 Asia/Ho_Chi_Minh by default, `QUEUE_CLOSE_HOUR`), keyed by the day it closes in
  `DayCloseRun` so that the chain never forks; `manage.py close_queue_days --schedule` starts
  it (idempotent: safe in every deploy; `serve` does it);
- cron: `0 1 * * * manage.py close_queue_days` (closes yesterday).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cchc.lib.daily_jobs import claim_day, schedule_once
from cchc.tickets import appointments, queue
from cchc.tickets.choices import OPEN_TICKET_STATUSES, AppointmentStatus
from cchc.tickets.models import Appointment, Counter, DayCloseRun, Ticket
from cchc.units.models import Unit
from cchc.worktime.deadlines import TZ

logger = logging.getLogger(__name__)


@dataclass
class ClosedDays:
    day: dt.date
    units: int = 0
    tickets: int = 0
    appointments: int = 0
    failed: list[str] = field(default_factory=list)


def today(now: dt.datetime | None = None) -> dt.date:
    """The working calendar's day (Asia/Ho_Chi_Minh), whatever the server's time zone."""
    return timezone.localdate(now or timezone.now(), timezone=TZ)


def yesterday(now: dt.datetime | None = None) -> dt.date:
    return today(now) - dt.timedelta(days=1)


def queue_unit_ids(day: dt.date) -> list[int]:
    """Every unit with a counter (active or not), and any unit still holding an open ticket or
    a booked appointment up to `day` — retired (merged-away) units included: their leftovers
    are closed too."""
    ids: set[int] = set(Counter.objects.order_by().values_list("unit_id", flat=True).distinct())
    ids.update(
        Ticket.objects.filter(day__lte=day, status__in=OPEN_TICKET_STATUSES)
        .order_by()
        .values_list("unit_id", flat=True)
        .distinct()
    )
    ids.update(
        Appointment.objects.filter(date__lte=day, status=AppointmentStatus.BOOKED)
        .order_by()
        .values_list("unit_id", flat=True)
        .distinct()
    )
    return sorted(ids)


def close_days(day: dt.date, now: dt.datetime | None = None) -> ClosedDays:
    """Close `day` and every earlier day at every queue unit, one transaction per unit; a unit
    that fails is logged and reported, the others are still closed."""
    now = now or timezone.now()
    if day >= today(now):
        raise ValueError(f"{day.isoformat()} is not over yet in Vietnam; only past days close")
    result = ClosedDays(day)
    for unit in Unit.objects.filter(pk__in=queue_unit_ids(day)).order_by("pk"):
        try:
            with transaction.atomic():
                closed = queue.close_day(unit, day, at=now)
                expired = appointments.expire_appointments(unit, day, at=now)
        except Exception:
            logger.exception("tickets: closing %s at unit %s failed", day.isoformat(), unit.code)
            result.failed.append(unit.code)
            continue
        result.units += 1
        result.tickets += closed
        result.appointments += expired
    logger.info(
        "tickets: closed up to %s at %s units: %s tickets no-show, %s appointments expired",
        day.isoformat(),
        result.units,
        result.tickets,
        result.appointments,
    )
    return result


# -- the self-rescheduling nightly job ------------------------------------------------------


def close_moment(day: dt.date) -> dt.datetime:
    """When the job closing `day` runs: the following night (01:00 Vietnam time by default)."""
    hour = int(getattr(settings, "QUEUE_CLOSE_HOUR", 1))
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(hour), TZ)


def next_run_at(now: dt.datetime) -> dt.datetime:
    """The next closing moment strictly after `now`."""
    candidate = close_moment(yesterday(now))
    return candidate if candidate > now else close_moment(today(now))


def schedule_closing(now: dt.datetime | None = None) -> DayCloseRun | None:
    """Make sure the next night's run is queued; asking twice queues it once.

    Needs a backend that can defer jobs (the database backend); with another one it logs and
    returns None, and cron must run `close_queue_days` instead.
    """
    run_after = next_run_at(now or timezone.now())
    day = timezone.localdate(run_after, timezone=TZ) - dt.timedelta(days=1)
    run = schedule_once(DayCloseRun, nightly_close, day, run_after)
    if run is None:
        logger.warning("tickets: the task backend cannot defer jobs; close queue days by cron")
    return run


def run_nightly(day: dt.date, now: dt.datetime | None = None) -> ClosedDays | None:
    """One night's run: queue the next night's first (so one failure never ends the chain),
    then close. A second copy of the same day's job does nothing and returns None."""
    now = now or timezone.now()
    if day >= today(now):
        raise ValueError(f"{day.isoformat()} is not over yet in Vietnam; only past days close")
    with transaction.atomic():
        run = claim_day(DayCloseRun, day, now)
        if run is None:
            logger.info("tickets: closing %s already ran", day.isoformat())
            return None
        # Never the same day again, even if this copy runs early or late.
        schedule_closing(max(now, close_moment(day)))
    result = close_days(day, now)
    run.tickets_closed = result.tickets
    run.appointments_expired = result.appointments
    update = ["tickets_closed", "appointments_expired"]
    if not result.failed:
        run.finished_at = timezone.now()
        update.append("finished_at")
    run.save(update_fields=update)
    if result.failed:
        # The job shows as failed in the admin; the next night closes what is left.
        raise RuntimeError(f"closing {day.isoformat()} failed at units {', '.join(result.failed)}")
    return result


@task()
def nightly_close(day: str) -> int:
    """The nightly job (see `run_nightly`); `day` is the ISO date it closes. Returns the number
    of tickets it turned into "no show"."""
    result = run_nightly(dt.date.fromisoformat(day))
    return result.tickets if result else 0
