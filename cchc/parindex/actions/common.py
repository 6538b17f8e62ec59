"""What every action of the PAR Index shares: who may do what, the cycle on the one workflow
mechanism (`FLOW`), and scores changed only through `_set`, which keeps their history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.numbers import plain_decimal
from cchc.parindex.actions.errors import IllegalMove, InvalidScore, NotAllowed, ParIndexError
from cchc.parindex.choices import OPENERS, TRANSITIONS, UNIT, Action, Method, ScoreRule, Status
from cchc.parindex.criteria import points_text
from cchc.parindex.models import (
    Assessment,
    AssessmentEvent,
    CriteriaSet,
    Criterion,
    Score,
    ScoreChange,
)
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Unit, active_memberships, user_roles_in
from cchc.workflow.table import Rule
from cchc.workflow.transition import Workflow, actor, transition

CENT = Decimal("0.01")


def _now(at: dt.datetime | None) -> dt.datetime:
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("naive datetime")
    return moment


# -- who may do what ---------------------------------------------------------------------------


def own_roles(user: Any, unit: Unit) -> set[str]:
    """The roles `user` holds in `unit` itself or an agency inside it: the unit's own staff. A
    province role reaching down does not make its holder a self-assessor of the commune."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return set(Role.values)
    return {m.role for m in active_memberships(user) if m.unit.path.startswith(unit.path)}


def council_roles(user: Any, assessment: Assessment) -> set[str]:
    """The appraiser role, if `user` holds it over the unit and — when the assessment names its
    council members — is one of them."""
    roles = user_roles_in(user, assessment.unit) & {Role.APPRAISER}
    if roles and not user.is_superuser:
        named = set(assessment.appraisers.values_list("pk", flat=True))
        if named and user.pk not in named:
            return set()
    return roles


def _roles_of(assessment: Assessment, user: Any, where: str) -> set[str]:
    return own_roles(user, assessment.unit) if where == UNIT else council_roles(user, assessment)


