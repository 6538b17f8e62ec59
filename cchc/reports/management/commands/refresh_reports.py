from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.reports import aggregates


class Command(BaseCommand):
    help = (
        "Bring the report tables up to date: count the dossiers changed since the last sweep "
        "(--full: everything from scratch; --check: compare with a recount; --schedule: start "
        "the job worker's self-rescheduling sweep)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="recount every dossier")
        parser.add_argument(
            "--check", action="store_true", help="compare with a recount; exit 1 on a difference"
        )
        parser.add_argument(
            "--schedule", action="store_true", help="queue the worker's periodic sweep"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            if aggregates.schedule_sweep():
                self.stdout.write("Đã xếp lịch tổng hợp số liệu báo cáo định kỳ.")
            else:
                self.stdout.write(
                    "Hàng đợi công việc không hẹn giờ được: hãy chạy lệnh này bằng cron."
                )
            return
        if options["full"]:
            counted = aggregates.rebuild()
            self.stdout.write(f"Đã tổng hợp lại từ đầu {counted:,} hồ sơ.".replace(",", "."))
        else:
            result = aggregates.sweep()
            if result.rebuilt:
                self.stdout.write(
                    f"Đã tổng hợp lại từ đầu {result.looked_at:,} hồ sơ.".replace(",", ".")
                )
            else:
                self.stdout.write(
                    f"Đã xem {result.looked_at} hồ sơ thay đổi, {result.changed} hồ sơ được tính lại."
                )
        if options["check"]:
            differences = aggregates.check()
            if differences:
                raise CommandError(
                    f"Số liệu tổng hợp khác đếm lại: {len(differences.counted)} hồ sơ, "
                    f"{len(differences.day)} dòng ngày, "
                    f"{len(differences.month) + len(differences.month_field)} dòng tháng. "
                    "Chạy lại với --full."
                )
            self.stdout.write("Số liệu tổng hợp khớp với đếm lại từ đầu.")
