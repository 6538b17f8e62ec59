"""The one way staff code reaches an assessment: scoped to the user's units, or 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cchc.parindex.models import Assessment


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
