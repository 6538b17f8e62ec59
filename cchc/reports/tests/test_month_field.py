"""The month table without the procedure (`ResolutionMonthField`) is always `ResolutionMonth`
summed over the procedures: after a sweep that counts changes by difference, after a rebuild
(both kinds), after the horizon moves into new months, and as the migration fills it; `check()`
finds a row of it that is wrong; every report not grouped by procedure reads it, with the same
figures as from the full table."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cchc.dossiers.choices import Channel, EndType, Status
from cchc.dossiers.models import Dossier
from cchc.reports import aggregates
from cchc.reports import resolution as resolution_module
from cchc.reports.facts import MONTH_COLUMNS
from cchc.reports.models import ReportsState, ResolutionMonth, ResolutionMonthField
from cchc.reports.resolution import resolution, resolution_series
from cchc.reports.tests.support import make_dossier
from cchc.testing import World, at, make_procedure

pytestmark = pytest.mark.django_db

FIELD_TABLE = ResolutionMonthField._meta.db_table
# The full table's name, not followed by "field" (the smaller table's name starts with it).
FULL_TABLE = re.compile(rf"\b{ResolutionMonth._meta.db_table}\b")


def rows_of(model: type[Any], keys: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, int]]:
    out = {}
    for row in model.objects.values_list("month", *keys, *MONTH_COLUMNS):
        kept = {c: n for c, n in zip(MONTH_COLUMNS, row[1 + len(keys) :], strict=True) if n}
        if kept:
            out[(row[0], tuple(row[1 : 1 + len(keys)]))] = kept
    return out


def assert_month_tables_agree() -> None:
    full = rows_of(ResolutionMonth, aggregates.KEY_COLUMNS)
    by_field = rows_of(ResolutionMonthField, aggregates.FIELD_KEY_COLUMNS)
    assert full, "no month rows: the test counts nothing"
    assert by_field == aggregates.without_procedure(full)
    # Two procedures of one field share rows: the table is smaller, not a copy.
    assert len(by_field) < len(full)
    assert not aggregates.check()


@pytest.fixture
def signature(world: World) -> Any:
    """A second procedure of the copy's field (certification): its rows and the copy's sum
    into the same rows of the smaller table."""
    return make_procedure("2.000884", "Chứng thực chữ ký", world.copy.field)


def make_mix(world: World, signature: Any, *, month: int = 5) -> list[Dossier]:
    """Per procedure (two of one field, one of another) and unit: dossiers resolved early,
    late across a month start, overdue and still open, waiting for a supplement, withdrawn
    across a month start, received online and rated."""
    made = []
    m = f"2025-{month:02d}"
    n = f"2025-{month + 1:02d}"
    for procedure in (world.copy, signature, world.birth):
        for unit in (world.commune_a, world.commune_b):
            common: dict[str, Any] = {"procedure": procedure, "unit": unit}
            made += [
                make_dossier(
                    world,
                    received=at(f"{m}-05"),
                    due=at(f"{m}-08", 17),
                    finished=at(f"{m}-07"),
                    end_type=EndType.RESOLVED,
                    **common,
                ),
                make_dossier(
                    world,
                    received=at(f"{m}-12"),
                    due=at(f"{m}-15", 17),
                    finished=at(f"{n}-16"),
                    end_type=EndType.RESOLVED,
                    rescheduled=at(f"{m}-14"),
                    **common,
                ),
                make_dossier(world, received=at(f"{m}-19"), due=at(f"{m}-22", 17), **common),
                make_dossier(
                    world,
                    received=at(f"{m}-20"),
                    due=at(f"{m}-23", 17),
                    supplement_asked=at(f"{m}-21"),
                    **common,
                ),
                make_dossier(
                    world,
                    received=at(f"{m}-26"),
                    due=at(f"{n}-02", 17),
                    finished=at(f"{n}-03"),
                    end_type=EndType.WITHDRAWN,
                    **common,
                ),
                make_dossier(
                    world,
                    received=at(f"{m}-27"),
                    due=at(f"{n}-01", 17),
                    channel=Channel.ONLINE_FULL,
                    finished=at(f"{m}-29"),
                    end_type=EndType.RESOLVED,
                    rating=(at(f"{n}-02"), 4),
                    **common,
                ),
            ]
    return made


def test_the_tables_agree_after_a_sweep_by_difference(world, signature) -> None:
    make_mix(world, signature)
    assert aggregates.sweep().rebuilt  # the first sweep builds the tables
    assert_month_tables_agree()
    # Changes counted by difference: new dossiers, an edit moving one to another procedure of
    # the same field, one finished, one moved to the other field.
    later = make_mix(world, signature, month=7)
    Dossier.objects.filter(pk=later[0].pk).update(procedure=signature, updated_at=timezone.now())
    still_open = later[2]
    Dossier.objects.filter(pk=still_open.pk).update(
        status=Status.RETURNED,
        finished_at=at("2025-09-10"),
        end_type=EndType.RESOLVED,
        updated_at=timezone.now(),
    )
    Dossier.objects.filter(pk=later[3].pk).update(
        procedure=world.birth, field=world.birth.field, updated_at=timezone.now()
    )
    result = aggregates.sweep()
    assert not result.rebuilt and result.changed == len(later)
    assert_month_tables_agree()
    # Twice changes nothing.
    before = rows_of(ResolutionMonthField, aggregates.FIELD_KEY_COLUMNS)
    aggregates.sweep()
    assert rows_of(ResolutionMonthField, aggregates.FIELD_KEY_COLUMNS) == before


def test_the_tables_agree_after_a_rebuild(world, signature) -> None:
    make_mix(world, signature)
    aggregates.sweep()
    ResolutionMonthField.objects.filter(month__month=6).update(received=F("received") + 3)
    assert aggregates.check()
    aggregates.rebuild()
    assert_month_tables_agree()
    ResolutionMonthField.objects.all().delete()
    aggregates.rebuild_days_and_months()  # after a bulk load (generate_demo)
    assert_month_tables_agree()


def test_the_tables_agree_after_the_horizon_moves(world, signature) -> None:
    make_mix(world, signature)
    aggregates.sweep()
    horizon = ReportsState.objects.get().horizon
    later = timezone.localdate() + dt.timedelta(days=75)
    with time_machine.travel(dt.datetime.combine(later, dt.time(12), at("2025-01-01").tzinfo)):
        aggregates.sweep()
        state = ReportsState.objects.get()
        assert horizon is not None and state.horizon is not None and state.horizon > horizon
        # The open dossiers' start states were carried into the new months, in both tables.
        assert ResolutionMonthField.objects.filter(month=state.horizon, open_start__gt=0).exists()
        assert_month_tables_agree()


def test_check_finds_a_wrong_missing_or_extra_row_of_the_smaller_table(world, signature) -> None:
    make_mix(world, signature)
    aggregates.sweep()
    assert not aggregates.check()
    row = ResolutionMonthField.objects.filter(open_start__gt=0).order_by("month").first()
    assert row is not None
    ResolutionMonthField.objects.filter(pk=row.pk).update(open_start=F("open_start") + 1)
    found = aggregates.check()
    assert found and not found.month and not found.day and not found.counted
    assert [d[0] for d in found.month_field] == [
        (row.month, (row.unit_id, row.field_id, row.channel))
    ]
    ResolutionMonthField.objects.filter(pk=row.pk).delete()
    assert len(aggregates.check().month_field) == 1
    aggregates.rebuild()
    ResolutionMonthField.objects.create(
        month=dt.date(2025, 1, 1), unit=world.commune_a, field=world.copy.field, channel=1, rated=1
    )
    assert len(aggregates.check().month_field) == 1


def test_the_migration_fills_the_table_from_the_month_rows(world, signature) -> None:
    """An existing database gets the table filled by the migration: its statement, run on
    the month rows a sweep wrote, gives what the sweep wrote into the smaller table."""
    make_mix(world, signature)
    aggregates.sweep()
    written = rows_of(ResolutionMonthField, aggregates.FIELD_KEY_COLUMNS)
    ResolutionMonthField.objects.all().delete()
    migration = importlib.import_module("cchc.reports.migrations.0003_resolution_month_field")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert rows_of(ResolutionMonthField, aggregates.FIELD_KEY_COLUMNS) == written
    assert_month_tables_agree()


GROUPS = [
    ("field",),
    ("level", "field"),
    ("level",),
    ("channel",),
    ("unit",),
    ("field", "channel"),
    ("procedure",),
    ("field", "procedure"),
]


def read_tables(group: tuple[str, ...], **kwargs: Any) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        resolution(
            kwargs.pop("unit"),
            dt.date(2025, 1, 1),
            dt.date(2025, 12, 31),
            group=group,
            **kwargs,
        )
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    return {
        name
        for name, hit in (("field", FIELD_TABLE in sql), ("full", FULL_TABLE.search(sql)))
        if hit
    }


def test_a_report_not_by_procedure_reads_the_smaller_table(world, signature) -> None:
    make_mix(world, signature)
    aggregates.sweep()
    for group in GROUPS:
        expected = {"full"} if "procedure" in group else {"field"}
        assert read_tables(group, unit=world.province, subtree=True) == expected, group
    assert read_tables(("field",), unit=world.commune_a) == {"field"}
    with CaptureQueriesContext(connection) as queries:
        resolution_series(
            world.province, [(dt.date(2025, 5, 1), dt.date(2025, 8, 31))], subtree=True
        )
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert FIELD_TABLE in sql and not FULL_TABLE.search(sql)


@pytest.mark.parametrize(
    "start,end",
    [
        ("2025-01-01", "2025-12-31"),  # whole months
        ("2025-05-15", "2025-07-14"),  # ragged ends, balances from the month starts
        ("2025-06-01", "2025-06-30"),
        ("2025-07-01", None),  # to today: live
    ],
)
def test_both_tables_give_the_same_report(world, signature, monkeypatch, start, end) -> None:
    make_mix(world, signature)
    aggregates.sweep()
    make_mix(world, signature, month=7)  # not swept: added from the pending difference
    first = dt.date.fromisoformat(start)
    last = dt.date.fromisoformat(end) if end else timezone.localdate()

    def report(group: tuple[str, ...]) -> Any:
        made = resolution(world.province, first, last, subtree=True, group=group)
        return [(r.key, r.counts) for r in made.rows], made.total

    for group in GROUPS:
        smaller = report(group)
        with monkeypatch.context() as patched:
            patched.setattr(resolution_module, "month_table", lambda _columns: ResolutionMonth)
            full = report(group)
        assert smaller == full, group
        assert smaller[1].identities_hold()
