"""Issue 9: the stored facts counted as the law counts them — stopped clocks, each body on its own
time, reception's 15:00 rule, cross-boundary receipts, payments, rescheduling dates, lawful
extensions and the rules that are settings. Each test failed before its fix."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from cchc.accounts.models import User
from cchc.dossiers import actions
from cchc.dossiers.actions import IllegalTransition, InvalidDossierData
from cchc.dossiers.choices import PaymentMethod, Status
from cchc.dossiers.clock import ClockState, clock_of
from cchc.dossiers.models import Dossier, DossierPayment
from cchc.dossiers.reminders import remind_officers
from cchc.dossiers.worklists import Filters, worklist_rows
from cchc.notify.models import Message
from cchc.portal.tracking import public_view
from cchc.testing import World, at, bearer, logged_in, make_user, receipt_for
from cchc.units.choices import Role
from cchc.worktime.choices import Outcome

pytestmark = pytest.mark.django_db


def listed(user: User, key: str, now: dt.datetime) -> set[str]:
    return set(worklist_rows(user, key, Filters(), now=now).values_list("code", flat=True))


# -- 1. a stopped clock is not overdue ----------------------------------------------------------


def test_a_dossier_waiting_for_its_supplement_is_neither_overdue_nor_due_soon(
    received: Dossier, specialist: User, leader: User
) -> None:
    waiting = actions.request_supplement(
        received, by=specialist, items=["Bản sao CCCD"], at=at("2025-08-05", 9)
    )
    # Thu 07/08 16:00 (due soon) and Fri 08/08 (past the old due moment): in no list.
    for now in (at("2025-08-07", 16), at("2025-08-08", 10)):
        assert waiting.code not in listed(leader, "overdue", now)
        assert waiting.code not in listed(leader, "due_1", now)
        assert waiting.code not in listed(leader, "due_3", now)
        assert waiting.code in listed(leader, "supplement", now)
        assert clock_of(waiting, now).state == ClockState.WAITING_SUPPLEMENT
    view = public_view(waiting, personal=False)
    assert view["clock_note"] == "Đang chờ bổ sung — thời hạn tính lại khi nhận đủ"
    page = logged_in(leader).get(f"/lam-viec/ho-so/{waiting.code}/")
    html = page.content.decode()
    assert "Đang chờ bổ sung — thời hạn tính lại khi nhận đủ" in html
    assert "Quá hạn" not in html.split("Thời gian còn lại", 1)[1][:200]
    # The running dossier it was is overdue on the same day.
    assert received.code not in listed(leader, "overdue", at("2025-08-05", 10))


def test_the_tracking_page_shows_the_stopped_clock_instead_of_a_date(
    client, received: Dossier, specialist: User
) -> None:
    actions.request_supplement(received, by=specialist, items=["Bản sao CCCD"], at=at("2025-08-05"))
    html = client.get(f"/tra-cuu/{received.code}/").content.decode()
    assert "Đang chờ bổ sung — thời hạn tính lại khi nhận đủ" in html
    assert "07/08/2025" not in html


def test_waiting_for_payment_runs_the_clock_by_default_and_stops_it_when_so_configured(
    received: Dossier, specialist: User, reception: User, leader: User, settings
) -> None:
    waiting = actions.request_payment(
        received, by=specialist, amount_vnd=8000, at=at("2025-08-05", 9)
    )
    late = at("2025-08-08", 10)
    assert waiting.code in listed(leader, "overdue", late)
    assert clock_of(waiting, late).state == ClockState.OVERDUE

    settings.ONE_STOP_PAYMENT_STOPS_CLOCK = True
    assert waiting.code not in listed(leader, "overdue", late)
    assert clock_of(waiting, late).state == ClockState.WAITING_PAYMENT
    assert remind_officers(at("2025-08-06", 7)).due_tomorrow == 0
    # Paid Fri 08/08 09:00: three working days waited (Tue 09:00 → Fri 09:00) move the due moment.
    paid = actions.record_payment(waiting, by=reception, amount_vnd=8000, at=at("2025-08-08", 9))
    assert paid.status == Status.PROCESSING
    assert paid.original_due_at == paid.due_at == at("2025-08-12", 17)


# -- 2, 3. each body on its own time; reception's 15:00 rule -------------------------------------


def test_a_body_is_judged_on_its_own_time_not_on_the_body_before_it(
    received: Dossier, reception: User, specialist: User
) -> None:
    # Reception (due Mon 04/08 17:00) hands over only on Wed 06/08 at 10:00: late.
    dossier = actions.hand_over(received, by=reception, to=specialist, at=at("2025-08-06", 10))
    first, second = dossier.steps.order_by("position")
    assert first.outcome == Outcome.LATE
    # The specialist's 80 % of 30,5 working hours (24,4 h) count from Wed 10:00: Mon 11/08 10:24.
    assert second.started_at == at("2025-08-06", 10)
    assert second.due_at == at("2025-08-11", 10, 24)
    # Finishing Fri 09:00 is early for the specialist (the old cumulative schedule, due Thu
    # 17:00, called it late), while the dossier as a whole is late.
    dossier = actions.resolve(dossier, by=specialist, at=at("2025-08-08", 9))
    second.refresh_from_db()
    assert second.outcome == Outcome.EARLY
    assert dossier.outcome == Outcome.LATE


@pytest.mark.parametrize(
    ("received_at", "handover_due"),
    [
        (at("2025-08-04", 14, 59), at("2025-08-04", 17)),  # before the cut-off: the same day
        (at("2025-08-04", 15, 30), at("2025-08-05", 8, 30)),  # after: the next working morning
        (at("2025-08-09", 9), at("2025-08-11", 8, 30)),  # a Saturday counter: Monday morning
    ],
)
def test_reception_hands_over_the_same_day_or_the_next_morning_after_15h(
    world: World, reception: User, copy_implemented: None, received_at, handover_due
) -> None:
    dossier = actions.receive_dossier(receipt_for(world), by=reception, at=received_at)
    assert dossier.steps.get(position=1).due_at == handover_due


def test_times_before_a_supplementation_stay_in_the_history(
    received: Dossier, reception: User, specialist: User
) -> None:
    dossier = actions.hand_over(received, by=reception, to=specialist, at=at("2025-08-04", 10))
    dossier = actions.request_supplement(
        dossier, by=specialist, items=["Bản sao CCCD"], at=at("2025-08-05", 9)
    )
    dossier = actions.supplement_received(dossier, by=reception, at=at("2025-08-11", 8))
    step = dossier.steps.get(position=2)
    assert step.started_at == at("2025-08-11", 8)
    before = dossier.events.get(action="supplement_received").data["steps_before"]
    assert before == [
        {
            "position": 2,
            "name": "Xử lý",
            "started_at": "2025-08-04T10:00:00+07:00",
            "due_at": "2025-08-07T10:24:00+07:00",
        }
    ]


# -- 4. cross-boundary means another commune ---------------------------------------------------


def test_a_communes_own_centre_is_not_cross_boundary_and_another_commune_is(
    world: World, reception: User, reception_b: User, copy_implemented: None
) -> None:
    own = actions.receive_dossier(
        receipt_for(world, receiving_unit=world.centre_a), by=reception, at=at("2025-08-04")
    )
    assert own.receiving_unit == world.centre_a and not own.cross_boundary
    assert not Dossier.objects.filter(cross_boundary=True).exists()
    other = actions.receive_dossier(
        receipt_for(world, receiving_unit=world.commune_b), by=reception_b, at=at("2025-08-04")
    )
    assert other.cross_boundary and other.is_cross_boundary
    assert list(Dossier.objects.filter(cross_boundary=True)) == [other]


# -- 5. payment ---------------------------------------------------------------------------------


def test_a_part_payment_keeps_the_dossier_waiting_until_paid_in_full(
    received: Dossier, specialist: User, reception: User
) -> None:
    with pytest.raises(InvalidDossierData, match="lý do"):
        actions.request_payment(received, by=specialist, amount_vnd=50000, at=at("2025-08-05"))
    dossier = actions.request_payment(
        received,
        by=specialist,
        amount_vnd=50000,
        note="Lệ phí và thuế theo thông báo của cơ quan thuế",
        at=at("2025-08-05"),
    )
    event = dossier.events.get(action="request_payment")
    assert event.data["catalogue_fee_vnd"] == 8000 and event.data["amount_vnd"] == 50000
    assert event.reason.startswith("Lệ phí và thuế")
    dossier = actions.record_payment(
        dossier, by=reception, amount_vnd=10000, receipt_number="BL-1", at=at("2025-08-05", 10)
    )
    assert dossier.status == Status.PAYMENT
    assert dossier.events.filter(action="record_payment").get().to_status == Status.PAYMENT
    with pytest.raises(InvalidDossierData, match="còn phải nộp"):
        actions.record_payment(dossier, by=reception, amount_vnd=45000, at=at("2025-08-05", 11))
    dossier = actions.record_payment(
        dossier,
        by=reception,
        amount_vnd=40000,
        method=PaymentMethod.ONLINE,
        receipt_number="GD-778",
        at=at("2025-08-05", 14),
    )
    assert dossier.status == Status.PROCESSING
    assert dossier.fee_paid_vnd == 50000
    assert list(dossier.payments.values_list("amount_vnd", "method", "receipt_number")) == [
        (10000, "cash", "BL-1"),
        (40000, "online", "GD-778"),
    ]
    with pytest.raises(InvalidDossierData, match="Hình thức"):
        actions.record_payment(dossier, by=reception, amount_vnd=1, method="barter")


def test_the_citizen_is_told_when_payment_is_due_processing_stops_or_a_withdrawal_is_recorded(
    world: World, received: Dossier, specialist: User, reception: User, leader: User
) -> None:
    Message.objects.all().delete()
    actions.request_payment(received, by=specialist, amount_vnd=8000, at=at("2025-08-05"))
    sms = Message.objects.get(kind="payment_due")
    assert "8.000" in sms.body
    actions.stop(received, by=leader, reason="Có tranh chấp", at=at("2025-08-05", 10))
    assert Message.objects.filter(kind="stopped").exists()
    other = actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-05"))
    actions.withdraw(other, by=reception, reason="Công dân xin rút", at=at("2025-08-05", 11))
    assert Message.objects.filter(kind="withdrawn").exists()


def test_payments_through_the_api_carry_their_method(
    client, received: Dossier, specialist: User, reception: User
) -> None:
    actions.request_payment(received, by=specialist, amount_vnd=8000, at=at("2025-08-05"))
    response = client.post(
        f"/api/v1/dossiers/{received.code}/actions/record_payment",
        data=json.dumps(
            {
                "version": 2,
                "amount_vnd": 8000,
                "payment_method": "bank_transfer",
                "receipt_number": "CK-9",
            }
        ),
        content_type="application/json",
        **bearer(reception),
    )
    assert response.status_code == 200, response.content
    assert DossierPayment.objects.get().method == "bank_transfer"


# -- 6. rescheduling checks its new date ----------------------------------------------------------


def test_rescheduling_to_a_sunday_night_is_refused_with_a_reason(
    client, received: Dossier, leader: User
) -> None:
    with pytest.raises(InvalidDossierData, match="giờ làm việc"):
        actions.reschedule(
            received, by=leader, new_due=at("2025-08-10", 3), reason="x", at=at("2025-08-05")
        )
    with pytest.raises(InvalidDossierData, match="giờ làm việc"):
        actions.reschedule(
            received, by=leader, new_due=at("2025-08-12", 12), reason="x", at=at("2025-08-05")
        )
    response = client.post(
        f"/api/v1/dossiers/{received.code}/actions/reschedule",
        data=json.dumps(
            {"version": 1, "new_due": "2025-08-10T03:00:00+07:00", "reason": "Chờ xác minh"}
        ),
        content_type="application/json",
        **bearer(leader),
    )
    assert response.status_code == 422
    assert "giờ làm việc" in response.json()["detail"]
    received.refresh_from_db()
    assert received.reschedule_count == 0
    moved = actions.reschedule(
        received, by=leader, new_due=at("2025-08-12", 17), reason="x", at=at("2025-08-05")
    )
    assert moved.due_at == at("2025-08-12", 17) and moved.reschedule_count == 1


# -- 7. lawful extensions are not apologies -------------------------------------------------------


def test_a_lawful_longer_time_moves_the_due_moment_without_an_apology(
    world: World, received: Dossier, reception: User, specialist: User, leader: User
) -> None:
    with pytest.raises(IllegalTransition, match="không có thời hạn kéo dài"):
        actions.extend(received, by=specialist, reason="Cần xác minh", at=at("2025-08-05"))
    version = received.procedure_version
    version.extended_time = Decimal(8)
    version.extended_time_unit = "working_days"
    version.extended_time_condition = "Trường hợp cần xác minh, thêm không quá 05 ngày làm việc"
    version.save()
    dossier = actions.hand_over(received, by=reception, to=specialist, at=at("2025-08-04", 10))
    step_due = dossier.steps.get(position=2).due_at
    with pytest.raises(InvalidDossierData):
        actions.extend(dossier, by=specialist, reason=" ", at=at("2025-08-05"))
    dossier = actions.extend(
        dossier, by=specialist, reason="Phải xác minh tại nơi cư trú cũ", at=at("2025-08-05")
    )
    # 8 working days from Mon 04/08: Thu 14/08 17:00, judged against that (not an apology).
    assert dossier.original_due_at == dossier.due_at == at("2025-08-14", 17)
    assert dossier.rescheduled_at is None and dossier.reschedule_count == 0
    event = dossier.events.get(action="extend")
    assert event.reason == "Phải xác minh tại nơi cư trú cũ"
    assert event.data["old_due"].startswith("2025-08-07T17:00")
    step = dossier.steps.get(position=2)
    assert step.due_at is not None and step_due is not None and step.due_at > step_due
    with pytest.raises(IllegalTransition, match="đã được áp dụng"):
        actions.extend(dossier, by=leader, reason="Lần nữa", at=at("2025-08-06"))
    dossier = actions.resolve(dossier, by=specialist, at=at("2025-08-13", 10))
    assert dossier.outcome == Outcome.EARLY
    assert Message.objects.filter(kind="extended").exists()


# -- 8. unverified rules are settings -------------------------------------------------------------


def test_the_number_of_reschedulings_and_supplementations_are_settings(
    received: Dossier, leader: User, specialist: User, reception: User, settings
) -> None:
    settings.ONE_STOP_MAX_RESCHEDULES = 2
    settings.ONE_STOP_MAX_SUPPLEMENTS = 2
    settings.ONE_STOP_SUPPLEMENT_WINDOW_DAYS = 10
    dossier = actions.reschedule(
        received, by=leader, new_due=at("2025-08-12", 17), reason="a", at=at("2025-08-05")
    )
    dossier = actions.reschedule(
        dossier, by=leader, new_due=at("2025-08-14", 17), reason="b", at=at("2025-08-06")
    )
    assert dossier.reschedule_count == 2
    with pytest.raises(IllegalTransition):
        actions.reschedule(
            dossier, by=leader, new_due=at("2025-08-15", 17), reason="c", at=at("2025-08-07")
        )
    for day in ("2025-08-07", "2025-08-11"):
        dossier = actions.request_supplement(dossier, by=specialist, items=["x"], at=at(day))
        dossier = actions.supplement_received(dossier, by=reception, at=at(day, 15))
    assert dossier.supplement_count == 2
    with pytest.raises(IllegalTransition, match="2 lần"):
        actions.request_supplement(dossier, by=specialist, items=["x"], at=at("2025-08-12"))


def test_the_dossier_code_pattern_is_a_setting(
    world: World, reception: User, copy_implemented: None, settings
) -> None:
    settings.DOSSIER_CODE_PATTERN = "{agency}-{day:%Y%m%d}-{number:05d}"
    dossier = actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04"))
    assert dossier.code == "000.30.10.H56-20250804-00001"


def test_the_forms_legal_basis_follows_the_date_of_receipt(settings) -> None:
    from cchc.dossiers.rules import TT01_2018, forms_legal_basis

    settings.FORMS_LEGAL_BASIS = "Thông tư số 03/2025/TT-VPCP"
    assert forms_legal_basis(dt.date(2025, 6, 30)) == TT01_2018
    assert forms_legal_basis(dt.date(2025, 7, 1)) == "Thông tư số 03/2025/TT-VPCP"
    settings.FORMS_LEGAL_BASIS = ""
    assert forms_legal_basis(dt.date(2025, 7, 1)) == TT01_2018


def test_a_specialist_of_another_commune_cannot_extend(received: Dossier, world: World) -> None:
    outsider = make_user("khac", world.commune_b, Role.SPECIALIST)
    with pytest.raises(actions.NotAllowed):
        actions.extend(received, by=outsider, reason="x", at=at("2025-08-05"))


# -- 11 (the actions' side): every door stores one spelling and refuses bad input clearly ---------


@pytest.mark.parametrize(
    ("applicant", "message"),
    [
        ({"name": "A" * 201}, "dài quá 200"),
        ({"phone": "0912 345 678 999 000 11"}, "điện thoại"),
        ({"name": "Lê\x00Hoa"}, "không hợp lệ"),
        ({"id_number": "123456789"}, "12 chữ số"),
        ({"email": "khong-phai-thu"}, "Thư điện tử"),
    ],
)
def test_a_receipt_with_bad_applicant_data_is_refused_before_anything_is_written(
    world: World, reception: User, copy_implemented: None, applicant, message
) -> None:
    values = {"name": "Lê Thị Hoa", "id_number": "038090001234", "phone": "0912345678"}
    values.update(applicant)
    with pytest.raises(InvalidDossierData, match=message):
        actions.receive_dossier(
            receipt_for(world, applicant=actions.Applicant(**values)),
            by=reception,
            at=at("2025-08-04"),
        )
    assert not Dossier.objects.exists()


def test_an_imported_dossier_is_flagged_and_found_like_a_live_one(
    world: World, copy_implemented: None
) -> None:
    from cchc.dossiers.tests.support import entry, run

    applicant = {"name": "Lê Thị Hoa", "phone": "0912 345 678"}
    result = run(entry(world, receiving_unit=world.commune_b.code, applicant=applicant))
    assert result.created == 1, result.errors
    dossier = Dossier.objects.get()
    assert dossier.cross_boundary
    assert dossier.applicant_name_folded == "le thi hoa"
    assert dossier.applicant_phone == "0912345678"


def test_a_resubmitted_online_dossier_keeps_its_ledger_number(
    submitted: Dossier, reception: User
) -> None:
    from cchc.dossiers.ledger import ledger_number

    submitted.refresh_from_db()
    before = (submitted.submitted_at, ledger_number(submitted))
    turned = actions.ask_completion(
        submitted,
        by=reception,
        missing=[actions.MissingItem("Tờ khai", "chưa ký")],
        at=at("2025-08-04", 8),
    )
    again = actions.resubmit_online(turned, documents=[], note="Đã ký tờ khai", at=at("2025-08-05"))
    assert (again.submitted_at, ledger_number(again)) == before
    assert again.events.get(action="ask_completion").data["missing"] == [
        {"name": "Tờ khai", "reason": "chưa ký"}
    ]
