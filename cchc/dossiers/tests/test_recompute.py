"""A day off decreed after the fact moves the due moment of the open dossiers it falls within."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.dossiers import actions
from cchc.dossiers.models import Dossier
from cchc.testing import at
from cchc.worktime.actions import add_day_off

pytestmark = pytest.mark.django_db


def decree_day_off(day: dt.date) -> None:
    add_day_off(
        day,
        name="Nghỉ đột xuất",
        legal_basis="Thông báo số 1/TB",
        reason="Chính phủ cho nghỉ",
        actor=None,
    )


def test_an_open_dossier_gets_a_new_due_moment_and_history_says_why(received: Dossier) -> None:
    decree_day_off(dt.date(2025, 8, 6))
    received.refresh_from_db()
    assert received.original_due_at == received.due_at == at("2025-08-08", 17)
    event = received.events.get(action="recompute_due")
    assert event.reason == "Chính phủ cho nghỉ"
    assert event.data["old_due"].startswith("2025-08-07T17:00")
    # The body holding the dossier (reception, since Mon 04/08 09:00) keeps its own due moment,
    # which the new day off does not touch; the next step's time starts when it receives it.
    first, last = received.steps.order_by("position")
    assert first.started_at == at("2025-08-04", 9) and first.due_at == at("2025-08-04", 17)
    assert last.due_at is None


def test_a_day_off_after_the_due_day_changes_nothing(received: Dossier) -> None:
    decree_day_off(dt.date(2025, 8, 12))
    received.refresh_from_db()
    assert received.due_at == at("2025-08-07", 17)
    assert not received.events.filter(action="recompute_due").exists()


def test_a_finished_dossier_keeps_its_judged_outcome(received: Dossier, leader) -> None:
    dossier = actions.resolve(received, by=leader, at=at("2025-08-07", 16))
    decree_day_off(dt.date(2025, 8, 6))
    dossier.refresh_from_db()
    assert (dossier.original_due_at, dossier.outcome) == (at("2025-08-07", 17), "on_time")


def test_a_rescheduled_dossier_keeps_the_promised_date_but_its_original_due_moves(
    received: Dossier, leader
) -> None:
    actions.reschedule(
        received,
        by=leader,
        new_due=at("2025-08-12", 17),
        reason="Chờ xác minh",
        at=at("2025-08-05", 9),
    )
    decree_day_off(dt.date(2025, 8, 6))
    received.refresh_from_db()
    assert received.due_at == at("2025-08-12", 17)
    assert received.original_due_at == at("2025-08-08", 17)


def test_a_day_off_added_in_the_admin_moves_an_open_dossier(received: Dossier) -> None:
    from django.test import Client

    from cchc.testing import make_user

    admin = make_user("root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/quan-tri/worktime/calendarday/day/2025-08-06/",
        {
            "kind": "holiday",
            "name": "Nghỉ đột xuất",
            "legal_basis": "Thông báo 1/TB",
            "source": "official",
            "reason": "Quyết định mới",
        },
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.due_at == at("2025-08-08", 17)
    assert received.events.get(action="recompute_due").reason == "Quyết định mới"
