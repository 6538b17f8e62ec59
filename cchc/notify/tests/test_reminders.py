"""Officers hear of what is due on the next working day, and of the last day to apologise."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from cchc.accounts.models import User
from cchc.dossiers import actions
from cchc.dossiers.models import Dossier
from cchc.dossiers.reminders import remind_officers
from cchc.notify.choices import Kind
from cchc.notify.models import Message, ReminderRun
from cchc.notify.reminders import next_run_at, run_daily, schedule_reminders
from cchc.testing import ID_NUMBER, World, at, make_user, receive
from cchc.units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossiers(
    world: World, reception: User, specialist: User, leader: User, copy_implemented: None
) -> dict[str, Dossier]:
    """Due Thu 07/08, Fri 08/08 and Mon 11/08 (three working days from Mon, Tue and Wed)."""
    thursday = receive(world, reception, "2025-08-04")
    friday = receive(world, reception, "2025-08-05")
    monday = receive(world, reception, "2025-08-06")
    assigned = receive(world, reception, "2025-08-06")
    assigned = actions.hand_over(assigned, by=reception, to=specialist, at=at("2025-08-06", 10))
    moved = receive(world, reception, "2025-08-04", hour=10)
    moved = actions.reschedule(
        moved, by=leader, new_due=at("2025-08-11", 17), reason="Chờ xác minh", at=at("2025-08-05")
    )
    assert monday.due_at == assigned.due_at == moved.due_at == at("2025-08-11", 17)
    assert (thursday.due_at, friday.due_at) == (at("2025-08-07", 17), at("2025-08-08", 17))
    return {
        "thursday": thursday,
        "friday": friday,
        "monday": monday,
        "assigned": assigned,
        "moved": moved,
    }


def reminded(user: User, kind: str) -> list[str]:
    """The dossier codes listed in the user's reminders of that kind, in order."""
    bodies = Message.objects.filter(user=user, kind=kind).values_list("body", flat=True)
    codes = []
    for body in bodies:
        codes += [line.split(" · ")[0][2:] for line in body.splitlines() if line.startswith("- ")]
    return codes


def test_on_friday_officers_hear_of_what_falls_due_on_monday(
    dossiers: dict[str, Dossier], leader: User, specialist: User
) -> None:
    result = remind_officers(at("2025-08-08", 7))

    assert reminded(leader, Kind.DUE_TOMORROW) == [dossiers["monday"].code, dossiers["moved"].code]
    assert reminded(specialist, Kind.DUE_TOMORROW) == [dossiers["assigned"].code]
    # Today is the last day to apologise for what is due Monday, unless already rescheduled.
    assert reminded(leader, Kind.APOLOGY_DUE) == [dossiers["monday"].code]
    assert reminded(specialist, Kind.APOLOGY_DUE) == [dossiers["assigned"].code]
    assert (result.due_tomorrow, result.apology_due) == (2, 2)
    digest = Message.objects.get(user=leader, kind=Kind.DUE_TOMORROW)
    assert digest.recipient == leader.email
    assert "11/08/2025" in digest.body
    assert "Mẫu 04" in Message.objects.get(user=leader, kind=Kind.APOLOGY_DUE).body
    assert all(ID_NUMBER not in m.body for m in Message.objects.all())


def test_on_thursday_only_fridays_dossier_is_reminded(
    dossiers: dict[str, Dossier], leader: User
) -> None:
    remind_officers(at("2025-08-07", 7))
    assert reminded(leader, Kind.DUE_TOMORROW) == [dossiers["friday"].code]
    assert reminded(leader, Kind.APOLOGY_DUE) == [dossiers["friday"].code]


def test_nothing_is_sent_at_the_weekend(dossiers: dict[str, Dossier]) -> None:
    assert remind_officers(at("2025-08-09", 7)).queued == 0
    assert remind_officers(at("2025-08-10", 7)).queued == 0
    assert not Message.objects.filter(user__isnull=False).exists()


