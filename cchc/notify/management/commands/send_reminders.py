"""Run the morning jobs the domains registered with the outbox (today: remind officers of
dossiers due on the next working day); run every morning."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cchc.notify.reminders import morning_of, run_morning_jobs, schedule_reminders


class Command(BaseCommand):
    help = (
        "Queue today's reminder e-mails to officers (idempotent: a second run the same day "
        "queues nothing). With --schedule, also make sure the self-rescheduling morning job "
        "is queued in the job worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Remind as on the morning of this day (YYYY-MM-DD), to catch up a missed run.",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Only queue the next morning's job (start the chain); do not remind now.",
        )

    def handle(self, *args: Any, date: str | None, schedule: bool, **options: Any) -> None:
        if schedule:
            run = schedule_reminders()
            if run is None:
                raise CommandError("The task backend cannot defer jobs: run this command by cron.")
            self.stdout.write(f"Reminders scheduled for {run.run_after.isoformat()}.")
            return
        now = timezone.now()
        if date:
            try:
                now = morning_of(dt.date.fromisoformat(date))
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, got {date!r}") from exc
        for result in run_morning_jobs(now):
            self.stdout.write(result.summary())
