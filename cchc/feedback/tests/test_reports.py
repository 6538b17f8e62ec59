"""The figures reports reuse: satisfaction by level over a unit's subtree and a period, and PAKN
answered on time or late, or still open within time or overdue, as of a moment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cchc.accounts.models import User
from cchc.dossiers.models import Dossier
from cchc.feedback import pakn, reports
from cchc.feedback.choices import Category
from cchc.feedback.models import Rating
from cchc.feedback.tests.support import send
from cchc.testing import World, at

pytestmark = pytest.mark.django_db


def rating(dossier: Dossier, level: int, when: dt.datetime, unit=None) -> Rating:
    # Reports read stored rows: build them directly, as many as a period needs.
    return Rating.objects.create(
        dossier=dossier,
        level=level,
        channel="lookup",
        created_at=when,
        processing_unit=unit or dossier.processing_unit,
        receiving_unit=dossier.receiving_unit,
        procedure=dossier.procedure,
    )


def clone(dossier: Dossier, n: int) -> Dossier:
    return Dossier.objects.create(
        **{
            f.attname: getattr(dossier, f.attname)
            for f in Dossier._meta.concrete_fields
            if f.attname not in ("id", "code", "external_id")
        },
        code=f"{dossier.code}-{n}",
    )


def test_satisfaction_counts_levels_over_the_subtree_and_period(
    world: World, returned: Dossier
) -> None:
    rating(returned, 5, at("2025-08-07", 10))
    rating(clone(returned, 1), 4, at("2025-08-31", 23, 59))
    rating(clone(returned, 2), 2, at("2025-08-15"))
    rating(clone(returned, 3), 5, at("2025-09-01", 0, 1))  # next period
    rating(clone(returned, 4), 1, at("2025-08-10"), unit=world.commune_b)  # another commune
    august = reports.satisfaction(world.commune_a, dt.date(2025, 8, 1), dt.date(2025, 8, 31))
    assert august.by_level == {5: 1, 4: 1, 3: 0, 2: 1, 1: 0}
    assert august.total == 3 and august.satisfied == 2
    assert august.satisfied_share == Decimal("66.7")
    province = reports.satisfaction(world.province, dt.date(2025, 8, 1), dt.date(2025, 8, 31))
    assert province.total == 4 and province.satisfied_share == Decimal("50.0")


def test_no_rating_gives_no_share(world: World) -> None:
    empty = reports.satisfaction(world.province, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert empty.total == 0 and empty.satisfied_share is None


def test_feedback_timeliness_as_of_a_moment(world: World, reception: User, bob: User) -> None:
    # All received Mon 02/03/2026: answer due Mon 16/03/2026 17:00.
    on_time = pakn.classify(send(world), by=reception, category=Category.WITHIN)
    pakn.answer(on_time, by=reception, text="Đúng hạn", at=at("2026-03-16", 16))
    late = pakn.classify(send(world), by=reception, category=Category.WITHIN)
    pakn.answer(late, by=reception, text="Muộn", at=at("2026-03-18"))
    send(world)  # never answered
    rejected = send(world)
    pakn.reject(rejected, by=reception, reason="Không rõ nội dung", at=at("2026-03-03"))
    send(world, unit=world.commune_b)  # other commune, open

    before_due = reports.feedback_timeliness(world.commune_a, at("2026-03-16", 16, 30))
    assert (
        before_due.answered_on_time,
        before_due.answered_late,
        before_due.open_within_time,
        before_due.open_overdue,
    ) == (1, 0, 2, 0)
    assert before_due.indicator_8 == 2

    later = reports.feedback_timeliness(world.commune_a, at("2026-03-20"))
    assert (later.answered_on_time, later.answered_late, later.open_overdue) == (1, 1, 1)
    assert later.on_time_share == Decimal("33.3") and later.indicator_8 == 0

    province = reports.feedback_timeliness(world.province, at("2026-03-20"))
    assert province.total == later.total + 1 and province.open_overdue == 2


def test_indicator_8_thresholds() -> None:
    assert reports.Timeliness(9, 1, 0, 0).indicator_8 == 1
    assert reports.Timeliness(8, 1, 0, 1).indicator_8 == 0
    assert reports.Timeliness(0, 0, 3, 0).indicator_8 == 2
