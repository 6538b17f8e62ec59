"""TT 01/2018 indicators from hand-computed data (`index_data.august`): each dossier's scores,
the unit's nine indicators and its band, the officers' figures and points, indicator 8 as the
feedback app counts it, and the scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cchc.accounts.models import User
from cchc.feedback.reports import feedback_timeliness
from cchc.reports import indicators as ind
from cchc.reports import service_index as si
from cchc.reports.scoring import band_of, config
from cchc.reports.tests.index_data import AFTER, AUGUST, August, Staff, august, communes
from cchc.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world: World, reception: User, specialist: User, leader: User) -> August:
    return august(world, Staff(reception, specialist, leader))


def test_each_dossier_scores(world: World, data: August) -> None:
    ids = si.units_in(world.commune_a, subtree=False)
    scores = {d.code: d.scores for d in ind.dossier_scores(ids, *AUGUST)}
    # Decided in August: D1, D2, D3, D5 (refused at the one-stop centre), D6.
    assert set(scores) == {data.d1.code, data.d2.code, data.d3.code, data.d5.code, data.d6.code}
    assert scores[data.d1.code] == {1: 2, 2: 1, 3: 2, 4: 2, 6: 2, 7: 2}
    # D2: on time, its specialist late, one supplement, a complaint about the attitude.
    assert scores[data.d2.code] == {1: 1, 2: 0, 3: 1, 4: 1, 6: 2, 7: 0}
    # D3: late, another body late, asked to complete before receipt.
    assert scores[data.d3.code] == {1: 0, 2: 0, 3: 1, 4: 1, 6: 2, 7: 0}
    # D5, D6: no timed steps (indicator 2 not assessable).
    assert scores[data.d5.code] == {1: 2, 2: None, 3: 2, 4: 2, 6: 2, 7: 2}
    assert scores[data.d6.code] == {1: 1, 2: None, 3: 2, 4: 2, 6: 2, 7: 1}


def test_the_nine_indicators_of_commune_a(world: World, data: August) -> None:
    result = ind.unit_indicators(world.commune_a, *AUGUST, now=AFTER)
    assert result.dossiers == 5
    got = {i.number: i.score for i in result.indicators}
    assert got == {
        1: Decimal("1.2"),  # (2 + 1 + 0 + 2 + 1) / 5
        2: Decimal("0.3"),  # (1 + 0 + 0) / 3
        3: Decimal("1.6"),
        4: Decimal("1.6"),
        5: None,
        6: Decimal("2.0"),
        7: Decimal("1.0"),
        8: Decimal(0),  # 1 of 3 PAKN on time
        9: Decimal(0),  # 33 % online but D3 (online) late: the literal rule gives 0
    }
    assert result.indicator(5).note and not result.indicator(5).assessable
    assert result.indicator(9).detail["online_resolved_late"] == 1
    assert result.total == Decimal("7.7") and result.assessed == 8
    # 7,7 over 8 indicators, on the 18-point scale: 8,7 → Trung bình (6 to under 9).
    assert result.scaled_total == Decimal("8.7") and result.band == "average"


def test_indicator_8_counts_as_the_feedback_app_does(world: World, data: August) -> None:
    # Every PAKN of commune A was received in August: the period's figures are the app's.
    end = si.day_bounds(*AUGUST)[1]
    app = feedback_timeliness(world.commune_a, end)
    result = ind.unit_indicators(world.commune_a, *AUGUST, now=AFTER).indicator(8)
    assert (app.answered_on_time, app.answered_late, app.open_overdue) == (
        result.detail["answered_on_time"],
        result.detail["answered_late"],
        result.detail["open_overdue"],
    )
    assert result.score == app.indicator_8


def test_indicator_9_bands() -> None:
    cfg = config().tt01

    def nine(online_procedures: int, received_online: int, late: int) -> Decimal | None:
        s = ind._Sums(
            inputs=si.Inputs(
                procedures_implemented=10,
                received=100,
                received_online=received_online,
                online_resolved=received_online,
                online_on_time=received_online - late,
            ),
            procedures_online_any=online_procedures,
        )
        return ind._indicator_9(s, cfg).score

    assert nine(2, 30, 0) == 2
    assert nine(1, 30, 0) == 0  # 10 % of procedures online
    assert nine(2, 30, 1) == 0
    assert nine(2, 15, 0) == 1
    assert nine(2, 29, 3) == 1
    assert nine(2, 14, 0) == 0


def test_bands_are_the_texts() -> None:
    bands = config().tt01
    assert [band_of(Decimal(v), bands.unit_bands) for v in (15, "14.9", 12, 9, 6, "5.9")] == [
        "excellent",
        "good",
        "good",
        "fair",
        "average",
        "weak",
    ]
    assert [band_of(Decimal(v), bands.officer_bands) for v in (5, "4.9", "3.5", "3.4")] == [
        "complete",
        "mostly",
        "mostly",
        "under",
    ]


def test_officers(world: World, data: August) -> None:
    ids = si.units_in(world.commune_a, subtree=False)
    rows = {o.username: o for o in ind.officer_indicators(ids, *AUGUST, now=AFTER)}
    lan, minh, hung = rows["lan"], rows["minh"], rows["hung"]
    assert (lan.steps, lan.early, lan.on_time, lan.late, lan.dossiers) == (3, 2, 1, 0, 3)
    # Minh handed D3's step of another body on: it is counted as his.
    assert (minh.steps, minh.early, minh.on_time, minh.late, minh.dossiers) == (3, 1, 0, 2, 3)
    assert (hung.steps, hung.early, hung.on_time, hung.late, hung.dossiers) == (2, 1, 1, 0, 2)
    assert (lan.completion_requests, lan.supplement_requests) == (1, 0)
    assert (minh.completion_requests, minh.supplement_requests) == (0, 1)
    assert (lan.rated, lan.satisfied) == (2, 1) and (hung.rated, hung.satisfied) == (1, 1)
    assert lan.means == {
        1: Decimal("1.0"),
        2: Decimal("1.7"),
        3: Decimal("1.3"),
        4: Decimal("1.3"),
        7: Decimal("0.7"),
    }
    assert lan.points == Decimal("6.0") and lan.band == "complete"
    assert minh.points == Decimal("5.0") and minh.band == "complete"
    assert hung.points == Decimal("6.5")


def test_queries_do_not_grow_with_units(world: World, data: August) -> None:
    ids = si.units_in(world.province, subtree=True)
    ind.children_indicators(world.province, *AUGUST, now=AFTER)
    with CaptureQueriesContext(connection) as few:
        ind.children_indicators(world.province, *AUGUST, now=AFTER)
        ind.officer_indicators(ids, *AUGUST, now=AFTER)
    communes(world, 0, 20)
    more = si.units_in(world.province, subtree=True)
    assert len(more) == len(ids) + 20
    with CaptureQueriesContext(connection) as many:
        ind.children_indicators(world.province, *AUGUST, now=AFTER)
        ind.officer_indicators(more, *AUGUST, now=AFTER)
    assert len(many) == len(few)


def test_children_add_up_to_the_province(world: World, data: August) -> None:
    children = ind.children_indicators(world.province, *AUGUST, now=AFTER)
    assert [c.unit.code for c in children] == [world.commune_a.code, world.commune_b.code]
    a = children[0]
    assert a.total == ind.unit_indicators(world.commune_a, *AUGUST, now=AFTER).total
    assert children[1].dossiers == 1  # D8


def test_a_user_of_another_commune_is_refused(world: World, data: August, bob: User) -> None:
    with pytest.raises(Http404):
        si.scoped_unit(bob, world.commune_a.code)
