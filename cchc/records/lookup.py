"""The one way staff code reaches the register: scoped to the user's units, or 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cchc.records.models import CchcPlan, OfficialDocument, PlanTask
from cchc.units.models import visible_unit_ids


def get_document_for(user: Any, pk: int) -> OfficialDocument:
    document = (
        OfficialDocument.objects.visible_to(user)
        .select_related("unit", "type", "created_by")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404("Không tìm thấy văn bản")
    return document


def get_plan_for(user: Any, pk: int) -> CchcPlan:
    plan = (
        CchcPlan.objects.filter(unit_id__in=visible_unit_ids(user))
        .select_related("document", "document__type", "unit")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404("Không tìm thấy kế hoạch")
    return plan


def get_task_for(plan: CchcPlan, task_id: int) -> PlanTask:
    """A task of a plan already found through `get_plan_for`."""
    task = plan.tasks.filter(pk=task_id).first()
    if task is None:
        raise Http404("Không tìm thấy nhiệm vụ")
    return task
