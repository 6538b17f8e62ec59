"""Delivering one message: the job the worker runs, its retries, and what happens when a worker
dies in the middle.

Exactly once, as far as a mail server or an SMS gateway lets anyone know:

1. **Claim under a lease.** One conditional UPDATE moves a queued message to *sending* (so two
   copies of the job never both send) with `lease_until` a few seconds ahead; a thread renews
   the lease while the server is being talked to, outside any transaction (a slow server never
   holds a database lock).
2. **Hand-off mark.** Just before the step after which the server may keep the message (the SMTP
   `DATA` command; the gateway request) the worker commits `handoff_at`, and only if it still
   holds the claim (a worker whose lease was taken over sends nothing).
3. **Outcome.** Sent; refused (the server answered no: retried with backoff, a dead letter after
   `NOTIFY_MAX_ATTEMPTS`); or unknown (no answer after the hand-off). An unknown outcome is not
   sent again blind: the message becomes *possibly sent* and administrators are alerted, unless
   the channel deduplicates by the idempotency key each delivery carries (the SMS gateway's
   `reference`, when `SMS_HTTP_DEDUPLICATES` says it honours it): then it is simply retried.
4. **Recovery.** `recover_lost` (run by `manage.py worker` every few seconds, and by the morning
   job) finds messages whose lease ran out: lost before the hand-off, they are queued again (the
   server never saw them); lost after it, they are *possibly sent*. Their job rows, left
   RUNNING by the dead worker, are closed as failed.

Every e-mail carries a stable `Message-ID` (`<cchc.<id>.<digest>@<domain>>`) and every SMS a
`reference`, the same on every try: an administrator can find a possibly sent message in the
mail server's log, and a recipient's mail system can drop a duplicate of a manual resend.

Failures are caught here rather than left to the worker: the worker would store the exception's
text and traceback, and a mail server's refusal quotes the address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
import socket
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from cchc.notify.choices import AttemptOutcome, Channel, MessageStatus
from cchc.notify.models import DeliveryAttempt, Message
from cchc.notify.sms import SmsError, get_gateway

logger = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=6)
# Messages claimed before leases existed carry none: their claim counts as lost after this.
CLAIM_TIMEOUT = dt.timedelta(minutes=15)
DELIVER_TASK_PATH = "cchc.notify.delivery.deliver"
# Stored as the error of an attempt whose worker died, and on the job row it left RUNNING.
WORKER_LOST = "cchc.notify.delivery.WorkerLost"
# Seconds between tries at recording an outcome while the database does not answer.
RECORD_RETRY_DELAYS = (1, 2, 4, 8, 15, 30)


def max_attempts() -> int:
    return max(1, int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 5)))


def lease_length() -> dt.timedelta:
    return dt.timedelta(seconds=max(3, int(getattr(settings, "NOTIFY_LEASE_SECONDS", 20))))


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


class LeaseLost(Exception):
    """The claim was taken over (the lease ran out) before anything was handed over."""


def idempotency_digest(message: Message) -> str:
    return hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]


def message_id_header(message: Message) -> str:
    """The e-mail's Message-ID, the same on every try and every resend of this message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<cchc.{message.pk}.{idempotency_digest(message)}@{domain}>"


def sms_reference(message: Message) -> str:
    """The client reference sent to the SMS gateway, the same on every try."""
    return f"cchc-{message.pk}-{idempotency_digest(message)}"


def deduplicates(channel: str) -> bool:
    """Whether the channel drops a second copy carrying the same idempotency key, so that an
    unknown outcome may simply be retried. SMTP servers do not (a Message-ID only lets the
    recipient's mail system recognise a copy); an SMS gateway does if configured so."""
    if channel != Channel.SMS:
        return False
    return bool(getattr(get_gateway(), "deduplicates", False))


