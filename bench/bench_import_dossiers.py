"""Historical dossier import speed: `python bench/bench_import_dossiers.py [--lines N]`.

Generates N NDJSON lines (default 200,000; `--lines 1000000` for the full run) into a temporary
file: 30 communes, 20 procedures with two versions each (working days, working hours, same day),
received 2023–2026, a realistic mix of statuses, a third of the lines with their own due moment
and the rest computed. Then, in a fresh database created for the run and dropped after it
(PostgreSQL at postgres://postgres@127.0.0.1:5432, or a temporary SQLite file if that is not
reachable or `--sqlite` is given), it measures:

- baseline: a raw `bulk_create` of N minimal Dossier rows in batches of the same size, one
  transaction per batch, no validation, no due computation, no history rows;
- import: `import_dossiers` of the file (streamed, validated, due moments computed, codes
  reserved, one history row per dossier), after emptying the tables;
- re-import: the same file again (every line already there: the idempotent pass).

It prints lines per second, the ratio import / baseline (the cost of validation, due moments
and history rows) and the time extrapolated to 1,000,000 lines. `--profile FILE` writes a
cProfile of the import.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
TZ = dt.timezone(dt.timedelta(hours=7))
STATUSES = [  # (status as written in the file, weight)
    ("returned", 62),
    (10, 8),
    ("resolved", 8),
    ("processing", 8),
    (2, 3),
    ("supplement", 2),
    ("withdrawn", 2),
    (8, 2),
    ("refused", 2),
    (1, 3),
]
FINISHED = {"returned", 10, "resolved", "withdrawn", 8}
NOT_RECEIVED = {"refused", 1}
CHANNELS = ["counter", "counter", "counter", "postal", "online_full", "online_partial"]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]


def create_database() -> tuple[str, str | None]:
    """The DATABASE_URL to use, and the PostgreSQL database name to drop afterwards."""
    try:
        import psycopg

        name = f"cchc_bench_import_{os.getpid()}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"{PG_SERVER}/{name}", name
    except Exception as exc:  # any failure means: no PostgreSQL here
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}); using SQLite.")
        return "", None


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def build_world() -> tuple[list[str], list[str]]:
    """30 communes under one province, 20 procedures with two versions each."""
    from decimal import Decimal

    from cchc.catalogue.models import Field, Procedure, ProcedureVersion
    from cchc.units.models import Unit

    province = Unit.objects.create(
        code="38", name="Tỉnh Thanh Hóa", kind="province", agency_identifier="000.00.00.H56"
    )
    communes = [
        Unit.objects.create(
            code=f"{16300 + i}",
            name=f"Xã {i}",
            kind="commune",
            parent=province,
            agency_identifier=f"000.{30 + i}.10.H56",
        ).code
        for i in range(30)
    ]
    field = Field.objects.create(code="ho-tich", name="Hộ tịch")
    procedures = []
    for i in range(20):
        procedure = Procedure.objects.create(
            code=f"1.{1000 + i:06d}", field=field, authority_level="commune"
        )
        for effective, days in ((dt.date(2020, 1, 1), 3 + i % 5), (dt.date(2025, 7, 1), 2 + i % 7)):
            unit, amount = "working_days", Decimal(days)
            if i % 10 == 8:
                unit, amount = "working_hours", Decimal(4)
            elif i % 10 == 9:
                unit, amount = "same_day", Decimal(0)
            ProcedureVersion.objects.create(
                procedure=procedure,
                effective_from=effective,
                name=f"Thủ tục {i}",
                processing_time=amount,
                time_unit=unit,
                online_service="partial",
            )
        procedures.append(procedure.code)
    return communes, procedures


def generate(path: Path, n: int, communes: list[str], procedures: list[str], seed: int) -> None:
    rng = random.Random(seed)
    statuses = [s for s, _w in STATUSES]
    weights = [w for _s, w in STATUSES]
    start = dt.datetime(2023, 1, 2, tzinfo=TZ).timestamp()
    span = dt.datetime(2026, 10, 30, tzinfo=TZ).timestamp() - start
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            received = dt.datetime.fromtimestamp(start + rng.random() * span, TZ).replace(
                hour=rng.randint(7, 16), microsecond=0
            )
            status = rng.choices(statuses, weights)[0]
            line: dict[str, object] = {
                "external_id": f"old-{i}",
                "procedure": rng.choice(procedures),
                "unit": rng.choice(communes),
                "channel": rng.choice(CHANNELS),
                "applicant": {
                    "name": rng.choice(NAMES),
                    "id_number": f"0380{rng.randrange(10**8):08d}",
                    "phone": f"09{rng.randrange(10**8):08d}",
                    "address": "Thôn 3, xã Nga Sơn",
                },
                "received_at": received.isoformat(),
                "status": status,
            }
            if status not in NOT_RECEIVED and rng.random() < 0.33:
                line["due_at"] = (received + dt.timedelta(days=rng.randint(1, 10))).isoformat()
            if status in FINISHED:
                finished = received + dt.timedelta(hours=rng.randint(1, 24 * 12))
                line["finished_at"] = finished.isoformat()
                if status in ("returned", 10):
                    returned = finished + dt.timedelta(hours=rng.randint(0, 48))
                    line["returned_at"] = returned.isoformat()
            if i % 50 == 0:
                line["receiving_unit"] = rng.choice(communes)
            out.write(json.dumps(line, ensure_ascii=False))
            out.write("\n")


def baseline(n: int, batch_size: int) -> float:
    from django.db import transaction

    from cchc.catalogue.models import ProcedureVersion
    from cchc.dossiers.models import Dossier
    from cchc.units.models import Unit

    version = ProcedureVersion.objects.select_related("procedure").first()
    assert version is not None
    unit = Unit.objects.filter(kind="commune").first()
    assert unit is not None
    moment = dt.datetime(2025, 8, 4, 9, tzinfo=TZ)
    t0 = time.perf_counter()
    for first in range(0, n, batch_size):
        with transaction.atomic():
            Dossier.objects.bulk_create(
                Dossier(
                    code=f"B-{i}",
                    status="returned",
                    procedure_id=version.procedure_id,
                    procedure_version_id=version.pk,
                    field_id=version.procedure.field_id,
                    receiving_unit_id=unit.pk,
                    processing_unit_id=unit.pk,
                    channel="counter",
                    return_method="counter",
                    applicant_name="Nguyễn Văn An",
                    submitted_at=moment,
                    received_at=moment,
                )
                for i in range(first, min(first + batch_size, n))
            )
    return time.perf_counter() - t0


def empty_tables() -> None:
    from django.db import connection

    tables = ["dossiers_dossierevent", "dossiers_dossier", "dossiers_dossiercounter"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            cursor.execute("ANALYZE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--sqlite", action="store_true", help="do not try PostgreSQL")
    parser.add_argument("--no-reimport", action="store_true")
    parser.add_argument("--profile", help="write a cProfile of the import to this file")
    args = parser.parse_args()

    url, pg_name = ("", None) if args.sqlite else create_database()
    workdir = Path(tempfile.mkdtemp(prefix="cchc-bench-import-"))
    if not url:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from cchc.dossiers.importing import SYSTEM, import_dossiers

        call_command("migrate", verbosity=0)
        communes, procedures = build_world()
        path = workdir / "dossiers.jsonl"
        t0 = time.perf_counter()
        generate(path, args.lines, communes, procedures, args.seed)
        print(
            f"database: {connection.vendor}; {args.lines:,} lines generated "
            f"({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t0:.1f} s"
        )

        base = baseline(args.lines, args.batch_size)
        print(f"baseline bulk_create: {base:.1f} s, {args.lines / base:,.0f} rows/s")
        empty_tables()

        profiler = cProfile.Profile() if args.profile else None
        t0 = time.perf_counter()
        with path.open("rb") as stream:
            if profiler:
                profiler.enable()
            result = import_dossiers(stream, by=SYSTEM, batch_size=args.batch_size)
            if profiler:
                profiler.disable()
        took = time.perf_counter() - t0
        if profiler:
            profiler.dump_stats(args.profile)
        print(
            f"import: {took:.1f} s, {args.lines / took:,.0f} lines/s, "
            f"ratio to baseline {took / base:.2f}; {result.summary()}"
        )
        if result.errors:
            print("first errors:", [e.as_dict() for e in result.errors[:5]])
        print(f"extrapolated to 1,000,000 lines: {took * 1_000_000 / args.lines / 60:.1f} min")

        if not args.no_reimport:
            t0 = time.perf_counter()
            with path.open("rb") as stream:
                again = import_dossiers(stream, by=SYSTEM, batch_size=args.batch_size)
            took = time.perf_counter() - t0
            print(f"re-import: {took:.1f} s, {args.lines / took:,.0f} lines/s; {again.summary()}")
        connection.close()
    finally:
        if pg_name:
            drop_database(pg_name)
        for child in workdir.iterdir():
            child.unlink()
        workdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
