"""Everything that changes the queue: one atomic function per act, each writing its event row.

The kiosk, the counter page, the display board and the API all call these; tests build their
state through them. A refusal raises `QueueError` with a Vietnamese message that says what to do;
the API answers it with its `status_code`, the pages show it.

Decisions worth knowing:
- "Call next" is refused while the counter still has a called or serving ticket: the officer
  presses Xong (or Bỏ qua) first. Finishing it silently would record a citizen who never came
  as served, and the waiting/service-time reports would lie.
- Calling order: tickets transferred to this counter (they have already waited once), then
  priority tickets, then by number. A ticket without a field can be called by any counter.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.catalogue.models import Field
from cchc.lib.errors import DomainError
from cchc.lib.personal import InvalidPhone, normalise_phone
from cchc.lib.text import by_name
from cchc.lib.urls import public_url
from cchc.tickets.choices import (
    AT_COUNTER,
    HOLDING_PLACE,
    OPEN_TICKET_STATUSES,
    TRANSITIONS,
    AppointmentStatus,
    PriorityReason,
    TicketAction,
    TicketStatus,
)
from cchc.tickets.models import Appointment, Counter, SlotPlan, Ticket, TicketEvent
from cchc.tickets.slots import slot_starts
from cchc.units.models import Unit
from cchc.workflow.transition import Workflow, record, transition
from cchc.worktime.deadlines import TZ, OutOfCalendarRange
from cchc.worktime.snapshot import load_calendar


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


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now, timezone=TZ)


def _d(day: dt.date) -> str:
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
    now = _now(at)
    day = _today(now)
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
    now = _now(at)
    day = _today(now)
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
    now = _now(at)
    with transaction.atomic():
        counter = _locked_counter(counter)
        ticket = _locked_ticket(ticket)
        if ticket.status == TicketStatus.CALLED and ticket.counter_id != counter.pk:
            raise IllegalMove(_("Số %(code)s đang được gọi ở quầy khác.") % {"code": ticket.code})
        if ticket.status == TicketStatus.SKIPPED:
            if ticket.day != _today(now):
                raise IllegalMove(
                    _(
                        "Số %(code)s là vé của ngày %(day)s, không gọi lại được. Hướng dẫn công dân lấy số mới."
                    )
                    % {"code": ticket.code, "day": _d(ticket.day)}
                )
            if ticket.unit_id != counter.unit_id:
                raise NotFound(_("Không tìm thấy số này ở đơn vị của quầy."))
            _ensure_free(counter, ticket.day)
        once_more = {"recall_count": ticket.recall_count + 1}
        return _call_to(counter, ticket, TicketAction.RECALL, by=by, now=now, also=once_more)


def skip(ticket: Ticket, *, by: Any, at: dt.datetime | None = None) -> Ticket:
    """The called citizen did not come: set the number aside (it can be called back today)."""
    return _move(ticket, TicketAction.SKIP, by=by, at=_now(at))


def start_service(ticket: Ticket, *, by: Any, at: dt.datetime | None = None) -> Ticket:
    return _move(
        ticket,
        TicketAction.START,
        by=by,
        at=_now(at),
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
        at=_now(at),
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
    now = _now(at)
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
    """End of day: numbers never served become "no show", unused appointments "expired".

    Run every night by `nightly.py`; reports do not depend on it (they read the timestamps),
    but the counter and board pages stay clean. Refuses today (Vietnam time) and later days:
    their numbers may still be called.
    """
    now = _now(at)
    if day >= _today(now):
        raise ValueError(f"{day.isoformat()} is not over yet in Vietnam; only past days close")
    closed = 0
    for ticket in Ticket.objects.select_for_update().filter(
        unit=unit, day__lte=day, status__in=OPEN_TICKET_STATUSES
    ):
        _move(ticket, TicketAction.CLOSE, by=None, at=now, locked=True)
        closed += 1
    Appointment.objects.filter(unit=unit, date__lte=day, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.EXPIRED
    )
    return closed


# -- codes typed or scanned at the kiosk ------------------------------------------------------

_STATUS_URL = re.compile(r"/tra-cuu/([^/?#\s]+)")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def scanned_code(raw: str) -> str:
    """What a barcode reader typed: a receipt's QR (its public status URL) or a bare code."""
    raw = raw.strip()
    match = _STATUS_URL.search(raw)
    return unquote(match.group(1)) if match else raw


