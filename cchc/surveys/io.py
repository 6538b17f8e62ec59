"""A questionnaire as a JSON file (docs/surveys.md): read and checked in one go with the import
checker the units and catalogue imports share (`cchc.lib.importing`), every error named with
its place; and written back out the same way (`export_questionnaire`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cchc.lib.importing import ImportFileError, RowChecker, Where, load_json_object, make_item
from cchc.surveys.choices import DEFAULT_SCALE, QuestionKind
from cchc.surveys.models import Factor, Question, Questionnaire, SurveyCriterion

MAX_QUESTIONS = 200


@dataclass
class QuestionShape:
    code: str
    text: str
    kind: str
    scale: list[str] = field(default_factory=list)


@dataclass
class CriterionShape:
    code: str
    title: str
    questions: list[QuestionShape] = field(default_factory=list)


@dataclass
class FactorShape:
    code: str
    title: str
    criteria: list[CriterionShape] = field(default_factory=list)


@dataclass
class QuestionnaireShape:
    code: str
    year: int
    title: str
    introduction: str
    scale: list[str]
    factors: list[FactorShape] = field(default_factory=list)


def _max(model: type[Any], name: str) -> int:
    return int(model._meta.get_field(name).max_length or 0)


def _scale(raw: Any, where: str, errors: list[str], *, required: bool) -> list[str]:
    if raw in (None, []):
        return [str(label) for label in DEFAULT_SCALE] if required else []
    if (
        not isinstance(raw, list)
        or len(raw) != len(DEFAULT_SCALE)
        or not all(isinstance(label, str) and label.strip() for label in raw)
    ):
        errors.append(
            _("%(where)s: phải là danh sách đúng %(n)d nhãn, từ mức 1 (kém nhất) đến mức 5.")
            % {"where": where, "n": len(DEFAULT_SCALE)}
        )
        return []
    return [label.strip()[:100] for label in raw]


def _children(raw: Any, where: str, key: str, errors: list[str]) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        errors.append(
            _("%(where)s.%(key)s: phải là danh sách có ít nhất một mục.")
            % {"where": where, "key": key}
        )
        return []
    return raw


def read_questionnaire(data: bytes | str | dict[str, Any]) -> QuestionnaireShape:
    """The questionnaire the file describes, or `ImportFileError` listing every error."""
    errors: list[str] = []
    doc = (
        data
        if isinstance(data, dict)
        else load_json_object(
            data, errors, _('Tệp phải là một đối tượng JSON: {"code": …, "factors": […]}.')
        )
    )
    if doc is None:
        raise ImportFileError(errors)
    check = RowChecker(errors)
    top = make_item(dict(doc), Where(path="$"), errors)
    shape = QuestionnaireShape(
        code=check.text(top, "code", required=True, max_length=_max(Questionnaire, "code")),
        year=check.integer(top, "year", maximum=2100) or 0,
        title=check.text(top, "title", required=True, max_length=_max(Questionnaire, "title")),
        introduction=check.text(top, "introduction", max_length=5000),
        scale=_scale(doc.get("scale"), "$.scale", errors, required=True),
    )
    if shape.year and shape.year < 2000:
        check.invalid(top, "year", _("%(value)s không phải là năm hợp lệ."))
    seen: set[str] = set()
    count = 0
    for f_index, raw_factor in enumerate(_children(doc.get("factors"), "$", "factors", errors)):
        f_path = f"$.factors[{f_index}]"
        if not isinstance(raw_factor, dict):
            errors.append(_("%(where)s: phải là một đối tượng.") % {"where": f_path})
            continue
        f_item = make_item(dict(raw_factor), Where(path=f_path), errors)
        factor = FactorShape(
            code=check.text(f_item, "code", required=True, max_length=_max(Factor, "code")),
            title=check.text(f_item, "title", required=True, max_length=_max(Factor, "title")),
        )
        shape.factors.append(factor)
        for c_index, raw_criterion in enumerate(
            _children(raw_factor.get("criteria"), f_path, "criteria", errors)
        ):
            c_path = f"{f_path}.criteria[{c_index}]"
            if not isinstance(raw_criterion, dict):
                errors.append(_("%(where)s: phải là một đối tượng.") % {"where": c_path})
                continue
            c_item = make_item(dict(raw_criterion), Where(path=c_path), errors)
            criterion = CriterionShape(
                code=check.text(
                    c_item, "code", required=True, max_length=_max(SurveyCriterion, "code")
                ),
                title=check.text(
                    c_item, "title", required=True, max_length=_max(SurveyCriterion, "title")
                ),
            )
            factor.criteria.append(criterion)
            for q_index, raw_question in enumerate(
                _children(raw_criterion.get("questions"), c_path, "questions", errors)
            ):
                q_path = f"{c_path}.questions[{q_index}]"
                if not isinstance(raw_question, dict):
                    errors.append(_("%(where)s: phải là một đối tượng.") % {"where": q_path})
                    continue
                q_item = make_item(dict(raw_question), Where(path=q_path), errors)
                question = QuestionShape(
                    code=check.text(
                        q_item, "code", required=True, max_length=_max(Question, "code")
                    ),
                    text=check.text(q_item, "text", required=True, max_length=2000),
                    kind=check.choice(q_item, "kind", QuestionKind),
                    scale=_scale(
                        raw_question.get("scale"), f"{q_path}.scale", errors, required=False
                    ),
                )
                if question.code and question.code in seen:
                    check.invalid(
                        q_item, "code", _("mã câu hỏi %(value)s trùng với một câu hỏi khác.")
                    )
                seen.add(question.code)
                count += 1
                criterion.questions.append(question)
        codes = [c.code for c in factor.criteria]
        for duplicate in sorted({c for c in codes if c and codes.count(c) > 1}):
            errors.append(
                _('%(where)s: mã tiêu chí "%(code)s" trùng nhau.')
                % {"where": f_path, "code": duplicate}
            )
    codes = [f.code for f in shape.factors]
    for duplicate in sorted({c for c in codes if c and codes.count(c) > 1}):
        errors.append(_('$.factors: mã yếu tố "%(code)s" trùng nhau.') % {"code": duplicate})
    if count > MAX_QUESTIONS:
        errors.append(
            _("Bộ câu hỏi có %(n)d câu, nhiều quá (tối đa %(max)d).")
            % {"n": count, "max": MAX_QUESTIONS}
        )
    if errors:
        raise ImportFileError(errors)
    return shape


def export_questionnaire(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as the import reads it (the round trip gives the same questions)."""
    return {
        "code": questionnaire.code,
        "version": questionnaire.version,
        "year": questionnaire.year,
        "title": questionnaire.title,
        "introduction": questionnaire.introduction,
        "scale": questionnaire.labels(),
        "factors": [
            {
                "code": factor.code,
                "title": factor.title,
                "criteria": [
                    {
                        "code": criterion.code,
                        "title": criterion.title,
                        "questions": [
                            {
                                "code": q.code,
                                "text": q.text,
                                "kind": q.kind,
                                **({"scale": q.scale} if q.scale else {}),
                            }
                            for q in criterion.questions.all()
                        ],
                    }
                    for criterion in factor.criteria.all()
                ],
            }
            for factor in questionnaire.factors.prefetch_related("criteria__questions")
        ],
    }
