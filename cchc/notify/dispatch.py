"""The outbox's one door: `queue_message` writes a message and enqueues its delivery in the
caller's transaction, so that a rolled-back action sends nothing and a committed one is never lost.

What to say, and to whom, is each domain's business (`cchc/dossiers/notices.py`,
`cchc/feedback/notices.py`, …): they call in here; this module knows no domain app."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from cchc.lib.personal import InvalidPhone, normalise_phone
from cchc.notify.choices import Channel, MessageStatus
from cchc.notify.models import Message

logger = logging.getLogger(__name__)

INVALID_RECIPIENT = "invalid_recipient"


def sms_number(raw: str) -> str | None:
    """The mobile an SMS goes to, normalised (`+84 912 345 678` → `0912345678`); None for a
    landline, a blank or a malformed number."""
    try:
        return normalise_phone(raw, mobile_only=True) or None
    except InvalidPhone:
        return None


def normalise_email(raw: str) -> str | None:
    address = raw.strip()
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def digest(recipient: str) -> str:
    # Keys are shown in the admin and may be logged: they carry a digest, never the address.
    return hashlib.sha256(recipient.lower().encode()).hexdigest()[:16]


def queue_message(
    *,
    channel: str,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    key: str,
    dossier: Any = None,
    user: Any = None,
    new_key: bool = False,
) -> Message | None:
    """Write one message (unless its key exists) and enqueue its delivery, in the caller's
    transaction: with the database task backend the job row commits or rolls back with it.

    Returns the new message, or None when the key was already used. An address that cannot be
    valid is kept as a failed message, so the omission is visible in the admin. `new_key` says
    the key names a row created in this same transaction, so it cannot have been used: one
    INSERT then, instead of a lookup and an insert under a savepoint.
    """
    from cchc.notify.delivery import deliver

    normalised = normalise_email(recipient) if channel == Channel.EMAIL else sms_number(recipient)
    fields = {
        "channel": channel,
        "kind": kind,
        "recipient": normalised or recipient,
        "subject": subject,
        "body": body,
        "dossier": dossier,
        "user": user,
        "status": MessageStatus.QUEUED if normalised else MessageStatus.FAILED,
        "last_error": "" if normalised else INVALID_RECIPIENT,
    }
    if new_key:
        message = Message.objects.create(idempotency_key=key, **fields)
    else:
        message, created = Message.objects.get_or_create(idempotency_key=key, defaults=fields)
        if not created:
            return None
    if normalised is None:
        logger.warning("notify: message %s not queued: invalid %s recipient", message.pk, channel)
        return message
    deliver.enqueue(message.pk)
    logger.info("notify: message %s queued (%s, %s)", message.pk, kind, channel)
    return message
