"""The job worker the deployment runs (`manage.py worker`): django-tasks-db's worker, plus

- **staying up through a database outage**: the library's worker exits on the first error
  that is not a lock (a PostgreSQL restart of a second made it exit and 292 messages waited);
  this one logs, waits with backoff (1 s doubling to 30 s) and carries on. Anything else still
  ends the process, and the supervisor (`manage.py serve`, systemd's `Restart=always`) starts a
  new one;
- **a maintenance thread**: every few seconds it says the worker is alive (the heartbeat
  /healthz and /metrics read) and settles the messages of workers that died mid-send
  (`cchc.notify.delivery.recover_lost`), so a lost claim is found within a minute.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Worker

from cchc.notify.delivery import describe, recover_lost
from cchc.ops import status

logger = logging.getLogger("cchc.ops.worker")

MAX_DELAY = 30.0
# A run that lasted this long before failing was healthy: the next failure starts again at 1 s.
HEALTHY_RUN = 60.0


class OutageTolerantWorker(Worker):
    def run(self) -> None:
        delay = 1.0
        while True:
            started = time.monotonic()
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not self.running:
                    return
                if time.monotonic() - started > HEALTHY_RUN:
                    delay = 1.0
                logger.warning(
                    "worker %s: database unavailable (%s); trying again in %.0f s",
                    self.worker_id,
                    describe(exc),
                    delay,
                )
                connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)


class Maintenance(threading.Thread):
    """Heartbeat and recovery of lost deliveries, beside the worker's loop (a long job does not
    stop them, and a worker stuck in one still counts as alive: its jobs are its own)."""

    def __init__(self, every: float | None = None) -> None:
        super().__init__(name="worker-maintenance", daemon=True)
        self.every = every or max(1, int(getattr(settings, "NOTIFY_SWEEP_SECONDS", 10)))
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.once()
            self.stopped.wait(self.every)
        connections.close_all()

    def once(self) -> None:
        try:
            status.beat()
            settled = recover_lost()
            if settled:
                logger.warning("worker: settled %s message(s) of a lost worker", settled)
        except Exception as exc:
            # The database may be away: the next round tries again.
            logger.warning("worker: maintenance skipped: %s", describe(exc))
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
