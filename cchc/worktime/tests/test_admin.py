"""Admin pages: the year grid, editing a day, importing a notice, closures; all audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cchc.accounts.models import User
from cchc.testing import World, logged_in, make_user
from cchc.worktime.choices import ChangeAction, DayKind
from cchc.worktime.deadlines import TZ, Duration, due
from cchc.worktime.models import CalendarChange, CalendarDay, OfficeHours, UnitClosure
from cchc.worktime.snapshot import load_calendar


@pytest.fixture
def ada(db: Any) -> User:
    return make_user("ada", is_staff=True, is_superuser=True)


@pytest.fixture
def client(ada: User) -> Client:
    return logged_in(ada)


def test_the_year_view_shows_every_month_and_entry(client: Client) -> None:
    response = client.get("/quan-tri/worktime/calendarday/year/2025/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tháng 12" in html
    assert 'class="makeup_working"' in html
    assert "Nghỉ hoán đổi (làm bù Thứ Bảy 26/04/2025)" in html
    assert "/quan-tri/worktime/calendarday/day/2025-04-26/" in html


def test_the_changelist_links_to_the_year_view(client: Client) -> None:
    html = client.get("/quan-tri/worktime/calendarday/").content.decode()
    assert "/quan-tri/worktime/calendarday/import/" in html


def test_editing_a_day_changes_answers_and_is_audited(client: Client, ada: User) -> None:
    url = "/quan-tri/worktime/calendarday/day/2026-11-24/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": DayKind.HOLIDAY,
            "name": "Ngày Văn hóa Việt Nam",
            "legal_basis": "Luật (thử)",
            "source": "official",
            "reason": "Luật mới",
        },
    )
    assert response.status_code == 302
    assert not load_calendar().is_working_day(dt.date(2026, 11, 24))
    start = dt.datetime(2026, 11, 23, 9, tzinfo=TZ)
    assert due(start, Duration.working_days(1), load_calendar()) == dt.datetime(
        2026, 11, 25, 17, tzinfo=TZ
    )
    change = CalendarChange.objects.get(date=dt.date(2026, 11, 24))
    assert (change.actor, change.reason, change.action) == (ada, "Luật mới", ChangeAction.DAY_SET)
    # Back to an ordinary day.
    client.post(
        url, {"kind": "", "name": "", "legal_basis": "", "source": "official", "reason": "Nhầm"}
    )
    assert load_calendar().is_working_day(dt.date(2026, 11, 24))


def test_a_day_edit_without_reason_is_refused(client: Client) -> None:
    response = client.post(
        "/quan-tri/worktime/calendarday/day/2026-11-24/",
        {"kind": "holiday", "name": "x", "source": "official", "reason": ""},
    )
    assert response.status_code == 200
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 24)).exists()


def test_a_weekday_make_up_day_is_refused_in_the_form(client: Client) -> None:
    response = client.post(
        "/quan-tri/worktime/calendarday/day/2026-11-25/",
        {"kind": "makeup_working", "name": "x", "source": "official", "reason": "r"},
    )
    assert "Thứ Bảy hoặc Chủ nhật" in response.content.decode()


def test_the_standard_add_form_goes_through_the_action(client: Client, ada: User) -> None:
    response = client.post(
        "/quan-tri/worktime/calendarday/add/",
        {
            "date": "2026-11-24",
            "kind": "holiday",
            "name": "Ngày Văn hóa Việt Nam",
            "legal_basis": "x",
            "source": "official",
            "reason": "Thêm",
        },
    )
    assert response.status_code == 302
    assert CalendarChange.objects.filter(date=dt.date(2026, 11, 24), actor=ada).exists()
    assert not load_calendar().is_working_day(dt.date(2026, 11, 24))


def test_removing_an_entry_asks_for_a_reason(client: Client) -> None:
    entry = CalendarDay.objects.get(date=dt.date(2026, 9, 1))
    url = f"/quan-tri/worktime/calendarday/{entry.pk}/remove/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "Thông báo chính thức chọn ngày khác"}).status_code == 302
    assert not CalendarDay.objects.filter(date=dt.date(2026, 9, 1)).exists()
    assert client.get(f"/quan-tri/worktime/calendarday/{entry.pk}/delete/").status_code in (
        302,
        403,
    )


def test_importing_a_notice_from_the_admin(client: Client) -> None:
    content = "ngay,loai,ten,can_cu\n31/08/2026,hoan doi,Nghỉ hoán đổi,TB 1\n22/08/2026,lam bu,Làm bù,TB 1\n".encode()
    response = client.post(
        "/quan-tri/worktime/calendarday/import/",
        {"file": SimpleUploadedFile("tb.csv", content), "reason": "TB 1"},
    )
    assert response.status_code == 302
    assert load_calendar().is_working_day(dt.date(2026, 8, 22))


def test_a_faulty_import_shows_every_error(client: Client) -> None:
    content = b"ngay,loai,ten,can_cu\n31/02/2026,le,x,y\n"
    response = client.post(
        "/quan-tri/worktime/calendarday/import/",
        {"file": SimpleUploadedFile("tb.csv", content), "reason": "x"},
    )
    assert response.status_code == 200
    assert "Dòng 2, cột «ngay»" in response.content.decode()


def test_prefill_from_the_admin(client: Client) -> None:
    assert client.get("/quan-tri/worktime/calendarday/prefill/?year=2031").status_code == 200
    assert (
        client.post(
            "/quan-tri/worktime/calendarday/prefill/", {"year": "2031", "reason": "Năm mới"}
        ).status_code
        == 302
    )
    assert CalendarDay.objects.in_year(2031).exists()


def test_unit_closures_and_office_hours_from_the_admin(client: Client, world: World) -> None:
    response = client.post(
        "/quan-tri/worktime/unitclosure/add/",
        {"unit": world.commune_a.pk, "date": "2025-03-06", "reason": "Lễ hội"},
    )
    assert response.status_code == 302
    assert not load_calendar(world.commune_a).is_working_day(dt.date(2025, 3, 6))
    closure = UnitClosure.objects.get()
    assert (
        client.post(
            f"/quan-tri/worktime/unitclosure/{closure.pk}/remove/", {"reason": "Hoãn lễ hội"}
        ).status_code
        == 302
    )
    assert load_calendar(world.commune_a).is_working_day(dt.date(2025, 3, 6))

    response = client.post(
        "/quan-tri/worktime/officehours/add/",
        {
            "unit": world.commune_b.pk,
            "morning_start": "07:00",
            "morning_end": "11:00",
            "afternoon_start": "13:30",
            "afternoon_end": "17:30",
            "same_day_cutoff": "15:00",
            "reason": "Giờ hè",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OfficeHours.objects.get(unit=world.commune_b).afternoon_end == dt.time(17, 30)
    assert CalendarChange.objects.filter(
        action=ChangeAction.HOURS_SET, unit=world.commune_b
    ).exists()


def test_the_audit_trail_is_read_only_in_the_admin(client: Client) -> None:
    assert client.get("/quan-tri/worktime/calendarchange/").status_code == 200
    assert client.get("/quan-tri/worktime/calendarchange/add/").status_code == 403


def test_staff_without_permission_cannot_edit(db: Any) -> None:
    clerk = make_user("clerk", is_staff=True)
    client = logged_in(clerk)
    assert client.get("/quan-tri/worktime/calendarday/year/2025/").status_code == 403
    assert (
        client.post(
            "/quan-tri/worktime/calendarday/day/2026-11-24/",
            {"kind": "holiday", "name": "x", "source": "official", "reason": "r"},
        ).status_code
        == 403
    )
