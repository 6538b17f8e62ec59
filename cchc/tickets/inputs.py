"""What the queue's two doors read: the counter's buttons and the kiosk's, one reader each.

The counter page and the API's counter endpoints read the same `ActIn` (the ticket a button acts
on, the counter a ticket moves to) through `target_ticket` and `transfer_target`; the kiosk
page and `POST /queue/{unit}/tickets` issue through `issue_at_kiosk`. The same bad input gets
the same `QueueError` whichever door it came through. The page answers after a redirect, its
refusal in the message shown at the top of the counter; the API answers with the status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema

from cchc.catalogue.models import Field
from cchc.lib.inputs import Id, read_form
from cchc.tickets import appointments, errors, queue
from cchc.tickets.choices import AT_COUNTER
from cchc.tickets.models import Counter, Ticket
from cchc.units.models import Unit
from cchc.worktime.deadlines import TZ


class ActIn(Schema):
    ticket: Id | None = None
    to_counter: Id | None = None


def page_act_input(post: Mapping[str, Any]) -> ActIn:
    """The counter page's hidden fields as `ActIn`: a ticket id that is not one is refused
    (400), never read as "the current ticket", as the API's schema refuses it."""
    return read_form(
        ActIn,
        {"ticket": post.get("ticket") or None, "to_counter": post.get("to_counter") or None},
        errors.QueueError,
    )


def current_ticket(counter: Counter, day: dt.date | None = None) -> Ticket | None:
    """The number the counter has called or is serving today, if any."""
    day = day or timezone.localdate(timezone=TZ)
    return (
        Ticket.objects.select_related("field", "counter")
        .filter(counter=counter, day=day, status__in=AT_COUNTER)
        .first()
    )


def target_ticket(counter: Counter, ticket_id: int | None) -> Ticket:
    """The ticket a button acts on: the one named (a skipped number called back) if it belongs
    to this unit, else the counter's current one."""
    if ticket_id is not None:
        ticket = Ticket.objects.filter(pk=ticket_id, unit_id=counter.unit_id).first()
    else:
        ticket = current_ticket(counter)
    if ticket is None:
        raise errors.IllegalMove(_("Quầy chưa có số nào đang gọi. Hãy gọi số tiếp theo trước."))
    return ticket


def transfer_target(counter: Counter, to_counter: int | None) -> Counter:
    """The counter a ticket moves to: one of the same unit."""
    target = (
        Counter.objects.filter(pk=to_counter, unit_id=counter.unit_id).first()
        if to_counter is not None
        else None
    )
    if target is None:
        raise errors.InvalidInput(_("Vui lòng chọn quầy nhận (to_counter) của cùng đơn vị."))
    return target


def issue_at_kiosk(
    unit: Unit, *, field_code: str | None, code: str | None, priority: bool
) -> Ticket:
    """A ticket from the kiosk: for a scanned or typed code when one was sent (an empty one is
    asked for again), else for the chosen field (none: "other / information")."""
    if code is not None:
        return appointments.ticket_for_code(unit, code)
    field = None
    if field_code:
        field = Field.objects.filter(code=field_code).first()
        if field is None:
            raise errors.InvalidInput(
                _("Không có lĩnh vực “%(f)s”. Vui lòng chọn lại.") % {"f": field_code[:50]}
            )
    return queue.issue_ticket(unit, field=field, priority=priority)
