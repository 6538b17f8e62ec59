"""One entry point for pages and API: an action by name with its parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cchc.dossiers.actions.common import MissingInput
from cchc.dossiers.actions.endings import refuse, resolve, return_result, stop, withdraw
from cchc.dossiers.actions.errors import InvalidDossierData
from cchc.dossiers.actions.moves import (
    add_note,
    extend,
    record_payment,
    request_payment,
    request_supplement,
    reschedule,
    supplement_received,
)
from cchc.dossiers.actions.receipt import ask_completion, receive_submitted, refuse_submission
from cchc.dossiers.actions.steps import hand_over, send_back
from cchc.dossiers.choices import Action, PaymentMethod
from cchc.dossiers.models import Dossier


@dataclass
class ActionParams:
    expected_version: int | None = None
    reason: str = ""
    items: Sequence[MissingInput] = field(default_factory=list)
    to: Any | None = None
    new_due: dt.datetime | None = None
    amount_vnd: int | None = None
    receipt_number: str = ""
    payment_method: str = PaymentMethod.CASH
    method: str | None = None
    postal_tracking: str = ""
    digital: bool = False


def perform(
    dossier: Dossier, action: str, *, by: Any, params: ActionParams, at: dt.datetime | None = None
) -> Dossier:
    """Run the named action; unknown names are refused like any other bad input."""
    p = params
    v = p.expected_version

    def need_amount() -> int:
        if p.amount_vnd is None:
            raise InvalidDossierData(_("Thiếu số tiền (amount_vnd)."))
        return p.amount_vnd

    def need_new_due() -> dt.datetime:
        if p.new_due is None:
            raise InvalidDossierData(_("Thiếu ngày hẹn mới (new_due)."))
        return p.new_due

    handlers: dict[str, Callable[[], Dossier]] = {
        Action.RECEIVE: lambda: receive_submitted(dossier, by=by, expected_version=v, at=at),
        Action.ASK_COMPLETION: lambda: ask_completion(
            dossier, by=by, missing=p.items, expected_version=v, at=at
        ),
        Action.REFUSE_RECEIPT: lambda: refuse_submission(
            dossier, by=by, reason=p.reason, expected_version=v, at=at
        ),
        Action.HAND_OVER: lambda: hand_over(
            dossier, by=by, to=p.to, note=p.reason, expected_version=v, at=at
        ),
        Action.SEND_BACK: lambda: send_back(
            dossier, by=by, reason=p.reason, expected_version=v, at=at
        ),
        Action.REQUEST_SUPPLEMENT: lambda: request_supplement(
            dossier, by=by, items=p.items, expected_version=v, at=at
        ),
        Action.SUPPLEMENT_RECEIVED: lambda: supplement_received(
            dossier, by=by, expected_version=v, at=at
        ),
        Action.REQUEST_PAYMENT: lambda: request_payment(
            dossier, by=by, amount_vnd=need_amount(), note=p.reason, expected_version=v, at=at
        ),
        Action.RECORD_PAYMENT: lambda: record_payment(
            dossier,
            by=by,
            amount_vnd=need_amount(),
            method=p.payment_method,
            receipt_number=p.receipt_number,
            expected_version=v,
            at=at,
        ),
        Action.RESCHEDULE: lambda: reschedule(
            dossier, by=by, new_due=need_new_due(), reason=p.reason, expected_version=v, at=at
        ),
        Action.EXTEND: lambda: extend(dossier, by=by, reason=p.reason, expected_version=v, at=at),
        Action.REFUSE: lambda: refuse(dossier, by=by, reason=p.reason, expected_version=v, at=at),
        Action.RESOLVE: lambda: resolve(
            dossier, by=by, digital=p.digital, note=p.reason, expected_version=v, at=at
        ),
        Action.WITHDRAW: lambda: withdraw(
            dossier, by=by, reason=p.reason, expected_version=v, at=at
        ),
        Action.STOP: lambda: stop(dossier, by=by, reason=p.reason, expected_version=v, at=at),
        Action.RETURN_RESULT: lambda: return_result(
            dossier,
            by=by,
            method=p.method,
            postal_tracking=p.postal_tracking,
            expected_version=v,
            at=at,
        ),
        Action.NOTE: lambda: add_note(dossier, by=by, text=p.reason, at=at),
    }
    handler = handlers.get(action)
    if handler is None:
        raise InvalidDossierData(_("Không có thao tác “%(action)s”.") % {"action": action})
    return handler()
