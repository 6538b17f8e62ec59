"""What the waiting-room screen shows: the day's latest calls and how many are waiting; and what
the small screen above one counter shows: the number it is calling or serving now.

Public, so it carries ticket numbers and counters only — never a name, phone or dossier code.
The board costs three queries whatever the size of the day (unit, calls, waiting count); a
counter's screen two (counter with its unit, current ticket).
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.utils import timezone

from cchc.tickets.choices import AT_COUNTER, TicketStatus
from cchc.tickets.models import Counter, Ticket
from cchc.units.models import Unit
from cchc.worktime.deadlines import TZ

BOARD_SIZE = 8
ON_BOARD = (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.DONE)


class BoardEntry(TypedDict):
    code: str
    counter: int | None
    counter_name: str
    called_at: str
    status: str


class BoardState(TypedDict):
    unit: dict[str, str]
    day: str
    updated: str
    current: BoardEntry | None
    called: list[BoardEntry]
    waiting: int


def board_state(
    unit: Unit, *, limit: int = BOARD_SIZE, at: dt.datetime | None = None
) -> BoardState:
    now = at or timezone.now()
    day = timezone.localdate(now, timezone=TZ)
    rows = (
        Ticket.objects.filter(unit=unit, day=day, status__in=ON_BOARD, last_called_at__isnull=False)
        .select_related("counter")
        .only(
            "code",
            "status",
            "last_called_at",
            "counter__number",
            "counter__name",
        )
        .order_by("-last_called_at", "-id")[:limit]
    )
    called: list[BoardEntry] = []
    for t in rows:
        assert t.last_called_at is not None
        called.append(
            {
                "code": t.code,
                "counter": t.counter.number if t.counter else None,
                "counter_name": t.counter.label if t.counter else "",
                "called_at": timezone.localtime(t.last_called_at, TZ).isoformat(),
                "status": t.status,
            }
        )
    waiting = Ticket.objects.filter(
        unit=unit, day=day, status__in=(TicketStatus.WAITING, TicketStatus.TRANSFERRED)
    ).count()
    # The latest call stays highlighted while its citizen is at the counter.
    current = called[0] if called and called[0]["status"] != TicketStatus.DONE else None
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "day": day.isoformat(),
        "updated": timezone.localtime(now, TZ).isoformat(),
        "current": current,
        "called": called,
        "waiting": waiting,
    }


class CounterRef(TypedDict):
    number: int
    name: str


class CounterCall(TypedDict):
    code: str
    status: str
    called_at: str


class CounterDisplayState(TypedDict):
    unit: dict[str, str]
    counter: CounterRef
    day: str
    updated: str
    current: CounterCall | None


def counter_display_state(
    counter: Counter, *, at: dt.datetime | None = None
) -> CounterDisplayState:
    """The counter's ticket of the moment: called (waiting for its citizen) or being served;
    None once it is finished, skipped or transferred, until the next call. One query (the
    counter comes with its unit)."""
    now = at or timezone.now()
    day = timezone.localdate(now, timezone=TZ)
    ticket = (
        Ticket.objects.filter(counter=counter, day=day, status__in=AT_COUNTER)
        .only("code", "status", "last_called_at")
        .order_by("-last_called_at", "-id")
        .first()
    )
    current: CounterCall | None = None
    if ticket is not None and ticket.last_called_at is not None:
        current = {
            "code": ticket.code,
            "status": ticket.status,
            "called_at": timezone.localtime(ticket.last_called_at, TZ).isoformat(),
        }
    return {
        "unit": {"code": counter.unit.code, "name": counter.unit.name},
        "counter": {"number": counter.number, "name": counter.label},
        "day": day.isoformat(),
        "updated": timezone.localtime(now, TZ).isoformat(),
        "current": current,
    }