def test_running_twice_a_day_queues_nothing_new(dossiers: dict[str, Dossier]) -> None:
    first = remind_officers(at("2025-08-08", 7))
    count = Message.objects.count()
    jobs = DBTaskResult.objects.count()
    second = remind_officers(at("2025-08-08", 15))
    assert first.queued == 4
    assert second.queued == 0
    assert (Message.objects.count(), DBTaskResult.objects.count()) == (count, jobs)


def test_finished_and_waiting_dossiers_are_not_reminded(
    dossiers: dict[str, Dossier], specialist: User, leader: User
) -> None:
    actions.resolve(dossiers["assigned"], by=specialist, at=at("2025-08-07"))
    actions.request_supplement(
        dossiers["monday"], by=specialist, items=["Bản sao CCCD"], at=at("2025-08-07")
    )
    remind_officers(at("2025-08-08", 7))
    assert reminded(leader, Kind.DUE_TOMORROW) == [dossiers["moved"].code]
    assert reminded(specialist, Kind.DUE_TOMORROW) == []


def test_all_leaders_hear_of_an_unassigned_dossier_and_those_without_email_are_skipped(
    world: World, dossiers: dict[str, Dossier], leader: User
) -> None:
    deputy = make_user("thu", world.commune_a, Role.LEADER, email="thu@nga-son.gov.vn")
    make_user("vang", world.commune_a, Role.LEADER)  # no e-mail address
    make_user("xa-b", world.commune_b, Role.LEADER, email="lead@nga-thang.gov.vn")
    remind_officers(at("2025-08-07", 7))
    recipients = set(
        Message.objects.filter(kind=Kind.DUE_TOMORROW).values_list("recipient", flat=True)
    )
    assert recipients == {leader.email, deputy.email}


def test_the_command_reminds_as_of_a_given_morning(dossiers: dict[str, Dossier]) -> None:
    out = StringIO()
    call_command("send_reminders", "--date", "2025-08-08", stdout=out)
    assert "2 digests and 2 apology warnings queued" in out.getvalue()
    call_command("send_reminders", "--date", "2025-08-08", stdout=out)
    assert "0 digests and 0 apology warnings queued" in out.getvalue()


# -- the self-rescheduling morning job ------------------------------------------------------


def test_the_next_run_is_the_next_seven_oclock() -> None:
    assert next_run_at(at("2025-08-07", 6)) == at("2025-08-07", 7)
    assert next_run_at(at("2025-08-07", 7)) == at("2025-08-08", 7)
    assert next_run_at(at("2025-08-07", 18)) == at("2025-08-08", 7)


def reminder_jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="cchc.notify.reminders.daily_reminders"))


def test_scheduling_twice_queues_one_job(db: Any) -> None:
    first = schedule_reminders(at("2025-08-07", 18))
    again = schedule_reminders(at("2025-08-07", 19))
    assert first is not None and again is not None and first.pk == again.pk
    (job,) = reminder_jobs()
    assert job.run_after == at("2025-08-08", 7)
    assert job.args_kwargs["args"] == ["2025-08-08"]
    assert first.task_id == str(job.id)


def test_each_morning_queues_the_next_then_reminds_once(dossiers: dict[str, Dossier]) -> None:
    schedule_reminders(at("2025-08-07", 18))

    assert run_daily(dt.date(2025, 8, 8), now=at("2025-08-08", 7)) == 4
    assert run_daily(dt.date(2025, 8, 8), now=at("2025-08-08", 7, 5)) == 0  # a duplicate job

    assert sorted(j.args_kwargs["args"][0] for j in reminder_jobs()) == [
        "2025-08-08",
        "2025-08-09",
    ]
    friday = ReminderRun.objects.get(day=dt.date(2025, 8, 8))
    assert friday.queued == 4 and friday.finished_at is not None


def test_a_run_started_early_by_hand_still_schedules_the_next_day(db: Any) -> None:
    run_daily(dt.date(2025, 8, 8), now=at("2025-08-08", 5))
    assert [j.args_kwargs["args"][0] for j in reminder_jobs()] == ["2025-08-09"]


def test_without_a_deferring_backend_scheduling_is_left_to_cron(settings: Any, db: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert schedule_reminders(at("2025-08-07", 18)) is None
    assert not ReminderRun.objects.exists()
