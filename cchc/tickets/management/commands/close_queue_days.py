"""Close the queue's past days: open tickets become "no show", unused appointments "expired"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.tickets.nightly import close_days, schedule_closing, today, yesterday


def parse_day(raw: str) -> dt.date:
    """DD/MM/YYYY as Vietnamese write it, or ISO YYYY-MM-DD."""
    text = raw.strip()
    vietnamese = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if vietnamese:
            d, m, y = (int(part) for part in vietnamese.groups())
            return dt.date(y, m, d)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--day must be DD/MM/YYYY or YYYY-MM-DD, got {raw!r}") from exc


class Command(BaseCommand):
    help = (
        "Close yesterday (Vietnam time) and every earlier day at every unit with a queue: open "
        "tickets become no-show, unused appointments expire. Idempotent: a second run changes "
        "nothing. With --schedule, only make sure the self-rescheduling nightly job is queued "
        "in the job worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--day",
            help="Close up to this day (DD/MM/YYYY or YYYY-MM-DD; before today) instead of "
            "yesterday.",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Only queue the next night's job (start the chain); close nothing now.",
        )

    def handle(self, *args: Any, day: str | None, schedule: bool, **options: Any) -> None:
        if schedule:
            run = schedule_closing()
            if run is None:
                raise CommandError("The task backend cannot defer jobs: run this command by cron.")
            self.stdout.write(
                f"Closing of {run.day:%d/%m/%Y} scheduled for {run.run_after.isoformat()}."
            )
            return
        chosen = parse_day(day) if day else yesterday()
        if chosen >= today():
            raise CommandError(
                f"{chosen:%d/%m/%Y} is not over yet in Vietnam: only past days can be closed."
            )
        result = close_days(chosen)
        self.stdout.write(
            f"Closed up to {chosen:%d/%m/%Y} at {result.units} units: {result.tickets} tickets "
            f"no-show, {result.appointments} appointments expired."
        )
        if result.failed:
            raise CommandError(f"Failed at units {', '.join(result.failed)}; see the log.")
