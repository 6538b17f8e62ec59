"""Calendar actions: audit rows, the recompute hook, CSV import, and snapshots that follow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.testing import World, make_user
from cchc.worktime import actions, snapshot
from cchc.worktime.actions import CalendarChangeEvent, CalendarError, CalendarImportError
from cchc.worktime.choices import ChangeAction, DayKind, DaySource
from cchc.worktime.deadlines import TZ, Duration, due
from cchc.worktime.models import CalendarChange, CalendarDay, CalendarRevision
from cchc.worktime.snapshot import load_calendar

CULTURE_DAY = dt.date(2026, 11, 24)  # a Tuesday


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_user("ada", is_staff=True, is_superuser=True)


@pytest.fixture
def events() -> Iterator[list[CalendarChangeEvent]]:
    """A dummy recompute receiver, as the dossiers app will register one."""
    seen: list[CalendarChangeEvent] = []
    receiver = actions.register_recompute(seen.append)
    yield seen
    actions.unregister_recompute(receiver)


def test_adding_a_day_off_changes_the_next_answer_immediately(admin_user: User) -> None:
    before = due(at(2026, 11, 23, 9), Duration.working_days(1), load_calendar())
    assert before == at(2026, 11, 24, 17)
    actions.add_day_off(
        CULTURE_DAY,
        name="Ngày Văn hóa Việt Nam",
        legal_basis="Luật sửa đổi BLLĐ (giả định)",
        reason="Thử",
        actor=admin_user,
    )
    assert due(at(2026, 11, 23, 9), Duration.working_days(1), load_calendar()) == at(
        2026, 11, 25, 17
    )


def test_another_process_sees_the_change_through_the_revision_token(admin_user: User) -> None:
    cached = load_calendar()
    token = snapshot.current_token()
    # Simulate another process: it changes the rows and the token, not this process's cache.
    CalendarDay.objects.create(date=CULTURE_DAY, kind=DayKind.HOLIDAY, name="x")
    assert load_calendar() is cached
    CalendarRevision.objects.filter(pk=1).update(token="00000000-0000-0000-0000-000000000001")
    fresh = load_calendar()
    assert fresh is not cached and not fresh.is_working_day(CULTURE_DAY)
    assert snapshot.current_token() != token


def test_every_change_is_audited_with_who_when_and_why(admin_user: User) -> None:
    actions.add_day_off(
        CULTURE_DAY,
        name="Ngày Văn hóa Việt Nam",
        legal_basis="NQ",
        reason="Nghị quyết mới",
        actor=admin_user,
    )
    actions.set_day(
        CULTURE_DAY,
        kind=DayKind.HOLIDAY,
        name="Ngày Văn hóa Việt Nam",
        legal_basis="Luật 2026",
        reason="Có luật",
        actor=admin_user,
    )
    actions.remove_day(CULTURE_DAY, reason="Hủy", actor=admin_user)
    changes = list(CalendarChange.objects.filter(date=CULTURE_DAY).order_by("id"))
    assert [c.action for c in changes] == [
        ChangeAction.DAY_SET,
        ChangeAction.DAY_SET,
        ChangeAction.DAY_REMOVED,
    ]
    assert [c.reason for c in changes] == ["Nghị quyết mới", "Có luật", "Hủy"]
    assert all(
        c.actor == admin_user and c.actor_name == "Ada" and c.at is not None for c in changes
    )
    assert changes[1].before == {
        "kind": "holiday",
        "name": "Ngày Văn hóa Việt Nam",
        "legal_basis": "NQ",
        "source": "official",
    }
    assert changes[1].after is not None and changes[1].after["legal_basis"] == "Luật 2026"


def test_the_audit_trail_is_append_only(admin_user: User) -> None:
    actions.add_day_off(CULTURE_DAY, name="x", legal_basis="y", reason="z", actor=admin_user)
    change = CalendarChange.objects.filter(date=CULTURE_DAY).get()
    change.reason = "rewritten"
    with pytest.raises(TypeError):
        change.save()
    with pytest.raises(TypeError):
        change.delete()
    with pytest.raises(TypeError):
        CalendarChange.objects.filter(date=CULTURE_DAY).update(reason="x")
    with pytest.raises(TypeError):
        CalendarChange.objects.all().delete()


def test_a_change_without_a_reason_is_refused(admin_user: User) -> None:
    with pytest.raises(CalendarError, match="lý do"):
        actions.add_day_off(CULTURE_DAY, name="x", legal_basis="y", reason="  ", actor=admin_user)


def test_a_make_up_day_must_be_a_weekend_day(admin_user: User) -> None:
    with pytest.raises(CalendarError, match="Thứ Bảy"):
        actions.set_day(
            dt.date(2026, 11, 25),
            kind=DayKind.MAKEUP_WORKING,
            name="x",
            reason="r",
            actor=admin_user,
        )


def test_the_hook_tells_receivers_which_dates_changed_and_why(
    admin_user: User, events: list[CalendarChangeEvent]
) -> None:
    actions.add_day_off(
        CULTURE_DAY,
        name="Ngày Văn hóa Việt Nam",
        legal_basis="NQ",
        reason="Ngày lễ mới",
        actor=admin_user,
    )
    (event,) = events
    assert event.dates == {CULTURE_DAY}
    assert (event.reason, event.actor_id, event.unit_id) == ("Ngày lễ mới", admin_user.pk, None)
    # An open dossier received 20/11, due 26/11, spans the new day off; one due 23/11 does not.
    assert event.affects(at(2026, 11, 20, 9), at(2026, 11, 26, 17))
    assert not event.affects(at(2026, 11, 16, 9), at(2026, 11, 23, 17))


def test_a_receiver_recomputes_an_open_due_date_with_the_new_calendar(admin_user: User) -> None:
    """The shape the dossiers app will take: recompute open dossiers, write why, keep outcomes."""
    received = at(2026, 11, 20, 9)
    three = Duration.working_days(3)
    dossiers: list[dict[str, Any]] = [
        {
            "received": received,
            "due": due(received, three, load_calendar()),
            "finished": None,
            "history": [],
        },
        {
            "received": received,
            "due": due(received, three, load_calendar()),
            "finished": at(2026, 11, 24, 10),
            "history": [],
        },
    ]

    def recompute(event: CalendarChangeEvent) -> None:
        cal = load_calendar()
        for dossier in dossiers:
            if dossier["finished"] is None and event.affects(dossier["received"], dossier["due"]):
                dossier["due"] = due(dossier["received"], three, cal)
                dossier["history"].append(event.reason)

    actions.register_recompute(recompute)
    try:
        assert dossiers[0]["due"] == at(2026, 11, 25, 17)
        actions.add_day_off(
            CULTURE_DAY,
            name="Ngày Văn hóa Việt Nam",
            legal_basis="NQ",
            reason="Ngày lễ mới",
            actor=admin_user,
        )
    finally:
        actions.unregister_recompute(recompute)
    assert dossiers[0]["due"] == at(2026, 11, 26, 17)
    assert dossiers[0]["history"] == ["Ngày lễ mới"]
    assert dossiers[1]["due"] == at(2026, 11, 25, 17) and dossiers[1]["history"] == []


def test_a_failing_receiver_rolls_the_calendar_change_back(admin_user: User) -> None:
    def broken(event: CalendarChangeEvent) -> None:
        raise RuntimeError("recompute failed")

    actions.register_recompute(broken)
    try:
        with pytest.raises(RuntimeError):
            actions.add_day_off(
                CULTURE_DAY, name="x", legal_basis="y", reason="z", actor=admin_user
            )
    finally:
        actions.unregister_recompute(broken)
    assert not CalendarDay.objects.filter(date=CULTURE_DAY).exists()
    assert load_calendar().is_working_day(CULTURE_DAY)


def test_prefill_adds_computed_days_and_never_overwrites(admin_user: User) -> None:
    added = actions.prefill_year(2031, reason="Chuẩn bị năm 2031", actor=admin_user)
    assert dt.date(2031, 1, 1) in added
    assert CalendarDay.objects.get(date=dt.date(2031, 1, 1)).source == DaySource.COMPUTED
    assert actions.prefill_year(2025, reason="Lại", actor=admin_user) == []
    assert CalendarDay.objects.get(date=dt.date(2025, 1, 27)).source == DaySource.OFFICIAL


# -- importing a notice ------------------------------------------------------------------------

NOTICE_2026 = """ngay,loai,ten,can_cu
31/08/2026,nghỉ hoán đổi,Nghỉ hoán đổi Quốc khánh,Thông báo số 1/TB-BNV (thử)
22/08/2026,lam_bu,Làm bù cho Thứ Hai 31/08,Thông báo số 1/TB-BNV (thử)
2026-09-01,le,Quốc khánh (ngày liền kề),Thông báo số 1/TB-BNV (thử)
24/11/2026,làm việc,,
"""


def test_an_official_notice_is_imported_as_official_rows(
    admin_user: User, events: list[CalendarChangeEvent]
) -> None:
    summary = actions.import_notice(
        NOTICE_2026.encode("utf-8-sig"), reason="Thông báo 1/TB-BNV", actor=admin_user
    )
    assert sorted(summary.written) == [
        dt.date(2026, 8, 22),
        dt.date(2026, 8, 31),
        dt.date(2026, 9, 1),
    ]
    assert summary.removed == [] and summary.unchanged == 1
    saturday = CalendarDay.objects.get(date=dt.date(2026, 8, 22))
    assert (saturday.kind, saturday.source) == (DayKind.MAKEUP_WORKING, DaySource.OFFICIAL)
    assert CalendarDay.objects.get(date=dt.date(2026, 9, 1)).source == DaySource.OFFICIAL
    cal = load_calendar()
    assert cal.is_working_day(dt.date(2026, 8, 22)) and not cal.is_working_day(dt.date(2026, 8, 31))
    assert len(events) == 1 and events[0].dates == set(summary.written)


def test_an_import_can_make_a_computed_day_ordinary_again(admin_user: User) -> None:
    actions.import_notice(
        "ngay;loai;ten;can_cu\n01/09/2026;ngày làm việc;;\n", reason="Đính chính", actor=admin_user
    )
    assert not CalendarDay.objects.filter(date=dt.date(2026, 9, 1)).exists()
    assert load_calendar().is_working_day(dt.date(2026, 9, 1))


def test_a_faulty_notice_changes_nothing_and_names_every_row_and_column(admin_user: User) -> None:
    faulty = """ngay,loai,ten,can_cu
