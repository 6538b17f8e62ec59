"""Queue pages: the kiosk, the ticket (printed and followed by phone), the waiting-room board
and each counter's own screen, the counter, and online booking. Thin: every change goes through
`queue` or `appointments`, reading its input with `inputs`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.accounts.middleware import passive
from cchc.lib.personal import mask_phone
from cchc.lib.ratelimited import rate_limited
from cchc.lib.text import by_name
from cchc.lib.urls import public_url
from cchc.tickets import appointments, limits, queue
from cchc.tickets.board import board_state, counter_display_state
from cchc.tickets.choices import AppointmentStatus, TicketStatus
from cchc.tickets.errors import QueueError
from cchc.tickets.forms import BookingForm
from cchc.tickets.inputs import (
    current_ticket,
    issue_at_kiosk,
    page_act_input,
    target_ticket,
    transfer_target,
)
from cchc.tickets.lookup import (
    counter_unit_ids,
    get_counter_for,
    get_queue_counter,
    get_queue_unit,
)
from cchc.tickets.models import Appointment, Counter, Ticket
from cchc.tickets.qr import qr_svg
from cchc.tickets.slots import parse_slot
from cchc.units.models import visible_unit_ids
from cchc.worktime.deadlines import TZ

# After printing, the kiosk goes back to its start screen by itself.
KIOSK_RETURN_SECONDS = 12
BOARD_POLL_MS = 2500


def ahead_of(ticket: Ticket) -> int:
    """Roughly how many are called before this ticket (priority first, then by number)."""
    if ticket.status not in (TicketStatus.WAITING, TicketStatus.TRANSFERRED):
        return 0
    if ticket.priority:
        before = Q(priority=True, number__lt=ticket.number)
    else:
        before = Q(priority=True) | Q(number__lt=ticket.number)
    return (
        Ticket.objects.filter(unit_id=ticket.unit_id, day=ticket.day, status=TicketStatus.WAITING)
        .filter(before)
        .count()
    )


# -- kiosk -----------------------------------------------------------------------------------


def _kiosk_refusal(request: HttpRequest, unit: Any, message: str, status: int) -> HttpResponse:
    return _render_kiosk(request, unit, error=message, status=status)


def _render_kiosk(
    request: HttpRequest, unit: Any, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "tickets/kiosk.html",
        {
            "unit": unit,
            "fields": list(queue.offered_fields(unit)),
            "error": error,
            "booking_url": (
                public_url("tickets:book", unit.code)
                if appointments.bookable_fields(unit).exists()
                else ""
            ),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, unit_code: str) -> HttpResponse:
    """The touch screen: a button per field, or a scanned receipt / appointment code."""
    unit = get_queue_unit(unit_code)
    if request.method != "POST":
        return _render_kiosk(request, unit)
    if limits.over_ip(request, "kiosk"):
        return _kiosk_refusal(
            request,
            unit,
            _(
                "Máy lấy số đang nhận quá nhiều yêu cầu. Vui lòng đợi một phút rồi thử lại, "
                "hoặc hỏi cán bộ tại quầy."
            ),
            429,
        )
    try:
        ticket = issue_at_kiosk(
            unit,
            field_code=request.POST.get("field", ""),
            # The code form sends its box even when empty: then the code is asked for again.
            code=request.POST.get("code", "") if "code" in request.POST else None,
            priority=request.POST.get("priority") == "1",
        )
    except QueueError as exc:
        return _kiosk_refusal(request, unit, exc.message, exc.status_code)
    return redirect(reverse("tickets:print", args=[ticket.token]) + "?may=1")


@require_GET
def ticket_print(request: HttpRequest, token: str) -> HttpResponse:
    """The ticket as printed (80-mm roll or A7), also the kiosk's confirmation screen.

    Public by the ticket's random token only: the page shows the QR code of the ticket's status
    page, so a sequential id would let anyone walk through every citizen's place in the queue.
    The old address by id still works for staff who see the ticket's unit (a counter reprinting).
    """
    tickets = Ticket.objects.select_related("unit", "field")
    ticket = tickets.filter(token=token).first()
    if ticket is None and token.isdigit() and request.user.is_authenticated:
        ticket = tickets.filter(pk=int(token), unit_id__in=visible_unit_ids(request.user)).first()
    if ticket is None:
        raise Http404(_("Không tìm thấy số thứ tự"))
    # Printed and scanned away from the kiosk: on the public address, never the kiosk's host.
    status_url = public_url("tickets:status", ticket.token)
    from_kiosk = request.GET.get("may") == "1"
    return render(
        request,
        "tickets/ticket_print.html",
        {
            "ticket": ticket,
            "ahead": ahead_of(ticket),
            "qr": qr_svg(status_url, label=_("Mã QR theo dõi số thứ tự")),
            "status_url": status_url,
            "from_kiosk": from_kiosk,
            "kiosk_url": reverse("tickets:kiosk", args=[ticket.unit.code]),
            "return_after": KIOSK_RETURN_SECONDS,
        },
    )


@never_cache
@require_GET
def ticket_status(request: HttpRequest, token: str) -> HttpResponse:
    """Where the ticket's QR code leads: the citizen follows their turn on a phone."""
    if limits.over_ip(request, "lookup"):
        return _too_many(request)
    ticket = get_object_or_404(
        Ticket.objects.select_related("unit", "field", "counter"), token=token
    )
    return render(
        request,
        "tickets/ticket_status.html",
        {"ticket": ticket, "ahead": ahead_of(ticket), "today": timezone.localdate()},
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return rate_limited(request)


# -- waiting-room board ----------------------------------------------------------------------


@never_cache
@require_GET
def board(request: HttpRequest, unit_code: str) -> HttpResponse:
    unit = get_queue_unit(unit_code)
    state = board_state(unit)
    return render(
        request,
        "tickets/board.html",
        {
            "unit": unit,
            "state": state,
            "feed_url": reverse("api:queue_board", kwargs={"unit_code": unit.code}),
            "poll_ms": BOARD_POLL_MS,
            "clock": board_clock(),
        },
    )


def board_clock(at: dt.datetime | None = None) -> dict[str, Any]:
    """The board's clock from the server, in Vietnam time: the display device's own clock may be
    wrong or set to another zone. board.js ticks on from this moment (keeping the difference
    between the server's clock and the device's), at UTC+7 whatever the device's zone."""
    now = (at or timezone.now()).astimezone(TZ)  # Asia/Ho_Chi_Minh
    offset = now.utcoffset() or dt.timedelta(0)
    return {
        "text": now.strftime("%H:%M"),
        "epoch_ms": str(int(now.timestamp() * 1000)),  # a string: no thousands separators
        "offset_minutes": str(int(offset.total_seconds() // 60)),
    }


@never_cache
@require_GET
def counter_display(request: HttpRequest, unit_code: str, number: int) -> HttpResponse:
    """The small screen above one counter: its name and the number it calls or serves now,
    polled like the board. Public and personal-data free, like the board."""
    counter = get_queue_counter(unit_code, number)
    return render(
        request,
        "tickets/counter_display.html",
        {
            "unit": counter.unit,
            "counter": counter,
            "state": counter_display_state(counter),
            "feed_url": reverse(
                "api:queue_counter_display",
                kwargs={"unit_code": counter.unit.code, "counter_number": counter.number},
            ),
            "poll_ms": BOARD_POLL_MS,
        },
    )


# -- the counter -----------------------------------------------------------------------------


@login_required
def counter_list(request: HttpRequest) -> HttpResponse:
    counters = (
        Counter.objects.filter(unit_id__in=counter_unit_ids(request.user), active=True)
        .select_related("unit")
        .order_by(by_name("unit__name"), "number")
    )
    return render(request, "tickets/counter_list.html", {"counters": counters})


def _waiting_context(counter: Counter, day: dt.date) -> dict[str, Any]:
    rows = list(
        queue.callable_tickets(counter, day)
        .order_by()
        .values("field__name")
        .annotate(n=Count("id"), priority=Count("id", filter=Q(priority=True)))
        .order_by(by_name("field__name"))
    )
    return {
        "waiting": rows,
        "waiting_total": sum(r["n"] for r in rows),
        "unit_waiting": Ticket.objects.filter(
            unit_id=counter.unit_id,
            day=day,
            status__in=(TicketStatus.WAITING, TicketStatus.TRANSFERRED),
        ).count(),
    }


@login_required
@require_GET
def counter_page(request: HttpRequest, counter_id: int) -> HttpResponse:
    counter = get_counter_for(request.user, counter_id)
    day = timezone.localdate(timezone=TZ)
    return render(
        request,
        "tickets/counter.html",
        {
            "counter": counter,
            "current": current_ticket(counter, day),
            "skipped": Ticket.objects.filter(
                counter=counter, day=day, status=TicketStatus.SKIPPED
            ).order_by("-last_called_at")[:10],
            "others": Counter.objects.filter(unit_id=counter.unit_id, active=True).exclude(
                pk=counter.pk
            ),
            "served_today": Ticket.objects.filter(
                counter=counter, day=day, status=TicketStatus.DONE
            ).count(),
            "board_url": reverse("tickets:board", args=[counter.unit.code]),
            **_waiting_context(counter, day),
        },
    )


@passive
@login_required
@require_GET
def counter_waiting(request: HttpRequest, counter_id: int) -> HttpResponse:
    """The waiting counts alone, refreshed by counter.js every few seconds: not the officer's
    activity, so an unattended counter screen still reaches the staff idle timeout."""
    counter = get_counter_for(request.user, counter_id)
    day = timezone.localdate(timezone=TZ)
    return render(request, "tickets/_waiting.html", _waiting_context(counter, day))


COUNTER_ACTIONS = {"next", "recall", "skip", "start", "finish", "transfer"}


@login_required
@require_POST
def counter_act(request: HttpRequest, counter_id: int, action: str) -> HttpResponse:
    counter = get_counter_for(request.user, counter_id)
    if action not in COUNTER_ACTIONS:
        raise Http404(_("Không có thao tác này"))
    back = redirect("tickets:counter", counter_id=counter.pk)
    try:
        if action == "next":
            called = queue.call_next(counter, by=request.user)
            if called is None:
                messages.info(request, _("Hiện không còn ai chờ ở quầy này."))
            else:
                messages.success(request, _("Đã gọi số %(code)s.") % {"code": called.code})
            return back
        given = page_act_input(request.POST)
        ticket = target_ticket(counter, given.ticket)
        if action == "recall":
            queue.recall(ticket, by=request.user, counter=counter)
            messages.success(request, _("Đã gọi lại số %(code)s.") % {"code": ticket.code})
        elif action == "skip":
            queue.skip(ticket, by=request.user)
            messages.success(request, _("Đã bỏ qua số %(code)s.") % {"code": ticket.code})
        elif action == "start":
            queue.start_service(ticket, by=request.user)
        elif action == "finish":
            queue.finish(ticket, by=request.user)
            messages.success(request, _("Số %(code)s đã xong.") % {"code": ticket.code})
        elif action == "transfer":
            target = transfer_target(counter, given.to_counter)
            queue.transfer(ticket, target, by=request.user)
            messages.success(
                request,
                _("Đã chuyển số %(code)s sang %(counter)s.")
                % {"code": ticket.code, "counter": target.label},
            )
    except QueueError as exc:
        messages.error(request, exc.message)
    return back


# -- online booking --------------------------------------------------------------------------


def _parse_day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, unit_code: str) -> HttpResponse:
    """Step by step without JavaScript: field → day → slot, name and phone → the code."""
    unit = get_queue_unit(unit_code)
    data = request.POST if request.method == "POST" else request.GET
    fields = list(appointments.bookable_fields(unit))
    field = next((f for f in fields if f.code == data.get("field")), None)
    plan = appointments.plan_for(unit, field) if field else None
    days = appointments.booking_days(unit, plan) if plan else []
    day = _parse_day(data.get("date", ""))
    if day not in days:
        day = None
    slots = (
        [s for s in appointments.slot_availability(unit, field, day) if s.left > 0]
        if field and day
        else []
    )
    form = BookingForm(request.POST if request.method == "POST" else None)
    error = ""
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["website"]:
            error = _(
                "Không gửi được: ô “Để trống ô này” phải để trống. "
                "Vui lòng xóa nội dung ô đó rồi gửi lại."
            )
            status = 400
        elif limits.over_ip(request, "booking_ip") or (
            form.is_valid() and limits.over_value(request, "booking_phone", form.phone_key())
        ):
            error = _(
                "Có quá nhiều lượt đặt lịch từ máy hoặc số điện thoại này. Vui lòng thử lại sau, "
                "hoặc gọi đường dây nóng của đơn vị để được hỗ trợ."
            )
            status = 429
        elif form.is_valid():
            slot = parse_slot(data.get("slot", ""))
            if field is None or day is None or slot is None:
                error = _("Vui lòng chọn lĩnh vực, ngày và khung giờ.")
                status = 422
            else:
                try:
                    appointment = appointments.book_appointment(
                        unit,
                        field,
                        day,
                        slot,
                        form.cleaned_data["name"],
                        form.cleaned_data["phone"],
                    )
                except QueueError as exc:
                    error = exc.message
                    status = exc.status_code
                else:
                    return redirect("tickets:appointment", code=appointment.code)
        else:
            status = 422
    return render(
        request,
        "tickets/book.html",
        {
            "unit": unit,
            "fields": fields,
            "field": field,
            "days": days,
            "day": day,
            "slots": slots,
            "chosen_slot": data.get("slot", ""),
            "form": form,
            "error": error,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def appointment(request: HttpRequest, code: str) -> HttpResponse:
    """The booking's own page (its address is in the SMS): details, a QR of the code for the
    kiosk's reader, and cancellation. Whoever holds the code holds the booking."""
    if limits.over_ip(request, "lookup"):
        return _too_many(request)
    appt = get_object_or_404(
        Appointment.objects.select_related("unit", "field"),
        code=appointments.normalise_appointment_code(code),
    )
    if request.method == "POST" and request.POST.get("cancel") == "1":
        try:
            appointments.cancel_appointment(appt)
            messages.success(request, _("Đã hủy lịch hẹn."))
        except QueueError as exc:
            messages.error(request, exc.message)
        return redirect("tickets:appointment", code=appt.code)
    return render(
        request,
        "tickets/appointment.html",
        {
            "appt": appt,
            "phone": mask_phone(appt.phone),
            "qr": qr_svg(appt.code, label=_("Mã QR của mã lịch hẹn")),
            "can_cancel": appt.status == AppointmentStatus.BOOKED,
        },
    )