def normalise_appointment_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw).upper()[: CODE_LENGTH + 4]


def ticket_for_code(unit: Unit, raw: str, *, at: dt.datetime | None = None) -> Ticket:
    """A ticket for a scanned or typed code: an appointment code checks in (priority), a
    dossier code (or its receipt's QR) gives a ticket for that dossier's field."""
    from cchc.dossiers.models import Dossier

    code = scanned_code(raw)[:100]
    if not code:
        raise InvalidInput(_("Vui lòng quét mã hoặc nhập mã lịch hẹn / mã hồ sơ."))
    appointment_code = normalise_appointment_code(code)
    if Appointment.objects.filter(code=appointment_code).exists():
        return check_in(appointment_code, unit=unit, at=at)
    owner = unit.admin_owner_id or unit.pk
    dossier = (
        Dossier.objects.filter(code=code)
        .filter(Q(receiving_unit__admin_owner_id=owner) | Q(processing_unit__admin_owner_id=owner))
        .only("code", "field_id")
        .first()
    )
    if dossier is None:
        raise NotFound(
            _(
                "Không tìm thấy lịch hẹn hoặc hồ sơ có mã “%(code)s” tại đơn vị này. "
                "Vui lòng kiểm tra lại mã, hoặc chọn lĩnh vực để lấy số."
            )
            % {"code": code[:40]}
        )
    return issue_ticket(
        unit,
        field=Field.objects.get(pk=dossier.field_id),
        dossier_code=dossier.code,
        at=at,
        check_field=False,
    )


# -- appointments ----------------------------------------------------------------------------


def plan_for(unit: Unit, field: Field) -> SlotPlan | None:
    """The field's own plan, else the unit's default plan, else None (no booking)."""
    return (
        SlotPlan.objects.filter(unit=unit, active=True)
        .filter(Q(field=field) | Q(field__isnull=True))
        .order_by(F("field").asc(nulls_last=True))
        .first()
    )


def bookable_fields(unit: Unit) -> QuerySet[Field]:
    fields = offered_fields(unit)
    plans = SlotPlan.objects.filter(unit=unit, active=True)
    if plans.filter(field__isnull=True).exists():
        return fields
    return fields.filter(pk__in=plans.values("field_id"))


def booking_days(unit: Unit, plan: SlotPlan, *, at: dt.datetime | None = None) -> list[dt.date]:
    """The working days a citizen may choose: from today (while a slot is still ahead) to the
    plan's horizon."""
    now = _now(at)
    today = _today(now)
    cal = load_calendar(unit)
    days = []
    for offset in range(plan.horizon_days + 1):
        day = today + dt.timedelta(days=offset)
        try:
            working = cal.is_working_day(day)
        except OutOfCalendarRange:
            break
        if working:
            days.append(day)
    if days and days[0] == today:
        last = slot_starts(cal.hours, plan.slot_minutes)[-1:]
        if not last or dt.datetime.combine(today, last[0], tzinfo=TZ) <= now:
            days.pop(0)
    return days


@dataclass(frozen=True)
class SlotAvailability:
    start: dt.time
    capacity: int
    taken: int

    @property
    def left(self) -> int:
        return max(self.capacity - self.taken, 0)


def slot_availability(
    unit: Unit, field: Field, day: dt.date, *, at: dt.datetime | None = None
) -> list[SlotAvailability]:
    """Every future slot of the day with its places taken; empty if the day cannot be booked."""
    now = _now(at)
    plan = plan_for(unit, field)
    if plan is None or day not in booking_days(unit, plan, at=now):
        return []
    cal = load_calendar(unit)
    taken = dict(
        Appointment.objects.filter(unit=unit, field=field, date=day, status__in=HOLDING_PLACE)
        .values_list("slot")
        .annotate(n=Count("id"))
        .values_list("slot", "n")
    )
    return [
        SlotAvailability(start, plan.capacity, taken.get(start, 0))
        for start in slot_starts(cal.hours, plan.slot_minutes)
        if dt.datetime.combine(day, start, tzinfo=TZ) > now
    ]