def taken_for_certain_not(exc: BaseException) -> bool:
    """Whether an error after the hand-off still proves the server did not keep the message:
    it answered with a refusal, or the connection was never made."""
    if isinstance(exc, smtplib.SMTPResponseException | SmsError | NothingSent):
        return True
    if isinstance(exc, urllib.error.HTTPError):
        # A proxy's 502/504 says nothing about what the gateway behind it did.
        return exc.code not in (502, 504)
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    return isinstance(exc, ConnectionRefusedError | socket.gaierror)


class _Handoff:
    """Marks the hand-off (committed before the server can keep the message) and remembers
    whether the server said it took the message."""

    def __init__(self, message: Message) -> None:
        self.message = message
        self.started = False
        self.accepted = False

    def __call__(self) -> None:
        marked = Message.objects.filter(
            pk=self.message.pk, status=MessageStatus.SENDING, claimed_at=self.message.claimed_at
        ).update(handoff_at=timezone.now())
        if marked != 1:
            raise LeaseLost
        self.started = True


def _send_email(message: Message, handoff: _Handoff) -> None:
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 30
    backend = get_connection(fail_silently=False, timeout=timeout)
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Auto-Submitted": "auto-generated", "Message-ID": message_id_header(message)},
        connection=backend,
    )
    if not isinstance(backend, SmtpBackend):
        handoff()
        if email.send() != 1:
            raise NothingSent
        handoff.accepted = True
        return
    # SMTP: connect, greet and name the recipient first (a refusal there certainly sent
    # nothing); the hand-off is the DATA command, after which the server may keep the message.
    backend.open()
    smtp = backend.connection
    assert smtp is not None
    send_data: Callable[..., Any] = smtp.data

    def data(msg: Any) -> Any:
        handoff()
        reply = send_data(msg)
        # smtplib returns the answer to the final dot; only 250 means the server kept it.
        handoff.accepted = reply[0] == 250
        return reply

    smtp.data = data  # type: ignore[method-assign]
    try:
        if email.send() != 1:
            raise NothingSent
    finally:
        # Accepted or failed already: a failing goodbye changes neither.
        with suppress(Exception):
            backend.close()


def _send(message: Message, handoff: _Handoff) -> str | None:
    if message.channel == Channel.EMAIL:
        _send_email(message, handoff)
        return None
    gateway = get_gateway()
    handoff()
    ref = gateway.send(message.recipient, message.body, reference=sms_reference(message))
    handoff.accepted = True
    return ref


def _claim(message_id: int, now: dt.datetime) -> bool:
    claimed = Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING,
        claimed_at=now,
        lease_until=now + lease_length(),
        handoff_at=None,
        attempts=F("attempts") + 1,
    )
    return claimed == 1


@contextmanager
def _lease(message: Message) -> Iterator[None]:
    """Renew the claim's lease from a thread while the body runs, so that a slow server (up to
    EMAIL_TIMEOUT per exchange) never looks like a dead worker. The thread writes only if the
    send outlasts a third of the lease."""
    stop = threading.Event()
    length = lease_length()

    def renew() -> None:
        try:
            while not stop.wait(length.total_seconds() / 3):
                Message.objects.filter(
                    pk=message.pk, status=MessageStatus.SENDING, claimed_at=message.claimed_at
                ).update(lease_until=timezone.now() + length)
        except Exception as exc:
            logger.warning("notify: lease of message %s not renewed: %s", message.pk, describe(exc))
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=renew, name=f"lease-{message.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


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
    handoff = _Handoff(message)
    clock = time.monotonic()
    error = ""
    unknown = False
    provider_ref: str | None = None
    with _lease(message):
        try:
            provider_ref = _send(message, handoff)
        except LeaseLost:
            logger.warning("notify: message %s lease lost before sending; nothing sent", message.pk)
            return "skipped"
        except Exception as exc:
            if handoff.accepted:
                # The server took it; only the goodbye failed.
                pass
            else:
                error = describe(exc)
                unknown = handoff.started and not taken_for_certain_not(exc)
    duration_ms = int((time.monotonic() - clock) * 1000)
    # The outcome is known now; a database that is away for a moment must not turn it into
    # "possibly sent" (the lease would run out): try to record it for about a minute.
    for delay in RECORD_RETRY_DELAYS:
        try:
            return _record(message, started_at, duration_ms, error, unknown, provider_ref)
        except (OperationalError, InterfaceError) as exc:
            logger.warning(
                "notify: message %s: outcome not recorded (%s); trying again in %s s",
                message.pk,
                describe(exc),
                delay,
            )
            connection.close()
            time.sleep(delay)
    return _record(message, started_at, duration_ms, error, unknown, provider_ref)


