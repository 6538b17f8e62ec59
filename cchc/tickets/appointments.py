"""Appointments: the slot plans a unit offers, booking a slot (with its SMS), cancelling, and
checking in at the kiosk with the appointment's code, which issues a priority ticket in the
queue (`queue.issue_ticket`); the nightly close expires the appointments nobody came for.

Every change of an appointment's status runs on the one workflow mechanism (`cchc.workflow`,
`FLOW` below, the table `choices.APPOINTMENT_TRANSITIONS`): the row locked, the move checked
against the table, one `AppointmentEvent` with who and when. A second cancel, a cancel after
check-in, or anything on an expired appointment is refused with `IllegalMove` (409).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.catalogue.models import Field
from cchc.lib.codes import spoken_code
from cchc.lib.personal import InvalidPhone, normalise_phone
from cchc.lib.urls import code_in_tracking_url, public_url
from cchc.tickets.choices import (
    APPOINTMENT_TRANSITIONS,
    HOLDING_PLACE,
    AppointmentAction,
    AppointmentStatus,
    PriorityReason,
)
from cchc.tickets.errors import IllegalMove, InvalidInput, NotFound, QueueError, SlotFull
from cchc.tickets.models import Appointment, AppointmentEvent, SlotPlan, Ticket
from cchc.tickets.queue import (
    action_time,
    dmy,
    issue_ticket,
    local_day,
    offered_fields,
    refuse_open_day,
)
from cchc.tickets.slots import slot_starts
from cchc.units.models import Unit
from cchc.workflow.transition import Workflow, record, transition
from cchc.worktime.deadlines import TZ, OutOfCalendarRange
from cchc.worktime.snapshot import load_calendar

# -- codes -----------------------------------------------------------------------------------

CODE_LENGTH = 8


def normalise_appointment_code(raw: str) -> str:
    """A code as the citizen may type it (lower case, spaces, dashes) as it is stored."""
    return re.sub(r"[\s\-]", "", raw).upper()[: CODE_LENGTH + 4]


# -- the workflow ----------------------------------------------------------------------------

_ACTION_WORDS: dict[str, Any] = {
    AppointmentAction.CANCEL: gettext_lazy("hủy"),
    AppointmentAction.CHECK_IN: gettext_lazy("lấy số"),
    AppointmentAction.EXPIRE: gettext_lazy("chuyển quá hạn"),
}


def _illegal(appointment: Appointment, action: str) -> QueueError:
    if action == AppointmentAction.CANCEL:
        # The sentence the cancel door has always answered with (its translation exists).
        return IllegalMove(
            _("Lịch hẹn này đang ở trạng thái “%(status)s”, không hủy được.")
            % {"status": appointment.get_status_display()}
        )
    return IllegalMove(
        _("Lịch hẹn này đang ở trạng thái “%(status)s”, không %(action)s được.")
        % {
            "status": appointment.get_status_display(),
            "action": str(_ACTION_WORDS.get(action, action)),
        }
    )


# Appointments on the one workflow mechanism (`cchc.workflow`): no version, no roles (the doors
# check the code and the phone), no data: the event names the move, who and when.
FLOW: Workflow[Appointment] = Workflow(
    table=APPOINTMENT_TRANSITIONS, event=AppointmentEvent, illegal=_illegal, data_field=None
)


def _move(
    appointment: Appointment,
    action: str,
    *,
    at: dt.datetime,
    stamp: str | None = None,
    locked: bool = False,
) -> Appointment:
    """One move of an appointment, by nobody (the citizen, the kiosk or the nightly close):
    the status, and the moment in `stamp` when the appointment keeps one for this move."""
    stamps = [stamp] if stamp else []

    def change(a: Appointment, now: dt.datetime) -> None:
        for name in stamps:
            setattr(a, name, now)

    return transition(
        FLOW,
        appointment,
        action,
        by=None,
        at=at,
        locked=locked,
        change=change,
        update_fields=stamps,
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
    now = action_time(at)
    today = local_day(now)
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
    now = action_time(at)
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
        code = spoken_code(CODE_LENGTH)
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
    now = action_time(at)
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
    today = local_day(now)
    cal = load_calendar(unit)
    if date < today:
        raise InvalidInput(
            _("Ngày %(day)s đã qua. Vui lòng chọn một ngày sắp tới.") % {"day": dmy(date)}
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
            % {"day": dmy(date)}
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
                % {"day": dmy(date), "unit": unit.name}
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
                % {"slot": slot.strftime("%H:%M"), "day": dmy(date)}
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
        record(
            FLOW, appointment, AppointmentAction.BOOK, "", AppointmentStatus.BOOKED, by=None, at=now
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
        "day": dmy(appointment.date),
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


def cancel_appointment(appointment: Appointment, *, at: dt.datetime | None = None) -> Appointment:
    """The citizen cancels (the doors have checked the code, and on the API the phone): the
    place is free again. Only a booked appointment cancels; a second cancel, or one after
    check-in, is refused (409)."""
    return _move(appointment, AppointmentAction.CANCEL, at=action_time(at), stamp="cancelled_at")


def check_in(code: str, *, unit: Unit | None = None, at: dt.datetime | None = None) -> Ticket:
    """The citizen with an appointment arrives: a priority ticket, only on the appointment's day.
    Scanning the same code twice gives the same ticket back."""
    now = action_time(at)
    today = local_day(now)
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
                % {"day": dmy(appointment.date)}
            )
        if appointment.date > today:
            raise IllegalMove(
                _(
                    "Lịch hẹn của ông/bà là %(slot)s ngày %(day)s. Vui lòng quay lại đúng ngày "
                    "hẹn, hoặc chọn lĩnh vực để lấy số thường hôm nay."
                )
                % {"slot": appointment.slot.strftime("%H:%M"), "day": dmy(appointment.date)}
            )
        # Locked above, where the repeated scan was answered: the move runs in this transaction.
        _move(appointment, AppointmentAction.CHECK_IN, at=now, stamp="checked_in_at", locked=True)
        return issue_ticket(
            appointment.unit,
            field=appointment.field,
            priority=True,
            priority_reason=PriorityReason.APPOINTMENT,
            appointment=appointment,
            at=now,
            check_field=False,
        )


@transaction.atomic
def expire_appointments(unit: Unit, day: dt.date, *, at: dt.datetime | None = None) -> int:
    """End of day: the unit's appointments still booked up to `day` nobody came for become
    "expired", one event each; returns how many. Run every night by `nightly.py` with
    `queue.close_day`; refuses today and later days (today's may still check in)."""
    now = action_time(at)
    refuse_open_day(day, now)
    expired = 0
    for appointment in Appointment.objects.select_for_update().filter(
        unit=unit, date__lte=day, status=AppointmentStatus.BOOKED
    ):
        _move(appointment, AppointmentAction.EXPIRE, at=now, locked=True)
        expired += 1
    return expired


# -- the kiosk's code box --------------------------------------------------------------------
# Here rather than in the queue: an appointment's code checks in (above), a dossier's gives a
# plain ticket (`queue.issue_ticket`), and the queue knows nothing of appointments.


def scanned_code(raw: str) -> str:
    """What a barcode reader typed: a receipt's QR (its public status URL) or a bare code."""
    raw = raw.strip()
    return code_in_tracking_url(raw) or raw


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
