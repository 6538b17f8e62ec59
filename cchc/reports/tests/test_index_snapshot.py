"""The daily snapshot of the service index: it equals a count from the records, day by day and
for any period; the sweep counts what changed since it last ran; a past day keeps the catalogue
it had; rankings respect the minimum of dossiers and cost the same few queries however many
units there are."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cchc.catalogue.models import UnitProcedure
from cchc.dossiers.choices import Channel, EndType, PaymentMethod
from cchc.reports import service_index as si
from cchc.reports.models_index import ServiceIndexDay
from cchc.reports.tests.index_data import (
    AFTER,
    AUGUST,
    August,
    august,
    communes,
    dossier,
    pay,
    rate,
)
from cchc.testing import World, at
from cchc.units.models import Unit

pytestmark = pytest.mark.django_db

PERIODS = [
    AUGUST,
    (dt.date(2025, 8, 5), dt.date(2025, 8, 12)),
    (dt.date(2025, 7, 28), dt.date(2025, 8, 13)),
    (dt.date(2025, 8, 13), dt.date(2025, 9, 15)),  # reaches "today"
    (dt.date(2025, 8, 20), dt.date(2025, 8, 20)),
]


@pytest.fixture
def data(world: World) -> August:
    return august(world)


def everything() -> list[int]:
    return list(Unit.objects.values_list("pk", flat=True))


def test_the_first_sweep_counts_every_day_and_equals_the_records(
    world: World, data: August
) -> None:
    result = si.sweep(now=AFTER)
    current = si.state()
    assert current.since == dt.date(2025, 7, 1)  # the month of the first receipt
    assert current.through == dt.date(2025, 9, 14)
    assert result.days == (dt.date(2025, 9, 15) - dt.date(2025, 7, 1)).days + 1
    assert si.check(dt.date(2025, 7, 1), dt.date(2025, 9, 15), now=AFTER) == []
    ids = everything()
    for start, end in PERIODS:
        snapshot = si.period_inputs(ids, start, end, now=AFTER)
        direct = si.direct_inputs(ids, start, end, now=AFTER)
        for pk in ids:
            assert snapshot[pk] == direct[pk], (start, end, pk)


def test_the_stored_score_is_the_month_to_date_index(world: World, data: August) -> None:
    si.sweep(now=AFTER)
    row = ServiceIndexDay.objects.get(unit=world.commune_a, day=dt.date(2025, 8, 31))
    assert row.score == si.service_index(world.commune_a, *AUGUST, now=AFTER).result.score
    mid = ServiceIndexDay.objects.get(unit=world.commune_a, day=dt.date(2025, 8, 10))
    expected = si.service_index(
        world.commune_a, dt.date(2025, 8, 1), dt.date(2025, 8, 10), now=AFTER
    ).result.score
    assert mid.score == expected and mid.score_version


def test_a_sweep_counts_the_days_records_changed_on(world: World) -> None:
    # The clock moves for real here: what the sweep looks at is what changed since it last ran.
    with time_machine.travel(AFTER, tick=False) as clock:
        data = august(world)
        si.sweep(now=AFTER)
        clock.shift(dt.timedelta(minutes=30))
        si.sweep()  # the fixture's own rows were within the first sweep's lag
        clock.shift(dt.timedelta(minutes=30))
        # Since: a dossier imported for 18/08 (resolved 22/08, due 21/08) with a payment of
        # 18/08 recorded now, and a rating of D3 given now.
        imported = dossier(
            world,
            received=at("2025-08-18", 9),
            due=at("2025-08-21", 17),
            finished=at("2025-08-22", 9),
            end_type=EndType.RESOLVED,
            channel=Channel.ONLINE_FULL,
        )
        pay(imported, PaymentMethod.ONLINE, at("2025-08-18", 10))
        rate(data.d3, 4, timezone.now())
        now = timezone.now()
        stale = si.check(dt.date(2025, 8, 1), dt.date(2025, 9, 15), now=now)
        # 18 and 22 (its flows), 21 (open past its due that evening), 15/09 (the rating).
        assert {d for d, *_rest in stale} == {
            dt.date(2025, 8, 18),
            dt.date(2025, 8, 21),
            dt.date(2025, 8, 22),
            dt.date(2025, 9, 15),
        }
        days = si.sweep().days
        assert days < 10  # the changed days and today, not the whole snapshot
        assert si.check(dt.date(2025, 7, 1), dt.date(2025, 9, 15), now=now) == []
        august_index = si.service_index(world.commune_a, *AUGUST, now=now).inputs
        assert (august_index.received, august_index.received_online) == (7, 3)
        assert (august_index.payments, august_index.payments_online) == (5, 3)


def test_a_past_day_keeps_the_catalogue_it_had(world: World, data: August) -> None:
    si.sweep(now=AFTER)
    world.copy.adoptions.filter(unit=world.commune_a).update(implemented=False)
    later = AFTER + dt.timedelta(hours=1)
    si.refresh_days([dt.date(2025, 8, 31), dt.date(2025, 9, 15)], now=later)
    past = ServiceIndexDay.objects.get(unit=world.commune_a, day=dt.date(2025, 8, 31))
    today = ServiceIndexDay.objects.get(unit=world.commune_a, day=dt.date(2025, 9, 15))
    assert (past.procedures_implemented, today.procedures_implemented) == (3, 2)
    # The past period reads the catalogue it had; a period reaching today reads today's.
    ids = si.units_in(world.commune_a, subtree=False)
    assert si.service_index(world.commune_a, *AUGUST, now=later).inputs.procedures_implemented == 3
    live = si.period_inputs(ids, dt.date(2025, 9, 1), dt.date(2025, 9, 15), now=later)
    assert sum(live[pk].procedures_implemented for pk in ids) == 2


def test_backfill_extends_the_snapshot_without_a_gap(world: World, data: August) -> None:
    si.backfill(dt.date(2025, 8, 10), dt.date(2025, 8, 20), now=AFTER)
    current = si.state()
    assert (current.since, current.through) == (dt.date(2025, 8, 10), dt.date(2025, 8, 20))
    si.backfill(dt.date(2025, 8, 1), dt.date(2025, 8, 9), now=AFTER)
    si.backfill(dt.date(2025, 8, 21), dt.date(2025, 9, 15), now=AFTER)
    current = si.state()
    assert (current.since, current.through) == (dt.date(2025, 8, 1), dt.date(2025, 9, 14))
    ids = everything()
    snapshot = si.period_inputs(ids, *AUGUST, now=AFTER)
    direct = si.direct_inputs(ids, *AUGUST, now=AFTER)
    assert all(snapshot[pk] == direct[pk] for pk in ids)


def test_ranking_respects_the_minimum_of_dossiers(world: World, data: August) -> None:
    si.sweep(now=AFTER)
    ranked = si.ranking(world.province, *AUGUST, now=AFTER, min_dossiers=2)
    assert [e.unit.code for e in ranked.ranked] == [world.commune_a.code]
    assert ranked.ranked[0].rank == 1 and ranked.ranked[0].dossiers == 6
    assert [e.unit.code for e in ranked.unranked] == [world.commune_b.code]
    assert ranked.unranked[0].rank is None and ranked.min_dossiers == 2
    both = si.ranking(world.province, *AUGUST, now=AFTER, min_dossiers=1)
    assert [e.rank for e in both.ranked] == [1, 2]
    # The entry's score is the unit's own index.
    entry = both.ranked[0] if both.ranked[0].unit == world.commune_a else both.ranked[1]
    assert entry.result.score == si.service_index(world.commune_a, *AUGUST, now=AFTER).result.score
    # The parent's own index comes with it: the province's, its whole subtree.
    province = si.service_index(world.province, *AUGUST, subtree=True, now=AFTER)
    assert both.inputs == province.inputs and both.result is not None
    assert both.result.score == province.result.score


def test_equal_scores_share_a_rank(world: World) -> None:
    # The same catalogue decisions in both communes, the same two dossiers resolved early.
    UnitProcedure.objects.create(unit=world.commune_b, procedure=world.copy, implemented=False)
    for unit in (world.commune_a, world.commune_b):
        for day in (4, 5):
            dossier(
                world,
                unit=unit,
                procedure=world.birth,
                received=at(f"2025-08-0{day}", 9),
                due=at(f"2025-08-0{day}", 17),
                finished=at(f"2025-08-0{day}", 11),
                end_type=EndType.RESOLVED,
            )
    result = si.ranking(world.province, *AUGUST, now=AFTER, min_dossiers=1)
    assert [e.rank for e in result.ranked] == [1, 1]


def _queries(world: World) -> int:
    # Once first: the report queues the aggregates' sweep the first time it finds them unbuilt.
    si.ranking(world.province, *AUGUST, now=AFTER, min_dossiers=1)
    with CaptureQueriesContext(connection) as queries:
        si.ranking(world.province, *AUGUST, now=AFTER, min_dossiers=1)
    return len(queries)


@pytest.mark.parametrize("snapshot", [False, True])
def test_a_ranking_costs_the_same_queries_for_3_or_30communes(world: World, snapshot: bool) -> None:
    communes(world, 0, 3)
    if snapshot:
        si.sweep(now=AFTER)
    few = _queries(world)
    communes(world, 3, 27)
    if snapshot:
        si.sweep(now=AFTER + dt.timedelta(minutes=1))
    assert _queries(world) == few


def test_the_trend_reads_whole_months_from_the_snapshot(world: World, data: August) -> None:
    si.sweep(now=AFTER)
    ids = si.units_in(world.commune_a, subtree=False)
    with CaptureQueriesContext(connection) as queries:
        points = si.trend(
            world.commune_a, dt.date(2025, 7, 1), dt.date(2025, 9, 15), units=ids, now=AFTER
        )
    assert [p.month for p in points] == [
        dt.date(2025, 7, 1),
        dt.date(2025, 8, 1),
        dt.date(2025, 9, 1),
    ]
    august_index = si.service_index(world.commune_a, *AUGUST, now=AFTER)
    assert points[1].inputs == august_index.inputs
    assert points[1].result.score == august_index.result.score
    # September reaches today: counted like any period.
    september = si.service_index(
        world.commune_a, dt.date(2025, 9, 1), dt.date(2025, 9, 15), now=AFTER
    )
    assert points[2].inputs == september.inputs
    assert len(queries) > 2

    def cost(start: dt.date) -> int:
        with CaptureQueriesContext(connection) as counted:
            si.trend(world.commune_a, start, dt.date(2025, 8, 31), units=ids, now=AFTER)
        return len(counted)

    # Months the snapshot holds whole cost the same queries however many they are.
    assert cost(dt.date(2025, 7, 1)) == cost(dt.date(2025, 8, 1))


def test_the_command_backfills_and_checks(world: World) -> None:
    out = StringIO()
    with time_machine.travel(AFTER, tick=False) as clock:
        august(world)
        call_command(
            "refresh_service_index", "--from", "01/08/2025", "--to", "31/08/2025", "--check",
            stdout=out,
        )  # fmt: skip
        assert "Đã tính 31 ngày" in out.getvalue() and "khớp" in out.getvalue()
        assert (si.state().since, si.state().through) == (dt.date(2025, 8, 1), dt.date(2025, 8, 31))
        clock.shift(dt.timedelta(minutes=30))
        call_command("refresh_service_index", stdout=StringIO())  # September, the recent window
        clock.shift(dt.timedelta(minutes=30))
        # A row changed behind the snapshot's back, on a day no sweep counts again by itself:
        # --check names the difference and exits 1.
        ServiceIndexDay.objects.filter(unit=world.commune_a, day=dt.date(2025, 8, 4)).update(
            received=99
        )
        errors = StringIO()
        with pytest.raises(CommandError, match="khác số đếm lại"):
            call_command("refresh_service_index", "--check", stdout=StringIO(), stderr=errors)
        assert "04/08/2025" in errors.getvalue() and "received: 99 ≠ 1" in errors.getvalue()
        with pytest.raises(CommandError, match="không hợp lệ"):
            call_command("refresh_service_index", "--from", "2025-13-01")
        with pytest.raises(CommandError, match="trước ngày bắt đầu"):
            call_command("refresh_service_index", "--from", "02/08/2025", "--to", "01/08/2025")
