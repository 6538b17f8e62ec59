"""The survey component from the unit's published SIPAS index: the hand-computed example of
docs/surveys.md (commune A, August 2025: index 53,75 %) merged into commune A's PAR-XA 2025
assessment; each survey criterion = its maximum × 0,5375, rounded half up to 0,01 — but 4.7,
which names SIPAS factor 3 (the civil servants), takes that factor's 40 %."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.models import Assessment, Score
from cchc.parindex.results import totals
from cchc.parindex.tests.support import round_one_closed
from cchc.surveys import actions as survey_actions
from cchc.surveys.models import SurveyRound
from cchc.surveys.tests.support import EXAMPLE_ANSWERS, fill
from cchc.testing import World, at, bearer

pytestmark = pytest.mark.django_db

# The surveys' fixtures (docs/surveys.md's example questionnaire and commune A's August round).

# By hand: max × 53,75 % → 3 × 0,5375 = 1,6125 → 1,61; 9 × … = 4,8375 → 4,84;
# 1 × … = 0,5375 → 0,54; 4 × … = 2,15; 7 × … = 3,7625 → 3,76. 4.7 names factor 3 (40 %):
# 3 × 0,40 = 1,20 (tests/test_survey_factors.py).
EXPECTED = {
    "1.7": Decimal("1.61"),
    "2.5": Decimal("1.61"),
    "3.9": Decimal("4.84"),
    "4.7": Decimal("1.20"),
    "5.5": Decimal("0.54"),
    "6.8": Decimal("2.15"),
    "7.6": Decimal("3.76"),
}


def _published(survey: SurveyRound, carol: User, world: World) -> None:
    fill(survey, carol, world.commune_a, EXAMPLE_ANSWERS)
    survey_actions.close_round(survey, by=carol, at=at("2025-10-01"))
    survey_actions.publish_round(survey, by=carol, at=at("2025-10-02"))


def _appraised(assessment: Assessment, carol: User, pat: User) -> None:
    round_one_closed(assessment, carol, pat)
    actions.close_round(assessment, 2, by=pat, at=at("2025-12-01"))


def _survey_scores(assessment: Assessment) -> dict[str, Decimal | None]:
    rows = Score.objects.filter(assessment=assessment, criterion__method="survey")
    return {s.criterion.code: s.survey_score for s in rows.select_related("criterion")}


def test_the_survey_component_from_the_sipas_index(
    world: World, assessment: Assessment, survey: SurveyRound, carol: User, pat: User
) -> None:
    _published(survey, carol, world)
    _appraised(assessment, carol, pat)
    scores, found = actions.sipas_scores(assessment)
    assert found.index == pytest.approx(53.75) and found.responses == 5
    assert scores == EXPECTED
    merged = actions.merge_survey(assessment, None, by=pat, at=at("2025-12-10"))
    assert merged.status == "survey_merged" and merged.with_survey
    assert _survey_scores(assessment) == EXPECTED
    assert totals(merged).survey_total == Decimal("15.71")
    event = assessment.events.get(action="merge_survey")
    assert event.data["sipas"] == {
        "index": "53.7500",
        "responses": 5,
        "rounds": [survey.pk],
        "factors": {"3": "40.0000"},
    }


def test_without_a_published_round_the_merge_is_refused_and_nothing_changes(
    world: World, assessment: Assessment, survey: SurveyRound, carol: User, pat: User
) -> None:
    fill(survey, carol, world.commune_a, EXAMPLE_ANSWERS)  # answered, not published
    _appraised(assessment, carol, pat)
    with pytest.raises(actions.NoSurveyResult, match="chưa có kết quả điều tra SIPAS"):
        actions.merge_survey(assessment, None, by=pat, at=at("2025-12-10"))
    assessment.refresh_from_db()
    assert assessment.status == "appraised"
    assert set(_survey_scores(assessment).values()) == {None}


def test_the_api_merges_from_sipas(
    world: World, assessment: Assessment, survey: SurveyRound, carol: User, pat: User
) -> None:
    _published(survey, carol, world)
    _appraised(assessment, carol, pat)
    response = Client().post(
        f"/api/v1/par/assessments/{assessment.pk}/survey",
        json.dumps({"source": "sipas"}),
        content_type="application/json",
        **bearer(pat),
    )
    assert response.status_code == 200, response.content
    assert _survey_scores(assessment) == EXPECTED
