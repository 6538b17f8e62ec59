"""Delivering e-mail to a real SMTP server, retrying, giving up, and keeping addresses out of
errors and logs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cchc.dossiers.models import Dossier
from cchc.notify.choices import AttemptOutcome, Channel, MessageStatus
from cchc.notify.delivery import backoff, deliver, deliver_message
from cchc.notify.models import DeliveryAttempt, Message
from cchc.testing import EMAIL, Mailbox, free_port, text_of

pytestmark = pytest.mark.django_db


def email_of(dossier: Dossier) -> Message:
    return Message.objects.get(dossier=dossier, channel=Channel.EMAIL)


def test_an_email_goes_through_a_real_smtp_server(smtp: Mailbox, received: Dossier) -> None:
    message = email_of(received)

    assert deliver_message(message.pk) == MessageStatus.SENT

    (envelope,) = smtp.envelopes
    assert envelope.rcpt_tos == [EMAIL]
    (received_mail,) = smtp.messages
    assert received.code in str(received_mail["Subject"])
    assert "Đã tiếp nhận hồ sơ" in str(received_mail["Subject"])
    body = text_of(received_mail)
    assert received.code in body
    assert "07/08/2025" in body
    assert f"/tra-cuu/{received.code}/" in body
    assert received_mail["Auto-Submitted"] == "auto-generated"
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1
    (attempt,) = message.delivery_attempts.all()
    assert (attempt.number, attempt.outcome, attempt.error) == (1, AttemptOutcome.SENT, "")


def test_a_job_run_twice_sends_once(smtp: Mailbox, received: Dossier) -> None:
    message = email_of(received)
    deliver.call(message.pk)
    assert deliver.call(message.pk) == "skipped"
    assert len(smtp.messages) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


def test_a_failure_is_retried_with_backoff_then_becomes_a_dead_letter(
    settings: Any, received: Dossier
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_DELAY_SECONDS = 60
    message = email_of(received)

    def retry_jobs() -> list[DBTaskResult]:
        return list(
            DBTaskResult.objects.filter(
                task_path="cchc.notify.delivery.deliver",
                args_kwargs__args=[message.pk],
            ).exclude(run_after__gt=timezone.now() + dt.timedelta(days=365))
        )

    for attempt, delay in ((1, 60), (2, 240)):
        before = timezone.now()
        assert deliver_message(message.pk) == MessageStatus.QUEUED
        message.refresh_from_db()
        assert message.attempts == attempt
        assert "ConnectionRefusedError" in message.last_error
        assert message.next_attempt_at is not None
        assert message.next_attempt_at >= before + dt.timedelta(seconds=delay)
        assert len(retry_jobs()) == attempt  # one deferred job per retry, at that moment
        assert max(j.run_after for j in retry_jobs()) == message.next_attempt_at

    assert deliver_message(message.pk) == MessageStatus.DEAD
    message.refresh_from_db()
    assert message.next_attempt_at is None
    assert len(retry_jobs()) == 2  # no job after the last attempt
    assert list(message.delivery_attempts.values_list("number", "outcome")) == [
        (1, AttemptOutcome.ERROR),
        (2, AttemptOutcome.ERROR),
        (3, AttemptOutcome.ERROR),
    ]
    assert deliver_message(message.pk) == "skipped"  # a dead letter waits for an administrator


def test_backoff_grows_fourfold_and_is_capped(settings: Any) -> None:
    settings.NOTIFY_RETRY_DELAY_SECONDS = 60
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 240, 960, 3840]
    assert backoff(20) == dt.timedelta(hours=6)


def test_a_refused_address_stays_out_of_errors_and_logs(
    smtp: Mailbox, received: Dossier, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.refuse_recipients = True
    message = email_of(received)
    caplog.set_level("DEBUG")

    deliver_message(message.pk)

    message.refresh_from_db()
    attempt = message.delivery_attempts.get()
    assert message.last_error == attempt.error == "smtplib.SMTPRecipientsRefused"
    # Everything the platform logged ("mail.log" is the test SMTP server's own chatter).
    ours = "\n".join(
        r.getMessage() + str(r.exc_info or "") for r in caplog.records if r.name != "mail.log"
    )
    assert EMAIL not in ours
    assert "0912345678" not in ours
    assert f"message {message.pk}" in ours


def test_with_the_immediate_backend_messages_go_out_at_once(
    settings: Any, world: Any, reception: Any, copy_implemented: None, sms_file: Any
) -> None:
    from cchc.testing import receive

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    dossier = receive(world, reception, "2025-08-04")
    assert len(mail.outbox) == 1 and dossier.code in mail.outbox[0].subject
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert not DBTaskResult.objects.exists()
