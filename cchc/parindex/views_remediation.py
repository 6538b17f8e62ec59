"""Staff pages of the remediation tasks (nhiệm vụ khắc phục) of an assessment: give a task for
a criterion that lost points, move the tasks on, read them with their lateness and history.

Thin like `views.py`: input is read by `inputs` (the API's schemas and readers), every change
goes through `actions` (which check the table and the mover and refuse with the reason), every
lookup through `lookup` (another unit's assessment or task is a 404). A form is shown only to
who may use it; supervisors and the council read. Forms post, then redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.lib.forms import DATE_PATTERN
from cchc.parindex import actions
from cchc.parindex.choices import TaskAction, TaskStatus
from cchc.parindex.inputs import (
    give_task,
    known_move,
    move_task,
    page_move_input,
    page_task_input,
)
from cchc.parindex.lookup import get_assessment_for, get_task_for
from cchc.parindex.models import Assessment
from cchc.parindex.results import lost_points
from cchc.parindex.tasks import owner_name, tasks_of, today, unit_staff
from cchc.records.models import OfficialDocument
from cchc.reports.resolution import units_in

# The register documents offered as evidence of completion: the newest first.
DOCUMENT_CHOICES = 200


def _history(tasks: list[Any]) -> list[dict[str, Any]]:
    """Every task's events, newest first, in the shape of parindex/_history.html."""
    items = []
    for task in tasks:
        for e in task.events.all():
            detail = TaskStatus(e.to_status).label if e.to_status else ""
            items.append(
                {
                    "at": e.at,
                    "actor": e.actor,
                    "what": _("Tiêu chí %(code)s: %(action)s – %(title)s")
                    % {
                        "code": task.criterion.code,
                        "action": TaskAction(e.action).label,
                        "title": task.title,
                    },
                    "detail": detail,
                    "why": e.note,
                }
            )
    items.sort(key=lambda i: i["at"], reverse=True)
    return items


@login_required
def remediation(
    request: HttpRequest,
    assessment_id: int,
    *,
    error: str = "",
    status: int = 200,
    typed: dict[str, Any] | None = None,
) -> HttpResponse:
    a = get_assessment_for(request.user, assessment_id)
    roles = actions.own_roles(request.user, a.unit)
    on = today()
    tasks = list(tasks_of(a))
    rows = [(t, t.is_late(on), actions.task_actions(t, request.user, roles)) for t in tasks]
    may_give = actions.may_give_tasks(a, request.user)
    lost = [r for g in lost_points(a) for r in g.rows] if may_give else []
    typed = typed or {}
    chosen = typed.get("code") or request.GET.get("tieu-chi", "")
    completing = any(TaskAction.COMPLETE in moves for _t, _late, moves in rows)
    documents = (
        OfficialDocument.objects.visible_to(request.user)
        .filter(unit_id__in=units_in(a.unit, subtree=False))
        .order_by("-issued_on", "-id")[:DOCUMENT_CHOICES]
        if completing
        else []
    )
    return render(
        request,
        "parindex/remediation.html",
        {
            "a": a,
            "rows": [{"task": t, "late": late, "moves": moves} for t, late, moves in rows],
            "mine": [{"task": t, "late": late, "moves": moves} for t, late, moves in rows if moves],
            "may_give": may_give and bool(lost),
            "lost": lost,
            "chosen": chosen,
            "giving_first": bool(chosen) or bool(typed),
            "staff": unit_staff(a.unit) if may_give else [],
            "documents": documents,
            "typed": typed,
            "date_pattern": DATE_PATTERN,
            "history": _history(tasks),
            "error": error,
        },
        status=status,
    )


def _back(a: Assessment) -> HttpResponse:
    return redirect(reverse("parindex:remediation", args=[a.pk]))


@login_required
@require_POST
def give(request: HttpRequest, assessment_id: int) -> HttpResponse:
    a = get_assessment_for(request.user, assessment_id)
    try:
        payload = page_task_input(request.POST)
        task = give_task(a, payload, by=request.user)
    except actions.ParIndexError as exc:
        typed = {k: request.POST.get(k, "") for k in ("code", "title", "owner", "due_on")}
        return remediation(
            request, a.pk, error=str(exc.message), status=exc.status_code, typed=typed
        )
    messages.success(
        request,
        _("Đã giao nhiệm vụ khắc phục tiêu chí %(code)s cho %(owner)s, hạn %(day)s.")
        % {
            "code": task.criterion.code,
            "owner": owner_name(task.owner),
            "day": task.due_on.strftime("%d/%m/%Y"),
        },
    )
    return _back(a)


@login_required
@require_POST
def move(request: HttpRequest, assessment_id: int, task_id: int, action: str) -> HttpResponse:
    known_move(action)
    task = get_task_for(request.user, assessment_id, task_id)
    try:
        move_task(task, action, page_move_input(request.POST), by=request.user)
    except actions.ParIndexError as exc:
        return remediation(request, assessment_id, error=str(exc.message), status=exc.status_code)
    messages.success(
        request,
        _("Tiêu chí %(code)s: đã “%(action)s” – %(title)s.")
        % {
            "code": task.criterion.code,
            "action": TaskAction(action).label,
            "title": task.title,
        },
    )
    return _back(task.assessment)
