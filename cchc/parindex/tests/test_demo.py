"""`manage.py load_par_demo` after `load_demo`: the 2022 assessment with its lost points and the
2025 one in progress with evidence from the register; Nga Sơn's register for 2025 (signed and
unsigned documents, a plan, initiatives, communication); the SIPAS rounds (2025 published with
its index, this year's open). A second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management import call_command
from django.db.models import Model

from cchc.parindex.choices import Status
from cchc.parindex.models import (
    Assessment,
    AssessmentEvent,
    Evidence,
    RemediationEvent,
    RemediationTask,
    Score,
    ScoreChange,
)
from cchc.parindex.results import evidence_by_code, lost_points, progress
from cchc.records.choices import FileSignature, TaskStatus
from cchc.records.models import (
    CchcPlan,
    CommunicationActivity,
    DocumentEdit,
    Initiative,
    OfficialDocument,
    PlanTask,
)
from cchc.surveys.choices import RoundStatus
from cchc.surveys.index import round_results, unit_index
from cchc.surveys.models import Answer, Invitation, Response, SurveyRound, SurveyRoundEvent
from cchc.units.models import Unit

COUNTED: list[type[Model]] = [
    Assessment,
    AssessmentEvent,
    Score,
    ScoreChange,
    Evidence,
    RemediationTask,
    RemediationEvent,
    OfficialDocument,
    DocumentEdit,
    CchcPlan,
    PlanTask,
    Initiative,
    CommunicationActivity,
    SurveyRound,
    SurveyRoundEvent,
    Invitation,
    Response,
    Answer,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


def test_the_demo_is_loaded_once_through_the_actions_and_shows_every_part(
    db: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_demo", verbosity=0)
    call_command("load_par_demo")
    first = _counts()
    call_command("load_par_demo")
    assert _counts() == first

    # The PAR Index: 2022 appraised with its lost points; 2025 in progress, self-scored with
    # evidence, submitted and appraised in part (fields 1–3) with lost points of its own.
    past = Assessment.objects.get(unit__code="16300", year=2022)
    assert past.status == Status.EXPLAINING
    assert sum(len(g.rows) for g in lost_points(past)) == 21
    current = Assessment.objects.get(unit__code="16300", year=2025)
    assert current.status == Status.APPRAISING_1
    done = progress(current)
    # every criterion self-scored; 1.1.1, 1.1.2, 1.2, 1.3, 1.4, 1.5 with evidence
    assert (done.self_scored, done.with_evidence, done.to_score) == (42, 6, 42)
    scores = Score.objects.filter(assessment=current).exclude(criterion__method="survey")
    assert {s.criterion.code[0] for s in scores if s.appraised_1 is not None} == {"1", "2", "3"}
    assert all(s.appraised_1 is None for s in scores if s.criterion.code[0] in "4567")
    lost = {r["code"]: r["lost"] for g in lost_points(current) for r in g.rows}
    assert lost == {"1.2": 1, "1.3": Decimal("0.5"), "2.3": Decimal("0.5"), "3.2": 1, "3.6": 1}
    assert Evidence.objects.filter(score__assessment=current, record__isnull=False).count() == 8
    # 2022's lost points gave three remediation tasks: one done with its evidence, one late.
    tasks = {t.criterion.code: t for t in past.remediation_tasks.select_related("criterion")}
    assert {c: t.status for c, t in tasks.items()} == {
        "7.2": "done",
        "1.3": "in_progress",
        "4.1": "open",
    }
    assert tasks["7.2"].evidence and not tasks["7.2"].is_late(dt.date(2026, 12, 7))
    assert tasks["1.3"].is_late(dt.date(2026, 12, 7))

    # The register: a dozen documents of 2025, two of them digitally signed (found by pyHanko).
    unit = Unit.objects.current().get(code="16300")
    documents = {d.reference: d for d in OfficialDocument.objects.filter(unit=unit, year=2025)}
    assert len(documents) == 12
    assert {"12/KH-UBND", "20/KH-UBND", "35/BC-UBND", "12/QĐ-UBND", "05/TB-UBND"} <= set(documents)
    signed = {r for r, d in documents.items() if d.file_signature == FileSignature.SIGNED}
    assert signed == {"12/KH-UBND", "35/BC-UBND"}
    assert documents["12/KH-UBND"].digitally_signed
    [signature] = documents["12/KH-UBND"].file_signatures
    assert signature["intact"] and signature["unmodified"] and "Nga Sơn" in signature["signer"]
    unsigned = documents["156/BC-UBND"]
    assert unsigned.file_signature == FileSignature.UNSIGNED and not unsigned.digitally_signed
    # 78/BC-UBND was ticked "signed" but its PDF is not: the register flags it.
    assert documents["78/BC-UBND"].declared_signed
    assert documents["78/BC-UBND"].file_signature == FileSignature.UNSIGNED
    assert all(d.file and d.content_type == "application/pdf" for d in documents.values())

    # 1.2 asks for signed reports: the signed one passes, the unsigned one is warned about.
    rows = evidence_by_code(current)["1.2"]
    warnings = {r["record"]["reference"]: r["warning"] for r in rows}
    assert warnings["35/BC-UBND"] == ""
    assert "156/BC-UBND chưa được ký số" in warnings["156/BC-UBND"]

    # The plan: five tasks done, one late (due 30/06/2025, still in progress).
    plan = CchcPlan.objects.get(document=documents["12/KH-UBND"])
    statuses = [t.status_on(dt.date(2026, 1, 5)) for t in plan.tasks.order_by("position")]
    assert statuses == [TaskStatus.DONE] * 3 + [TaskStatus.LATE] + [TaskStatus.DONE] * 2
    loudspeaker = sum(
        a.count for a in CommunicationActivity.objects.filter(unit=unit, kind="loudspeaker")
    )
    assert loudspeaker == 25
    assert Initiative.objects.filter(unit=unit, year=2025).count() == 2

    # SIPAS: 2025 published with 40 paper forms and its index; this year's round open.
    survey = SurveyRound.objects.get(unit=unit, period_end__year=2025)
    assert survey.status == RoundStatus.PUBLISHED
    results = round_results(survey)
    assert results.overall.responses == 40
    assert results.overall.index is not None and 60 < results.overall.index < 95
    assert unit_index(unit, 2025).responses == 40
    current_round = SurveyRound.objects.exclude(pk=survey.pk).get(unit=unit)
    assert current_round.status == RoundStatus.OPEN
    assert current_round.drawn_at is not None and current_round.invitations.exists()
    # Not merged into the 2025 assessment: it is still the unit's to self-assess.
    assert not Score.objects.filter(assessment=current, survey_score__isnull=False).exists()
