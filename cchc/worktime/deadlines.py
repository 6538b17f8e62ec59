"""Deadline arithmetic: pure functions over an immutable working calendar.

Nothing here reads the database or the clock. Callers pass a `WorkCalendar` snapshot (built by
`cchc.worktime.snapshot`) and the moments involved; every moment must be timezone-aware and
every answer is in Asia/Ho_Chi_Minh. The rules are those of CALENDAR.md, explained in
docs/calendar.md.

Why it is fast: a calendar holds the sorted ordinals of its working days, so "the Nth working
day after a date" is one binary search plus one list index, whatever N is. Working time is a
position on a timeline made of the working days' office hours laid end to end, so working hours
and "time remaining" are a subtraction, never a walk through the days.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cchc.worktime.choices import OpenState, Outcome, RescheduleRefusal, TimeUnit

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS_PER_WORKING_DAY = 8
MAX_WORKING_DAYS = 3650
MAX_WORKING_HOURS = MAX_WORKING_DAYS * HOURS_PER_WORKING_DAY
# The span a snapshot indexes. Wide enough for receipts of any realistic year plus the longest
# accepted duration; outside it the functions refuse rather than guess.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)

_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3600 * _US_PER_SECOND
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


class DeadlineError(ValueError):
    """Input a deadline function cannot answer for (the API turns it into a 400)."""


class NaiveDatetimeError(DeadlineError):
    pass


class InvalidDuration(DeadlineError):
    pass


class OutOfCalendarRange(DeadlineError):
    pass


def _us_of(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


def _time_of(us: int) -> dt.time:
    seconds, micro = divmod(us, _US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, micro)


def to_local(moment: dt.datetime) -> dt.datetime:
    """The moment in Asia/Ho_Chi_Minh; a naive datetime is refused, never guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"naive datetime {moment.isoformat()}: a timezone is required")
    return moment.astimezone(TZ)


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """A unit's office hours: increasing, non-overlapping intervals, the same every working day."""

    intervals: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(7, 30), dt.time(11, 30)),
        (dt.time(13, 0), dt.time(17, 0)),
    )
    same_day_cutoff: dt.time = dt.time(15, 0)

    def __post_init__(self) -> None:
        if not self.intervals:
            raise ValueError("office hours need at least one interval")
        previous_end = -1
        for start, end in self.intervals:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("office hours are wall-clock times without a timezone")
            if not previous_end <= _us_of(start) < _us_of(end):
                raise ValueError("office hours must be increasing, non-overlapping intervals")
            previous_end = _us_of(end)

    @property
    def opening(self) -> dt.time:
        return self.intervals[0][0]

    @property
    def closing(self) -> dt.time:
        return self.intervals[-1][1]

    @property
    def length(self) -> dt.timedelta:
        return dt.timedelta(microseconds=sum(_us_of(e) - _us_of(s) for s, e in self.intervals))


DEFAULT_HOURS = OfficeHours()


