"""Survey criteria by SIPAS factor (issue 14): a survey criterion may name the questionnaire
factor it measures (`"sipas_factor": "3"` in its rule_params) and then takes that factor's
satisfaction rate instead of the overall SIPAS index.

Hand-computed on docs/surveys.md's example (commune A, August 2025, 5 responses): factor 1 =
67,5 %, factor 3 = 40 %, the index 53,75 %. PAR-XA with 1.7 → factor 1 and 3.9 → factor 3 (and
the shipped 4.7 → factor 3):
- 1.7: 3 × 0,675 = 2,025 → 2,03 (factor 1);
- 4.7: 3 × 0,40 = 1,20 (factor 3); 3.9: 9 × 0,40 = 3,60 (factor 3);
- 2.5, with no factor: 3 × 0,5375 = 1,6125 → 1,61 (the index), as before.
Three criteria of the same maximum, three scores.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.actions.errors import InvalidScore
from cchc.parindex.criteria import (
    DATA,
    CriteriaSetError,
    export_json,
    export_xlsx,
    read_json,
    read_xlsx,
    save_set,
)
from cchc.parindex.models import Assessment, CriteriaSet, Criterion, Score
from cchc.parindex.tests.support import round_one_closed
from cchc.surveys import actions as survey_actions
from cchc.surveys.models import Questionnaire, SurveyRound
from cchc.surveys.tests.support import EXAMPLE_ANSWERS, fill, new_round
from cchc.testing import World, at, bearer

pytestmark = pytest.mark.django_db


def commune_doc(factors: dict[str, Any], *, code: str = "PAR-XA-F") -> dict[str, Any]:
    """The shipped commune set under another code, with `factors` (criterion → sipas_factor
    value) written into the survey criteria's rule_params."""
    doc = json.loads((DATA / "par-xa-2025.json").read_text())
    doc["code"] = code

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node["code"] in factors:
                node.setdefault("rule_params", {})["sipas_factor"] = factors[node["code"]]
            walk(node["children"])

    walk(doc["nodes"])
    return doc


def opened(world: World, pat: User, factors: dict[str, Any]) -> Assessment:
    criteria_set = save_set(read_json(commune_doc(factors)))
    return actions.open_assessment(
        world.commune_a,
        criteria_set,
        by=pat,
        self_assessment_due=dt.date(2025, 11, 15),
        appraisal_due=dt.date(2025, 12, 20),
        at=at("2025-10-01"),
    )


def published(survey: SurveyRound, carol: User, world: World, answers: Any = None) -> None:
    fill(survey, carol, world.commune_a, EXAMPLE_ANSWERS if answers is None else answers)
    survey_actions.close_round(survey, by=carol, at=at("2025-10-01"))
    survey_actions.publish_round(survey, by=carol, at=at("2025-10-02"))


def appraised(assessment: Assessment, carol: User, pat: User) -> None:
    round_one_closed(assessment, carol, pat)
    actions.close_round(assessment, 2, by=pat, at=at("2025-12-01"))


def survey_scores(assessment: Assessment) -> dict[str, Decimal | None]:
    rows = Score.objects.filter(assessment=assessment, criterion__method="survey")
    return {s.criterion.code: s.survey_score for s in rows.select_related("criterion")}


# -- merging ----------------------------------------------------------------------------------


def test_two_factors_with_different_shares_give_two_different_scores(
    world: World, survey: SurveyRound, carol: User, pat: User
) -> None:
    assessment = opened(world, pat, {"1.7": "1", "3.9": "3"})
    published(survey, carol, world)
    appraised(assessment, carol, pat)
    merged = actions.merge_survey(assessment, None, by=pat, at=at("2025-12-10"))
    assert survey_scores(assessment) == {
        "1.7": Decimal("2.03"),  # factor 1: 3 × 67,5 %
        "2.5": Decimal("1.61"),  # no factor: 3 × 53,75 %
        "3.9": Decimal("3.60"),  # factor 3: 9 × 40 %
        "4.7": Decimal("1.20"),  # factor 3 (shipped): 3 × 40 %
        "5.5": Decimal("0.54"),
        "6.8": Decimal("2.15"),
        "7.6": Decimal("3.76"),
    }
    assert merged.status == "survey_merged"
    event = assessment.events.get(action="merge_survey")
    assert event.data["sipas"]["factors"] == {"1": "67.5000", "3": "40.0000"}
    assert event.data["sipas"]["index"] == "53.7500"


