"""The one way staff code reaches an assessment: scoped to the user's units, or 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cchc.parindex.models import Assessment, RemediationTask


def get_assessment_for(user: Any, assessment_id: int) -> Assessment:
    assessment = (
        Assessment.objects.visible_to(user)
        .select_related("unit", "criteria_set")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        raise Http404("Không tìm thấy kỳ đánh giá Chỉ số CCHC")
    return assessment


def get_task_for(user: Any, assessment_id: int, task_id: int) -> RemediationTask:
    """A remediation task of an assessment the user sees; 404 for another unit's, or a task of
    another assessment."""
    assessment = get_assessment_for(user, assessment_id)
    task = (
        RemediationTask.objects.filter(assessment=assessment, pk=task_id)
        .select_related("criterion", "owner")
        .first()
    )
    if task is None:
        raise Http404("Không tìm thấy nhiệm vụ khắc phục")
    task.assessment = assessment
    return task