def _record(
    claimed: Message,
    started_at: dt.datetime,
    duration_ms: int,
    error: str,
    unknown: bool,
    provider_ref: str | None,
) -> str:
    retry_at: dt.datetime | None = None
    outcome = (
        AttemptOutcome.UNKNOWN
        if unknown
        else AttemptOutcome.ERROR
        if error
        else AttemptOutcome.SENT
    )
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=claimed.pk)
        if message.status != MessageStatus.SENDING or message.claimed_at != claimed.claimed_at:
            return _late_result(message, claimed, outcome, provider_ref)
        DeliveryAttempt.objects.create(
            message=message,
            number=message.attempts,
            started_at=started_at,
            duration_ms=duration_ms,
            outcome=outcome,
            error=error,
            provider_ref=(provider_ref or "")[:100],
        )
        message.lease_until = None
        if outcome == AttemptOutcome.SENT:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.next_attempt_at = None
            logger.info("notify: message %s sent (attempt %s)", message.pk, message.attempts)
        elif unknown and not deduplicates(message.channel):
            _possibly_sent(message, error)
        elif message.attempts >= max_attempts():
            _dead_letter(message, error)
        else:
            retry_at = timezone.now() + backoff(message.attempts)
            message.status = MessageStatus.QUEUED
            message.last_error = error
            message.next_attempt_at = retry_at
            logger.warning(
                "notify: message %s attempt %s failed (%s%s), retry at %s",
                message.pk,
                message.attempts,
                error,
                ", outcome unknown, the gateway deduplicates" if unknown else "",
                retry_at.isoformat(),
            )
        message.save(
            update_fields=["status", "sent_at", "last_error", "next_attempt_at", "lease_until"]
        )
        if retry_at is not None:
            enqueue_delivery(message.pk, retry_at)
    return message.status


def _late_result(message: Message, claimed: Message, outcome: str, provider_ref: str | None) -> str:
    """A worker whose lease ran out finished after all (the recovery already wrote its attempt
    as lost). A success is better knowledge than "possibly sent": keep it."""
    if message.claimed_at == claimed.claimed_at and outcome == AttemptOutcome.SENT:
        DeliveryAttempt.objects.filter(message=message, number=claimed.attempts).update(
            outcome=AttemptOutcome.SENT, error="", provider_ref=(provider_ref or "")[:100]
        )
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.next_attempt_at = None
        message.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at"])
        logger.warning("notify: message %s sent after its lease ran out", message.pk)
    else:
        logger.warning(
            "notify: message %s: late %s result of attempt %s ignored (now %s)",
            message.pk,
            outcome,
            claimed.attempts,
            message.status,
        )
    return message.status


def _possibly_sent(message: Message, error: str) -> None:
    message.status = MessageStatus.UNKNOWN
    message.last_error = error
    message.next_attempt_at = None
    logger.warning(
        "notify: message %s possibly sent: handed over, then %s; not sent again blind "
        "(look for Message-ID/reference %s at the server)",
        message.pk,
        error,
        message_id_header(message) if message.channel == Channel.EMAIL else sms_reference(message),
    )


def _dead_letter(message: Message, error: str) -> None:
    message.status = MessageStatus.DEAD
    message.last_error = error
    message.next_attempt_at = None
    logger.error(
        "notify: message %s is a dead letter after %s attempts: %s",
        message.pk,
        message.attempts,
        error,
    )


