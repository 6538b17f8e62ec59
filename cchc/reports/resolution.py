"""Dossier resolution statistics (Biểu số 06/VPCP/KSTT and the extended columns), counted as of
the end of a period, for a unit or its subtree, grouped by field, procedure, level, channel or
unit. The interface other parts of the platform call:

    resolution(unit, start, end, subtree=False, group=("field",))  -> ResolutionReport
    resolution_series(unit, [(start, end), ...], subtree=False)     -> [Counts], each period's total
    resolution_for(user, unit_code, start, end, ...)                -> the same, scoped (404)
    check_period(start, end)                                        -> raises PeriodError

A report's `rows` and `total` are `Counts`; every column is named once in `choices.COLUMNS`.

What is counted (docs/formats.md, "Reports"), for the dossiers whose *processing* unit is in
scope, over whole local days [start, end]:
- received: received during the period, by channel (col. 4 online, 5 counter and post), plus
  those carried over (col. 6: received before `start`, still in progress at its beginning);
- resolved: finished during the period with a result (a refusal after appraisal included),
  judged early / on time / late against `original_due_at`;
- in progress at the end of `end` (a dossier finished later is in progress then), within time
  or overdue as it stood; a dossier waiting for a supplement is within time. When the period
  reaches today, "the end" is now: in progress is what is open now, overdue what is past due now.
- withdrawn or stopped during the period: neither resolved nor in progress.
Identities, exact: received = online + direct + carried over; resolved = early + on time +
late; in progress = within + overdue; received = resolved + in progress + withdrawn/stopped.

How: sums over the aggregate tables (the months inside the period, the days at its ragged
ends, the month starts for what was in progress), plus the changes not yet swept
(`aggregates.pending`), plus, when the period reaches today, one indexed query on the dossiers
open now. Never a scan of the dossiers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalogue.models import Field, Procedure
from cchc.dossiers import rules
from cchc.dossiers.choices import Channel, Status
from cchc.dossiers.models import Dossier
from cchc.lib.errors import DomainError
from cchc.lib.numbers import localised
from cchc.reports import aggregates
from cchc.reports.choices import CHANNEL_BY_CODE, CHANNEL_CODES, COUNT_KEYS, Dimension, Level
from cchc.reports.facts import FINISH_COLUMNS, Key, month_of, next_month
from cchc.reports.models import ResolutionDay, ResolutionMonth, ResolutionMonthField
from cchc.units.choices import UnitKind
from cchc.units.models import Unit, unit_scope, visible_unit_ids
from cchc.worktime.deadlines import TZ

EARLIEST = dt.date(2000, 1, 1)


def max_period_days() -> int:
    return int(getattr(settings, "REPORTS_MAX_PERIOD_DAYS", 3700))


class PeriodError(DomainError):
    status_code = 400


class NotReady(DomainError):
    status_code = 503


def check_period(start: dt.date, end: dt.date, today: dt.date | None = None) -> None:
    """A period a report can answer, or PeriodError saying what is wrong with it."""
    today = today or timezone.localdate()
    if end < start:
        raise PeriodError(
            _("Ngày kết thúc (%(end)s) trước ngày bắt đầu (%(start)s).")
            % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
        )
    if start < EARLIEST:
        raise PeriodError(
            _("Kỳ báo cáo phải bắt đầu từ ngày %(earliest)s trở đi.")
            % {"earliest": f"{EARLIEST:%d/%m/%Y}"}
        )
    if start > today:
        raise PeriodError(
            _("Kỳ báo cáo bắt đầu sau hôm nay (%(today)s): chưa có số liệu.")
            % {"today": f"{today:%d/%m/%Y}"}
        )
    days = (end - start).days + 1
    if days > max_period_days():
        raise PeriodError(
            _(
                "Kỳ báo cáo dài %(days)s ngày, quá giới hạn %(max)s ngày: hãy chia thành các kỳ ngắn hơn."
            )
            % {"days": localised(days), "max": localised(max_period_days())}
        )


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Counts:
    """One row of the table: the 13 official columns (3–13) and the extended ones."""

    received_counter: int = 0
    received_postal: int = 0
    received_online_full: int = 0
    received_online_partial: int = 0
    received_cross_boundary: int = 0
    carried_over: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late_apology: int = 0
    resolved_late_no_apology: int = 0
    resolved_refused: int = 0
    withdrawn: int = 0
    stopped: int = 0
    in_progress_total: int = 0
    in_progress_overdue_apology: int = 0
    in_progress_overdue_no_apology: int = 0
    waiting_supplement: int = 0
    rated: int = 0
    satisfied: int = 0

    # -- the official columns, derived so that the identities hold by construction -----------
    @property
    def received_online(self) -> int:
        return self.received_online_full + self.received_online_partial

    @property
    def received_direct(self) -> int:
        return self.received_counter + self.received_postal

    @property
    def received_new(self) -> int:
        return self.received_online + self.received_direct

    @property
    def received_total(self) -> int:
        return self.received_new + self.carried_over

    @property
    def resolved_late(self) -> int:
        return self.resolved_late_apology + self.resolved_late_no_apology

    @property
    def resolved_total(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress_overdue(self) -> int:
        return self.in_progress_overdue_apology + self.in_progress_overdue_no_apology

    @property
    def in_progress_within(self) -> int:
        return self.in_progress_total - self.in_progress_overdue

    @property
    def withdrawn_or_stopped(self) -> int:
        return self.withdrawn + self.stopped

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """Hài lòng + rất hài lòng among the ratings given in the period, in %."""
        return _rate(self.satisfied, self.rated)

    @property
    def on_time_rate(self) -> Decimal | None:
        """Resolved early or on time among those resolved in the period, in %."""
        return _rate(self.resolved_early + self.resolved_on_time, self.resolved_total)

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{k: getattr(self, k) + getattr(other, k) for k in _STORED})

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in COUNT_KEYS}
        for key in ("satisfaction_rate", "on_time_rate"):
            rate = getattr(self, key)
            out[key] = float(rate) if rate is not None else None
        return out

    def identities_hold(self) -> bool:
        return (
            self.received_total == self.received_online + self.received_direct + self.carried_over
            and self.resolved_total
            == self.resolved_early + self.resolved_on_time + self.resolved_late
            and self.in_progress_total == self.in_progress_within + self.in_progress_overdue
            and self.received_total
            == self.resolved_total + self.in_progress_total + self.withdrawn_or_stopped
            and 0 <= self.in_progress_overdue <= self.in_progress_total
            and self.waiting_supplement <= self.in_progress_within
        )


_STORED = tuple(f for f in Counts.__dataclass_fields__)


@dataclass
class Row:
    key: tuple[str, ...]
    label: tuple[str, ...]
    counts: Counts

    @property
    def name(self) -> str:
        return " · ".join(self.label)


@dataclass
class ResolutionReport:
    unit: Unit
    subtree: bool
    start: dt.date
    end: dt.date
    group: tuple[str, ...]
    # The moment the table stands at: the end of `end`, or now when the period reaches today.
    as_of: dt.datetime
    live: bool
    rows: list[Row] = field(default_factory=list)
    total: Counts = field(default_factory=Counts)


# -- scope ---------------------------------------------------------------------------------------


def units_in(unit: Unit, *, subtree: bool) -> list[int]:
    """The processing units a report on `unit` counts: its whole subtree, or the unit and the
    agencies inside it (its one-stop centre, its offices), never another administrative unit."""
    units = Unit.objects.filter(path__startswith=unit.path)
    if not subtree:
        units = units.filter(admin_owner_id=unit.admin_owner_id)
    return list(units.values_list("pk", flat=True))


def resolution_for(
    user: Any,
    unit_code: str,
    start: dt.date,
    end: dt.date,
    *,
    subtree: bool = False,
    group: Sequence[str] = (Dimension.FIELD,),
    now: dt.datetime | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> ResolutionReport:
    """The table as `user` may see it: 404 for a unit outside their scope, and a subtree cut to
    the units they may see."""
    candidates = Unit.objects.filter(unit_scope(user), code=unit_code)
    # The unit in force, else the newest of that code (a merged-away commune's old reports).
    unit = (
        candidates.current().first()
        or candidates.order_by(F("valid_from").desc(nulls_last=True)).first()
    )
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị"))
    visible = visible_unit_ids(user)
    scope = [pk for pk in units_in(unit, subtree=subtree) if pk in visible]
    return resolution(
        unit, start, end, subtree=subtree, group=group, now=now, units=scope, using=using
    )


# -- the table -----------------------------------------------------------------------------------


def resolution(
    unit: Unit,
    start: dt.date,
    end: dt.date,
    *,
    subtree: bool = False,
    group: Sequence[str] = (Dimension.FIELD,),
    now: dt.datetime | None = None,
    units: Collection[int] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> ResolutionReport:
    """The resolution table of `unit` (with `subtree`, of everything under it) for the local
    days start..end. `units` narrows the processing units counted (a user's scope); `using`
    is the database every figure is read from (a replica's alias, where there is one)."""
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    check_period(start, end, today)
    dims = tuple(Dimension(g).value for g in group) or (Dimension.FIELD.value,)
    unit_ids = sorted(units if units is not None else units_in(unit, subtree=subtree))
    live = end >= today
    as_of = now if live else dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, TZ)
    report = ResolutionReport(unit, subtree, start, end, dims, as_of, live)
    if not unit_ids:
        return report
    (buckets,) = _read(unit_ids, [(start, end)], today, now, _sql_columns(dims), using)
    _fill(report, buckets, dims)
    return report


def resolution_series(
    unit: Unit,
    periods: Sequence[tuple[dt.date, dt.date]],
    *,
    subtree: bool = False,
    now: dt.datetime | None = None,
    units: Collection[int] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> list[Counts]:
    """The total of each period (first, last), exactly `resolution(unit, first, last, ...).total`
    for each, read in one pass: one read of the aggregates' state, one of the changes not swept
    yet, one query on the month rows and one on the day rows for all the periods (grouped by
    month and day, not by any dimension), and when one reaches today one on the open dossiers.
    For a dashboard's monthly trend, where twelve `resolution` calls read all of that twelve
    times."""
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    for start, end in periods:
        check_period(start, end, today)
    unit_ids = sorted(units if units is not None else units_in(unit, subtree=subtree))
    if not unit_ids or not periods:
        return [Counts() for _p in periods]
    out = []
    for buckets in _read(unit_ids, list(periods), today, now, [], using):
        total = Counts()
        for bucket in buckets.values():
            total = total + _counts(bucket)
        out.append(total)
    return out


def _read(
    unit_ids: list[int],
    periods: list[tuple[dt.date, dt.date]],
    today: dt.date,
    now: dt.datetime,
    columns: list[str],
    using: str,
) -> list[dict[tuple[Any, ...], _Bucket]]:
    """Each period's buckets (by `columns`), all read in one snapshot; NotReady when too many
    changes wait to be counted (the sweep is queued)."""
    behind: list[bool] = []
    connection = connections[using]
    args = (unit_ids, periods, today, now, columns, behind, using)
    try:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # One snapshot for the stored rows, the changes not swept yet and the open dossiers.
            with transaction.atomic(using=using):
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                buckets = _buckets(*args)
        else:
            buckets = _buckets(*args)
    except aggregates.ReportsNotReady as exc:
        aggregates.schedule_sweep(soon=True)
        raise NotReady(
            _("Số liệu tổng hợp đang được cập nhật; vui lòng thử lại sau ít phút.")
        ) from exc
    if any(behind):
        aggregates.schedule_sweep(soon=True)
    return buckets


@dataclass
class _Bucket:
    flows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    start: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    end: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _sql_columns(dims: tuple[str, ...]) -> list[str]:
    columns: list[str] = []
    for d in dims:
        column = {
            Dimension.FIELD: "field_id",
            Dimension.PROCEDURE: "procedure_id",
            Dimension.CHANNEL: "channel",
            Dimension.UNIT: "unit_id",
            Dimension.LEVEL: "unit_id",
        }[Dimension(d)]
        if column not in columns:
            columns.append(column)
    return columns


_RECEIVED_BY_CHANNEL = {
    f"received_{name}": Sum(
        Case(When(channel=code, then="received"), default=Value(0), output_field=IntegerField())
    )
    for name, code in CHANNEL_CODES.items()
}
_FLOW_SUMS = {
    **_RECEIVED_BY_CHANNEL,
    **{c: Sum(c) for c in ("received_cross", *FINISH_COLUMNS, "refused", "rated", "satisfied")},
}
# Besides the flows, the day rows give the changes of state (in progress = received - finished).
_DELTA_SUMS = {
    c: Sum(c) for c in ("received", "overdue_apology", "overdue_no_apology", "supplement")
}
_START_SUMS = {
    c: Sum(f"{c}_start") for c in ("open", "overdue_apology", "overdue_no_apology", "supplement")
}


def _add_flows(bucket: _Bucket, row: dict[str, Any]) -> None:
    for name in CHANNEL_CODES:
        bucket.flows[f"received_{name}"] += row.get(f"received_{name}") or 0
    for c in ("received_cross", *FINISH_COLUMNS, "refused", "rated", "satisfied"):
        bucket.flows[c] += row.get(c) or 0


def _add_deltas(states: dict[str, int], row: dict[str, Any], sign: int = 1) -> None:
    """Day rows' changes of state: in progress = received - finished, the rest as stored."""
    opened = (row.get("received") or 0) - sum(row.get(c) or 0 for c in FINISH_COLUMNS)
    states["open"] += sign * opened
    for c in ("overdue_apology", "overdue_no_apology", "supplement"):
        states[c] += sign * (row.get(c) or 0)


def _balance_base(x: dt.date, horizon: dt.date | None) -> dt.date | None:
    """The month whose stored start-of-month states a balance at the start of day x builds on."""
    if horizon is None:
        return None
    return min(month_of(x), horizon)


@dataclass(frozen=True)
class _Span:
    """What one period reads from the tables: the flows of its days (whole months from the
    month rows, the ragged ends from the day rows), and the two balances (carried over: the
    states at the start of `start`; in progress: at the start of `end_day`, unless live), each
    a month's stored start states (`*_base`; None: no month stored, every earlier day) plus
    the day rows from there to the balance day."""

    start: dt.date
    flows_end: dt.date
    end_day: dt.date
    live: bool
    first_full: dt.date
    full_end: dt.date  # months before this one are whole
    carried_base: dt.date | None
    end_base: dt.date | None
    flow_ranges: tuple[tuple[dt.date, dt.date], ...]  # half-open day ranges
    balance_ranges: tuple[tuple[dt.date | None, dt.date, str], ...]  # (base, until, side)

    @classmethod
    def of(cls, start: dt.date, end: dt.date, today: dt.date, horizon: dt.date | None) -> _Span:
        live = end >= today
        flows_end = min(end, today)
        first_full = start if start.day == 1 else next_month(month_of(start))
        full_end = month_of(flows_end + dt.timedelta(days=1))
        carried_base = _balance_base(start, horizon)
        end_day = end + dt.timedelta(days=1)
        end_base = None if live else _balance_base(end_day, horizon)
        flow_ranges = (
            [(start, flows_end + dt.timedelta(days=1))]
            if first_full >= full_end
            else [(start, first_full), (full_end, flows_end + dt.timedelta(days=1))]
        )
        balance_ranges: list[tuple[dt.date | None, dt.date, str]] = [(carried_base, start, "start")]
        if not live:
            balance_ranges.append((end_base, end_day, "end"))
        return cls(
            start,
            flows_end,
            end_day,
            live,
            first_full,
            full_end,
            carried_base,
            end_base,
            tuple((a, b) for a, b in flow_ranges if a < b),
            tuple(balance_ranges),
        )

    def month_ranges(self) -> list[tuple[dt.date | None, dt.date]]:
        """The half-open ranges of month rows this period reads: its whole months and the bases
        of its balances (`add_month` takes from each row only what the period needs)."""
        ranges: list[tuple[dt.date | None, dt.date]] = []
        if self.first_full < self.full_end:
            ranges.append((self.first_full, self.full_end))
        for base in (self.carried_base, self.end_base):
            if base is not None:
                ranges.append((base, next_month(base)))
        return ranges

    def day_ranges(self) -> list[tuple[dt.date | None, dt.date]]:
        """The half-open ranges of day rows this period reads (None: from the first day)."""
        ranges: list[tuple[dt.date | None, dt.date]] = list(self.flow_ranges)
        ranges += [(base, until) for base, until, _side in self.balance_ranges]
        return ranges

    def add_month(self, bucket: _Bucket, row: dict[str, Any]) -> None:
        month = row["month"]
        if self.first_full <= month < self.full_end:
            _add_flows(bucket, row)
        for states, base in ((bucket.start, self.carried_base), (bucket.end, self.end_base)):
            if month == base:
                for c in _START_SUMS:
                    states[c] += row[c] or 0

    def add_day(self, bucket: _Bucket, row: dict[str, Any]) -> None:
        day = row["day"]
        if any(a <= day < b for a, b in self.flow_ranges):
            _add_flows(bucket, row)
        for base, until, side in self.balance_ranges:
            if (base is None or base <= day) and day < until:
                _add_deltas(bucket.start if side == "start" else bucket.end, row)


def _merged(
    ranges: Iterable[tuple[dt.date | None, dt.date]],
) -> list[tuple[dt.date | None, dt.date]]:
    """Half-open day ranges joined where they touch or overlap (None sorts first: unbounded)."""
    out: list[tuple[dt.date | None, dt.date]] = []
    for a, b in sorted(ranges, key=lambda r: (r[0] is not None, r[0] or EARLIEST, r[1])):
        if a is not None and a >= b:
            continue
        if out and (a is None or out[-1][1] >= a):
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _buckets(
    unit_ids: list[int],
    periods: list[tuple[dt.date, dt.date]],
    today: dt.date,
    now: dt.datetime,
    columns: list[str],
    behind: list[bool],
    db: str,
) -> list[dict[tuple[Any, ...], _Bucket]]:
    """Each period's buckets by `columns`; the rows every period needs are read once."""
    current = aggregates.state(db)
    horizon = current.horizon if current.watermark is not None else None
    spans = [_Span.of(start, end, today, horizon) for start, end in periods]
    out: list[dict[tuple[Any, ...], _Bucket]] = [defaultdict(_Bucket) for _s in spans]

    def key_of(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(row[c] for c in columns)

    # 1. Month rows: whole months' flows, and the stored starts the balances build on.
    # Merged into contiguous ranges: a year is then one range (its twelve months and the next
    # one's base) that the index on `month` reads, where "range OR month IN (…)" made
    # PostgreSQL scan the whole table (10,000,000 dossiers: 290 ms for the province's year).
    months = Q()
    for a, b in _merged(r for span in spans for r in span.month_ranges()):
        months |= Q(month__lt=b) if a is None else Q(month__gte=a, month__lt=b)
    if months:
        month_rows = (
            month_table(columns)
            .objects.using(db)
            .filter(months, unit_id__in=unit_ids)
            .values(*columns, "month")
            .annotate(**_FLOW_SUMS, **_START_SUMS)
            .order_by()
        )
        for row in month_rows:
            key = key_of(row)
            for span, buckets in zip(spans, out, strict=True):
                span.add_month(buckets[key], row)

    # 2. Day rows: the ragged ends' flows, and the days between a base month and a balance day.
    days = Q(pk__in=[])
    for a, b in _merged(r for span in spans for r in span.day_ranges()):
        days |= Q(day__lt=b) if a is None else Q(day__gte=a, day__lt=b)
    day_rows = (
        ResolutionDay.objects.using(db)
        .filter(days, unit_id__in=unit_ids)
        .values(*columns, "day")
        .annotate(**_FLOW_SUMS, **_DELTA_SUMS)
        .order_by()
    )
    for row in day_rows:
        key = key_of(row)
        for span, buckets in zip(spans, out, strict=True):
            span.add_day(buckets[key], row)

    # 3. Changes not swept yet, as rows of the same shape.
    extra = aggregates.pending(current, unit_ids, db)
    behind.append(extra.behind)
    wanted = set(unit_ids)
    pending_days = [
        (day, key, values)
        for (day, key), values in extra.tally.day_rows().items()
        if key[0] in wanted
    ]
    pending_months = [
        (month, key, values)
        for (month, key), values in extra.tally.month_rows().items()
        if key[0] in wanted
    ]
    for span, buckets in zip(spans, out, strict=True):
        _add_tally(buckets, span, pending_days, pending_months, columns)

    # 4. Live: what is open now, and whether it is past due now.
    if any(span.live for span in spans):
        open_now = _open_now(unit_ids, columns, today, now, db)
        for span, buckets in zip(spans, out, strict=True):
            if span.live:
                for key, states in open_now:
                    for c, n in states.items():
                        buckets[key].end[c] += n
    return out


def month_table(columns: Collection[str]) -> type[ResolutionMonth | ResolutionMonthField]:
    """The month table a grouping reads: the one without the procedure (several times fewer
    rows; the same sums) unless the rows are grouped by procedure."""
    return ResolutionMonth if "procedure_id" in columns else ResolutionMonthField


_KEY_POSITION = {"unit_id": 0, "field_id": 1, "procedure_id": 2, "channel": 3}


def _add_tally(
    buckets: dict[tuple[Any, ...], _Bucket],
    span: _Span,
    day_rows: list[tuple[dt.date, Key, dict[str, int]]],
    month_rows: list[tuple[dt.date, Key, dict[str, int]]],
    columns: list[str],
) -> None:
    """Add in-memory rows (the pending difference) exactly as stored rows are added."""

    def key_of(key: Key) -> tuple[Any, ...]:
        return tuple(key[_KEY_POSITION[c]] for c in columns)

    for day, key, values in day_rows:
        row = {
            **values,
            **{
                f"received_{name}": values.get("received", 0) if key[3] == code else 0
                for name, code in CHANNEL_CODES.items()
            },
        }
        bucket = buckets[key_of(key)]
        if span.start <= day <= span.flows_end:
            _add_flows(bucket, row)
        if (span.carried_base is None or span.carried_base <= day) and day < span.start:
            _add_deltas(bucket.start, row)
        if not span.live and (span.end_base is None or span.end_base <= day) and day < span.end_day:
            _add_deltas(bucket.end, row)
    for month, key, values in month_rows:
        bucket = buckets[key_of(key)]
        for states, base in ((bucket.start, span.carried_base), (bucket.end, span.end_base)):
            if month == base:
                for c in ("open", "overdue_apology", "overdue_no_apology", "supplement"):
                    states[c] += values.get(f"{c}_start", 0)


def _open_now(
    unit_ids: list[int],
    columns: list[str],
    today: dt.date,
    now: dt.datetime,
    db: str,
) -> list[tuple[tuple[Any, ...], dict[str, int]]]:
    """In progress at the end of today (the same day-granularity as the tables: received by
    then, not finished by then), judged overdue against now; one indexed query."""
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, TZ)
    stopped = [Status.SUPPLEMENT]
    if rules.payment_stops_clock():
        stopped.append(Status.PAYMENT)
    overdue = Q(original_due_at__lt=now) & ~Q(status__in=stopped)
    apology = Q(reschedule_count__gt=0) | Q(rescheduled_at__isnull=False)
    dossier_column = {
        "unit_id": "processing_unit_id",
        "field_id": "field_id",
        "procedure_id": "procedure_id",
        "channel": "channel",
    }
    open_dossiers = Dossier.objects.using(db).filter(
        Q(finished_at__isnull=True) | Q(finished_at__gte=tomorrow),
        processing_unit_id__in=unit_ids,
        received_at__lt=tomorrow,
    )
    counts = {
        "open": Count("id"),
        "overdue_apology": Count("id", filter=overdue & apology),
        "overdue_no_apology": Count("id", filter=overdue & ~apology),
        "supplement": Count("id", filter=Q(status=Status.SUPPLEMENT)),
    }
    if not columns:
        # No grouping: one row of totals (a GROUP BY of nothing would need a dummy column).
        totals = open_dossiers.aggregate(**counts)
        return [((), {c: totals[c] or 0 for c in counts})]
    rows = open_dossiers.values(*(dossier_column[c] for c in columns)).annotate(**counts).order_by()
    out = []
    for row in rows:
        key = tuple(
            CHANNEL_CODES[row["channel"]] if c == "channel" else row[dossier_column[c]]
            for c in columns
        )
        out.append((key, {c: row[c] for c in counts}))
    return out


# -- rows with their names -----------------------------------------------------------------------


def level_of(unit: Unit) -> str:
    owner_kind = unit.admin_owner.kind if unit.admin_owner_id and unit.admin_owner else unit.kind
    if owner_kind == UnitKind.PROVINCE:
        return Level.PROVINCE
    if owner_kind == UnitKind.DISTRICT:
        return Level.DISTRICT
    return Level.COMMUNE


LEVEL_ORDER: dict[str, int] = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2}


def _namers(
    dims: tuple[str, ...], keys: Iterable[tuple[Any, ...]], columns: list[str]
) -> list[Callable[[tuple[Any, ...]], tuple[str, str, Any]]]:
    """For each dimension: key → (code, label, sort key)."""
    keys = list(keys)
    index = {c: i for i, c in enumerate(columns)}

    def ids(column: str) -> set[Any]:
        return {k[index[column]] for k in keys}

    namers: list[Callable[[tuple[Any, ...]], tuple[str, str, Any]]] = []
    for d in dims:
        if d == Dimension.FIELD:
            fields = {f.pk: f for f in Field.objects.filter(pk__in=ids("field_id"))}

            def name_field(k: tuple[Any, ...], f: dict[Any, Any] = fields) -> tuple[str, str, Any]:
                found = f.get(k[index["field_id"]])
                return (found.code, found.name, found.name) if found else ("?", "?", "~")

            namers.append(name_field)
        elif d == Dimension.PROCEDURE:
            procs = {p.pk: p for p in Procedure.objects.filter(pk__in=ids("procedure_id"))}

            def name_proc(k: tuple[Any, ...], p: dict[Any, Any] = procs) -> tuple[str, str, Any]:
                found = p.get(k[index["procedure_id"]])
                return (
                    (found.code, f"{found.code} – {found.name}", found.code)
                    if found
                    else ("?", "?", "~")
                )

            namers.append(name_proc)
        elif d == Dimension.CHANNEL:

            def name_channel(k: tuple[Any, ...]) -> tuple[str, str, Any]:
                name = CHANNEL_BY_CODE[k[index["channel"]]]
                return name, str(Channel(name).label), k[index["channel"]]

            namers.append(name_channel)
        else:
            units = {
                u.pk: u
                for u in Unit.objects.filter(pk__in=ids("unit_id")).select_related("admin_owner")
            }
            if d == Dimension.UNIT:

                def name_unit(
                    k: tuple[Any, ...], u: dict[Any, Any] = units
                ) -> tuple[str, str, Any]:
                    found = u.get(k[index["unit_id"]])
                    return (found.code, found.name, found.path) if found else ("?", "?", "~")

                namers.append(name_unit)
            else:

                def name_level(
                    k: tuple[Any, ...], u: dict[Any, Any] = units
                ) -> tuple[str, str, Any]:
                    found = u.get(k[index["unit_id"]])
                    level = level_of(found) if found else Level.COMMUNE
                    return level, str(Level(level).label), LEVEL_ORDER[level]

                namers.append(name_level)
    return namers


def _counts(bucket: _Bucket) -> Counts:
    f, s, e = bucket.flows, bucket.start, bucket.end
    return Counts(
        received_counter=f["received_counter"],
        received_postal=f["received_postal"],
        received_online_full=f["received_online_full"],
        received_online_partial=f["received_online_partial"],
        received_cross_boundary=f["received_cross"],
        carried_over=s["open"],
        resolved_early=f["early"],
        resolved_on_time=f["on_time"],
        resolved_late_apology=f["late_apology"],
        resolved_late_no_apology=f["late_no_apology"],
        resolved_refused=f["refused"],
        withdrawn=f["withdrawn"],
        stopped=f["stopped"],
        in_progress_total=e["open"],
        in_progress_overdue_apology=e["overdue_apology"],
        in_progress_overdue_no_apology=e["overdue_no_apology"],
        waiting_supplement=e["supplement"],
        rated=f["rated"],
        satisfied=f["satisfied"],
    )


def _fill(
    report: ResolutionReport, buckets: dict[tuple[Any, ...], _Bucket], dims: tuple[str, ...]
) -> None:
    columns = _sql_columns(dims)
    namers = _namers(dims, buckets.keys(), columns)
    grouped: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[Any, ...], Counts]] = {}
    for key, bucket in buckets.items():
        counts = _counts(bucket)
        if not any(getattr(counts, k) for k in _STORED):
            continue
        named = [n(key) for n in namers]
        code = tuple(str(c) for c, _l, _s in named)
        if code in grouped:
            label, order, before = grouped[code]
            grouped[code] = (label, order, before + counts)
        else:
            grouped[code] = (
                tuple(label for _c, label, _s in named),
                tuple(s for _c, _l, s in named),
                counts,
            )
    ordered = sorted(grouped.items(), key=lambda item: (item[1][1], item[0]))
    report.rows = [Row(code, label, counts) for code, (label, _o, counts) in ordered]
    total = Counts()
    for row in report.rows:
        total = total + row.counts
    report.total = total
