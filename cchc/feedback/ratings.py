"""Ratings of a returned dossier (satisfaction, once per dossier): the signed rating link, the
counter kiosk an officer opens for the applicant, and the rating itself by link, kiosk or
dossier code and phone.

A rating is one row (`Rating`), written in one transaction with the dossier locked; the unique
constraint on the dossier is the last word between two concurrent ratings. A refusal raises a
`FeedbackError` (`errors.py`) whose message says, in Vietnamese, why and what to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cchc.dossiers.choices import Status as DossierStatus
from cchc.dossiers.lookup import find_by_public_code
from cchc.dossiers.models import Dossier
from cchc.feedback.choices import Level, RatingChannel, Reason
from cchc.feedback.errors import (
    AlreadyRated,
    InvalidFeedback,
    NotAllowed,
    RatingRefused,
    action_time,
)
from cchc.feedback.models import Rating
from cchc.lib.personal import phones_match
from cchc.lib.tokens import read_ids, sign_ids
from cchc.lib.urls import public_url
from cchc.units.choices import Role
from cchc.units.models import user_roles_in

MAX_COMMENT_CHARS = 1000

# Who may hand the counter tablet to the applicant: the receiving unit's one-stop officers.
KIOSK_ROLES: frozenset[str] = frozenset({Role.RECEPTION})

RATING_SALT = "cchc.feedback.rating-link"
KIOSK_SALT = "cchc.feedback.kiosk"
RATING_LINK_MAX_AGE = dt.timedelta(days=60)
KIOSK_MAX_AGE = dt.timedelta(minutes=15)


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
    return sign_ids(RATING_SALT, d=dossier.pk)


def rating_link(dossier: Dossier) -> str:
    """The absolute address where the applicant rates this dossier without typing anything:
    for the "result returned" message or the lookup page. Valid for RATING_LINK_MAX_AGE."""
    return public_url("feedback:rate_link", rating_token(dossier))


def dossier_id_from_rating_token(token: str) -> int | None:
    ids = read_ids(token, RATING_SALT, RATING_LINK_MAX_AGE, "d")
    return ids[0] if ids else None


def kiosk_token(dossier: Dossier, officer: Any) -> str:
    return sign_ids(KIOSK_SALT, d=dossier.pk, o=officer.pk)


def read_kiosk_token(token: str) -> tuple[int, int] | None:
    """(dossier id, officer id) of a kiosk session still valid, else None."""
    ids = read_ids(token, KIOSK_SALT, KIOSK_MAX_AGE, "d", "o")
    return (ids[0], ids[1]) if ids else None


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
    now = action_time(at)
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
