"""/metrics: the processes' request counters and latencies (django-prometheus, shared across
gunicorn workers by prometheus_client's multiprocess mode) and gauges read from the database at
scrape time: the job queue, the messages, delivery failures, overdue dossiers per unit.

Reading at scrape time keeps the numbers true for every node and worker at once, whatever
process did the work; each read is one indexed aggregate (partial indexes on the few rows that
are not settled), so a scrape every 15 s costs little.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from django.db import DatabaseError
from django.db.models import Count
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from cchc.dossiers import clock
from cchc.dossiers.models import Dossier
from cchc.notify.choices import AttemptOutcome
from cchc.notify.models import DeliveryAttempt
from cchc.ops import status

logger = logging.getLogger(__name__)


class DatabaseCollector:
    """Gauges and counters computed from the database when scraped."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        up = GaugeMetricFamily("cchc_database_up", "1 if the database answered this scrape.")
        try:
            metrics = list(self._from_database(now))
        except DatabaseError as exc:
            logger.warning("ops: metrics without the database: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
        else:
            up.add_metric([], 1)
            yield up
            yield from metrics
        try:
            age = status.heartbeat_age()
        except Exception:  # the shared cache may live in the database that is away
            age = None
        heartbeat = GaugeMetricFamily(
            "cchc_worker_heartbeat_age_seconds",
            "Seconds since a job worker last said it was alive (-1: never).",
        )
        heartbeat.add_metric([], -1 if age is None else age)
        yield heartbeat

    def _from_database(self, now: object) -> Iterator[Metric]:
        queue = status.queue()
        for name, doc, value in (
            ("cchc_queue_ready_jobs", "Jobs due now and waiting for a worker.", queue.ready),
            (
                "cchc_queue_oldest_ready_age_seconds",
                "How long the oldest due job has waited.",
                queue.oldest_ready_age,
            ),
            ("cchc_queue_running_jobs", "Jobs a worker is running.", queue.running),
            (
                "cchc_queue_oldest_running_age_seconds",
                "How long the oldest running job has run.",
                queue.oldest_running_age,
            ),
            ("cchc_queue_deferred_jobs", "Jobs waiting for a later time.", queue.deferred),
        ):
            gauge = GaugeMetricFamily(name, doc)
            gauge.add_metric([], value)
            yield gauge

        messages = status.messages()
        by_status = GaugeMetricFamily(
            "cchc_notify_messages",
            "Messages not settled: queued, sending, dead letters, possibly sent.",
            labels=["status"],
        )
        for key in ("queued", "sending", "dead", "unknown"):
            by_status.add_metric([key], messages[key])
        yield by_status
        oldest = GaugeMetricFamily(
            "cchc_notify_oldest_queued_age_seconds", "How long the oldest due message has waited."
        )
        oldest.add_metric([], messages["oldest_queued_age"])
        yield oldest

        failures = CounterMetricFamily(
            "cchc_notify_delivery_failures",
            "Delivery attempts that failed or whose outcome is unknown, since the start.",
            labels=["channel", "outcome"],
        )
        rows = (
            DeliveryAttempt.objects.exclude(outcome=AttemptOutcome.SENT)
            .values_list("message__channel", "outcome")
            .annotate(n=Count("id"))
        )
        for channel, outcome, n in rows:
            failures.add_metric([channel, outcome], n)
        yield failures

        overdue = GaugeMetricFamily(
            "cchc_dossiers_overdue",
            "Open dossiers past their due moment with the clock running, by processing unit.",
            labels=["unit"],
        )
        per_unit = (
            Dossier.objects.filter(clock.overdue_q(timezone.now()))
            .values_list("processing_unit__code")
            .annotate(n=Count("id"))
            .order_by()
        )
        for unit, n in per_unit:
            overdue.add_metric([unit], n)
        yield overdue


def exposition() -> bytes:
    """The text Prometheus scrapes."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes, path=path)
    else:
        processes = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return generate_latest(processes) + generate_latest(database)
