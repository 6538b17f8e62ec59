"""What /healthz and /metrics report, read from the database with a few indexed queries."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from cchc.notify.choices import MessageStatus
from cchc.notify.models import Message

HEARTBEAT_KEY = "ops:worker:heartbeat"


def beat() -> None:
    """A job worker says it is alive (`manage.py worker`, every few seconds). One key in the
    shared cache: alive means at least one worker, wherever it runs."""
    caches["default"].set(HEARTBEAT_KEY, time.time(), timeout=86400)


def heartbeat_age() -> float | None:
    """Seconds since any job worker last said it was alive; None if none ever did."""
    last = caches["default"].get(HEARTBEAT_KEY)
    return None if last is None else max(0.0, time.time() - float(last))


@dataclass
class Queue:
    ready: int
    oldest_ready_age: float
    running: int
    oldest_running_age: float
    deferred: int


def _age(now: dt.datetime, moment: dt.datetime | None) -> float:
    return max(0.0, (now - moment).total_seconds()) if moment else 0.0


def queue(now: dt.datetime | None = None) -> Queue:
    """Jobs waiting for a worker (due now), running, and deferred (retries, daily jobs).

    A job with no run_after is stored with the far-future sentinel and is due since it was
    enqueued; the others since their run_after."""
    now = now or timezone.now()
    never = get_date_max()
    waiting = DBTaskResult.objects.filter(status="READY")
    due = waiting.aggregate(
        plain=Count("id", filter=Q(run_after=never)),
        plain_since=Min("enqueued_at", filter=Q(run_after=never)),
        timed=Count("id", filter=Q(run_after__lte=now)),
        timed_since=Min("run_after", filter=Q(run_after__lte=now)),
        deferred=Count("id", filter=Q(run_after__gt=now) & ~Q(run_after=never)),
    )
    running = DBTaskResult.objects.filter(status="RUNNING").aggregate(
        n=Count("id"), since=Min("started_at")
    )
    return Queue(
        ready=due["plain"] + due["timed"],
        oldest_ready_age=max(_age(now, due["plain_since"]), _age(now, due["timed_since"])),
        running=running["n"],
        oldest_running_age=_age(now, running["since"]),
        deferred=due["deferred"],
    )


def messages(now: dt.datetime | None = None) -> dict[str, float]:
    """Messages not settled (partial indexes keep these cheap) and the oldest one waiting."""
    now = now or timezone.now()
    counts = dict(
        Message.objects.filter(
            status__in=[
                MessageStatus.QUEUED,
                MessageStatus.SENDING,
                *MessageStatus.needs_attention(),
            ]
        )
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    oldest = Message.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        status=MessageStatus.QUEUED,
    ).aggregate(since=Min("created_at"))["since"]
    result: dict[str, float] = {
        status: float(counts.get(status, 0))
        for status in (
            MessageStatus.QUEUED,
            MessageStatus.SENDING,
            MessageStatus.DEAD,
            MessageStatus.UNKNOWN,
        )
    }
    result["oldest_queued_age"] = _age(now, oldest)
    return result
