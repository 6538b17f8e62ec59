"""Appointment slots: pure arithmetic over a unit's office hours, no database, no clock."""

from __future__ import annotations

import datetime as dt

from cchc.worktime.deadlines import OfficeHours


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def slot_starts(hours: OfficeHours, slot_minutes: int) -> list[dt.time]:
    """The start of every slot that fits wholly inside one office-hours interval.

    07:30–11:30 and 13:00–17:00 in 30-minute slots: 07:30, 08:00 … 11:00, 13:00 … 16:30.
    A slot never straddles the lunch break, so a citizen is never told to come while the
    counter is closed.
    """
    if slot_minutes <= 0:
        raise ValueError("slot length must be positive")
    starts: list[dt.time] = []
    for begin, end in hours.intervals:
        m = _minutes(begin)
        while m + slot_minutes <= _minutes(end):
            starts.append(dt.time(m // 60, m % 60))
            m += slot_minutes
    return starts


def parse_slot(raw: str) -> dt.time | None:
    """ "08:30" → 08:30; anything else → None (never an exception)."""
    try:
        value = dt.time.fromisoformat(raw.strip())
    except (ValueError, AttributeError):
        return None
    return value.replace(second=0, microsecond=0, tzinfo=None)
