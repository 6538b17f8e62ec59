"""Feedback endpoints under /api/v1/feedback.

Public (no auth, rate limited): send a PAKN, read its status (no personal data), rate a returned
dossier with its code and the applicant's phone. Staff (token or session, scoped like the pages;
another unit's PAKN answers 404): worklists, one PAKN with its history, the actions.
Refusals come back as `{"detail": "<reason>"}` with the action error's status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit import UNSAFE
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view

from cchc.accounts.auth import staff_auth
from cchc.catalogue.models import Procedure
from cchc.feedback import actions
from cchc.feedback.choices import Action
from cchc.feedback.limits import (
    RATING_IP_RATE,
    RATING_PHONE_RATE,
    STATUS_RATE,
    SUBMIT_RATE,
    phone_key,
    throttle,
)
from cchc.feedback.lookup import get_feedback_for
from cchc.feedback.models import (
    DEFAULT_ANSWER_WORKING_DAYS,
    DEFAULT_FORWARD_WORKING_DAYS,
    Feedback,
)
from cchc.feedback.views import WORKLISTS, worklist_rows
from cchc.units.models import Unit
from cchc.worktime.deadlines import due_in_working_days
from cchc.worktime.snapshot import load_calendar

router = Router(tags=["feedback"])

Detail = dict[str, Any]


class FeedbackIn(Schema):
    unit: str
    kind: Literal["report", "proposal", "complaint"]
    subject: Literal["procedure", "regulation", "conduct", "other"]
    procedure: str | None = None
    content: str
    name: str = ""
    phone: str = ""
    email: str = ""
    # Honeypot: clients leave it empty; a filled one is answered as accepted and not stored.
    website: str = ""


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
    code: str
    phone: str
    level: int
    reasons: list[str] = []
    comment: str = ""


class RatingOut(Schema):
    level: int
    reasons: list[str]
    created_at: dt.datetime


class FeedbackErrorOut(Schema):
    detail: Any


@router.post(
    "",
    response={
        201: FeedbackReceipt,
        403: FeedbackErrorOut,
        409: FeedbackErrorOut,
        422: FeedbackErrorOut,
    },
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
                "code": actions.new_code(timezone.localdate(now)),
                "status": "received",
                "received_at": now,
                "forward_due": due_in_working_days(now, DEFAULT_FORWARD_WORKING_DAYS, calendar),
                "answer_due": due_in_working_days(now, DEFAULT_ANSWER_WORKING_DAYS, calendar),
            },
        )
    unit = actions.addressable_units().filter(code=payload.unit).first()
    if unit is None:
        return Status(422, {"detail": _("Không có xã, phường mã này.")})
    procedure = None
    if payload.procedure:
        procedure = Procedure.objects.filter(code=payload.procedure).first()
        if procedure is None:
            return Status(422, {"detail": _("Không có thủ tục mã này; hãy bỏ trống nếu không rõ.")})
    feedback = actions.submit_feedback(
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
    response={201: RatingOut, 403: FeedbackErrorOut, 409: FeedbackErrorOut, 422: FeedbackErrorOut},
    summary="Đánh giá mức độ hài lòng với hồ sơ đã trả kết quả",
)
@decorate_view(
    throttle("feedback.rate.ip", key="ip", rate=RATING_IP_RATE, method=UNSAFE),
    throttle("feedback.rate.phone", key=phone_key, rate=RATING_PHONE_RATE, method=UNSAFE),
)
def rate(request: HttpRequest, payload: RatingIn) -> Status[Any]:
    rating = actions.rate_by_code(
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


class FeedbackActionIn(Schema):
    category: str = ""
    to_unit: str = ""
    to_name: str = ""
    note: str = ""
    text: str = ""
    summary: str = ""
    reason: str = ""


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
    return {
        **_item(f, timezone.now()),
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
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "at": e.at,
                "actor": e.actor.username if e.actor else None,
                "note": e.note,
            }
            for e in f.events.select_related("actor")
        ],
    }


class ListQuery(Schema):
    list: Literal["new", "to_forward", "to_answer", "overdue", "to_publish", "all"] = "new"
    limit: int = 100


@router.get("/staff/items", response=list[StaffItemOut], auth=staff_auth, summary="Danh sách PAKN")
def staff_list(request: HttpRequest, query: Query[ListQuery]) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = worklist_rows(Feedback.objects.visible_to(request.user), query.list, now)
    rows = rows.select_related("unit").order_by(*WORKLISTS[query.list].ordering)
    return [_item(f, now) for f in rows[: max(1, min(query.limit, 500))]]


@router.get(
    "/staff/items/{code}",
    response={200: StaffDetailOut, 404: FeedbackErrorOut},
    auth=staff_auth,
    summary="Một PAKN (cán bộ)",
)
def staff_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _detail(get_feedback_for(request.user, code))


@router.post(
    "/staff/items/{code}/{action}",
    response={
        200: StaffDetailOut,
        403: FeedbackErrorOut,
        404: FeedbackErrorOut,
        409: FeedbackErrorOut,
        422: FeedbackErrorOut,
    },
    auth=staff_auth,
    summary="Thao tác trên PAKN: classify, forward, answer, publish, reject",
)
def staff_act(
    request: HttpRequest,
    code: str,
    action: Literal["classify", "forward", "answer", "publish", "reject"],
    payload: FeedbackActionIn,
) -> dict[str, Any]:
    feedback = get_feedback_for(request.user, code)
    user = request.user
    if action == Action.CLASSIFY:
        feedback = actions.classify(feedback, by=user, category=payload.category, note=payload.note)
    elif action == Action.FORWARD:
        to_unit = (
            Unit.objects.current().filter(code=payload.to_unit).first() if payload.to_unit else None
        )
        feedback = actions.forward(
            feedback, by=user, to_unit=to_unit, to_name=payload.to_name, note=payload.note
        )
    elif action == Action.ANSWER:
        feedback = actions.answer(feedback, by=user, text=payload.text)
    elif action == Action.PUBLISH:
        feedback = actions.publish(feedback, by=user, summary=payload.summary, text=payload.text)
    else:
        feedback = actions.reject(feedback, by=user, reason=payload.reason)
    return _detail(get_feedback_for(user, feedback.code))


# -- public status: last, its path takes any code ---------------------------------------------


@router.get(
    "/{code}",
    response={200: FeedbackStatusOut, 404: FeedbackErrorOut},
    summary="Tình trạng xử lý một phản ánh, kiến nghị (không có thông tin cá nhân)",
)
@decorate_view(throttle("feedback.status", key="ip", rate=STATUS_RATE, method="GET"))
def status(request: HttpRequest, code: str) -> Status[Any]:
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
