from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.reports.generator import Plan, generate, generated_before


class Command(BaseCommand):
    help = (
        "Generate a realistic province for demos and benchmarks: communes, dossiers over the "
        "last years with their outcomes, ratings, PAKN, then the report tables "
        "(cchc/reports/generator.py says what they look like)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, default=100_000, help="how many (100000)")
        parser.add_argument("--years", type=int, default=5, help="over how many years (5)")
        parser.add_argument(
            "--communes",
            type=int,
            help="communes in the province (default: about 10,000 dossiers each a year)",
        )
        parser.add_argument("--end", help="last day with receipts, YYYY-MM-DD (today)")
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument(
            "--once",
            action="store_true",
            help="do nothing if dossiers generated earlier are there (`make run` uses it)",
        )
        parser.add_argument(
            "--defer-indexes",
            action="store_true",
            help="PostgreSQL: drop the dossier indexes during the load, create them after "
            "(faster for millions of rows; the tables are unindexed meanwhile)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["dossiers"] <= 50_000_000:
            raise CommandError("--dossiers phải từ 1 đến 50.000.000.")
        if not 1 <= options["years"] <= 10:
            raise CommandError("--years phải từ 1 đến 10.")
        if options["once"] and generated_before():
            self.stdout.write("Dữ liệu mẫu đã được sinh trước đây: không sinh thêm.")
            return
        end = dt.date.fromisoformat(options["end"]) if options["end"] else None
        plan = Plan(
            dossiers=options["dossiers"],
            years=options["years"],
            end=end,
            communes=options["communes"],
            seed=options["seed"],
            defer_indexes=options["defer_indexes"],
        )
        verbose = options["verbosity"] > 1
        result = generate(plan, progress=self.stdout.write if verbose else None)
        self.stdout.write(
            f"{result.dossiers:,} hồ sơ, {result.ratings:,} đánh giá, {result.feedback:,} PAKN "
            f"ở {result.communes} xã, phường trong {result.generate_seconds:.1f} s "
            f"({result.rows_per_second:,.0f} dòng/giây; tạo lại chỉ mục {result.index_seconds:.1f} s); "
            f"bảng tổng hợp báo cáo: {result.aggregate_seconds:.1f} s."
        )
