"""Everything that changes the queue: one atomic function per act, each writing its event row.

The kiosk, the counter page, the display board and the API all call these; tests build their
state through them. A refusal raises `QueueError` (`errors.py`) with a Vietnamese message that
says what to do; the API answers it with its `status_code`, the pages show it. Appointments
(booking a slot, checking in with its code) are in `appointments.py`, which issues its priority
tickets through `issue_ticket` here.

Decisions worth knowing:
- "Call next" is refused while the counter still has a called or serving ticket: the officer
  presses Xong (or Bỏ qua) first. Finishing it silently would record a citizen who never came
  as served, and the waiting/service-time reports would lie.
- Calling order: tickets transferred to this counter (they have already waited once), then
  priority tickets, then by number. A ticket without a field can be called by any counter.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.catalogue.models import Field
from cchc.lib.text import by_name
from cchc.tickets.choices import (
    AT_COUNTER,
    OPEN_TICKET_STATUSES,
    TRANSITIONS,
    PriorityReason,
    TicketAction,
    TicketStatus,
)
from cchc.tickets.errors import CounterBusy, IllegalMove, InvalidInput, NotFound, QueueError
from cchc.tickets.models import Appointment, Counter, Ticket, TicketEvent
from cchc.units.models import Unit
from cchc.workflow.transition import Workflow, record, transition
from cchc.worktime.deadlines import TZ


def action_time(at: dt.datetime | None) -> dt.datetime:
    """The moment of an act: `at` (tests, the nightly job) or now."""
    return at or timezone.now()


def local_day(now: dt.datetime) -> dt.date:
    """The queue's day is Vietnam's, whatever the server's time zone: numbers restart at 1 there."""
    return timezone.localdate(now, timezone=TZ)


def dmy(day: dt.date) -> str:
    """A day as the citizen reads it in a message (dd/mm/yyyy)."""
    return day.strftime("%d/%m/%Y")


# -- what a unit offers ----------------------------------------------------------------------


def offered_fields(unit: Unit) -> QuerySet[Field]:
    """The fields of the procedures the unit implements. A service centre inside a commune
    offers what its commune adopted, so adoptions of the administrative owner count too."""
    owners = {unit.pk, unit.admin_owner_id or unit.pk}
    return (
        Field.objects.filter(
            procedures__adoptions__unit_id__in=owners, procedures__adoptions__implemented=True
        )
        .distinct()
        .order_by(by_name())
    )


# -- numbering -------------------------------------------------------------------------------


