"""Waiting and service times at the counters, for the unit's reports.

Waiting time is issued → first called; service time is service start → finished (for a ticket
finished straight after its call, start is the call: see actions.finish). A transferred ticket
counts once, from its first call to its final "Xong".

`queue_stats` reads the timestamps of the period once; the summaries are computed in Python so
the same code gives the same p90 on SQLite and PostgreSQL (neither shares a percentile
function with the other).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cchc.tickets.choices import TicketStatus
from cchc.tickets.models import Ticket


def mean(values: Sequence[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    return sum(values, dt.timedelta()) / len(values)


def percentile(values: Sequence[dt.timedelta], p: float) -> dt.timedelta | None:
    """Nearest-rank percentile: the smallest value with at least p% of values at or below it."""
    if not values:
        return None
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class QueueStats:
    unit_id: int
    field_id: int | None
    day: dt.date
    issued: int
    called: int
    served: int
    skipped: int
    no_show: int
    waiting_avg: dt.timedelta | None
    waiting_p90: dt.timedelta | None
    service_avg: dt.timedelta | None
    service_p90: dt.timedelta | None


Row = tuple[
    int,
    int | None,
    dt.date,
    str,
    dt.datetime,
    dt.datetime | None,
    dt.datetime | None,
    dt.datetime | None,
]


def summarise(rows: Iterable[Row]) -> list[QueueStats]:
    """Group (unit, field, day, status, issued, called, served, finished) rows into stats."""
    groups: dict[tuple[int, int | None, dt.date], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row[0], row[1], row[2])].append(row)
    stats = []
    for (unit_id, field_id, day), members in groups.items():
        waits = [c - i for _u, _f, _d, _s, i, c, _sv, _fn in members if c is not None]
        services = [
            fn - sv
            for _u, _f, _d, s, _i, _c, sv, fn in members
            if s == TicketStatus.DONE and sv is not None and fn is not None
        ]
        stats.append(
            QueueStats(
                unit_id=unit_id,
                field_id=field_id,
                day=day,
                issued=len(members),
                called=len(waits),
                served=sum(1 for m in members if m[3] == TicketStatus.DONE),
                skipped=sum(1 for m in members if m[3] == TicketStatus.SKIPPED),
                no_show=sum(1 for m in members if m[3] == TicketStatus.NO_SHOW),
                waiting_avg=mean(waits),
                waiting_p90=percentile(waits, 90),
                service_avg=mean(services),
                service_p90=percentile(services, 90),
            )
        )
    return sorted(stats, key=lambda s: (s.day, s.unit_id, s.field_id or 0))


def queue_rows(unit_ids: Iterable[int], start: dt.date, end: dt.date) -> list[Row]:
    """The timestamps of the tickets of some units, days start..end inclusive."""
    return list(
        Ticket.objects.filter(unit_id__in=list(unit_ids), day__gte=start, day__lte=end)
        .order_by()
        .values_list(
            "unit_id",
            "field_id",
            "day",
            "status",
            "issued_at",
            "called_at",
            "served_at",
            "finished_at",
        )
    )


def queue_stats(
    unit_ids: Iterable[int], start: dt.date, end: dt.date, *, by_field: bool = True
) -> list[QueueStats]:
    """Per unit, field and day (or per unit and day with by_field=False)."""
    rows = queue_rows(unit_ids, start, end)
    if not by_field:
        rows = [(u, None, d, s, i, c, sv, fn) for u, _f, d, s, i, c, sv, fn in rows]
    return summarise(rows)
