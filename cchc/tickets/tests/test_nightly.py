"""The nightly closing of past days: yesterday's open numbers become "no show" and unused
appointments expire, at every unit, once; today is never touched; the job queues its next night."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from cchc.accounts.models import User
from cchc.testing import World
from cchc.tickets import appointments, nightly
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import Appointment, DayCloseRun, SlotPlan, Ticket, TicketEvent
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db

TUESDAY = "2025-08-05"
MON = dt.date(2025, 8, 4)
TUE = dt.date(2025, 8, 5)
JOB = "cchc.tickets.nightly.nightly_close"


def jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=JOB).order_by("run_after"))


def statuses() -> dict[str, str]:
    return {f"{t.unit.code}:{t.day:%d%m}:{t.code}": t.status for t in Ticket.objects.all()}


@pytest.fixture
def days(world: World, queue: Queue, plan: SlotPlan, reception: User) -> dict[str, Any]:
    """Monday at both communes, then Tuesday morning at commune A.

    Monday, commune A: 001 served, 002 called and never finished, 003 skipped, 004 transferred
    to counter 3, 005 still waiting; commune B: 001 waiting. Appointments of Monday: one unused
    at each commune, one checked in. Tuesday: 001 called at counter 1, 002 waiting, and
    Tuesday's appointment still ahead.
    """
    SlotPlan.objects.create(unit=world.commune_b, slot_minutes=30, capacity=2)
    friday = moment("2025-08-01", 10)
    unused_a = appointments.book_appointment(
        world.commune_a, queue.civil, MON, dt.time(9), "Lê Thị Cúc", "0911222333", at=friday
    )
    unused_b = appointments.book_appointment(
        world.commune_b, queue.civil, MON, dt.time(9), "Trần Văn Bình", "0911222444", at=friday
    )
    came = appointments.book_appointment(
        world.commune_a, queue.civil, MON, dt.time(10), "Phạm Thị Giang", "0911222555", at=friday
    )
    tuesday_appt = appointments.book_appointment(
        world.commune_a, queue.civil, TUE, dt.time(15), "Đỗ Văn Hùng", "0911222666", at=friday
    )

    def issue(unit: Any, day: str, minute: int) -> Ticket:
        return queue_actions.issue_ticket(unit, at=moment(day, 8, minute))

    for minute in range(5):
        issue(world.commune_a, MONDAY, minute)
    issue(world.commune_b, MONDAY, 0)
    appointments.check_in(came.code, unit=world.commune_a, at=moment(MONDAY, 9, 55))
    ten = moment(MONDAY, 10)
    # The checked-in priority ticket comes first: served.
    served = queue_actions.call_next(queue.one, by=reception, at=ten)
    assert served is not None and served.code == "U006"
    queue_actions.finish(served, by=reception, at=ten)
    first = queue_actions.call_next(queue.one, by=reception, at=ten)
    assert first is not None
    queue_actions.finish(first, by=reception, at=ten)
    called = queue_actions.call_next(queue.one, by=reception, at=ten)
    skipped = queue_actions.call_next(queue.two, by=reception, at=ten)
    assert called is not None and skipped is not None
    queue_actions.skip(skipped, by=reception, at=ten)
    moved = queue_actions.call_next(queue.three, by=reception, at=ten)
    assert moved is not None
    queue_actions.transfer(moved, queue.one, by=reception, at=ten)

    issue(world.commune_a, TUESDAY, 0)
    issue(world.commune_a, TUESDAY, 1)
    today_called = queue_actions.call_next(queue.one, by=reception, at=moment(TUESDAY, 8, 5))
    assert today_called is not None
    return {
        "unused": [unused_a, unused_b],
        "came": came,
        "tuesday": tuesday_appt,
        "today_called": today_called,
    }


def test_closing_yesterday_sweeps_every_unit_and_leaves_today_alone(
    world: World, days: dict[str, Any]
) -> None:
    before = statuses()

    result = nightly.close_days(MON, now=moment(TUESDAY, 9))

    after = statuses()
    assert (result.tickets, result.appointments, result.failed) == (5, 2, [])
    changed = {key: after[key] for key in after if after[key] != before[key]}
    assert changed == {
        "16300:0408:002": "no_show",
        "16300:0408:003": "no_show",
        "16300:0408:004": "no_show",
        "16300:0408:005": "no_show",
        "16303:0408:001": "no_show",
    }
    # Monday's served numbers stay served; Tuesday's are as they were.
    assert after["16300:0408:001"] == after["16300:0408:U006"] == "done"
    assert after["16300:0508:001"] == "called" and after["16300:0508:002"] == "waiting"
    for appt in days["unused"]:
        appt.refresh_from_db()
        assert appt.status == "expired"
        # One event each, by nobody, at the moment of the run.
        expiry = appt.events.get(action="expire")
        assert (expiry.from_status, expiry.actor, expiry.at) == ("booked", None, moment(TUESDAY, 9))
    days["came"].refresh_from_db()
    days["tuesday"].refresh_from_db()
    assert (days["came"].status, days["tuesday"].status) == ("checked_in", "booked")
    # Each closing is in the ticket's history, by nobody, at the counter that had it.
    close = TicketEvent.objects.get(action="close", ticket__unit=world.commune_a, ticket__number=2)
    assert close.actor is None and close.counter is not None


def test_closing_twice_changes_nothing_the_second_time(days: dict[str, Any]) -> None:
    nightly.close_days(MON, now=moment(TUESDAY, 1))
    before = (statuses(), TicketEvent.objects.count(), list(Appointment.objects.values()))

    again = nightly.close_days(MON, now=moment(TUESDAY, 2))

    assert (again.tickets, again.appointments) == (0, 0)
    assert (statuses(), TicketEvent.objects.count(), list(Appointment.objects.values())) == before


def test_today_and_later_days_are_refused(world: World, days: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        nightly.close_days(TUE, now=moment(TUESDAY, 23, 59))
    with pytest.raises(ValueError):
        queue_actions.close_day(world.commune_a, TUE, at=moment(TUESDAY, 23, 59))
    assert statuses()["16300:0508:002"] == "waiting"


def test_yesterday_is_the_vietnamese_one() -> None:
    # 18:30 UTC on Monday is already 01:30 on Tuesday in Vietnam.
    assert nightly.yesterday(dt.datetime(2025, 8, 4, 18, 30, tzinfo=dt.UTC)) == MON
    assert nightly.yesterday(dt.datetime(2025, 8, 4, 16, 30, tzinfo=dt.UTC)) == MON.replace(day=3)


def test_the_next_run_is_the_coming_night() -> None:
    assert nightly.next_run_at(moment(MONDAY, 0, 30)) == moment(MONDAY, 1)
    assert nightly.next_run_at(moment(MONDAY, 1)) == moment(TUESDAY, 1)
    assert nightly.next_run_at(moment(MONDAY, 18)) == moment(TUESDAY, 1)


def test_scheduling_twice_queues_one_job(db: Any) -> None:
    first = nightly.schedule_closing(moment(MONDAY, 18))
    again = nightly.schedule_closing(moment(MONDAY, 19))
    assert first is not None and again is not None and first.pk == again.pk
    assert first.day == MON
    (job,) = jobs()
    assert job.run_after == moment(TUESDAY, 1)
    assert job.args_kwargs["args"] == ["2025-08-04"]
    assert first.task_id == str(job.id)


def test_each_night_queues_the_next_then_closes_once(days: dict[str, Any]) -> None:
    nightly.schedule_closing(moment(MONDAY, 18))

    result = nightly.run_nightly(MON, now=moment(TUESDAY, 1))
    assert result is not None and (result.tickets, result.appointments) == (5, 2)
    assert nightly.run_nightly(MON, now=moment(TUESDAY, 1, 5)) is None  # a duplicate job

    assert [j.args_kwargs["args"][0] for j in jobs()] == ["2025-08-04", "2025-08-05"]
    assert jobs()[1].run_after == moment("2025-08-06", 1)
    run = DayCloseRun.objects.get(day=MON)
    assert (run.tickets_closed, run.appointments_expired) == (5, 2)
    assert run.finished_at is not None


def test_a_late_run_schedules_the_coming_night_and_catches_up(days: dict[str, Any]) -> None:
    # The worker was down from Monday to Thursday: Monday's job runs on Thursday morning.
    result = nightly.run_nightly(MON, now=moment("2025-08-07", 8))
    assert result is not None and result.tickets == 5
    # Next: the night of Thursday to Friday, which closes Tuesday's leftovers as well.
    (job,) = jobs()
    assert job.run_after == moment("2025-08-08", 1)
    assert job.args_kwargs["args"] == ["2025-08-07"]
    nightly.run_nightly(dt.date(2025, 8, 7), now=moment("2025-08-08", 1))
    assert set(statuses().values()) == {"done", "no_show"}


def test_without_a_deferring_backend_scheduling_is_left_to_cron(settings: Any, db: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert nightly.schedule_closing(moment(MONDAY, 18)) is None
    assert not DayCloseRun.objects.exists()
    with pytest.raises(CommandError):
        call_command("close_queue_days", schedule=True, stdout=StringIO())


def test_the_worker_runs_the_night_and_the_chain_goes_on(
    days: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in the notification worker test: connections left outside autocommit would be closed
    # between jobs, which inside a test's transaction would abort the test.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    DBTaskResult.objects.exclude(task_path=JOB).delete()  # the booking SMS are not our concern
    nightly.schedule_closing(moment(MONDAY, 18))

    with time_machine.travel(moment(TUESDAY, 1, 1), tick=False):
        worker.run()

    done, waiting = jobs()
    assert (done.status, done.return_value) == ("SUCCESSFUL", 5)
    assert (waiting.status, waiting.args_kwargs["args"]) == ("READY", ["2025-08-05"])
    assert waiting.run_after == moment("2025-08-06", 1)
    assert statuses()["16300:0408:005"] == "no_show"
    assert statuses()["16300:0508:001"] == "called"


def test_the_command_closes_yesterday_or_a_given_day(days: dict[str, Any]) -> None:
    out = StringIO()
    with time_machine.travel(moment(TUESDAY, 7), tick=False):
        call_command("close_queue_days", stdout=out)
        assert "Closed up to 04/08/2025" in out.getvalue() and "5 tickets" in out.getvalue()
        call_command("close_queue_days", day="04/08/2025", stdout=out)
        call_command("close_queue_days", day="2025-08-03", stdout=out)
        assert out.getvalue().count("0 tickets no-show, 0 appointments expired") == 2
        for refused in ("05/08/2025", "2025-08-06", "31/02/2025", "hôm qua"):
            with pytest.raises(CommandError):
                call_command("close_queue_days", day=refused, stdout=out)
    assert statuses()["16300:0508:002"] == "waiting"


def test_the_command_starts_the_chain(db: Any) -> None:
    out = StringIO()
    with time_machine.travel(moment(MONDAY, 18), tick=False):
        call_command("close_queue_days", schedule=True, stdout=out)
        call_command("close_queue_days", schedule=True, stdout=out)
    assert "Closing of 04/08/2025 scheduled" in out.getvalue()
    assert len(jobs()) == 1
