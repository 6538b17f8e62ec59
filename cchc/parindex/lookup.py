"""The one way staff code reaches an assessment: scoped to the user's units, or 404."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from cchc.parindex.models import Assessment, Evidence, RemediationTask


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


def get_evidence_file_for(user: Any, assessment_id: int, evidence_id: int) -> Evidence:
    """An evidence file of an assessment the user sees, or 404 (another unit's assessment, a
    piece of another assessment, a reference without a file)."""
    assessment = get_assessment_for(user, assessment_id)
    found = (
        Evidence.objects.filter(pk=evidence_id, score__assessment=assessment)
        .exclude(file="")
        .first()
    )
    if found is None:
        raise Http404(_("Không tìm thấy tài liệu kiểm chứng."))
    return found


def evidence_response(evidence: Evidence) -> FileResponse:
    """The file as a download, for the page and the API alike: named by its id, never by the
    uploader's file name."""
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=f"minh-chung-{evidence.pk}.{evidence.extension}",
        content_type=evidence.content_type or "application/octet-stream",
    )


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