@task()
def deliver(message_id: int) -> str:
    """The job: deliver one message (see `deliver_message`)."""
    return deliver_message(message_id)


def _lost_q(now: dt.datetime) -> Q:
    return Q(status=MessageStatus.SENDING) & (
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, claimed_at__lt=now - CLAIM_TIMEOUT)
    )


def recover_lost(now: dt.datetime | None = None) -> int:
    """Settle the messages whose worker died while holding them (lease run out): queued again
    if the worker never handed them over (or the channel deduplicates), else possibly sent.
    Returns how many were settled. Safe to run from several workers at once."""
    now = now or timezone.now()
    ids = list(Message.objects.filter(_lost_q(now)).values_list("pk", flat=True)[:500])
    settled = 0
    for pk in ids:
        with transaction.atomic():
            message = Message.objects.select_for_update().filter(_lost_q(now), pk=pk).first()
            if message is None:
                continue  # finished, or settled by another worker meanwhile
            before_handoff = message.handoff_at is None
            DeliveryAttempt.objects.get_or_create(
                message=message,
                number=message.attempts,
                defaults={
                    "started_at": message.claimed_at or now,
                    "outcome": AttemptOutcome.ERROR if before_handoff else AttemptOutcome.UNKNOWN,
                    "error": WORKER_LOST,
                },
            )
            message.lease_until = None
            if not before_handoff and not deduplicates(message.channel):
                _possibly_sent(message, WORKER_LOST)
            elif message.attempts >= max_attempts():
                # A message that kills its worker every time must not loop for ever.
                _dead_letter(message, WORKER_LOST)
            else:
                message.status = MessageStatus.QUEUED
                message.last_error = WORKER_LOST
                message.next_attempt_at = None
                enqueue_delivery(message.pk)
                logger.warning(
                    "notify: message %s: worker lost %s; queued again",
                    message.pk,
                    "before sending" if before_handoff else "(the gateway deduplicates)",
                )
            message.save(update_fields=["status", "last_error", "next_attempt_at", "lease_until"])
            DBTaskResult.objects.filter(
                status="RUNNING", task_path=DELIVER_TASK_PATH, args_kwargs__args=[pk]
            ).update(
                status="FAILED",
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback="",
            )
            settled += 1
    return settled


def requeue_stale(now: dt.datetime | None = None) -> int:
    """The morning safety net: settle lost claims, then enqueue again the queued messages whose
    job was lost (a job row deleted by hand). Harmless if the job still exists: the claim lets
    only one copy send."""
    now = now or timezone.now()
    count = recover_lost(now)
    stale = Message.objects.filter(
        Q(
            status=MessageStatus.QUEUED,
            next_attempt_at__isnull=True,
            created_at__lt=now - MAX_BACKOFF,
        )
        | Q(status=MessageStatus.QUEUED, next_attempt_at__lt=now - MAX_BACKOFF)
    ).values_list("pk", flat=True)
    for pk in stale:
        enqueue_delivery(pk)
        count += 1
    if count:
        logger.warning("notify: %s stale messages settled or enqueued again", count)
    return count


def resend(message: Message) -> bool:
    """An administrator's decision: send a dead letter or a possibly sent message again (it
    carries the same Message-ID or reference). Returns False if the message is not one of those."""
    updated = Message.objects.filter(
        pk=message.pk, status__in=MessageStatus.needs_attention()
    ).update(status=MessageStatus.QUEUED, next_attempt_at=None, lease_until=None)
    if updated:
        enqueue_delivery(message.pk)
        logger.warning("notify: message %s queued again by an administrator", message.pk)
    return updated == 1


def mark_sent(message: Message) -> bool:
    """An administrator found a possibly sent message at the server: record it as sent."""
    updated = Message.objects.filter(pk=message.pk, status=MessageStatus.UNKNOWN).update(
        status=MessageStatus.SENT, sent_at=timezone.now()
    )
    if updated:
        logger.warning("notify: message %s marked sent by an administrator", message.pk)
    return updated == 1
