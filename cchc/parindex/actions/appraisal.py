"""The appraisal council's rounds and the unit's explanation between them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.parindex.actions.common import (
    FLOW,
    _guard,
    _leaf_score,
    _now,
    _points,
    _scores_by_code,
    _set,
)
from cchc.parindex.actions.errors import InvalidScore
from cchc.parindex.choices import TRANSITIONS, Action, Method
from cchc.parindex.criteria import points_text
from cchc.parindex.models import Assessment, Score
from cchc.workflow.transition import transition


@dataclass(frozen=True)
class AppraisalEntry:
    """The council's word on one criterion: `score` None accepts the unit's self-score (round
    1) or keeps round 1's score (round 2); `reason` says why points were lost."""

    code: str
    score: Any = None
    reason: str = ""


ROUNDS = {1: (Action.APPRAISE_1, "appraised_1"), 2: (Action.APPRAISE_2, "appraised_2")}


def appraise(
    assessment: Assessment,
    round: int,
    entries: Sequence[AppraisalEntry],
    *,
    by: Any,
    at: dt.datetime | None = None,
) -> Assessment:
    """Round 1 or 2 of the appraisal: accept or adjust each score; a score below the maximum
    needs the reason for the points lost. The council may score in several sittings."""
    if round not in ROUNDS:
        raise InvalidScore(_("Lần thẩm định phải là 1 hoặc 2."))
    action, column = ROUNDS[round]
    now = _now(at)
    with transaction.atomic():
        current = _guard(assessment, action, by)
        if current.status != TRANSITIONS.target(action, current.status):
            current = transition(FLOW, current, action, by=by, at=now, locked=True)
        scores = _scores_by_code(current)
        for entry in entries:
            score = _leaf_score(current, scores, entry.code)
            criterion = score.criterion
            if entry.score is None:
                base = score.self_score if round == 1 else score.appraised_1
                if base is None:
                    raise InvalidScore(
                        _("Tiêu chí %(code)s: chưa có điểm để công nhận; hãy ghi điểm thẩm định.")
                        % {"code": criterion.code}
                    )
                value = base
            else:
                value = _points(criterion, entry.score, _("điểm thẩm định"))
            reason = entry.reason.strip()
            if value < criterion.max_score and not (reason or score.reason):
                raise InvalidScore(
                    _(
                        "Tiêu chí %(code)s: điểm thẩm định %(value)s thấp hơn điểm tối đa %(max)s, "
                        "cần ghi lý do trừ điểm."
                    )
                    % {
                        "code": criterion.code,
                        "value": points_text(value),
                        "max": points_text(criterion.max_score),
                    }
                )
            why = _("Thẩm định lần %(n)d") % {"n": round}
            changed = _set(score, column, value, by=by, at=now, why=why)
            if reason:
                changed |= _set(score, "reason", reason, by=by, at=now, why=why)
            if changed:
                score.save(update_fields=[column, "reason"])
    return current


def close_round(
    assessment: Assessment, round: int, *, by: Any, at: dt.datetime | None = None
) -> Assessment:
    """End round 1 (every appraised criterion scored; the unit may now explain) or round 2 (the
    scores not re-appraised keep round 1's)."""
    if round not in ROUNDS:
        raise InvalidScore(_("Lần thẩm định phải là 1 hoặc 2."))
    action = Action.CLOSE_ROUND_1 if round == 1 else Action.CLOSE_ROUND_2

    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        if round == 2:
            return {}
        missing = list(
            Score.objects.filter(assessment=a, appraised_1__isnull=True)
            .exclude(criterion__method=Method.SURVEY)
            .order_by("criterion__order")
            .values_list("criterion__code", flat=True)
        )
        if missing:
            shown = ", ".join(missing[:10]) + (", …" if len(missing) > 10 else "")
            raise InvalidScore(
                _("Chưa thẩm định %(n)d tiêu chí: %(codes)s.") % {"n": len(missing), "codes": shown}
            )
        return {}

    return transition(FLOW, assessment, action, by=by, at=_now(at), change=change)


def explain(
    assessment: Assessment,
    explanations: Mapping[str, str],
    *,
    by: Any,
    at: dt.datetime | None = None,
) -> Assessment:
    """The unit's explanation (giải trình) of criteria that lost points in round 1."""
    now = _now(at)

    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        scores = _scores_by_code(a)
        for code, text in explanations.items():
            score = _leaf_score(a, scores, code)
            if score.appraised_1 is None or score.appraised_1 >= score.criterion.max_score:
                raise InvalidScore(
                    _(
                        "Tiêu chí %(code)s không bị trừ điểm ở lần thẩm định 1: không cần giải trình."
                    )
                    % {"code": code}
                )
            if not text.strip():
                raise InvalidScore(
                    _("Tiêu chí %(code)s: nội dung giải trình trống.") % {"code": code}
                )
            if _set(score, "explanation", text.strip(), by=by, at=moment, why=_("Giải trình")):
                score.save(update_fields=["explanation"])
        return {"criteria": sorted(explanations)}

    return transition(FLOW, assessment, Action.EXPLAIN, by=by, at=now, change=change)
