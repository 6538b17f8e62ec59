"""Where a counter receipt starts from, told to the receipt page by an app above dossiers.

The queue (tickets) sits above dossiers in the import order, yet a receipt often starts from a
called ticket: the page shows the ticket's number, narrows the procedure search to its field and,
once the dossier is received, the ticket keeps the dossier's code. The queue registers one
resolver here at start-up (`tickets/apps.py`), the way the dossiers app registers its recompute
hook with worktime, so that dossiers names no queue module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ReceiptSource:
    pk: int
    code: str  # the number the citizen holds ("001")
    field: Any  # catalogue.Field or None: narrows the procedure search
    counter_id: int | None  # the counter screen to go back to
    link: Callable[[str], object]  # keeps the received dossier's code on the ticket


# (user, ticket id) -> the ticket as a source of the receipt; raises Http404 outside the user's units.
TicketResolver = Callable[[Any, int], ReceiptSource]
_resolver: TicketResolver | None = None


def register_ticket_resolver(resolver: TicketResolver) -> TicketResolver:
    global _resolver
    _resolver = resolver
    return resolver


def ticket_source(user: Any, raw: str) -> ReceiptSource | None:
    """The ticket a receipt was opened from (`?ticket=<id>`), or None when none was given."""
    if not raw:
        return None
    if not raw.isdigit() or _resolver is None:
        raise Http404(_("Không tìm thấy số thứ tự"))
    return _resolver(user, int(raw))
