"""Booking a slot, its capacity (also under concurrency), the working calendar, check-in, and
each appointment's history on the workflow mechanism (one event per move; repeats refused)."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.notify.models import Message
from cchc.testing import World, run_together
from cchc.tickets import appointments
from cchc.tickets import queue as queue_actions
from cchc.tickets.choices import APPOINTMENT_TRANSITIONS
from cchc.tickets.errors import IllegalMove, InvalidInput, NotFound, SlotFull
from cchc.tickets.models import Appointment, AppointmentEvent, SlotPlan
from cchc.tickets.tests.support import MONDAY, Queue, moment

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2025, 8, 5)
NINE = dt.time(9, 0)
# Booked on the Monday before, at 10:00.
BOOKED_AT = moment(MONDAY, 10)


def book(
    world: World,
    queue: Queue,
    *,
    day: dt.date = TUESDAY,
    slot: dt.time = NINE,
    phone: str = "0912345678",
    at: dt.datetime = BOOKED_AT,
) -> Appointment:
    return appointments.book_appointment(
        world.commune_a, queue.civil, day, slot, "Nguyễn Thị Hoa", phone, at=at
    )


def test_a_booking_gets_a_short_random_code_and_an_sms(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    appt = book(world, queue, phone="0912 345 678")
    assert appt.status == "booked" and appt.phone == "0912345678"
    assert len(appt.code) == 8 and appt.code.isalnum() and appt.code.isupper()
    assert not set(appt.code) & set("01IO")  # nothing to misread on a phone screen
    message = Message.objects.get(kind="appointment_booked")
    assert message.channel == "sms" and message.recipient == "0912345678"
    assert appt.code in message.body and "09:00" in message.body and "05/08/2025" in message.body
    assert f"/dat-lich/lich-hen/{appt.code}/" in message.body


def test_the_slot_beyond_capacity_is_refused_with_a_clear_message(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    book(world, queue, phone="0912000001")
    book(world, queue, phone="0912000002")
    with pytest.raises(SlotFull, match="đã hết chỗ. Vui lòng chọn khung giờ khác"):
        book(world, queue, phone="0912000003")
    # Another slot of the same day still has room.
    assert book(world, queue, phone="0912000003", slot=dt.time(9, 30)).slot == dt.time(9, 30)
    availability = {
        s.start: s.left
        for s in appointments.slot_availability(world.commune_a, queue.civil, TUESDAY, at=BOOKED_AT)
    }
    assert availability[NINE] == 0 and availability[dt.time(9, 30)] == 1
    assert availability[dt.time(7, 30)] == 2
    assert dt.time(11, 30) not in availability and dt.time(16, 30) in availability


def test_a_cancelled_booking_frees_its_place(world: World, queue: Queue, plan: SlotPlan) -> None:
    first = book(world, queue, phone="0912000001")
    book(world, queue, phone="0912000002")
    appointments.cancel_appointment(first)
    assert book(world, queue, phone="0912000003").status == "booked"


@pytest.mark.parametrize(
    ("day", "slot", "words"),
    [
        (dt.date(2025, 8, 9), NINE, "không phải ngày làm việc"),  # Saturday
        (dt.date(2025, 9, 2), NINE, "không phải ngày làm việc"),  # National Day
        (dt.date(2025, 8, 1), NINE, "đã qua"),  # last Friday
        (dt.date(2025, 8, 4), dt.time(9, 30), "hôm nay đã qua"),  # earlier today
        (TUESDAY, dt.time(12, 0), "không nằm trong giờ làm việc"),  # lunch break
        (TUESDAY, dt.time(11, 15), "không nằm trong giờ làm việc"),  # straddles 11:30
        (dt.date(2025, 10, 6), NINE, "tối đa 30 ngày"),
    ],
)
def test_bookings_outside_the_working_calendar_are_refused(
    world: World, queue: Queue, plan: SlotPlan, day: dt.date, slot: dt.time, words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        book(world, queue, day=day, slot=slot)


def test_later_today_is_bookable(world: World, queue: Queue, plan: SlotPlan) -> None:
    assert book(world, queue, day=dt.date(2025, 8, 4), slot=dt.time(14, 0)).status == "booked"


def test_bad_names_phones_and_unplanned_fields_are_refused(world: World, queue: Queue) -> None:
    with pytest.raises(InvalidInput, match="chưa nhận đặt lịch"):
        book(world, queue)
    SlotPlan.objects.create(unit=world.commune_a, field=queue.certify)
    with pytest.raises(InvalidInput, match="chưa nhận đặt lịch"):
        book(world, queue)  # civil status has no plan of its own and there is no default
    SlotPlan.objects.create(unit=world.commune_a)
    with pytest.raises(InvalidInput, match="Số điện thoại"):
        book(world, queue, phone="12345")
    with pytest.raises(InvalidInput, match="họ và tên"):
        appointments.book_appointment(
            world.commune_a, queue.civil, TUESDAY, NINE, "   ", "0912345678", at=BOOKED_AT
        )


def test_one_phone_books_one_appointment_a_day(world: World, queue: Queue, plan: SlotPlan) -> None:
    book(world, queue)
    with pytest.raises(IllegalMove, match="đã có một lịch hẹn"):
        book(world, queue, slot=dt.time(10, 0))
    assert book(world, queue, day=dt.date(2025, 8, 6)).status == "booked"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_bookings_never_exceed_the_capacity(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    results = run_together(
        [lambda i=i: book(world, queue, phone=f"091200000{i}") for i in range(6)]  # type: ignore[misc]
    )
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, SlotFull)]
    assert len(booked) == 2 and len(refused) == 4, results
    assert Appointment.objects.filter(slot=NINE, status="booked").count() == 2


def test_check_in_on_the_day_gives_a_priority_ticket(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    appt = book(world, queue)
    queue_actions.issue_ticket(world.commune_a, at=moment("2025-08-05", 8, 50))
    ticket = appointments.check_in(
        appt.code.lower(), unit=world.commune_a, at=moment("2025-08-05", 8, 55)
    )
    assert ticket.priority and ticket.priority_reason == "appointment"
    assert ticket.code == "U002" and ticket.field == queue.civil
    appt.refresh_from_db()
    assert appt.status == "checked_in" and ticket.appointment == appt
    # Scanning twice gives the same ticket, not a second one.
    again = appointments.check_in(appt.code, unit=world.commune_a, at=moment("2025-08-05", 8, 56))
    assert again == ticket


def test_check_in_before_or_after_the_day_is_refused(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    appt = book(world, queue)
    with pytest.raises(IllegalMove, match="quay lại đúng ngày"):
        appointments.check_in(appt.code, at=moment(MONDAY, 15))
    with pytest.raises(IllegalMove, match="đã qua"):
        appointments.check_in(appt.code, at=moment("2025-08-06", 8))
    with pytest.raises(NotFound):
        appointments.check_in("ZZZZ2345", at=moment("2025-08-05", 8))


def test_check_in_at_another_units_kiosk_or_after_cancelling_is_refused(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    appt = book(world, queue)
    with pytest.raises(IllegalMove, match="Xã Nga Sơn"):
        appointments.check_in(appt.code, unit=world.commune_b, at=moment("2025-08-05", 8))
    appointments.cancel_appointment(appt)
    with pytest.raises(IllegalMove, match="đã hủy"):
        appointments.check_in(appt.code, at=moment("2025-08-05", 8))


def test_the_kiosk_code_box_takes_appointments_and_receipt_qr_codes(
    world: World, queue: Queue, plan: SlotPlan, received: object
) -> None:
    appt = book(world, queue)
    ticket = appointments.ticket_for_code(
        world.commune_a, f" {appt.code} ", at=moment("2025-08-05", 8)
    )
    assert ticket.priority
    qr = "https://dichvucong.example/tra-cuu/000.30.10.H56-250804-0001/"
    by_receipt = appointments.ticket_for_code(world.commune_a, qr, at=moment("2025-08-05", 8))
    assert by_receipt.dossier_code == "000.30.10.H56-250804-0001"
    assert by_receipt.field == queue.certify and not by_receipt.priority
    with pytest.raises(NotFound, match="chọn lĩnh vực"):
        appointments.ticket_for_code(world.commune_b, qr)
    with pytest.raises(InvalidInput):
        appointments.ticket_for_code(world.commune_a, "   ")


# -- the appointment's history on the workflow mechanism ------------------------------------


def history(appt: Appointment) -> list[tuple[str, str, str, dt.datetime]]:
    return [
        (e.action, e.from_status, e.to_status, e.at)
        for e in AppointmentEvent.objects.filter(appointment=appt).order_by("at", "id")
    ]


def test_booking_and_cancelling_are_one_event_each_by_nobody(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    appt = book(world, queue)
    cancelled_at = moment(MONDAY, 11)
    cancelled = appointments.cancel_appointment(appt, at=cancelled_at)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at == cancelled_at
    assert history(appt) == [
        ("book", "", "booked", BOOKED_AT),
        ("cancel", "booked", "cancelled", cancelled_at),
    ]
    # The citizen is nobody's account: the event names no officer.
    assert not AppointmentEvent.objects.filter(actor__isnull=False).exists()


def test_a_second_cancel_is_refused_and_changes_nothing(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    appt = book(world, queue)
    appointments.cancel_appointment(appt, at=moment(MONDAY, 11))
    with pytest.raises(IllegalMove, match="“Đã hủy”, không hủy được") as refused:
        appointments.cancel_appointment(appt, at=moment(MONDAY, 12))
    assert refused.value.status_code == 409
    appt.refresh_from_db()
    assert appt.cancelled_at == moment(MONDAY, 11)
    assert [e[0] for e in history(appt)] == ["book", "cancel"]


def test_cancelling_after_check_in_is_refused_and_a_second_scan_writes_nothing(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    appt = book(world, queue)
    arrived = moment("2025-08-05", 8, 55)
    ticket = appointments.check_in(appt.code, unit=world.commune_a, at=arrived)
    assert appointments.check_in(appt.code, at=moment("2025-08-05", 9)) == ticket
    with pytest.raises(IllegalMove, match="“Đã lấy số”, không hủy được") as refused:
        appointments.cancel_appointment(appt, at=moment("2025-08-05", 9))
    assert refused.value.status_code == 409
    appt.refresh_from_db()
    assert appt.status == "checked_in" and appt.checked_in_at == arrived
    assert history(appt) == [
        ("book", "", "booked", BOOKED_AT),
        ("check_in", "booked", "checked_in", arrived),
    ]


def test_the_nightly_close_expires_with_one_event_and_nothing_moves_after(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    appt = book(world, queue)
    night = moment("2025-08-06", 1)
    assert appointments.expire_appointments(world.commune_a, TUESDAY, at=night) == 1
    assert appointments.expire_appointments(world.commune_a, TUESDAY, at=night) == 0
    appt.refresh_from_db()
    assert appt.status == "expired"
    assert history(appt)[-1] == ("expire", "booked", "expired", night)
    with pytest.raises(IllegalMove, match="“Quá hạn, không đến”, không hủy được"):
        appointments.cancel_appointment(appt, at=night)
    with pytest.raises(IllegalMove, match="đã qua"):
        appointments.check_in(appt.code, at=moment("2025-08-06", 8))
    assert len(history(appt)) == 2
    with pytest.raises(ValueError):
        appointments.expire_appointments(world.commune_a, TUESDAY, at=moment("2025-08-05", 20))


def test_every_move_of_the_table_starts_from_booked_only() -> None:
    for action in APPOINTMENT_TRANSITIONS:
        assert APPOINTMENT_TRANSITIONS.sources(action) == {"booked"}
        for end in ("cancelled", "checked_in", "expired"):
            assert APPOINTMENT_TRANSITIONS.target(action, end) is None


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_cancels_one_wins_the_other_is_refused(
    world: World, queue: Queue, plan: SlotPlan
) -> None:
    appt = book(world, queue)
    results = run_together(
        [lambda: appointments.cancel_appointment(appt, at=moment(MONDAY, 11)) for _i in range(2)]
    )
    won = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, IllegalMove)]
    assert len(won) == 1 and len(refused) == 1, results
    assert [e[0] for e in history(appt)] == ["book", "cancel"]