def _new_appointment_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Appointment.objects.filter(code=code).exists():
            return code


def book_appointment(
    unit: Unit,
    field: Field,
    date: dt.date,
    slot: dt.time,
    name: str,
    phone: str,
    *,
    at: dt.datetime | None = None,
) -> Appointment:
    now = _now(at)
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Vui lòng nhập họ và tên."))
    if len(name) > 100:
        raise InvalidInput(_("Họ và tên dài quá 100 ký tự. Vui lòng viết gọn lại."))
    try:
        # A mobile: the booking's code is sent to it by SMS.
        normalised = normalise_phone(phone, mobile_only=True)
    except InvalidPhone as exc:
        raise InvalidInput(str(exc)) from exc
    if not normalised:
        raise InvalidInput(_("Vui lòng nhập số điện thoại di động để nhận mã lịch hẹn."))
    if not offered_fields(unit).filter(pk=field.pk).exists():
        raise InvalidInput(
            _("%(unit)s không giải quyết lĩnh vực “%(field)s”. Vui lòng chọn lĩnh vực khác.")
            % {"unit": unit.name, "field": field.name}
        )
    plan = plan_for(unit, field)
    if plan is None:
        raise InvalidInput(
            _("Lĩnh vực “%(field)s” chưa nhận đặt lịch hẹn. Ông/bà có thể đến lấy số trực tiếp.")
            % {"field": field.name}
        )
    today = _today(now)
    cal = load_calendar(unit)
    if date < today:
        raise InvalidInput(
            _("Ngày %(day)s đã qua. Vui lòng chọn một ngày sắp tới.") % {"day": _d(date)}
        )
    if date > today + dt.timedelta(days=plan.horizon_days):
        raise InvalidInput(
            _("Chỉ đặt lịch trước tối đa %(n)s ngày. Vui lòng chọn ngày gần hơn.")
            % {"n": plan.horizon_days}
        )
    try:
        working = cal.is_working_day(date)
    except OutOfCalendarRange:
        working = False
    if not working:
        raise InvalidInput(
            _(
                "Ngày %(day)s không phải ngày làm việc (cuối tuần hoặc ngày nghỉ lễ). "
                "Vui lòng chọn ngày làm việc khác."
            )
            % {"day": _d(date)}
        )
    if slot not in slot_starts(cal.hours, plan.slot_minutes):
        raise InvalidInput(
            _(
                "Khung giờ %(slot)s không nằm trong giờ làm việc. Vui lòng chọn khung giờ trong danh sách."
            )
            % {"slot": slot.strftime("%H:%M")}
        )
    if dt.datetime.combine(date, slot, tzinfo=TZ) <= now:
        raise InvalidInput(
            _("Khung giờ %(slot)s hôm nay đã qua. Vui lòng chọn khung giờ muộn hơn hoặc ngày khác.")
            % {"slot": slot.strftime("%H:%M")}
        )
    with transaction.atomic():
        # One lock per plan serialises the count-then-insert below, so the last place of a
        # slot goes to exactly one of two simultaneous bookings.
        SlotPlan.objects.select_for_update().get(pk=plan.pk)
        if Appointment.objects.filter(
            unit=unit, date=date, phone=normalised, status=AppointmentStatus.BOOKED
        ).exists():
            raise IllegalMove(
                _(
                    "Số điện thoại này đã có một lịch hẹn ngày %(day)s tại %(unit)s. "
                    "Mỗi số điện thoại đặt một lịch mỗi ngày; muốn đổi giờ, hãy hủy lịch cũ "
                    "(theo đường dẫn trong tin nhắn) rồi đặt lại."
                )
                % {"day": _d(date), "unit": unit.name}
            )
        taken = Appointment.objects.filter(
            unit=unit, field=field, date=date, slot=slot, status__in=HOLDING_PLACE
        ).count()
        if taken >= plan.capacity:
            raise SlotFull(
                _(
                    "Khung giờ %(slot)s ngày %(day)s đã hết chỗ. "
                    "Vui lòng chọn khung giờ khác hoặc ngày khác."
                )
                % {"slot": slot.strftime("%H:%M"), "day": _d(date)}
            )
        appointment = Appointment.objects.create(
            unit=unit,
            field=field,
            date=date,
            slot=slot,
            name=name,
            phone=normalised,
            code=_new_appointment_code(),
            created_at=now,
        )
        _queue_booked_sms(appointment)
        return appointment


