"""Criteria sets imported and assessments opened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.parindex.actions.common import FLOW, _now, may_manage_sets
from cchc.parindex.actions.errors import IllegalMove, InvalidScore, NotAllowed
from cchc.parindex.choices import OPENERS, SET_UNIT_KINDS, Action, SetStatus, Status
from cchc.parindex.criteria import read_json, save_set
from cchc.parindex.models import Assessment, CriteriaSet, Score
from cchc.units.choices import Role
from cchc.units.models import Unit, user_roles_in
from cchc.workflow.transition import record


def import_criteria_set(doc: Any, *, by: Any) -> CriteriaSet:
    """A criteria set from its JSON tree (docs/parindex.md), all of it or nothing."""
    if not may_manage_sets(by):
        raise NotAllowed(
            _("Chỉ hội đồng thẩm định hoặc quản trị cấp tỉnh được nhập bộ tiêu chí Chỉ số CCHC.")
        )
    return save_set(read_json(doc))


def open_assessment(
    unit: Unit,
    criteria_set: CriteriaSet,
    *,
    by: Any,
    self_assessment_due: dt.date,
    appraisal_due: dt.date,
    appraisers: Iterable[Any] = (),
    at: dt.datetime | None = None,
) -> Assessment:
    """Open a unit's PAR Index for a set: one score row per criterion to score, the deadlines,
    the council members assigned (none: every appraiser over the unit)."""
    now = _now(at)
    if not OPENERS & user_roles_in(by, unit):
        raise NotAllowed(
            _("Chỉ hội đồng thẩm định hoặc quản trị cấp trên được mở kỳ đánh giá cho %(unit)s.")
            % {"unit": unit.name}
        )
    if criteria_set.status != SetStatus.ACTIVE:
        raise IllegalMove(
            _("Bộ tiêu chí %(code)s đang là dự thảo: hãy ban hành trước khi mở kỳ đánh giá.")
            % {"code": criteria_set.code}
        )
    if unit.kind not in SET_UNIT_KINDS.get(criteria_set.unit_kind, ()):
        raise InvalidScore(
            _("Bộ tiêu chí %(code)s dành cho %(kind)s, không áp dụng cho %(unit)s.")
            % {
                "code": criteria_set.code,
                "kind": criteria_set.get_unit_kind_display(),
                "unit": unit.name,
            }
        )
    if appraisal_due < self_assessment_due:
        raise InvalidScore(
            _("Hạn thẩm định (%(a)s) không được trước hạn tự đánh giá (%(s)s).")
            % {"a": f"{appraisal_due:%d/%m/%Y}", "s": f"{self_assessment_due:%d/%m/%Y}"}
        )
    members = list(appraisers)
    for member in members:
        if Role.APPRAISER not in user_roles_in(member, unit):
            raise InvalidScore(
                _("%(name)s không phải thành viên hội đồng thẩm định của %(unit)s.")
                % {"name": member.get_full_name() or member.username, "unit": unit.name}
            )
    with transaction.atomic():
        if Assessment.objects.filter(unit=unit, criteria_set=criteria_set).exists():
            raise IllegalMove(
                _("%(unit)s đã có kỳ đánh giá theo bộ tiêu chí %(code)s năm %(year)d.")
                % {"unit": unit.name, "code": criteria_set.code, "year": criteria_set.year}
            )
        assessment = Assessment.objects.create(
            unit=unit,
            criteria_set=criteria_set,
            year=criteria_set.year,
            self_assessment_due=self_assessment_due,
            appraisal_due=appraisal_due,
            opened_at=now,
        )
        if members:
            assessment.appraisers.set(members)
        Score.objects.bulk_create(
            Score(assessment=assessment, criterion=c)
            for c in criteria_set.criteria.filter(is_leaf=True).order_by("order")
        )
        record(
            FLOW,
            assessment,
            Action.OPEN,
            "",
            Status.OPEN,
            by=by,
            at=now,
            data={
                "self_assessment_due": self_assessment_due.isoformat(),
                "appraisal_due": appraisal_due.isoformat(),
            },
        )
    return assessment
