"""What the two doors of the PAR Index's remediation tasks accept: one schema and one reader
per action, one refusal.

The staff pages and the API both turn what they received into `RemediationTaskIn` (give a
task) or `RemediationMoveIn` (start, complete, cancel) — the API's bodies, so the OpenAPI file
states every limit — and hand it to `give_task` or `move_task`, which call the one action.
The same bad input is refused with the same `ParIndexError` (same status, same sentence)
whichever door it came through. Only the notation differs, read at the page's door: the due
date is typed dd/mm/yyyy (the API sends YYYY-MM-DD); the owner is chosen from the unit's staff
(the API names the username); the page posts the version of the task it showed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema

from cchc.accounts.models import User
from cchc.lib.forms import parse_date
from cchc.lib.inputs import Id, IsoDate, column, read_form, text, whole_number
from cchc.parindex import actions
from cchc.parindex.choices import TaskAction
from cchc.parindex.models import Assessment, RemediationEvent, RemediationTask


class RemediationTaskIn(Schema):
    # A task given for a criterion that lost points (a comment, not a docstring: the docstring
    # would become the OpenAPI file's description).
    code: Annotated[str, text(20, min_length=1)] = Field(description="Mã tiêu chí bị trừ điểm")
    title: Annotated[str, column(RemediationTask, "title")] = Field(description="Việc cần làm")
    owner: Annotated[str, column(User, "username")] = Field(
        description="Tên đăng nhập của người chịu trách nhiệm (cán bộ của đơn vị)"
    )
    due_on: IsoDate = Field(description="Hạn hoàn thành, YYYY-MM-DD")


class RemediationMoveIn(Schema):
    version: Annotated[int, whole_number(0, 2147483647)] | None = Field(
        None,
        description="`version` của nhiệm vụ như lần đọc gần nhất; nếu nhiệm vụ đã đổi: 409.",
    )
    # complete: what shows it was done, and optionally a document of the unit's register.
    evidence: Annotated[str, column(RemediationTask, "evidence")] = ""
    record: Id | None = None
    # cancel: why.
    reason: Annotated[str, column(RemediationEvent, "note")] = ""


MOVES = (TaskAction.START, TaskAction.COMPLETE, TaskAction.CANCEL)


def known_move(action: str) -> str:
    """A move is a resource under the task: a name that is none is "not found" (404)."""
    if action not in MOVES:
        raise Http404(_("Không có thao tác “%(action)s”.") % {"action": action[:40]})
    return action


def page_task_input(post: Mapping[str, Any]) -> RemediationTaskIn:
    """The page's form as `RemediationTaskIn`: the due date typed dd/mm/yyyy. A value the schema
    refuses (too long) is refused with 400 and the fields named, as the API's schema does."""
    code = str(post.get("code", ""))
    raw_due = str(post.get("due_on", "") or "").strip()
    due_on = parse_date(raw_due)
    if due_on is None:
        raise actions.InvalidScore(
            _(
                "Tiêu chí %(code)s: hạn hoàn thành “%(value)s” không hợp lệ: hãy nhập "
                "ngày/tháng/năm, ví dụ 31/03/2026."
            )
            % {"code": code[:20], "value": raw_due[:30]}
        )
    data = {
        "code": code,
        "title": post.get("title", ""),
        "owner": post.get("owner", ""),
        "due_on": due_on,
    }
    return read_form(RemediationTaskIn, data, actions.InvalidScore)


def page_move_input(post: Mapping[str, Any]) -> RemediationMoveIn:
    data = {
        "version": post.get("version") or None,
        "evidence": post.get("evidence", ""),
        "record": post.get("record") or None,
        "reason": post.get("reason", ""),
    }
    return read_form(RemediationMoveIn, data, actions.InvalidScore)


def give_task(assessment: Assessment, payload: RemediationTaskIn, *, by: Any) -> RemediationTask:
    """Both doors' one way to give a task. A username that names nobody active is refused as
    one who is not of the unit (422), never dropped."""
    owner = User.objects.filter(username=payload.owner, is_active=True).first()
    return actions.create_remediation_task(
        assessment,
        payload.code,
        by=by,
        title=payload.title,
        owner=owner,
        due_on=payload.due_on,
    )


def move_task(
    task: RemediationTask, action: str, payload: RemediationMoveIn, *, by: Any
) -> RemediationTask:
    """Both doors' one way to move a task on."""
    known_move(action)
    if action == TaskAction.START:
        return actions.start_remediation_task(task, by=by, expected_version=payload.version)
    if action == TaskAction.COMPLETE:
        return actions.complete_remediation_task(
            task,
            by=by,
            evidence=payload.evidence,
            document=payload.record,
            expected_version=payload.version,
        )
    return actions.cancel_remediation_task(
        task, by=by, reason=payload.reason, expected_version=payload.version
    )
