"""Exactly once, as far as the server lets anyone know: a worker that dies holding a message is
found when its lease runs out (seconds, not the next morning); what it never handed over is sent
again, what it may have handed over is marked possibly sent instead of being sent blind; the
same Message-ID or reference travels with every try; dead letters wait for an administrator.

A killed worker is played in-process by an exception the delivery code cannot catch, raised at
the moment a kill -9 would land; scripts/faults/kill_worker.py does it with real signals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cchc.dossiers.models import Dossier
from cchc.notify import delivery
from cchc.notify.choices import AttemptOutcome, Channel, MessageStatus
from cchc.notify.delivery import (
    WORKER_LOST,
    deliver_message,
    lease_length,
    message_id_header,
    recover_lost,
    sms_reference,
)
from cchc.notify.models import Message
from cchc.testing import Gateway, Mailbox, logged_in, make_user

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What kill -9 looks like from inside: nothing after it runs."""


def email_of(dossier: Dossier) -> Message:
    return Message.objects.get(dossier=dossier, channel=Channel.EMAIL)


def sms_of(dossier: Dossier) -> Message:
    return Message.objects.get(dossier=dossier, channel=Channel.SMS)


def jobs_of(message: Message) -> Any:
    return DBTaskResult.objects.filter(
        task_path=delivery.DELIVER_TASK_PATH, args_kwargs__args=[message.pk]
    )


def run_and_die(message: Message, monkeypatch: pytest.MonkeyPatch, *, after_handoff: bool) -> None:
    """Deliver `message` as the worker running its job, and die either just after the server
    took it (before the outcome is written) or just before anything is handed over."""
    jobs_of(message).filter(status="READY").update(status="RUNNING")

    def die(*args: Any, **kwargs: Any) -> Any:
        raise Killed

    if after_handoff:
        monkeypatch.setattr(delivery, "_record", die)
    else:
        monkeypatch.setattr(delivery._Handoff, "__call__", die)
    with pytest.raises(Killed):
        deliver_message(message.pk)
    monkeypatch.undo()


def after_the_lease() -> dt.datetime:
    return timezone.now() + lease_length() + dt.timedelta(seconds=1)


def test_every_try_carries_the_same_message_id(smtp: Mailbox, received: Dossier) -> None:
    message = email_of(received)
    smtp.data_reply = "451 4.3.0 try again later"
    assert deliver_message(message.pk) == MessageStatus.QUEUED
    smtp.data_reply = "250 OK"
    assert deliver_message(message.pk) == MessageStatus.SENT

    (mail,) = smtp.messages
    assert mail["Message-ID"] == message_id_header(message)
    assert message_id_header(message).startswith(f"<cchc.{message.pk}.")


