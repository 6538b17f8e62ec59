"""The API: import a questionnaire, a round's results; scoped like the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.surveys import actions
from cchc.surveys.models import Questionnaire, SurveyRound
from cchc.surveys.tests.support import EXAMPLE_ANSWERS, example_doc
from cchc.testing import World, at, bearer

pytestmark = pytest.mark.django_db

BASE = "/api/v1/surveys"


def post(user: User, path: str, body: object) -> object:
    return Client().post(
        f"{BASE}{path}", json.dumps(body), content_type="application/json", **bearer(user)
    )


def test_a_questionnaire_is_imported_and_activated(prov: User, world: World) -> None:
    response = post(prov, "/questionnaires/import", {"unit": "38", **example_doc()})
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == "SIPAS-38" and body["version"] == 1 and body["questions"] == 5
    assert body["status"] == "draft" and body["unit"] == "38"
    activated = post(prov, f"/questionnaires/{body['id']}/activate", {})
    assert activated.status_code == 200 and activated.json()["status"] == "active"  # type: ignore[attr-defined]
    again = post(prov, f"/questionnaires/{body['id']}/activate", {})
    assert again.status_code == 409  # type: ignore[attr-defined]
    second = post(prov, "/questionnaires/import", {"unit": "38", **example_doc()})
    assert second.json()["version"] == 2  # type: ignore[attr-defined]


def test_a_bad_questionnaire_is_refused_and_nothing_saved(prov: User) -> None:
    doc = example_doc()
    doc["factors"][0]["criteria"][0]["questions"].append(
        {"code": "Q3", "text": "Trùng mã", "kind": "satisfaction"}
    )
    response = post(prov, "/questionnaires/import", {"unit": "38", **doc})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "trùng" in response.json()["detail"]  # type: ignore[attr-defined]
    wrong_kind = example_doc()
    wrong_kind["factors"][0]["criteria"][0]["questions"][0]["kind"] = "mood"
    assert post(prov, "/questionnaires/import", {"unit": "38", **wrong_kind}).status_code == 400  # type: ignore[attr-defined]
    assert not Questionnaire.objects.exists()


def test_importing_for_a_unit_out_of_sight_is_a_404(bob: User) -> None:
    response = post(bob, "/questionnaires/import", {"unit": "16300", **example_doc()})
    assert response.status_code == 404  # type: ignore[attr-defined]


def test_importing_without_the_role_is_a_403(reception: User) -> None:
    response = post(reception, "/questionnaires/import", {"unit": "16300", **example_doc()})
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_a_rounds_results(survey: SurveyRound, carol: User, bob: User, world: World) -> None:
    for i, values in enumerate(EXAMPLE_ANSWERS):
        actions.record_paper_response(
            survey,
            by=carol,
            unit=world.commune_a,
            answers=values,
            form_number=str(i),
            at=at("2025-09-03"),
        )
    response = Client().get(f"{BASE}/rounds/{survey.pk}/results", **bearer(carol))
    assert response.status_code == 200
    body = response.json()
    assert body["overall"]["responses"] == 5
    assert body["overall"]["index"] == pytest.approx(53.75)
    assert body["overall"]["margin"] == pytest.approx(43.7035, abs=1e-4)
    assert body["units"][0]["unit_code"] == "16300"
    first = body["overall"]["factors"][0]["criteria"][0]["questions"][0]
    assert first["code"] == "Q1" and first["counts"] == [0, 1, 1, 2, 1]
    assert body["period_start"] == "01/08/2025"
    # Another commune's officer: 404, like the pages.
    assert Client().get(f"{BASE}/rounds/{survey.pk}/results", **bearer(bob)).status_code == 404
    assert Client().get(f"{BASE}/rounds/{survey.pk}/results").status_code == 401
