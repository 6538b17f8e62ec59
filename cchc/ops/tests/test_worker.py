"""The job worker stays up through a database outage and settles what dead workers left."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from cchc.dossiers.models import Dossier
from cchc.notify.choices import Channel, MessageStatus
from cchc.notify.models import Message
from cchc.ops import status, worker


def make_worker() -> worker.OutageTolerantWorker:
    return worker.OutageTolerantWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_the_worker_waits_out_a_database_outage_instead_of_exiting(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []
    slept: list[float] = []

    def library_run(self: Any) -> None:
        calls.append("run")
        if len(calls) <= 3:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(db_worker.Worker, "run", library_run)
    monkeypatch.setattr(worker.time, "sleep", slept.append)

    make_worker().run()

    assert calls == ["run"] * 4
    assert slept == [1.0, 2.0, 4.0]
    assert "database unavailable" in caplog.text


@pytest.mark.django_db
def test_maintenance_beats_and_settles_a_dead_workers_message(
    received: Dossier, sms_file: Any
) -> None:
    message = Message.objects.get(dossier=received, channel=Channel.SMS)
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING,
        attempts=1,
        claimed_at=timezone.now() - dt.timedelta(minutes=1),
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )

    worker.Maintenance(every=1).once()

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED  # never handed over: sent again
    age = status.heartbeat_age()
    assert age is not None and age < 5
