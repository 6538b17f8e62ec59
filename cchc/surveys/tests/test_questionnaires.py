"""Questionnaires: imported from JSON as versions, edited only while unused drafts, activated."""

from __future__ import annotations

import json

import pytest

from cchc.accounts.models import User
from cchc.surveys import actions
from cchc.surveys.choices import QuestionnaireStatus
from cchc.surveys.io import export_questionnaire
from cchc.surveys.models import Question, Questionnaire
from cchc.surveys.tests.support import example_doc, new_round
from cchc.testing import World, at

pytestmark = pytest.mark.django_db


def test_an_import_builds_the_tree_as_a_draft_version_1(prov: User, world: World) -> None:
    q = actions.import_questionnaire(
        json.dumps(example_doc()).encode(), unit=world.province, by=prov, at=at("2025-07-01")
    )
    assert (q.code, q.version, q.year, q.status) == ("SIPAS-38", 1, 2025, QuestionnaireStatus.DRAFT)
    assert [f.code for f in q.factors.all()] == ["1", "3"]
    assert [c.code for c in q.factors.get(code="1").criteria.all()] == ["1.1", "1.2"]
    assert list(q.questions.values_list("code", "kind")) == [
        ("Q1", "satisfaction"),
        ("Q2", "satisfaction"),
        ("Q2N", "perception"),
        ("Q3", "satisfaction"),
        ("Q4", "expectation"),
    ]
    assert Question.objects.get(code="Q2N").scale[4] == "Rất đồng ý"
    # The export reads back as the same questionnaire.
    exported = export_questionnaire(q)
    assert exported["factors"] == example_doc()["factors"]


def test_importing_the_same_code_again_makes_the_next_version(
    questionnaire: Questionnaire, prov: User, world: World
) -> None:
    again = actions.import_questionnaire(
        example_doc(title="Phiếu sửa đổi"), unit=world.province, by=prov
    )
    assert again.version == 2 and again.status == QuestionnaireStatus.DRAFT
    questionnaire.refresh_from_db()
    assert questionnaire.title == "Phiếu khảo sát sự hài lòng của người dân"
    actions.activate_questionnaire(again, by=prov)
    questionnaire.refresh_from_db()
    # The version in use until now stops being offered; the new one is.
    assert questionnaire.status == QuestionnaireStatus.CLOSED
    assert list(actions.usable_questionnaires(world.commune_a)) == [again]


def test_a_bad_file_is_refused_with_every_error_named_and_nothing_saved(
    prov: User, world: World
) -> None:
    doc = example_doc()
    doc["factors"][0]["criteria"][0]["questions"][0]["kind"] = "happiness"
    doc["factors"][1]["criteria"][0]["questions"][1]["code"] = "Q1"
    doc["scale"] = ["Tệ", "Tốt"]
    del doc["title"]
    with pytest.raises(actions.InvalidSurvey) as refused:
        actions.import_questionnaire(doc, unit=world.province, by=prov)
    message = str(refused.value.message)
    assert refused.value.status_code == 422
    assert "$.factors[0].criteria[0].questions[0].kind" in message and "happiness" in message
    assert "trùng" in message and "$.scale" in message and "$.title" in message
    assert not Questionnaire.objects.exists()


def test_a_file_that_is_not_json_is_refused(prov: User, world: World) -> None:
    with pytest.raises(actions.InvalidSurvey, match="JSON"):
        actions.import_questionnaire(b"{not json", unit=world.province, by=prov)


def test_only_a_manager_of_the_issuing_unit_imports(reception: User, world: World) -> None:
    with pytest.raises(actions.NotAllowed) as refused:
        actions.import_questionnaire(example_doc(), unit=world.commune_a, by=reception)
    assert refused.value.status_code == 403


def test_a_draft_nobody_used_may_be_corrected_in_place(prov: User, world: World) -> None:
    draft = actions.import_questionnaire(example_doc(), unit=world.province, by=prov)
    doc = example_doc()
    doc["factors"][0]["criteria"][0]["questions"][0]["text"] = "Nơi ngồi chờ có đủ chỗ"
    actions.replace_questionnaire(draft, doc, by=prov)
    assert Question.objects.get(questionnaire=draft, code="Q1").text == "Nơi ngồi chờ có đủ chỗ"
    assert Questionnaire.objects.count() == 1


def test_an_active_questionnaire_is_never_edited(questionnaire: Questionnaire, prov: User) -> None:
    with pytest.raises(actions.QuestionnaireInUse, match="phiên bản mới") as refused:
        actions.replace_questionnaire(questionnaire, example_doc(title="Khác"), by=prov)
    assert refused.value.status_code == 409
    questionnaire.refresh_from_db()
    assert questionnaire.title == "Phiếu khảo sát sự hài lòng của người dân"


def test_a_questionnaire_a_round_used_is_never_edited_even_as_a_draft(
    questionnaire: Questionnaire, prov: User, carol: User, world: World
) -> None:
    new_round(questionnaire, carol, world.commune_a)
    # Even put back to draft by hand, the round's use keeps it frozen.
    Questionnaire.objects.filter(pk=questionnaire.pk).update(status=QuestionnaireStatus.DRAFT)
    questionnaire.refresh_from_db()
    with pytest.raises(actions.QuestionnaireInUse):
        actions.replace_questionnaire(questionnaire, example_doc(), by=prov)


def test_activating_twice_is_refused(questionnaire: Questionnaire, prov: User) -> None:
    with pytest.raises(actions.IllegalMove, match="dự thảo"):
        actions.activate_questionnaire(questionnaire, by=prov)
