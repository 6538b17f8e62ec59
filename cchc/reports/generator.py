"""A realistic province for demos and benchmarks: `python manage.py generate_demo --dossiers N`.

On top of the demo (`load_demo`: the province of Thanh Hóa, its communes, the demo catalogue and
staff) it adds communes until each receives about 10,000 dossiers a year (REFERENCE §9: Bình
Dương's communes, 2021), adopts the demo catalogue in them, and generates N dossiers over the
last `years` years, a calendar month at a time, with numpy (no ORM row by row), written with
COPY on PostgreSQL and batched INSERTs on SQLite; then ratings, PAKN, the dossier code counters,
and the report tables (`aggregates.rebuild`).

What the dossiers look like (the shares are the generator's, not statistics):
- received on working days (the national calendar) within office hours, more each year (+12 %
  a year), in communes of unequal size; online channels grow from 15 % to 55 % of receipts,
  3 % come by post, 3 % are received at another commune (phi địa giới);
- procedures weighted as a commune's counter sees them (chứng thực and hộ tịch first);
- due moments from the real calendar and each procedure's time (`deadlines.due_dates_array`;
  same-day procedures by the 15:00 cut-off);
- 4 % wait for a supplement (then the time counts again from its return, as `supplement_received`
  does); outcomes: about 72 % early, 20 % on time, 4 % late (half of them with an apology and a
  new date), 1 % refused after appraisal, 2 % withdrawn, 1 % stopped; what would finish after now
  is still open now (in processing, waiting for a supplement or for payment);
- 35 % of the returned dossiers are rated (mostly satisfied); one PAKN per 400 dossiers.
- every fee paid is one payment at receipt, online for two thirds of the online dossiers and
  none of the others (QĐ 766's online-payment rate); the result of every finished online toàn trình
  dossier, 60 % of the online một phần and 20 % of the others is issued as an electronic document.
Generated dossiers carry no history events, steps or documents (so none counts as digitised); applicants are made up (names
from common parts, phone and identity numbers random). Dossiers received before the demo
catalogue's versions took effect point at the earliest version. Demo communes that exist only
from 01/07/2025 get dossiers from that day on.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from cchc.catalogue.models import Procedure, UnitProcedure
from cchc.dossiers import rules
from cchc.dossiers.choices import Channel, PaymentMethod
from cchc.dossiers.models import Dossier, DossierCounter, DossierPayment
from cchc.feedback.models import Feedback, Rating
from cchc.lib.text import fold
from cchc.reports import aggregates
from cchc.reports.facts import facts_of
from cchc.units.choices import UnitKind
from cchc.units.models import Unit
from cchc.worktime import deadlines
from cchc.worktime.snapshot import load_calendar

PROVINCE = "38"
PER_COMMUNE_A_YEAR = 10_000
MAX_COMMUNES = 200
SECOND = np.int64(1)
HOUR = 3600
DAY = 86_400
VN = 7 * HOUR  # Asia/Ho_Chi_Minh is UTC+7 all year

# A commune's counter: chứng thực and hộ tịch make most of the work.
FIELD_WEIGHTS = {"chung-thuc": 38.0, "ho-tich": 34.0, "bao-tro-xa-hoi": 6.0, "dat-dai": 4.0}
OTHER_FIELD_WEIGHT = 2.0

FIRST_NAMES = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Phương",
    "Quân",
    "Sơn",
    "Thảo",
    "Tuấn",
]
MIDDLE_NAMES = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Hữu", "Quang"]
FAMILY_NAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Lý",
    "Mai",
]
PLACE_FIRST = [
    "Hoằng",
    "Quảng",
    "Thiệu",
    "Yên",
    "Vĩnh",
    "Hà",
    "Nông",
    "Triệu",
    "Thọ",
    "Đông",
    "Tĩnh",
    "Hậu",
    "Cẩm",
    "Thạch",
    "Ngọc",
    "Như",
    "Bá",
    "Trung",
    "Định",
    "Xuân",
]
PLACE_SECOND = [
    "Lộc",
    "Phú",
    "Hòa",
    "An",
    "Thịnh",
    "Hưng",
    "Thành",
    "Tân",
    "Long",
    "Sơn",
    "Hải",
    "Tiến",
    "Giang",
    "Minh",
    "Đức",
    "Thái",
    "Châu",
    "Lâm",
    "Phong",
    "Quang",
]


@dataclass
class Plan:
    dossiers: int
    years: int = 5
    end: dt.date | None = None  # the last day with receipts (default: today)
    communes: int | None = None
    seed: int = 11
    # PostgreSQL, for a bulk load into a large table: drop the dossier and rating indexes that
    # back no constraint, load, and create them again (sorted, at once) instead of updating
    # each of them row by row. The tables are then unindexed while the load runs.
    defer_indexes: bool = False


@dataclass
class Result:
    dossiers: int = 0
    ratings: int = 0
    payments: int = 0
    feedback: int = 0
    communes: int = 0
    generate_seconds: float = 0.0
    aggregate_seconds: float = 0.0
    index_seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        rows = self.dossiers + self.ratings + self.payments + self.feedback
        return rows / self.generate_seconds if self.generate_seconds else 0.0


@dataclass
class _Procedure:
    pk: int
    version: int
    field: int
    days: int  # working days; 0 = same day
    fee: int


@dataclass
class _World:
    units: list[Unit]
    weights: npt.NDArray[np.float64]
    starts: npt.NDArray[np.int64]  # epoch day each unit receives from
    ends: npt.NDArray[np.int64]  # and until
    agencies: list[str]
    names: list[str]
    procedures: list[_Procedure]
    proc_weights: npt.NDArray[np.float64]
    calendar: deadlines.WorkCalendar
    working_days: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))


def _epoch_day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _province(plan: Plan, rng: np.random.Generator) -> tuple[Unit, list[Unit]]:
    if not Procedure.objects.exists() or not Unit.objects.filter(code=PROVINCE).exists():
        call_command("load_demo", no_dossiers=True, verbosity=0)
    province = Unit.objects.current().get(code=PROVINCE)
    # Every commune of the province that existed during the period: today's, and those merged
    # away on 01/07/2025 (their dossiers keep their old unit, as imported history does).
    communes = list(
        Unit.objects.filter(path__startswith=province.path, kind__in=UnitKind.commune_level())
        .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=plan_start(plan)))
        .order_by("code")
    )
    current = [u for u in communes if u.valid_to is None]
    wanted = plan.communes or max(
        len(current), min(MAX_COMMUNES, round(plan.dossiers / plan.years / PER_COMMUNE_A_YEAR))
    )
    made: list[Unit] = []
    i = 0
    taken = {u.code for u in Unit.objects.all()}
    while len(current) + len(made) < wanted:
        code = f"{16330 + 3 * i:05d}"
        name = f"{PLACE_FIRST[i % len(PLACE_FIRST)]} {PLACE_SECOND[(i // len(PLACE_FIRST)) % len(PLACE_SECOND)]}"
        i += 1
        if code in taken:
            continue
        kind = UnitKind.WARD if i % 10 == 0 else UnitKind.COMMUNE
        made.append(
            Unit.objects.create(
                code=code,
                name=f"{'Phường' if kind == UnitKind.WARD else 'Xã'} {name}",
                kind=kind,
                parent=province,
                agency_identifier=f"000.{10 + i % 90:02d}.{20 + i // 90:02d}.H56",
                address=f"Trung tâm xã {name}, tỉnh Thanh Hóa",
            )
        )
    if made:
        procedures = list(Procedure.objects.values_list("pk", flat=True))
        UnitProcedure.objects.bulk_create(
            [
                UnitProcedure(unit=u, procedure_id=p, implemented=True)
                for u in made
                for p in procedures
            ],
            ignore_conflicts=True,
        )
    return province, communes + made


def plan_start(plan: Plan) -> dt.date:
    end = plan.end or timezone.localdate()
    return dt.date(end.year - plan.years, end.month, end.day) + dt.timedelta(days=1)


def _world(plan: Plan, rng: np.random.Generator, start: dt.date, end: dt.date) -> _World:
    _province_unit, units = _province(plan, rng)
    # Unequal communes: a few large wards, many small communes.
    weights = rng.lognormal(mean=0.0, sigma=0.6, size=len(units))
    starts = np.array(
        [_epoch_day(u.valid_from) if u.valid_from else _epoch_day(start) for u in units], np.int64
    )
    ends = np.array(
        [_epoch_day(u.valid_to) if u.valid_to else _epoch_day(end) for u in units], np.int64
    )
    procs = []
    proc_weights = []
    for p in Procedure.objects.select_related("field").prefetch_related("versions__fees"):
        versions = sorted(p.versions.all(), key=lambda v: v.effective_from)
        if not versions:
            continue
        v = versions[0]
        days = int(v.processing_time) if v.time_unit == "working_days" else 0
        if v.time_unit == "working_hours":
            days = max(1, int(v.processing_time) // 8)
        procs.append(_Procedure(p.pk, v.pk, p.field_id, days, v.total_fee_vnd))
        proc_weights.append(FIELD_WEIGHTS.get(p.field.code, OTHER_FIELD_WEIGHT))
    pw = np.array(proc_weights, np.float64)
    calendar = load_calendar()
    first = _epoch_day(start)
    every_day = range(first, _epoch_day(end) + 1)
    working = np.array(
        [d for d in every_day if calendar.is_working_day(dt.date(1970, 1, 1) + dt.timedelta(d))],
        np.int64,
    )
    return _World(
        units=units,
        weights=weights / weights.sum(),
        starts=starts,
        ends=ends,
        agencies=[u.agency_identifier for u in units],
        names=[u.name for u in units],
        procedures=procs,
        proc_weights=pw / pw.sum(),
        calendar=calendar,
        working_days=working,
    )


# -- one month of dossiers, as columns --------------------------------------------------------


def _due(
    world: _World, clock: npt.NDArray[np.int64], days: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Due moments (epoch seconds) for clock starts (epoch seconds) and working days (0: same
    day, by the 15:00 cut-off), on the national calendar, at its closing time."""
    local = clock + VN
    day = local // DAY
    close = world.calendar.hours.closing
    close_s = close.hour * HOUR + close.minute * 60
    cutoff = world.calendar.hours.same_day_cutoff
    cutoff_s = cutoff.hour * HOUR + cutoff.minute * 60
    same = days == 0
    # Same day: before the cut-off on a working day, today; else the next working day.
    working = world.working_days
    idx = np.searchsorted(working, day)
    is_working = (idx < working.size) & (working[np.minimum(idx, working.size - 1)] == day)
    today_ok = is_working & ((local % DAY) < cutoff_s)
    count = np.where(same, np.where(today_ok, 0, 1), days)
    # The count-th working day after the receipt day (count 0: the receipt day itself).
    after = np.searchsorted(working, day, side="right") + count - 1
    target = np.where(count == 0, day, working[np.minimum(after, working.size - 1)])
    overflow = after >= working.size
    target = np.where(
        overflow, day + count + 2 * (count // 5), target
    )  # past the calendar: weekdays
    return target * DAY + close_s - VN


@dataclass
class _Batch:
    n: int
    cols: dict[str, Any]
    ratings: dict[str, Any]


def _month(
    world: _World,
    rng: np.random.Generator,
    day_counts: npt.NDArray[np.int64],
    days: npt.NDArray[np.int64],
    now: int,
    online_share: npt.NDArray[np.float64],
) -> _Batch:
    n = int(day_counts.sum())
    day = np.repeat(days, day_counts)
    share = np.repeat(online_share, day_counts)
    # Each day's dossiers go to the communes that existed that day, by size; 3 % are received
    # at another of them (phi địa giới).
    units = np.empty(n, np.int64)
    receiving = np.empty(n, np.int64)
    for d in np.unique(day):
        these = np.flatnonzero(day == d)
        alive = np.flatnonzero((world.starts <= d) & (world.ends >= d))
        w = world.weights[alive] / world.weights[alive].sum()
        units[these] = alive[rng.choice(alive.size, size=these.size, p=w)]
        receiving[these] = alive[rng.integers(0, alive.size, size=these.size)]
    cross = (rng.random(n) < 0.03) & (receiving != units)
    receiving = np.where(cross, receiving, units)
    procs = rng.choice(len(world.procedures), size=n, p=world.proc_weights)
    proc_days = np.array([p.days for p in world.procedures], np.int64)[procs]
    # Office hours 07:30-11:30 and 13:00-17:00, to the second.
    minute = rng.integers(0, 480, size=n)
    minute = np.where(minute < 240, 450 + minute, 780 + minute - 240)
    received = day * DAY + minute * 60 + rng.integers(0, 60, size=n) - VN
    r = rng.random(n)
    channel = np.where(
        r < share * 0.45,
        "online_full",
        np.where(r < share, "online_partial", np.where(r < share + 0.03, "postal", "counter")),
    )

    # Supplement: asked within the first day or two, back after one to ten days; one asked
    # and not back by now is still awaited, with the due moment of its receipt.
    asked = received + rng.integers(2 * HOUR, 2 * DAY, size=n)
    back = asked + rng.integers(DAY, 10 * DAY, size=n)
    supplemented = (rng.random(n) < 0.04) & (asked <= now)
    waiting_supplement = supplemented & (back > now)
    clock = np.where(supplemented & ~waiting_supplement, back, received)
    due = _due(world, clock, proc_days)

    # Outcome drawn first; the finish moment follows from it.
    kind = rng.choice(
        7, size=n, p=[0.72, 0.20, 0.02, 0.02, 0.01, 0.02, 0.01]
    )  # early, on time, late+apology, late, refused, withdrawn, stopped
    due_day_start = ((due + VN) // DAY) * DAY - VN + 450 * 60  # 07:30 on the due day
    span_early = due_day_start - clock
    u = rng.random(n)
    finished = np.where(
        (kind == 0) & (span_early > 600),
        clock + 300 + (u * (span_early - 600)).astype(np.int64),
        np.where(
            kind <= 1,
            np.maximum(clock, due_day_start)
            + (u * np.maximum(due - np.maximum(clock, due_day_start), 0)).astype(np.int64),
            np.where(
                kind <= 3,
                due + HOUR + (u * 7 * DAY).astype(np.int64),
                np.where(
                    kind == 4,
                    clock + (u * np.maximum(due - clock, HOUR)).astype(np.int64),
                    clock + 600 + (u * np.maximum(due - clock, HOUR) * 0.6).astype(np.int64),
                ),
            ),
        ),
    )
    apology = kind == 2
    rescheduled = clock + ((due - clock) * 0.6).astype(np.int64)
    new_due = due + rng.integers(2, 8, size=n) * DAY

    # What would happen after now has not happened: still open (in processing, waiting for
    # the supplement, or for payment).
    open_now = (finished > now) | waiting_supplement
    apology &= ~open_now | (rescheduled <= now)
    payment = open_now & ~waiting_supplement & (rng.random(n) < 0.05)
    end_type = np.select(
        [kind <= 3, kind == 4, kind == 5, kind == 6],
        ["resolved", "refused", "withdrawn", "stopped"],
        default="",
    )
    resolved = (kind <= 4) & ~open_now
    returned_at = finished + rng.integers(10 * 60, 3 * DAY, size=n)
    returned = resolved & (returned_at <= now)
    status = np.select(
        [waiting_supplement, payment, open_now, returned, resolved, kind == 5],
        ["supplement", "payment", "processing", "returned", "resolved", "withdrawn"],
        default="stopped",
    )
    finished_local_day = (finished + VN) // DAY
    due_local_day = (due + VN) // DAY
    outcome = np.where(
        finished_local_day < due_local_day, "early", np.where(finished <= due, "on_time", "late")
    )
    fee = np.array([p.fee for p in world.procedures], np.int64)[procs]
    postal = channel == "postal"
    online = (channel == "online_full") | (channel == "online_partial")
    return_method = np.where(
        postal, "postal", np.where(online & (rng.random(n) < 0.6), "online", "counter")
    )
    submitted = np.where(online, received - (rng.random(n) * 20 * HOUR).astype(np.int64), received)
    last = np.where(
        open_now,
        np.maximum(received, np.where(supplemented, asked, received)),
        np.where(returned, returned_at, finished),
    )
    # Ratings: a third of the returned dossiers, mostly satisfied, soon after the return.
    rated = returned & (rng.random(n) < 0.35)
    rated_at = returned_at + rng.integers(60, 2 * HOUR, size=n)
    rated &= rated_at <= now
    level = rng.choice([5, 4, 3, 2, 1], size=n, p=[0.58, 0.30, 0.08, 0.03, 0.01])

    cols = {
        "unit": units,
        "receiving": receiving,
        "cross": cross,
        "proc": procs,
        "channel": channel,
        "return_method": return_method,
        "submitted": submitted,
        "received": received,
        "clock": clock,
        "due": due,
        "due_at": np.where(apology, new_due, due),
        "rescheduled": np.where(apology, rescheduled, -1),
        "asked": np.where(supplemented, asked, -1),
        "supplement_wait": np.where(supplemented & ~waiting_supplement, back - asked, -1),
        "payment_requested": np.where(
            payment, np.maximum(received, now - rng.integers(HOUR, 5 * DAY, size=n)), -1
        ),
        "finished": np.where(open_now, -1, finished),
        "end_type": np.where(open_now, "", end_type),
        "outcome": np.where(open_now | (kind >= 5), "", outcome),
        "returned": np.where(returned, returned_at, -1),
        "status": status,
        "fee": fee,
        "fee_paid": np.where(resolved, fee, 0),
        "updated": np.minimum(np.maximum(last, received), now),
        "rng": rng.integers(0, 2**31, size=n),
    }
    ratings = {
        "rows": np.flatnonzero(rated),
        "at": rated_at[rated],
        "level": level[rated],
    }
    return _Batch(n, cols, ratings)


# -- writing ------------------------------------------------------------------------------------


def _timestamps(values: npt.NDArray[np.int64], pg: bool) -> list[str | None]:
    """Epoch seconds (-1: none) as the text each database reads for an aware moment (UTC)."""
    text = np.datetime_as_string(values.astype("datetime64[s]"), unit="s")
    text = np.char.replace(text, "T", " ")
    if pg:
        text = np.char.add(text, "+00")
    out: list[str | None] = text.tolist()
    for i in np.flatnonzero(values < 0).tolist():
        out[i] = None
    return out


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _moment(seconds: int) -> dt.datetime | None:
    return _EPOCH + dt.timedelta(seconds=seconds) if seconds >= 0 else None


def _durations(values: npt.NDArray[np.int64], pg: bool) -> list[str | None]:
    out: list[str | None] = [
        (f"{v} seconds" if pg else str(v * 1_000_000)) if v >= 0 else None for v in values.tolist()
    ]
    return out


class _Writer:
    """Rows into a table: COPY on PostgreSQL, INSERTs on SQLite; values given as text or None."""

    def __init__(self, model: type[Any]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.pg = connection.vendor == "postgresql"

    def next_ids(self, n: int) -> list[int]:
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.table, n],
                )
                return [pk for (pk,) in cursor.fetchall()]
        top = self.model.objects.aggregate(m=Max("id"))["m"] or 0
        top = max(top, getattr(self, "_last", 0))
        self._last = top + n
        return list(range(top + 1, top + n + 1))

    def write(self, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if self.pg:
                # Text COPY, a chunk at a time; the generated values hold no tab, newline or
                # backslash.
                with cursor.cursor.copy(f"COPY {self.table} ({quoted}) FROM STDIN") as copy:
                    for i in range(0, len(rows), 20_000):
                        copy.write(
                            "".join(
                                "\t".join("\\N" if v is None else str(v) for v in row) + "\n"
                                for row in rows[i : i + 20_000]
                            )
                        )
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {self.table} ({quoted}) VALUES ({marks})", rows)


DOSSIER_COLUMNS = [
    "id",
    "code",
    "row_version",
    "status",
    "procedure_id",
    "procedure_version_id",
    "field_id",
    "receiving_unit_id",
    "processing_unit_id",
    "channel",
    "return_method",
    "applicant_kind",
    "applicant_name",
    "applicant_name_folded",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "sets",
    "cross_boundary",
    "submitted_at",
    "received_at",
    "clock_started_at",
    "original_due_at",
    "due_at",
    "rescheduled_at",
    "reschedule_count",
    "extended_at",
    "supplement_requested_at",
    "supplement_count",
    "supplement_wait",
    "payment_requested_at",
    "payment_wait",
    "fee_due_vnd",
    "fee_paid_vnd",
    "finished_at",
    "end_type",
    "outcome",
    "returned_at",
    "result_digital",
    "postal_tracking",
    "assignee_id",
    "received_by_id",
    "external_id",
    "created_at",
    "updated_at",
]


def _check_columns() -> None:
    """A column added to Dossier later must be filled here: stop with a clear message."""
    known = set(DOSSIER_COLUMNS)
    missing = [
        f.attname
        for f in Dossier._meta.concrete_fields
        if f.attname not in known and not f.null and not f.has_default()
    ]
    if missing:
        raise RuntimeError(f"generate_demo does not fill the new dossier columns: {missing}")


def _write_month(
    world: _World,
    batch: _Batch,
    counters: dict[tuple[str, int], int],
    writers: dict[str, _Writer],
) -> tuple[int, int]:
    pg = connection.vendor == "postgresql"
    c = batch.cols
    n = batch.n
    ids = writers["dossier"].next_ids(n)
    # Codes: <agency of the receiving unit>-YYMMDD-NNNN, numbered per unit and day in order of
    # receipt (after anything already numbered that day).
    local_day = (c["received"] + VN) // DAY
    order = np.lexsort((c["received"], local_day, c["receiving"]))
    numbers = np.empty(n, np.int64)
    keys = list(zip(c["receiving"][order].tolist(), local_day[order].tolist(), strict=True))
    previous = None
    count = 0
    for position, key in zip(order.tolist(), keys, strict=True):
        if key != previous:
            agency_key = (world.agencies[key[0]], key[1])
            count = counters.get(agency_key, 0)
            previous = key
        count += 1
        numbers[position] = count
        counters[(world.agencies[key[0]], key[1])] = count
    ts = {
        k: _timestamps(c[k], pg)
        for k in (
            "submitted", "received", "clock", "due", "due_at", "rescheduled", "asked",
            "payment_requested", "finished", "returned", "updated",
        )
    }  # fmt: skip
    waits = _durations(c["supplement_wait"], pg)
    yes, no = ("t", "f") if pg else (1, 0)
    lists = {
        k: c[k].tolist()
        for k in (
            "unit", "receiving", "proc", "channel", "return_method", "status", "cross", "fee",
            "fee_paid", "end_type", "outcome", "rng",
        )
    }  # fmt: skip
    numbers_list = numbers.tolist()
    day_list = local_day.tolist()
    unit_pks = [u.pk for u in world.units]
    stamps: dict[int, str] = {}
    people: dict[int, tuple[str, str]] = {}
    rows = []
    for i in range(n):
        p = world.procedures[lists["proc"][i]]
        seed = lists["rng"][i]
        who = seed % 2240
        person = people.get(who)
        if person is None:
            name = f"{FAMILY_NAMES[who % 14]} {MIDDLE_NAMES[(who // 14) % 8]} {FIRST_NAMES[who // 112]}"
            person = people[who] = (name, fold(name))
        stamp = stamps.get(day_list[i])
        if stamp is None:
            stamp = stamps[day_list[i]] = (
                f"{dt.date(1970, 1, 1) + dt.timedelta(days=day_list[i]):%y%m%d}"
            )
        unit, receiving = lists["unit"][i], lists["receiving"][i]
        status, channel = lists["status"][i], lists["channel"][i]
        rescheduled, asked = ts["rescheduled"][i], ts["asked"][i]
        rows.append(
            (
                ids[i],
                f"{world.agencies[receiving]}-{stamp}-{numbers_list[i]:04d}",
                1,
                status,
                p.pk,
                p.version,
                p.field,
                unit_pks[receiving],
                unit_pks[unit],
                channel,
                lists["return_method"][i],
                "person",
                person[0],
                person[1],
                f"038{seed % 1_000_000_000:09d}",
                f"09{(seed * 7919) % 100_000_000:08d}",
                "",
                f"Thôn {1 + seed % 12}, {world.names[unit]}",
                1,
                yes if lists["cross"][i] else no,
                ts["submitted"][i],
                ts["received"][i],
                ts["clock"][i],
                ts["due"][i],
                ts["due_at"][i],
                rescheduled,
                0 if rescheduled is None else 1,
                None,
                asked,
                0 if asked is None else 1,
                waits[i],
                ts["payment_requested"][i],
                None,
                lists["fee"][i],
                lists["fee_paid"][i],
                ts["finished"][i],
                lists["end_type"][i],
                lists["outcome"][i],
                ts["returned"][i],
                no,  # result_digital: set for finished dossiers by payments_and_results
                f"EB{ids[i]:09d}VN" if channel == "postal" and status == "returned" else "",
                None,
                None,
                None,
                ts["submitted"][i],
                ts["updated"][i],
            )
        )
    writers["dossier"].write(DOSSIER_COLUMNS, rows)

    r = batch.ratings
    m = len(r["rows"])
    rating_of: dict[int, tuple[dt.datetime, int]] = {
        i: (_moment(int(at)), int(level))  # type: ignore[misc]
        for i, at, level in zip(
            r["rows"].tolist(), r["at"].tolist(), r["level"].tolist(), strict=True
        )
    }
    # The report facts of each new dossier, by the one definition (facts_of), from the same
    # moments: the report tables are then built without reading the dossiers back.
    payment_stops = rules.payment_stops_clock()
    raw = {
        k: c[k].tolist()
        for k in (
            "received",
            "clock",
            "due",
            "rescheduled",
            "asked",
            "payment_requested",
            "finished",
        )
    }
    facts = []
    for i in range(n):
        row = (
            ids[i],
            unit_pks[lists["unit"][i]],
            world.procedures[lists["proc"][i]].field,
            world.procedures[lists["proc"][i]].pk,
            lists["channel"][i],
            lists["cross"][i],
            lists["status"][i],
            _moment(raw["received"][i]),
            _moment(raw["clock"][i]),
            _moment(raw["due"][i]),
            _moment(raw["rescheduled"][i]),
            0 if raw["rescheduled"][i] < 0 else 1,
            _moment(raw["asked"][i]),
            _moment(raw["payment_requested"][i]),
            _moment(raw["finished"][i]),
            lists["end_type"][i],
            lists["outcome"][i],
        )
        f = facts_of(row, rating_of.get(i), payment_stops=payment_stops)
        if f is not None:
            facts.append((ids[i], f))
    aggregates.write_counted(facts)
    if m:
        rating_ids = writers["rating"].next_ids(m)
        at = _timestamps(r["at"], pg)
        rating_rows = []
        for j, i in enumerate(r["rows"].tolist()):
            unit, receiving = lists["unit"][i], lists["receiving"][i]
            rating_rows.append(
                (
                    rating_ids[j],
                    ids[i],
                    int(r["level"][j]),
                    "[]",
                    "",
                    ("lookup", "link", "kiosk")[i % 3],
                    at[j],
                    unit_pks[unit],
                    unit_pks[receiving],
                    world.procedures[lists["proc"][i]].pk,
                    None,
                )
            )
        writers["rating"].write(
            [
                "id",
                "dossier_id",
                "level",
                "reasons",
                "comment",
                "channel",
                "created_at",
                "processing_unit_id",
                "receiving_unit_id",
                "procedure_id",
                "kiosk_officer_id",
            ],
            rating_rows,
        )
    return n, m


def _feedback(world: _World, rng: np.random.Generator, count: int, start: int, now: int) -> int:
    """PAKN spread over the period: most answered on time, some late, the recent ones open."""
    if count <= 0:
        return 0
    working = world.working_days[world.working_days * DAY - VN <= now]
    days = rng.choice(working[working >= start // DAY], size=count)
    received = days * DAY + rng.integers(450 * 60, 1020 * 60, size=count) - VN
    forward_due = _due(world, received, np.full(count, 5, np.int64))
    answer_due = _due(world, received, np.full(count, 10, np.int64))
    late = rng.random(count) < 0.08
    answered = np.where(
        late,
        answer_due + rng.integers(HOUR, 5 * DAY, size=count),
        received + ((answer_due - received) * rng.random(count)).astype(np.int64),
    )
    rows = []
    units = rng.choice(len(world.units), size=count, p=world.weights)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    suffixes = rng.integers(0, len(alphabet), size=(count, 8))
    for i in range(count):
        at = dt.datetime.fromtimestamp(int(received[i]), dt.UTC)
        done = int(answered[i]) <= now
        answered_at = dt.datetime.fromtimestamp(int(answered[i]), dt.UTC) if done else None
        rows.append(
            Feedback(
                code=f"PAKN-{at.astimezone(deadlines.TZ):%y%m%d}-"
                + "".join(alphabet[k] for k in suffixes[i]),
                kind="report" if i % 3 else "proposal",
                subject="procedure",
                unit=world.units[int(units[i])],
                content="Phản ánh về thời gian giải quyết hồ sơ (dữ liệu mẫu).",
                status="answered" if done else "classified",
                category="within",
                received_at=at,
                forward_due_at=dt.datetime.fromtimestamp(int(forward_due[i]), dt.UTC),
                answer_due_at=dt.datetime.fromtimestamp(int(answer_due[i]), dt.UTC),
                classified_at=at + dt.timedelta(hours=4),
                answered_at=answered_at,
                answer="Đã trả lời (dữ liệu mẫu)." if done else "",
                answer_outcome=("late" if late[i] else "on_time") if done else "",
            )
        )
    Feedback.objects.bulk_create(rows, batch_size=2000)
    return count


def _counters(counters: dict[tuple[str, int], int]) -> None:
    """The live counters must not hand out a generated code again."""
    existing = {
        (a, (d - dt.date(1970, 1, 1)).days): last
        for a, d, last in DossierCounter.objects.values_list("agency_identifier", "day", "last")
    }
    rows = [
        DossierCounter(agency_identifier=a, day=dt.date(1970, 1, 1) + dt.timedelta(days=d), last=n)
        for (a, d), n in counters.items()
        if n > existing.get((a, d), 0)
    ]
    DossierCounter.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["agency_identifier", "day"],
        update_fields=["last"],
    )


@contextmanager
def _indexes_deferred(enabled: bool, result: Result) -> Iterator[None]:
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    saved: list[str] = []
    with connection.cursor() as cursor:
        for model in (Dossier, Rating):
            table = model._meta.db_table
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s AND indexname NOT IN (SELECT c.relname FROM pg_constraint k "
                "JOIN pg_class c ON c.oid = k.conindid WHERE k.conrelid = %s::regclass)",
                [table, table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                saved.append(definition)
    try:
        yield
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # Inside one transaction (tests), the deferred foreign-key checks run first: an
            # index cannot be created on a table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for definition in saved:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
        result.index_seconds = time.perf_counter() - started


def generate(plan: Plan, *, progress: Callable[[str], None] | None = None) -> Result:
    _check_columns()
    say = progress or (lambda _m: None)
    rng = np.random.default_rng(plan.seed)
    now_moment = timezone.now()
    end = plan.end or timezone.localdate(now_moment)
    start = plan_start(plan)
    now = int(now_moment.timestamp())
    result = Result()
    # The dossiers already there are counted first (all of them, the first time), so that the
    # tables built at the end hold them with the new ones.
    aggregates.sweep()
    t0 = time.perf_counter()
    with transaction.atomic():
        world = _world(plan, rng, start, end)
    result.communes = len(world.units)
    working = world.working_days
    # More each year (+12 %), spread over the working days, whole numbers adding up to N.
    years_from_end = (working[-1] - working) / 365.25
    weights = 1.12 ** (-years_from_end)
    counts = rng.multinomial(plan.dossiers, weights / weights.sum())
    online = 0.15 + 0.40 * (1 - years_from_end / max(plan.years, 1))
    months = (working + VN // DAY).astype("datetime64[D]").astype("datetime64[M]")
    counters: dict[tuple[str, int], int] = {}
    first_day = dt.date(1970, 1, 1) + dt.timedelta(int(working[0]))
    for agency, day, last in (
        DossierCounter.objects.filter(day__gte=first_day)
        .values_list("agency_identifier", "day", "last")
        .iterator()
    ):
        counters[(agency, (day - dt.date(1970, 1, 1)).days)] = last
    before = Dossier.objects.aggregate(m=Max("id"))["m"] or 0
    writers = {"dossier": _Writer(Dossier), "rating": _Writer(Rating)}
    with _indexes_deferred(plan.defer_indexes, result):
        for month in np.unique(months):
            mask = months == month
            with transaction.atomic():
                batch = _month(world, rng, counts[mask], working[mask], now, online[mask])
                if batch.n:
                    made, rated = _write_month(world, batch, counters, writers)
                    result.dossiers += made
                    result.ratings += rated
            say(f"{month}: {result.dossiers:,} dossiers")
    with transaction.atomic():
        result.payments = payments_and_results(after_id=before)
        result.feedback = _feedback(world, rng, plan.dossiers // 400, _epoch_day(start) * DAY, now)
        _counters(counters)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Dossier._meta.db_table}")
            cursor.execute(f"ANALYZE {Rating._meta.db_table}")
    result.generate_seconds = time.perf_counter() - t0
    say(f"generated in {result.generate_seconds:.0f} s; building the report tables")
    t1 = time.perf_counter()
    aggregates.rebuild_days_and_months()
    result.aggregate_seconds = time.perf_counter() - t1
    return result


def payments_and_results(*, after_id: int) -> int:
    """Set-based, for the dossiers generated after `after_id`: one payment per fee paid, and the
    results issued electronically (the shares in the module's docstring). Returns the payments."""
    online = tuple(sorted(Channel.online()))
    dossier = Dossier._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DossierPayment._meta.db_table} "
            "(dossier_id, amount_vnd, method, receipt_number, paid_at, recorded_by_id) "
            "SELECT id, fee_paid_vnd, CASE WHEN channel IN (%s, %s) AND id %% 3 <> 0 "
            "THEN %s ELSE %s END, '', received_at, NULL "
            f"FROM {dossier} WHERE id > %s AND fee_paid_vnd > 0",
            [*online, PaymentMethod.ONLINE, PaymentMethod.CASH, after_id],
        )
        made = cursor.rowcount
        cursor.execute(
            f"UPDATE {dossier} SET result_digital = %s WHERE id > %s AND finished_at IS NOT NULL "
            "AND id %% 10 < CASE channel WHEN %s THEN 10 WHEN %s THEN 6 ELSE 2 END",
            [True, after_id, Channel.ONLINE_FULL, Channel.ONLINE_PARTIAL],
        )
    return made


def generated_before() -> bool:
    """Whether generated dossiers are there: they alone have no history event (a dossier
    received, submitted or imported has at least one)."""
    return Dossier.objects.filter(events__isnull=True).exists()