def test_a_factor_is_weighted_by_responses_over_the_years_rounds_as_the_index_is(
    world: World,
    questionnaire: Questionnaire,
    survey: SurveyRound,
    carol: User,
    pat: User,
) -> None:
    assessment = opened(world, pat, {"1.7": "1"})
    published(survey, carol, world)
    # docs/surveys.md's second round: 2 responses, every answer 4 → every factor 100 %.
    second = new_round(
        questionnaire,
        carol,
        world.commune_a,
        title="Quý IV",
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 31),
        answer_until=dt.date(2026, 1, 15),
    )
    survey_actions.open_round(second, by=carol, at=at("2025-10-02"))
    fill(second, carol, world.commune_a, [{"Q1": 4, "Q2": 4, "Q3": 4}] * 2)
    survey_actions.close_round(second, by=carol, at=at("2025-12-31"))
    survey_actions.publish_round(second, by=carol, at=at("2026-01-02"))
    appraised(assessment, carol, pat)
    scores, found = actions.sipas_scores(assessment)
    # Factor 1: (67,5 × 5 + 100 × 2) / 7 = 76,7857 % → 3 × 0,767857 = 2,3036 → 2,30.
    # Factor 3: (40 × 5 + 100 × 2) / 7 = 57,1429 % → 3 × 0,571429 = 1,7143 → 1,71.
    # The index: (53,75 × 5 + 100 × 2) / 7 = 66,9643 % → 3 × 0,669643 = 2,0089 → 2,01.
    assert found.responses == 7
    assert (scores["1.7"], scores["4.7"], scores["2.5"]) == (
        Decimal("2.30"),
        Decimal("1.71"),
        Decimal("2.01"),
    )