class WorkCalendar:
    """An immutable snapshot: which dates are working days, and the office hours.

    A date is a working day when it is Monday–Friday or a make-up working day, and it is not a
    day off. Days off win over make-up days so that a unit closure on a make-up Saturday closes
    the unit.
    """

    __slots__ = (
        "_close",
        "_cutoff",
        "_day_len",
        "_first",
        "_last",
        "_spans",
        "_wd",
        "_wd_np",
        "days_off",
        "hours",
        "label",
        "working_weekend_days",
    )

    days_off: frozenset[dt.date]
    working_weekend_days: frozenset[dt.date]
    hours: OfficeHours
    label: str
    _first: int
    _last: int
    _wd: list[int]
    _wd_np: npt.NDArray[np.int64] | None
    _spans: tuple[tuple[int, int], ...]
    _day_len: int
    _close: dt.time
    _cutoff: dt.time

    def __init__(
        self,
        *,
        days_off: Iterable[dt.date] = (),
        working_weekend_days: Iterable[dt.date] = (),
        hours: OfficeHours = DEFAULT_HOURS,
        label: str = "",
        first: dt.date = FIRST_DAY,
        last: dt.date = LAST_DAY,
    ) -> None:
        off = frozenset(days_off)
        makeup = frozenset(working_weekend_days)
        weekdays = sorted(d for d in makeup if d.weekday() < 5)
        if weekdays:
            raise ValueError(f"make-up working days must be Saturdays or Sundays: {weekdays}")
        first_o, last_o = first.toordinal(), last.toordinal()
        off_o = {d.toordinal() for d in off}
        makeup_o = {d.toordinal() for d in makeup}
        # Ordinal 1 (0001-01-01) is a Monday, so (o - 1) % 7 is the weekday, Monday = 0.
        working = [
            o
            for o in range(first_o, last_o + 1)
            if ((o - 1) % 7 < 5 or o in makeup_o) and o not in off_o
        ]
        spans = tuple((_us_of(s), _us_of(e)) for s, e in hours.intervals)
        init = object.__setattr__
        init(self, "days_off", off)
        init(self, "working_weekend_days", makeup)
        init(self, "hours", hours)
        init(self, "label", label)
        init(self, "_first", first_o)
        init(self, "_last", last_o)
        init(self, "_wd", working)
        init(self, "_wd_np", None)
        init(self, "_spans", spans)
        init(self, "_day_len", sum(e - s for s, e in spans))
        init(self, "_close", hours.closing)
        init(self, "_cutoff", hours.same_day_cutoff)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("WorkCalendar is immutable: build a new one with derive()")

    def __repr__(self) -> str:
        return f"<WorkCalendar {self.label or 'unnamed'}: {len(self.days_off)} days off>"

    def derive(
        self,
        *,
        extra_days_off: Iterable[dt.date] = (),
        hours: OfficeHours | None = None,
        label: str | None = None,
    ) -> WorkCalendar:
        """A calendar for one unit: this one plus the unit's closures and office hours."""
        return WorkCalendar(
            days_off=self.days_off | frozenset(extra_days_off),
            working_weekend_days=self.working_weekend_days,
            hours=hours or self.hours,
            label=label if label is not None else self.label,
            first=dt.date.fromordinal(self._first),
            last=dt.date.fromordinal(self._last),
        )

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromordinal(self._first)

    @property
    def last_day(self) -> dt.date:
        return dt.date.fromordinal(self._last)

    # -- days ---------------------------------------------------------------------------------

    def _check(self, ordinal: int) -> None:
        if not self._first <= ordinal <= self._last:
            raise OutOfCalendarRange(
                f"{dt.date.fromordinal(ordinal)} is outside the calendar "
                f"({self.first_day} – {self.last_day})"
            )

    def _day_at(self, index: int) -> int:
        if not 0 <= index < len(self._wd):
            raise OutOfCalendarRange("the answer falls outside the calendar")
        return self._wd[index]

    def is_working_day(self, day: dt.date) -> bool:
        o = day.toordinal()
        self._check(o)
        i = bisect_left(self._wd, o)
        return i < len(self._wd) and self._wd[i] == o

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The Nth working day after `day` (day 1 is the first working day after it).

        n = 0 gives `day` itself if it is a working day, else the working day before it: the
        same answer as numpy.busday_offset(day, n, roll="backward").
        """
        o = day.toordinal()
        self._check(o)
        return dt.date.fromordinal(self._day_at(bisect_right(self._wd, o) + n - 1))

    def next_working_day(self, day: dt.date) -> dt.date:
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: dt.date) -> dt.date:
        o = day.toordinal()
        self._check(o)
        return dt.date.fromordinal(self._day_at(bisect_left(self._wd, o) - 1))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in [start, end], both included (0 when end < start)."""
        a, b = start.toordinal(), end.toordinal()
        self._check(a)
        self._check(b)
        return max(0, bisect_right(self._wd, b) - bisect_left(self._wd, a))

    def closing(self, day: dt.date) -> dt.datetime:
        """End of office hours on `day`, as an aware moment."""
        return dt.datetime.combine(day, self._close, TZ)

    # -- the working-time line ---------------------------------------------------------------

    def position(self, moment: dt.datetime) -> int:
        """Working microseconds from the start of the calendar's first working day to `moment`.

        Monotonic in `moment`; constant outside office hours, so differences are working time.
        """
        local = to_local(moment)
        o = local.toordinal()
        self._check(o)
        wd = self._wd
        i = bisect_left(wd, o)
        if i < len(wd) and wd[i] == o:
            tod = _us_of(local.timetz().replace(tzinfo=None))
            done = 0
            for start, end in self._spans:
                if tod <= start:
                    break
                if tod < end:
                    done += tod - start
                    break
                done += end - start
            return i * self._day_len + done
        return i * self._day_len

    def moment(self, position: int) -> dt.datetime:
        """The earliest moment at which `position` working microseconds have elapsed.

        A position on a boundary belongs to the end of the span it closes: a count that ends
        exactly at noon is due at 11:30, not at 13:00, and one ending at a day's length is due
        at that day's closing, not at the next opening.
        """
        k, offset = divmod(position, self._day_len)
        if offset == 0 and k > 0:
            k -= 1
            offset = self._day_len
        o = self._day_at(k)
        tod = self._spans[-1][1]
        for start, end in self._spans:
            if offset <= end - start:
                tod = start + offset
                break
            offset -= end - start
        return dt.datetime.combine(dt.date.fromordinal(o), _time_of(tod), TZ)

    def is_working_moment(self, moment: dt.datetime) -> bool:
        """Whether `moment` falls on a working day within office hours (a session's opening and
        closing included): a moment an appointment may be set for."""
        local = to_local(moment)
        if not self.is_working_day(local.date()):
            return False
        tod = _us_of(local.timetz().replace(tzinfo=None))
        return any(start <= tod <= end for start, end in self._spans)

    def opening(self, day: dt.date) -> dt.datetime:
        """Start of office hours on `day`, as an aware moment."""
        return dt.datetime.combine(day, self.hours.opening, TZ)

    def _array(self) -> npt.NDArray[np.int64]:
        # Built on first use only: numpy is needed for the array bulk path, not for single calls.
        index = self._wd_np
        if index is None:
            import numpy as np

            index = np.asarray(self._wd, dtype=np.int64) - _EPOCH_ORDINAL
            object.__setattr__(self, "_wd_np", index)
        return index


