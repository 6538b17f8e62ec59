"""Dossiers made directly (as many as a period needs, with any history), and an oracle: the
table counted straight from each dossier's moments, one dossier at a time, with none of the
day buckets, aggregate tables or queries the reports use."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from typing import Any

from cchc.dossiers.choices import Channel, EndType, Status
from cchc.dossiers.models import Dossier
from cchc.feedback.choices import SATISFIED_LEVELS
from cchc.feedback.models import Rating
from cchc.testing import TZ, World
from cchc.worktime import deadlines
from cchc.worktime.choices import Outcome

_codes = itertools.count(1)


def make_dossier(
    world: World,
    *,
    received: dt.datetime | None,
    due: dt.datetime | None = None,
    finished: dt.datetime | None = None,
    end_type: str = "",
    unit: Any = None,
    channel: str = Channel.COUNTER,
    cross_boundary: bool = False,
    rescheduled: dt.datetime | None = None,
    supplement_asked: dt.datetime | None = None,
    supplement_back: dt.datetime | None = None,
    procedure: Any = None,
    status: str | None = None,
    rating: tuple[dt.datetime, int] | None = None,
) -> Dossier:
    """A dossier as the actions would leave it, from its moments. `due` is the final
    original due moment; with a supplement returned, the clock restarted at `supplement_back`."""
    procedure = procedure or world.copy
    unit = unit or world.commune_a
    if status is None:
        if received is None:
            status = Status.SUBMITTED
        elif finished is None:
            pending = supplement_asked is not None and supplement_back is None
            status = Status.SUPPLEMENT if pending else Status.PROCESSING
        else:
            by_end: dict[str, str] = {
                EndType.RESOLVED: Status.RETURNED,
                EndType.REFUSED: Status.RESOLVED,
                EndType.WITHDRAWN: Status.WITHDRAWN,
                EndType.STOPPED: Status.STOPPED,
            }
            status = by_end[end_type]
    outcome = ""
    if finished is not None and end_type in (EndType.RESOLVED, EndType.REFUSED) and due:
        outcome = deadlines.outcome(due, finished)
    dossier = Dossier.objects.create(
        code=f"TEST-{next(_codes):06d}",
        status=status,
        procedure=procedure,
        procedure_version=procedure.versions.first(),
        field=procedure.field,
        receiving_unit=unit,
        processing_unit=unit,
        channel=channel,
        return_method="counter",
        applicant_name="Nguyễn Văn An",
        cross_boundary=cross_boundary,
        submitted_at=received or dt.datetime(2025, 1, 1, tzinfo=TZ),
        received_at=received,
        clock_started_at=supplement_back or received,
        original_due_at=due,
        due_at=due,
        rescheduled_at=rescheduled,
        reschedule_count=1 if rescheduled else 0,
        supplement_requested_at=supplement_asked,
        supplement_count=1 if supplement_asked else 0,
        finished_at=finished,
        end_type=end_type if finished else "",
        outcome=outcome,
    )
    if rating is not None:
        Rating.objects.create(
            dossier=dossier,
            level=rating[1],
            channel="lookup",
            created_at=rating[0],
            processing_unit=unit,
            receiving_unit=unit,
            procedure=procedure,
        )
    return dossier


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, TZ)


def oracle(
    dossiers: list[Dossier],
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    *,
    payment_stops: bool = False,
) -> Counter[str]:
    """The table's columns for these dossiers, from their moments (the semantics in
    docs/formats.md): S = start of `start`, E = end of `end`; when the period reaches today,
    what is in progress at the end of today is judged overdue against now."""
    today = now.astimezone(TZ).date()
    live = end >= today
    s = day_start(start)
    e = day_start(min(end, today) + dt.timedelta(days=1))  # flows happen up to here
    open_at = e  # in progress: received before it, not finished before it
    judged_at = now if live else e
    c: Counter[str] = Counter()
    for d in dossiers:
        rating = Rating.objects.filter(dossier=d).first()
        if rating is not None and s <= rating.created_at < e:
            c["rated"] += 1
            c["satisfied"] += rating.level in SATISFIED_LEVELS
        r, f = d.received_at, d.finished_at
        if r is None:
            continue
        if r < s and (f is None or f >= s):
            c["carried_over"] += 1
        if s <= r < e:
            c[f"received_{d.channel}"] += 1
            c["received_cross_boundary"] += d.cross_boundary
        if f is not None and s <= f < e:
            if d.end_type in (EndType.WITHDRAWN, EndType.STOPPED):
                c[d.end_type] += 1
            else:
                c["resolved_refused"] += d.end_type == EndType.REFUSED
                outcome = d.outcome
                apology = d.rescheduled_at is not None or d.reschedule_count > 0
                if outcome == Outcome.EARLY:
                    c["resolved_early"] += 1
                elif outcome == Outcome.ON_TIME:
                    c["resolved_on_time"] += 1
                else:
                    c["resolved_late_apology" if apology else "resolved_late_no_apology"] += 1
        if r < open_at and (f is None or f >= open_at):
            c["in_progress_total"] += 1
            q, back = d.supplement_requested_at, d.clock_started_at
            if live:
                waiting = d.status == Status.SUPPLEMENT
                stopped = waiting or (payment_stops and d.status == Status.PAYMENT)
            else:
                # Asked before the moment, and not back by then (never back: still waiting).
                back_by_then = back is not None and q is not None and q < back < judged_at
                waiting = q is not None and q < judged_at and not back_by_then
                stopped = waiting
            c["waiting_supplement"] += waiting
            due = d.original_due_at
            if due is not None and due < judged_at and not stopped:
                apology = d.reschedule_count > 0 and (
                    d.rescheduled_at is None or d.rescheduled_at < judged_at
                )
                c[
                    "in_progress_overdue_apology" if apology else "in_progress_overdue_no_apology"
                ] += 1
    return c


def as_counter(counts: Any) -> Counter[str]:
    """A report's Counts as the oracle's Counter (zeros dropped)."""
    keys = [
        "received_counter",
        "received_postal",
        "received_online_full",
        "received_online_partial",
        "received_cross_boundary",
        "carried_over",
        "resolved_early",
        "resolved_on_time",
        "resolved_late_apology",
        "resolved_late_no_apology",
        "resolved_refused",
        "withdrawn",
        "stopped",
        "in_progress_total",
        "in_progress_overdue_apology",
        "in_progress_overdue_no_apology",
        "waiting_supplement",
        "rated",
        "satisfied",
    ]
    return Counter({k: getattr(counts, k) for k in keys if getattr(counts, k)})
