"""Keeping the aggregate tables equal to a count from scratch, incrementally.

Each dossier's facts (`facts.Facts`) as last counted are kept in `CountedDossier`. Bringing
a dossier up to date is: compute its facts now, and if they differ, subtract what it added
(the stored facts) and add what it adds now, to the day and month rows — so any change is
counted exactly once, however it was made (an action, an import, a calendar change, an edit in
the admin), and doing it twice changes nothing. The month rows are kept twice, by procedure
(ResolutionMonth) and summed over the procedures (ResolutionMonthField, what every report not
grouped by procedure reads): each increment of the first adds the same rows through
`without_procedure` to the second; a rebuild derives the second from the first in one GROUP BY.

Which dossiers to look at: those whose `updated_at` (every save sets it; imports set it too)
or whose rating's `created_at` is at or after `watermark - lag`. The *sweep* (a self-scheduling
job, or `manage.py refresh_reports`) counts them and moves the watermark; between sweeps every
report adds the same difference in memory (`pending`), so a report is exact whether or not the
worker has run. The lag covers transactions that committed after a sweep had looked, with an
`updated_at` taken before it looked.

Writes happen under one lock (a PostgreSQL advisory lock; SQLite serialises writers anyway).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Sum
from django.utils import timezone
from django_tasks import task

from cchc.dossiers import rules
from cchc.dossiers.models import Dossier
from cchc.feedback.models import Rating
from cchc.reports.facts import (
    BALANCE_COLUMNS,
    DAY_COLUMNS,
    DELTA_COLUMNS,
    DOSSIER_FIELDS,
    END_COLUMN,
    FINISH_COLUMNS,
    FLOW_COLUMNS,
    MONTH_COLUMNS,
    Facts,
    FieldKey,
    Key,
    Tally,
    facts_of,
    month_of,
    next_month,
)
from cchc.reports.models import (
    CountedDossier,
    ReportsState,
    ResolutionDay,
    ResolutionMonth,
    ResolutionMonthField,
)
from cchc.units.models import Unit

logger = logging.getLogger(__name__)

KEY_COLUMNS = ("unit_id", "field_id", "procedure_id", "channel")
# ResolutionMonthField's group: KEY_COLUMNS without the procedure.
FIELD_KEY_COLUMNS = ("unit_id", "field_id", "channel")
# CountedDossier's columns, named as the Facts' fields (unit_id, field_id… are the attnames).
FACT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Facts))
START_COLUMNS: tuple[str, ...] = tuple(f"{c}_start" for c in BALANCE_COLUMNS)
LOCK_ID = 7_311_011  # pg_advisory_xact_lock key of the reports' writers
# Every query names its database: the writers read what they counted from the primary (a read
# routed to a replica could be behind, and a change would be counted twice); a report reads all
# it needs from one database it is given, in one snapshot.
PRIMARY = DEFAULT_DB_ALIAS


class ReportsNotReady(Exception):
    """Too many changes are not counted yet for a report to add them on the fly."""


def sweep_lag() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "REPORTS_SWEEP_LAG_SECONDS", 600)))


def sweep_interval() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "REPORTS_SWEEP_INTERVAL_SECONDS", 60)))


def max_pending() -> int:
    return int(getattr(settings, "REPORTS_MAX_PENDING", 20000))


def _lock() -> None:
    if connections[PRIMARY].vendor == "postgresql":
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])


def state(using: str = PRIMARY) -> ReportsState:
    found = ReportsState.objects.using(using).filter(pk=1).first()
    return found if found is not None else ReportsState(pk=1)


# -- facts from the domain tables ------------------------------------------------------------


def _ratings(
    dossier_ids: Iterable[int] | None = None, unit_id: int | None = None, using: str = PRIMARY
) -> dict[int, tuple[dt.datetime, int]]:
    query = Rating.objects.using(using).all()
    if dossier_ids is not None:
        query = query.filter(dossier_id__in=list(dossier_ids))
    if unit_id is not None:
        query = query.filter(dossier__processing_unit_id=unit_id)
    return {
        d: (at, level) for d, at, level in query.values_list("dossier_id", "created_at", "level")
    }


def current_facts(dossier_ids: Sequence[int], using: str = PRIMARY) -> dict[int, Facts | None]:
    """The facts of these dossiers now (None: not counted anywhere, or no longer exists)."""
    payment_stops = rules.payment_stops_clock()
    out: dict[int, Facts | None] = dict.fromkeys(dossier_ids)
    for chunk in _chunks(list(dossier_ids), 2000):
        ratings = _ratings(chunk, using=using)
        for row in Dossier.objects.using(using).filter(id__in=chunk).values_list(*DOSSIER_FIELDS):
            out[row[0]] = facts_of(row, ratings.get(row[0]), payment_stops=payment_stops)
    return out


def stored_facts(dossier_ids: Sequence[int], using: str = PRIMARY) -> dict[int, Facts | None]:
    out: dict[int, Facts | None] = dict.fromkeys(dossier_ids)
    for chunk in _chunks(list(dossier_ids), 2000):
        for row in (
            CountedDossier.objects.using(using)
            .filter(dossier_id__in=chunk)
            .values_list("dossier_id", *FACT_COLUMNS)
        ):
            out[row[0]] = Facts(*row[1:])
    return out


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def facts_by_unit(unit_id: int) -> Iterator[tuple[int, Facts]]:
    """Every counted dossier processed in one unit, with its facts (one pass, streamed)."""
    payment_stops = rules.payment_stops_clock()
    ratings = _ratings(unit_id=unit_id)
    rows = (
        Dossier.objects.using(PRIMARY)
        .filter(processing_unit_id=unit_id)
        .values_list(*DOSSIER_FIELDS)
        .order_by()
        .iterator(chunk_size=5000)
    )
    for row in rows:
        f = facts_of(row, ratings.get(row[0]), payment_stops=payment_stops)
        if f is not None:
            yield row[0], f


def _unit_ids() -> list[int]:
    return list(Unit.objects.using(PRIMARY).order_by("pk").values_list("pk", flat=True))


# -- the window of changes not yet counted -------------------------------------------------------


def window_ids(
    since: dt.datetime | None, unit_ids: Iterable[int] | None = None, using: str = PRIMARY
) -> list[int]:
    """Dossiers changed, or rated, at or after `since` (every dossier if None)."""
    dossiers = Dossier.objects.using(using).all()
    ratings = Rating.objects.using(using).all()
    if since is not None:
        dossiers = dossiers.filter(updated_at__gte=since)
        ratings = ratings.filter(created_at__gte=since)
    if unit_ids is not None:
        units = list(unit_ids)
        dossiers = dossiers.filter(processing_unit_id__in=units)
        ratings = ratings.filter(processing_unit_id__in=units)
    ids = set(dossiers.values_list("id", flat=True))
    ids.update(ratings.values_list("dossier_id", flat=True))
    return sorted(ids)


def _diff(
    ids: Sequence[int], horizon: dt.date | None, using: str = PRIMARY
) -> tuple[Tally, dict[int, Facts | None]]:
    """What counting these dossiers anew adds to the tables, and their new facts (changed only)."""
    now = current_facts(ids, using)
    before = stored_facts(ids, using)
    tally = Tally(horizon)
    changed: dict[int, Facts | None] = {}
    for pk in ids:
        if now[pk] != before[pk]:
            tally.add(before[pk], -1)
            tally.add(now[pk])
            changed[pk] = now[pk]
    return tally, changed


@dataclass
class Pending:
    """Changes not yet in the tables, as rows to add to the stored ones (for one report)."""

    tally: Tally
    dossiers: int
    # So many changes wait that the sweep should run now (the caller queues it, after reading).
    behind: bool = False


def pending(current: ReportsState, unit_ids: Iterable[int], using: str = PRIMARY) -> Pending:
    """The difference a report adds to the stored rows so that it is exact now. Read-only.

    Raises ReportsNotReady when so many changes wait that adding them would be slow (the
    worker is behind, or the tables were never built): the caller queues the sweep."""
    units = list(unit_ids)
    if current.watermark is None:
        # Never built: everything is pending; tolerable for a small embedded site only.
        ids = window_ids(None, units, using)
        if len(ids) > max_pending():
            raise ReportsNotReady
        tally = Tally(None)
        for f in current_facts(ids, using).values():
            tally.add(f)
        return Pending(tally, len(ids), behind=True)
    ids = window_ids(current.watermark - sweep_lag(), using=using)
    if len(ids) > max_pending():
        raise ReportsNotReady
    tally, _changed = _diff(ids, current.horizon, using)
    return Pending(tally, len(ids), behind=len(ids) > max_pending() // 10)


# -- writing -----------------------------------------------------------------------------------


def _key_columns(model: type[models.Model]) -> tuple[str, ...]:
    return FIELD_KEY_COLUMNS if model is ResolutionMonthField else KEY_COLUMNS


def without_procedure(
    rows: dict[tuple[dt.date, Key], dict[str, int]],
) -> dict[tuple[dt.date, FieldKey], dict[str, int]]:
    """Month rows summed over the procedures: ResolutionMonthField's rows from ResolutionMonth's
    (the one place the smaller table's increments are made from)."""
    out: dict[tuple[dt.date, FieldKey], dict[str, int]] = {}
    for (period, (unit, field_id, _procedure, channel)), values in rows.items():
        target = out.setdefault((period, (unit, field_id, channel)), {})
        for column, n in values.items():
            target[column] = target.get(column, 0) + n
    kept = {}
    for key, values in out.items():
        nonzero = {c: n for c, n in values.items() if n}
        if nonzero:
            kept[key] = nonzero
    return kept


def _increment_months(rows: dict[tuple[dt.date, Key], dict[str, int]]) -> None:
    """Add month rows to both month tables: as they are, and without the procedure."""
    _increment(ResolutionMonth, "month", MONTH_COLUMNS, rows)
    _increment(ResolutionMonthField, "month", MONTH_COLUMNS, without_procedure(rows))


def _increment(
    model: type[models.Model],
    period_column: str,
    columns: tuple[str, ...],
    rows: dict[tuple[dt.date, Key], dict[str, int]]
    | dict[tuple[dt.date, FieldKey], dict[str, int]],
) -> None:
    """Add the rows to the table: one INSERT … ON CONFLICT DO UPDATE col = col + excluded.col
    per batch (PostgreSQL and SQLite alike); keys sorted so two writers lock rows in one order."""
    if not rows:
        return
    connection = connections[PRIMARY]
    table = model._meta.db_table
    keys = _key_columns(model)
    names = (period_column, *keys, *columns)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    conflict = ", ".join(connection.ops.quote_name(n) for n in (period_column, *keys))
    updates = ", ".join(
        f"{connection.ops.quote_name(c)} = {table}.{connection.ops.quote_name(c)} + excluded.{connection.ops.quote_name(c)}"
        for c in columns
    )
    per_row = len(names)
    batch = max(1, 900 // per_row) if connection.vendor == "sqlite" else 1000
    items = sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    with connection.cursor() as cursor:
        for chunk in _chunks(items, batch):
            values: list[Any] = []
            for (period, key), counts in chunk:
                values.extend((period, *key, *(counts.get(c, 0) for c in columns)))
            placeholders = ", ".join(["(" + ", ".join(["%s"] * per_row) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES {placeholders} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                values,
            )


def _write(model: type[models.Model], names: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> int:
    """Fresh rows into an emptied table: COPY on PostgreSQL, batched INSERTs elsewhere. `rows`
    must not read from the database while it is iterated (the COPY holds the connection)."""
    count = 0
    connection = connections[PRIMARY]
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        quoted = ", ".join(connection.ops.quote_name(n) for n in names)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    # SQLite: plain executemany (bulk_create's per-field preparation cost more than the rest).
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})"

    def plain(value: Any) -> Any:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    with connection.cursor() as cursor:
        for chunk in _chunks(list(rows), 5000):
            cursor.executemany(sql, [tuple(plain(v) for v in row) for row in chunk])
            count += len(chunk)
    return count


def _flatten(
    rows: dict[tuple[dt.date, Key], dict[str, int]], columns: tuple[str, ...]
) -> Iterator[tuple[Any, ...]]:
    for (period, key), counts in rows.items():
        yield (period, *key, *(counts.get(c, 0) for c in columns))


def _save_counted(changed: dict[int, Facts | None]) -> None:
    gone = [pk for pk, f in changed.items() if f is None]
    if gone:
        CountedDossier.objects.using(PRIMARY).filter(dossier_id__in=gone).delete()
    present = [
        CountedDossier(dossier_id=pk, **{c: getattr(f, c) for c in FACT_COLUMNS})
        for pk, f in changed.items()
        if f is not None
    ]
    if present:
        CountedDossier.objects.using(PRIMARY).bulk_create(
            present,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["dossier"],
            update_fields=list(FACT_COLUMNS),
        )


def reconcile(ids: Sequence[int], horizon: dt.date | None) -> int:
    """Count these dossiers anew (inside a transaction holding the lock); returns how many
    had changed."""
    tally, changed = _diff(ids, horizon)
    _increment(ResolutionDay, "day", DAY_COLUMNS, tally.day_rows())
    _increment_months(tally.month_rows())
    _save_counted(changed)
    return len(changed)


def advance_horizon(current: ReportsState, to_month: dt.date) -> None:
    """Keep the start-of-month states up to `to_month`: each next month's are the previous
    month's plus that month's changes (received minus finished, overdue and supplement +/-)."""
    if current.horizon is None:
        return
    while current.horizon < to_month:
        month, following = current.horizon, next_month(current.horizon)
        states: dict[Key, dict[str, int]] = {}
        for row in (
            ResolutionMonth.objects.using(PRIMARY)
            .filter(month=month)
            .values_list(*KEY_COLUMNS, *START_COLUMNS)
        ):
            states[row[:4]] = dict(zip(START_COLUMNS, row[4:], strict=True))
        changes = (
            ResolutionDay.objects.using(PRIMARY)
            .filter(day__gte=month, day__lt=following)
            .values_list(*KEY_COLUMNS)
            .annotate(*(Sum(c) for c in ("received", *FINISH_COLUMNS, *DELTA_COLUMNS)))
            .order_by()
        )
        for row in changes:
            after_finish = 5 + len(FINISH_COLUMNS)
            received, finished, deltas = row[4], sum(row[5:after_finish]), row[after_finish:]
            s = states.setdefault(row[:4], dict.fromkeys(START_COLUMNS, 0))
            s["open_start"] += received - finished
            for column, n in zip(DELTA_COLUMNS, deltas, strict=True):
                s[f"{column}_start"] += n
        rows = {(following, key): v for key, v in states.items() if any(v.values())}
        _increment_months(rows)
        current.horizon = following


# -- sweep, rebuild, recount -------------------------------------------------------------------


@dataclass
class SweepResult:
    looked_at: int = 0
    changed: int = 0
    rebuilt: bool = False


def sweep(now: dt.datetime | None = None) -> SweepResult:
    """Count what changed since the last sweep (everything, the first time or when a setting
    the facts depend on changed) and move the watermark."""
    started = now or timezone.now()
    with transaction.atomic(using=PRIMARY):
        _lock()
        current = state()
        if current.watermark is None or current.payment_stops_clock != rules.payment_stops_clock():
            return SweepResult(looked_at=_rebuild_locked(current, started), rebuilt=True)
        ids = window_ids(current.watermark - sweep_lag())
        changed = reconcile(ids, current.horizon)
        advance_horizon(current, month_of(timezone.localdate(started)))
        current.watermark = started
        current.swept_at = timezone.now()
        current.save(using=PRIMARY)
    if changed:
        logger.info("reports: %d of %d dossiers counted anew", changed, len(ids))
    return SweepResult(looked_at=len(ids), changed=changed)


def rebuild(now: dt.datetime | None = None) -> int:
    """Empty the tables and count every dossier from scratch; returns how many are counted."""
    with transaction.atomic(using=PRIMARY):
        _lock()
        return _rebuild_locked(state(), now or timezone.now())


# The tables counted from CountedDossier (emptied and written together, always).
AGGREGATE_TABLES: tuple[type[models.Model], ...] = (
    ResolutionDay,
    ResolutionMonth,
    ResolutionMonthField,
)


def _truncate(*tables: type[models.Model]) -> None:
    connection = connections[PRIMARY]
    for model in tables:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {model._meta.db_table}")
        else:
            model._default_manager.using(PRIMARY).all().delete()


def _empty_tables() -> None:
    _truncate(CountedDossier, *AGGREGATE_TABLES)


def write_counted(rows: Iterable[tuple[int, Facts]]) -> int:
    """CountedDossier rows for dossiers not counted yet (into emptied tables)."""
    return _write(
        CountedDossier,
        ("dossier_id", *FACT_COLUMNS),
        ((pk, *(getattr(f, c) for c in FACT_COLUMNS)) for pk, f in rows),
    )


def _rebuild_locked(current: ReportsState, started: dt.datetime) -> int:
    _empty_tables()
    counted = 0
    for unit_id in _unit_ids():
        # Read whole before writing: COPY holds the connection, a server-side cursor needs it.
        counted += write_counted(list(facts_by_unit(unit_id)))
    aggregate_counted(current, watermark=started)
    logger.info("reports: rebuilt from %d dossiers", counted)
    return counted


# The day rows of every counted dossier, in one statement: the same flows and changes of state
# as `facts.day_items`, as SQL (PostgreSQL and SQLite alike); `check()` proves them equal.
_ZEROS = dict.fromkeys(DAY_COLUMNS, "0")


def _select(day: str, where: str, **values: str) -> str:
    columns = {**_ZEROS, **values}
    listed = ", ".join(f"{columns[c]} AS {c}" for c in DAY_COLUMNS)
    return (
        f"SELECT {day} AS day, unit_id, field_id, procedure_id, channel, {listed} "
        f"FROM {CountedDossier._meta.db_table} WHERE {where}"
    )


def _day_rows_sql() -> str:
    one = "1"
    # The overdue span [overdue_from, overdue_until) splits at the apology's day.
    no_apology = "overdue_from IS NOT NULL AND (apology IS NULL OR apology > overdue_from)"
    no_apology_end = (
        "CASE WHEN apology IS NOT NULL AND (overdue_until IS NULL OR apology < overdue_until) "
        "THEN apology ELSE overdue_until END"
    )
    apology_start = "CASE WHEN apology > overdue_from THEN apology ELSE overdue_from END"
    with_apology = (
        f"overdue_from IS NOT NULL AND apology IS NOT NULL "
        f"AND (overdue_until IS NULL OR {apology_start} < overdue_until)"
    )
    ends = {f"{c}": f'CASE WHEN "end" = {code} THEN 1 ELSE 0 END' for code, c in END_COLUMN.items()}
    parts = [
        _select(
            "received",
            "received IS NOT NULL",
            received=one,
            received_cross="CASE WHEN cross_boundary THEN 1 ELSE 0 END",
        ),
        _select(
            "finished",
            'received IS NOT NULL AND finished IS NOT NULL AND "end" > 0',
            refused="CASE WHEN refused THEN 1 ELSE 0 END",
            **ends,
        ),
        _select(
            "rated",
            "rated IS NOT NULL",
            rated=one,
            satisfied="CASE WHEN satisfied THEN 1 ELSE 0 END",
        ),
        _select("overdue_from", no_apology, overdue_no_apology=one),
        _select(
            no_apology_end,
            f"{no_apology} AND ({no_apology_end}) IS NOT NULL",
            overdue_no_apology="-1",
        ),
        _select(apology_start, with_apology, overdue_apology=one),
        _select(
            "overdue_until", f"{with_apology} AND overdue_until IS NOT NULL", overdue_apology="-1"
        ),
        _select("supplement_from", "supplement_from IS NOT NULL", supplement=one),
        _select(
            "supplement_until",
            "supplement_from IS NOT NULL AND supplement_until IS NOT NULL",
            supplement="-1",
        ),
    ]
    sums = ", ".join(f"SUM({c})" for c in DAY_COLUMNS)
    nonzero = " OR ".join(f"SUM({c}) <> 0" for c in DAY_COLUMNS)
    names = ", ".join(("day", *KEY_COLUMNS, *DAY_COLUMNS))
    return (
        f"INSERT INTO {ResolutionDay._meta.db_table} ({names}) "
        f"SELECT day, unit_id, field_id, procedure_id, channel, {sums} "
        f"FROM ({' UNION ALL '.join(parts)}) AS items "
        f"GROUP BY day, unit_id, field_id, procedure_id, channel HAVING {nonzero}"
    )


def aggregate_counted(current: ReportsState, *, watermark: dt.datetime | None) -> None:
    """Day and month rows from CountedDossier (the tables being empty), then the state: one
    INSERT … SELECT for the days; for the months, one grouped query whose running sum per group
    gives what stood at each month's start."""
    connection = connections[PRIMARY]
    now = timezone.now()
    horizon = month_of(timezone.localdate(now))
    with connection.cursor() as cursor:
        cursor.execute(_day_rows_sql())
        month = (
            "CAST(date_trunc('month', day) AS date)"
            if connection.vendor == "postgresql"
            else "date(day, 'start of month')"
        )
        flows = ", ".join(f"SUM({c})" for c in FLOW_COLUMNS)
        finished = " + ".join(f"SUM({c})" for c in FINISH_COLUMNS)
        deltas = ", ".join(f"SUM({c})" for c in DELTA_COLUMNS)
        cursor.execute(
            f"SELECT unit_id, field_id, procedure_id, channel, {month} AS m, {flows}, "
            f"SUM(received) - ({finished}), {deltas} "
            f"FROM {ResolutionDay._meta.db_table} "
            f"GROUP BY unit_id, field_id, procedure_id, channel, {month} "
            f"ORDER BY unit_id, field_id, procedure_id, channel, m"
        )
        _write(
            ResolutionMonth,
            ("month", *KEY_COLUMNS, *MONTH_COLUMNS),
            _month_rows(cursor, horizon),
        )
        cursor.execute(_field_months_sql())
    current.watermark = watermark
    current.horizon = horizon
    current.rebuilt_at = current.swept_at = now
    current.payment_stops_clock = rules.payment_stops_clock()
    current.save(using=PRIMARY)


def _field_months_sql() -> str:
    """ResolutionMonthField's rows from ResolutionMonth's (just written): `without_procedure`
    in SQL, for the rebuild; the migration that made the table runs the same statement."""
    group = ", ".join(("month", *FIELD_KEY_COLUMNS))
    sums = ", ".join(f"SUM({c})" for c in MONTH_COLUMNS)
    nonzero = " OR ".join(f"SUM({c}) <> 0" for c in MONTH_COLUMNS)
    return (
        f"INSERT INTO {ResolutionMonthField._meta.db_table} ({group}, {', '.join(MONTH_COLUMNS)}) "
        f"SELECT {group}, {sums} FROM {ResolutionMonth._meta.db_table} "
        f"GROUP BY {group} HAVING {nonzero}"
    )


def rebuild_days_and_months() -> None:
    """After a bulk load that wrote its dossiers' CountedDossier rows itself (`generate_demo`):
    the day and month tables anew from every counted dossier. Dossiers changed meanwhile by
    anyone else are counted by the next sweep (the watermark does not move)."""
    with transaction.atomic(using=PRIMARY):
        _lock()
        current = state()
        _truncate(*AGGREGATE_TABLES)
        aggregate_counted(current, watermark=current.watermark)


def _month_rows(cursor: Any, horizon: dt.date) -> Iterator[tuple[Any, ...]]:
    """Per group, months in order: the month's flows, and the states at its start (the running
    sum of every earlier month's changes), for each month up to the horizon where one is not 0."""
    flows = len(FLOW_COLUMNS)
    zero_flows = (0,) * flows
    key: Any = None
    month: dt.date | None = None
    states = [0] * len(BALANCE_COLUMNS)

    def starts_until(until: dt.date) -> Iterator[tuple[Any, ...]]:
        # Months after the last one seen, with no flows of their own, up to `until` (exclusive).
        nonlocal month
        assert month is not None
        m = next_month(month)
        while m < until and m <= horizon and any(states):
            yield (m, *key, *zero_flows, *states)
            m = next_month(m)

    for row in iter(cursor.fetchone, None):
        row_key = tuple(row[:4])
        m = row[4] if isinstance(row[4], dt.date) else dt.date.fromisoformat(row[4])
        if row_key != key:
            if key is not None:
                yield from starts_until(dt.date.max)
            key, states = row_key, [0] * len(BALANCE_COLUMNS)
        elif month is not None:
            yield from starts_until(m)
        month = m
        values = [int(v or 0) for v in row[5 : 5 + flows]]
        start_states = list(states) if m <= horizon else [0] * len(BALANCE_COLUMNS)
        if any(values) or any(start_states):
            yield (m, *key, *values, *start_states)
        for i, change in enumerate(row[5 + flows :]):
            states[i] += int(change or 0)
    if key is not None:
        yield from starts_until(dt.date.max)


@dataclass
class Recount:
    counted: dict[int, Facts]
    day: dict[tuple[dt.date, Key], dict[str, int]]
    month: dict[tuple[dt.date, Key], dict[str, int]]


def recount(horizon: dt.date | None) -> Recount:
    """Every dossier counted from scratch, in memory (for checks and tests)."""
    tally = Tally(horizon)
    counted: dict[int, Facts] = {}
    for unit_id in _unit_ids():
        for pk, f in facts_by_unit(unit_id):
            tally.add(f)
            counted[pk] = f
    return Recount(counted, tally.day_rows(), tally.month_rows())


def _stored_rows(
    model: type[models.Model], period: str, columns: tuple[str, ...], unit_id: int
) -> dict[tuple[dt.date, tuple[int, ...]], dict[str, int]]:
    out: dict[tuple[dt.date, tuple[int, ...]], dict[str, int]] = {}
    keys = _key_columns(model)
    rows = (
        model._default_manager.using(PRIMARY)
        .filter(unit_id=unit_id)
        .values_list(period, *keys, *columns)
    )
    after = 1 + len(keys)
    for row in rows:
        kept = {c: n for c, n in zip(columns, row[after:], strict=True) if n}
        if kept:
            out[(row[0], tuple(row[1:after]))] = kept
    return out


@dataclass
class Differences:
    counted: list[int]
    day: list[Any]
    month: list[Any]
    month_field: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.counted or self.day or self.month or self.month_field)


def _differing(stored: dict[Any, Any], expected: dict[Any, Any]) -> list[Any]:
    return sorted(
        (k, stored.get(k), expected.get(k))
        for k in set(stored) | set(expected)
        if stored.get(k) != expected.get(k)
    )


def check() -> Differences:
    """Stored tables against a count from scratch, one processing unit at a time (memory stays
    bounded by the largest unit); run after a sweep has brought them up to date."""
    current = state()
    found = Differences([], [], [])
    for unit_id in _unit_ids():
        tally = Tally(current.horizon)
        expected: dict[int, Facts] = {}
        for pk, f in facts_by_unit(unit_id):
            tally.add(f)
            expected[pk] = f
        stored = {
            row[0]: Facts(*row[1:])
            for row in CountedDossier.objects.using(PRIMARY)
            .filter(unit_id=unit_id)
            .values_list("dossier_id", *FACT_COLUMNS)
        }
        found.counted += [
            pk for pk in set(stored) | set(expected) if stored.get(pk) != expected.get(pk)
        ]
        found.day += _differing(
            _stored_rows(ResolutionDay, "day", DAY_COLUMNS, unit_id), tally.day_rows()
        )
        months = tally.month_rows()
        found.month += _differing(
            _stored_rows(ResolutionMonth, "month", MONTH_COLUMNS, unit_id), months
        )
        found.month_field += _differing(
            _stored_rows(ResolutionMonthField, "month", MONTH_COLUMNS, unit_id),
            without_procedure(months),
        )
    found.counted.sort()
    return found


# -- the worker ----------------------------------------------------------------------------------


def schedule_sweep(now: dt.datetime | None = None, *, soon: bool = False) -> bool:
    """Queue the next sweep (in `REPORTS_SWEEP_INTERVAL_SECONDS`, or at once with `soon`)
    unless one is already queued; False when the task backend cannot defer jobs (use cron)."""
    if not sweep_job.get_backend().supports_defer:
        return False
    now = now or timezone.now()
    run_after = now if soon else now + sweep_interval()
    with transaction.atomic(using=PRIMARY):
        current, _created = (
            ReportsState.objects.using(PRIMARY).select_for_update().get_or_create(pk=1)
        )
        queued = current.next_sweep_at
        # A queued run that should have run long ago was lost (a worker stopped): queue again.
        if queued is not None and queued > now - 10 * sweep_interval() and queued <= run_after:
            return True
        current.next_sweep_at = run_after
        current.save(using=PRIMARY, update_fields=["next_sweep_at"])
        sweep_job.using(run_after=run_after).enqueue()
    return True


@task()
def sweep_job() -> int:
    """The worker's sweep; queues the next one first, so one failure never ends the chain."""
    ReportsState.objects.using(PRIMARY).filter(pk=1).update(next_sweep_at=None)
    schedule_sweep()
    return sweep().changed
