from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cchc.reports import service_index


def _day(value: str) -> dt.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise CommandError(f"Ngày không hợp lệ: '{value}' (hãy viết ngày/tháng/năm).")


class Command(BaseCommand):
    help = (
        "Bring the service index's daily snapshot up to date (the days since the last sweep and "
        "those records changed on); --from/--to: count those days (a backfill after importing "
        "history); --check: compare the stored days with a count from the records; --schedule: "
        "start the job worker's self-rescheduling sweep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", help="first day, DD/MM/YYYY")
        parser.add_argument("--to", dest="end", help="last day, DD/MM/YYYY (default: today)")
        parser.add_argument(
            "--check", action="store_true", help="compare with the records; exit 1 on a difference"
        )
        parser.add_argument(
            "--schedule", action="store_true", help="queue the worker's periodic sweep"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            if service_index.schedule_sweep():
                self.stdout.write("Đã xếp lịch cập nhật chỉ số phục vụ định kỳ.")
            else:
                self.stdout.write(
                    "Hàng đợi công việc không hẹn giờ được: hãy chạy lệnh này bằng cron."
                )
            return
        today = timezone.localdate()
        end = _day(options["end"]) if options["end"] else today
        if options["start"]:
            start = _day(options["start"])
            if end < start:
                raise CommandError("Ngày kết thúc trước ngày bắt đầu.")
            result = service_index.backfill(start, end)
        else:
            result = service_index.sweep()
            start = service_index.state().since or today
        self.stdout.write(f"Đã tính {result.days} ngày, ghi {result.rows} dòng.")
        if options["check"]:
            differences = service_index.check(start, end)
            for day, unit, column, stored, counted in differences[:20]:
                self.stderr.write(f"{day:%d/%m/%Y} đơn vị {unit} {column}: {stored} ≠ {counted}")
            if differences:
                raise CommandError(
                    f"{len(differences)} số liệu trong bảng chỉ số khác số đếm lại từ hồ sơ."
                )
            self.stdout.write("Bảng chỉ số phục vụ khớp với số đếm lại từ hồ sơ.")
