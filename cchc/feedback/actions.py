"""What citizens and staff do with ratings and PAKN: one function per business action.

Every action runs in one transaction with the row locked, checks the transition table
(`choices.TRANSITIONS`) and the actor's role in the addressed unit, and appends one
`FeedbackEvent`; messages to the sender are queued in the same transaction. A refused action
raises a `FeedbackError` whose message says, in Vietnamese, why and what to do, and changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalogue.models import Procedure
from cchc.dossiers.choices import Status as DossierStatus
from cchc.dossiers.lookup import find_by_public_code
from cchc.dossiers.models import Dossier
from cchc.feedback import notices
from cchc.feedback.choices import (
    FORWARD_CATEGORIES,
    STAFF_ROLES,
    TRANSITIONS,
    Action,
    Category,
    Kind,
    Level,
    RatingChannel,
    Reason,
    Status,
    Subject,
    target_status,
)
from cchc.feedback.models import (
    DEFAULT_ANSWER_WORKING_DAYS,
    DEFAULT_FORWARD_WORKING_DAYS,
    Feedback,
    FeedbackAttachment,
    FeedbackEvent,
    FeedbackSettings,
    Rating,
)
from cchc.lib.errors import DomainError
from cchc.lib.personal import InvalidPhone, normalise_phone, phones_match
from cchc.lib.text import by_name
from cchc.lib.uploads import UploadRejected, check_upload
from cchc.lib.urls import public_url
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Unit, user_roles_in
from cchc.workflow.table import Rule
from cchc.workflow.transition import Workflow, record, transition
from cchc.worktime import deadlines
from cchc.worktime.snapshot import load_calendar

# -- errors: the API's one handler for DomainError answers them as JSON -------------------------


class FeedbackError(DomainError):
    status_code = 409


class IllegalMove(FeedbackError):
    status_code = 409


class NotAllowed(FeedbackError):
    status_code = 403


class InvalidFeedback(FeedbackError):
    status_code = 422


class RatingRefused(FeedbackError):
    status_code = 403


class AlreadyRated(FeedbackError):
    status_code = 409


# -- limits ------------------------------------------------------------------------------------

MAX_CONTENT_CHARS = 5000
MIN_CONTENT_CHARS = 10
MAX_COMMENT_CHARS = 1000
MAX_ATTACHMENTS = 3
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone
CODE_SUFFIX_LENGTH = 5
CODE_PATTERN = re.compile(r"^PAKN-\d{6}-[" + CODE_ALPHABET + r"]{5}$")

# Who may hand the counter tablet to the applicant: the receiving unit's one-stop officers.
KIOSK_ROLES: frozenset[str] = frozenset({Role.RECEPTION})

RATING_SALT = "cchc.feedback.rating-link"
KIOSK_SALT = "cchc.feedback.kiosk"
RATING_LINK_MAX_AGE = dt.timedelta(days=60)
KIOSK_MAX_AGE = dt.timedelta(minutes=15)


def _now(at: dt.datetime | None) -> dt.datetime:
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("naive datetime")
    return moment


# -- messages refused to the citizen -----------------------------------------------------------


def not_applicant_message() -> str:
    # One message for an unknown code, a wrong phone and a dossier without a phone: the answer
    # must not tell a stranger which dossier codes exist.
    return _(
        "Mã hồ sơ hoặc số điện thoại không đúng. Hãy nhập mã hồ sơ ghi trên giấy tiếp nhận và "
        "số điện thoại đã khai khi nộp hồ sơ; nếu vẫn không được, đề nghị đánh giá tại quầy."
    )


def link_invalid_message() -> str:
    return _(
        "Đường dẫn đánh giá không hợp lệ hoặc đã hết hạn. Hãy đánh giá bằng mã hồ sơ và số "
        "điện thoại tại trang Đánh giá."
    )


def kiosk_expired_message() -> str:
    return _(
        "Phiên đánh giá tại quầy đã hết hạn hoặc không hợp lệ. Đề nghị cán bộ mở lại trang "
        "đánh giá cho hồ sơ này."
    )


# -- signed tokens: rating link and counter kiosk ----------------------------------------------


def rating_token(dossier: Dossier) -> str:
    return signing.dumps({"d": dossier.pk}, salt=RATING_SALT)


def rating_link(dossier: Dossier) -> str:
    """The absolute address where the applicant rates this dossier without typing anything:
    for the "result returned" message or the lookup page. Valid for RATING_LINK_MAX_AGE."""
    return public_url("feedback:rate_link", rating_token(dossier))


def dossier_id_from_rating_token(token: str) -> int | None:
    try:
        payload = signing.loads(token, salt=RATING_SALT, max_age=RATING_LINK_MAX_AGE)
        return int(payload["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def kiosk_token(dossier: Dossier, officer: Any) -> str:
    return signing.dumps({"d": dossier.pk, "o": officer.pk}, salt=KIOSK_SALT)


def read_kiosk_token(token: str) -> tuple[int, int] | None:
    """(dossier id, officer id) of a kiosk session still valid, else None."""
    try:
        payload = signing.loads(token, salt=KIOSK_SALT, max_age=KIOSK_MAX_AGE)
        return int(payload["d"]), int(payload["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def may_open_kiosk(dossier: Dossier, user: Any) -> bool:
    return bool(KIOSK_ROLES & user_roles_in(user, dossier.receiving_unit))


def open_kiosk(dossier: Dossier, *, by: Any) -> str:
    """The counter officer hands the tablet over: a short-lived token for this dossier."""
    if not may_open_kiosk(dossier, by):
        raise NotAllowed(
            _("Chỉ cán bộ tiếp nhận của %(unit)s được mở trang đánh giá tại quầy cho hồ sơ này.")
            % {"unit": dossier.receiving_unit.name}
        )
    _check_ratable(dossier)
    return kiosk_token(dossier, by)


# -- rating ------------------------------------------------------------------------------------


def _check_ratable(dossier: Dossier) -> None:
    if dossier.status != DossierStatus.RETURNED:
        raise RatingRefused(
            _(
                "Hồ sơ chưa trả kết quả nên chưa đánh giá được. Ông/bà có thể đánh giá sau khi nhận "
                "kết quả."
            )
        )
    if Rating.objects.filter(dossier_id=dossier.pk).exists():
        raise AlreadyRated(_already_rated())


def _already_rated() -> str:
    return _(
        "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ được đánh giá một lần. Nếu ông/bà có ý kiến "
        "thêm, hãy gửi phản ánh, kiến nghị."
    )


def _clean_rating(level: Any, reasons: Iterable[str], comment: str) -> tuple[int, list[str], str]:
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = 0
    if value not in Level.values:
        raise InvalidFeedback(_("Hãy chọn một mức độ hài lòng."))
    chosen = list(dict.fromkeys(reasons))
    unknown = [r for r in chosen if r not in Reason.values]
    if unknown:
        raise InvalidFeedback(_("Lý do đánh giá không hợp lệ; hãy chọn trong danh sách."))
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidFeedback(
            _("Ý kiến dài quá %(n)s ký tự; hãy viết ngắn gọn hơn.") % {"n": MAX_COMMENT_CHARS}
        )
    return value, chosen, text


def _check_applicant(dossier: Dossier, *, channel: str, phone: str, token: str) -> Any:
    """Proof that the applicant is the one rating; returns the kiosk officer, if any."""
    if channel == RatingChannel.LOOKUP:
        if not phones_match(phone, dossier.applicant_phone):
            raise RatingRefused(not_applicant_message())
        return None
    if channel == RatingChannel.LINK:
        if dossier_id_from_rating_token(token) != dossier.pk:
            raise RatingRefused(link_invalid_message())
        return None
    if channel == RatingChannel.KIOSK:
        session = read_kiosk_token(token)
        if session is None or session[0] != dossier.pk:
            raise RatingRefused(kiosk_expired_message())
        from cchc.accounts.models import User

        officer = User.objects.filter(pk=session[1], is_active=True).first()
        if officer is None or not may_open_kiosk(dossier, officer):
            raise RatingRefused(kiosk_expired_message())
        return officer
    raise InvalidFeedback(_("Kênh đánh giá không hợp lệ."))


@transaction.atomic
def rate_dossier(
    dossier: Dossier,
    *,
    level: int,
    reasons: Sequence[str] = (),
    comment: str = "",
    channel: str,
    phone: str = "",
    token: str = "",
    at: dt.datetime | None = None,
) -> Rating:
    """The applicant rates a returned dossier, once.

    Proof of being the applicant depends on the channel: the phone given at receipt (lookup
    page, API), a signed link (`rating_link`) or a kiosk session an officer of the receiving
    unit opened (`open_kiosk`). Checks run in this order so that only the applicant learns
    whether the dossier is returned or already rated.
    """
    now = _now(at)
    value, chosen, text = _clean_rating(level, reasons, comment)
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    officer = _check_applicant(locked, channel=channel, phone=phone, token=token)
    _check_ratable(locked)
    try:
        with transaction.atomic():
            return Rating.objects.create(
                dossier=locked,
                level=value,
                reasons=chosen,
                comment=text,
                channel=channel,
                created_at=now,
                processing_unit_id=locked.processing_unit_id,
                receiving_unit_id=locked.receiving_unit_id,
                procedure_id=locked.procedure_id,
                kiosk_officer=officer,
            )
    except IntegrityError as exc:
        # A concurrent rating won the race (the unique constraint is the last word).
        raise AlreadyRated(_already_rated()) from exc


def rate_by_code(
    code: str,
    *,
    phone: str,
    level: int,
    reasons: Sequence[str] = (),
    comment: str = "",
    at: dt.datetime | None = None,
) -> Rating:
    """Rating from the lookup page or the API: an unknown code is refused exactly like a wrong
    phone (same error, same message)."""
    _clean_rating(level, reasons, comment)
    dossier = find_by_public_code(code)
    if dossier is None:
        raise RatingRefused(not_applicant_message())
    return rate_dossier(
        dossier,
        level=level,
        reasons=reasons,
        comment=comment,
        channel=RatingChannel.LOOKUP,
        phone=phone,
        at=at,
    )


# -- PAKN: receipt -----------------------------------------------------------------------------


def new_code(day: dt.date) -> str:
    """`PAKN-YYMMDD-XXXXX`: a random suffix (32⁵ a day), so codes cannot be guessed in turn."""
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SUFFIX_LENGTH))
    return f"PAKN-{day:%y%m%d}-{suffix}"


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
    now = _now(at)
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
        FLOW, feedback, action, by=by, at=_now(at), change=change, details={"note": note}
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
