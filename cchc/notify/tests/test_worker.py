"""The durable path end to end: jobs written by the change, run by django-tasks-db's worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import time_machine
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from cchc.dossiers.models import Dossier
from cchc.notify.choices import Kind, MessageStatus
from cchc.notify.models import Message
from cchc.notify.reminders import schedule_reminders
from cchc.testing import Mailbox, at, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> db_worker.Worker:
    # The worker drops connections left outside autocommit, as it should between jobs; inside
    # a test's transaction that would abort the test, so the check is switched off here.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_the_worker_delivers_what_the_receipt_queued(
    smtp: Mailbox, sms_file: Path, received: Dossier, worker: db_worker.Worker
) -> None:
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    worker.run()

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    (mail,) = smtp.messages
    assert received.code in str(mail["Subject"]) and "07/08/2025" in text_of(mail)
    (line,) = sms_file.read_text(encoding="utf-8").splitlines()
    assert received.code in json.loads(line)["text"]


def test_the_morning_job_reminds_and_its_digests_are_delivered_in_the_same_batch(
    smtp: Mailbox, sms_file: Path, received: Dossier, leader: object, worker: db_worker.Worker
) -> None:
    worker.run()  # the receipt's own messages
    smtp.messages.clear()
    schedule_reminders(at("2025-08-05", 18))

    with time_machine.travel(at("2025-08-06", 7, 1), tick=False):
        worker.run()

    subjects = sorted(str(m["Subject"]) for m in smtp.messages)
    assert len(subjects) == 2
    assert any("ngày làm việc tiếp theo" in s for s in subjects)
    assert any("hạn cuối xin lỗi" in s for s in subjects)
    assert all(received.code in text_of(m) for m in smtp.messages)
    assert set(Message.objects.filter(kind=Kind.DUE_TOMORROW).values_list("status", flat=True)) == {
        MessageStatus.SENT
    }
    # Thursday's run is waiting for Thursday morning.
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after == at("2025-08-07", 7)
    assert waiting.args_kwargs["args"] == ["2025-08-07"]
