"""The SIPAS index of a round, per unit and overall, as REFERENCE §6 documents it:

- per question: the share satisfied = answers at 4 or 5 (Hài lòng, Rất hài lòng) / the answers
  given to that question (a blank is no answer and counts in neither), in %;
- per criterion: the mean of its satisfaction questions' shares (perception and expectation
  questions give their own means beside it, never mixed in);
- per factor: the mean of its criteria (those with answers);
- the index: the mean of the factors (those with answers), in %.

Margins of error at 95%: for a share p (0..1) from n answers, 1.96 × √(p(1 − p) / n), in
percentage points; the index's margin applies the same formula to the index with n = the
responses (an approximation, documented in docs/surveys.md). No finite-population correction:
the margin is slightly overstated when the sample is a large part of the population.

The PAR Index's survey component reads `round_results` and `unit_index`: plain dataclasses,
no model instances.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cchc.surveys.choices import SATISFIED_VALUES, QuestionKind, ResponseChannel, RoundStatus
from cchc.surveys.models import Answer, Invitation, Question, Response, SurveyRound
from cchc.units.models import Unit

Z_95 = 1.96
KINDS: tuple[str, ...] = (
    QuestionKind.SATISFACTION.value,
    QuestionKind.PERCEPTION.value,
    QuestionKind.EXPECTATION.value,
)


def margin(share_percent: float | None, n: int) -> float | None:
    """The 95% margin of error, in percentage points, of a share (in %) from n answers."""
    if share_percent is None or n <= 0:
        return None
    p = share_percent / 100
    return Z_95 * math.sqrt(p * (1 - p) / n) * 100


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


@dataclass(frozen=True)
class QuestionResult:
    code: str
    text: str
    kind: str
    # Answers at 1, 2, 3, 4, 5.
    counts: tuple[int, int, int, int, int]
    no_answer: int
    answered: int
    satisfied: float | None  # % at 4–5 among the answers
    mean: float | None  # mean score 1..5
    margin: float | None  # percentage points, 95%


@dataclass(frozen=True)
class CriterionResult:
    code: str
    title: str
    # Mean of the criterion's questions' shares at 4–5, per kind ("satisfaction" is the index's).
    rates: dict[str, float | None]
    questions: list[QuestionResult]

    @property
    def satisfaction(self) -> float | None:
        return self.rates.get(QuestionKind.SATISFACTION)


@dataclass(frozen=True)
class FactorResult:
    code: str
    title: str
    rates: dict[str, float | None]
    criteria: list[CriterionResult]

    @property
    def satisfaction(self) -> float | None:
        return self.rates.get(QuestionKind.SATISFACTION)


@dataclass(frozen=True)
class UnitResult:
    """One unit's results in a round (or the round's, all units together: unit_id None)."""

    unit_id: int | None
    unit_code: str
    unit_name: str
    responses: int
    by_channel: dict[str, int]
    index: float | None  # the SIPAS index, %
    margin: float | None
    rates: dict[str, float | None]  # per kind: perception and expectation beside the index
    factors: list[FactorResult]


@dataclass(frozen=True)
class RoundResults:
    round_id: int
    title: str
    status: str
    questionnaire: str
    period_start: str  # dd/mm/yyyy
    period_end: str
    overall: UnitResult
    units: list[UnitResult] = field(default_factory=list)


@dataclass(frozen=True)
class UnitIndex:
    """What the PAR Index's survey component reads for a unit and a year."""

    unit_id: int
    year: int
    index: float | None  # %, responses-weighted mean of the published rounds' indices
    responses: int
    margin: float | None
    rounds: list[int]


def _question_result(question: Question, counts: dict[int | None, int]) -> QuestionResult:
    by_value = tuple(counts.get(v, 0) for v in range(1, 6))
    answered = sum(by_value)
    satisfied = sum(counts.get(v, 0) for v in SATISFIED_VALUES)
    share = satisfied / answered * 100 if answered else None
    return QuestionResult(
        code=question.code,
        text=question.text,
        kind=question.kind,
        counts=by_value,  # type: ignore[arg-type]
        no_answer=counts.get(None, 0),
        answered=answered,
        satisfied=share,
        mean=sum(v * n for v, n in zip(range(1, 6), by_value, strict=True)) / answered
        if answered
        else None,
        margin=margin(share, answered),
    )


def _rates(items: Iterable[dict[str, float | None]]) -> dict[str, float | None]:
    listed = list(items)
    return {kind: _mean(item.get(kind) for item in listed) for kind in KINDS}


