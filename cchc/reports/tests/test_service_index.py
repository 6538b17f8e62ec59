"""The service index (QĐ 766) from hand-computed data: every sub-indicator's numerator,
denominator and points, the total and its band, the drill-down listing exactly the dossiers,
procedures and PAKN that lost points, and the scope (another unit answers 404)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from cchc.accounts.models import User
from cchc.reports import service_index as si
from cchc.reports.tests.index_data import AFTER, AUGUST, August, august
from cchc.testing import World, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world: World) -> August:
    return august(world)


def test_inputs_of_commune_a_in_august(world: World, data: August) -> None:
    report = si.service_index(world.commune_a, *AUGUST, now=AFTER)
    i = report.inputs
    # Received in August: D1-D5 and D7 (D6 was received in July); online: D2, D3.
    assert (i.received, i.received_online) == (6, 2)
    # Resolved in August: D1 early, D2 on time, D3 late, D5 refused early, D6 on time.
    assert (i.resolved, i.resolved_on_time, i.refused) == (5, 4, 1)
    assert (i.online_resolved, i.online_on_time) == (2, 1)
    assert i.results == 4 and i.results_digital == 2  # D1, D3
    assert i.overdue_open == 1  # D4
    assert i.documents_digitised == 2  # D1, D4
    assert (i.rated, i.satisfied) == (2, 1)
    assert (i.payments, i.payments_online) == (4, 2)
    assert (i.pakn_on_time, i.pakn_late, i.pakn_overdue_open) == (1, 1, 1)
    assert (i.procedures_implemented, i.procedures_in_force, i.procedures_online_full) == (3, 2, 1)
    assert (i.procedures_of_level, i.procedures_decided) == (3, 2)
    assert i.online_on_time_rate == Decimal("50.00")


EXPECTED = {
    # key: (numerator, denominator, points)
    "procedures_published": (2, 3, "2.67"),
    "catalogue_reviewed": (2, 3, "2.67"),
    "on_time": (4, 6, "13.33"),
    "results_digital": (2, 4, "4.00"),
    "documents_digitised": (2, 6, "2.67"),
    "online_procedures": (1, 3, "2.00"),
    "online_dossiers": (2, 6, "2.67"),
    "online_payment": (2, 4, "4.00"),
    "satisfaction": (1, 2, "3.00"),
    "pakn_on_time": (1, 3, "2.00"),
}


def test_each_sub_indicator_and_the_total(world: World, data: August) -> None:
    result = si.service_index(world.commune_a, *AUGUST, now=AFTER).result
    for key, (num, den, pts) in EXPECTED.items():
        sub = result.sub(key)
        assert (sub.numerator, sub.denominator, sub.points) == (num, den, Decimal(pts)), key
        assert sub.assessable
    for key in ("progress_synced", "data_reuse", "pakn_satisfaction"):
        sub = result.sub(key)
        assert not sub.assessable and sub.points is None and sub.note
    assert result.points == Decimal("39.01")
    assert result.assessable_max == Decimal(78)
    # Scaled to what the platform can assess: 39,01 × 100 / 78.
    assert result.score == Decimal("50.01")
    assert result.band == "average"
    assert [g.max for g in result.groups] == [18, 20, 22, 22, 18]
    assert result.sub("on_time").weight_verified and result.sub("satisfaction").weight_verified
    assert not result.sub("online_payment").weight_verified


def test_nothing_to_judge_is_not_assessable_but_no_pakn_is_full_points(world: World) -> None:
    result = si.service_index(world.commune_b, *AUGUST, now=AFTER).result
    assert not result.sub("on_time").assessable
    pakn = result.sub("pakn_on_time")
    assert pakn.assessable and pakn.points == pakn.max and pakn.denominator == 0


LOST = {
    "on_time": {"d3", "d4"},
    "results_digital": {"d2", "d6"},
    "documents_digitised": {"d2", "d3", "d5", "d7"},
    "online_dossiers": {"d1", "d4", "d5", "d7"},
    "online_payment": {"d2", "d3"},
    "satisfaction": {"d2"},
}


@pytest.mark.parametrize("key", sorted(LOST))
def test_drill_down_lists_exactly_the_dossiers_that_lost_points(
    world: World, data: August, key: str
) -> None:
    ids = si.units_in(world.commune_a, subtree=False)
    lost = si.lost_points(ids, key, *AUGUST, now=AFTER)
    assert lost.items_kind == "dossier"
    assert sorted(i.code for i in lost.items) == sorted(getattr(data, d).code for d in LOST[key])
    sub = si.service_index(world.commune_a, *AUGUST, now=AFTER).result.sub(key)
    assert sub.denominator is not None and sub.numerator is not None
    assert lost.total == sub.denominator - sub.numerator


def test_drill_down_of_pakn_and_catalogue(world: World, data: August) -> None:
    ids = si.units_in(world.commune_a, subtree=False)
    pakn = si.lost_points(ids, "pakn_on_time", *AUGUST, now=AFTER)
    assert pakn.items_kind == "feedback"
    assert sorted(i.code for i in pakn.items) == sorted([data.f2.code, data.f3.code])
    published = si.lost_points(ids, "procedures_published", *AUGUST, now=AFTER)
    assert [i.code for i in published.items] == [data.future.code]
    online = si.lost_points(ids, "online_procedures", *AUGUST, now=AFTER)
    assert sorted(i.code for i in online.items) == sorted([world.copy.code, data.future.code])
    reviewed = si.lost_points(ids, "catalogue_reviewed", *AUGUST, now=AFTER)
    assert [i.code for i in reviewed.items] == [data.marriage.code]


def test_an_indicator_the_platform_cannot_measure_has_no_drill_down(world: World) -> None:
    with pytest.raises(si.UnknownIndicator):
        si.lost_points([world.commune_a.pk], "data_reuse", *AUGUST, now=AFTER)
    with pytest.raises(si.UnknownIndicator):
        si.lost_points([world.commune_a.pk], "no-such-thing", *AUGUST, now=AFTER)


def test_a_period_reaching_today_judges_overdue_now(world: World, data: August) -> None:
    # On 14/08 at 18:00 D4 (due 14/08 17:00) is overdue now; D3 was resolved late on 13/08.
    now = at("2025-08-14", 18)
    report = si.service_index(world.commune_a, dt.date(2025, 8, 1), dt.date(2025, 8, 14), now=now)
    assert report.live and report.inputs.overdue_open == 1
    ids = si.units_in(world.commune_a, subtree=False)
    lost = si.lost_points(ids, "on_time", dt.date(2025, 8, 1), dt.date(2025, 8, 14), now=now)
    assert sorted(i.code for i in lost.items) == sorted([data.d3.code, data.d4.code])


def test_another_unit_is_not_found(world: World, data: August, bob: User, carol: User) -> None:
    with pytest.raises(Http404):
        si.service_index_for(bob, world.commune_a.code, *AUGUST, now=AFTER)
    mine = si.service_index_for(carol, world.commune_a.code, *AUGUST, now=AFTER)
    assert mine.inputs.received == 6