# -- durations --------------------------------------------------------------------------------


def _decimal(amount: object) -> Decimal:
    try:
        if isinstance(amount, Decimal):
            value = amount
        elif isinstance(amount, bool):
            raise InvalidDuration("a duration is a number, not a boolean")
        elif isinstance(amount, int | str):
            value = Decimal(amount)
        elif isinstance(amount, float):
            value = Decimal(repr(amount))
        elif isinstance(amount, Fraction):
            value = Decimal(amount.numerator) / Decimal(amount.denominator)
        else:
            raise InvalidDuration(f"not a number: {amount!r}")
    except InvalidOperation as exc:
        raise InvalidDuration(f"not a number: {amount!r}") from exc
    if not value.is_finite():
        raise InvalidDuration(f"not a finite number: {amount!r}")
    return value


@dataclass(frozen=True, slots=True)
class Duration:
    """A processing time with its unit, as the catalogue stores it."""

    unit: str
    amount: Decimal = field(default=Decimal(0))

    def __post_init__(self) -> None:
        if self.unit not in TimeUnit.values:
            raise InvalidDuration(f"unknown time unit {self.unit!r}")
        amount = _decimal(self.amount)
        object.__setattr__(self, "amount", amount)
        if self.unit == TimeUnit.SAME_DAY:
            return
        limit = MAX_WORKING_DAYS if self.unit == TimeUnit.WORKING_DAYS else MAX_WORKING_HOURS
        if not 0 < amount <= limit:
            raise InvalidDuration(f"{self.unit} must be more than 0 and at most {limit}")

    @classmethod
    def working_days(cls, n: int | float | Decimal | str) -> Duration:
        return cls(TimeUnit.WORKING_DAYS, _decimal(n))

    @classmethod
    def working_hours(cls, h: int | float | Decimal | str) -> Duration:
        return cls(TimeUnit.WORKING_HOURS, _decimal(h))

    @classmethod
    def same_day(cls) -> Duration:
        return cls(TimeUnit.SAME_DAY)

    @property
    def is_whole_days(self) -> bool:
        return self.unit == TimeUnit.WORKING_DAYS and self.amount == self.amount.to_integral_value()


# -- due moments ------------------------------------------------------------------------------


def due_in_working_days(
    start: dt.datetime, days: int | float | Decimal | str, cal: WorkCalendar
) -> dt.datetime:
    """End of office hours of the Nth working day counted from the day after receipt.

    The hot path: a whole number of days costs one timezone conversion, one binary search and
    one datetime construction. Fractional days go through `due`.
    """
    if type(days) is not int:
        return due(start, Duration.working_days(days), cal)
    if not 0 < days <= MAX_WORKING_DAYS:
        raise InvalidDuration(f"working days must be more than 0 and at most {MAX_WORKING_DAYS}")
    if start.tzinfo is None:
        raise NaiveDatetimeError(f"naive datetime {start.isoformat()}: a timezone is required")
    o = start.astimezone(TZ).toordinal()
    if not cal._first <= o <= cal._last:
        cal._check(o)
    wd = cal._wd
    i = bisect_right(wd, o) + days - 1
    if i >= len(wd):
        raise OutOfCalendarRange("the answer falls outside the calendar")
    return dt.datetime.combine(dt.date.fromordinal(wd[i]), cal._close, TZ)


