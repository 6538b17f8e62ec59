"""Delivering one message: the job the worker runs, with its retries.

The worker claims a queued message with one conditional UPDATE (so two copies of the job never
both send), talks to the server outside any transaction (so a slow mail server never holds a
database lock), then records the attempt and either marks the message sent, schedules a retry
with exponential backoff, or gives up after `NOTIFY_MAX_ATTEMPTS`.

Failures are caught here rather than left to the worker: the worker would store the exception's
text and traceback, and a mail server's refusal quotes the address.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from cchc.notify.choices import AttemptOutcome, Channel, MessageStatus
from cchc.notify.models import DeliveryAttempt, Message
from cchc.notify.sms import get_gateway

logger = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=6)
# A claim older than this is taken to belong to a worker that died mid-send.
CLAIM_TIMEOUT = dt.timedelta(minutes=15)


def max_attempts() -> int:
    return max(1, int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 5)))


def backoff(attempt: int) -> dt.timedelta:
    """Delay before try `attempt + 1`: base, 4×base, 16×base… capped at six hours."""
    base = int(getattr(settings, "NOTIFY_RETRY_DELAY_SECONDS", 60))
    return min(dt.timedelta(seconds=base * 4 ** (attempt - 1)), MAX_BACKOFF)


def describe(exc: BaseException) -> str:
    """The error as it may be stored and logged: class path and numeric code, no message text
    (an SMTP refusal or a gateway's reply may quote the address or the number)."""
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    for attr in ("smtp_code", "code", "errno"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return f"{name} ({value})"[:200]
    return name[:200]


class NothingSent(Exception):
    """The mail backend accepted the call but reported no message sent."""


def _send(message: Message) -> str | None:
    if message.channel == Channel.EMAIL:
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 30
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Auto-Submitted": "auto-generated"},
            connection=get_connection(fail_silently=False, timeout=timeout),
        )
        if email.send() != 1:
            raise NothingSent
        return None
    return get_gateway().send(message.recipient, message.body)


def _claim(message_id: int, now: dt.datetime) -> bool:
    stale = now - CLAIM_TIMEOUT
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(
            Q(status=MessageStatus.QUEUED) | Q(status=MessageStatus.SENDING, claimed_at__lt=stale)
        )
        .update(status=MessageStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def enqueue_delivery(message_id: int, run_after: dt.datetime | None = None) -> None:
    job = deliver
    if run_after is not None and job.get_backend().supports_defer:
        job = job.using(run_after=run_after)
    job.enqueue(message_id)


def deliver_message(message_id: int) -> str:
    """Try once to deliver a message; returns its status afterwards (or "skipped")."""
    started_at = timezone.now()
    if not _claim(message_id, started_at):
        # Sent already, given up, or another worker holds it: running twice sends once.
        logger.info("notify: message %s not claimable, skipped", message_id)
        return "skipped"
    message = Message.objects.get(pk=message_id)
    clock = time.monotonic()
    error = ""
    provider_ref: str | None = None
    try:
        provider_ref = _send(message)
    except Exception as exc:
        error = describe(exc)
    duration_ms = int((time.monotonic() - clock) * 1000)

    retry_at: dt.datetime | None = None
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message,
            number=message.attempts,
            started_at=started_at,
            duration_ms=duration_ms,
            outcome=AttemptOutcome.ERROR if error else AttemptOutcome.SENT,
            error=error,
            provider_ref=(provider_ref or "")[:100],
        )
        message.claimed_at = None
        if not error:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.next_attempt_at = None
            logger.info("notify: message %s sent (attempt %s)", message.pk, message.attempts)
        elif message.attempts >= max_attempts():
            message.status = MessageStatus.FAILED
            message.last_error = error
            message.next_attempt_at = None
            logger.error(
                "notify: message %s failed for good after %s attempts: %s",
                message.pk,
                message.attempts,
                error,
            )
        else:
            retry_at = timezone.now() + backoff(message.attempts)
            message.status = MessageStatus.QUEUED
            message.last_error = error
            message.next_attempt_at = retry_at
            logger.warning(
                "notify: message %s attempt %s failed (%s), retry at %s",
                message.pk,
                message.attempts,
                error,
                retry_at.isoformat(),
            )
        message.save(
            update_fields=["status", "sent_at", "last_error", "next_attempt_at", "claimed_at"]
        )
        if retry_at is not None:
            enqueue_delivery(message.pk, retry_at)
    return message.status


@task()
def deliver(message_id: int) -> str:
    """The job: deliver one message (see `deliver_message`)."""
    return deliver_message(message_id)


def requeue_stale(now: dt.datetime | None = None) -> int:
    """Enqueue again the messages whose job was lost (a worker killed mid-send, a job row
    deleted by hand). Harmless if the job still exists: the claim lets only one copy send."""
    now = now or timezone.now()
    stale = Message.objects.filter(
        Q(status=MessageStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        | Q(
            status=MessageStatus.QUEUED,
            next_attempt_at__isnull=True,
            created_at__lt=now - MAX_BACKOFF,
        )
        | Q(status=MessageStatus.QUEUED, next_attempt_at__lt=now - MAX_BACKOFF)
    ).values_list("pk", flat=True)
    count = 0
    for pk in stale:
        enqueue_delivery(pk)
        count += 1
    if count:
        logger.warning("notify: %s stale messages enqueued again", count)
    return count
