from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from cchc.ops.worker import Maintenance, OutageTolerantWorker


class Command(DbWorkerCommand):
    help = (
        "Run the job worker: django-tasks-db's db_worker that survives database outages, says it "
        "is alive and settles the deliveries of workers that died (cchc/ops/worker.py)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        worker = OutageTolerantWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=(
                options["exclude_queues"].split(",") if options["exclude_queues"] else []
            ),
        )
        maintenance = Maintenance()
        maintenance.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            maintenance.stop()
