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
from cchc.parindex.models import Assessment, Score
from cchc.parindex.scoring import parse_rule
from cchc.surveys.index import UnitIndex, unit_index
from cchc.workflow.transition import transition


class NoSurveyResult(ParIndexError):
    status_code = 409


def sipas_scores(assessment: Assessment) -> tuple[dict[str, Decimal], UnitIndex]:
    """Each survey criterion's score from the unit's published SIPAS index for the assessment's
    year (cchc.surveys.index.unit_index): the criterion's rule applied to the index as a share
    (the shipped sets: proportional, target 1 → maximum × index ÷ 100), rounded half up to
    0,01; a criterion with the free rule takes maximum × share. The SIPAS index is one figure
    per unit and year and no set names questionnaire factors on its survey criteria, so every
    survey criterion takes the same share (docs/parindex.md). NoSurveyResult (409) when no
    published round has answers for the unit that year."""
    found = unit_index(assessment.unit, assessment.year)
    if found.index is None:
        raise NoSurveyResult(
            _(
                "%(unit)s chưa có kết quả điều tra SIPAS đã công bố năm %(year)d: hãy nhập điểm "
                "điều tra xã hội học, hoặc gửi danh sách trống nếu không tổ chức điều tra."
            )
            % {"unit": assessment.unit.name, "year": assessment.year}
        )
    share = Decimal(str(found.index)) / 100
    out: dict[str, Decimal] = {}
    for score in Score.objects.filter(
        assessment=assessment, criterion__method=Method.SURVEY
    ).select_related("criterion"):
        c = score.criterion
        if c.rule == ScoreRule.FREE:
            value = (c.max_score * share).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            points = parse_rule(c.code, c.rule, c.rule_params, c.max_score).score(share)
            value = points if points is not None else Decimal(0)
        out[c.code] = value
    return out, found


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
            scores, found = sipas_scores(a)
            source = {
                "sipas": {
                    "index": f"{found.index:.4f}",
                    "responses": found.responses,
                    "rounds": found.rounds,
                }
            }
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
