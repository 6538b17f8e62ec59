"""The pure deadline functions: worked examples, edge cases, and properties against a day-by-day
oracle. No database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.worktime.choices import OpenState, Outcome, RescheduleRefusal, TimeUnit
from cchc.worktime.deadlines import (
    TZ,
    Duration,
    InvalidDuration,
    NaiveDatetimeError,
    OfficeHours,
    OutOfCalendarRange,
    WorkCalendar,
    can_reschedule,
    due,
    due_after_supplement,
    due_dates_array,
    due_in_working_days,
    due_in_working_hours,
    due_many,
    due_same_day,
    in_working_days,
    open_state,
    outcome,
    reschedule_refusal,
    working_time_between,
    working_time_elapsed,
    working_time_remaining,
)
from cchc.worktime.rules import SHIPPED_YEARS, shipped_days
from cchc.worktime.tests.oracle import Oracle

ROWS = [row for year in SHIPPED_YEARS for row in shipped_days(year)]
OFF = [r.date for r in ROWS if r.kind != "makeup_working"]
MAKEUP = [r.date for r in ROWS if r.kind == "makeup_working"]
# The shipped national calendar, and the same without make-up days (what numpy can express).
NATIONAL = WorkCalendar(days_off=OFF, working_weekend_days=MAKEUP, label="shipped")
NO_MAKEUP = WorkCalendar(days_off=OFF, label="shipped, no make-up days")
FIRST, LAST = dt.date(2022, 1, 1), dt.date(2049, 12, 31)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


# -- the worked examples of CALENDAR.md ------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "duration", "expected"),
    [
        (at(2025, 1, 23, 10), Duration.working_days(5), at(2025, 2, 6, 17)),
        (at(2025, 4, 25, 9), Duration.working_days(3), at(2025, 4, 29, 17)),
        (at(2025, 2, 10, 9), Duration.working_hours(4), at(2025, 2, 10, 14, 30)),
    ],
    ids=["across-tet-2025", "make-up-saturday-2025-04-26", "hours-across-lunch"],
)
def test_it_gives_the_worked_examples(
    received: dt.datetime, duration: Duration, expected: dt.datetime
) -> None:
    assert due(received, duration, NATIONAL) == expected


def test_a_make_up_saturday_counts_only_on_the_calendar_that_has_it() -> None:
    assert due(at(2025, 4, 25, 9), Duration.working_days(3), NO_MAKEUP) == at(2025, 5, 5, 17)


# -- working days ---------------------------------------------------------------------------


def test_it_counts_from_the_day_after_receipt_even_late_in_the_evening() -> None:
    assert due_in_working_days(at(2025, 3, 5, 23, 59), 1, NATIONAL) == at(2025, 3, 6, 17)
    assert due_in_working_days(at(2025, 3, 5, 0, 1), 1, NATIONAL) == at(2025, 3, 6, 17)


def test_a_receipt_on_a_weekend_counts_from_monday() -> None:
    assert due_in_working_days(at(2025, 3, 8, 10), 1, NATIONAL) == at(2025, 3, 10, 17)


def test_a_receipt_on_a_make_up_saturday_is_a_working_day_of_receipt() -> None:
    assert due_in_working_days(at(2025, 4, 26, 10), 1, NATIONAL) == at(2025, 4, 28, 17)


def test_it_crosses_the_year_end_and_new_year_day() -> None:
    # 31/12/2025 Wed; 1/1/2026 Thu is a holiday; day 1 is Fri 2/1.
    assert due_in_working_days(at(2025, 12, 31, 10), 1, NATIONAL) == at(2026, 1, 2, 17)
    assert due_in_working_days(at(2025, 12, 30, 10), 3, NATIONAL) == at(2026, 1, 5, 17)


def test_it_crosses_tet_2026() -> None:
    # Fri 13/02/2026 is the last working day before Tết (Sat 14 – Sun 22).
    assert due_in_working_days(at(2026, 2, 12, 9), 2, NATIONAL) == at(2026, 2, 23, 17)


def test_the_answer_is_in_vietnam_time_whatever_the_offset_of_the_receipt() -> None:
    # 2025-03-05 20:00 UTC is 06/03 03:00 in Hà Nội: the day of receipt is the 6th.
    answer = due_in_working_days(dt.datetime(2025, 3, 5, 20, tzinfo=dt.UTC), 1, NATIONAL)
    assert answer == at(2025, 3, 7, 17)
    assert answer.isoformat() == "2025-03-07T17:00:00+07:00"


def test_fractional_days_count_whole_days_then_hours_so_longer_is_never_earlier() -> None:
    # CALENDAR.md as corrected: received Mon 09:00 (a week without days off).
    monday_nine = at(2025, 3, 3, 9)
    expected = {
        "0.5": at(2025, 3, 3, 14, 30),
        "1": at(2025, 3, 4, 17),
        "1.5": at(2025, 3, 5, 11, 30),
        "2": at(2025, 3, 5, 17),
    }
    for amount, moment in expected.items():
        assert due(monday_nine, Duration.working_days(amount), NATIONAL) == moment, amount
    assert due_in_working_days(monday_nine, Decimal("1.5"), NATIONAL) == at(2025, 3, 5, 11, 30)


def test_fractional_days_on_a_short_office_day_are_held_at_the_next_day_end() -> None:
    # Six office hours a day: 0,9 × 8 = 7,2 hours would run past Tuesday's closing.
    short = WorkCalendar(
        days_off=OFF, hours=OfficeHours(((dt.time(8), dt.time(11)), (dt.time(13), dt.time(16))))
    )
    assert due(at(2025, 3, 3, 9), Duration.working_days("1.9"), short) == at(2025, 3, 5, 16)
    assert due(at(2025, 3, 3, 9), Duration.working_days("2"), short) == at(2025, 3, 5, 16)


# -- working hours --------------------------------------------------------------------------


def test_hours_received_outside_office_hours_start_at_the_next_opening() -> None:
    assert due_in_working_hours(at(2025, 2, 10, 6), 1, NATIONAL) == at(2025, 2, 10, 8, 30)
    assert due_in_working_hours(at(2025, 2, 10, 12), 1, NATIONAL) == at(2025, 2, 10, 14)
    assert due_in_working_hours(at(2025, 2, 10, 18), 1, NATIONAL) == at(2025, 2, 11, 8, 30)
    assert due_in_working_hours(at(2025, 2, 8, 10), 1, NATIONAL) == at(2025, 2, 10, 8, 30)


def test_hours_that_end_on_a_boundary_end_there_not_at_the_next_opening() -> None:
    assert due_in_working_hours(at(2025, 2, 10, 7, 30), 4, NATIONAL) == at(2025, 2, 10, 11, 30)
    assert due_in_working_hours(at(2025, 2, 10, 7, 30), 8, NATIONAL) == at(2025, 2, 10, 17)
    assert due_in_working_hours(at(2025, 2, 10, 7, 30), 16, NATIONAL) == at(2025, 2, 11, 17)


def test_hours_keep_seconds() -> None:
    assert due_in_working_hours(at(2025, 2, 10, 9, 0, 30), "0.5", NATIONAL) == at(
        2025, 2, 10, 9, 30, 30
    )


def test_hours_skip_tet_and_use_the_make_up_saturday() -> None:
    assert due_in_working_hours(at(2025, 1, 24, 16), 2, NATIONAL) == at(2025, 2, 3, 8, 30)
    assert due_in_working_hours(at(2025, 4, 25, 16), 2, NATIONAL) == at(2025, 4, 26, 8, 30)


# -- same day -------------------------------------------------------------------------------


def test_same_day_before_the_cut_off_is_due_at_closing() -> None:
    assert due_same_day(at(2025, 2, 10, 8), NATIONAL) == at(2025, 2, 10, 17)
    assert due_same_day(at(2025, 2, 10, 15, 0, 0), NATIONAL) == at(2025, 2, 10, 17)


def test_same_day_after_the_cut_off_is_due_at_the_end_of_the_next_working_day() -> None:
    assert due_same_day(at(2025, 2, 10, 15, 0, 1), NATIONAL) == at(2025, 2, 11, 17)
    # Friday after 15:00 before Tết: next working day is Mon 03/02.
    assert due_same_day(at(2025, 1, 24, 16), NATIONAL) == at(2025, 2, 3, 17)
    # Friday 25/04/2025 after the cut-off: the make-up Saturday is the next working day.
    assert due_same_day(at(2025, 4, 25, 16), NATIONAL) == at(2025, 4, 26, 17)


def test_same_day_received_on_a_day_off_is_due_at_the_end_of_the_next_working_day() -> None:
    assert due_same_day(at(2025, 2, 8, 9), NATIONAL) == at(2025, 2, 10, 17)
    assert due_same_day(at(2025, 9, 2, 9), NATIONAL) == at(2025, 9, 3, 17)


def test_a_unit_can_have_its_own_hours_and_cut_off() -> None:
    hours = OfficeHours(
        intervals=((dt.time(7, 0), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0))),
        same_day_cutoff=dt.time(16),
    )
    cal = NATIONAL.derive(hours=hours)
    assert due_same_day(at(2025, 2, 10, 15, 30), cal) == at(2025, 2, 10, 17)
    assert due_in_working_hours(at(2025, 2, 10, 11), 1, cal) == at(2025, 2, 10, 14)
    assert due_in_working_days(at(2025, 2, 10, 11), 1, cal) == at(2025, 2, 11, 17)


def test_a_unit_closure_is_a_day_off_for_that_unit_only() -> None:
    closed = NATIONAL.derive(extra_days_off=[dt.date(2025, 3, 6)])
    assert due_in_working_days(at(2025, 3, 5, 9), 1, closed) == at(2025, 3, 7, 17)
    assert due_in_working_days(at(2025, 3, 5, 9), 1, NATIONAL) == at(2025, 3, 6, 17)


# -- restart, rescheduling, time left, outcomes ------------------------------------------


def test_supplementation_restarts_the_full_time_from_the_complete_dossier() -> None:
    three = Duration.working_days(3)
    assert due_after_supplement(at(2025, 3, 12, 10), three, NATIONAL) == due(
        at(2025, 3, 12, 10), three, NATIONAL
    )
    assert due_after_supplement(at(2025, 3, 12, 10), three, NATIONAL) == at(2025, 3, 17, 17)


def test_rescheduling_is_allowed_up_to_the_working_day_before_the_due_day() -> None:
    due_at = at(2025, 3, 10, 17)  # Monday
    assert can_reschedule(due_at, at(2025, 3, 7, 16), NATIONAL)  # Friday
    assert not can_reschedule(due_at, at(2025, 3, 8, 9), NATIONAL)  # Saturday: too late
    assert reschedule_refusal(due_at, at(2025, 3, 10, 8), NATIONAL) == RescheduleRefusal.TOO_LATE


def test_rescheduling_is_allowed_once_and_only_to_a_later_date() -> None:
    due_at = at(2025, 3, 14, 17)
    assert (
        reschedule_refusal(due_at, at(2025, 3, 10, 9), NATIONAL, times_rescheduled=1)
        == RescheduleRefusal.ALREADY_RESCHEDULED
    )
    assert (
        reschedule_refusal(due_at, at(2025, 3, 10, 9), NATIONAL, new_due=at(2025, 3, 14, 9))
        == RescheduleRefusal.NOT_LATER
    )
    assert (
        reschedule_refusal(due_at, at(2025, 3, 10, 9), NATIONAL, new_due=at(2025, 3, 20, 17))
        is None
    )


def test_rescheduling_counts_working_days_across_tet() -> None:
    due_at = at(2025, 2, 3, 17)  # first working day after Tết
    assert can_reschedule(due_at, at(2025, 1, 24, 16), NATIONAL)
    assert not can_reschedule(due_at, at(2025, 1, 27, 9), NATIONAL)


def test_working_time_left_and_elapsed() -> None:
    assert working_time_between(
        at(2025, 2, 10, 9), at(2025, 2, 10, 14, 30), NATIONAL
    ) == dt.timedelta(hours=4)
    assert working_time_remaining(
        at(2025, 2, 10, 17), at(2025, 2, 10, 16), NATIONAL
    ) == dt.timedelta(hours=1)
    assert working_time_remaining(
        at(2025, 2, 10, 17), at(2025, 2, 11, 8, 30), NATIONAL
    ) == -dt.timedelta(hours=1)
    assert working_time_elapsed(
        at(2025, 1, 24, 16), at(2025, 2, 3, 8, 30), NATIONAL
    ) == dt.timedelta(hours=2)
    assert in_working_days(dt.timedelta(hours=12)) == Decimal("1.5")


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (at(2025, 3, 13, 16, 59), Outcome.EARLY),
        (at(2025, 3, 14, 8), Outcome.ON_TIME),
        (at(2025, 3, 14, 17), Outcome.ON_TIME),
        (at(2025, 3, 14, 17, 0, 1), Outcome.LATE),
        (at(2025, 3, 17, 8), Outcome.LATE),
    ],
)
def test_a_finished_dossier_is_early_on_time_or_late(
    finished: dt.datetime, expected: Outcome
) -> None:
    assert outcome(at(2025, 3, 14, 17), finished) == expected


def test_on_time_is_on_the_due_day_in_vietnam_time() -> None:
    # 13/03 22:00 UTC is 14/03 05:00 in Hà Nội: the due day, so on time, not early.
    assert (
        outcome(at(2025, 3, 14, 17), dt.datetime(2025, 3, 13, 22, tzinfo=dt.UTC)) == Outcome.ON_TIME
    )


def test_an_open_dossier_is_within_time_until_its_due_moment() -> None:
    assert open_state(at(2025, 3, 14, 17), at(2025, 3, 14, 17)) == OpenState.WITHIN_TIME
    assert open_state(at(2025, 3, 14, 17), at(2025, 3, 14, 17, 0, 1)) == OpenState.OVERDUE


# -- bad input --------------------------------------------------------------------------------


def test_naive_datetimes_are_refused_everywhere() -> None:
    naive = dt.datetime(2025, 3, 5, 10)
    for call in (
        lambda: due_in_working_days(naive, 1, NATIONAL),
        lambda: due_in_working_hours(naive, 1, NATIONAL),
        lambda: due_same_day(naive, NATIONAL),
        lambda: due_many([naive], Duration.working_days(1), NATIONAL),
        lambda: working_time_between(naive, at(2025, 3, 5), NATIONAL),
        lambda: outcome(naive, at(2025, 3, 5)),
    ):
        with pytest.raises(NaiveDatetimeError):
            call()


@pytest.mark.parametrize(
    ("unit", "amount"),
    [
        ("working_days", -1),
        ("working_days", 0),
        ("working_days", 3651),
        ("working_hours", 29201),
        ("working_days", "nan"),
        ("weeks", 1),
    ],
)
def test_bad_durations_are_refused(unit: str, amount: object) -> None:
    with pytest.raises(InvalidDuration):
        Duration(unit, amount)  # type: ignore[arg-type]


def test_bad_whole_day_counts_are_refused_on_the_fast_path() -> None:
    with pytest.raises(InvalidDuration):
        due_in_working_days(at(2025, 3, 5), 0, NATIONAL)
    with pytest.raises(InvalidDuration):
        due_in_working_days(at(2025, 3, 5), 3651, NATIONAL)


def test_moments_outside_the_calendar_are_refused() -> None:
    with pytest.raises(OutOfCalendarRange):
        due_in_working_days(at(1999, 12, 31, 9), 1, NATIONAL)
    with pytest.raises(OutOfCalendarRange):
        due_in_working_days(at(2099, 12, 30, 9), 5, NATIONAL)


def test_the_calendar_is_immutable_and_rejects_weekday_make_up_days() -> None:
    with pytest.raises(AttributeError):
        NATIONAL.label = "x"
    with pytest.raises(ValueError, match="Saturdays or Sundays"):
        WorkCalendar(working_weekend_days=[dt.date(2025, 4, 25)])


def test_time_unit_names_are_the_catalogue_ones() -> None:
    assert Duration.same_day().unit == TimeUnit.SAME_DAY
    assert {Duration.working_days(1).unit, Duration.working_hours(1).unit} == {
        TimeUnit.WORKING_DAYS,
        TimeUnit.WORKING_HOURS,
    }


# -- properties against the oracle ------------------------------------------------------------

OFFSETS = st.sampled_from(
    [TZ, dt.UTC, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=9))]
)
receipts = st.datetimes(
    min_value=dt.datetime(2023, 1, 1),
    max_value=dt.datetime(2030, 12, 31, 23, 59, 59),
    timezones=OFFSETS,
)
durations = st.one_of(
    st.builds(Duration.working_days, st.integers(1, 400)),
    st.builds(Duration.working_days, st.integers(1, 3650)),
    st.builds(Duration.working_days, st.decimals("0.1", "40", places=1)),
    st.builds(Duration.working_hours, st.decimals("0.25", "200", places=2)),
    st.just(Duration.same_day()),
)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[WorkCalendar, Oracle]:
    """The shipped calendar with or without make-up days, or a random one with many of both."""
    choice = draw(st.sampled_from(["national", "no_makeup", "random"]))
    if choice == "national":
        return NATIONAL, Oracle(OFF, MAKEUP)
    if choice == "no_makeup":
        return NO_MAKEUP, Oracle(OFF, [])
    day = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2031, 6, 30))
    off = draw(st.sets(day, max_size=60))
    makeup = {d for d in draw(st.sets(day, max_size=40)) if d.weekday() >= 5}
    cal = WorkCalendar(days_off=off, working_weekend_days=makeup, first=FIRST, last=LAST)
    return cal, Oracle(off, makeup)


@settings(max_examples=300, deadline=None)
@given(calendars(), receipts, durations)
def test_due_matches_the_day_by_day_oracle(
    calendars: tuple[WorkCalendar, Oracle], start: dt.datetime, duration: Duration
) -> None:
    cal, oracle = calendars
    answer = due(start, duration, cal)
    assert answer == oracle.due(start, duration.unit, duration.amount)
    assert answer.utcoffset() == dt.timedelta(hours=7)


@settings(max_examples=300, deadline=None)
@given(
    calendars(),
    receipts,
    st.decimals("0.01", "60", places=2),
    st.decimals("0.01", "60", places=2),
)
def test_a_longer_time_in_days_is_never_due_earlier(
    calendars: tuple[WorkCalendar, Oracle], start: dt.datetime, a: Decimal, b: Decimal
) -> None:
    cal, _oracle = calendars
    shorter, longer = sorted((a, b))
    assert due(start, Duration.working_days(shorter), cal) <= due(
        start, Duration.working_days(longer), cal
    )


@settings(max_examples=200, deadline=None)
@given(calendars(), receipts, st.decimals("0.01", "100", places=2))
def test_working_time_until_a_due_in_hours_is_those_hours(
    calendars: tuple[WorkCalendar, Oracle], start: dt.datetime, hours: Decimal
) -> None:
    cal, oracle = calendars
    answer = due_in_working_hours(start, hours, cal)
    assert working_time_between(start, answer, cal) == dt.timedelta(hours=float(hours))
    assert working_time_between(start, answer, cal) == oracle.between(start, answer)


@settings(max_examples=200, deadline=None)
@given(calendars(), receipts, receipts)
def test_working_time_between_matches_the_oracle(
    calendars: tuple[WorkCalendar, Oracle], a: dt.datetime, b: dt.datetime
) -> None:
    cal, oracle = calendars
    if abs(b - a) > dt.timedelta(days=800):
        b = a + dt.timedelta(days=(b - a).days % 800)
    assert working_time_between(a, b, cal) == oracle.between(a, b)
    assert working_time_between(b, a, cal) == -working_time_between(a, b, cal)


@settings(max_examples=200, deadline=None)
@given(calendars(), st.lists(receipts, max_size=30), st.integers(1, 300))
def test_the_bulk_path_gives_the_single_call_answers(
    calendars: tuple[WorkCalendar, Oracle], starts: list[dt.datetime], n: int
) -> None:
    cal, _oracle = calendars
    assert due_many(starts, Duration.working_days(n), cal) == [
        due_in_working_days(s, n, cal) for s in starts
    ]
    mixed = [Duration.working_days(n), Duration.working_hours(n), Duration.same_day()] * 10
    assert due_many(starts, mixed[: len(starts)], cal) == [
        due(s, d, cal) for s, d in zip(starts, mixed, strict=False)
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2030, 12, 31)),
        min_size=1,
        max_size=50,
    ),
    st.integers(1, 3650),
)
def test_the_array_path_matches_numpy_busday_offset_without_make_up_days(
    days: list[dt.date], n: int
) -> None:
    receipts_array = np.array(days, dtype="datetime64[D]")
    counts = np.full(len(days), n)
    expected = np.busday_offset(receipts_array, counts, roll="backward", holidays=sorted(set(OFF)))
    assert (due_dates_array(receipts_array, counts, NO_MAKEUP) == expected).all()
    single = [NO_MAKEUP.add_working_days(d, n) for d in days]
    assert [d.astype(dt.date) for d in due_dates_array(receipts_array, counts, NO_MAKEUP)] == single
