"""The citizen's own space ("Hồ sơ của tôi"): their dossiers with what happens next, their
drafts, their PAKN and their ratings. Every query starts from the signed-in citizen, so nothing
here can list another person's data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cchc.dossiers.choices import EndType, Status
from cchc.dossiers.models import Dossier
from cchc.feedback.models import Feedback, Rating
from cchc.portal.actions import dossiers_of
from cchc.portal.models import Citizen, Draft

LIST_LIMIT = 100


@dataclass(frozen=True)
class NextStep:
    text: str
    # The citizen must act (complete, pay, collect, rate): the row is marked for them.
    citizen_acts: bool = False


def next_step(dossier: Dossier, *, rated: bool = False) -> NextStep:
    """What the citizen must do, or what happens next, in one sentence."""
    status = dossier.status
    if status == Status.SUBMITTED:
        return NextStep(
            _(
                "Chờ bộ phận một cửa kiểm tra và tiếp nhận; ông/bà sẽ nhận tin nhắn khi hồ sơ "
                "được tiếp nhận."
            )
        )
    if status in (Status.INCOMPLETE, Status.SUPPLEMENT):
        return NextStep(
            _(
                "Ông/bà cần bổ sung giấy tờ: mở hồ sơ để xem nội dung cần bổ sung và gửi trực tuyến."
            ),
            citizen_acts=True,
        )
    if status == Status.PAYMENT:
        return NextStep(
            _(
                "Ông/bà cần nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính theo thông báo của cơ quan."
            ),
            citizen_acts=True,
        )
    if status in (Status.RECEIVED, Status.PROCESSING):
        return NextStep(
            _(
                "Cơ quan đang giải quyết; ông/bà chờ đến ngày hẹn trả kết quả, không cần làm gì thêm."
            )
        )
    if status == Status.RESOLVED and dossier.end_type == EndType.REFUSED:
        return NextStep(
            _("Hồ sơ không đủ điều kiện giải quyết: mời ông/bà nhận văn bản trả lời nêu rõ lý do."),
            citizen_acts=True,
        )
    if status == Status.RESOLVED:
        return NextStep(
            _("Đã có kết quả: mời ông/bà nhận kết quả theo hình thức đã chọn."), citizen_acts=True
        )
    if status == Status.RETURNED:
        if rated:
            return NextStep(_("Đã trả kết quả. Cảm ơn ông/bà đã đánh giá."))
        return NextStep(
            _("Đã trả kết quả. Mời ông/bà đánh giá mức độ hài lòng."), citizen_acts=True
        )
    return NextStep(_("Hồ sơ đã kết thúc; mở hồ sơ để xem lý do và quá trình xử lý."))


def feedback_of(citizen: Citizen) -> QuerySet[Feedback]:
    """The PAKN sent with this citizen's phone or address (both stored normalised)."""
    match = Q(pk__in=[])
    if citizen.phone:
        match |= Q(phone=citizen.phone)
    if citizen.email:
        match |= Q(email__iexact=citizen.email)
    return Feedback.objects.filter(match).select_related("unit").order_by("-received_at", "-id")


def ratings_of(citizen: Citizen) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(dossier__in=dossiers_of(citizen).values("pk"))
        .select_related("dossier", "procedure")
        .order_by("-created_at")
    )


def drafts_of(citizen: Citizen) -> QuerySet[Draft]:
    return (
        citizen.drafts.filter(dossier__isnull=True)
        .select_related("procedure", "unit")
        .order_by("-updated_at")
    )


def overview(citizen: Citizen) -> dict[str, Any]:
    dossiers = list(dossiers_of(citizen)[:LIST_LIMIT])
    ratings = list(ratings_of(citizen)[:LIST_LIMIT])
    rated = {r.dossier_id for r in ratings}
    rows = [(d, next_step(d, rated=d.pk in rated)) for d in dossiers]
    return {
        "dossier_rows": rows,
        "to_act": sum(1 for _d, step in rows if step.citizen_acts),
        "drafts": list(drafts_of(citizen)[:LIST_LIMIT]),
        "feedback_items": list(feedback_of(citizen)[:LIST_LIMIT]),
        "ratings": ratings,
    }
