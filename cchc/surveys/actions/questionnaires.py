"""Questionnaires: imported as new versions, edited only while unused drafts, then activated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cchc.lib.importing import ImportFileError
from cchc.surveys.actions.common import _check_roles, _manager_message, _now
from cchc.surveys.actions.errors import IllegalMove, InvalidSurvey, QuestionnaireInUse, SurveyError
from cchc.surveys.choices import MANAGER_ROLES, QuestionnaireStatus
from cchc.surveys.io import QuestionnaireShape, read_questionnaire
from cchc.surveys.models import Factor, Question, Questionnaire, SurveyCriterion
from cchc.units.models import Unit


def _read(data: bytes | str | dict[str, Any]) -> QuestionnaireShape:
    try:
        return read_questionnaire(data)
    except ImportFileError as exc:
        shown = exc.messages[:20]
        more = len(exc.messages) - len(shown)
        text = "; ".join(shown) + (_(" … và %(n)d lỗi khác") % {"n": more} if more else "")
        raise InvalidSurvey(_("Bộ câu hỏi có lỗi: %(errors)s") % {"errors": text}) from exc


def _write_tree(questionnaire: Questionnaire, shape: QuestionnaireShape) -> None:
    position = 0
    for f_pos, f in enumerate(shape.factors, start=1):
        factor = Factor.objects.create(
            questionnaire=questionnaire, position=f_pos, code=f.code, title=f.title
        )
        for c_pos, c in enumerate(f.criteria, start=1):
            criterion = SurveyCriterion.objects.create(
                factor=factor, position=c_pos, code=c.code, title=c.title
            )
            for q in c.questions:
                position += 1
                Question.objects.create(
                    questionnaire=questionnaire,
                    criterion=criterion,
                    position=position,
                    code=q.code,
                    text=q.text,
                    kind=q.kind,
                    scale=q.scale,
                )


def import_questionnaire(
    data: bytes | str | dict[str, Any], *, unit: Unit, by: Any, at: dt.datetime | None = None
) -> Questionnaire:
    """A new draft version of the questionnaire the JSON describes (docs/surveys.md): version 1
    for a new code, else the next number; earlier versions are never touched."""
    _check_roles(by, unit, MANAGER_ROLES, _manager_message())
    shape = _read(data)
    now = _now(at)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = Questionnaire.objects.filter(code=shape.code).aggregate(n=Max("version"))
                questionnaire = Questionnaire.objects.create(
                    unit=unit,
                    code=shape.code,
                    version=(latest["n"] or 0) + 1,
                    year=shape.year,
                    title=shape.title,
                    introduction=shape.introduction,
                    scale=shape.scale,
                    created_at=now,
                )
                _write_tree(questionnaire, shape)
                return questionnaire
        except IntegrityError:
            # Two imports of one code at once took the same number: take the next.
            continue
    raise SurveyError(_("Không tạo được phiên bản mới của bộ câu hỏi; hãy thử lại."))


def _check_editable(questionnaire: Questionnaire) -> None:
    if questionnaire.status != QuestionnaireStatus.DRAFT or questionnaire.rounds.exists():
        raise QuestionnaireInUse(
            _(
                "Bộ câu hỏi %(code)s phiên bản %(version)s đã áp dụng hoặc đã dùng cho đợt khảo "
                "sát nên không sửa được; hãy nhập phiên bản mới."
            )
            % {"code": questionnaire.code, "version": questionnaire.version}
        )


@transaction.atomic
def replace_questionnaire(
    questionnaire: Questionnaire, data: bytes | str | dict[str, Any], *, by: Any
) -> Questionnaire:
    """Correct a draft nobody has used yet, in place (same code and version)."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _check_roles(by, locked.unit, MANAGER_ROLES, _manager_message())
    _check_editable(locked)
    shape = _read(data)
    if shape.code != locked.code:
        raise InvalidSurvey(
            _("Mã bộ câu hỏi trong tệp (%(new)s) khác mã đang sửa (%(old)s).")
            % {"new": shape.code, "old": locked.code},
            field="code",
        )
    locked.factors.all().delete()
    locked.year, locked.title = shape.year, shape.title
    locked.introduction, locked.scale = shape.introduction, shape.scale
    locked.save()
    _write_tree(locked, shape)
    return locked


@transaction.atomic
def activate_questionnaire(
    questionnaire: Questionnaire, *, by: Any, at: dt.datetime | None = None
) -> Questionnaire:
    """Put a draft in use; the version of the same code in use until now stops being offered
    for new rounds (its rounds keep it)."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _check_roles(by, locked.unit, MANAGER_ROLES, _manager_message())
    if locked.status != QuestionnaireStatus.DRAFT:
        raise IllegalMove(
            _("Chỉ áp dụng được bộ câu hỏi đang ở trạng thái dự thảo (hiện: %(status)s).")
            % {"status": QuestionnaireStatus(locked.status).label}
        )
    if not locked.questions.exists():
        raise InvalidSurvey(_("Bộ câu hỏi chưa có câu hỏi nào."))
    Questionnaire.objects.filter(code=locked.code, status=QuestionnaireStatus.ACTIVE).update(
        status=QuestionnaireStatus.CLOSED
    )
    locked.status = QuestionnaireStatus.ACTIVE
    locked.activated_at = _now(at)
    locked.save(update_fields=["status", "activated_at"])
    return locked


def usable_questionnaires(unit: Unit) -> Any:
    """Active questionnaires a unit may run a round with: its own and its ancestors' (a commune
    uses the province's)."""
    ancestors = [int(p) for p in unit.path.strip("/").split("/") if p] or [unit.pk]
    return Questionnaire.objects.filter(status=QuestionnaireStatus.ACTIVE, unit_id__in=ancestors)
