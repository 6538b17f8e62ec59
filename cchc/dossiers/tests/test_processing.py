"""Processing: every transition, and every refusal of one, leaves the dossier as it should."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.dossiers import actions
from cchc.dossiers.actions import IllegalTransition, InvalidDossierData, NotAllowed, StaleDossier
from cchc.dossiers.choices import Action, EndType, Status
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.testing import World, at

pytestmark = pytest.mark.django_db


def test_hand_over_finishes_the_step_and_starts_the_next(
    received: Dossier, reception, specialist
) -> None:
    dossier = actions.hand_over(
        received, by=reception, to=specialist, note="Chuyển xử lý", at=at("2025-08-04", 10)
    )
    assert dossier.status == Status.PROCESSING
    assert dossier.assignee == specialist
    first, second = dossier.steps.order_by("position")
    assert first.finished_at == at("2025-08-04", 10) and first.outcome in ("early", "on_time")
    assert (
        second.started_at == at("2025-08-04", 10)
        and second.given_by == reception
        and second.assignee == specialist
    )
    event = dossier.events.order_by("-id").first()
    assert event is not None and event.data["to"] == "minh"


def test_the_last_step_cannot_be_handed_over(received: Dossier, reception, specialist) -> None:
    dossier = actions.hand_over(received, by=reception, to=specialist, at=at("2025-08-04", 10))
    with pytest.raises(IllegalTransition, match="bước cuối"):
        actions.hand_over(dossier, by=specialist, at=at("2025-08-05", 10))


def test_supplement_is_asked_once_within_three_working_days_and_stops_the_clock(
    received: Dossier, specialist, reception
) -> None:
    dossier = actions.request_supplement(
        received, by=specialist, items=["Bản sao có chứng thực CCCD"], at=at("2025-08-06", 9)
    )
    assert dossier.status == Status.SUPPLEMENT
    assert dossier.supplement_count == 1
    # The complete dossier comes back Mon 11/08 at 08:00: three full working days count again.
    dossier = actions.supplement_received(dossier, by=reception, at=at("2025-08-11", 8))
    assert dossier.status == Status.PROCESSING
    assert dossier.original_due_at == at("2025-08-14", 17)
    assert dossier.due_at == at("2025-08-14", 17)
    assert dossier.supplement_wait == dt.timedelta(days=4, hours=23)
    with pytest.raises(IllegalTransition, match="đã được yêu cầu bổ sung 1 lần"):
        actions.request_supplement(
            dossier, by=specialist, items=["Thêm giấy tờ"], at=at("2025-08-11", 9)
        )


def test_supplement_after_three_working_days_is_refused(received: Dossier, specialist) -> None:
    # Received Mon 04/08: the window closes at the end of Thu 07/08.
    with pytest.raises(IllegalTransition, match="3 ngày làm việc"):
        actions.request_supplement(
            received, by=specialist, items=["Giấy tờ"], at=at("2025-08-08", 8)
        )
    received.refresh_from_db()
    assert received.status == Status.RECEIVED and received.supplement_count == 0


def test_supplement_needs_the_full_list(received: Dossier, specialist) -> None:
    with pytest.raises(InvalidDossierData):
        actions.request_supplement(received, by=specialist, items=[" "], at=at("2025-08-05"))


def test_payment_is_requested_and_recorded(received: Dossier, specialist, reception) -> None:
    dossier = actions.request_payment(
        received,
        by=specialist,
        amount_vnd=50000,
        note="Thuế do cơ quan thuế xác định",
        at=at("2025-08-05"),
    )
    assert dossier.status == Status.PAYMENT
    dossier = actions.record_payment(
        dossier, by=reception, amount_vnd=50000, receipt_number="BL-0012", at=at("2025-08-05", 14)
    )
    assert dossier.status == Status.PROCESSING
    assert dossier.fee_paid_vnd == 50000
    assert dossier.payment_wait is not None and dossier.payment_wait.seconds == 5 * 3600
    with pytest.raises(InvalidDossierData):
        actions.request_payment(dossier, by=specialist, amount_vnd=0, at=at("2025-08-05", 15))


def test_rescheduling_is_allowed_once_and_reports_keep_the_original_due(
    received: Dossier, leader
) -> None:
    dossier = actions.reschedule(
        received,
        by=leader,
        new_due=at("2025-08-12", 17),
        reason="Chờ xác minh",
        at=at("2025-08-05", 9),
    )
    assert dossier.due_at == at("2025-08-12", 17)
    assert dossier.original_due_at == at("2025-08-07", 17)
    with pytest.raises(IllegalTransition, match="một lần"):
        actions.reschedule(
            dossier,
            by=leader,
            new_due=at("2025-08-15", 17),
            reason="Lần nữa",
            at=at("2025-08-06", 9),
        )
    dossier = actions.resolve(dossier, by=leader, at=at("2025-08-11", 10))
    assert dossier.outcome == "late"  # judged against the original due, "late, with apology"
    assert dossier.rescheduled_at is not None


def test_rescheduling_on_the_last_day_is_too_late(received: Dossier, leader) -> None:
    with pytest.raises(IllegalTransition, match="1 ngày làm việc"):
        actions.reschedule(
            received, by=leader, new_due=at("2025-08-12", 17), reason="Muộn", at=at("2025-08-07", 9)
        )


def test_rescheduling_to_an_earlier_date_is_refused(received: Dossier, leader) -> None:
    with pytest.raises(InvalidDossierData, match="sau ngày hẹn cũ"):
        actions.reschedule(
            received, by=leader, new_due=at("2025-08-06", 17), reason="x", at=at("2025-08-05", 9)
        )


@pytest.mark.parametrize(
    ("finished", "outcome"),
    [(("2025-08-06", 16), "early"), (("2025-08-07", 16), "on_time"), (("2025-08-08", 9), "late")],
)
def test_resolution_is_judged_early_on_time_or_late(
    received: Dossier, leader, finished, outcome: str
) -> None:
    dossier = actions.resolve(received, by=leader, digital=True, at=at(finished[0], finished[1]))
    assert dossier.status == Status.RESOLVED
    assert (dossier.end_type, dossier.outcome, dossier.result_digital) == (
        EndType.RESOLVED,
        outcome,
        True,
    )
    assert dossier.finished_at == at(finished[0], finished[1])


def test_refusal_after_appraisal_counts_as_resolved(received: Dossier, leader, reception) -> None:
    dossier = actions.refuse(received, by=leader, reason="Không đủ điều kiện", at=at("2025-08-05"))
    assert (dossier.status, dossier.end_type, dossier.outcome) == (
        Status.RESOLVED,
        EndType.REFUSED,
        "early",
    )
    dossier = actions.return_result(dossier, by=reception, at=at("2025-08-06"))
    assert dossier.status == Status.RETURNED


def test_the_result_is_returned_by_post_with_a_tracking_number(
    received: Dossier, leader, reception
) -> None:
    dossier = actions.resolve(received, by=leader, at=at("2025-08-05"))
    with pytest.raises(InvalidDossierData, match="mã bưu gửi"):
        actions.return_result(dossier, by=reception, method="postal", at=at("2025-08-06"))
    dossier = actions.return_result(
        dossier, by=reception, method="postal", postal_tracking="EB123456789VN", at=at("2025-08-06")
    )
    assert (dossier.status, dossier.return_method, dossier.postal_tracking) == (
        Status.RETURNED,
        "postal",
        "EB123456789VN",
    )
    assert dossier.returned_at == at("2025-08-06")
    assert not dossier.steps.filter(finished_at__isnull=True).exists()


def test_withdrawal_and_stop_end_the_dossier(
    world: World, received: Dossier, reception, leader
) -> None:
    dossier = actions.withdraw(
        received, by=reception, reason="Công dân xin rút", at=at("2025-08-05")
    )
    assert (dossier.status, dossier.end_type, dossier.outcome) == (
        Status.WITHDRAWN,
        EndType.WITHDRAWN,
        "",
    )
    with pytest.raises(IllegalTransition):
        actions.stop(dossier, by=leader, reason="x", at=at("2025-08-05", 10))


@pytest.mark.parametrize(
    "move",
    [
        lambda d, u: actions.return_result(d, by=u["reception"], at=at("2025-08-05")),
        lambda d, u: actions.supplement_received(d, by=u["reception"], at=at("2025-08-05")),
        lambda d, u: actions.record_payment(
            d, by=u["reception"], amount_vnd=1, at=at("2025-08-05")
        ),
        lambda d, u: actions.receive_submitted(d, by=u["reception"], at=at("2025-08-05")),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(received: Dossier, reception, move) -> None:
    events = DossierEvent.objects.count()
    with pytest.raises(IllegalTransition):
        move(received, {"reception": reception})
    received.refresh_from_db()
    assert received.status == Status.RECEIVED and received.row_version == 1
    assert DossierEvent.objects.count() == events


@pytest.mark.parametrize(
    ("who", "move"),
    [
        ("reception", lambda d, u: actions.resolve(d, by=u, at=at("2025-08-05"))),
        ("specialist", lambda d, u: actions.refuse(d, by=u, reason="x", at=at("2025-08-05"))),
        ("specialist", lambda d, u: actions.stop(d, by=u, reason="x", at=at("2025-08-05"))),
        (
            "reception",
            lambda d, u: actions.reschedule(
                d, by=u, new_due=at("2025-08-12", 17), reason="x", at=at("2025-08-05")
            ),
        ),
        ("specialist", lambda d, u: actions.withdraw(d, by=u, at=at("2025-08-05"))),
    ],
)
def test_actions_outside_the_role_are_refused(received: Dossier, request, who: str, move) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        move(received, user)
    received.refresh_from_db()
    assert received.status == Status.RECEIVED


def test_another_communes_officer_cannot_act(received: Dossier, reception_b) -> None:
    with pytest.raises(NotAllowed):
        actions.withdraw(received, by=reception_b, at=at("2025-08-05"))


def test_a_stale_form_is_refused(received: Dossier, reception, specialist, leader) -> None:
    actions.hand_over(
        received, by=reception, to=specialist, expected_version=1, at=at("2025-08-04", 10)
    )
    with pytest.raises(StaleDossier, match="vừa được người khác cập nhật"):
        actions.resolve(received, by=leader, expected_version=1, at=at("2025-08-05"))


def test_every_action_appends_one_event_and_events_are_never_rewritten(
    received: Dossier, reception, specialist, leader
) -> None:
    dossier = actions.hand_over(received, by=reception, to=specialist, at=at("2025-08-04", 10))
    dossier = actions.resolve(dossier, by=leader, at=at("2025-08-05"))
    dossier = actions.return_result(dossier, by=reception, at=at("2025-08-06"))
    events = list(dossier.events.order_by("id"))
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        (Action.RECEIVE, "", Status.RECEIVED),
        (Action.HAND_OVER, Status.RECEIVED, Status.PROCESSING),
        (Action.RESOLVE, Status.PROCESSING, Status.RESOLVED),
        (Action.RETURN_RESULT, Status.RESOLVED, Status.RETURNED),
    ]
    assert events[1].actor == reception
    with pytest.raises(RuntimeError):
        events[0].save()


def test_allowed_actions_follow_role_and_status(received: Dossier, reception, leader) -> None:
    assert set(actions.allowed_actions(received, reception)) == {
        Action.HAND_OVER,
        Action.REQUEST_SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.WITHDRAW,
    }
    assert Action.RESOLVE in actions.allowed_actions(received, leader)
    assert Action.RETURN_RESULT not in actions.allowed_actions(received, reception)
