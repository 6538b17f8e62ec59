"""Moves while the dossier is processed that act on its clock: supplement asked and received,
fees asked and paid, the apology with a new date, the extended time; and the officers' notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.dossiers import rules
from cchc.dossiers.actions.common import MissingInput, _current_step, _transition, local_iso
from cchc.dossiers.actions.errors import IllegalTransition, InvalidDossierData
from cchc.dossiers.actions.steps import _start_clock, reallot_remaining
from cchc.dossiers.choices import Action, PaymentMethod, Status
from cchc.dossiers.missing import clean_items, missing_lines
from cchc.dossiers.models import Dossier, DossierPayment
from cchc.lib.numbers import localised
from cchc.worktime import deadlines
from cchc.worktime.choices import RescheduleRefusal
from cchc.worktime.deadlines import WorkCalendar
from cchc.worktime.snapshot import load_calendar

# Above any fee or tax a commune collects; guards against a mistyped amount and integer overflow.
MAX_AMOUNT_VND = 100_000_000_000


def request_supplement(
    dossier: Dossier,
    *,
    by: Any,
    items: Sequence[MissingInput],
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Ask once, with the complete list, within 3 working days of receipt; the clock stops.
    (How many times and how soon are settings: `rules.max_supplements`, `supplement_window_days`.)"""
    wanted = clean_items(items)

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        if not wanted:
            raise InvalidDossierData(_("Phải ghi đầy đủ, một lần các nội dung cần bổ sung."))
        if d.supplement_count >= rules.max_supplements():
            raise IllegalTransition(
                _("Hồ sơ đã được yêu cầu bổ sung %(n)s lần; không được yêu cầu thêm.")
                % {"n": d.supplement_count}
            )
        assert d.received_at is not None
        window = rules.supplement_window_days()
        limit = deadlines.due_in_working_days(
            d.received_at, window, load_calendar(d.processing_unit)
        )
        if now > limit:
            raise IllegalTransition(
                _(
                    "Đã quá %(days)s ngày làm việc kể từ khi tiếp nhận (hạn %(limit)s): không được yêu cầu bổ sung."
                )
                % {"days": window, "limit": timezone.localtime(limit).strftime("%H:%M %d/%m/%Y")}
            )
        d.supplement_count += 1
        d.supplement_requested_at = now
        return {"items": wanted}

    return _transition(
        dossier,
        Action.REQUEST_SUPPLEMENT,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason="; ".join(missing_lines(wanted)),
    )


def supplement_received(
    dossier: Dossier, *, by: Any, expected_version: int | None = None, at: dt.datetime | None = None
) -> Dossier:
    """The complete dossier is back: the full processing time counts again from now."""

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        # Imported dossiers may not know when the request was made: the wait is then unknown.
        if d.supplement_requested_at is not None:
            waited = now - d.supplement_requested_at
            d.supplement_wait = (d.supplement_wait or dt.timedelta(0)) + waited
        old_due = d.due_at
        calendar = load_calendar(d.processing_unit)
        _start_clock(d, now, calendar)
        # The steps not yet finished share the new span; their times until now stay here.
        before = reallot_remaining(d, now, calendar)
        return {
            "old_due": local_iso(old_due),
            "new_due": local_iso(d.due_at),
            "steps_before": before,
        }

    return _transition(
        dossier,
        Action.SUPPLEMENT_RECEIVED,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
    )


