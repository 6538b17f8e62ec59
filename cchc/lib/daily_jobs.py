"""Jobs that run once a day and queue their own next run (the officers' morning reminders, the
queue's nightly closing), on the durable database task backend.

Each such job keeps one row per day in its own `DailyRun` model: the row is created when the
day is scheduled, so however many times scheduling is asked for (every deploy, every `serve`),
a day is queued once and run once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class DailyRun(models.Model):
    """One day of a self-rescheduling daily job (the concrete models add what the day did)."""

    day = models.DateField(_("ngày"), unique=True)
    run_after = models.DateTimeField(_("chạy lúc"))
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"


Run = TypeVar("Run", bound=DailyRun)


def schedule_once(
    run_model: type[Run], job: Any, day: dt.date, run_after: dt.datetime
) -> Run | None:
    """Queue `job(day)` to run after `run_after`, unless `day` already has its row; returns the
    row, or None when the task backend cannot defer jobs (then cron must run them)."""
    if not job.get_backend().supports_defer:
        return None
    with transaction.atomic():
        run, created = run_model._default_manager.get_or_create(
            day=day, defaults={"run_after": run_after}
        )
        if created:
            result = job.using(run_after=run_after).enqueue(day.isoformat())
            run.task_id = str(result.id)[:64]
            run.save(update_fields=["task_id"])
    return run


def claim_day(run_model: type[Run], day: dt.date, now: dt.datetime) -> Run | None:
    """Mark `day`'s run as started, in the caller's transaction (the row stays locked until it
    ends); None if it had already started: a second copy of a day's job does nothing."""
    run, _created = run_model._default_manager.select_for_update().get_or_create(
        day=day, defaults={"run_after": now}
    )
    if run.started_at is not None:
        return None
    run.started_at = now
    run.save(update_fields=["started_at"])
    return run
