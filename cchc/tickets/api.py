"""Queue endpoints, mounted at /api/v1/queue.

Public: the board feeds (the waiting room's, one counter's screen), issuing a ticket (the kiosk,
or a counter pad's own kiosk), slots and booking. Staff (token or session): one counter's state
and its buttons. A refusal answers `{"detail": "<Vietnamese>"}` with 400/404/409/422/429.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status

from cchc.accounts.auth import staff_auth
from cchc.catalogue.models import Field
from cchc.dossiers.models import Dossier
from cchc.lib.apierrors import STAFF, refusals
from cchc.lib.inputs import Id, IsoDate, column, text
from cchc.lib.personal import phone_key, phones_match
from cchc.tickets import appointments, errors, limits, queue
from cchc.tickets.board import BoardState, CounterDisplayState, board_state, counter_display_state
from cchc.tickets.inputs import (
    ActIn,
    current_ticket,
    issue_at_kiosk,
    target_ticket,
    transfer_target,
)
from cchc.tickets.lookup import get_counter_for, get_queue_counter, get_queue_unit
from cchc.tickets.models import Appointment, Counter, Ticket
from cchc.tickets.slots import parse_slot
from cchc.units.models import Unit
from cchc.worktime.deadlines import TZ

router = Router(tags=["queue"])

UnitCode = Annotated[str, column(Unit, "code")]
FieldCode = Annotated[str, column(Field, "code")]

TOO_MANY = "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."


def _refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


class TicketOut(Schema):
    id: int
    code: str
    number: int
    day: dt.date
    field: str | None
    priority: bool
    status: str
    issued_at: dt.datetime
    counter: int | None
    print_url: str
    status_url: str


def ticket_out(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "code": ticket.code,
        "number": ticket.number,
        "day": ticket.day,
        "field": ticket.field.code if ticket.field_id and ticket.field else None,
        "priority": ticket.priority,
        "status": ticket.status,
        "issued_at": ticket.issued_at,
        "counter": ticket.counter.number if ticket.counter_id and ticket.counter else None,
        "print_url": reverse("tickets:print", args=[ticket.token]),
        "status_url": reverse("tickets:status", args=[ticket.token]),
    }


# -- public ----------------------------------------------------------------------------------


class BoardEntryOut(Schema):
    code: str
    counter: int | None
    counter_name: str
    called_at: str
    status: str


class BoardOut(Schema):
    unit: dict[str, str]
    day: str
    updated: str
    current: BoardEntryOut | None
    called: list[BoardEntryOut]
    waiting: int


@router.get(
    "/{unit_code}/board",
    response={200: BoardOut, **refusals(404)},
    url_name="queue_board",
    summary="Màn hình phòng chờ (công khai)",
)
def board(request: HttpRequest, unit_code: Path[UnitCode]) -> BoardState:
    return board_state(get_queue_unit(unit_code))


class CounterRefOut(Schema):
    number: int
    name: str


class CounterCallOut(Schema):
    code: str
    status: str
    called_at: str


class CounterDisplayOut(Schema):
    unit: dict[str, str]
    counter: CounterRefOut
    day: str
    updated: str
    current: CounterCallOut | None


@router.get(
    "/{unit_code}/board/{counter_number}",
    response={200: CounterDisplayOut, **refusals(404)},
    url_name="queue_counter_display",
    summary="Màn hình trên một quầy (công khai)",
)
def counter_display(
    request: HttpRequest,
    unit_code: Path[UnitCode],
    counter_number: Path[Annotated[int, column(Counter, "number")]],
) -> CounterDisplayState:
    return counter_display_state(get_queue_counter(unit_code, counter_number))


class IssueIn(Schema):
    field: FieldCode | None = None
    priority: bool = False
    # A dossier code or an appointment's, as scanned or typed.
    code: Annotated[str, column(Dossier, "code")] | None = None


@router.post(
    "/{unit_code}/tickets",
    response={201: TicketOut, **refusals(404, 409, 422, 429)},
    summary="Lấy số thứ tự (máy lấy số)",
)
def issue(request: HttpRequest, unit_code: Path[UnitCode], payload: IssueIn) -> Any:
    unit = get_queue_unit(unit_code)
    if limits.over_ip(request, "kiosk"):
        return _refusal(TOO_MANY, 429)
    ticket = issue_at_kiosk(
        unit, field_code=payload.field, code=payload.code, priority=payload.priority
    )
    return Status(201, ticket_out(ticket))


class SlotOut(Schema):
    start: str
    left: int


@router.get(
    "/{unit_code}/slots",
    response={200: list[SlotOut], **refusals(404, 422)},
    summary="Khung giờ còn chỗ",
)
def slots(
    request: HttpRequest, unit_code: Path[UnitCode], field: Query[FieldCode], date: Query[IsoDate]
) -> Any:
    unit = get_queue_unit(unit_code)
    chosen = appointments.bookable_fields(unit).filter(code=field).first()
    if chosen is None:
        raise errors.NotFound(_("Lĩnh vực này chưa nhận đặt lịch tại đơn vị."))
    return [
        {"start": s.start.strftime("%H:%M"), "left": s.left}
        for s in appointments.slot_availability(unit, chosen, date)
        if s.left > 0
    ]


class BookingIn(Schema):
    unit: UnitCode
    field: FieldCode
    date: IsoDate
    slot: Annotated[str, text(10)]
    name: Annotated[str, column(Appointment, "name")]
    phone: Annotated[str, column(Appointment, "phone")]
    website: Annotated[str, text(200)] = ""


class AppointmentOut(Schema):
    code: str
    unit: str
    field: str
    date: dt.date
    slot: str
    status: str
    url: str


def appointment_out(a: Appointment) -> dict[str, Any]:
    return {
        "code": a.code,
        "unit": a.unit.code,
        "field": a.field.code,
        "date": a.date,
        "slot": a.slot.strftime("%H:%M"),
        "status": a.status,
        "url": f"/dat-lich/lich-hen/{a.code}/",
    }


@router.post(
    "/appointments",
    response={201: AppointmentOut, **refusals(404, 409, 422, 429)},
    summary="Đặt lịch hẹn (công khai)",
)
def book(request: HttpRequest, payload: BookingIn) -> Any:
    if payload.website:
        return _refusal(
            _("Không gửi được: trường “website” phải để trống. Vui lòng bỏ trống rồi gửi lại."),
            400,
        )
    if limits.over_ip(request, "booking_ip"):
        return _refusal(TOO_MANY, 429)
    if limits.over_value(request, "booking_phone", phone_key(payload.phone)):
        return _refusal(
            _("Số điện thoại này đã đặt quá nhiều lịch. Vui lòng thử lại vào ngày mai."), 429
        )
    unit = get_queue_unit(payload.unit)
    field = Field.objects.filter(code=payload.field).first()
    slot = parse_slot(payload.slot)
    if field is None:
        raise errors.InvalidInput(_("Không có lĩnh vực “%(f)s”.") % {"f": payload.field})
    if slot is None:
        raise errors.InvalidInput(_("Khung giờ phải có dạng HH:MM, ví dụ 08:30."))
    appointment = appointments.book_appointment(
        unit, field, payload.date, slot, payload.name, payload.phone
    )
    return Status(201, appointment_out(appointment))


class CancelIn(Schema):
    phone: Annotated[str, column(Appointment, "phone")]


@router.post(
    "/appointments/{code}/cancel",
    response={200: AppointmentOut, **refusals(404, 409, 429)},
    summary="Hủy lịch hẹn (công khai)",
)
def cancel(request: HttpRequest, code: Path[Annotated[str, text(40)]], payload: CancelIn) -> Any:
    if limits.over_ip(request, "lookup"):
        return _refusal(TOO_MANY, 429)
    appointment = (
        Appointment.objects.select_related("unit", "field")
        .filter(code=appointments.normalise_appointment_code(code))
        .first()
    )
    # The phone must match too: a code read over someone's shoulder cannot cancel the booking.
    if appointment is None or not phones_match(payload.phone, appointment.phone):
        raise errors.NotFound(
            _("Không tìm thấy lịch hẹn với mã và số điện thoại này. Vui lòng kiểm tra lại.")
        )
    return appointment_out(appointments.cancel_appointment(appointment))


# -- staff: one counter's pad ----------------------------------------------------------------


class CounterOut(Schema):
    id: int
    number: int
    name: str
    unit: str
    current: TicketOut | None
    waiting: int


def counter_out(counter: Counter) -> dict[str, Any]:
    day = timezone.localdate(timezone=TZ)
    current = current_ticket(counter, day)
    return {
        "id": counter.pk,
        "number": counter.number,
        "name": counter.label,
        "unit": counter.unit.code,
        "current": ticket_out(current) if current else None,
        "waiting": queue.callable_tickets(counter, day).count(),
    }


@router.get(
    "/counters/{counter_id}",
    response={200: CounterOut, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Quầy",
)
def counter_state(request: HttpRequest, counter_id: Path[Id]) -> dict[str, Any]:
    return counter_out(get_counter_for(request.user, counter_id))


ACTIONS: dict[str, Callable[[Counter, Ticket, ActIn, Any], Ticket]] = {
    "recall": lambda c, t, _p, by: queue.recall(t, by=by, counter=c),
    "skip": lambda _c, t, _p, by: queue.skip(t, by=by),
    "start": lambda _c, t, _p, by: queue.start_service(t, by=by),
    "finish": lambda _c, t, _p, by: queue.finish(t, by=by),
}


@router.post(
    "/counters/{counter_id}/call-next",
    response={200: CounterOut, **refusals(*STAFF, 404, 409)},
    auth=staff_auth,
    summary="Gọi số tiếp theo",
)
def call_next(request: HttpRequest, counter_id: Path[Id]) -> Any:
    # Idempotent without a version: a counter with a number called is busy (409) until that
    # number is finished, skipped or moved, so a repeated click calls no second number.
    counter = get_counter_for(request.user, counter_id)
    queue.call_next(counter, by=request.user)
    return counter_out(counter)


@router.post(
    "/counters/{counter_id}/transfer",
    response={200: CounterOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Chuyển số đang phục vụ sang quầy khác",
)
def transfer(request: HttpRequest, counter_id: Path[Id], payload: ActIn) -> Any:
    counter = get_counter_for(request.user, counter_id)
    ticket = target_ticket(counter, payload.ticket)
    queue.transfer(ticket, transfer_target(counter, payload.to_counter), by=request.user)
    return counter_out(counter)


@router.post(
    "/counters/{counter_id}/{action}",
    response={200: CounterOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Gọi lại, bỏ qua, bắt đầu, xong (recall, skip, start, finish)",
)
def act(
    request: HttpRequest,
    counter_id: Path[Id],
    action: Path[Annotated[str, text(20)]],
    payload: ActIn | None = None,
) -> Any:
    """skip, start and finish move the ticket on, so a repeated request finds it moved (409);
    recall announces the number again each time it is sent, as the button does."""
    counter = get_counter_for(request.user, counter_id)
    handler = ACTIONS.get(action)
    if handler is None:
        return _refusal(_("Không có thao tác “%(a)s”.") % {"a": action[:30]}, 404)
    payload = payload or ActIn()
    handler(counter, target_ticket(counter, payload.ticket), payload, request.user)
    return counter_out(counter)
