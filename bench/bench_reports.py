"""The Biểu 06 report at province scale vs one sequential scan of the dossiers:
`python bench/bench_reports.py [--dossiers 10000000]`.

1. Creates the database `cchc_bench_reports` (dropped first if it exists; `--reuse` keeps one
   already generated), migrates it, loads the demo, and generates N dossiers over 5 years for the
   province with `generate_demo`'s generator (`cchc/reports/generator.py`: about 10,000 dossiers
   a commune a year, so 10,000,000 make 200 communes), its indexes deferred (dropped during the
   load, created after); then VACUUM ANALYZE. Prints the generator's rows per second, the time to
   create the indexes again and to build the report tables.
2. Times, each repeated (`--repeat`, warm, median and worst reported), server side (the Python
   call the endpoint makes, from the request's parameters to the finished `ResolutionReport`):
   - the Biểu 06 table for the whole province (unit 38 and its subtree), by field, for the last
     complete calendar year (the target case), and the same through the API as the province's
     supervisor (`giamsat.tinh`, session) with the JSON answer;
   - the same year by level and field (the form's layout) and by procedure;
   - a year starting mid-month (15th to 14th: every ragged end read from the day table);
   - the year to date (the period reaches today: the open dossiers are counted live);
   - one commune for the last year.
3. Times one sequential scan of the dossier table on the same database: `SELECT count(*)` with
   index scans turned off (EXPLAIN shows the plan), PostgreSQL's parallel workers allowed as
   configured; the same repeated, median. Prints both times and the ratio (target < 0.2), and
   how many aggregate rows the province's year read.
4. With at most 200,000 dossiers, also checks the report tables against a recount from scratch.

Options: --dossiers N (default 1,000,000), --repeat R (default 7), --reuse, --keep,
--database NAME (default cchc_bench_reports; another name lets a second run go beside one that
uses the default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import database_url, drop_database, recreate_database, setup_django, table

DB_NAME = "cchc_bench_reports"
TARGET_RATIO = 0.2


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def timed(fn: Any, repeat: int) -> tuple[list[float], Any]:
    """Milliseconds of each call (the first one warms the caches and is not counted)."""
    result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times, result


def seq_scan(repeat: int) -> tuple[list[float], str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET enable_indexscan = off")
        cursor.execute("SET enable_indexonlyscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("EXPLAIN SELECT count(*) FROM dossiers_dossier")
        plan = "\n".join(row[0] for row in cursor.fetchall())

        def scan() -> int:
            cursor.execute("SELECT count(*) FROM dossiers_dossier")
            return int(cursor.fetchone()[0])

        times, _count = timed(scan, repeat)
        cursor.execute("RESET enable_indexscan")
        cursor.execute("RESET enable_indexonlyscan")
        cursor.execute("RESET enable_bitmapscan")
    return times, plan


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each case")
    parser.add_argument("--reuse", action="store_true", help="keep a database already generated")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--database", default=DB_NAME, help=f"the database to create or reuse (default {DB_NAME})"
    )
    args = parser.parse_args()
    db_name = args.database

    if args.reuse:
        url = database_url(db_name)
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    else:
        log(f"database {db_name}: create, migrate, load_demo")
        url = recreate_database(db_name)
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", no_dossiers=True, stdout=io.StringIO())
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from cchc.accounts.models import User
    from cchc.dossiers.models import Dossier
    from cchc.reports import aggregates
    from cchc.reports.generator import Plan, generate
    from cchc.reports.models import ResolutionDay, ResolutionMonth, ResolutionMonthField
    from cchc.reports.resolution import resolution
    from cchc.units.models import Unit

    generated = Dossier.objects.count()
    if not args.reuse or generated == 0:
        log(f"generating {args.dossiers:,} dossiers over 5 years")
        result = generate(
            Plan(dossiers=args.dossiers, years=5, defer_indexes=True),
            # Each January's line, and the last ones.
            progress=lambda m: log(m) if m[4:8] == "-01:" or not m[:4].isdigit() else None,
        )
        log(
            f"generated {result.dossiers:,} dossiers, {result.ratings:,} ratings, "
            f"{result.feedback:,} PAKN in {result.communes} communes: "
            f"{result.generate_seconds:.0f} s, {result.rows_per_second:,.0f} rows/s "
            f"(of which creating the indexes again {result.index_seconds:.0f} s); "
            f"report tables {result.aggregate_seconds:.0f} s"
        )
        old = connection.connection.autocommit
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            log("VACUUM ANALYZE")
            cursor.execute("VACUUM ANALYZE")
        connection.connection.autocommit = old
    aggregates.sweep()
    total = Dossier.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('dossiers_dossier'))")
        size = cursor.fetchone()[0]
    day_rows, month_rows = ResolutionDay.objects.count(), ResolutionMonth.objects.count()
    field_rows = ResolutionMonthField.objects.count()
    log(
        f"{total:,} dossiers ({size} with indexes); {day_rows:,} day rows, {month_rows:,} month "
        f"rows, {field_rows:,} month rows without the procedure"
    )

    province = Unit.objects.current().get(code="38")
    today = timezone.localdate()
    year = today.year - 1
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    commune = Unit.objects.current().filter(code="16300").first() or province
    supervisor = User.objects.get(username="giamsat.tinh")
    client = Client()
    client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    api = f"/api/v1/reports/resolution?unit=38&subtree=1&from={start}&to={end}"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    def api_call() -> Any:
        answer = client.get(api)
        assert answer.status_code == 200, answer.content[:300]
        return answer.json()

    cases = [
        (
            "province, year, by field (target)",
            lambda: resolution(province, start, end, subtree=True),
        ),
        ("the same through the API (JSON)", api_call),
        (
            "province, year, by level and field",
            lambda: resolution(province, start, end, subtree=True, group=("level", "field")),
        ),
        (
            "province, year, by procedure",
            lambda: resolution(province, start, end, subtree=True, group=("procedure",)),
        ),
        (
            "province, 15/03 to 14/03 (ragged ends)",
            lambda: resolution(
                province, dt.date(year - 1, 3, 15), dt.date(year, 3, 14), subtree=True
            ),
        ),
        (
            "province, year to date (live)",
            lambda: resolution(province, dt.date(today.year, 1, 1), today, subtree=True),
        ),
        (f"commune {commune.code}, year", lambda: resolution(commune, start, end)),
    ]
    rows: list[list[object]] = []
    target_ms = 0.0
    for label, fn in cases:
        times, report = timed(fn, args.repeat)
        median = statistics.median(times)
        if label.endswith("(target)"):
            target_ms = median
            totals = report.total
            log(
                f"  {label}: received {totals.received_total:,}, resolved {totals.resolved_total:,} "
                f"(late {totals.resolved_late:,}), in progress {totals.in_progress_total:,}; "
                f"identities hold: {totals.identities_hold()}"
            )
        rows.append([label, f"{median:.1f}", f"{max(times):.1f}"])
        log(f"  {label}: median {median:.1f} ms, worst {max(times):.1f} ms")

    scan_times, plan = seq_scan(args.repeat)
    scan_ms = statistics.median(scan_times)
    log("sequential scan plan:\n" + plan)
    rows.append(
        ["one sequential scan of dossiers_dossier", f"{scan_ms:.1f}", f"{max(scan_times):.1f}"]
    )
    ratio = target_ms / scan_ms if scan_ms else float("nan")

    province_units = list(
        Unit.objects.filter(path__startswith=province.path).values_list("pk", flat=True)
    )
    year_rows = {
        "unit_id__in": province_units,
        "month__gte": start,
        "month__lte": dt.date(year + 1, 1, 1),
    }
    first = ResolutionMonth.objects.filter(**year_rows).count()
    first_by_field = ResolutionMonthField.objects.filter(**year_rows).count()
    print()
    print(
        f"{total:,} dossiers over 5 years, {len(province_units)} units; the province's year "
        f"reads {first_by_field:,} month rows without the procedure (by field, level, channel; "
        f"{first:,} with it: by procedure)"
    )
    print(table(["case", "median ms", "worst ms"], rows))
    print(
        f"\nratio report / sequential scan: {ratio:.3f} (target < {TARGET_RATIO}) -> "
        f"{'met' if ratio < TARGET_RATIO else 'NOT met'}"
    )
    if total <= 200_000:
        differences = aggregates.check()
        print(f"report tables equal a recount from scratch: {not differences}")
    if not args.keep:
        connection.close()
        drop_database(db_name)
    return 0 if ratio < TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
