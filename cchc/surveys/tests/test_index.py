"""The SIPAS computation against the hand-computed example of docs/surveys.md."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from cchc.accounts.models import User
from cchc.surveys import actions
from cchc.surveys.index import margin, round_results, unit_index
from cchc.surveys.models import Questionnaire, SurveyRound
from cchc.surveys.tests.support import EXAMPLE_ANSWERS, fill, new_round
from cchc.testing import World, at, make_user
from cchc.units.choices import Role

pytestmark = pytest.mark.django_db


def test_margin_formula() -> None:
    # 1.96 × √(0.6 × 0.4 / 5) × 100 = 42.94 points
    assert margin(60.0, 5) == pytest.approx(42.9414, abs=1e-4)
    assert margin(100.0, 5) == 0 and margin(None, 5) is None and margin(50.0, 0) is None


def test_the_example_by_hand(survey: SurveyRound, carol: User, world: World) -> None:
    fill(survey, carol, world.commune_a, EXAMPLE_ANSWERS)
    results = round_results(survey)
    overall = results.overall
    assert overall.responses == 5 and overall.by_channel["paper"] == 5
    q = {r.code: r for f in overall.factors for c in f.criteria for r in c.questions}
    # Q1: 5 4 3 4 2 → 3 of 5 at 4–5 = 60 %, mean 18/5 = 3.6
    assert q["Q1"].counts == (0, 1, 1, 2, 1) and q["Q1"].satisfied == pytest.approx(60.0)
    assert q["Q1"].mean == pytest.approx(3.6)
    assert q["Q1"].margin == pytest.approx(42.9414, abs=1e-4)
    # Q2: 5 5 4 1 and a blank → 3 of 4 = 75 %, mean 15/4 = 3.75, margin 42.44
    assert (q["Q2"].answered, q["Q2"].no_answer) == (4, 1)
    assert q["Q2"].satisfied == pytest.approx(75.0) and q["Q2"].mean == pytest.approx(3.75)
    assert q["Q2"].margin == pytest.approx(42.4352, abs=1e-4)
    # Q3: 1 2 4 5 3 → 2 of 5 = 40 %
    assert q["Q3"].satisfied == pytest.approx(40.0)
    # Perception Q2N: all 4 → 100 %; expectation Q4: 5, 3, 1 → 1 of 3
    assert q["Q2N"].satisfied == pytest.approx(100.0)
    assert q["Q4"].satisfied == pytest.approx(100 / 3)
    factors = {f.code: f for f in overall.factors}
    criteria = {c.code: c for f in overall.factors for c in f.criteria}
    # Criteria: 1.1 = 60, 1.2 = 75 (its perception question is not mixed in), 3.1 = 40
    assert criteria["1.1"].satisfaction == pytest.approx(60.0)
    assert criteria["1.2"].satisfaction == pytest.approx(75.0)
    assert criteria["1.2"].rates["perception"] == pytest.approx(100.0)
    assert criteria["3.1"].satisfaction == pytest.approx(40.0)
    # Factors: 1 = (60 + 75) / 2 = 67.5; 3 = 40. Index = (67.5 + 40) / 2 = 53.75 %
    assert factors["1"].satisfaction == pytest.approx(67.5)
    assert factors["3"].satisfaction == pytest.approx(40.0)
    assert overall.index == pytest.approx(53.75)
    # 1.96 × √(0.5375 × 0.4625 / 5) × 100 = 43.70 points
    assert overall.margin == pytest.approx(43.7035, abs=1e-4)
    assert overall.margin == pytest.approx(1.96 * math.sqrt(0.5375 * 0.4625 / 5) * 100)
    assert results.period_start == "01/08/2025" and results.period_end == "31/08/2025"
    assert [u.unit_code for u in results.units] == ["16300"]
    assert results.units[0].index == pytest.approx(53.75)


def test_results_per_unit_and_the_units_year(
    questionnaire: Questionnaire, world: World, carol: User
) -> None:
    """A province round over communes A and B; each unit's index from its own responses, the
    year's index weighted by responses across published rounds."""
    head = make_user("son", world.province, Role.LEADER)
    survey = new_round(
        questionnaire,
        head,
        world.province,
        surveyed_units=[world.commune_a, world.commune_b],
    )
    actions.open_round(survey, by=head, at=at("2025-09-01"))
    fill(survey, head, world.commune_a, EXAMPLE_ANSWERS)  # 53.75 %
    fill(survey, head, world.commune_b, [{"Q1": 5, "Q2": 5, "Q3": 5}] * 3)  # 100 %
    results = round_results(survey)
    by_unit = {u.unit_code: u for u in results.units}
    assert by_unit["16300"].index == pytest.approx(53.75) and by_unit["16300"].responses == 5
    assert by_unit["16303"].index == pytest.approx(100.0) and by_unit["16303"].responses == 3
    assert results.overall.responses == 8
    # Not published yet: nothing for the PAR Index.
    assert unit_index(world.commune_b, 2025).index is None
    actions.close_round(survey, by=head, at=at("2025-10-01"))
    actions.publish_round(survey, by=head, at=at("2025-10-02"))
    # A second published round for commune A alone: 2 responses, all 4 → 100 %.
    second = new_round(
        questionnaire,
        carol,
        world.commune_a,
        title="Quý IV",
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 31),
        answer_until=dt.date(2026, 1, 15),
    )
    actions.open_round(second, by=carol, at=at("2025-10-02"))
    fill(second, carol, world.commune_a, [{"Q1": 4, "Q2": 4, "Q3": 4}] * 2)
    actions.close_round(second, by=carol, at=at("2025-12-31"))
    actions.publish_round(second, by=carol, at=at("2026-01-02"))
    year = unit_index(world.commune_a, 2025)
    # (53.75 × 5 + 100 × 2) / 7 = 66.9643 %
    assert year.index == pytest.approx((53.75 * 5 + 100 * 2) / 7)
    assert year.responses == 7 and year.rounds == [survey.pk, second.pk]
    assert unit_index(world.commune_a, 2024).index is None
