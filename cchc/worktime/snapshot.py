"""Builds WorkCalendar snapshots from the database and keeps them per process.

Building a snapshot reads every calendar row and indexes a century of days (a few
milliseconds); answering from it reads nothing. So each process keeps its snapshots and, on each
`load_calendar` call, reads one row (CalendarRevision) to learn whether an administrator has
changed the calendar since. Any change, in any process, replaces the token, so the next call
everywhere rebuilds: an admin edit is seen "immediately" by every web process and worker.

Load a snapshot once per request or job and pass it to the pure functions in deadlines.py.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from cchc.units.models import Unit
from cchc.worktime.deadlines import DEFAULT_HOURS, OfficeHours, WorkCalendar
from cchc.worktime.models import CalendarDay, CalendarRevision, UnitClosure
from cchc.worktime.models import OfficeHours as OfficeHoursRow


@dataclass
class _Cache:
    token: str | None = None
    national: WorkCalendar | None = None
    units: dict[int, WorkCalendar] = field(default_factory=dict)


_cache = _Cache()
_lock = threading.Lock()


def current_token() -> str:
    token = CalendarRevision.objects.filter(pk=1).values_list("token", flat=True).first()
    return str(token) if token is not None else "none"


def invalidate() -> None:
    """Forget this process's snapshots (the revision token already tells other processes)."""
    global _cache
    with _lock:
        _cache = _Cache()


def build_national(token: str = "") -> WorkCalendar:
    rows = list(CalendarDay.objects.values_list("date", "kind"))
    off = [d for d, kind in rows if kind != "makeup_working"]
    makeup = [d for d, kind in rows if kind == "makeup_working"]
    default = OfficeHoursRow.objects.filter(unit__isnull=True).first()
    hours = default.spec() if default else DEFAULT_HOURS
    return WorkCalendar(
        days_off=off, working_weekend_days=makeup, hours=hours, label=f"national@{token}"
    )


def _ancestor_ids(unit: Unit) -> list[int]:
    # Unit.path is "/1/7/42/": the unit's own id last. Nearest first.
    return [int(part) for part in reversed(unit.path.strip("/").split("/")) if part] or [unit.pk]


def build_for_unit(national: WorkCalendar, unit: Unit) -> WorkCalendar:
    """The national calendar plus the closures of the unit and of the units above it, with the
    office hours of the nearest unit (itself first) that has its own."""
    chain = _ancestor_ids(unit)
    closures = UnitClosure.objects.filter(unit_id__in=chain).values_list("date", flat=True)
    by_unit = {row.unit_id: row for row in OfficeHoursRow.objects.filter(unit_id__in=chain)}
    hours: OfficeHours | None = next((by_unit[i].spec() for i in chain if i in by_unit), None)
    return national.derive(
        extra_days_off=closures, hours=hours, label=f"{national.label}/unit {unit.code}"
    )


def load_calendar(unit: Unit | None = None) -> WorkCalendar:
    """The current snapshot, national or for one unit: one small query when nothing changed."""
    global _cache
    token = current_token()
    with _lock:
        cache = _cache
        if cache.token != token:
            cache = _Cache(token=token)
            _cache = cache
        national = cache.national
        unit_cal = cache.units.get(unit.pk) if unit is not None else None
    if national is None:
        national = build_national(token)
        with _lock:
            if _cache is cache:
                cache.national = national
    if unit is None:
        return national
    if unit_cal is None:
        unit_cal = build_for_unit(national, unit)
        with _lock:
            if _cache is cache:
                cache.units[unit.pk] = unit_cal
    return unit_cal
