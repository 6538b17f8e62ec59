"""The service index (QĐ 766) for every unit for one month against one sequential scan of the
dossier table, on PostgreSQL: `python bench/bench_service_index.py [--dossiers N]`.

1. Creates the database `cchc_bench_service_index` (dropped first), migrates it, loads the demo
   catalogue and units, and generates N dossiers (default 1,000,000) over 5 years with the
   platform's generator (`generate_demo`, `cchc/reports/generator.py`: communes added until each
   receives about 10,000 dossiers a year, realistic outcomes, ratings, payments, electronic
   results, PAKN), which also builds the report tables. `--database NAME` measures a database
   generated before (e.g. the one `bench_reports.py --keep` leaves) instead: no generation; the
   report tables are brought up to date by a sweep.
2. Builds the service index's daily snapshot for the last `--months` months (default 13: the
   measured month and the twelve of the trend; `service_index.backfill`), timing it.
3. Times, warm, the median of several runs of: one sequential scan of the dossier table
   (`count(*)` with index scans off, the reference); the service index of every unit under the
   province for the last whole month (`ranking`: each commune's index and its rank, from the
   snapshot); the province's own index; the same month counted straight from the records
   without the snapshot (`direct_inputs`); a 12-month trend; the TT 01/2018 indicators of every
   commune (`children_indicators`). Prints each time and its ratio to the scan. Target: the
   ranking under 0.2 × the scan.

Options: --dossiers N, --runs R (default 5), --months M, --keep (leave the database), --database
NAME (measure an existing generated database; never dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import database_url, drop_database, recreate_database, setup_django, table

# The database this bench creates (and drops, unless --keep).
DB_NAME = "cchc_bench_service_index"
TARGET = 0.2

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f} s] {message}", flush=True)


def seq_scan() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SET enable_indexscan = off; SET enable_indexonlyscan = off; "
            "SET enable_bitmapscan = off"
        )
        cursor.execute("SELECT count(*) FROM dossiers_dossier")
        cursor.fetchone()
        cursor.execute(
            "RESET enable_indexscan; RESET enable_indexonlyscan; RESET enable_bitmapscan"
        )


def median_of(label: str, runs: int, work: Callable[[], Any]) -> float:
    work()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append((time.perf_counter() - t0) * 1000)
    value = statistics.median(times)
    log(f"  {label}: median {value:,.1f} ms over {runs} runs")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--months", type=int, default=13, help="months of snapshot to build")
    parser.add_argument("--database", help="measure this generated database (no generation)")
    args = parser.parse_args()

    name = args.database or DB_NAME
    url = database_url(name) if args.database else recreate_database(name)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    call_command("migrate", interactive=False, verbosity=0)

    from cchc.dossiers.models import DossierPayment
    from cchc.reports import aggregates, generator
    from cchc.reports import indicators as ind
    from cchc.reports import service_index as si
    from cchc.reports.models_index import ServiceIndexDay
    from cchc.units.choices import UnitKind
    from cchc.units.models import Unit

    if not args.database:
        log(f"loading the demo and generating {args.dossiers:,} dossiers over 5 years")
        call_command("load_demo", no_dossiers=True, verbosity=0)
        result = generator.generate(
            generator.Plan(dossiers=args.dossiers, years=5, defer_indexes=True)
        )
        log(f"generated {result.dossiers:,} dossiers, {result.ratings:,} ratings, "
            f"{result.payments:,} payments, {result.feedback:,} PAKN in {result.communes} "
            f"communes: {result.rows_per_second:,.0f} rows/s; report tables "
            f"{result.aggregate_seconds:.0f} s")  # fmt: skip
        with connection.cursor() as cursor:  # Django's connection is in autocommit mode
            cursor.execute("VACUUM ANALYZE")
    else:
        if not DossierPayment.objects.exists():
            # Generated before the generator wrote payments: add them the same way.
            t0 = time.perf_counter()
            made = generator.payments_and_results(after_id=0)
            log(
                f"payments and electronic results added: {made:,} in {time.perf_counter() - t0:.0f} s"
            )
            with connection.cursor() as cursor:  # the update left a dead version of each row
                cursor.execute("VACUUM ANALYZE dossiers_dossier")
                cursor.execute("VACUUM ANALYZE dossiers_dossierpayment")
        t0 = time.perf_counter()
        aggregates.sweep(now)
        log(f"report tables swept in {time.perf_counter() - t0:.1f} s")

    today = timezone.localdate(now)
    first = (today.replace(day=1) - dt.timedelta(days=31 * (args.months - 1))).replace(day=1)
    t0 = time.perf_counter()
    result_days = si.backfill(first, today, now=now)
    backfill_s = time.perf_counter() - t0
    log(f"snapshot from {first:%d/%m/%Y}: {result_days.days:,} days, {result_days.rows:,} rows "
        f"in {backfill_s:.1f} s ({result_days.days / backfill_s:,.1f} days/s)")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_serviceindexday")
        cursor.execute("SELECT count(*) FROM dossiers_dossier")
        (total,) = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('dossiers_dossier'))")
        (size,) = cursor.fetchone()
    log(f"dossier table: {total:,} rows, {size}; snapshot rows: "
        f"{ServiceIndexDay.objects.count():,}")  # fmt: skip

    province = Unit.objects.get(kind=UnitKind.PROVINCE, parent__isnull=True)
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    month = month_end.replace(day=1)
    ids = si.units_in(province, subtree=True)
    communes = Unit.objects.filter(parent=province).count()
    log(f"measuring {month:%m/%Y}: {communes} units under the province, {len(ids)} in all")

    scan = median_of("sequential scan of dossiers_dossier", args.runs, seq_scan)
    cases = [
        ("service index of every unit, ranked (snapshot)",
         lambda: si.ranking(province, month, month_end, now=now, min_dossiers=1)),
        ("service index of the province (snapshot)",
         lambda: si.service_index(province, month, month_end, subtree=True, now=now)),
        ("same month from the records, no snapshot",
         lambda: si.direct_inputs(ids, month, month_end, now=now)),
        ("trend of the province, 12 months (snapshot)",
         lambda: si.trend(province, month.replace(year=month.year - 1), month_end,
                          subtree=True, now=now)),
        ("TT 01/2018 indicators of every unit",
         lambda: ind.children_indicators(province, month, month_end, now=now)),
    ]  # fmt: skip
    rows = []
    for label, work in cases:
        ms = median_of(label, args.runs, work)
        rows.append([label, f"{ms:,.1f}", f"{ms / scan:.3f}"])
    ranked = si.ranking(province, month, month_end, now=now, min_dossiers=1)
    top = ranked.ranked[0] if ranked.ranked else None
    print()
    print(
        table(
            ["case", "median ms", "ratio to scan"],
            [["sequential scan (reference)", f"{scan:,.1f}", "1.000"], *rows],
        )
    )
    ratio = float(rows[0][2])
    print(
        f"\nservice index of every unit for {month:%m/%Y}: ratio {ratio:.3f} "
        f"(target < {TARGET}) {'met' if ratio < TARGET else 'NOT met'}"
    )
    if top is not None:
        print(f"first: {top.unit.name} {top.result.score} ({top.result.band_label})")
    if not args.keep and not args.database:
        connection.close()
        drop_database(DB_NAME)
    return 0 if ratio < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
