"""Generated data (Hypothesis): whatever the dossiers and the period, the table equals the
oracle's count from each dossier's moments, its identities hold, and it is the same whether the
changes were swept into the aggregate tables or are still being added on the fly."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.dossiers.choices import Channel, EndType
from cchc.dossiers.models import Dossier
from cchc.feedback.models import Rating
from cchc.reports import aggregates
from cchc.reports.resolution import Counts, resolution, resolution_series
from cchc.reports.tests.support import as_counter, make_dossier, oracle
from cchc.testing import TZ, World
from cchc.worktime import deadlines

pytestmark = pytest.mark.django_db

BASE = dt.datetime(2025, 3, 3, tzinfo=TZ)  # a Monday
H = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Spec:
    received_h: int | None
    due_days: int
    due_hour: int
    supplement: int  # 0 none, 1 returned, 2 still awaited
    asked_h: int
    back_h: int
    finished_h: int | None
    end: str
    apology_h: int | None
    channel: str
    cross: bool
    unit_b: bool
    rating: tuple[int, int] | None


specs = st.builds(
    Spec,
    received_h=st.one_of(st.none(), st.integers(0, 24 * 150)),
    due_days=st.integers(0, 20),
    due_hour=st.sampled_from([8, 11, 17, 23]),
    supplement=st.sampled_from([0, 0, 0, 1, 2]),
    asked_h=st.integers(1, 72),
    back_h=st.integers(1, 24 * 20),
    finished_h=st.one_of(st.none(), st.integers(0, 24 * 40)),
    end=st.sampled_from(
        [EndType.RESOLVED, EndType.RESOLVED, EndType.REFUSED, EndType.WITHDRAWN, EndType.STOPPED]
    ),
    apology_h=st.one_of(st.none(), st.integers(0, 24 * 10)),
    channel=st.sampled_from(list(Channel.values)),
    cross=st.booleans(),
    unit_b=st.booleans(),
    rating=st.one_of(st.none(), st.tuples(st.integers(0, 24 * 30), st.integers(1, 5))),
)


def build(world: World, spec: Spec, cutoff: dt.datetime) -> Dossier:
    """The dossier as it stands at `cutoff`: anything later has not happened yet."""

    def by(moment: dt.datetime | None) -> dt.datetime | None:
        return moment if moment is not None and moment <= cutoff else None

    received = by(BASE + spec.received_h * H) if spec.received_h is not None else None
    if received is None:
        return make_dossier(world, received=None)
    asked = back = None
    if spec.supplement:
        asked = by(received + spec.asked_h * H)
        if asked is not None and spec.supplement == 1:
            back = by(asked + spec.back_h * H)
    clock = back or received
    due_day = clock.astimezone(TZ).date() + dt.timedelta(days=spec.due_days)
    due = dt.datetime.combine(due_day, dt.time(spec.due_hour), TZ)
    pending = asked is not None and back is None
    finished = end = None
    if spec.finished_h is not None:
        # A dossier waiting for its supplement can only be withdrawn or stopped.
        end = spec.end
        if pending and end in (EndType.RESOLVED, EndType.REFUSED):
            end = EndType.WITHDRAWN
        finished = by((asked or clock if pending else clock) + spec.finished_h * H)
    apology = None
    if spec.apology_h is not None and not pending:
        apology = by(clock + spec.apology_h * H)
        if apology is not None and finished is not None and apology > finished:
            apology = None
    rating = None
    if spec.rating is not None and finished is not None and end == EndType.RESOLVED:
        rated = by(finished + spec.rating[0] * H)
        rating = (rated, spec.rating[1]) if rated is not None else None
    return make_dossier(
        world,
        received=received,
        due=due,
        finished=finished,
        end_type=end or "",
        unit=world.commune_b if spec.unit_b else world.commune_a,
        channel=spec.channel,
        cross_boundary=spec.cross,
        rescheduled=apology,
        supplement_asked=asked,
        supplement_back=back,
        rating=rating,
    )


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Each Hypothesis example in its own transaction, undone at the end."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


periods = st.tuples(st.integers(-10, 190), st.integers(0, 120))


def period(offset: int, length: int) -> tuple[dt.date, dt.date]:
    start = BASE.date() + dt.timedelta(days=offset)
    return start, start + dt.timedelta(days=length)


def check_table(world: World, dossiers: list[Dossier], start: dt.date, end: dt.date, now: Any):
    report = resolution(world.province, start, end, subtree=True, now=now)
    assert report.total.identities_hold(), report.total
    assert as_counter(report.total) == oracle(dossiers, start, end, now)
    # The rows add up to the total, whatever they are grouped by.
    for group in (("field",), ("channel",), ("unit",), ("level", "field"), ("procedure",)):
        grouped = resolution(world.province, start, end, subtree=True, now=now, group=group)
        summed = sum((r.counts for r in grouped.rows), start=type(report.total)())
        assert summed == report.total
        assert all(r.counts.identities_hold() for r in grouped.rows)
    return report


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(
    first=st.lists(specs, max_size=15),
    second=st.lists(specs, max_size=10),
    finish=st.lists(st.integers(0, 24 * 30), max_size=5),
    asked=st.lists(periods, min_size=1, max_size=3),
)
def test_the_table_is_the_count_of_each_dossier(world, first, second, finish, asked):
    now = timezone.now()
    with rolled_back():
        dossiers = [build(world, s, now) for s in first]
        aggregates.sweep()  # the first ones are in the tables, the rest on the fly
        dossiers += [build(world, s, now) for s in second]
        # Dossiers already counted move on: finished, or their due moment moved (an extension).
        open_ones = [d for d in dossiers if d.received_at and d.finished_at is None]
        for d, hours in zip(open_ones, finish, strict=False):
            assert d.clock_started_at is not None and d.original_due_at is not None
            d.finished_at = d.clock_started_at + hours * H
            if d.status == "supplement":
                d.end_type, d.status = EndType.STOPPED, "stopped"
            else:
                d.end_type, d.status = EndType.RESOLVED, "returned"
                d.outcome = deadlines.outcome(d.original_due_at, d.finished_at)
            d.save()
        for offset, length in asked:
            start, end = period(offset, length)
            before = check_table(world, dossiers, start, end, now)
            aggregates.sweep()
            assert check_table(world, dossiers, start, end, now).total == before.total
        assert not aggregates.check()


@SETTINGS
@given(dossiers_=st.lists(specs, max_size=20), asked=st.lists(periods, min_size=1, max_size=3))
def test_a_period_reaching_today_counts_what_is_open_now(world, dossiers_, asked):
    """`now` inside the data: in progress is what is open now, overdue what is past due now."""
    now = BASE + dt.timedelta(days=100, hours=10)
    with rolled_back():
        dossiers = [build(world, s, now) for s in dossiers_]
        aggregates.sweep()
        for offset, _length in asked:
            start = min(BASE.date() + dt.timedelta(days=offset), now.date())
            check_table(world, dossiers, start, now.date() + dt.timedelta(days=30), now)


def test_ratings_count_in_the_period_they_were_given(world):
    d = make_dossier(
        world,
        received=BASE,
        due=BASE + 48 * H,
        finished=BASE + 24 * H,
        end_type=EndType.RESOLVED,
        rating=(BASE + 24 * 40 * H, 4),
    )
    march = resolution(world.commune_a, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    april = resolution(world.commune_a, dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    assert (march.total.rated, april.total.rated, april.total.satisfied) == (0, 1, 1)
    assert april.total.satisfaction_rate == 100
    Rating.objects.filter(dossier=d).update(level=2)
    aggregates.rebuild()
    april = resolution(world.commune_a, dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    assert (april.total.rated, april.total.satisfied, april.total.satisfaction_rate) == (1, 0, 0)


def months_from(offset: int, count: int, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """`count` consecutive calendar months from the month of BASE + offset days, the last ones
    cut at today (as the dashboard's trend asks for them)."""
    first = (BASE.date() + dt.timedelta(days=offset)).replace(day=1)
    out = []
    for _i in range(count):
        following = (first + dt.timedelta(days=32)).replace(day=1)
        if first > today:
            break
        out.append((first, min(following - dt.timedelta(days=1), today)))
        first = following
    return out


def check_series(world, dossiers, periods, now) -> None:
    """The series answers each period exactly as `resolution` does, and as the oracle counts."""
    series = resolution_series(world.province, periods, subtree=True, now=now)
    assert len(series) == len(periods)
    for (start, end), counts in zip(periods, series, strict=True):
        assert counts == resolution(world.province, start, end, subtree=True, now=now).total
        assert as_counter(counts) == oracle(dossiers, start, end, now)
        assert counts.identities_hold()
    # Commune A alone (a narrower scope) and a scope of nothing.
    a = resolution_series(world.commune_a, periods, now=now)
    for (start, end), counts in zip(periods, a, strict=True):
        assert counts == resolution(world.commune_a, start, end, now=now).total
    assert resolution_series(world.province, periods, units=[], now=now) == [
        Counts() for _p in periods
    ]


@SETTINGS
@given(
    first=st.lists(specs, max_size=15),
    second=st.lists(specs, max_size=10),
    finish=st.lists(st.integers(0, 24 * 30), max_size=5),
    months=st.tuples(st.integers(-40, 200), st.integers(1, 12)),
    asked=st.lists(periods, min_size=1, max_size=4),
    swept=st.sampled_from(["never", "before", "months_ago"]),
    today_offset=st.one_of(st.none(), st.integers(0, 200)),
)
def test_a_series_of_periods_is_each_periods_table(
    world, first, second, finish, months, asked, swept, today_offset
):
    """Consecutive months (the dashboard's trend) and arbitrary periods, overlapping or not,
    whether the tables were never built, built before some changes, or built months before
    the periods (so their balances start from an older month and add the days since); with
    today after every period or inside them (the last ones live)."""
    now = timezone.now() if today_offset is None else BASE + dt.timedelta(days=today_offset)
    now = now + dt.timedelta(hours=10) if today_offset is not None else now
    cutoff = min(now, timezone.now())
    with rolled_back():
        dossiers = [build(world, s, cutoff) for s in first]
        if swept == "before":
            aggregates.sweep()
        elif swept == "months_ago":
            with time_machine.travel(BASE + dt.timedelta(days=40), tick=False):
                aggregates.rebuild()  # horizon: April 2025
        dossiers += [build(world, s, cutoff) for s in second]
        open_ones = [d for d in dossiers if d.received_at and d.finished_at is None]
        for d, hours in zip(open_ones, finish, strict=False):
            assert d.clock_started_at is not None
            finished = d.clock_started_at + hours * H
            if finished > cutoff:
                continue
            d.finished_at = finished
            if d.status == "supplement":
                d.end_type, d.status = EndType.STOPPED, "stopped"
            else:
                assert d.original_due_at is not None
                d.end_type, d.status = EndType.RESOLVED, "returned"
                d.outcome = deadlines.outcome(d.original_due_at, d.finished_at)
            d.save()
        today = now.astimezone(TZ).date()
        trend = months_from(months[0], months[1], today)
        if trend:
            check_series(world, dossiers, trend, now)
        chosen = []
        for offset, length in asked:
            start, end = period(offset, length)
            if start <= today:
                chosen.append((start, end))
        if chosen:
            check_series(world, dossiers, chosen, now)