def due_in_working_hours(
    start: dt.datetime, hours: int | float | Decimal | str, cal: WorkCalendar
) -> dt.datetime:
    """The moment `hours` of office time have elapsed since receipt (outside hours: from the
    next opening)."""
    amount = Duration.working_hours(hours).amount
    return cal.moment(cal.position(start) + int((amount * _US_PER_HOUR).to_integral_value()))


def due_same_day(start: dt.datetime, cal: WorkCalendar) -> dt.datetime:
    """End of office hours on the day of receipt; after the cut-off (strictly later than 15:00)
    or on a day that is not a working day, end of office hours of the next working day."""
    local = to_local(start)
    day = local.date()
    if cal.is_working_day(day) and local.timetz().replace(tzinfo=None) <= cal._cutoff:
        return cal.closing(day)
    return cal.closing(cal.next_working_day(day))


def due(start: dt.datetime, duration: Duration, cal: WorkCalendar) -> dt.datetime:
    """The due moment of a processing time counted from `start` (receipt)."""
    if duration.unit == TimeUnit.SAME_DAY:
        return due_same_day(start, cal)
    if duration.unit == TimeUnit.WORKING_HOURS:
        return due_in_working_hours(start, duration.amount, cal)
    if duration.is_whole_days:
        return due_in_working_days(start, int(duration.amount), cal)
    return _due_in_fractional_days(start, duration.amount, cal)


def _due_in_fractional_days(start: dt.datetime, amount: Decimal, cal: WorkCalendar) -> dt.datetime:
    """N + f working days (CALENDAR.md, as corrected): the whole part counts as whole days (due at
    the end of day N), then f × 8 working hours run from the opening of the next working day;
    with N = 0 they run from the moment of receipt, as working hours do.

    So a longer time is never due earlier: received Mon 09:00, 1 day → Tue 17:00, 1,5 days →
    Wed 11:30. Where a unit's office day is shorter than 8 hours, f × 8 hours could run past the
    end of day N + 1; the answer is then held at that end, which keeps the order (N + f ≤ N + 1).
    """
    whole = int(amount)
    extra_us = int(((amount - whole) * HOURS_PER_WORKING_DAY * _US_PER_HOUR).to_integral_value())
    # The end of day N and the opening of day N + 1 are one position on the working-time line.
    base = cal.position(due_in_working_days(start, whole, cal)) if whole else cal.position(start)
    answer = cal.moment(base + extra_us)
    ceiling = due_in_working_days(start, whole + 1, cal)
    return min(answer, ceiling)


def due_after_supplement(
    complete_at: dt.datetime, duration: Duration, cal: WorkCalendar
) -> dt.datetime:
    """After supplementation the full time counts again from the complete dossier's receipt
    (ND 61 Art. 19(4) as amended): the old count is discarded, not resumed."""
    return due(complete_at, duration, cal)


def due_many(
    starts: Sequence[dt.datetime], duration: Duration | Sequence[Duration], cal: WorkCalendar
) -> list[dt.datetime]:
    """Due moments for a list of receipts (imports, reports), in the same order.

    One duration for all, or one per receipt. Whole working days take a tight loop with the
    lookups bound once and each answer's closing moment built once; other durations go
    through `due` one by one.
    """
    if isinstance(duration, Duration):
        durations: Sequence[Duration] = [duration] * len(starts)
    else:
        durations = duration
        if len(durations) != len(starts):
            raise InvalidDuration("one duration per receipt is required")
    wd, first, last, close = cal._wd, cal._first, cal._last, cal._close
    size = len(wd)
    closings: dict[int, dt.datetime] = {}
    out: list[dt.datetime] = []
    append = out.append
    for start, item in zip(starts, durations, strict=True):
        if not item.is_whole_days:
            append(due(start, item, cal))
            continue
        if start.tzinfo is None:
            raise NaiveDatetimeError(f"naive datetime {start.isoformat()}: a timezone is required")
        o = start.astimezone(TZ).toordinal()
        if not first <= o <= last:
            cal._check(o)
        i = bisect_right(wd, o) + int(item.amount) - 1
        if i >= size:
            raise OutOfCalendarRange("the answer falls outside the calendar")
        moment = closings.get(i)
        if moment is None:
            moment = closings[i] = dt.datetime.combine(dt.date.fromordinal(wd[i]), close, TZ)
        append(moment)
    return out


