"""The refusals of the queue (`queue.py`) and the appointments (`appointments.py`): one family,
so a door that offers both catches `QueueError` once. The API answers each with its
`status_code`; the pages show the message, which says in Vietnamese what to do."""

from __future__ import annotations

from cchc.lib.errors import DomainError


class QueueError(DomainError):
    status_code = 409


class NotFound(QueueError):
    status_code = 404


class InvalidInput(QueueError):
    status_code = 422


class IllegalMove(QueueError):
    status_code = 409


class CounterBusy(IllegalMove):
    pass


class SlotFull(QueueError):
    status_code = 409
