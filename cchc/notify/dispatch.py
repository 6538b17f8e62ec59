"""What the dossier workflow tells citizens and officers. Called inside the action's transaction
so that a rolled-back action sends nothing and a committed one is never lost."""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from cchc.dossiers.choices import Action
from cchc.dossiers.choices import Channel as DossierChannel
from cchc.lib.personal import InvalidPhone, normalise_phone
from cchc.notify.choices import Channel, Kind, MessageStatus
from cchc.notify.models import Message

if TYPE_CHECKING:
    from cchc.dossiers.models import DossierEvent

logger = logging.getLogger(__name__)

# The events a citizen hears about, and what each is called. Anything else (hand-overs, notes,
# payments, counter-side refusals the citizen witnesses in person) sends nothing.
CITIZEN_KINDS: dict[str, str] = {
    Action.SUBMIT: Kind.SUBMITTED,
    Action.RESUBMIT: Kind.SUBMITTED,
    Action.ASK_COMPLETION: Kind.COMPLETION_REQUESTED,
    Action.REFUSE_RECEIPT: Kind.RECEIPT_REFUSED,
    Action.RECEIVE: Kind.RECEIVED,
    Action.REQUEST_SUPPLEMENT: Kind.SUPPLEMENT_REQUESTED,
    Action.RESCHEDULE: Kind.RESCHEDULED,
    Action.EXTEND: Kind.EXTENDED,
    Action.REQUEST_PAYMENT: Kind.PAYMENT_DUE,
    Action.STOP: Kind.STOPPED,
    Action.WITHDRAW: Kind.WITHDRAWN,
    Action.RESOLVE: Kind.RESULT_READY,
    Action.REFUSE: Kind.REFUSED,
    Action.RETURN_RESULT: Kind.RETURNED,
}

PAPER_AT_THE_COUNTER = frozenset({Action.ASK_COMPLETION, Action.REFUSE_RECEIPT})

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


def on_dossier_event(event: DossierEvent, *, new_event: bool = False) -> None:
    """Queue the messages an event calls for: an e-mail to the applicant's address and an SMS
    to the applicant's phone, whichever the dossier has.

    Safe to call again for the same event (nothing is queued twice). `new_event` says the event
    was written in this transaction, so no message can exist for it yet: plain inserts then.
    """
    from cchc.notify import texts

    kind = CITIZEN_KINDS.get(event.action)
    if kind is None:
        return
    dossier = event.dossier
    if event.action in PAPER_AT_THE_COUNTER and dossier.channel not in DossierChannel.online():
        # At the counter the applicant is handed the printed form (Mẫu 02 or 03) there and then.
        return
    words = texts.for_citizen(kind, dossier, event)
    for channel, recipient, subject, body in (
        (Channel.EMAIL, dossier.applicant_email, words.subject, words.body),
        (Channel.SMS, dossier.applicant_phone, "", words.sms),
    ):
        if not recipient.strip():
            continue
        queue_message(
            channel=channel,
            kind=kind,
            recipient=recipient.strip(),
            subject=subject,
            body=body,
            key=f"event:{event.pk}:{kind}:{channel}:{digest(recipient.strip())}",
            dossier=dossier,
            new_key=new_event,
        )