31/08/2026,hoan doi,Nghỉ hoán đổi,TB 1
31/02/2026,le,Ngày lạ,TB 1
28/08/2026,lam bu,Làm bù,TB 1
29/08/2026,nghi phep,Nghỉ phép,TB 1
30/08/2026,le,,
31/08/2026,le,Trùng,TB 1
"""
    count = CalendarDay.objects.count()
    with pytest.raises(CalendarImportError) as caught:
        actions.import_notice(faulty, reason="Thử", actor=admin_user)
    errors = caught.value.errors
    assert errors == [
        "Dòng 3, cột «ngay»: «31/02/2026» không phải ngày hợp lệ (dạng dd/mm/yyyy).",
        "Dòng 4, cột «loai»: ngày làm bù 28/08/2026 không phải Thứ Bảy hoặc Chủ nhật.",
        "Dòng 5, cột «loai»: «nghi phep» không phải loại ngày hợp lệ (le, tet, nghi_bu, hoan_doi, lam_bu, lam_viec).",
        "Dòng 6, cột «ten»: cần ghi tên ngày.",
        "Dòng 6, cột «can_cu»: cần ghi căn cứ pháp lý (số, ngày văn bản).",
        "Dòng 7, cột «ngay»: ngày 31/08/2026 đã có ở dòng 2.",
    ]
    assert CalendarDay.objects.count() == count
    assert not CalendarDay.objects.filter(date=dt.date(2026, 8, 31)).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Tệp trống"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"ngay,ten\n01/01/2026,x\n", "Thiếu cột: loai, can_cu"),
        (b"ngay,loai,ten,can_cu\n", "không có dòng dữ liệu"),
    ],
)
def test_a_file_that_is_not_a_notice_is_refused(
    admin_user: User, content: bytes, message: str
) -> None:
    with pytest.raises(CalendarImportError, match=message):
        actions.import_notice(content, reason="Thử", actor=admin_user)


# -- units --------------------------------------------------------------------------------------


def test_a_unit_closure_affects_that_unit_and_the_units_under_it_only(
    world: World, admin_user: User
) -> None:
    day = dt.date(2025, 3, 6)
    actions.add_unit_closure(world.commune_a, day, reason="Lễ hội địa phương", actor=admin_user)
    start = at(2025, 3, 5, 9)
    one = Duration.working_days(1)
    assert due(start, one, load_calendar(world.commune_a)) == at(2025, 3, 7, 17)
    assert due(start, one, load_calendar(world.centre_a)) == at(2025, 3, 7, 17)
    assert due(start, one, load_calendar(world.commune_b)) == at(2025, 3, 6, 17)
    assert due(start, one, load_calendar()) == at(2025, 3, 6, 17)
    with pytest.raises(CalendarError):
        actions.add_unit_closure(world.commune_a, day, reason="Lần nữa", actor=admin_user)


def test_office_hours_are_inherited_from_the_nearest_unit_that_has_them(
    world: World, admin_user: User, events: list[CalendarChangeEvent]
) -> None:
    actions.set_office_hours(
        world.province,
        morning=(dt.time(7), dt.time(11)),
        afternoon=(dt.time(13, 30), dt.time(17, 30)),
        reason="Giờ hè",
        actor=admin_user,
    )
    assert events[-1].hours_changed and events[-1].unit_id == world.province.pk
    assert events[-1].affects(at(2025, 3, 5), at(2025, 3, 6), unit_path=world.centre_a.path)
    start = at(2025, 3, 5, 9)
    assert due(start, Duration.working_days(1), load_calendar(world.centre_a)) == at(
        2025, 3, 6, 17, 30
    )
    assert due(start, Duration.working_days(1), load_calendar()) == at(2025, 3, 6, 17)
    row = world.province.office_hours
    actions.remove_office_hours(row, reason="Hết giờ hè", actor=admin_user)
    assert due(start, Duration.working_days(1), load_calendar(world.centre_a)) == at(2025, 3, 6, 17)


def test_office_hours_must_be_ordered(world: World, admin_user: User) -> None:
    with pytest.raises(CalendarError):
        actions.set_office_hours(
            world.commune_a,
            morning=(dt.time(11), dt.time(7)),
            afternoon=(dt.time(13), dt.time(17)),
            reason="x",
            actor=admin_user,
        )
