"""The one way staff code reaches a PAKN: scoped to the user's units, or 404; and the staff
worklists, read alike by the page and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext_lazy

from cchc.feedback.choices import Status
from cchc.feedback.models import (
    Feedback,
    FeedbackQuerySet,
    overdue_q,
    to_answer_q,
    to_forward_q,
)


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


@dataclass(frozen=True)
class Worklist:
    key: str
    label: Any
    ordering: tuple[str, ...]


WORKLISTS: dict[str, Worklist] = {
    w.key: w
    for w in [
        Worklist("new", gettext_lazy("Mới tiếp nhận"), ("forward_due_at", "id")),
        Worklist("to_forward", gettext_lazy("Chờ chuyển cơ quan có thẩm quyền"), ("forward_due_at", "id")),
        Worklist("to_answer", gettext_lazy("Chờ trả lời"), ("answer_due_at", "id")),
        Worklist("overdue", gettext_lazy("Quá hạn"), ("answer_due_at", "id")),
        Worklist("to_publish", gettext_lazy("Đã trả lời, chưa công khai"), ("answered_at", "id")),
        Worklist("all", gettext_lazy("Tất cả"), ("-received_at", "-id")),
    ]
}  # fmt: skip


def _list_q(key: str, now: dt.datetime) -> Q | None:
    return {
        "new": Q(status=Status.RECEIVED),
        "to_forward": to_forward_q(),
        "to_answer": to_answer_q(),
        "overdue": overdue_q(now),
        "to_publish": Q(status=Status.ANSWERED),
    }.get(key)


def worklist_rows(qs: FeedbackQuerySet, key: str, now: dt.datetime) -> FeedbackQuerySet:
    q = _list_q(key, now)
    return qs if q is None else qs.filter(q)


def worklist_counts(qs: FeedbackQuerySet, now: dt.datetime) -> dict[str, int]:
    """Every list's size in one aggregate query."""
    counts = {
        key: Count("pk", filter=q) for key in WORKLISTS if (q := _list_q(key, now)) is not None
    }
    return qs.aggregate(all=Count("pk"), **counts)
