"""Days off computed from the Labour Code, and the verified official schedules.

The computed days are a pre-fill: the calendar an administrator maintains (CalendarDay rows) is
what deadlines use, and an official notice overrides anything computed here.

Lunar dates (Tết Nguyên đán, Giỗ Tổ Hùng Vương 10/3 âm lịch) come from the `holidays` package
(vacanza/holidays), whose Vietnam calendar is the Vietnamese lunisolar calendar (UTC+7), not the
Chinese one. Only those two dates are taken from it: the package also lists days that are not
(yet) law here, e.g. 24/11 from 2026, which CALENDAR.md says not to hard-code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays

from cchc.worktime.choices import DayKind, DaySource

BASIS_HOLIDAY = "Bộ luật Lao động 2019, Điều 112 khoản 1"
BASIS_COMPENSATORY = "Bộ luật Lao động 2019, Điều 111 khoản 3 (nghỉ bù)"
BASIS_SET_BY_PM = "Bộ luật Lao động 2019, Điều 112 khoản 1 và 3 (dự tính; Thủ tướng quyết định)"

# Holiday groups: an official notice replaces the computed days of the groups it covers.
NEW_YEAR = "new_year"
TET = "tet"
HUNG_KINGS = "hung_kings"
VICTORY_LABOUR = "victory_labour"
NATIONAL_DAY = "national_day"

# Years shipped by the data migration (computed, with official schedules where verified).
SHIPPED_YEARS = range(2023, 2031)


@dataclass(frozen=True, order=True)
class DayRow:
    date: dt.date
    kind: str
    name: str
    legal_basis: str
    source: str
    group: str


@cache
def lunar_dates(year: int) -> tuple[dt.date, dt.date]:
    """(mùng 1 Tết, Giỗ Tổ 10/3 âm lịch) of `year` in the Vietnamese lunar calendar."""
    vn = holidays.country_holidays("VN", years=year, observed=False, language="vi")
    (tet,) = vn.get_named("Tết Nguyên Đán", lookup="exact")
    (hung_kings,) = vn.get_named("Ngày Giỗ Tổ Hùng Vương", lookup="exact")
    return tet, hung_kings


def _weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def _tet_block(first_day: dt.date) -> list[dt.date]:
    """The five Tết days (eve and mùng 1–4) moved off weekends, and the weekends around them.

    A Saturday in the five moves to the weekday before, a Sunday to the weekday after, so the
    break has five weekdays off. This reproduces the announced civil-service breaks of
    2023–2026 (REFERENCE.md §7) and is the rule the `holidays` package uses since 2014.
    """
    base = [first_day + dt.timedelta(days=k) for k in range(-1, 4)]
    taken = set(base)
    for day in base:
        if day.weekday() == 5:
            step = -1
        elif day.weekday() == 6:
            step = 1
        else:
            continue
        other = day + dt.timedelta(days=step)
        while _weekend(other) or other in taken:
            other += dt.timedelta(days=step)
        taken.add(other)
    start, end = min(taken), max(taken)
    # Notices announce the break with the weekends that touch it ("nghỉ 9 ngày liên tục").
    start -= dt.timedelta(days={0: 2, 6: 1}.get(start.weekday(), 0))
    end += dt.timedelta(days={4: 2, 5: 1}.get(end.weekday(), 0))
    return [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]


# 2/9 plus one adjacent day (Art. 112(1)(đ)): the one that joins a weekend or makes the shorter
# bridge. This gives the announced days of 2021–2025 (Thu→Fri, Fri→Thu, Sat→Fri, Mon→Tue,
# Tue→Mon). The Prime Minister fixes it each year; an official notice overrides it.
_NATIONAL_DAY_ADJACENT = {0: 1, 1: -1, 2: -1, 3: 1, 4: -1, 5: -1, 6: 1}


@cache
def computed_days(year: int) -> tuple[DayRow, ...]:
    """Days off of `year` from the Labour Code rules alone (source: computed)."""
    tet_first, hung_kings = lunar_dates(year)
    c = DaySource.COMPUTED
    rows: dict[dt.date, DayRow] = {}

    def add(day: dt.date, kind: str, name: str, basis: str, group: str) -> None:
        rows[day] = DayRow(day, kind, name, basis, c, group)

    for day in _tet_block(tet_first):
        add(day, DayKind.TET, "Tết Nguyên đán", BASIS_SET_BY_PM, TET)
    holidays_on: list[tuple[dt.date, str, str]] = [
        (dt.date(year, 1, 1), "Tết Dương lịch", NEW_YEAR),
        (hung_kings, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", HUNG_KINGS),
        (dt.date(year, 4, 30), "Ngày Chiến thắng (30/4)", VICTORY_LABOUR),
        (dt.date(year, 5, 1), "Ngày Quốc tế Lao động (1/5)", VICTORY_LABOUR),
        (dt.date(year, 9, 2), "Quốc khánh (2/9)", NATIONAL_DAY),
    ]
    for day, name, group in holidays_on:
        add(day, DayKind.HOLIDAY, name, BASIS_HOLIDAY, group)
    national_day = dt.date(year, 9, 2)
    adjacent = national_day + dt.timedelta(days=_NATIONAL_DAY_ADJACENT[national_day.weekday()])
    add(adjacent, DayKind.HOLIDAY, "Quốc khánh (ngày liền kề)", BASIS_SET_BY_PM, NATIONAL_DAY)
    # A holiday on a weekly rest day gives the next working day off, in date order so that two
    # weekend holidays in a row (30/4 Sat, 1/5 Sun) give two different days.
    for day, name, group in sorted(holidays_on):
        if not _weekend(day):
            continue
        other = day + dt.timedelta(days=1)
        while _weekend(other) or other in rows:
            other += dt.timedelta(days=1)
        add(other, DayKind.COMPENSATORY, f"Nghỉ bù {name}", BASIS_COMPENSATORY, group)
    return tuple(sorted(rows.values()))


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def _official(rows: list[tuple[dt.date, str, str]], basis: str, group: str) -> list[DayRow]:
    return [DayRow(d, kind, name, basis, DaySource.OFFICIAL, group) for d, kind, name in rows]


_B2025_TET = "Thông báo 6150/TB-BLĐTBXH (2024): lịch nghỉ Tết Âm lịch 2025 của CBCCVC"
_B2025 = "Lịch nghỉ lễ năm 2025 của CBCCVC đã công bố (REFERENCE.md [HOL-2025])"
_B2026_TET = (
    "Lịch nghỉ Tết Âm lịch 2026 của CBCCVC đã công bố (REFERENCE.md [HOL-2026a], [HOL-2026b])"
)

# The verified schedules of CALENDAR.md. Each year lists the groups its notice covers: their
# computed days are replaced, the other groups stay computed until their notice is entered.
OFFICIAL: dict[int, tuple[frozenset[str], tuple[DayRow, ...]]] = {
    2025: (
        frozenset({TET, HUNG_KINGS, VICTORY_LABOUR, NATIONAL_DAY}),
        tuple(
            _official(
                [
                    (d, DayKind.TET, "Tết Nguyên đán Ất Tỵ")
                    for d in _span(dt.date(2025, 1, 25), dt.date(2025, 2, 2))
                ],
                _B2025_TET,
                TET,
            )
            + _official(
                [(dt.date(2025, 4, 7), DayKind.HOLIDAY, "Giỗ Tổ Hùng Vương (10/3 âm lịch)")],
                _B2025,
                HUNG_KINGS,
            )
            + _official(
                [
                    (dt.date(2025, 4, 26), DayKind.MAKEUP_WORKING, "Làm bù cho Thứ Sáu 02/05/2025"),
                    (dt.date(2025, 4, 30), DayKind.HOLIDAY, "Ngày Chiến thắng (30/4)"),
                    (dt.date(2025, 5, 1), DayKind.HOLIDAY, "Ngày Quốc tế Lao động (1/5)"),
                    (
                        dt.date(2025, 5, 2),
                        DayKind.SWAPPED,
                        "Nghỉ hoán đổi (làm bù Thứ Bảy 26/04/2025)",
                    ),
                    (dt.date(2025, 5, 3), DayKind.HOLIDAY, "Nghỉ lễ 30/4 – 1/5 (cuối tuần)"),
                    (dt.date(2025, 5, 4), DayKind.HOLIDAY, "Nghỉ lễ 30/4 – 1/5 (cuối tuần)"),
                ],
                _B2025,
                VICTORY_LABOUR,
            )
            + _official(
                [
                    (dt.date(2025, 8, 30), DayKind.HOLIDAY, "Nghỉ lễ Quốc khánh (cuối tuần)"),
                    (dt.date(2025, 8, 31), DayKind.HOLIDAY, "Nghỉ lễ Quốc khánh (cuối tuần)"),
                    (dt.date(2025, 9, 1), DayKind.HOLIDAY, "Quốc khánh (ngày liền kề)"),
                    (dt.date(2025, 9, 2), DayKind.HOLIDAY, "Quốc khánh (2/9)"),
                ],
                _B2025,
                NATIONAL_DAY,
            )
        ),
    ),
    2026: (
        frozenset({TET}),
        tuple(
            _official(
                [
                    (d, DayKind.TET, "Tết Nguyên đán Bính Ngọ")
                    for d in _span(dt.date(2026, 2, 14), dt.date(2026, 2, 22))
                ],
                _B2026_TET,
                TET,
            )
        ),
    ),
}


def shipped_days(year: int) -> tuple[DayRow, ...]:
    """What the data migration ships for `year`: official where verified, computed elsewhere."""
    covered, official = OFFICIAL.get(year, (frozenset(), ()))
    kept = [row for row in computed_days(year) if row.group not in covered]
    return tuple(sorted(kept + list(official)))
