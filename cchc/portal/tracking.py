"""The public view of a dossier: status in plain Vietnamese, due date, current step, public history.

Personal data (name, documents) only when the visitor also proved the applicant's phone. A code
that does not exist and a wrong phone are answered the same way, so codes cannot be probed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cchc.dossiers.choices import NATIONAL_CODE, Action, EndType, Status
from cchc.dossiers.clock import clock_note
from cchc.dossiers.lookup import code_candidates
from cchc.dossiers.missing import missing_lines
from cchc.dossiers.models import Dossier
from cchc.lib.personal import phones_match

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
    Status.PAYMENT: gettext_lazy("Đang chờ nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính."),
    Status.WITHDRAWN: gettext_lazy("Hồ sơ đã được rút theo yêu cầu của người nộp."),
    Status.STOPPED: gettext_lazy("Hồ sơ đã dừng xử lý."),
    Status.RESOLVED: gettext_lazy("Đã có kết quả, chờ trả cho người nộp."),
    Status.RETURNED: gettext_lazy("Đã trả kết quả."),
}

NOT_FOUND = gettext_lazy(
    "Không tìm thấy hồ sơ với thông tin đã nhập. Hãy kiểm tra mã hồ sơ và số điện thoại."
)


def _first_exact(rows: list[Any], code: str, key: Callable[[Any], str]) -> Any:
    # Two rows only if two codes differ by case alone: the one typed exactly wins.
    return next((r for r in rows if key(r) == code.strip()), rows[0] if rows else None)


def find(code: str) -> Dossier | None:
    rows = list(
        Dossier.objects.select_related("procedure_version", "receiving_unit", "processing_unit")
        .filter(code__in=code_candidates(code))
        .order_by("pk")
    )
    dossier: Dossier | None = _first_exact(rows, code, lambda d: d.code)
    return dossier


T = TypeVar("T")

logger = logging.getLogger(__name__)
# How long the last answer given for a code may stand in for the database during an outage.
LAST_KNOWN_SECONDS = 3600

_STAMP_SQL = (
    f"SELECT id, row_version, updated_at, code FROM {Dossier._meta.db_table} WHERE code IN (%s, %s)"
)


def cached_public(code: str, kind: str, render: Callable[[Dossier], T]) -> T | None:
    """`render(dossier)` for the dossier with this code, or None if there is none, served from
    the per-process cache while the dossier is unchanged.

    Citizens reload their status page and scan receipts' QR codes far more often than dossiers
    move, and building the public view costs three ORM queries. Here one indexed query on the
    code reads the dossier's stamp (id, row version bumped by every action, `updated_at` set by
    every save), which is part of the key: any change makes a new key, so an answer is never
    staler than the dossier. Only what anyone may see goes through here, never personal data.

    Through a database outage the last answer this process gave for the code is served (an hour
    at most): a receipt's QR code still opens while PostgreSQL restarts. Without one, the error
    goes on and the visitor gets the 503 page.
    """
    candidates = code_candidates(code)
    cache = caches["local"]
    try:
        with connection.cursor() as cursor:
            # Raw SQL: the ORM would spend more time compiling this query than running it.
            cursor.execute(_STAMP_SQL, [candidates[0], candidates[-1]])
            stamp = _first_exact(cursor.fetchall(), code, lambda row: row[3])
    except DatabaseError:
        last: T | None = None
        for candidate in candidates:
            last = cache.get(_last_key(kind, candidate))
            if last is not None:
                break
        if last is None:
            raise
        logger.warning("tracking: database unavailable, served the last known %s answer", kind)
        return last
    if stamp is None:
        return None
    # Keyed by the stored code, so that every spelling of one code shares one entry.
    stored = stamp[3]
    key = f"public:{kind}:{get_language()}:{stored}:{stamp[0]}:{stamp[1]}:{stamp[2].isoformat()}"
    value: T | None = cache.get(key)
    if value is None:
        dossier = find(stored)
        if dossier is None:
            return None
        value = render(dossier)
        cache.set(key, value)
        # The latest state this process has seen, for an outage (see above).
        cache.set(_last_key(kind, stored), value, timeout=LAST_KNOWN_SECONDS)
    return value


def _last_key(kind: str, code: str) -> str:
    return f"public-last:{kind}:{get_language()}:{code}"


def phone_matches(dossier: Dossier | None, phone: str) -> bool:
    """Whether the visitor gave the applicant's phone, however spelled ("+84…", "0912 345 678")."""
    return dossier is not None and phones_match(phone, dossier.applicant_phone)


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
        # Depends on the status alone (the answer is cached until the dossier changes): while
        # the clock stands still the page says so instead of a due date that will move.
        "clock_note": clock_note(dossier),
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
            return missing_lines(
                event.data.get("missing") or event.data.get("items") or [event.reason]
            )
    return []
