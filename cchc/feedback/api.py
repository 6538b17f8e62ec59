"""Feedback endpoints under /api/v1/feedback.

Public (no auth, rate limited): send a PAKN, read its status (no personal data), rate a returned
dossier with its code and the applicant's phone. Staff (token or session, scoped like the pages;
another unit's PAKN answers 404): worklists, one PAKN with its history, the actions.
Refusals come back as `{"detail": "<reason>"}` with the action error's status.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit import UNSAFE
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from cchc.accounts.auth import staff_auth
from cchc.catalogue.models import Procedure
from cchc.dossiers.models import Dossier
from cchc.feedback import pakn, ratings
from cchc.feedback.inputs import FeedbackActionIn, run_action
from cchc.feedback.limits import (
    RATING_IP_RATE,
    RATING_PHONE_RATE,
    STATUS_RATE,
    SUBMIT_RATE,
    phone_key,
    throttle,
)
from cchc.feedback.lookup import WORKLISTS, get_feedback_for, worklist_rows
from cchc.feedback.models import (
    DEFAULT_ANSWER_WORKING_DAYS,
    DEFAULT_FORWARD_WORKING_DAYS,
    Feedback,
    Rating,
)
from cchc.lib.apierrors import STAFF, ErrorOut, refusals
from cchc.lib.inputs import column, text, whole_number
from cchc.units.models import Unit
from cchc.worktime.deadlines import due_in_working_days
from cchc.worktime.snapshot import load_calendar

router = Router(tags=["feedback"])

Detail = dict[str, Any]


FeedbackCode = Annotated[str, column(Feedback, "code")]


class FeedbackIn(Schema):
    unit: Annotated[str, column(Unit, "code")]
    kind: Literal["report", "proposal", "complaint"]
    subject: Literal["procedure", "regulation", "conduct", "other"]
    procedure: Annotated[str, column(Procedure, "code")] | None = None
    content: Annotated[str, column(Feedback, "content")]
    name: Annotated[str, column(Feedback, "name")] = ""
    phone: Annotated[str, column(Feedback, "phone")] = ""
    email: Annotated[str, column(Feedback, "email")] = ""
    # Honeypot: clients leave it empty; a filled one is answered as accepted and not stored.
    website: Annotated[str, text(200)] = ""


class FeedbackReceipt(Schema):
    code: str
    status: str
    received_at: dt.datetime
    forward_due: dt.datetime
    answer_due: dt.datetime


class PublishedOut(Schema):
    summary: str
    answer: str
    published_at: dt.datetime


class FeedbackStatusOut(Schema):
    code: str
    kind: str
    subject: str
    unit: str
    unit_hotline: str
    unit_email: str
    status: str
    status_label: str
    received_at: dt.datetime
    answer_due: dt.datetime
    answered_at: dt.datetime | None
    published: PublishedOut | None


class RatingIn(Schema):
    code: Annotated[str, column(Dossier, "code")]
    phone: Annotated[str, column(Dossier, "applicant_phone")]
    level: Annotated[int, column(Rating, "level")]
    reasons: Annotated[list[Annotated[str, text(40)]], MaxLen(20)] = []
    comment: Annotated[str, column(Rating, "comment")] = ""


class RatingOut(Schema):
    level: int
    reasons: list[str]
    created_at: dt.datetime


# The answers the handlers build themselves (`Status(422, {...})`) share the API's error shape.
FeedbackErrorOut = ErrorOut


@router.post(
    "",
    response={201: FeedbackReceipt, **refusals(403, 409, 422, 429)},
    summary="Gửi phản ánh, kiến nghị",
)
@decorate_view(throttle("feedback.submit", key="ip", rate=SUBMIT_RATE, method=UNSAFE))
def submit(request: HttpRequest, payload: FeedbackIn) -> Status[Any]:
    now = timezone.now()
    if payload.website:
        # Looks accepted (real-looking deadlines on the national calendar), stores nothing.
        calendar = load_calendar()
        return Status(
            201,
            {
                "code": pakn.new_code(timezone.localdate(now)),
                "status": "received",
                "received_at": now,
                "forward_due": due_in_working_days(now, DEFAULT_FORWARD_WORKING_DAYS, calendar),
                "answer_due": due_in_working_days(now, DEFAULT_ANSWER_WORKING_DAYS, calendar),
            },
        )
    unit = pakn.addressable_units().filter(code=payload.unit).first()
    if unit is None:
        return Status(422, {"detail": _("Không có xã, phường mã này.")})
    procedure = None
    if payload.procedure:
        procedure = Procedure.objects.filter(code=payload.procedure).first()
        if procedure is None:
            return Status(422, {"detail": _("Không có thủ tục mã này; hãy bỏ trống nếu không rõ.")})
    feedback = pakn.submit_feedback(
        unit=unit,
        kind=payload.kind,
        subject=payload.subject,
        procedure=procedure,
        content=payload.content,
        name=payload.name,
        phone=payload.phone,
        email=payload.email,
        at=now,
    )
    return Status(
        201,
        {
            "code": feedback.code,
            "status": feedback.status,
            "received_at": feedback.received_at,
            "forward_due": feedback.forward_due_at,
            "answer_due": feedback.answer_due_at,
        },
    )


@router.post(
    "/ratings",
    response={201: RatingOut, **refusals(403, 404, 409, 422, 429)},
    summary="Đánh giá mức độ hài lòng với hồ sơ đã trả kết quả",
)
@decorate_view(
    throttle("feedback.rate.ip", key="ip", rate=RATING_IP_RATE, method=UNSAFE),
    throttle("feedback.rate.phone", key=phone_key, rate=RATING_PHONE_RATE, method=UNSAFE),
)
def rate(request: HttpRequest, payload: RatingIn) -> Status[Any]:
    rating = ratings.rate_by_code(
        payload.code,
        phone=payload.phone,
        level=payload.level,
        reasons=payload.reasons,
        comment=payload.comment,
    )
    return Status(
        201, {"level": rating.level, "reasons": rating.reasons, "created_at": rating.created_at}
    )


# -- staff (registered before "/{code}" so that "staff" is never read as a code) ---------------


class StaffItemOut(Schema):
    code: str
    kind: str
    subject: str
    unit: str
    status: str
    category: str
    received_at: dt.datetime
    forward_due: dt.datetime
    answer_due: dt.datetime
    forward_overdue: bool
    answer_overdue: bool


class FeedbackEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor: str | None
    note: str


class StaffDetailOut(StaffItemOut):
    version: int = Field(description="Số mục trong lịch sử: gửi kèm khi thao tác (`version`).")
    procedure: str | None
    content: str
    name: str
    phone: str
    email: str
    forwarded_to: str
    answer: str
    public_summary: str
    public_answer: str
    attachments: int
    events: list[FeedbackEventOut]


def _item(f: Feedback, now: dt.datetime) -> dict[str, Any]:
    return {
        "code": f.code,
        "kind": f.kind,
        "subject": f.subject,
        "unit": f.unit.code,
        "status": f.status,
        "category": f.category,
        "received_at": f.received_at,
        "forward_due": f.forward_due_at,
        "answer_due": f.answer_due_at,
        "forward_overdue": f.forward_overdue(now),
        "answer_overdue": f.answer_overdue(now),
    }


def _detail(f: Feedback) -> dict[str, Any]:
    events = [
        {
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "at": e.at,
            "actor": e.actor.username if e.actor else None,
            "note": e.note,
        }
        for e in f.events.select_related("actor")
    ]
    return {
        **_item(f, timezone.now()),
        "version": len(events),
        "procedure": f.procedure.code if f.procedure else None,
        "content": f.content,
        "name": f.name,
        "phone": f.phone,
        "email": f.email,
        "forwarded_to": f.forwarded_to,
        "answer": f.answer,
        "public_summary": f.public_summary,
        "public_answer": f.public_answer,
        "attachments": f.attachments.count(),
        "events": events,
    }


class ListQuery(Schema):
    list: Literal["new", "to_forward", "to_answer", "overdue", "to_publish", "all"] = "new"
    limit: Annotated[int, whole_number(1, 500)] = 100


@router.get(
    "/staff/items",
    response={200: list[StaffItemOut], **refusals(*STAFF)},
    auth=staff_auth,
    summary="Danh sách PAKN",
)
def staff_list(request: HttpRequest, query: Query[ListQuery]) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = worklist_rows(Feedback.objects.visible_to(request.user), query.list, now)
    rows = rows.select_related("unit").order_by(*WORKLISTS[query.list].ordering)
    return [_item(f, now) for f in rows[: max(1, min(query.limit, 500))]]


@router.get(
    "/staff/items/{code}",
    response={200: StaffDetailOut, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Một PAKN (cán bộ)",
)
def staff_detail(request: HttpRequest, code: Path[FeedbackCode]) -> dict[str, Any]:
    return _detail(get_feedback_for(request.user, code))


@router.post(
    "/staff/items/{code}/{action}",
    response={200: StaffDetailOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Thao tác trên PAKN: classify, forward, answer, publish, reject",
)
def staff_act(
    request: HttpRequest,
    code: Path[FeedbackCode],
    action: Literal["classify", "forward", "answer", "publish", "reject"],
    payload: FeedbackActionIn,
) -> dict[str, Any]:
    """`version` is required (422 without it; 409 when the PAKN has changed since): a retried
    request never acts twice (a classification may otherwise be repeated at will)."""
    feedback = run_action(get_feedback_for(request.user, code), action, payload, by=request.user)
    return _detail(get_feedback_for(request.user, feedback.code))


# -- public status: last, its path takes any code ---------------------------------------------


@router.get(
    "/{code}",
    response={200: FeedbackStatusOut, **refusals(404, 429)},
    summary="Tình trạng xử lý một phản ánh, kiến nghị (không có thông tin cá nhân)",
)
@decorate_view(throttle("feedback.status", key="ip", rate=STATUS_RATE, method="GET"))
def status(request: HttpRequest, code: Path[FeedbackCode]) -> Status[Any]:
    f = Feedback.objects.select_related("unit").filter(code=code.upper()).first()
    if f is None:
        return Status(404, {"detail": _("Không tìm thấy phản ánh có mã này.")})
    published = (
        {"summary": f.public_summary, "answer": f.public_answer, "published_at": f.published_at}
        if f.is_published
        else None
    )
    return Status(
        200,
        {
            "code": f.code,
            "kind": f.kind,
            "subject": f.subject,
            "unit": f.unit.name,
            "unit_hotline": f.unit.hotline,
            "unit_email": f.unit.email,
            "status": f.status,
            "status_label": str(f.get_status_display()),
            "received_at": f.received_at,
            "answer_due": f.answer_due_at,
            "answered_at": f.answered_at,
            "published": published,
        },
    )
