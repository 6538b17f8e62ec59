"""A survey round's workflow on the one mechanism: created → opened → closed → published."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.surveys.actions.common import MAX_SAMPLE, _check_roles, _manager_message, _now
from cchc.surveys.actions.errors import IllegalMove, InvalidSurvey, NotAllowed, SurveyError
from cchc.surveys.actions.questionnaires import usable_questionnaires
from cchc.surveys.choices import MANAGER_ROLES, TRANSITIONS, RoundAction, RoundStatus
from cchc.surveys.models import Questionnaire, SurveyRound, SurveyRoundEvent
from cchc.units.models import Unit, user_roles_in
from cchc.workflow.table import Rule
from cchc.workflow.transition import Workflow, record, transition


def _lock(survey: SurveyRound) -> SurveyRound:
    locked = SurveyRound.objects.select_for_update().get(pk=survey.pk)
    locked.unit = Unit.objects.get(pk=locked.unit_id)
    return locked


def _illegal(survey: SurveyRound, action: str) -> SurveyError:
    return IllegalMove(
        _("Không thể “%(action)s” khi đợt khảo sát đang ở trạng thái “%(status)s”.")
        % {"action": RoundAction(action).label, "status": RoundStatus(survey.status).label}
    )


def _not_allowed(survey: SurveyRound, action: str, rule: Rule) -> SurveyError:
    return NotAllowed(_manager_message() % {"unit": survey.unit.name})


FLOW: Workflow[SurveyRound] = Workflow(
    table=TRANSITIONS,
    event=SurveyRoundEvent,
    lock=_lock,
    illegal=_illegal,
    roles_of=lambda survey, user, _where: user_roles_in(user, survey.unit),
    not_allowed=_not_allowed,
    roles_first=True,
)


def _inside(unit: Unit, ancestor: Unit) -> bool:
    return unit.path.startswith(ancestor.path)


@transaction.atomic
def create_round(
    *,
    questionnaire: Questionnaire,
    unit: Unit,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    answer_until: dt.date,
    sample_size: int,
    surveyed_units: Sequence[Unit] = (),
    seed: int | None = None,
    by: Any,
    at: dt.datetime | None = None,
) -> SurveyRound:
    """A round in preparation: which questionnaire, which units' citizens, which period of
    returned dossiers, how many to invite. `seed` fixes the draw (random when not given)."""
    now = _now(at)
    _check_roles(by, unit, MANAGER_ROLES, _manager_message())
    title = title.strip()
    if not title:
        raise InvalidSurvey(_("Hãy đặt tên đợt khảo sát."), field="title")
    if not usable_questionnaires(unit).filter(pk=questionnaire.pk).exists():
        raise InvalidSurvey(
            _("Hãy chọn một bộ câu hỏi đang áp dụng của đơn vị hoặc cấp trên."),
            field="questionnaire",
        )
    if period_end < period_start:
        raise InvalidSurvey(
            _("Ngày kết thúc kỳ khảo sát phải sau ngày bắt đầu."), field="period_end"
        )
    if answer_until < period_end:
        raise InvalidSurvey(
            _("Hạn trả lời phiếu không được trước ngày kết thúc kỳ khảo sát."),
            field="answer_until",
        )
    if not 1 <= sample_size <= MAX_SAMPLE:
        raise InvalidSurvey(
            _("Cỡ mẫu phải từ 1 đến %(max)d.") % {"max": MAX_SAMPLE}, field="sample_size"
        )
    units = list(dict.fromkeys(surveyed_units)) or [unit]
    outside = [u.name for u in units if not _inside(u, unit)]
    if outside:
        raise InvalidSurvey(
            _("Đơn vị được khảo sát phải thuộc %(unit)s: %(names)s.")
            % {"unit": unit.name, "names": ", ".join(outside)},
            field="surveyed_units",
        )
    survey = SurveyRound.objects.create(
        questionnaire=questionnaire,
        unit=unit,
        title=title[:300],
        period_start=period_start,
        period_end=period_end,
        answer_until=answer_until,
        sample_size=sample_size,
        seed=seed if seed is not None else secrets.randbelow(2**31),
        created_at=now,
    )
    survey.surveyed_units.set(units)
    record(
        FLOW,
        survey,
        RoundAction.CREATE,
        "",
        RoundStatus.DRAFT,
        by=by,
        at=now,
        data={"questionnaire": str(questionnaire), "sample_size": sample_size},
    )
    return survey


def open_round(survey: SurveyRound, *, by: Any, at: dt.datetime | None = None) -> SurveyRound:
    """Start collecting: paper and kiosk forms are taken from now on."""

    def change(s: SurveyRound, now: dt.datetime) -> dict[str, Any]:
        s.opened_at = now
        return {}

    return transition(FLOW, survey, RoundAction.OPEN, by=by, at=_now(at), change=change)


def close_round(survey: SurveyRound, *, by: Any, at: dt.datetime | None = None) -> SurveyRound:
    """Stop collecting: every channel refuses answers from now on."""

    def change(s: SurveyRound, now: dt.datetime) -> dict[str, Any]:
        s.closed_at = now
        return {"responses": s.responses.count()}

    return transition(FLOW, survey, RoundAction.CLOSE, by=by, at=_now(at), change=change)


def publish_round(survey: SurveyRound, *, by: Any, at: dt.datetime | None = None) -> SurveyRound:
    """Publish the results: what the PAR Index's survey component reads (`index.unit_index`)."""

    def change(s: SurveyRound, now: dt.datetime) -> dict[str, Any]:
        if not s.responses.exists():
            raise InvalidSurvey(_("Đợt khảo sát chưa có phiếu nào nên chưa công bố được."))
        s.published_at = now
        return {"responses": s.responses.count()}

    return transition(FLOW, survey, RoundAction.PUBLISH, by=by, at=_now(at), change=change)


def allowed_actions(survey: SurveyRound, user: Any) -> list[str]:
    """The round's moves this user may make now (the page's buttons)."""
    if not MANAGER_ROLES & user_roles_in(user, survey.unit):
        return []
    moves = [a for a in TRANSITIONS if TRANSITIONS.target(a, survey.status) is not None]
    if survey.drawn_at is not None:
        moves = [a for a in moves if a != RoundAction.DRAW]
    return moves
