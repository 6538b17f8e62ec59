"""Survey endpoints under /api/v1/surveys (token or session, scoped like the pages: another
unit's questionnaire, round or unit answers 404).

- import a questionnaire (a new draft version; the JSON of docs/surveys.md plus the issuing
  unit's code) and activate it;
- a round's results: the SIPAS index overall and per surveyed unit, with factors, criteria,
  questions, response counts and 95% margins (what the PAR Index's survey component reads).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from annotated_types import Len
from django.http import HttpRequest
from ninja import Path, Router, Schema, Status

from cchc.accounts.auth import staff_auth
from cchc.lib.apierrors import STAFF, refusals
from cchc.lib.inputs import column, text, whole_number
from cchc.surveys import actions
from cchc.surveys.index import round_results
from cchc.surveys.lookup import get_questionnaire_for, get_round_for
from cchc.surveys.models import Factor, Question, Questionnaire, SurveyCriterion
from cchc.units.lookup import get_unit_for
from cchc.units.models import Unit

router = Router(tags=["surveys"])

Label = Annotated[str, text(100, min_length=1)]
Scale = Annotated[list[Label], Len(5, 5)]


class QuestionIn(Schema):
    code: Annotated[str, column(Question, "code", min_length=1)]
    text: Annotated[str, text(2000, min_length=1)]
    kind: Literal["perception", "satisfaction", "expectation"]
    scale: Scale | None = None


class CriterionIn(Schema):
    code: Annotated[str, column(SurveyCriterion, "code", min_length=1)]
    title: Annotated[str, column(SurveyCriterion, "title", min_length=1)]
    questions: Annotated[list[QuestionIn], Len(1, 200)]


class FactorIn(Schema):
    code: Annotated[str, column(Factor, "code", min_length=1)]
    title: Annotated[str, column(Factor, "title", min_length=1)]
    criteria: Annotated[list[CriterionIn], Len(1, 200)]


class QuestionnaireIn(Schema):
    unit: Annotated[str, column(Unit, "code")]
    code: Annotated[str, column(Questionnaire, "code", min_length=1)]
    year: Annotated[int, whole_number(2000, 2100)]
    title: Annotated[str, column(Questionnaire, "title", min_length=1)]
    introduction: Annotated[str, text(5000)] = ""
    scale: Scale | None = None
    factors: Annotated[list[FactorIn], Len(1, 50)]


class QuestionnaireOut(Schema):
    id: int
    code: str
    version: int
    year: int
    title: str
    status: str
    unit: str
    questions: int


def _questionnaire(q: Questionnaire) -> dict[str, Any]:
    return {
        "id": q.pk,
        "code": q.code,
        "version": q.version,
        "year": q.year,
        "title": q.title,
        "status": q.status,
        "unit": q.unit.code,
        "questions": q.questions.count(),
    }


@router.post(
    "/questionnaires/import",
    response={201: QuestionnaireOut, **refusals(*STAFF, 404, 422)},
    auth=staff_auth,
    summary="Nhập bộ câu hỏi khảo sát (phiên bản mới, dự thảo)",
)
def import_questionnaire(request: HttpRequest, payload: QuestionnaireIn) -> Status[Any]:
    """The questionnaire's JSON (docs/surveys.md) with `unit`, the issuing unit's code. A code
    already imported gets the next version; an existing version is never changed."""
    unit = get_unit_for(request.user, payload.unit)
    doc = payload.model_dump(exclude={"unit"})
    created = actions.import_questionnaire(doc, unit=unit, by=request.user)
    return Status(201, _questionnaire(created))


@router.post(
    "/questionnaires/{questionnaire_id}/activate",
    response={200: QuestionnaireOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Áp dụng một phiên bản bộ câu hỏi",
)
def activate_questionnaire(
    request: HttpRequest, questionnaire_id: Path[Annotated[int, whole_number(1, 2**31 - 1)]]
) -> dict[str, Any]:
    found = get_questionnaire_for(request.user, questionnaire_id)
    return _questionnaire(actions.activate_questionnaire(found, by=request.user))


class QuestionOut(Schema):
    code: str
    text: str
    kind: str
    counts: list[int]
    no_answer: int
    answered: int
    satisfied: float | None
    mean: float | None
    margin: float | None


class CriterionOut(Schema):
    code: str
    title: str
    rates: dict[str, float | None]
    questions: list[QuestionOut]


class FactorOut(Schema):
    code: str
    title: str
    rates: dict[str, float | None]
    criteria: list[CriterionOut]


class UnitResultOut(Schema):
    unit_id: int | None
    unit_code: str
    unit_name: str
    responses: int
    by_channel: dict[str, int]
    index: float | None
    margin: float | None
    rates: dict[str, float | None]
    factors: list[FactorOut]


class RoundResultsOut(Schema):
    round_id: int
    title: str
    status: Literal["draft", "open", "closed", "published"]
    questionnaire: str
    period_start: str
    period_end: str
    overall: UnitResultOut
    units: list[UnitResultOut]


@router.get(
    "/rounds/{round_id}/results",
    response={200: RoundResultsOut, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Kết quả một đợt khảo sát (chỉ số SIPAS, theo đơn vị, yếu tố, tiêu chí, câu hỏi)",
)
def results(
    request: HttpRequest, round_id: Path[Annotated[int, whole_number(1, 2**31 - 1)]]
) -> dict[str, Any]:
    """Shares and indices in % (0–100), margins in percentage points at 95%; `null` where
    nothing was answered. Dates dd/mm/yyyy."""
    return dataclasses.asdict(round_results(get_round_for(request.user, round_id)))
