"""The shipped calendar: every verified 2025–2026 entry, the computed years, the lunar dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cchc.worktime.choices import DayKind, DaySource
from cchc.worktime.models import CalendarDay
from cchc.worktime.rules import SHIPPED_YEARS, computed_days, lunar_dates, shipped_days
from cchc.worktime.snapshot import load_calendar


def span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


VERIFIED_DAYS_OFF = [
    *[(d, DayKind.TET) for d in span(dt.date(2025, 1, 25), dt.date(2025, 2, 2))],
    (dt.date(2025, 4, 7), DayKind.HOLIDAY),
    (dt.date(2025, 4, 30), DayKind.HOLIDAY),
    (dt.date(2025, 5, 1), DayKind.HOLIDAY),
    (dt.date(2025, 5, 2), DayKind.SWAPPED),
    (dt.date(2025, 5, 3), DayKind.HOLIDAY),
    (dt.date(2025, 5, 4), DayKind.HOLIDAY),
    *[(d, DayKind.HOLIDAY) for d in span(dt.date(2025, 8, 30), dt.date(2025, 9, 2))],
    *[(d, DayKind.TET) for d in span(dt.date(2026, 2, 14), dt.date(2026, 2, 22))],
]
# The working days that border each verified break, and the make-up Saturday.
VERIFIED_WORKING = [
    dt.date(2025, 1, 24),
    dt.date(2025, 2, 3),
    dt.date(2025, 4, 4),
    dt.date(2025, 4, 8),
    dt.date(2025, 4, 26),
    dt.date(2025, 4, 29),
    dt.date(2025, 5, 5),
    dt.date(2025, 8, 29),
    dt.date(2025, 9, 3),
    dt.date(2026, 2, 13),
    dt.date(2026, 2, 23),
]


@pytest.mark.parametrize(("day", "kind"), VERIFIED_DAYS_OFF, ids=lambda v: str(v))
def test_each_verified_day_off_is_shipped_as_official_and_not_worked(
    db: Any, day: dt.date, kind: str
) -> None:
    entry = CalendarDay.objects.get(date=day)
    assert (entry.kind, entry.source) == (kind, DaySource.OFFICIAL)
    assert entry.legal_basis
    assert not load_calendar().is_working_day(day)


@pytest.mark.parametrize("day", VERIFIED_WORKING, ids=str)
def test_the_days_around_each_verified_break_are_working_days(db: Any, day: dt.date) -> None:
    assert load_calendar().is_working_day(day)


def test_saturday_26_april_2025_is_the_only_shipped_make_up_day(db: Any) -> None:
    assert list(CalendarDay.objects.makeup_working().values_list("date", flat=True)) == [
        dt.date(2025, 4, 26)
    ]


def test_the_migration_ships_exactly_the_rules_and_verified_schedules(db: Any) -> None:
    stored = {(d.date, d.kind, d.name, d.legal_basis, d.source) for d in CalendarDay.objects.all()}
    shipped = {
        (r.date, r.kind, r.name, r.legal_basis, r.source)
        for y in SHIPPED_YEARS
        for r in shipped_days(y)
    }
    assert stored == shipped


def test_2026_days_not_yet_announced_are_computed(db: Any) -> None:
    computed = dict(
        CalendarDay.objects.in_year(2026)
        .filter(source=DaySource.COMPUTED)
        .values_list("date", "kind")
    )
    assert computed == {
        dt.date(2026, 1, 1): DayKind.HOLIDAY,
        dt.date(2026, 4, 26): DayKind.HOLIDAY,
        dt.date(2026, 4, 27): DayKind.COMPENSATORY,
        dt.date(2026, 4, 30): DayKind.HOLIDAY,
        dt.date(2026, 5, 1): DayKind.HOLIDAY,
        dt.date(2026, 9, 1): DayKind.HOLIDAY,
        dt.date(2026, 9, 2): DayKind.HOLIDAY,
    }
    # 24/11 is policy, not yet law (CALENDAR.md): not shipped.
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 24)).exists()


@pytest.mark.parametrize(
    ("year", "tet", "hung_kings"),
    [
        (2023, dt.date(2023, 1, 22), dt.date(2023, 4, 29)),
        (2024, dt.date(2024, 2, 10), dt.date(2024, 4, 18)),
        (2025, dt.date(2025, 1, 29), dt.date(2025, 4, 7)),
        (2026, dt.date(2026, 2, 17), dt.date(2026, 4, 26)),
    ],
)
def test_lunar_dates_are_those_of_the_vietnamese_calendar(
    year: int, tet: dt.date, hung_kings: dt.date
) -> None:
    assert lunar_dates(year) == (tet, hung_kings)


@pytest.mark.parametrize("year", list(range(2023, 2041)))
def test_computed_tet_gives_five_weekdays_off_around_the_lunar_new_year(year: int) -> None:
    tet = [r.date for r in computed_days(year) if r.kind == DayKind.TET]
    assert sum(d.weekday() < 5 for d in tet) == 5
    assert tet == span(tet[0], tet[-1])
    assert tet[0] < lunar_dates(year)[0] <= tet[-1]


@pytest.mark.parametrize(
    ("year", "first", "last"),
    [
        (2023, dt.date(2023, 1, 20), dt.date(2023, 1, 26)),
        (2024, dt.date(2024, 2, 8), dt.date(2024, 2, 14)),
        (2025, dt.date(2025, 1, 25), dt.date(2025, 2, 2)),
        (2026, dt.date(2026, 2, 14), dt.date(2026, 2, 22)),
    ],
)
def test_computed_tet_reproduces_the_announced_breaks(
    year: int, first: dt.date, last: dt.date
) -> None:
    tet = [r.date for r in computed_days(year) if r.kind == DayKind.TET]
    assert (tet[0], tet[-1]) == (first, last)


def test_a_holiday_on_a_rest_day_gives_the_next_working_day_off() -> None:
    days = {r.date: r.kind for r in computed_days(2023)}
    # Giỗ Tổ Sat 29/04, 30/04 Sun, 1/5 Mon: compensatory Tue 02/05 and Wed 03/05.
    assert days[dt.date(2023, 5, 2)] == days[dt.date(2023, 5, 3)] == DayKind.COMPENSATORY
    # 2/9/2023 is a Saturday: adjacent Friday 1/9, compensatory Monday 4/9.
    assert days[dt.date(2023, 9, 1)] == DayKind.HOLIDAY
    assert days[dt.date(2023, 9, 4)] == DayKind.COMPENSATORY