def appointment_url(code: str) -> str:
    return public_url("tickets:appointment", code)


def _queue_booked_sms(appointment: Appointment) -> None:
    from cchc.notify.choices import Channel, Kind
    from cchc.notify.dispatch import queue_message
    from cchc.notify.sms import strip_diacritics, unaccent

    text = _(
        "%(unit)s: đã đặt lịch %(field)s lúc %(slot)s ngày %(day)s. Mã lịch hẹn: %(code)s. "
        "Khi đến, quét hoặc nhập mã tại máy lấy số. Xem/hủy: %(url)s"
    )
    values = {
        "unit": appointment.unit.name,
        "field": appointment.field.name,
        "slot": appointment.slot.strftime("%H:%M"),
        "day": _d(appointment.date),
        "code": appointment.code,
        "url": appointment_url(appointment.code),
    }
    body = text % values
    queue_message(
        channel=Channel.SMS,
        kind=Kind.APPOINTMENT_BOOKED,
        recipient=appointment.phone,
        subject="",
        body=unaccent(body) if strip_diacritics() else body,
        key=f"appointment:{appointment.pk}:booked",
    )


@transaction.atomic
def cancel_appointment(appointment: Appointment, *, at: dt.datetime | None = None) -> Appointment:
    now = _now(at)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise IllegalMove(
            _("Lịch hẹn này đang ở trạng thái “%(status)s”, không hủy được.")
            % {"status": appointment.get_status_display()}
        )
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.save(update_fields=["status", "cancelled_at"])
    return appointment


def check_in(code: str, *, unit: Unit | None = None, at: dt.datetime | None = None) -> Ticket:
    """The citizen with an appointment arrives: a priority ticket, only on the appointment's day.
    Scanning the same code twice gives the same ticket back."""
    now = _now(at)
    today = _today(now)
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .filter(code=normalise_appointment_code(code))
            .first()
        )
        if appointment is None:
            raise NotFound(
                _("Không tìm thấy lịch hẹn với mã này. Vui lòng kiểm tra lại mã trong tin nhắn.")
            )
        if unit is not None and appointment.unit_id != unit.pk:
            raise IllegalMove(
                _("Lịch hẹn này đặt tại %(unit)s. Vui lòng đến đúng nơi đã hẹn.")
                % {"unit": appointment.unit.name}
            )
        if appointment.status == AppointmentStatus.CHECKED_IN:
            existing = Ticket.objects.filter(appointment=appointment).first()
            if existing is not None:
                return existing
        if appointment.status == AppointmentStatus.CANCELLED:
            raise IllegalMove(_("Lịch hẹn này đã hủy. Vui lòng chọn lĩnh vực để lấy số thường."))
        if appointment.date < today or appointment.status == AppointmentStatus.EXPIRED:
            raise IllegalMove(
                _("Lịch hẹn này là ngày %(day)s, đã qua. Vui lòng chọn lĩnh vực để lấy số thường.")
                % {"day": _d(appointment.date)}
            )
        if appointment.date > today:
            raise IllegalMove(
                _(
                    "Lịch hẹn của ông/bà là %(slot)s ngày %(day)s. Vui lòng quay lại đúng ngày "
                    "hẹn, hoặc chọn lĩnh vực để lấy số thường hôm nay."
                )
                % {"slot": appointment.slot.strftime("%H:%M"), "day": _d(appointment.date)}
            )
        appointment.status = AppointmentStatus.CHECKED_IN
        appointment.checked_in_at = now
        appointment.save(update_fields=["status", "checked_in_at"])
        return issue_ticket(
            appointment.unit,
            field=appointment.field,
            priority=True,
            priority_reason=PriorityReason.APPOINTMENT,
            appointment=appointment,
            at=now,
            check_field=False,
        )
