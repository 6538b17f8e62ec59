"""What one dossier contributes to the resolution table: pure functions, no queries.

A dossier is reduced to its `Facts`: the group it is counted in (processing unit, field,
procedure, channel) and a handful of local dates. Every column of the table is then either a
*flow* counted on one day (received, finished by outcome, rated) or a *state* that holds from
one day to another (in progress, overdue, waiting for supplement). A state holds "at the end of
day d" when ``start <= d < until``; ``until`` is None while it still holds.

How the dates are chosen (docs/formats.md, "Reports"):
- in progress from the day of receipt until the day it finished (withdrawn, stopped, resolved
  or refused: a refusal after appraisal counts as resolved, REFERENCE §1.6);
- overdue from the day of `original_due_at` (a dossier due at 17:00 and still open at the end
  of that day is overdue), until it finishes, or until the day the clock stopped if it is
  still stopped (waiting for the citizen's supplement; waiting for payment where
  ONE_STOP_PAYMENT_STOPS_CLOCK is on): a stopped clock is never overdue (CALENDAR.md);
- judged against `original_due_at` as it stands: an apology's new date never changes it, a
  lawful extension and a returned supplement do (docs/rules.md) — the table judges by the
  dossier's final legal due moment, it does not replay earlier ones;
- "with apology" from the day of the apology letter (Mẫu 04);
- waiting for supplement from the day it was asked until the day the complete dossier came
  back (`clock_started_at`, where the clock restarts), or until it finished if it never did.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cchc.dossiers.choices import EndType, Status
from cchc.feedback.choices import SATISFIED_LEVELS
from cchc.reports.choices import CHANNEL_CODES, End
from cchc.worktime import deadlines
from cchc.worktime.choices import Outcome
from cchc.worktime.deadlines import TZ

# Columns counted on one day.
FLOW_COLUMNS: tuple[str, ...] = (
    "received",
    "received_cross",
    "early",
    "on_time",
    "late_apology",
    "late_no_apology",
    "refused",
    "withdrawn",
    "stopped",
    "rated",
    "satisfied",
)
# States: the day tables keep +1 on the day one begins and -1 on the day it ends ("open" is not
# stored: it is received minus finished); the month tables keep how many hold at the month's start.
DELTA_COLUMNS: tuple[str, ...] = ("overdue_apology", "overdue_no_apology", "supplement")
BALANCE_COLUMNS: tuple[str, ...] = ("open", *DELTA_COLUMNS)
FINISH_COLUMNS: tuple[str, ...] = (
    "early",
    "on_time",
    "late_apology",
    "late_no_apology",
    "withdrawn",
    "stopped",
)
DAY_COLUMNS: tuple[str, ...] = FLOW_COLUMNS + DELTA_COLUMNS
MONTH_COLUMNS: tuple[str, ...] = FLOW_COLUMNS + tuple(f"{c}_start" for c in BALANCE_COLUMNS)

END_COLUMN: dict[int, str] = {
    End.EARLY: "early",
    End.ON_TIME: "on_time",
    End.LATE_APOLOGY: "late_apology",
    End.LATE_NO_APOLOGY: "late_no_apology",
    End.WITHDRAWN: "withdrawn",
    End.STOPPED: "stopped",
}

# The dossier columns the facts are made of, in the order `facts_of` reads them.
DOSSIER_FIELDS: tuple[str, ...] = (
    "id",
    "processing_unit_id",
    "field_id",
    "procedure_id",
    "channel",
    "cross_boundary",
    "status",
    "received_at",
    "clock_started_at",
    "original_due_at",
    "rescheduled_at",
    "reschedule_count",
    "supplement_requested_at",
    "payment_requested_at",
    "finished_at",
    "end_type",
    "outcome",
)

Key = tuple[int, int, int, int]  # unit, field, procedure, channel code
FieldKey = tuple[int, int, int]  # unit, field, channel code (no procedure)


@dataclass(frozen=True, slots=True)
class Facts:
    unit_id: int
    field_id: int
    procedure_id: int
    channel: int
    received: dt.date | None
    cross_boundary: bool = False
    finished: dt.date | None = None
    end: int = 0
    refused: bool = False
    overdue_from: dt.date | None = None
    overdue_until: dt.date | None = None
    apology: dt.date | None = None
    supplement_from: dt.date | None = None
    supplement_until: dt.date | None = None
    rated: dt.date | None = None
    satisfied: bool = False

    @property
    def key(self) -> Key:
        return (self.unit_id, self.field_id, self.procedure_id, self.channel)


def local_day(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(TZ).date() if moment is not None else None


def _min(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The earlier of two ends, None meaning "not yet"."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


_FINISHED_BY_STATUS = {
    Status.RESOLVED: EndType.RESOLVED,
    Status.RETURNED: EndType.RESOLVED,
    Status.WITHDRAWN: EndType.WITHDRAWN,
    Status.STOPPED: EndType.STOPPED,
}


def facts_of(
    row: Sequence[Any], rating: tuple[dt.datetime, int] | None = None, *, payment_stops: bool
) -> Facts | None:
    """The facts of one dossier (its columns in `DOSSIER_FIELDS` order) and of its rating
    (moment, level); None when it counts nowhere (never received and never rated)."""
    (
        _pk,
        unit_id,
        field_id,
        procedure_id,
        channel,
        cross_boundary,
        status,
        received_at,
        clock_started_at,
        original_due_at,
        rescheduled_at,
        reschedule_count,
        supplement_requested_at,
        payment_requested_at,
        finished_at,
        end_type,
        outcome,
    ) = row
    rated = local_day(rating[0]) if rating is not None else None
    satisfied = rating is not None and rating[1] in SATISFIED_LEVELS
    received = local_day(received_at)
    base: dict[str, Any] = {
        "unit_id": unit_id,
        "field_id": field_id,
        "procedure_id": procedure_id,
        "channel": CHANNEL_CODES[channel],
        "rated": rated,
        "satisfied": satisfied,
    }
    if received is None:
        return Facts(received=None, **base) if rated is not None else None

    finished = local_day(finished_at)
    if finished is not None and finished < received:
        finished = received  # a finish cannot come before the receipt it closes
    apology = local_day(rescheduled_at)
    if apology is None and reschedule_count:
        apology = received  # an imported apology without its date: counted from receipt
    end, refused = 0, False
    if finished_at is not None:
        kind = end_type or _FINISHED_BY_STATUS.get(status, EndType.RESOLVED)
        if kind == EndType.WITHDRAWN:
            end = End.WITHDRAWN
        elif kind == EndType.STOPPED:
            end = End.STOPPED
        else:
            refused = kind == EndType.REFUSED
            judged = outcome or (
                deadlines.outcome(original_due_at, finished_at)
                if original_due_at is not None
                else Outcome.ON_TIME
            )
            if judged == Outcome.EARLY:
                end = End.EARLY
            elif judged == Outcome.ON_TIME:
                end = End.ON_TIME
            else:
                end = End.LATE_APOLOGY if apology is not None else End.LATE_NO_APOLOGY

    # The supplement still awaited: asked after the clock last (re)started, or the status says
    # so (an imported dossier may not know when it was asked: then since receipt).
    supplement_asked = local_day(supplement_requested_at)
    supplement_pending = status == Status.SUPPLEMENT or (
        supplement_requested_at is not None
        and (clock_started_at is None or supplement_requested_at > clock_started_at)
    )
    supplement_from = supplement_until = None
    if supplement_asked is not None or supplement_pending:
        supplement_from = max(received, supplement_asked or received)
        supplement_until = (
            finished if supplement_pending else _min(local_day(clock_started_at), finished)
        )
        if supplement_until is not None and supplement_until <= supplement_from:
            supplement_from = supplement_until = None

    overdue_from = overdue_until = None
    due = local_day(original_due_at)
    if due is not None:
        overdue_from = max(received, due)
        overdue_until = finished
        if supplement_pending:
            overdue_until = _min(overdue_until, supplement_from or supplement_asked or received)
        if payment_stops and status == Status.PAYMENT:
            overdue_until = _min(overdue_until, local_day(payment_requested_at) or received)
        if overdue_until is not None and overdue_until <= overdue_from:
            overdue_from = overdue_until = None

    return Facts(
        received=received,
        cross_boundary=bool(cross_boundary),
        finished=finished,
        end=end,
        refused=refused,
        overdue_from=overdue_from,
        overdue_until=overdue_until,
        apology=apology,
        supplement_from=supplement_from,
        supplement_until=supplement_until,
        **base,
    )


Interval = tuple[str, dt.date, dt.date | None]


def intervals(f: Facts) -> list[Interval]:
    """The states this dossier is in, each as (column, first day, day it ends or None)."""
    if f.received is None:
        return []
    spans: list[Interval] = [("open", f.received, f.finished)]
    if f.overdue_from is not None:
        start, until = f.overdue_from, f.overdue_until
        if f.apology is None or f.apology >= (until or dt.date.max):
            spans.append(("overdue_no_apology", start, until))
        elif f.apology <= start:
            spans.append(("overdue_apology", start, until))
        else:
            spans.append(("overdue_no_apology", start, f.apology))
            spans.append(("overdue_apology", f.apology, until))
    if f.supplement_from is not None:
        spans.append(("supplement", f.supplement_from, f.supplement_until))
    return [s for s in spans if s[2] is None or s[1] < s[2]]


def day_items(f: Facts) -> Iterator[tuple[dt.date, str, int]]:
    """(day, day-table column, +n) for every flow and every change of state but "open"."""
    if f.received is not None:
        yield f.received, "received", 1
        if f.cross_boundary:
            yield f.received, "received_cross", 1
        if f.finished is not None and f.end:
            yield f.finished, END_COLUMN[f.end], 1
            if f.refused:
                yield f.finished, "refused", 1
        for column, start, until in intervals(f):
            if column == "open":
                continue
            yield start, column, 1
            if until is not None:
                yield until, column, -1
    if f.rated is not None:
        yield f.rated, "rated", 1
        if f.satisfied:
            yield f.rated, "satisfied", 1


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_starts(
    start: dt.date, until: dt.date | None, horizon: dt.date | None
) -> Iterator[dt.date]:
    """The firsts of month M with start < M <= until (and M <= horizon): the month starts at
    which a state [start, until) holds, among those the month table keeps."""
    if horizon is None:
        return
    last = horizon if until is None else min(until, horizon)
    month = next_month(month_of(start))
    while month <= last:
        yield month
        month = next_month(month)


class Tally:
    """Rows of the day and month tables, summed in memory: +facts, -facts, then the rows."""

    def __init__(self, horizon: dt.date | None) -> None:
        self.horizon = horizon
        self.day: dict[tuple[dt.date, Key], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.month: dict[tuple[dt.date, Key], dict[str, int]] = defaultdict(
            lambda: defaultdict(int)
        )

    def add(self, f: Facts | None, sign: int = 1) -> None:
        if f is None:
            return
        key = f.key
        for day, column, n in day_items(f):
            self.day[(day, key)][column] += sign * n
            if column in FLOW_COLUMNS:
                self.month[(month_of(day), key)][column] += sign * n
        for column, start, until in intervals(f):
            for month in month_starts(start, until, self.horizon):
                self.month[(month, key)][f"{column}_start"] += sign

    def add_all(self, facts: Iterable[Facts | None]) -> None:
        for f in facts:
            self.add(f)

    @staticmethod
    def _nonzero(
        table: dict[tuple[dt.date, Key], dict[str, int]],
    ) -> dict[tuple[dt.date, Key], dict[str, int]]:
        out = {}
        for k, values in table.items():
            kept = {c: n for c, n in values.items() if n}
            if kept:
                out[k] = kept
        return out

    def day_rows(self) -> dict[tuple[dt.date, Key], dict[str, int]]:
        return self._nonzero(self.day)

    def month_rows(self) -> dict[tuple[dt.date, Key], dict[str, int]]:
        return self._nonzero(self.month)
