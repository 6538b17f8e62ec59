"""What the two doors of a PAKN action accept: one schema, one reader, one refusal.

The staff page and the API both turn what they received into `FeedbackActionIn` (the API's
body, so the OpenAPI file states every limit) and hand it to `run_action`, which locks the PAKN
at the version the officer read, reads the input and performs the action, in one transaction.
The same bad input is refused with the same `FeedbackError` (same status, same sentence)
whichever door it came through; the page posts the version it showed, as the API sends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict

from cchc.feedback import errors, pakn
from cchc.feedback.choices import Action
from cchc.feedback.models import Feedback, FeedbackEvent
from cchc.lib.inputs import column, read_form, version_required, whole_number
from cchc.units.models import Unit

VERSION_HELP = (
    "Bắt buộc: `version` của phản ánh như lần đọc gần nhất (GET /feedback/staff/items/{code}). "
    "Thao tác chỉ được thực hiện nếu phản ánh chưa đổi từ đó (nếu đã đổi: 409), nên gửi lại "
    "cùng một yêu cầu không bao giờ thực hiện hai lần."
)


class FeedbackActionIn(Schema):
    model_config = ConfigDict(json_schema_extra=version_required)

    version: Annotated[int, whole_number(0, 2147483647)] | None = Field(
        None, description=VERSION_HELP
    )
    category: Annotated[str, column(Feedback, "category")] = ""
    to_unit: Annotated[str, column(Unit, "code")] = ""
    to_name: Annotated[str, column(Feedback, "forwarded_to")] = ""
    note: Annotated[str, column(FeedbackEvent, "note")] = ""
    text: Annotated[str, column(Feedback, "answer")] = ""
    summary: Annotated[str, column(Feedback, "public_summary")] = ""
    reason: Annotated[str, column(Feedback, "reject_reason")] = ""


STAFF_ACTIONS = (Action.CLASSIFY, Action.FORWARD, Action.ANSWER, Action.PUBLISH, Action.REJECT)


def page_action_input(post: Mapping[str, Any]) -> FeedbackActionIn:
    """The page's form as `FeedbackActionIn`. A value the schema refuses (too long, a version
    that is not a number) is refused here with 400 and the fields named, as the API's is."""
    data = {name: post.get(name, "") for name in FeedbackActionIn.model_fields}
    data["version"] = post.get("version") or None
    return read_form(FeedbackActionIn, data, errors.InvalidFeedback)


def lock_at_version(feedback: Feedback, version: int | None) -> None:
    """Lock the PAKN and refuse unless its history still has `version` entries: every action
    adds exactly one, so the count is the row's version without a column of its own."""
    if version is None:
        raise errors.InvalidFeedback(
            _(
                "Thiếu version: gửi kèm version của phản ánh như lần đọc gần nhất, để một yêu "
                "cầu gửi lại không bị thực hiện hai lần."
            )
        )
    Feedback.objects.select_for_update().filter(pk=feedback.pk).values_list("pk").get()
    current = FeedbackEvent.objects.filter(feedback_id=feedback.pk).count()
    if current != version:
        raise errors.IllegalMove(
            _(
                "Phản ánh %(code)s đã thay đổi (version hiện tại %(current)s, yêu cầu gửi "
                "%(sent)s): thao tác không được thực hiện. Hãy tải lại rồi quyết định."
            )
            % {"code": feedback.code, "current": current, "sent": version}
        )


def _forward_unit(feedback: Feedback, code: str) -> Unit | None:
    """The unit a PAKN is forwarded to, by its code: a unit in force other than the PAKN's own
    (the page's list). A code that names none is refused, never dropped."""
    if not code:
        return None
    unit = Unit.objects.current().exclude(pk=feedback.unit_id).filter(code=code).first()
    if unit is None:
        raise errors.InvalidFeedback(
            _("Không có đơn vị mã “%(code)s” để chuyển đến; hãy chọn trong danh sách.")
            % {"code": code}
        )
    return unit


def run_action(feedback: Feedback, action: str, payload: FeedbackActionIn, *, by: Any) -> Feedback:
    """Both doors' one way to act on a PAKN: lock at the version, read, perform."""
    if action not in STAFF_ACTIONS:
        raise Http404(_("Không có thao tác “%(action)s”.") % {"action": action[:40]})
    with transaction.atomic():
        lock_at_version(feedback, payload.version)
        if action == Action.CLASSIFY:
            return pakn.classify(feedback, by=by, category=payload.category, note=payload.note)
        if action == Action.FORWARD:
            return pakn.forward(
                feedback,
                by=by,
                to_unit=_forward_unit(feedback, payload.to_unit),
                to_name=payload.to_name,
                note=payload.note,
            )
        if action == Action.ANSWER:
            return pakn.answer(feedback, by=by, text=payload.text)
        if action == Action.PUBLISH:
            return pakn.publish(feedback, by=by, summary=payload.summary, text=payload.text)
        return pakn.reject(feedback, by=by, reason=payload.reason)
