"""Jobs that run once a day and queue their own next run (the officers' morning reminders, the
queue's nightly closing), on the durable database task backend.

Each such job keeps one row per day in its own model (`day` unique, `run_after`, `task_id`,
`started_at`): the row is created when the day is scheduled, so however many times scheduling
is asked for (every deploy, every `serve`), a day is queued once and run once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction


def schedule_once(run_model: Any, job: Any, day: dt.date, run_after: dt.datetime) -> Any | None:
    """Queue `job(day)` to run after `run_after`, unless `day` already has its row; returns the
    row, or None when the task backend cannot defer jobs (then cron must run them)."""
    if not job.get_backend().supports_defer:
        return None
    with transaction.atomic():
        run, created = run_model.objects.get_or_create(day=day, defaults={"run_after": run_after})
        if created:
            result = job.using(run_after=run_after).enqueue(day.isoformat())
            run.task_id = str(result.id)[:64]
            run.save(update_fields=["task_id"])
    return run


def claim_day(run_model: Any, day: dt.date, now: dt.datetime) -> Any | None:
    """Mark `day`'s run as started, in the caller's transaction (the row stays locked until it
    ends); None if it had already started: a second copy of a day's job does nothing."""
    run, _created = run_model.objects.select_for_update().get_or_create(
        day=day, defaults={"run_after": now}
    )
    if run.started_at is not None:
        return None
    run.started_at = now
    run.save(update_fields=["started_at"])
    return run
