"""A handful of demo dossiers, made through the real actions, so that a fresh `make run` shows
the one-stop at work: every worklist has something in it, the tracking page has codes to look
up, and the history, the control slip and the ratings have content.

Moments are counted back from now on the working calendar, so "due tomorrow" and "overdue" are
true whenever the demo is loaded. Applicants are invented, with phone numbers in the
0900 000 0xx range and no e-mail address (the demo's SMS go to a file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cchc.accounts.models import User
from cchc.catalogue.models import Procedure
from cchc.dossiers import actions
from cchc.dossiers.models import Dossier
from cchc.feedback.choices import RatingChannel
from cchc.feedback.ratings import rate_dossier
from cchc.units.choices import Role
from cchc.units.models import Unit
from cchc.worktime.deadlines import WorkCalendar
from cchc.worktime.snapshot import load_calendar


@dataclass(frozen=True)
class Staff:
    reception: User
    specialist: User
    leader: User

    def for_role(self, role: str) -> User | None:
        """Who takes a step of this role; None for a step done by another body."""
        people: dict[str, User] = {
            Role.RECEPTION: self.reception,
            Role.SPECIALIST: self.specialist,
            Role.LEADER: self.leader,
        }
        return people.get(role)


@dataclass(frozen=True)
class Scenario:
    """One demo dossier: what it is, when it came in (working days ago, hour) and where it got."""

    procedure: str
    applicant: str
    days_ago: int
    hour: int
    story: Callable[[Dossier, Staff, Callable[[int, int], dt.datetime]], Any]


def _through_steps(d: Dossier, staff: Staff, at: dt.datetime, *, stop_before_last: bool) -> Dossier:
    """Hand the dossier over step by step, an hour apart, as far as the last step (or the one
    before it)."""
    steps = list(d.steps.order_by("position"))
    last = len(steps) - (1 if stop_before_last else 0)
    for i, step in enumerate(steps[1:last], start=1):
        d = actions.hand_over(
            d, by=staff.reception if i == 1 else _holder(d, staff), to=staff.for_role(step.role),
            at=at + dt.timedelta(hours=i),
        )  # fmt: skip
    return d


def _holder(d: Dossier, staff: Staff) -> User:
    return d.assignee or staff.specialist


def _returned(rating: int | None) -> Callable[..., Any]:
    def story(d: Dossier, staff: Staff, moment: Callable[[int, int], dt.datetime]) -> None:
        d = _resolved(d, staff, moment)
        d = actions.return_result(d, by=staff.reception, at=moment(0, 6))
        if rating is not None:
            rate_dossier(
                d, level=rating, channel=RatingChannel.LOOKUP, phone=d.applicant_phone,
                at=moment(0, 6) + dt.timedelta(minutes=10),
            )  # fmt: skip

    return story


def _resolved(d: Dossier, staff: Staff, moment: Callable[[int, int], dt.datetime]) -> Dossier:
    d = _through_steps(d, staff, moment(0, 0) + dt.timedelta(minutes=30), stop_before_last=False)
    return actions.resolve(d, by=staff.leader, at=moment(0, 5))


def _with_specialist(d: Dossier, staff: Staff, moment: Callable[[int, int], dt.datetime]) -> None:
    actions.hand_over(
        d, by=staff.reception, to=staff.specialist, at=moment(0, 0) + dt.timedelta(hours=1)
    )


def _waiting_for_leader(
    d: Dossier, staff: Staff, moment: Callable[[int, int], dt.datetime]
) -> None:
    _through_steps(d, staff, moment(0, 0) + dt.timedelta(minutes=30), stop_before_last=True)


def _supplement(d: Dossier, staff: Staff, moment: Callable[[int, int], dt.datetime]) -> None:
    d = actions.hand_over(
        d, by=staff.reception, to=staff.specialist, at=moment(0, 0) + dt.timedelta(hours=1)
    )
    actions.request_supplement(
        d, by=staff.specialist, at=moment(0, 0) + dt.timedelta(hours=3),
        items=[actions.MissingItem("Bản sao Giấy chứng nhận quyền sử dụng đất có chứng thực",
                                   "bản đã nộp là bản photo không chứng thực"),
               actions.MissingItem("Sơ đồ thửa đất có xác nhận của thôn",
                                   "chưa có trong hồ sơ")],
    )  # fmt: skip


def _rescheduled(d: Dossier, staff: Staff, moment: Callable[[int, int], dt.datetime]) -> None:
    d = actions.hand_over(
        d, by=staff.reception, to=staff.specialist, at=moment(0, 0) + dt.timedelta(hours=1)
    )
    assert d.due_at is not None
    calendar = load_calendar(d.processing_unit)
    # A new date the citizen can come on: the closing of a working day a week of work later.
    new_due = calendar.closing(calendar.add_working_days(timezone.localdate(d.due_at), 5))
    actions.reschedule(
        d, by=staff.specialist, at=moment(0, 0) + dt.timedelta(hours=4), new_due=new_due,
        reason="Chờ kết quả xác minh từ nơi đăng ký thường trú trước đây.",
    )  # fmt: skip


def _payment(d: Dossier, staff: Staff, moment: Callable[[int, int], dt.datetime]) -> None:
    d = actions.hand_over(
        d, by=staff.reception, to=staff.specialist, at=moment(0, 0) + dt.timedelta(hours=1)
    )
    d = actions.request_payment(
        d,
        by=staff.specialist,
        amount_vnd=150_000,
        at=moment(0, 0) + dt.timedelta(hours=2),
        note="Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ",
    )
    # A part payment: the dossier keeps waiting for the rest.
    actions.record_payment(
        d, by=staff.reception, amount_vnd=50_000, receipt_number="BL-0000123",
        at=moment(0, 0) + dt.timedelta(hours=3),
    )  # fmt: skip


def _extended(d: Dossier, staff: Staff, moment: Callable[[int, int], dt.datetime]) -> None:
    """A marriage registration that needs verification: the lawful 5 working days, not an
    apology."""
    d = actions.hand_over(
        d, by=staff.reception, to=staff.specialist, at=moment(0, 0) + dt.timedelta(minutes=30)
    )
    actions.extend(
        d, by=staff.specialist, at=moment(0, 0) + dt.timedelta(hours=1),
        reason="Cần xác minh tình trạng hôn nhân tại nơi cư trú trước đây của bên nữ.",
    )  # fmt: skip


def _nothing(d: Dossier, staff: Staff, moment: Callable[[int, int], dt.datetime]) -> None:
    return None


SCENARIOS = [
    Scenario("1.001193", "Nguyễn Văn An", 12, 8, _returned(5)),
    Scenario("2.000815", "Trần Thị Bình", 9, 9, _returned(4)),
    Scenario("1.000894", "Lê Văn Cường", 7, 10, _returned(None)),
    Scenario("1.004873", "Phạm Thị Dung", 6, 8, _returned(5)),
    Scenario("1.001022", "Hoàng Văn Em", 5, 14, _resolved),
    Scenario("1.004859", "Vũ Thị Gấm", 4, 9, _resolved),
    Scenario("1.012753", "Đặng Văn Hải", 10, 9, _with_specialist),
    Scenario("1.013225", "Bùi Thị Hương", 3, 10, _waiting_for_leader),
    Scenario("1.004873", "Ngô Văn Khánh", 2, 15, _with_specialist),  # due tomorrow or so
    Scenario("1.011607", "Đỗ Thị Lan", 8, 8, _with_specialist),  # overdue
    Scenario("1.012753", "Mai Văn Long", 1, 9, _supplement),
    Scenario("1.004884", "Trịnh Thị Mơ", 4, 10, _rescheduled),
    Scenario("1.013227", "Lý Văn Phúc", 3, 9, _payment),
    Scenario("1.000894", "Chu Văn Quang", 1, 8, _extended),
    Scenario("1.001193", "Phan Văn Nam", 0, 8, _nothing),
]


@transaction.atomic
def load_demo_dossiers(unit_code: str = "16300", now: dt.datetime | None = None) -> int:
    """Create the demo dossiers at `unit_code` unless it already has dossiers; returns how many."""
    unit = Unit.objects.current().get(code=unit_code)
    if Dossier.objects.filter(processing_unit=unit).exists():
        return 0
    staff = Staff(
        reception=_member(unit, Role.RECEPTION),
        specialist=_member(unit, Role.SPECIALIST),
        leader=_member(unit, Role.LEADER),
    )
    calendar = load_calendar(unit)
    current = now or timezone.now()
    today = timezone.localdate(current)
    made = 0
    for n, scenario in enumerate(SCENARIOS, start=1):
        procedure = Procedure.objects.get(code=scenario.procedure)
        version = procedure.version_at(today)
        assert version is not None
        received = _moment(calendar, today, scenario.days_ago, scenario.hour)
        if received > current:  # loaded before that hour: the afternoon of the day before
            received = _moment(calendar, today, scenario.days_ago + 1, 16)
        receipt = actions.Receipt(
            procedure_code=scenario.procedure,
            processing_unit=unit,
            applicant=actions.Applicant(
                name=scenario.applicant,
                phone=f"09000000{n:02d}",
                address="Thôn Đông, " + unit.name,
            ),
            documents=[
                actions.ReceivedDocument(position=d.position, originals=1)
                for d in version.documents.all()
                if d.required
            ],
        )
        dossier = actions.receive_dossier(receipt, by=staff.reception, at=received)

        def moment(days_later: int, hour: int, _received: dt.datetime = received) -> dt.datetime:
            return _received + dt.timedelta(days=days_later, hours=hour)

        scenario.story(dossier, staff, moment)
        made += 1
    return made


def _member(unit: Unit, role: str) -> User:
    return User.objects.filter(memberships__unit=unit, memberships__role=role).order_by("pk")[0]


def _moment(calendar: WorkCalendar, today: dt.date, days_ago: int, hour: int) -> dt.datetime:
    """`hour` o'clock on the working day `days_ago` working days before today (today if 0)."""
    day = today if calendar.is_working_day(today) else calendar.previous_working_day(today)
    for _ in range(days_ago):
        day = calendar.previous_working_day(day)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
