"""Remediation tasks (nhiệm vụ khắc phục): what the unit will do about a criterion that lost
points, given to one of its staff with a due date and tracked to closure on the one workflow
mechanism (`choices.TASK_TRANSITIONS`, `TASK_FLOW`): open → in progress → done, open or in
progress → cancelled. Done needs what shows it was done; cancelled needs the reason. Each move
locks the task, checks its version, the table and the mover, and appends a `RemediationEvent`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.parindex.actions.common import FLOW, _leaf_score, _now, _scores_by_code, own_roles
from cchc.parindex.actions.errors import IllegalMove, InvalidScore, NotAllowed, ParIndexError
from cchc.parindex.actions.selfassess import _unit_document
from cchc.parindex.choices import (
    APPRAISED_STATUSES,
    OWNER,
    TASK_TRANSITIONS,
    TaskAction,
    TaskStatus,
)
from cchc.parindex.models import (
    Assessment,
    Criterion,
    RemediationEvent,
    RemediationTask,
)
from cchc.records.models import OfficialDocument
from cchc.units.choices import Role
from cchc.units.models import Unit
from cchc.workflow.table import Rule
from cchc.workflow.transition import Workflow, record, transition

GIVERS = frozenset({Role.LEADER, Role.TTHC_CONTROL})


def _lock(task: RemediationTask) -> RemediationTask:
    locked = RemediationTask.objects.select_for_update().get(pk=task.pk)
    # Read after the lock, not joined: FOR UPDATE would lock the assessment and the unit too.
    locked.assessment = Assessment.objects.get(pk=locked.assessment_id)
    locked.assessment.unit = Unit.objects.get(pk=locked.assessment.unit_id)
    locked.criterion = Criterion.objects.get(pk=locked.criterion_id)
    return locked


def _roles_of(task: RemediationTask, user: Any, where: str) -> set[str]:
    roles = own_roles(user, task.assessment.unit)
    if getattr(user, "pk", None) is not None and user.pk == task.owner_id:
        roles.add(OWNER)
    return roles


def _illegal(task: RemediationTask, action: str) -> ParIndexError:
    return IllegalMove(
        _(
            "Nhiệm vụ khắc phục tiêu chí %(code)s đang ở trạng thái “%(status)s”: không thể "
            "“%(action)s”."
        )
        % {
            "code": task.criterion.code,
            "status": TaskStatus(task.status).label,
            "action": TaskAction(action).label,
        }
    )


def _stale(task: RemediationTask) -> ParIndexError:
    return IllegalMove(
        _(
            "Nhiệm vụ khắc phục tiêu chí %(code)s đã thay đổi từ lần đọc trước (version %(v)s): "
            "hãy tải lại rồi thao tác."
        )
        % {"code": task.criterion.code, "v": task.version}
    )


def _not_allowed(task: RemediationTask, action: str, rule: Rule) -> ParIndexError:
    return NotAllowed(
        _(
            "Chỉ người được giao hoặc lãnh đạo, đầu mối kiểm soát TTHC của %(unit)s được "
            "“%(action)s”."
        )
        % {"unit": task.assessment.unit.name, "action": TaskAction(action).label}
    )


# The tasks' workflow on the one mechanism (`cchc.workflow`).
TASK_FLOW: Workflow[RemediationTask] = Workflow(
    table=TASK_TRANSITIONS,
    event=RemediationEvent,
    lock=_lock,
    illegal=_illegal,
    version_field="version",
    stale=_stale,
    roles_of=_roles_of,
    not_allowed=_not_allowed,
)


def may_give_tasks(assessment: Assessment, user: Any) -> bool:
    """The unit's leader or TTHC-control officer, once the council's scores exist."""
    return assessment.status in APPRAISED_STATUSES and bool(
        own_roles(user, assessment.unit) & GIVERS
    )


def task_actions(task: RemediationTask, user: Any, unit_roles: set[str] | None = None) -> list[str]:
    """The moves `user` may make on `task` now (the pages' buttons, the API's `actions`).
    `unit_roles`: the user's own roles in the task's unit, when the caller already has them."""
    roles = set(unit_roles if unit_roles is not None else own_roles(user, task.assessment.unit))
    if getattr(user, "pk", None) is not None and user.pk == task.owner_id:
        roles.add(OWNER)
    return [
        action
        for action in TASK_TRANSITIONS
        if TASK_TRANSITIONS.target(action, task.status) is not None
        and TASK_TRANSITIONS.rules[action].roles & roles
    ]


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
    """A task to recover the points a criterion lost, owned by one of the unit's staff, due on
    a day not yet past. `owner` None (a name that names nobody) is refused like a stranger."""
    now = _now(at)
    with transaction.atomic():
        current = FLOW.lock(assessment)
        if not own_roles(by, current.unit) & GIVERS:
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
        if not title.strip():
            raise InvalidScore(_("Tiêu chí %(code)s: hãy ghi việc cần làm.") % {"code": code})
        if owner is None or not own_roles(owner, current.unit):
            raise InvalidScore(
                _("Tiêu chí %(code)s: người chịu trách nhiệm phải là cán bộ của %(unit)s.")
                % {"code": code, "unit": current.unit.name}
            )
        if due_on < timezone.localdate(now):
            raise InvalidScore(
                _("Tiêu chí %(code)s: hạn hoàn thành %(day)s đã qua.")
                % {"code": code, "day": due_on.strftime("%d/%m/%Y")}
            )
        task = RemediationTask.objects.create(
            assessment=current,
            criterion=score.criterion,
            title=title.strip(),
            owner=owner,
            due_on=due_on,
            created_at=now,
        )
        record(
            TASK_FLOW,
            task,
            TaskAction.CREATE,
            "",
            TaskStatus.OPEN,
            by=by,
            at=now,
            data={"title": task.title, "owner": owner.username, "due_on": due_on.isoformat()},
        )
    return task


def start_remediation_task(
    task: RemediationTask,
    *,
    by: Any,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> RemediationTask:
    return transition(
        TASK_FLOW,
        task,
        TaskAction.START,
        by=by,
        at=_now(at),
        expected_version=expected_version,
    )


def complete_remediation_task(
    task: RemediationTask,
    *,
    by: Any,
    evidence: str,
    document: OfficialDocument | int | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> RemediationTask:
    """Done, with what shows it: a text (a document's number, a plan, an address) and
    optionally a document of the unit's own register (another unit's document: 404)."""
    now = _now(at)

    def change(current: RemediationTask, moment: dt.datetime) -> dict[str, Any]:
        text = evidence.strip()
        if not text:
            raise InvalidScore(
                _("Tiêu chí %(code)s: hãy ghi kết quả, minh chứng khi hoàn thành.")
                % {"code": current.criterion.code}
            )
        found = _unit_document(current.assessment, document, by) if document is not None else None
        current.evidence = text
        current.evidence_record = found
        current.done_at = moment
        return {"record": found.pk, "reference": found.reference} if found else {}

    return transition(
        TASK_FLOW,
        task,
        TaskAction.COMPLETE,
        by=by,
        at=now,
        expected_version=expected_version,
        change=change,
        details={"note": evidence.strip()},
    )


def cancel_remediation_task(
    task: RemediationTask,
    *,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> RemediationTask:
    """Cancelled, with the reason (the criterion was re-scored, the task given again…)."""

    def change(current: RemediationTask, moment: dt.datetime) -> None:
        if not reason.strip():
            raise InvalidScore(
                _("Tiêu chí %(code)s: hãy ghi lý do hủy nhiệm vụ khắc phục.")
                % {"code": current.criterion.code}
            )

    return transition(
        TASK_FLOW,
        task,
        TaskAction.CANCEL,
        by=by,
        at=_now(at),
        expected_version=expected_version,
        change=change,
        details={"note": reason.strip()},
    )