def may_manage_sets(user: Any) -> bool:
    """Criteria sets are issued by a province: its appraisal council or its administrator."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(
        m.role in OPENERS and m.unit.kind == UnitKind.PROVINCE for m in active_memberships(user)
    )


def _lock(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    # Read after the lock, not joined: FOR UPDATE would lock the unit and set rows too.
    locked.unit = Unit.objects.get(pk=locked.unit_id)
    locked.criteria_set = CriteriaSet.objects.get(pk=locked.criteria_set_id)
    return locked


def _illegal(assessment: Assessment, action: str) -> ParIndexError:
    if assessment.status == Status.PUBLISHED:
        return IllegalMove(
            _("Kết quả Chỉ số CCHC của %(unit)s đã công bố: không thể “%(action)s”.")
            % {"unit": assessment.unit.name, "action": Action(action).label}
        )
    return IllegalMove(
        _("Không thể “%(action)s” khi kỳ đánh giá đang ở trạng thái “%(status)s”.")
        % {"action": Action(action).label, "status": Status(assessment.status).label}
    )


def _stale(assessment: Assessment) -> ParIndexError:
    return IllegalMove(
        _("Kỳ đánh giá đã thay đổi từ lần đọc trước (version %(v)s): hãy tải lại rồi thao tác.")
        % {"v": assessment.version}
    )


def _not_allowed(assessment: Assessment, action: str, rule: Rule) -> ParIndexError:
    if rule.where == UNIT:
        return NotAllowed(
            _("Chỉ lãnh đạo hoặc đầu mối kiểm soát TTHC của %(unit)s được “%(action)s”.")
            % {"unit": assessment.unit.name, "action": Action(action).label}
        )
    return NotAllowed(
        _("Chỉ thành viên hội đồng thẩm định được phân công cho %(unit)s được “%(action)s”.")
        % {"unit": assessment.unit.name, "action": Action(action).label}
    )


# The assessment cycle on the one mechanism (`cchc.workflow`).
FLOW: Workflow[Assessment] = Workflow(
    table=TRANSITIONS,
    event=AssessmentEvent,
    lock=_lock,
    illegal=_illegal,
    version_field="version",
    stale=_stale,
    roles_of=_roles_of,
    not_allowed=_not_allowed,
)


def _guard(assessment: Assessment, action: str, by: Any) -> Assessment:
    """Lock the assessment and check, as a move would, that `action` may happen now and that
    `by` may take it: for the edits that are no move of the table (scores, evidence)."""
    current = FLOW.lock(assessment)
    if FLOW.table.target(action, current.status) is None:
        raise FLOW.illegal(current, action)
    FLOW.check_role(current, action, by)
    return current


def allowed_actions(assessment: Assessment, user: Any) -> list[str]:
    """The moves this user may make on this assessment now (for the pages' buttons)."""
    out = []
    for action in TRANSITIONS:
        rule = TRANSITIONS.rules[action]
        if TRANSITIONS.target(action, assessment.status) is not None and rule.roles & _roles_of(
            assessment, user, rule.where
        ):
            out.append(action)
    return out


# -- scores and their history ------------------------------------------------------------------


def _set(score: Score, column: str, value: Any, *, by: Any, at: dt.datetime, why: str) -> bool:
    """Change one column of a score, appending its history row; False when nothing changed."""
    old = getattr(score, column)
    if old == value or (old in (None, "") and value in (None, "")):
        return False
    setattr(score, column, value)
    ScoreChange.objects.create(
        score=score,
        field=column,
        old="" if old is None else str(plain_decimal(old) if isinstance(old, Decimal) else old),
        new=""
        if value is None
        else str(plain_decimal(value) if isinstance(value, Decimal) else value),
        why=why,
        actor=actor(by),
        at=at,
    )
    return True


def _points(criterion: Criterion, raw: Any, what: str) -> Decimal:
    """`raw` as points for `criterion`: a number from 0 to its maximum, at most two decimals,
    and one the criterion's rule allows."""
    try:
        value = Decimal(str(raw).strip().replace(",", ".")) if not isinstance(raw, bool) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise InvalidScore(
            _("Tiêu chí %(code)s: %(what)s “%(raw)s” không phải là số.")
            % {"code": criterion.code, "what": what, "raw": raw}
        )
    if value < 0 or value > criterion.max_score:
        raise InvalidScore(
            _("Tiêu chí %(code)s: %(what)s %(value)s ngoài khoảng 0 đến %(max)s (điểm tối đa).")
            % {
                "code": criterion.code,
                "what": what,
                "value": points_text(value),
                "max": points_text(criterion.max_score),
            }
        )
    if value != value.quantize(CENT):
        raise InvalidScore(
            _("Tiêu chí %(code)s: %(what)s chỉ có tối đa 2 chữ số thập phân.")
            % {"code": criterion.code, "what": what}
        )
    allowed: list[Decimal] | None = None
    if criterion.rule == ScoreRule.YES_NO:
        allowed = [Decimal(0), criterion.max_score]
    elif criterion.rule == ScoreRule.FREE and criterion.rule_params.get("levels"):
        allowed = [Decimal(str(v)) for v in criterion.rule_params["levels"]]
    if allowed is not None and value not in allowed:
        raise InvalidScore(
            _("Tiêu chí %(code)s: %(what)s chỉ được là một trong các mức %(levels)s.")
            % {
                "code": criterion.code,
                "what": what,
                "levels": "; ".join(points_text(v) for v in allowed),
            }
        )
    return value + 0


def _scores_by_code(assessment: Assessment) -> dict[str, Score]:
    return {
        s.criterion.code: s
        for s in Score.objects.filter(assessment=assessment).select_related("criterion")
    }


def _leaf_score(
    assessment: Assessment, scores: Mapping[str, Score], code: str, *, survey: bool = False
) -> Score:
    """The score row of criterion `code`, refused with the reason when the set has no such
    criterion, when it is a parent (scored through its children) or of the wrong method."""
    score = scores.get(code)
    if score is None:
        if Criterion.objects.filter(criteria_set_id=assessment.criteria_set_id, code=code).exists():
            raise InvalidScore(
                _(
                    "Tiêu chí %(code)s là tiêu chí tổng hợp: điểm được cộng từ các tiêu chí thành phần."
                )
                % {"code": code}
            )
        raise InvalidScore(
            _("Tiêu chí %(code)s không có trong bộ tiêu chí %(set)s.")
            % {"code": code, "set": assessment.criteria_set.code}
        )
    is_survey = score.criterion.method == Method.SURVEY
    if is_survey and not survey:
        raise InvalidScore(
            _(
                "Tiêu chí %(code)s chấm bằng điều tra xã hội học: điểm được tổng hợp từ kết quả điều tra."
            )
            % {"code": code}
        )
    if survey and not is_survey:
        raise InvalidScore(
            _("Tiêu chí %(code)s không chấm bằng điều tra xã hội học.") % {"code": code}
        )
    return score


def _start_self_assessment(current: Assessment, by: Any, at: dt.datetime) -> Assessment:
    if current.status == Status.OPEN:
        return transition(FLOW, current, Action.SELF_ASSESS, by=by, at=at, locked=True)
    return current