def compute(
    survey: SurveyRound,
    responses: int,
    by_channel: dict[str, int],
    counts: dict[int, dict[int | None, int]],
    unit: Unit | None,
) -> UnitResult:
    """The results from the answer counts (question id → value → count)."""
    factors = []
    for factor in survey.questionnaire.factors.all():
        criteria = []
        for criterion in factor.criteria.all():
            questions = [
                _question_result(q, counts.get(q.pk, {})) for q in criterion.questions.all()
            ]
            rates = {
                kind: _mean(q.satisfied for q in questions if q.kind == kind) for kind in KINDS
            }
            criteria.append(CriterionResult(criterion.code, criterion.title, rates, questions))
        factors.append(
            FactorResult(factor.code, factor.title, _rates(c.rates for c in criteria), criteria)
        )
    rates = _rates(f.rates for f in factors)
    index = rates[QuestionKind.SATISFACTION]
    return UnitResult(
        unit_id=unit.pk if unit else None,
        unit_code=unit.code if unit else "",
        unit_name=unit.name if unit else "",
        responses=responses,
        by_channel=by_channel,
        index=index,
        margin=margin(index, responses),
        rates=rates,
        factors=factors,
    )


def _load(survey: SurveyRound) -> SurveyRound:
    return (
        SurveyRound.objects.select_related("questionnaire")
        .prefetch_related("questionnaire__factors__criteria__questions", "surveyed_units")
        .get(pk=survey.pk)
    )


def round_results(survey: SurveyRound) -> RoundResults:
    """A round's results, overall and per surveyed unit: three grouped queries whatever the
    number of responses."""
    survey = _load(survey)
    answer_rows = (
        Answer.objects.filter(response__round=survey)
        .values("response__unit_id", "question_id", "value")
        .annotate(n=Count("pk"))
    )
    per_unit: dict[int, dict[int, dict[int | None, int]]] = defaultdict(lambda: defaultdict(dict))
    overall: dict[int, dict[int | None, int]] = defaultdict(dict)
    for row in answer_rows:
        u, q, v, n = row["response__unit_id"], row["question_id"], row["value"], row["n"]
        per_unit[u][q][v] = per_unit[u][q].get(v, 0) + n
        overall[q][v] = overall[q].get(v, 0) + n
    channel_rows = (
        Response.objects.filter(round=survey).values("unit_id", "channel").annotate(n=Count("pk"))
    )
    channels: dict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(ResponseChannel.values, 0)
    )
    for row in channel_rows:
        channels[row["unit_id"]][row["channel"]] = row["n"]
    units = sorted(survey.surveyed_units.all(), key=lambda u: u.code)
    total_channels = {
        c: sum(channels[u.pk][c] for u in units if u.pk in channels) for c in ResponseChannel.values
    }
    return RoundResults(
        round_id=survey.pk,
        title=survey.title,
        status=survey.status,
        questionnaire=str(survey.questionnaire),
        period_start=survey.period_start.strftime("%d/%m/%Y"),
        period_end=survey.period_end.strftime("%d/%m/%Y"),
        overall=compute(survey, sum(total_channels.values()), total_channels, overall, None),
        units=[
            compute(
                survey,
                sum(channels[u.pk].values()) if u.pk in channels else 0,
                dict(channels[u.pk]),
                per_unit.get(u.pk, {}),
                u,
            )
            for u in units
        ],
    )


def unit_index(unit: Unit, year: int) -> UnitIndex:
    """A unit's SIPAS index for a year: its results in every published round whose period ends
    in that year, weighted by its responses in each."""
    rounds = SurveyRound.objects.filter(
        status=RoundStatus.PUBLISHED, surveyed_units=unit, period_end__year=year
    ).order_by("period_end", "pk")
    weighted = 0.0
    counted = 0
    ids = []
    for survey in rounds:
        results = round_results(survey)
        mine = next((u for u in results.units if u.unit_id == unit.pk), None)
        ids.append(survey.pk)
        if mine is None or mine.index is None or not mine.responses:
            continue
        weighted += mine.index * mine.responses
        counted += mine.responses
    index = weighted / counted if counted else None
    return UnitIndex(
        unit_id=unit.pk,
        year=year,
        index=index,
        responses=counted,
        margin=margin(index, counted),
        rounds=ids,
    )


@dataclass(frozen=True)
class Progress:
    invited: int
    sent: int
    answered_online: int
    paper: int
    kiosk: int

    @property
    def responses(self) -> int:
        return self.answered_online + self.paper + self.kiosk

    @property
    def answer_rate(self) -> float | None:
        """Online answers per invitation, in %."""
        return self.answered_online / self.invited * 100 if self.invited else None


def progress(survey: SurveyRound) -> Progress:
    invitations = Invitation.objects.filter(round=survey).aggregate(
        invited=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
    )
    by_channel = dict(
        Response.objects.filter(round=survey)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return Progress(
        invited=invitations["invited"],
        sent=invitations["sent"],
        answered_online=by_channel.get(ResponseChannel.ONLINE, 0),
        paper=by_channel.get(ResponseChannel.PAPER, 0),
        kiosk=by_channel.get(ResponseChannel.KIOSK, 0),
    )
