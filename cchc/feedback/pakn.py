"""PAKN (phản ánh, kiến nghị; Decree 20/2008): a citizen's submission with its tracking code and
deadlines, then the staff's actions on it (classify, forward, answer, publish, reject).

Every staff action runs on the one workflow mechanism (`cchc.workflow`, `FLOW` below): one
transaction with the row locked, the actor's role in the addressed unit checked first, then the
transition table (`choices.TRANSITIONS`), then one `FeedbackEvent`; messages to the sender are
queued in the same transaction. A refused action raises a `FeedbackError` (`errors.py`) whose
message says, in Vietnamese, why and what to do, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalogue.models import Procedure
from cchc.feedback import notices
from cchc.feedback.choices import (
    FORWARD_CATEGORIES,
    STAFF_ROLES,
    TRANSITIONS,
    Action,
    Category,
    Kind,
    Status,
    Subject,
    target_status,
)
from cchc.feedback.errors import (
    FeedbackError,
    IllegalMove,
    InvalidFeedback,
    NotAllowed,
    action_time,
)
from cchc.feedback.models import (
    DEFAULT_ANSWER_WORKING_DAYS,
    DEFAULT_FORWARD_WORKING_DAYS,
    Feedback,
    FeedbackAttachment,
    FeedbackEvent,
    FeedbackSettings,
)
from cchc.lib.codes import spoken_code
from cchc.lib.personal import InvalidPhone, normalise_phone
from cchc.lib.text import by_name
from cchc.lib.uploads import UploadRejected, check_upload
from cchc.units.choices import UnitKind
from cchc.units.models import Unit, user_roles_in
from cchc.workflow.table import Rule
from cchc.workflow.transition import Workflow, record, transition
from cchc.worktime import deadlines
from cchc.worktime.snapshot import load_calendar

MAX_CONTENT_CHARS = 5000
MIN_CONTENT_CHARS = 10
MAX_ATTACHMENTS = 3
CODE_SUFFIX_LENGTH = 5


# -- PAKN: receipt -----------------------------------------------------------------------------


def new_code(day: dt.date) -> str:
    """`PAKN-YYMMDD-XXXXX`: a random suffix (32⁵ a day), so codes cannot be guessed in turn."""
    return f"PAKN-{day:%y%m%d}-{spoken_code(CODE_SUFFIX_LENGTH)}"


def _ancestor_ids(unit: Unit) -> list[int]:
    # Unit.path is "/1/7/42/": nearest first.
    return [int(p) for p in reversed(unit.path.strip("/").split("/")) if p] or [unit.pk]


def working_days_for(unit: Unit) -> tuple[int, int]:
    """(forward, answer) working days: the unit's own settings, else the nearest ancestor's,
    else the defaults."""
    chain = _ancestor_ids(unit)
    rows = {row.unit_id: row for row in FeedbackSettings.objects.filter(unit_id__in=chain)}
    for unit_id in chain:
        if unit_id in rows:
            return rows[unit_id].forward_working_days, rows[unit_id].answer_working_days
    return DEFAULT_FORWARD_WORKING_DAYS, DEFAULT_ANSWER_WORKING_DAYS


def addressable_units() -> Any:
    """The units a citizen may address: communes, wards and special zones in force today."""
    return Unit.objects.current().filter(kind__in=UnitKind.commune_level()).order_by(by_name())


def _validate_submission(
    *,
    unit: Unit,
    kind: str,
    subject: str,
    content: str,
    procedure: Procedure | None,
    name: str,
    phone: str,
    email: str,
    files: Sequence[UploadedFile],
) -> tuple[str, str]:
    if kind not in Kind.values:
        raise InvalidFeedback(_("Hãy chọn loại: phản ánh, kiến nghị hoặc khiếu nại."))
    if subject not in Subject.values:
        raise InvalidFeedback(_("Hãy chọn nội dung phản ánh về việc gì."))
    if not addressable_units().filter(pk=unit.pk).exists():
        raise InvalidFeedback(_("Hãy chọn xã, phường nhận phản ánh trong danh sách."))
    if len(content) < MIN_CONTENT_CHARS:
        raise InvalidFeedback(
            _("Nội dung quá ngắn; hãy viết ít nhất %(n)s ký tự.") % {"n": MIN_CONTENT_CHARS}
        )
    if len(content) > MAX_CONTENT_CHARS:
        raise InvalidFeedback(
            _("Nội dung dài quá %(n)s ký tự; hãy tóm tắt hoặc gửi kèm tệp.")
            % {"n": MAX_CONTENT_CHARS}
        )
    if procedure is not None and subject != Subject.PROCEDURE:
        raise InvalidFeedback(_("Chỉ chọn thủ tục khi phản ánh về thủ tục hành chính."))
    try:
        # A mobile: the tracking code and the answer are sent to it by SMS.
        normalised_phone = normalise_phone(phone, mobile_only=True)
    except InvalidPhone as exc:
        raise InvalidFeedback(str(exc)) from exc
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InvalidFeedback(_("Địa chỉ thư điện tử không hợp lệ.")) from exc
    if kind == Kind.COMPLAINT and not (name and (normalised_phone or email)):
        raise InvalidFeedback(
            _(
                "Khiếu nại về thái độ, hành vi cán bộ phải ghi họ tên và số điện thoại hoặc thư "
                "điện tử để cơ quan liên hệ xác minh."
            )
        )
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidFeedback(_("Chỉ gửi kèm tối đa %(n)s tệp.") % {"n": MAX_ATTACHMENTS})
    return normalised_phone, email


@transaction.atomic
def submit_feedback(
    *,
    unit: Unit,
    kind: str,
    subject: str,
    content: str,
    procedure: Procedure | None = None,
    name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    files: Sequence[UploadedFile] = (),
    at: dt.datetime | None = None,
) -> Feedback:
    """Anyone sends a PAKN: it gets a tracking code and its deadlines on the unit's calendar;
    a sender who left a contact is told the code."""
    now = action_time(at)
    content, name, email, address = (v.strip() for v in (content, name, email, address))
    phone, email = _validate_submission(
        unit=unit,
        kind=kind,
        subject=subject,
        content=content,
        procedure=procedure,
        name=name,
        phone=phone.strip(),
        email=email,
        files=files,
    )
    # Judge every file before writing anything.
    checked = []
    for file in files:
        try:
            checked.append((file, check_upload(file, size=file.size)))
        except UploadRejected as exc:
            raise InvalidFeedback(
                _("Tệp “%(name)s”: %(reason)s") % {"name": file.name, "reason": exc}
            ) from exc
    forward_days, answer_days = working_days_for(unit)
    calendar = load_calendar(unit)
    values: dict[str, Any] = {
        "kind": kind,
        "subject": subject,
        "procedure": procedure,
        "unit": unit,
        "content": content,
        "name": name[:200],
        "phone": phone,
        "email": email,
        "address": address[:300],
        "status": Status.RECEIVED,
        "received_at": now,
        "forward_due_at": deadlines.due_in_working_days(now, forward_days, calendar),
        "answer_due_at": deadlines.due_in_working_days(now, answer_days, calendar),
    }
    day = timezone.localdate(now)
    for attempt in range(5):
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(code=new_code(day), **values)
            break
        except IntegrityError:
            # A code collision (one in millions): draw again.
            if attempt == 4:
                raise
    for file, info in checked:
        attachment = FeedbackAttachment(
            feedback=feedback,
            original_filename=(file.name or "")[:255],
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
        )
        attachment.file.save(f"upload.{info.extension}", file, save=False)
        attachment.save()
    record(
        FLOW,
        feedback,
        Action.SUBMIT,
        "",
        Status.RECEIVED,
        by=None,
        at=now,
        data={"attachments": len(checked)},
    )
    notices.pakn_received(feedback)
    return feedback


# -- PAKN: staff actions -----------------------------------------------------------------------


def allowed_actions(feedback: Feedback, user: Any) -> list[str]:
    """The actions this user may take on this PAKN now (for the page's forms)."""
    if not STAFF_ROLES & user_roles_in(user, feedback.unit):
        return []
    return [a for a in TRANSITIONS if target_status(a, feedback.status) is not None]


def _lock(feedback: Feedback) -> Feedback:
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    # The unit row is read after the lock, not joined: PostgreSQL refuses FOR UPDATE on the
    # nullable side of an outer join, and the unit never changes here anyway.
    locked.unit = Unit.objects.get(pk=locked.unit_id)
    return locked


def _illegal(feedback: Feedback, action: str) -> FeedbackError:
    return IllegalMove(
        _("Không thể “%(action)s” khi phản ánh đang ở trạng thái “%(status)s”.")
        % {"action": Action(action).label, "status": Status(feedback.status).label}
    )


def _not_allowed(feedback: Feedback, action: str, rule: Rule) -> FeedbackError:
    return NotAllowed(
        _(
            "Chỉ cán bộ tiếp nhận, chuyên viên, lãnh đạo hoặc đầu mối kiểm soát TTHC của "
            "%(unit)s được xử lý phản ánh này."
        )
        % {"unit": feedback.unit.name}
    )


def _after_event(feedback: Feedback, event: Any) -> None:
    if event.action == Action.ANSWER:
        notices.pakn_answered(feedback)


# The PAKN workflow on the one mechanism (`cchc.workflow`): whoever may not handle the unit's
# PAKN is told so before anything about the item's state (`roles_first`).
FLOW: Workflow[Feedback] = Workflow(
    table=TRANSITIONS,
    event=FeedbackEvent,
    lock=_lock,
    illegal=_illegal,
    roles_of=lambda feedback, user, _where: user_roles_in(user, feedback.unit),
    not_allowed=_not_allowed,
    roles_first=True,
    on_event=_after_event,
)


def _transition(
    feedback: Feedback,
    action: str,
    *,
    by: Any,
    at: dt.datetime | None,
    change: Callable[[Feedback, dt.datetime], dict[str, Any]],
    note: str = "",
) -> Feedback:
    return transition(
        FLOW, feedback, action, by=by, at=action_time(at), change=change, details={"note": note}
    )


def classify(
    feedback: Feedback, *, by: Any, category: str, note: str = "", at: dt.datetime | None = None
) -> Feedback:
    """Classify at receipt (ND 20/2008 Art. 9(4)); may be corrected until it moves on."""
    if category not in Category.values:
        raise InvalidFeedback(_("Hãy chọn một loại phân loại."))

    def change(f: Feedback, now: dt.datetime) -> dict[str, Any]:
        f.category = category
        f.classified_at = now
        return {"category": category}

    return _transition(feedback, Action.CLASSIFY, by=by, at=at, change=change, note=note.strip())


def forward(
    feedback: Feedback,
    *,
    by: Any,
    to_unit: Unit | None = None,
    to_name: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> Feedback:
    """Forward to the competent body, within the forward deadline (5 working days)."""
    to_name = to_name.strip()
    if to_unit is None and not to_name:
        raise InvalidFeedback(_("Hãy ghi cơ quan có thẩm quyền nhận phản ánh được chuyển."))

    def change(f: Feedback, now: dt.datetime) -> dict[str, Any]:
        if f.category not in FORWARD_CATEGORIES:
            raise IllegalMove(
                _(
                    "Phản ánh đã được phân loại thuộc thẩm quyền của đơn vị nên không chuyển đi; "
                    "hãy phân loại lại nếu cần chuyển."
                )
            )
        f.forwarded_to_unit = to_unit
        f.forwarded_to = to_name or (to_unit.name if to_unit else "")
        f.forwarded_at = now
        f.forward_outcome = deadlines.outcome(f.forward_due_at, now)
        return {"to": f.forwarded_to, "outcome": f.forward_outcome}

    return _transition(feedback, Action.FORWARD, by=by, at=at, change=change, note=note.strip())


def answer(feedback: Feedback, *, by: Any, text: str, at: dt.datetime | None = None) -> Feedback:
    """Record the answer (the unit's own or the competent body's) and tell the sender."""
    text = text.strip()
    if not text:
        raise InvalidFeedback(_("Hãy nhập nội dung trả lời."))

    def change(f: Feedback, now: dt.datetime) -> dict[str, Any]:
        f.answer = text
        f.answered_at = now
        f.answer_outcome = deadlines.outcome(f.answer_due_at, now)
        return {"outcome": f.answer_outcome}

    return _transition(feedback, Action.ANSWER, by=by, at=at, change=change)


_DIGIT_RUN = re.compile(r"\d[\d\s.\-]{7,}\d")
_EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def personal_data_in(text: str, feedback: Feedback) -> list[str]:
    """What of the sender's identity a public text still contains (names, phones, e-mails)."""
    found = []
    lowered = text.lower()
    if feedback.name and len(feedback.name.strip()) >= 4 and feedback.name.lower() in lowered:
        found.append(_("họ tên"))
    if _DIGIT_RUN.search(text):
        found.append(_("số điện thoại hoặc số giấy tờ"))
    if _EMAIL_LIKE.search(text):
        found.append(_("địa chỉ thư điện tử"))
    if feedback.address and len(feedback.address) >= 6 and feedback.address.lower() in lowered:
        found.append(_("địa chỉ"))
    return found


def publish(
    feedback: Feedback, *, by: Any, summary: str, text: str, at: dt.datetime | None = None
) -> Feedback:
    """Publish the anonymised question and answer the officer wrote; never the sender's name,
    phone or e-mail (a text that still contains them is refused)."""
    summary, text = summary.strip(), text.strip()
    if not summary or not text:
        raise InvalidFeedback(_("Hãy nhập tóm tắt nội dung và kết quả trả lời để công khai."))

    def change(f: Feedback, now: dt.datetime) -> dict[str, Any]:
        found = personal_data_in(f"{summary}\n{text}", f)
        if found:
            raise InvalidFeedback(
                _("Nội dung công khai còn chứa %(what)s; hãy xóa trước khi công khai.")
                % {"what": ", ".join(found)}
            )
        f.public_summary = summary
        f.public_answer = text
        f.published_at = now
        return {}

    return _transition(feedback, Action.PUBLISH, by=by, at=at, change=change)


def reject(feedback: Feedback, *, by: Any, reason: str, at: dt.datetime | None = None) -> Feedback:
    """Not handled: the item does not meet the requirements (ND 20/2008 Art. 9(4))."""
    reason = reason.strip()
    if not reason:
        raise InvalidFeedback(_("Hãy ghi lý do không xử lý."))

    def change(f: Feedback, now: dt.datetime) -> dict[str, Any]:
        f.rejected_at = now
        f.reject_reason = reason
        return {}

    return _transition(feedback, Action.REJECT, by=by, at=at, change=change, note=reason)
