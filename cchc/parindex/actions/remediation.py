"""Remediation tasks: what the unit will do about a criterion that lost points."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.parindex.actions.common import FLOW, _leaf_score, _now, _scores_by_code, own_roles
from cchc.parindex.actions.errors import IllegalMove, InvalidScore, NotAllowed
from cchc.parindex.choices import APPRAISED_STATUSES, TaskStatus
from cchc.parindex.models import Assessment, RemediationTask
from cchc.units.choices import Role


def create_remediation_task(
    assessment: Assessment,
    code: str,
    *,
    by: Any,
    title: str,
    owner: Any,
    due_on: dt.date,
    at: dt.datetime | None = None,
) -> RemediationTask:
    """A task to recover the points a criterion lost, owned by one of the unit's staff."""
    now = _now(at)
    with transaction.atomic():
        current = FLOW.lock(assessment)
        if not own_roles(by, current.unit) & {Role.LEADER, Role.TTHC_CONTROL}:
            raise NotAllowed(
                _(
                    "Chỉ lãnh đạo hoặc đầu mối kiểm soát TTHC của %(unit)s được giao nhiệm vụ khắc phục."
                )
                % {"unit": current.unit.name}
            )
        if current.status not in APPRAISED_STATUSES:
            raise IllegalMove(_("Nhiệm vụ khắc phục được giao sau khi có điểm thẩm định."))
        score = _leaf_score(current, _scores_by_code(current), code)
        lost = (
            score.appraised_score is not None and score.appraised_score < score.criterion.max_score
        )
        if not lost:
            raise InvalidScore(_("Tiêu chí %(code)s không bị trừ điểm.") % {"code": code})
        if not own_roles(owner, current.unit):
            raise InvalidScore(
                _("Người chịu trách nhiệm phải là cán bộ của %(unit)s.")
                % {"unit": current.unit.name}
            )
        if not title.strip():
            raise InvalidScore(_("Tiêu chí %(code)s: hãy ghi việc cần làm.") % {"code": code})
        return RemediationTask.objects.create(
            assessment=current,
            criterion=score.criterion,
            title=title.strip(),
            owner=owner,
            due_on=due_on,
            created_at=now,
        )


def update_remediation_task(
    task: RemediationTask,
    *,
    by: Any,
    status: str,
    evidence: str = "",
    at: dt.datetime | None = None,
) -> RemediationTask:
    """Move a task on; done needs what shows it was done."""
    now = _now(at)
    with transaction.atomic():
        task = (
            RemediationTask.objects.select_for_update()
            .select_related("assessment__unit", "criterion")
            .get(pk=task.pk)
        )
        unit = task.assessment.unit
        if task.owner_id != getattr(by, "pk", None) and not own_roles(by, unit) & {
            Role.LEADER,
            Role.TTHC_CONTROL,
        }:
            raise NotAllowed(
                _("Chỉ người được giao hoặc lãnh đạo đơn vị được cập nhật nhiệm vụ này.")
            )
        if task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
            raise IllegalMove(_("Nhiệm vụ đã kết thúc."))
        if status not in TaskStatus.values:
            raise InvalidScore(_("Trạng thái nhiệm vụ không hợp lệ."))
        if status == TaskStatus.DONE and not evidence.strip():
            raise InvalidScore(
                _("Tiêu chí %(code)s: hãy ghi kết quả, minh chứng khi hoàn thành.")
                % {"code": task.criterion.code}
            )
        task.status = status
        task.evidence = evidence.strip() or task.evidence
        task.done_at = now if status == TaskStatus.DONE else None
        task.save()
    return task