def request_payment(
    dossier: Dossier,
    *,
    by: Any,
    amount_vnd: int,
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Fees or taxes are due (status 6). The amount set in the catalogue is what is asked; a
    different amount needs its reason, kept in the history with both amounts."""
    if not 0 < amount_vnd <= MAX_AMOUNT_VND:
        raise InvalidDossierData(_("Số tiền phải nộp phải lớn hơn 0 và hợp lý."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        catalogue_fee = d.procedure_version.total_fee_vnd
        if amount_vnd != catalogue_fee and not note.strip():
            raise InvalidDossierData(
                _(
                    "Số tiền %(amount)s đ khác mức thu công bố %(fee)s đ: phải ghi rõ lý do "
                    "(ví dụ thuế, phí do cơ quan thuế xác định)."
                )
                % {"amount": localised(amount_vnd), "fee": localised(catalogue_fee)}
            )
        d.payment_requested_at = now
        d.fee_due_vnd = d.fee_paid_vnd + amount_vnd
        return {
            "amount_vnd": amount_vnd,
            "catalogue_fee_vnd": catalogue_fee,
            "fee_due_vnd": d.fee_due_vnd,
        }

    return _transition(
        dossier,
        Action.REQUEST_PAYMENT,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=note.strip(),
    )


def record_payment(
    dossier: Dossier,
    *,
    by: Any,
    amount_vnd: int,
    method: str = PaymentMethod.CASH,
    receipt_number: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """One payment, with its amount, receipt number and method. The dossier goes back to
    processing only once the amount asked is paid in full; a part payment is recorded and the
    dossier keeps waiting. Where waiting for payment stops the clock (a setting), the due moment
    moves by the working time waited."""
    if not 0 < amount_vnd <= MAX_AMOUNT_VND:
        raise InvalidDossierData(_("Số tiền đã nộp phải lớn hơn 0 và hợp lý."))
    if method not in PaymentMethod.values:
        raise InvalidDossierData(_("Hình thức nộp “%(v)s” không hợp lệ.") % {"v": method})
    receipt_number = receipt_number.strip()
    if len(receipt_number) > 60:
        raise InvalidDossierData(_("Số biên lai quá dài (tối đa 60 ký tự)."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        outstanding = max(0, d.fee_due_vnd - d.fee_paid_vnd)
        if amount_vnd > outstanding:
            raise InvalidDossierData(
                _("Số tiền %(amount)s đ lớn hơn số còn phải nộp %(left)s đ.")
                % {"amount": localised(amount_vnd), "left": localised(outstanding)}
            )
        DossierPayment.objects.create(
            dossier=d,
            amount_vnd=amount_vnd,
            method=method,
            receipt_number=receipt_number,
            paid_at=now,
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        d.fee_paid_vnd += amount_vnd
        data: dict[str, Any] = {
            "amount_vnd": amount_vnd,
            "method": method,
            "receipt_number": receipt_number,
            "paid_vnd": d.fee_paid_vnd,
            "outstanding_vnd": d.fee_due_vnd - d.fee_paid_vnd,
        }
        if d.fee_paid_vnd < d.fee_due_vnd:
            return data
        if d.payment_requested_at is not None:
            waited = now - d.payment_requested_at
            d.payment_wait = (d.payment_wait or dt.timedelta(0)) + waited
            if rules.payment_stops_clock():
                data.update(_resume_clock(d, d.payment_requested_at, now))
        return data

    def paid_in_full(d: Dossier) -> str:
        return Status.PROCESSING if d.fee_paid_vnd >= d.fee_due_vnd else Status.PAYMENT

    return _transition(
        dossier,
        Action.RECORD_PAYMENT,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        leads_to=paid_in_full,
    )


def _resume_clock(d: Dossier, stopped_at: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """The clock stood still from `stopped_at` to `now`: the due moments (the dossier's and the
    current step's) move by that much working time."""
    calendar = load_calendar(d.processing_unit)
    waited = calendar.position(now) - calendar.position(stopped_at)

    def later(moment: dt.datetime) -> dt.datetime:
        return calendar.moment(calendar.position(moment) + waited)

    assert d.due_at is not None and d.original_due_at is not None
    old_due = d.due_at
    d.original_due_at = later(d.original_due_at)
    d.due_at = later(d.due_at)
    current = _current_step(d)
    if current is not None and current.due_at is not None:
        current.due_at = later(current.due_at)
        current.save(update_fields=["due_at"])
    return {"old_due": local_iso(old_due), "new_due": local_iso(d.due_at)}


def reschedule(
    dossier: Dossier,
    *,
    by: Any,
    new_due: dt.datetime,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Apology and a new date (Mẫu 04): at most once (a setting), at least 1 working day before
    the due date, to a moment within office hours on a working day, later than the current due
    moment. Reports keep judging against the original due moment."""
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ lý do chậm trễ trong thư xin lỗi."))
    if timezone.is_naive(new_due):
        raise InvalidDossierData(_("Ngày hẹn mới phải có múi giờ."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        assert d.due_at is not None
        calendar = load_calendar(d.processing_unit)
        # The date asked for is checked first: bad input is told as such (422) before the rules.
        _check_appointment(new_due, d.due_at, calendar)
        refusal = deadlines.reschedule_refusal(
            d.due_at,
            now,
            calendar,
            times_rescheduled=d.reschedule_count,
            max_times=rules.max_reschedules(),
        )
        if refusal is not None:
            raise IllegalTransition(str(refusal.label))
        old_due = d.due_at
        d.due_at = new_due
        d.rescheduled_at = now
        d.reschedule_count += 1
        return {"old_due": local_iso(old_due), "new_due": local_iso(new_due)}

    return _transition(
        dossier,
        Action.RESCHEDULE,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=reason.strip(),
    )


def _check_appointment(new_due: dt.datetime, due_at: dt.datetime, calendar: WorkCalendar) -> None:
    """A new date the citizen can come on: a working day, within office hours, later than now due."""
    shown = timezone.localtime(new_due).strftime("%H:%M %d/%m/%Y")
    try:
        working = calendar.is_working_moment(new_due)
    except deadlines.DeadlineError as exc:
        raise InvalidDossierData(
            _("Ngày hẹn mới %(when)s nằm ngoài lịch làm việc.") % {"when": shown}
        ) from exc
    if not working:
        raise InvalidDossierData(
            _(
                "Ngày hẹn mới %(when)s không phải giờ làm việc của một ngày làm việc: hãy chọn "
                "một thời điểm trong giờ hành chính."
            )
            % {"when": shown}
        )
    if new_due <= due_at:
        raise InvalidDossierData(str(RescheduleRefusal.NOT_LATER.label))


def extend(
    dossier: Dossier,
    *,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Apply the longer time the procedure allows in its stated case (e.g. "trường hợp cần xác
    minh … không quá 05 ngày làm việc"). Not an apology: the dossier is judged against the
    extended time from now on, and the current body's due moment moves by the same working time."""
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ căn cứ áp dụng thời hạn kéo dài."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        version = d.procedure_version
        longer = version.extended_duration
        if longer is None:
            raise IllegalTransition(
                _("Thủ tục này không có thời hạn kéo dài theo quy định để áp dụng.")
            )
        if d.extended_at is not None:
            raise IllegalTransition(_("Hồ sơ đã được áp dụng thời hạn kéo dài."))
        assert d.clock_started_at is not None and d.original_due_at is not None
        assert d.due_at is not None
        calendar = load_calendar(d.processing_unit)
        start = d.clock_started_at
        added = calendar.position(deadlines.due(start, longer, calendar)) - calendar.position(
            deadlines.due(start, version.duration, calendar)
        )
        if added <= 0:
            raise IllegalTransition(_("Thời hạn kéo dài không dài hơn thời hạn thông thường."))

        def later(moment: dt.datetime) -> dt.datetime:
            return calendar.moment(calendar.position(moment) + added)

        old_due, old_original = d.due_at, d.original_due_at
        d.extended_at = now
        d.original_due_at = later(d.original_due_at)
        d.due_at = max(d.due_at, d.original_due_at)
        current = _current_step(d)
        if current is not None and current.due_at is not None:
            current.due_at = later(current.due_at)
            current.allotted += dt.timedelta(microseconds=added)
            current.save(update_fields=["due_at", "allotted"])
        return {
            "old_due": local_iso(old_due),
            "new_due": local_iso(d.due_at),
            "old_original_due": local_iso(old_original),
            "condition": version.extended_time_condition,
        }

    return _transition(
        dossier,
        Action.EXTEND,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=reason.strip(),
    )


def add_note(dossier: Dossier, *, by: Any, text: str, at: dt.datetime | None = None) -> Dossier:
    if not text.strip():
        raise InvalidDossierData(_("Ghi chú trống."))
    return _transition(
        dossier, Action.NOTE, by=by, expected_version=None, at=at, reason=text.strip(), public=False
    )