def test_a_factor_the_questionnaire_has_not_is_refused_naming_the_criterion_and_the_factor(
    world: World, survey: SurveyRound, carol: User, pat: User
) -> None:
    assessment = opened(world, pat, {"1.7": "5", "2.5": "5"})
    published(survey, carol, world)
    appraised(assessment, carol, pat)
    with pytest.raises(InvalidScore) as refused:
        actions.merge_survey(assessment, None, by=pat, at=at("2025-12-10"))
    assert refused.value.status_code == 422
    assert str(refused.value.message) == (
        "Tiêu chí 1.7, 2.5: yếu tố SIPAS “5” không có trong bộ câu hỏi SIPAS-38 v1 của đợt "
        "khảo sát “Khảo sát quý III/2025”; hãy sửa sipas_factor của tiêu chí, hoặc nhập điểm "
        "điều tra xã hội học."
    )
    assessment.refresh_from_db()
    assert assessment.status == "appraised"
    assert set(survey_scores(assessment).values()) == {None}
    # The API answers the same sentence with 422, and still nothing is merged.
    response = Client().post(
        f"/api/v1/par/assessments/{assessment.pk}/survey",
        json.dumps({"source": "sipas"}),
        content_type="application/json",
        **bearer(pat),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == str(refused.value.message)
    assert set(survey_scores(assessment).values()) == {None}


def test_a_factor_without_answers_is_refused_with_409(
    world: World, survey: SurveyRound, carol: User, pat: User
) -> None:
    assessment = opened(world, pat, {"1.7": "3"})
    # Nobody answered factor 3's satisfaction question (Q3): the factor has no rate.
    published(survey, carol, world, [{**row, "Q3": None} for row in EXAMPLE_ANSWERS])
    appraised(assessment, carol, pat)
    with pytest.raises(actions.NoSurveyResult) as refused:
        actions.merge_survey(assessment, None, by=pat, at=at("2025-12-10"))
    assert refused.value.status_code == 409
    assert "Tiêu chí 1.7, 4.7: yếu tố SIPAS “3” chưa có câu trả lời" in str(refused.value.message)
    assessment.refresh_from_db()
    assert assessment.status == "appraised"


def test_explicit_scores_are_merged_whatever_the_factors(
    world: World, carol: User, pat: User
) -> None:
    assessment = opened(world, pat, {"1.7": "5"})
    appraised(assessment, carol, pat)
    scores = {"1.7": 3, "2.5": 3, "3.9": 9, "4.7": 3, "5.5": 1, "6.8": 4, "7.6": 7}
    actions.merge_survey(assessment, scores, by=pat, at=at("2025-12-10"))
    assert survey_scores(assessment)["1.7"] == Decimal("3.00")


# -- the criteria set: where the key may stand and how it is written ---------------------------


def test_the_shipped_sets_name_factors_where_the_correspondence_is_clear(db: Any) -> None:
    found = {}
    for name in ("par-xa-2025.json", "par-xa-8lv-2022.json", "par-so-2023.json"):
        spec = read_json((DATA / name).read_bytes())
        stack = list(spec.nodes)
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            if "sipas_factor" in node.rule_params:
                found[(spec.code, node.code)] = node.rule_params["sipas_factor"]
    assert found == {
        ("PAR-XA", "4.7"): "3",
        ("PAR-XA-8LV", "5.5"): "3",
        ("PAR-SO", "3.15.1"): "3",
        ("PAR-SO", "3.15.3"): "2",
        ("PAR-SO", "3.15.5"): "4",
    }


BAD = {
    "a number, not text": ({"1.7": 2}, "Tiêu chí 1.7: yếu tố SIPAS (sipas_factor) 2 không hợp lệ"),
    "words, not a key": (
        {"1.7": "Yếu tố 2"},
        'Tiêu chí 1.7: yếu tố SIPAS (sipas_factor) "Yếu tố 2" không hợp lệ',
    ),
    "empty": ({"1.7": ""}, 'Tiêu chí 1.7: yếu tố SIPAS (sipas_factor) "" không hợp lệ'),
    "too long": ({"1.7": "1" * 21}, "Tiêu chí 1.7: yếu tố SIPAS (sipas_factor)"),
    "on an appraised criterion": (
        {"2.1": "2"},
        "Tiêu chí 2.1: chỉ tiêu chí điều tra xã hội học (survey) được chấm mới gắn yếu tố SIPAS",
    ),
    "on a field": (
        {"2": "2"},
        "Tiêu chí 2: chỉ tiêu chí điều tra xã hội học (survey) được chấm mới gắn yếu tố SIPAS",
    ),
}


@pytest.mark.parametrize(("factors", "says"), BAD.values(), ids=BAD)
def test_a_factor_key_out_of_form_is_refused_at_import_naming_the_criterion(
    db: Any, factors: dict[str, Any], says: str
) -> None:
    with pytest.raises(CriteriaSetError) as refused:
        read_json(commune_doc(factors))
    assert any(says in m for m in refused.value.messages), refused.value.messages
    assert not CriteriaSet.objects.exists()


@pytest.mark.parametrize("key", ["sipasFactor", "sipas-factor", "factor", "sipas_factors"])
def test_a_misspelt_factor_key_is_refused_rather_than_ignored(db: Any, key: str) -> None:
    doc = commune_doc({})
    survey_node = doc["nodes"][0]["children"][-1]
    assert survey_node["code"] == "1.7"
    survey_node["rule_params"][key] = "1"
    with pytest.raises(CriteriaSetError) as refused:
        read_json(doc)
    assert f'Tiêu chí 1.7: khóa "{key}" không có trong tham số' in str(refused.value.message)


def test_the_api_import_refuses_a_bad_factor_with_422(db: Any, pat: User) -> None:
    response = Client().post(
        "/api/v1/par/criteria-sets/import",
        json.dumps(commune_doc({"1.7": 2})),
        content_type="application/json",
        **bearer(pat),
    )
    assert response.status_code == 422
    assert "Tiêu chí 1.7: yếu tố SIPAS (sipas_factor) 2 không hợp lệ" in response.json()["detail"]
    assert not CriteriaSet.objects.exists()


def test_json_and_xlsx_round_trips_keep_the_factor(db: Any) -> None:
    first = save_set(read_json(commune_doc({"1.7": "1", "3.9": "3"})))
    params = dict(Criterion.objects.filter(criteria_set=first).values_list("code", "rule_params"))
    assert params["1.7"] == {"target": 1.0, "sipas_factor": "1"}
    assert params["4.7"] == {"target": 1.0, "sipas_factor": "3"}

    def factors(spec: Any) -> dict[str, str]:
        out, stack = {}, list(spec.nodes)
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            if "sipas_factor" in node.rule_params:
                out[node.code] = node.rule_params["sipas_factor"]
        return out

    expected = {"1.7": "1", "3.9": "3", "4.7": "3"}
    assert factors(read_json(export_json(first))) == expected
    assert factors(read_xlsx(export_xlsx(first))) == expected
    # And the set written again from either is the same as the first.
    doc = export_json(first)
    again = copy.deepcopy(doc)
    again["code"] = "PAR-XA-G"
    second = save_set(read_json(again))
    assert export_json(second) | {"code": doc["code"]} == doc
