"""The aggregate tables always equal a count from scratch, however the dossiers changed: the
real actions (receipt, supplement, apology, resolution, refusal, withdrawal, stop), an edit,
an import, a calendar change; a sweep twice changes nothing; time passing into new months."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cchc.dossiers import actions
from cchc.dossiers.importing import SYSTEM, import_dossiers
from cchc.dossiers.models import Dossier
from cchc.reports import aggregates
from cchc.reports.models import CountedDossier, ReportsState
from cchc.reports.resolution import NotReady, resolution
from cchc.reports.tests.support import as_counter, make_dossier, oracle
from cchc.testing import World, at, receipt_for
from cchc.worktime.actions import add_day_off

pytestmark = pytest.mark.django_db


def sweeps() -> int:
    """Sweeps queued (the notifications' jobs share the table)."""
    return DBTaskResult.objects.filter(task_path__endswith="sweep_job").count()


def assert_tables_are_a_recount() -> None:
    aggregates.sweep()
    assert not aggregates.check()


def table(world: World, start: str, end: str, **kwargs: Any):
    report = resolution(
        world.commune_a, dt.date.fromisoformat(start), dt.date.fromisoformat(end), **kwargs
    )
    assert report.total.identities_hold()
    return report.total


@pytest.fixture
def august(world, reception, specialist, leader, copy_implemented) -> dict[str, Dossier]:
    """Commune A's dossiers of August 2025, all 3 working days (received Mon 04/08 09:00: due
    Thu 07/08 17:00), each taken somewhere by the real actions."""

    def receive(day: str = "2025-08-04", hour: int = 9) -> Dossier:
        return actions.receive_dossier(receipt_for(world), by=reception, at=at(day, hour))

    d: dict[str, Dossier] = {}
    d["early"] = actions.resolve(receive(), by=specialist, at=at("2025-08-06", 10))
    aggregates.sweep()  # the tables exist from here on; the rest is counted by difference
    late = receive()
    actions.request_supplement(
        late, by=specialist, items=["Bản sao giấy khai sinh"], at=at("2025-08-05")
    )
    actions.supplement_received(late, by=reception, at=at("2025-08-11", 9))
    d["late"] = actions.resolve(late, by=specialist, at=at("2025-08-15", 10))
    apology = receive()
    actions.reschedule(
        apology,
        by=leader,
        new_due=at("2025-08-12", 16),
        reason="Chờ xác minh",
        at=at("2025-08-05", 10),
    )
    d["apology"] = actions.resolve(apology, by=specialist, at=at("2025-08-11", 10))
    d["withdrawn"] = actions.withdraw(receive(), by=reception, at=at("2025-08-05", 8))
    d["stopped"] = actions.stop(receive(), by=leader, reason="Có tranh chấp", at=at("2025-08-06"))
    d["refused"] = actions.refuse(
        receive(), by=leader, reason="Không đủ điều kiện", at=at("2025-08-06")
    )
    d["open"] = receive("2025-08-05")
    waiting = receive("2025-08-06")
    d["waiting"] = actions.request_supplement(
        waiting, by=specialist, items=["Tờ khai"], at=at("2025-08-07")
    )
    return d


def test_the_actions_are_counted_as_the_form_says(world, august) -> None:
    now = timezone.now()
    august_total = table(world, "2025-08-01", "2025-08-31")
    assert as_counter(august_total) == oracle(
        list(august.values()), dt.date(2025, 8, 1), dt.date(2025, 8, 31), now
    )
    assert (august_total.received_new, august_total.carried_over) == (8, 0)
    # Refused after appraisal counts among the resolved (REFERENCE §1.6), judged on its time.
    assert (august_total.resolved_early, august_total.resolved_refused) == (2, 1)
    # The supplement restarted the clock: due Thu 14/08, resolved Fri 15/08: late, no apology.
    # The apology did not change the original due (Thu 07/08): resolved 11/08, late with one.
    assert (august_total.resolved_late_no_apology, august_total.resolved_late_apology) == (1, 1)
    assert (august_total.withdrawn, august_total.stopped) == (1, 1)
    # Open at the end of August: one overdue since Fri 08/08, one waiting for its supplement.
    assert (august_total.in_progress_total, august_total.in_progress_overdue) == (2, 1)
    assert (august_total.waiting_supplement, august_total.in_progress_within) == (1, 1)
    # On Thu 07/08 four were in progress from the days before (the others finished by 06/08);
    # at its end the apology's dossier was overdue (past its original due) with its letter, two
    # were waiting for a supplement.
    thursday = table(world, "2025-08-07", "2025-08-07")
    assert thursday.carried_over == 4
    assert thursday.in_progress_overdue_apology == 1
    assert thursday.waiting_supplement == 2
    assert_tables_are_a_recount()
    assert table(world, "2025-08-01", "2025-08-31") == august_total


def test_an_edit_an_import_and_a_calendar_change_are_counted(world, august) -> None:
    assert_tables_are_a_recount()
    before = table(world, "2025-08-01", "2025-08-31")
    # An edit in the admin: the channel was mistyped.
    early = august["early"]
    early.channel = "online_full"
    early.save()
    # A historical import (docs/formats.md): one returned late in July, one still in progress.
    lines = [
        {
            "external_id": "old-1",
            "procedure": world.copy.code,
            "unit": world.commune_a.code,
            "channel": "postal",
            "applicant": {"name": "Lê Thị Hoa"},
            "received_at": "2025-07-28T09:00:00+07:00",
            "finished_at": "2025-08-04T10:00:00+07:00",
            "returned_at": "2025-08-04T11:00:00+07:00",
            "status": "returned",
        },
        {
            "external_id": "old-2",
            "procedure": world.copy.code,
            "unit": world.commune_a.code,
            "channel": "counter",
            "applicant": {"name": "Trần Văn Bình"},
            "received_at": "2025-07-31T09:00:00+07:00",
            "status": "processing",
        },
    ]
    stream = io.BytesIO("\n".join(json.dumps(x) for x in lines).encode())
    assert import_dossiers(stream, by=SYSTEM).created == 2
    saturday = table(world, "2025-08-09", "2025-08-09")
    # Overdue at the end of Sat 09/08 without a letter: the dossier of Tue 05/08 (due Fri 08/08)
    # and old-2 (due Tue 05/08); with one, the apology's dossier (resolved 11/08).
    assert (saturday.in_progress_overdue_no_apology, saturday.in_progress_overdue_apology) == (2, 1)
    # A day off decreed afterwards: Thu 07/08 is not a working day, so the open dossier of
    # Tue 05/08 is due Mon 11/08; the others were finished, or due before it, and keep theirs.
    add_day_off(dt.date(2025, 8, 7), name="Nghỉ", legal_basis="TB 1", reason="Nghỉ", actor=None)
    after = table(world, "2025-08-01", "2025-08-31")
    assert after.received_online_full == before.received_online_full + 1
    assert after.carried_over == before.carried_over + 2
    assert after.resolved_late == before.resolved_late + 1
    assert after.in_progress_total == before.in_progress_total + 1
    # Counted as of Sat 09/08, the dossier of Tue 05/08 is now within its time.
    saturday = table(world, "2025-08-09", "2025-08-09")
    assert (saturday.in_progress_overdue_no_apology, saturday.in_progress_overdue_apology) == (1, 1)
    assert_tables_are_a_recount()
    assert table(world, "2025-08-01", "2025-08-31") == after


def test_a_sweep_twice_changes_nothing(world, august) -> None:
    aggregates.sweep()
    again = aggregates.sweep()
    assert again.changed == 0 and not again.rebuilt
    assert not aggregates.check()


def test_a_change_committed_late_is_counted_within_the_lag(world, august, settings) -> None:
    aggregates.sweep()
    watermark = ReportsState.objects.get().watermark
    assert watermark is not None
    # A transaction stamped its dossier just before the sweep looked, and committed after.
    late = make_dossier(world, received=at("2025-08-20"), due=at("2025-08-22", 17))
    Dossier.objects.filter(pk=late.pk).update(updated_at=watermark - dt.timedelta(minutes=5))
    aggregates.sweep()
    assert not aggregates.check()
    # Beyond the lag it is missed: the full check finds it, and a rebuild counts it.
    lost = make_dossier(world, received=at("2025-08-21"), due=at("2025-08-22", 17))
    Dossier.objects.filter(pk=lost.pk).update(
        updated_at=timezone.now() - aggregates.sweep_lag() - dt.timedelta(hours=1)
    )
    aggregates.sweep()
    assert aggregates.check().counted == [lost.pk]
    aggregates.rebuild()
    assert not aggregates.check()


def test_the_month_starts_follow_time_into_new_months(world, august) -> None:
    aggregates.sweep()
    horizon = ReportsState.objects.get().horizon
    later = timezone.localdate() + dt.timedelta(days=75)
    with time_machine.travel(dt.datetime.combine(later, dt.time(12), at("2025-01-01").tzinfo)):
        aggregates.sweep()
        state = ReportsState.objects.get()
        assert horizon is not None and state.horizon is not None
        assert state.horizon > horizon and state.horizon == later.replace(day=1)
        assert not aggregates.check()
        # Still open: both carried into every month since.
        assert table(world, later.replace(day=1).isoformat(), later.isoformat()).carried_over == 2


def test_a_deleted_dossier_leaves_with_a_rebuild(world, august) -> None:
    aggregates.sweep()
    gone = august["withdrawn"]
    Dossier.objects.filter(pk=gone.pk).delete()
    assert aggregates.check().counted == [gone.pk]
    aggregates.rebuild()
    assert not aggregates.check()
    assert not CountedDossier.objects.filter(pk=gone.pk).exists()


def test_a_changed_clock_setting_recounts_everything(world, august, settings) -> None:
    aggregates.sweep()
    settings.ONE_STOP_PAYMENT_STOPS_CLOCK = True
    assert aggregates.sweep().rebuilt
    assert not aggregates.check()


def test_a_report_with_too_much_to_add_asks_to_come_back(world, august, settings) -> None:
    settings.REPORTS_MAX_PENDING = 3
    settings.REPORTS_SWEEP_LAG_SECONDS = 0  # the window is what changed since the last sweep
    with pytest.raises(NotReady) as refused:
        table(world, "2025-08-01", "2025-08-31")
    assert "thử lại sau" in refused.value.message
    # … and the sweep it needs is queued, once.
    assert sweeps() == 1
    aggregates.sweep()
    assert table(world, "2025-08-01", "2025-08-31").received_new == 8


def test_the_sweep_is_queued_once_and_queues_the_next(world, august) -> None:
    assert aggregates.schedule_sweep()
    assert aggregates.schedule_sweep()
    assert sweeps() == 1
    assert aggregates.sweep_job.call() >= 0
    # It queued its successor before counting, and the tables are a recount.
    assert sweeps() == 2
    assert not aggregates.check()


def test_the_command_sweeps_checks_and_recounts(world, august) -> None:
    out = io.StringIO()
    call_command("refresh_reports", check=True, stdout=out)
    assert "khớp với đếm lại" in out.getvalue()
    # A change made in bulk, without updated_at, is found by the check, and --full repairs it.
    Dossier.objects.filter(pk=august["open"].pk).update(
        channel="postal", updated_at=at("2025-08-05")
    )
    with pytest.raises(CommandError, match="--full"):
        call_command("refresh_reports", check=True, stdout=io.StringIO())
    call_command("refresh_reports", full=True, check=True, stdout=out)
    assert "Đã tổng hợp lại từ đầu 8 hồ sơ." in out.getvalue()
