"""The survey component merged from SIPAS, then the result made final and published."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from cchc.parindex.actions.common import (
    CENT,
    FLOW,
    _leaf_score,
    _now,
    _points,
    _scores_by_code,
    _set,
)
from cchc.parindex.actions.errors import InvalidScore, ParIndexError
from cchc.parindex.choices import Action, Method, ScoreRule
from cchc.parindex.criteria import SIPAS_FACTOR, rule_params_of, sipas_factor
from cchc.parindex.models import Assessment, Score
from cchc.parindex.scoring import parse_rule
from cchc.surveys.index import UnitIndex, round_results, unit_index
from cchc.surveys.models import SurveyRound
from cchc.workflow.transition import transition


class NoSurveyResult(ParIndexError):
    status_code = 409


def sipas_scores(assessment: Assessment) -> tuple[dict[str, Decimal], UnitIndex]:
    """Each survey criterion's score from the unit's published SIPAS results for the
    assessment's year (cchc.surveys.index.unit_index): the criterion's rule applied to a share
    (the shipped sets: proportional, target 1 → maximum × share), rounded half up to 0,01; a
    criterion with the free rule takes maximum × share. The share is the overall SIPAS index,
    or, for a criterion naming a factor (`sipas_factor` in its rule_params), that factor's
    satisfaction rate (`factor_shares`). NoSurveyResult (409) when no published round has
    answers for the unit that year (docs/parindex.md)."""
    scores, found, _factors = _sipas(assessment)
    return scores, found


def _sipas(
    assessment: Assessment,
) -> tuple[dict[str, Decimal], UnitIndex, dict[str, float]]:
    found = unit_index(assessment.unit, assessment.year)
    if found.index is None:
        raise NoSurveyResult(
            _(
                "%(unit)s chưa có kết quả điều tra SIPAS đã công bố năm %(year)d: hãy nhập điểm "
                "điều tra xã hội học, hoặc gửi danh sách trống nếu không tổ chức điều tra."
            )
            % {"unit": assessment.unit.name, "year": assessment.year}
        )
    criteria = [
        score.criterion
        for score in Score.objects.filter(
            assessment=assessment, criterion__method=Method.SURVEY
        ).select_related("criterion")
    ]
    by_factor: dict[str, list[str]] = {}
    for c in criteria:
        factor = sipas_factor(c.rule_params)
        if factor is not None:
            by_factor.setdefault(factor, []).append(c.code)
    factors = factor_shares(assessment, found, by_factor) if by_factor else {}
    out: dict[str, Decimal] = {}
    for c in criteria:
        factor = sipas_factor(c.rule_params)
        rate = factors[factor] if factor is not None else found.index
        share = Decimal(str(rate)) / 100
        if c.rule == ScoreRule.FREE:
            value = (c.max_score * share).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            rule = parse_rule(c.code, c.rule, rule_params_of(c.rule_params), c.max_score)
            points = rule.score(share)
            value = points if points is not None else Decimal(0)
        out[c.code] = value
    return out, found, factors


def factor_shares(
    assessment: Assessment, found: UnitIndex, by_factor: Mapping[str, list[str]]
) -> dict[str, float]:
    """Each named factor's satisfaction rate (%) for the unit, over the rounds its SIPAS index
    counts (a round where the unit has responses), weighted by its responses in each, as the
    index itself is (cchc.surveys.index.unit_index). A factor that a counted round's
    questionnaire does not have is refused (422), as is a factor without answers (409), each
    naming the criteria and the factor; nothing is merged."""
    unit = assessment.unit
    weighted = dict.fromkeys(by_factor, 0.0)
    counted = dict.fromkeys(by_factor, 0)
    rounds = SurveyRound.objects.filter(pk__in=found.rounds).order_by("period_end", "pk")
    for survey in rounds:
        results = round_results(survey)
        mine = next((u for u in results.units if u.unit_id == unit.pk), None)
        if mine is None or mine.index is None or not mine.responses:
            continue
        rates = {f.code: f.satisfaction for f in mine.factors}
        for factor, codes in by_factor.items():
            if factor not in rates:
                raise InvalidScore(
                    _(
                        "Tiêu chí %(codes)s: yếu tố SIPAS “%(factor)s” không có trong bộ câu hỏi "
                        "%(questionnaire)s của đợt khảo sát “%(round)s”; hãy sửa %(key)s của "
                        "tiêu chí, hoặc nhập điểm điều tra xã hội học."
                    )
                    % {
                        "codes": ", ".join(codes),
                        "factor": factor,
                        "questionnaire": results.questionnaire,
                        "round": results.title,
                        "key": SIPAS_FACTOR,
                    }
                )
            rate = rates[factor]
            if rate is not None:
                weighted[factor] += rate * mine.responses
                counted[factor] += mine.responses
    for factor, codes in by_factor.items():
        if not counted[factor]:
            raise NoSurveyResult(
                _(
                    "Tiêu chí %(codes)s: yếu tố SIPAS “%(factor)s” chưa có câu trả lời của "
                    "%(unit)s trong các đợt khảo sát đã công bố năm %(year)d; hãy nhập điểm "
                    "điều tra xã hội học."
                )
                % {
                    "codes": ", ".join(codes),
                    "factor": factor,
                    "unit": unit.name,
                    "year": assessment.year,
                }
            )
    return {factor: weighted[factor] / counted[factor] for factor in by_factor}


def merge_survey(
    assessment: Assessment,
    scores: Mapping[str, Any] | None,
    *,
    by: Any,
    at: dt.datetime | None = None,
) -> Assessment:
    """Merge the survey component: a score for every survey criterion (rounded to 0,01), or
    none at all when no survey was run (optional at commune level: the index is then the
    appraised points over their own maximum). `scores=None`: from the unit's published SIPAS
    index for the year (`sipas_scores`)."""
    now = _now(at)

    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        nonlocal scores
        rows = _scores_by_code(a)
        survey_codes = [c for c, s in rows.items() if s.criterion.method == Method.SURVEY]
        source: dict[str, Any] = {}
        if scores is None:
            scores, found, factors = _sipas(a)
            source = {
                "sipas": {
                    "index": f"{found.index:.4f}",
                    "responses": found.responses,
                    "rounds": found.rounds,
                }
            }
            if factors:
                source["sipas"]["factors"] = {f: f"{rate:.4f}" for f, rate in factors.items()}
        if not scores:
            a.with_survey = False
            return {"with_survey": False}
        missing = [c for c in survey_codes if c not in scores]
        if missing:
            raise InvalidScore(
                _("Thiếu điểm điều tra xã hội học của tiêu chí: %(codes)s.")
                % {"codes": ", ".join(missing)}
            )
        for code, raw in scores.items():
            score = _leaf_score(a, rows, code, survey=True)
            try:
                rounded = Decimal(str(raw)).quantize(CENT, rounding=ROUND_HALF_UP)
            except InvalidOperation:
                rounded = raw
            value = _points(score.criterion, rounded, _("điểm điều tra xã hội học"))
            if _set(score, "survey_score", value, by=by, at=moment, why=_("Tổng hợp ĐTXHH")):
                score.save(update_fields=["survey_score"])
        a.with_survey = True
        return {"with_survey": True, "criteria": len(scores), **source}

    return transition(FLOW, assessment, Action.MERGE_SURVEY, by=by, at=now, change=change)


def finalise(assessment: Assessment, *, by: Any, at: dt.datetime | None = None) -> Assessment:
    """The council fixes the result: the index and its grade are written in the event."""
    from cchc.parindex.results import totals

    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        result = totals(a)
        return {"index": str(result.index), "band": result.band}

    return transition(FLOW, assessment, Action.FINALISE, by=by, at=_now(at), change=change)


def publish(assessment: Assessment, *, by: Any, at: dt.datetime | None = None) -> Assessment:
    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        a.published_at = moment
        return {}

    return transition(FLOW, assessment, Action.PUBLISH, by=by, at=_now(at), change=change)