def next_number(unit: Unit, day: dt.date) -> int:
    """The unit's next ticket number of the day: 1, 2, 3 … and 1 again tomorrow.

    One statement increments the counter row and returns the new value, so concurrent kiosks
    never get the same number (the row stays locked until the caller's transaction ends).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_ticketsequence (unit_id, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (unit_id, day) DO UPDATE SET last = tickets_ticketsequence.last + 1 "
            "RETURNING last",
            [unit.pk, day],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def display_code(number: int, *, priority: bool) -> str:
    """`012`, or `U012` for a priority ticket, so the waiting room sees why it jumped ahead."""
    return f"{'U' if priority else ''}{number:03d}"


@transaction.atomic
def issue_ticket(
    unit: Unit,
    *,
    field: Field | None = None,
    priority: bool = False,
    priority_reason: str = "",
    dossier_code: str | None = None,
    appointment: Appointment | None = None,
    at: dt.datetime | None = None,
    check_field: bool = True,
) -> Ticket:
    now = action_time(at)
    day = local_day(now)
    if check_field and field is not None and not offered_fields(unit).filter(pk=field.pk).exists():
        raise InvalidInput(
            _(
                "%(unit)s không giải quyết thủ tục thuộc lĩnh vực “%(field)s”. Vui lòng chọn lĩnh vực khác."
            )
            % {"unit": unit.name, "field": field.name}
        )
    if priority and not priority_reason:
        priority_reason = PriorityReason.PRIORITY_GROUP
    number = next_number(unit, day)
    ticket = Ticket.objects.create(
        unit=unit,
        day=day,
        number=number,
        code=display_code(number, priority=priority),
        token=secrets.token_urlsafe(12),
        field=field,
        priority=priority,
        priority_reason=priority_reason if priority else "",
        issued_at=now,
        dossier_code=(dossier_code or "")[:64],
        appointment=appointment,
    )
    record(FLOW, ticket, TicketAction.ISSUE, "", TicketStatus.WAITING, by=None, at=now)
    return ticket


# -- at the counter --------------------------------------------------------------------------

_ACTION_WORDS: dict[str, Any] = {
    TicketAction.CALL: gettext_lazy("gọi"),
    TicketAction.RECALL: gettext_lazy("gọi lại"),
    TicketAction.SKIP: gettext_lazy("bỏ qua"),
    TicketAction.START: gettext_lazy("bắt đầu phục vụ"),
    TicketAction.FINISH: gettext_lazy("kết thúc"),
    TicketAction.TRANSFER: gettext_lazy("chuyển quầy"),
}


def _locked_ticket(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _locked_counter(counter: Counter) -> Counter:
    locked = Counter.objects.select_for_update().get(pk=counter.pk)
    if not locked.active:
        raise IllegalMove(
            _("%(counter)s đang tạm ngừng hoạt động. Vui lòng dùng quầy khác.")
            % {"counter": locked.label}
        )
    return locked


def _illegal(ticket: Ticket, action: str) -> QueueError:
    return IllegalMove(
        _(
            "Số %(code)s đang ở trạng thái “%(status)s” nên không thể %(action)s. "
            "Tải lại trang để xem tình trạng mới nhất."
        )
        % {
            "code": ticket.code,
            "status": TicketStatus(ticket.status).label,
            "action": str(_ACTION_WORDS.get(action, action)),
        }
    )


# The queue on the one workflow mechanism (`cchc.workflow`): no version, no roles, and the
# event names the counters instead of carrying data.
FLOW: Workflow[Ticket] = Workflow(
    table=TRANSITIONS, event=TicketEvent, illegal=_illegal, data_field=None
)


def _move(
    ticket: Ticket,
    action: str,
    *,
    by: Any,
    at: dt.datetime,
    sets: Callable[[Ticket, dt.datetime], dict[str, Any]] | None = None,
    counter: Counter | None = None,
    to_counter: Counter | None = None,
    locked: bool = False,
) -> Ticket:
    """One move of the queue. `sets(ticket, now)` gives the columns the move changes besides
    the status, saved with it and nothing else (a concurrent `link_dossier` keeps its code); the
    event names `counter` (by default the ticket's own, read under the lock) and `to_counter`."""
    changed: list[str] = []  # filled by `change`, read by the save that follows it

    def change(t: Ticket, now: dt.datetime) -> None:
        for name, value in (sets(t, now) if sets else {}).items():
            setattr(t, name, value)
            changed.append(name)

    return transition(
        FLOW,
        ticket,
        action,
        by=by,
        at=at,
        locked=locked,
        change=change,
        update_fields=changed,
        details=lambda t: {
            "counter": t.counter if counter is None else counter,
            "to_counter": to_counter,
        },
    )


def _ensure_free(counter: Counter, day: dt.date) -> None:
    busy = (
        Ticket.objects.filter(counter=counter, day=day, status__in=AT_COUNTER)
        .only("code", "status")
        .first()
    )
    if busy is not None:
        raise CounterBusy(
            _(
                "%(counter)s đang có số %(code)s (%(status)s). "
                "Bấm “Xong” hoặc “Bỏ qua” cho số đó trước khi gọi số mới."
            )
            % {"counter": counter.label, "code": busy.code, "status": busy.get_status_display()}
        )


def callable_tickets(counter: Counter, day: dt.date) -> QuerySet[Ticket]:
    """The tickets this counter may call, in calling order."""
    waiting = Q(status=TicketStatus.WAITING)
    field_ids = list(counter.fields.values_list("id", flat=True))
    if field_ids:
        waiting &= Q(field__isnull=True) | Q(field_id__in=field_ids)
    sent_here = Q(status=TicketStatus.TRANSFERRED, counter=counter)
    return (
        Ticket.objects.filter(unit_id=counter.unit_id, day=day)
        .filter(waiting | sent_here)
        .annotate(
            sent_here=Case(
                When(status=TicketStatus.TRANSFERRED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("sent_here", "-priority", "number")
    )


def _call_to(
    counter: Counter,
    ticket: Ticket,
    action: str,
    *,
    by: Any,
    now: dt.datetime,
    also: dict[str, Any],
) -> Ticket:
    """Call (or call again) a ticket to a counter; the caller holds both rows locked."""
    return _move(
        ticket,
        action,
        by=by,
        at=now,
        counter=counter,
        locked=True,
        sets=lambda t, now: {"counter": counter, "officer": by, "last_called_at": now, **also},
    )


def call_next(counter: Counter, *, by: Any, at: dt.datetime | None = None) -> Ticket | None:
    """Call the next ticket to this counter; None when nobody is waiting for it."""
    now = action_time(at)
    day = local_day(now)
    with transaction.atomic():
        # Locking the counter serialises two clicks (or two officers) at the same counter.
        counter = _locked_counter(counter)
        _ensure_free(counter, day)
        candidates = callable_tickets(counter, day)
        if connection.features.has_select_for_update_skip_locked:
            # Two counters calling at once: each takes the first ticket nobody else holds,
            # instead of queueing behind the other's lock and then finding it taken.
            candidates = candidates.select_for_update(skip_locked=True)
        ticket = candidates.first()
        if ticket is None:
            return None
        first_call = {"called_at": ticket.called_at or now}
        return _call_to(counter, ticket, TicketAction.CALL, by=by, now=now, also=first_call)


def recall(ticket: Ticket, *, by: Any, counter: Counter, at: dt.datetime | None = None) -> Ticket:
    """Announce the counter's current number again, or call back a number skipped earlier today."""
    now = action_time(at)
    with transaction.atomic():
        counter = _locked_counter(counter)
        ticket = _locked_ticket(ticket)
        if ticket.status == TicketStatus.CALLED and ticket.counter_id != counter.pk:
            raise IllegalMove(_("Số %(code)s đang được gọi ở quầy khác.") % {"code": ticket.code})
        if ticket.status == TicketStatus.SKIPPED:
            if ticket.day != local_day(now):
                raise IllegalMove(
                    _(
                        "Số %(code)s là vé của ngày %(day)s, không gọi lại được. Hướng dẫn công dân lấy số mới."
                    )
                    % {"code": ticket.code, "day": dmy(ticket.day)}
                )
            if ticket.unit_id != counter.unit_id:
                raise NotFound(_("Không tìm thấy số này ở đơn vị của quầy."))
            _ensure_free(counter, ticket.day)
        once_more = {"recall_count": ticket.recall_count + 1}
        return _call_to(counter, ticket, TicketAction.RECALL, by=by, now=now, also=once_more)


def skip(ticket: Ticket, *, by: Any, at: dt.datetime | None = None) -> Ticket:
    """The called citizen did not come: set the number aside (it can be called back today)."""
    return _move(ticket, TicketAction.SKIP, by=by, at=action_time(at))


def start_service(ticket: Ticket, *, by: Any, at: dt.datetime | None = None) -> Ticket:
    return _move(
        ticket,
        TicketAction.START,
        by=by,
        at=action_time(at),
        sets=lambda t, now: {"served_at": t.served_at or now, "officer": by},
    )


def link_dossier(ticket: Ticket, dossier_code: str) -> Ticket:
    """The dossier received at the counter for this ticket: its code kept on the ticket (the
    column a scanned receipt fills at the kiosk), so the queue and the dossier meet. A code
    already there (the citizen came back with a receipt) is kept."""
    Ticket.objects.filter(pk=ticket.pk, dossier_code="").update(dossier_code=dossier_code[:64])
    ticket.refresh_from_db(fields=["dossier_code"])
    return ticket


def finish(ticket: Ticket, *, by: Any, at: dt.datetime | None = None) -> Ticket:
    """Service over. Pressed straight after a call (no "Bắt đầu"), service is taken to have
    started at that call, so the service time stays an upper bound rather than zero."""
    return _move(
        ticket,
        TicketAction.FINISH,
        by=by,
        at=action_time(at),
        sets=lambda t, now: {
            "served_at": t.served_at or t.last_called_at or now,
            "finished_at": now,
        },
    )


def transfer(
    ticket: Ticket, to_counter: Counter, *, by: Any, at: dt.datetime | None = None
) -> Ticket:
    """Send the citizen to another counter of the same unit: the ticket waits there, ahead of
    that counter's queue, and keeps its number."""
    now = action_time(at)
    with transaction.atomic():
        ticket = _locked_ticket(ticket)
        target = Counter.objects.filter(pk=to_counter.pk, active=True).first()
        if target is None or target.unit_id != ticket.unit_id:
            raise InvalidInput(_("Không có quầy nhận này. Vui lòng chọn một quầy đang hoạt động."))
        if target.pk == ticket.counter_id:
            raise InvalidInput(_("Số này đang ở chính quầy đó. Vui lòng chọn quầy khác."))
        return _move(
            ticket,
            TicketAction.TRANSFER,
            by=by,
            at=now,
            to_counter=target,
            locked=True,
            sets=lambda t, now: {"counter": target, "officer": None},
        )


@transaction.atomic
def close_day(unit: Unit, day: dt.date, *, at: dt.datetime | None = None) -> int:
    """End of day: numbers never served become "no show"; returns how many.

    Run every night by `nightly.py`, with `appointments.expire_appointments` for the unused
    appointments, in one transaction per unit; reports do not depend on it (they read the
    timestamps), but the counter and board pages stay clean. Refuses today (Vietnam time) and
    later days: their numbers may still be called.
    """
    now = action_time(at)
    refuse_open_day(day, now)
    closed = 0
    for ticket in Ticket.objects.select_for_update().filter(
        unit=unit, day__lte=day, status__in=OPEN_TICKET_STATUSES
    ):
        _move(ticket, TicketAction.CLOSE, by=None, at=now, locked=True)
        closed += 1
    return closed


def refuse_open_day(day: dt.date, now: dt.datetime) -> None:
    """Only past days close: today's numbers (Vietnam time) may still be called and today's
    appointments still checked in."""
    if day >= local_day(now):
        raise ValueError(f"{day.isoformat()} is not over yet in Vietnam; only past days close")
