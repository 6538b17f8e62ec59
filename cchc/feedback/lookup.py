"""The one way staff code reaches a PAKN: scoped to the user's units, or 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cchc.feedback.models import Feedback


def get_feedback_for(user: Any, code: str) -> Feedback:
    feedback = (
        Feedback.objects.visible_to(user)
        .select_related("unit", "procedure", "forwarded_to_unit")
        .filter(code=code)
        .first()
    )
    if feedback is None:
        raise Http404("Không tìm thấy phản ánh, kiến nghị")
    return feedback
