"""The one way to reach a queue's rows: public units by code (and their counters by number),
staff rows scoped to the officer's reception units — or 404, never another unit's row."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext as _

from cchc.dossiers.receipt_sources import ReceiptSource
from cchc.tickets.models import Counter, Ticket
from cchc.tickets.queue import link_dossier
from cchc.units.choices import Role
from cchc.units.models import Unit, visible_unit_ids


def get_queue_unit(code: str) -> Unit:
    """A unit in force that runs a queue (has at least one active counter)."""
    unit = (
        Unit.objects.current()
        .filter(code=code)
        .filter(Exists(Counter.objects.filter(unit=OuterRef("pk"), active=True)))
        .first()
    )
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị có tổ chức xếp hàng tại quầy"))
    return unit


def get_queue_counter(unit_code: str, number: int) -> Counter:
    """An active counter, by the number the unit shows, of a unit in force: one query."""
    counter = (
        Counter.objects.select_related("unit")
        .filter(unit__in=Unit.objects.current().filter(code=unit_code), number=number, active=True)
        .first()
    )
    if counter is None:
        raise Http404(_("Không tìm thấy quầy"))
    return counter


def counter_unit_ids(user: Any) -> frozenset[int]:
    """Units where the user works as a counter (reception) officer."""
    return visible_unit_ids(user, roles={Role.RECEPTION})


def get_counter_for(user: Any, counter_id: int) -> Counter:
    counter = (
        Counter.objects.select_related("unit")
        .filter(pk=counter_id, active=True, unit_id__in=counter_unit_ids(user))
        .first()
    )
    if counter is None:
        raise Http404(_("Không tìm thấy quầy"))
    return counter


def get_ticket_for(user: Any, ticket_id: int) -> Ticket:
    ticket = (
        Ticket.objects.select_related("field", "counter")
        .filter(pk=ticket_id, unit_id__in=counter_unit_ids(user))
        .first()
    )
    if ticket is None:
        raise Http404(_("Không tìm thấy số thứ tự"))
    return ticket


def receipt_source(user: Any, ticket_id: int) -> ReceiptSource:
    """A ticket of the officer's units as the start of a counter receipt (dossiers' hook)."""
    ticket = get_ticket_for(user, ticket_id)
    return ReceiptSource(
        pk=ticket.pk,
        code=ticket.code,
        field=ticket.field,
        counter_id=ticket.counter_id,
        link=lambda dossier_code: link_dossier(ticket, dossier_code),
    )