def test_a_worker_killed_after_the_server_took_the_mail_leaves_it_possibly_sent(
    smtp: Mailbox,
    received: Dossier,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    message = email_of(received)
    run_and_die(message, monkeypatch, after_handoff=True)
    assert len(smtp.messages) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING and message.handoff_at is not None

    assert recover_lost() == 0  # the lease still runs: the worker might be alive
    caplog.set_level("INFO")
    assert recover_lost(after_the_lease()) == 1

    message.refresh_from_db()
    assert message.status == MessageStatus.UNKNOWN
    (attempt,) = message.delivery_attempts.all()
    assert (attempt.number, attempt.outcome, attempt.error) == (
        1,
        AttemptOutcome.UNKNOWN,
        WORKER_LOST,
    )
    assert set(jobs_of(message).values_list("status", flat=True)) == {"FAILED"}  # not RUNNING
    assert "possibly sent" in caplog.text
    # Nothing sends it again: not a second recovery, not the job, not the morning sweep.
    assert recover_lost(after_the_lease()) == 0
    assert deliver_message(message.pk) == "skipped"
    delivery.requeue_stale(after_the_lease() + dt.timedelta(days=1))
    assert deliver_message(message.pk) == "skipped"
    assert len(smtp.messages) == 1


def test_a_worker_killed_before_the_hand_off_is_sent_again_once(
    smtp: Mailbox, received: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = email_of(received)
    run_and_die(message, monkeypatch, after_handoff=False)
    assert smtp.messages == []

    assert recover_lost(after_the_lease()) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert jobs_of(message).filter(status="READY").count() == 1  # at once, not at 07:00

    assert deliver_message(message.pk) == MessageStatus.SENT
    assert len(smtp.messages) == 1
    assert list(message.delivery_attempts.values_list("number", "outcome", "error")) == [
        (1, AttemptOutcome.ERROR, WORKER_LOST),
        (2, AttemptOutcome.SENT, ""),
    ]


def test_no_answer_after_the_last_byte_is_possibly_sent_not_retried(
    settings: Any, smtp: Mailbox, received: Dossier, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_TIMEOUT = 1
    smtp.data_delay = 2  # the server keeps the message, then answers too late
    message = email_of(received)
    caplog.set_level("INFO")

    assert deliver_message(message.pk) == MessageStatus.UNKNOWN

    assert len(smtp.messages) == 1
    attempt = message.delivery_attempts.get()
    assert attempt.outcome == AttemptOutcome.UNKNOWN
    assert attempt.error == "smtplib.SMTPServerDisconnected"  # smtplib's word for the timeout
    assert jobs_of(message).count() == 1  # the receipt's own; no retry was queued
    assert f"message {message.pk} possibly sent" in caplog.text


def test_a_refusal_of_the_data_is_certain_and_retried(smtp: Mailbox, received: Dossier) -> None:
    smtp.data_reply = "554 5.6.0 message refused"
    message = email_of(received)
    assert deliver_message(message.pk) == MessageStatus.QUEUED
    assert message.delivery_attempts.get().error == "smtplib.SMTPDataError (554)"


def test_a_refused_recipient_never_reaches_the_hand_off(smtp: Mailbox, received: Dossier) -> None:
    smtp.refuse_recipients = True
    message = email_of(received)
    assert deliver_message(message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert message.handoff_at is None


def test_a_worker_whose_lease_was_taken_over_sends_nothing(
    smtp: Mailbox, received: Dossier
) -> None:
    message = email_of(received)
    assert delivery._claim(message.pk, timezone.now())
    stale = Message.objects.get(pk=message.pk)
    # Its lease ran out and the recovery queued it again; another worker claimed it.
    recover_lost(after_the_lease())
    assert delivery._claim(message.pk, timezone.now() + dt.timedelta(seconds=1))

    with pytest.raises(delivery.LeaseLost):
        delivery._Handoff(stale)()


def test_an_sms_gateway_that_deduplicates_gets_the_unknown_try_again_with_its_reference(
    settings: Any, gateway: Gateway, received: Dossier
) -> None:
    settings.SMS_GATEWAY = "cchc.notify.sms.HttpSmsGateway"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TIMEOUT = 1
    settings.SMS_HTTP_DEDUPLICATES = True
    gateway.delay = 2  # takes the request, answers too late
    message = sms_of(received)

    assert deliver_message(message.pk) == MessageStatus.QUEUED  # unknown, but safe to retry
    gateway.delay = 0
    assert deliver_message(message.pk) == MessageStatus.SENT

    references = [r["json"]["reference"] for r in gateway.requests]
    assert references == [sms_reference(message)] * 2
    assert list(message.delivery_attempts.values_list("outcome", flat=True)) == [
        AttemptOutcome.UNKNOWN,
        AttemptOutcome.SENT,
    ]


def test_an_sms_gateway_that_does_not_deduplicate_is_not_asked_twice(
    settings: Any, gateway: Gateway, received: Dossier
) -> None:
    settings.SMS_GATEWAY = "cchc.notify.sms.HttpSmsGateway"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TIMEOUT = 1
    gateway.delay = 2
    message = sms_of(received)

    assert deliver_message(message.pk) == MessageStatus.UNKNOWN
    assert deliver_message(message.pk) == "skipped"
    assert len(gateway.requests) == 1


def test_a_message_that_kills_its_worker_every_time_ends_a_dead_letter(
    settings: Any, smtp: Mailbox, received: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 2
    message = email_of(received)
    for _ in range(2):
        run_and_die(message, monkeypatch, after_handoff=False)
        recover_lost(after_the_lease())
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert message.attempts == 2


# -- administrators -----------------------------------------------------------------------------


@pytest.fixture
def dead_letter(settings: Any, received: Dossier) -> Message:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    from cchc.testing import free_port

    settings.EMAIL_PORT = free_port()  # nothing listens: refused every time
    settings.NOTIFY_MAX_ATTEMPTS = 1
    message = email_of(received)
    assert deliver_message(message.pk) == MessageStatus.DEAD
    return message


def test_administrators_are_alerted_to_dead_letters_on_the_admin_home(
    dead_letter: Message,
) -> None:
    root = logged_in(make_user("root", is_staff=True, is_superuser=True))
    page = root.get(reverse("admin:index")).content.decode()
    assert 'role="alert"' in page
    assert "Hết lượt gửi, cần xử lý: 1" in page
    assert "status__exact=dead" in page
    listing = root.get(reverse("admin:notify_message_changelist")).content.decode()
    assert 'role="alert"' in listing


def test_staff_without_the_messages_see_no_alert(dead_letter: Message) -> None:
    clerk = logged_in(make_user("clerk", is_staff=True))
    page = clerk.get(reverse("admin:index")).content.decode()
    assert 'role="alert"' not in page


def test_an_administrator_resends_a_dead_letter(
    dead_letter: Message, smtp: Mailbox, settings: Any
) -> None:
    root: Client = logged_in(make_user("root", is_staff=True, is_superuser=True))
    response = root.post(
        reverse("admin:notify_message_changelist"),
        {"action": "resend", "_selected_action": [dead_letter.pk]},
    )
    assert response.status_code == 302
    dead_letter.refresh_from_db()
    assert dead_letter.status == MessageStatus.QUEUED
    settings.NOTIFY_MAX_ATTEMPTS = 5
    assert deliver_message(dead_letter.pk) == MessageStatus.SENT
    assert smtp.message_ids() == [message_id_header(dead_letter)]


def test_resending_needs_its_permission(dead_letter: Message) -> None:
    viewer = make_user("viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_message"))
    response = logged_in(viewer).post(
        reverse("admin:notify_message_changelist"),
        {"action": "resend", "_selected_action": [dead_letter.pk]},
    )
    assert response.status_code in (200, 302)
    dead_letter.refresh_from_db()
    assert dead_letter.status == MessageStatus.DEAD


def test_a_possibly_sent_message_found_at_the_server_is_recorded_sent(
    smtp: Mailbox, received: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = email_of(received)
    run_and_die(message, monkeypatch, after_handoff=True)
    recover_lost(after_the_lease())
    root = logged_in(make_user("root", is_staff=True, is_superuser=True))
    root.post(
        reverse("admin:notify_message_changelist"),
        {"action": "mark_sent", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(smtp.messages) == 1


def test_an_outcome_is_recorded_once_the_database_answers_again(
    smtp: Mailbox, received: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL restarting between the server's answer and the record of it (measured by
    # scripts/faults/restart_db.py): the message must end sent, not possibly sent.
    from types import SimpleNamespace

    from django.db import OperationalError

    message = email_of(received)
    record = delivery._record
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return record(*args, **kwargs)

    monkeypatch.setattr(delivery, "_record", flaky)
    monkeypatch.setattr(delivery.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(delivery, "connection", SimpleNamespace(close=lambda: None))

    assert deliver_message(message.pk) == MessageStatus.SENT
    assert len(calls) == 3 and len(smtp.messages) == 1
