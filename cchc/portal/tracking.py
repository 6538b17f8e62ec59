"""The public view of a dossier: status in plain Vietnamese, due date, current step, public history.

Personal data (name, documents) only when the visitor also proved the applicant's phone. A code
that does not exist and a wrong phone are answered the same way, so codes cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cchc.dossiers.choices import NATIONAL_CODE, Action, EndType, Status
from cchc.dossiers.models import Dossier
from cchc.notify.dispatch import normalise_phone

PLAIN_STATUS: dict[str, Any] = {
    Status.SUBMITTED: gettext_lazy("Hồ sơ đã được gửi, đang chờ cán bộ kiểm tra và tiếp nhận."),
    Status.INCOMPLETE: gettext_lazy(
        "Hồ sơ chưa đủ: cần bổ sung, hoàn thiện theo hướng dẫn rồi gửi lại."
    ),
    Status.RECEIVED: gettext_lazy("Hồ sơ đã được tiếp nhận, đang chuyển đến bộ phận giải quyết."),
    Status.REFUSED: gettext_lazy("Hồ sơ không được tiếp nhận."),
    Status.PROCESSING: gettext_lazy("Hồ sơ đang được giải quyết."),
    Status.SUPPLEMENT: gettext_lazy(
        "Cơ quan giải quyết yêu cầu bổ sung giấy tờ; thời hạn được tính lại khi nhận đủ."
    ),
    Status.PAYMENT: gettext_lazy("Đang chờ nộp phí, lệ phí hoặc nghĩa vụ tài chính."),
    Status.WITHDRAWN: gettext_lazy("Hồ sơ đã được rút theo yêu cầu của người nộp."),
    Status.STOPPED: gettext_lazy("Hồ sơ đã dừng xử lý."),
    Status.RESOLVED: gettext_lazy("Đã có kết quả, chờ trả cho người nộp."),
    Status.RETURNED: gettext_lazy("Đã trả kết quả."),
}

NOT_FOUND = gettext_lazy(
    "Không tìm thấy hồ sơ với thông tin đã nhập. Hãy kiểm tra mã hồ sơ và số điện thoại."
)


def find(code: str) -> Dossier | None:
    return (
        Dossier.objects.select_related("procedure_version", "receiving_unit", "processing_unit")
        .filter(code=code.strip())
        .first()
    )


T = TypeVar("T")

_STAMP_SQL = f"SELECT id, row_version, updated_at FROM {Dossier._meta.db_table} WHERE code = %s"


def cached_public(code: str, kind: str, render: Callable[[Dossier], T]) -> T | None:
    """`render(dossier)` for the dossier with this code, or None if there is none, served from
    the per-process cache while the dossier is unchanged.

    Citizens reload their status page and scan receipts' QR codes far more often than dossiers
    move, and building the public view costs three ORM queries. Here one indexed query on the
    code reads the dossier's stamp (id, row version bumped by every action, `updated_at` set by
    every save), which is part of the key: any change makes a new key, so an answer is never
    staler than the dossier. Only what anyone may see goes through here, never personal data.
    """
    code = code.strip()
    with connection.cursor() as cursor:
        # Raw SQL: the ORM would spend more time compiling this query than running it.
        cursor.execute(_STAMP_SQL, [code])
        stamp = cursor.fetchone()
    if stamp is None:
        return None
    cache = caches["local"]
    key = f"public:{kind}:{get_language()}:{code}:{stamp[0]}:{stamp[1]}:{stamp[2].isoformat()}"
    value: T | None = cache.get(key)
    if value is None:
        dossier = find(code)
        if dossier is None:
            return None
        value = render(dossier)
        cache.set(key, value)
    return value


def phone_matches(dossier: Dossier | None, phone: str) -> bool:
    given = normalise_phone(phone or "")
    return bool(dossier and given and normalise_phone(dossier.applicant_phone) == given)


def _local(moment: Any) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def public_view(dossier: Dossier, *, personal: bool) -> dict[str, Any]:
    """Everything the tracking page and `GET /api/v1/public/dossiers/<code>` show."""
    status_text = str(PLAIN_STATUS[dossier.status])
    if dossier.status == Status.RESOLVED and dossier.end_type == EndType.REFUSED:
        status_text = _(
            "Hồ sơ không đủ điều kiện giải quyết; văn bản trả lời chờ trả cho người nộp."
        )
    step = (
        dossier.steps.filter(started_at__isnull=False, finished_at__isnull=True)
        .order_by("position")
        .first()
    )
    events = list(dossier.events.filter(public=True).order_by("at", "id"))
    view: dict[str, Any] = {
        "code": dossier.code,
        "status": dossier.status,
        "national_status": NATIONAL_CODE[dossier.status],
        "status_text": status_text,
        "procedure": dossier.procedure_version.name,
        "receiving_unit": dossier.receiving_unit.name,
        "processing_unit": dossier.processing_unit.name,
        "hotline": dossier.receiving_unit.hotline,
        "submitted_at": _local(dossier.submitted_at),
        "received_at": _local(dossier.received_at),
        "due": _local(dossier.due_at),
        "rescheduled": dossier.rescheduled_at is not None,
        "finished_at": _local(dossier.finished_at),
        "returned_at": _local(dossier.returned_at),
        "current_step": (
            {"name": step.name, "body": step.body or (step.get_role_display() if step.role else "")}
            if step
            else None
        ),
        "history": [
            {
                "at": _local(e.at),
                "action": e.action,
                "label": str(Action(e.action).label),
                "status": e.to_status,
            }
            for e in events
        ],
    }
    if personal:
        view["applicant_name"] = dossier.applicant_name
        view["documents"] = [{"name": d.name, "kind": d.kind} for d in dossier.documents.all()]
        view["to_complete"] = (
            _missing_items(events)
            if dossier.status in (Status.INCOMPLETE, Status.SUPPLEMENT)
            else []
        )
    return view


def _missing_items(events: list[Any]) -> list[str]:
    for event in reversed(events):
        if event.action in (Action.ASK_COMPLETION, Action.REQUEST_SUPPLEMENT):
            return [
                str(i)
                for i in event.data.get("missing") or event.data.get("items") or [event.reason]
            ]
    return []