def due_dates_array(
    receipt_days: npt.ArrayLike, working_days: npt.ArrayLike, cal: WorkCalendar
) -> npt.NDArray[np.datetime64]:
    """Vectorised due dates (datetime64[D]) for arrays of receipt dates and whole day counts.

    The bulk path for reports over many dossiers: one searchsorted over the working-day index.
    Same answers as numpy.busday_offset(receipt_days, working_days, roll="backward") on a
    calendar with the same days off; the due moment is the closing time of each date.
    """
    import numpy as np

    days = np.asarray(receipt_days, dtype="datetime64[D]").astype(np.int64)
    counts = np.asarray(working_days, dtype=np.int64)
    if np.any(counts <= 0) or np.any(counts > MAX_WORKING_DAYS):
        raise InvalidDuration(f"working days must be more than 0 and at most {MAX_WORKING_DAYS}")
    lo, hi = cal._first - _EPOCH_ORDINAL, cal._last - _EPOCH_ORDINAL
    if days.size and (days.min() < lo or days.max() > hi):
        raise OutOfCalendarRange("a receipt date is outside the calendar")
    index = cal._array()
    positions = np.searchsorted(index, days, side="right") + counts - 1
    if positions.size and positions.max() >= index.size:
        raise OutOfCalendarRange("an answer falls outside the calendar")
    return index[positions].astype("datetime64[D]")


# -- working time between moments ---------------------------------------------------------


def working_time_between(a: dt.datetime, b: dt.datetime, cal: WorkCalendar) -> dt.timedelta:
    """Office time from `a` to `b` (negative when b is before a)."""
    return dt.timedelta(microseconds=cal.position(b) - cal.position(a))


def working_time_elapsed(start: dt.datetime, now: dt.datetime, cal: WorkCalendar) -> dt.timedelta:
    return working_time_between(start, now, cal)


def working_time_remaining(
    due_at: dt.datetime, now: dt.datetime, cal: WorkCalendar
) -> dt.timedelta:
    """Office time left until the due moment; negative once overdue."""
    return working_time_between(now, due_at, cal)


def in_working_days(span: dt.timedelta) -> Decimal:
    """A working-time span expressed in working days of 8 hours, as reports show it."""
    hours = Decimal(span // dt.timedelta(microseconds=1)) / _US_PER_HOUR
    return hours / HOURS_PER_WORKING_DAY


# -- judging ----------------------------------------------------------------------------------


def outcome(due_at: dt.datetime, finished_at: dt.datetime) -> Outcome:
    """Early before the due day; on time on the due day up to the due moment; late after it."""
    due_local, finished_local = to_local(due_at), to_local(finished_at)
    if finished_local.date() < due_local.date():
        return Outcome.EARLY
    if finished_local <= due_local:
        return Outcome.ON_TIME
    return Outcome.LATE


def open_state(due_at: dt.datetime, now: dt.datetime) -> OpenState:
    return OpenState.OVERDUE if to_local(now) > to_local(due_at) else OpenState.WITHIN_TIME


def reschedule_refusal(
    due_at: dt.datetime,
    now: dt.datetime,
    cal: WorkCalendar,
    *,
    times_rescheduled: int = 0,
    max_times: int = 1,
    new_due: dt.datetime | None = None,
) -> RescheduleRefusal | None:
    """Why a rescheduling (apology letter) may not be made now, or None if it may.

    At most `max_times` (once, ND 61 Art. 19(9)), and requested no later than the working day before the due day (at least 1
    working day before the due date). The new date must be later than the current one. Reports
    keep judging against the original due moment: that is the caller's to keep.
    """
    if times_rescheduled >= max_times:
        return RescheduleRefusal.ALREADY_RESCHEDULED
    due_local = to_local(due_at)
    if to_local(now).date() > cal.previous_working_day(due_local.date()):
        return RescheduleRefusal.TOO_LATE
    if new_due is not None and to_local(new_due) <= due_local:
        return RescheduleRefusal.NOT_LATER
    return None


def can_reschedule(
    due_at: dt.datetime, now: dt.datetime, cal: WorkCalendar, *, times_rescheduled: int = 0
) -> bool:
    return reschedule_refusal(due_at, now, cal, times_rescheduled=times_rescheduled) is None
