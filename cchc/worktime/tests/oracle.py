"""A deliberately simple, slow model of the counting rules: walks day by day, shares no code
with deadlines.py beyond the timezone. Property tests compare the fast functions with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(17, 0)))
CUTOFF = dt.time(15, 0)


class Oracle:
    def __init__(
        self, days_off: Iterable[dt.date], makeup: Iterable[dt.date], hours=HOURS, cutoff=CUTOFF
    ):
        self.off = set(days_off)
        self.makeup = set(makeup)
        self.hours = hours
        self.cutoff = cutoff

    def working(self, day: dt.date) -> bool:
        return (day.weekday() < 5 or day in self.makeup) and day not in self.off

    def close(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.hours[-1][1], TZ)

    def due_days(self, start: dt.datetime, n: int) -> dt.datetime:
        day = start.astimezone(TZ).date()
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.working(day):
                counted += 1
        return self.close(day)

    def due_hours(self, start: dt.datetime, hours: Decimal) -> dt.datetime:
        local = start.astimezone(TZ).replace(tzinfo=None)
        left = dt.timedelta(microseconds=int(hours * 3_600_000_000))
        day = local.date()
        while True:
            if self.working(day):
                for begin, end in self.hours:
                    a = dt.datetime.combine(day, begin)
                    b = dt.datetime.combine(day, end)
                    a = max(a, local)
                    if a >= b:
                        continue
                    if left <= b - a:
                        return (a + left).replace(tzinfo=TZ)
                    left -= b - a
            day += dt.timedelta(days=1)

    def due_same_day(self, start: dt.datetime) -> dt.datetime:
        local = start.astimezone(TZ)
        day = local.date()
        if self.working(day) and local.time() <= self.cutoff:
            return self.close(day)
        day += dt.timedelta(days=1)
        while not self.working(day):
            day += dt.timedelta(days=1)
        return self.close(day)

    def due(self, start: dt.datetime, unit: str, amount: Decimal) -> dt.datetime:
        if unit == "same_day":
            return self.due_same_day(start)
        if unit == "working_days" and amount == int(amount):
            return self.due_days(start, int(amount))
        if unit == "working_days":
            # N + f days: the end of day N (or the receipt when N = 0), then f × 8 hours.
            whole = int(amount)
            base = self.due_days(start, whole) if whole else start
            return self.due_hours(base, (amount - whole) * 8)
        return self.due_hours(start, amount)

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        a_local = a.astimezone(TZ).replace(tzinfo=None)
        b_local = b.astimezone(TZ).replace(tzinfo=None)
        total = dt.timedelta(0)
        day = a_local.date()
        while day <= b_local.date():
            if self.working(day):
                for begin, end in self.hours:
                    lo = max(dt.datetime.combine(day, begin), a_local)
                    hi = min(dt.datetime.combine(day, end), b_local)
                    if hi > lo:
                        total += hi - lo
            day += dt.timedelta(days=1)
        return total * sign
