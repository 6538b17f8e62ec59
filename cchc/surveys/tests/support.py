"""Helpers of the surveys tests, imported from here (never from a conftest file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cchc.accounts.models import User
from cchc.dossiers.actions import Applicant, receive_dossier
from cchc.dossiers.choices import Status
from cchc.dossiers.models import Dossier
from cchc.surveys import actions
from cchc.surveys.models import Questionnaire, SurveyRound
from cchc.testing import World, at, receipt_for
from cchc.units.models import Unit

# The five responses of the example, question by question (None: left blank).
EXAMPLE_ANSWERS: list[dict[str, int | None]] = [
    {"Q1": 5, "Q2": 5, "Q2N": 4, "Q3": 1, "Q4": 5},
    {"Q1": 4, "Q2": 5, "Q2N": 4, "Q3": 2, "Q4": None},
    {"Q1": 3, "Q2": 4, "Q2N": 4, "Q3": 4, "Q4": None},
    {"Q1": 4, "Q2": 1, "Q2N": 4, "Q3": 5, "Q4": 3},
    {"Q1": 2, "Q2": None, "Q2N": 4, "Q3": 3, "Q4": 1},
]


def example_doc(**overrides: Any) -> dict[str, Any]:
    """Two factors, three criteria, five questions (three satisfaction, one perception, one
    expectation): the hand-computed example of docs/surveys.md."""
    doc: dict[str, Any] = {
        "code": "SIPAS-38",
        "year": 2025,
        "title": "Phiếu khảo sát sự hài lòng của người dân",
        "introduction": "Phiếu ẩn danh.",
        "scale": [
            "Rất không hài lòng",
            "Không hài lòng",
            "Bình thường",
            "Hài lòng",
            "Rất hài lòng",
        ],
        "factors": [
            {
                "code": "1",
                "title": "Tiếp cận dịch vụ",
                "criteria": [
                    {
                        "code": "1.1",
                        "title": "Nơi tiếp nhận",
                        "questions": [
                            {"code": "Q1", "text": "Nơi ngồi chờ", "kind": "satisfaction"},
                        ],
                    },
                    {
                        "code": "1.2",
                        "title": "Trang thiết bị",
                        "questions": [
                            {"code": "Q2", "text": "Trang thiết bị", "kind": "satisfaction"},
                            {
                                "code": "Q2N",
                                "text": "Trang thiết bị đầy đủ",
                                "kind": "perception",
                                "scale": [
                                    "Rất không đồng ý",
                                    "Không đồng ý",
                                    "Phân vân",
                                    "Đồng ý",
                                    "Rất đồng ý",
                                ],
                            },
                        ],
                    },
                ],
            },
            {
                "code": "3",
                "title": "Công chức trực tiếp giải quyết công việc",
                "criteria": [
                    {
                        "code": "3.1",
                        "title": "Thái độ",
                        "questions": [
                            {"code": "Q3", "text": "Thái độ công chức", "kind": "satisfaction"},
                            {"code": "Q4", "text": "Mong đợi cải thiện", "kind": "expectation"},
                        ],
                    }
                ],
            },
        ],
    }
    doc.update(overrides)
    return doc


def new_round(questionnaire: Questionnaire, by: User, unit: Any, **overrides: Any) -> SurveyRound:
    values: dict[str, Any] = {
        "questionnaire": questionnaire,
        "unit": unit,
        "title": "Khảo sát quý III/2025",
        "period_start": dt.date(2025, 8, 1),
        "period_end": dt.date(2025, 8, 31),
        "answer_until": dt.date(2025, 9, 30),
        "sample_size": 3,
        "seed": 20250901,
        "by": by,
        "at": at("2025-09-01", 8),
    }
    values.update(overrides)
    return actions.create_round(**values)


def returned_dossier(
    world: World,
    reception: User,
    *,
    name: str,
    phone: str = "",
    email: str = "",
    id_number: str = "",
    day: str = "2025-08-11",
    unit: Any = None,
) -> Dossier:
    """A dossier received and marked returned on `day` (the columns the draw reads)."""
    receipt = receipt_for(
        world,
        procedure_code=world.birth.code,
        processing_unit=unit or world.commune_a,
        applicant=Applicant(name=name, id_number=id_number, phone=phone, email=email),
    )
    dossier = receive_dossier(receipt, by=reception, at=at(day, 8))
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.RETURNED, returned_at=at(day, 15))
    dossier.refresh_from_db()
    return dossier


def fill(survey: SurveyRound, by: User, unit: Unit, answers: list[dict[str, int | None]]) -> None:
    for i, values in enumerate(answers):
        actions.record_paper_response(
            survey,
            by=by,
            unit=unit,
            answers=values,
            form_number=f"{unit.pk}-{i}",
            at=at("2025-09-03"),
        )
