"""The demo's SIPAS surveys (`manage.py load_par_demo`): the province's questionnaire
(`data/sipas-demo.json`), commune Nga Sơn's 2025 round run to the end (opened, ~40 paper forms
typed in, closed, published: its index shows) and a round of the current year left open (the
paper-entry form and the counter's tablet take answers). Everything goes through
`surveys.actions`.

The sample is drawn only where the demo has returned dossiers in the round's period with a
phone or an e-mail: `load_demo`'s dossiers are recent, so the current round draws among them
and the 2025 round (none returned then; `generate_demo` runs later) collects on paper only.
The answers are made up with a fixed seed, so every load gives the same figures.

Idempotent: a round already there (by unit and title) is left as it is."""

from __future__ import annotations

import datetime as dt
import json
import random
import zoneinfo
from pathlib import Path
from typing import Any

from django.utils import timezone

from cchc.surveys import actions
from cchc.surveys.choices import QuestionnaireStatus
from cchc.surveys.models import Questionnaire, SurveyRound
from cchc.units.models import Unit

DATA = Path(__file__).resolve().parent / "data" / "sipas-demo.json"
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
PAST_TITLE = "Khảo sát sự hài lòng của người dân năm 2025"
PAST_RESPONSES = 40
CURRENT_RESPONSES = 6
SEED = 2025
# How often each point is chosen: mostly satisfied, a few unhappy answers, some blanks.
WEIGHTS = {None: 3, 1: 2, 2: 5, 3: 14, 4: 42, 5: 34}


def _moment(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL)


def questionnaire(province: Unit, *, by: Any) -> Questionnaire:
    """The demo questionnaire in use, imported and activated by the province once."""
    code = json.loads(DATA.read_text(encoding="utf-8"))["code"]
    found = (
        Questionnaire.objects.filter(code=code, status=QuestionnaireStatus.ACTIVE)
        .order_by("-version")
        .first()
    )
    if found is not None:
        return found
    at = _moment(dt.date(2025, 1, 6))
    imported = actions.import_questionnaire(DATA.read_bytes(), unit=province, by=by, at=at)
    return actions.activate_questionnaire(imported, by=by, at=at)


def _answers(rng: random.Random, codes: list[str]) -> dict[str, int | None]:
    points, weights = list(WEIGHTS), list(WEIGHTS.values())
    answers = {code: rng.choices(points, weights)[0] for code in codes}
    if all(v is None for v in answers.values()):
        answers[codes[0]] = 4
    return answers


def _fill(
    survey: SurveyRound,
    unit: Unit,
    *,
    by: Any,
    count: int,
    days: list[dt.date],
    rng: random.Random,
) -> None:
    codes = sorted(survey.questionnaire.questions.values_list("code", flat=True))
    for n in range(1, count + 1):
        day = days[(n - 1) % len(days)]
        actions.record_paper_response(
            survey,
            by=by,
            unit=unit,
            answers=_answers(rng, codes),
            form_number=f"{n:03d}",
            at=_moment(day, 8 + n % 8),
        )


def _draw_if_any(survey: SurveyRound, *, by: Any, at: dt.datetime) -> None:
    if actions.eligible_applicants(survey):
        actions.draw_sample(survey, by=by, at=at)


def past_round(
    unit: Unit, questionnaire: Questionnaire, *, manager: Any, officer: Any
) -> SurveyRound:
    """The 2025 round: returned dossiers of 01/01–30/09/2025, forms typed in during October,
    closed on 31/10 and published on 05/11/2025, before the PAR self-assessment's deadline."""
    found = SurveyRound.objects.filter(unit=unit, title=PAST_TITLE).first()
    if found is not None:
        return found
    opened = _moment(dt.date(2025, 10, 1), 8)
    survey = actions.create_round(
        questionnaire=questionnaire,
        unit=unit,
        title=PAST_TITLE,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 9, 30),
        answer_until=dt.date(2025, 10, 31),
        sample_size=60,
        seed=SEED,
        by=manager,
        at=_moment(dt.date(2025, 9, 25)),
    )
    survey = actions.open_round(survey, by=manager, at=opened)
    _draw_if_any(survey, by=manager, at=opened)
    days = [dt.date(2025, 10, d) for d in (2, 3, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 20, 21)]
    _fill(survey, unit, by=officer, count=PAST_RESPONSES, days=days, rng=random.Random(SEED))
    survey = actions.close_round(survey, by=manager, at=_moment(dt.date(2025, 10, 31), 17))
    return actions.publish_round(survey, by=manager, at=_moment(dt.date(2025, 11, 5), 10))


def current_round(
    unit: Unit, questionnaire: Questionnaire, *, manager: Any, officer: Any
) -> SurveyRound:
    """This year's round, open until the end of January next year, with a sample drawn among
    the demo's returned dossiers and a few forms already typed in."""
    today = timezone.localdate()
    title = f"Khảo sát sự hài lòng của người dân năm {today.year}"
    found = SurveyRound.objects.filter(unit=unit, title=title).first()
    if found is not None:
        return found
    now = timezone.now()
    survey = actions.create_round(
        questionnaire=questionnaire,
        unit=unit,
        title=title,
        period_start=dt.date(today.year, 1, 1),
        period_end=dt.date(today.year, 12, 31),
        answer_until=dt.date(today.year + 1, 1, 31),
        sample_size=30,
        seed=SEED + 1,
        by=manager,
        at=now,
    )
    survey = actions.open_round(survey, by=manager, at=now)
    _draw_if_any(survey, by=manager, at=now)
    rng = random.Random(SEED + 1)
    codes = sorted(survey.questionnaire.questions.values_list("code", flat=True))
    for n in range(1, CURRENT_RESPONSES + 1):
        actions.record_paper_response(
            survey, by=officer, unit=unit, answers=_answers(rng, codes), form_number=f"{n:03d}"
        )
    return survey


def load_surveys(
    unit: Unit, province: Unit, *, province_manager: Any, manager: Any, officer: Any
) -> tuple[SurveyRound, SurveyRound]:
    """(the published 2025 round, the open round of this year)."""
    used = questionnaire(province, by=province_manager)
    past = past_round(unit, used, manager=manager, officer=officer)
    return past, current_round(unit, used, manager=manager, officer=officer)
