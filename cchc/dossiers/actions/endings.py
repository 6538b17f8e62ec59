"""How a dossier ends: resolved or refused after appraisal (judged against the original due
moment), withdrawn or stopped, and the result returned to the citizen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from cchc.dossiers.actions.common import _current_step, _leader_must_sign, _transition
from cchc.dossiers.actions.errors import InvalidDossierData, NotAllowed
from cchc.dossiers.actions.steps import _finish_step, _start_step
from cchc.dossiers.choices import Action, EndType, ReturnMethod
from cchc.dossiers.models import Dossier
from cchc.units.choices import Role
from cchc.units.models import user_roles_in
from cchc.worktime import deadlines
from cchc.worktime.snapshot import load_calendar


def _finish(end_type: str, by: Any = None) -> Callable[[Dossier, dt.datetime], None]:
    def finish(d: Dossier, now: dt.datetime) -> None:
        d.finished_at = now
        d.end_type = end_type
        if end_type in (EndType.RESOLVED, EndType.REFUSED) and d.original_due_at is not None:
            d.outcome = deadlines.outcome(d.original_due_at, now)
        current = _current_step(d)
        if current is not None:
            _finish_step(current, now)
        if end_type in (EndType.RESOLVED, EndType.REFUSED):
            last = d.steps.filter(started_at__isnull=True).order_by("-position").first()
            if last is not None and last.role == Role.RECEPTION:
                # The return step starts when the result is ready; the steps between were skipped.
                d.steps.filter(started_at__isnull=True).exclude(pk=last.pk).update(
                    started_at=now, finished_at=now
                )
                _start_step(last, now, load_calendar(d.processing_unit))
                # The one who signs the result gives it to the counter (Mẫu 05's "Giao").
                last.given_by = by if getattr(by, "is_authenticated", False) else None
                last.save(update_fields=["started_at", "due_at", "given_by"])
            else:
                d.steps.filter(finished_at__isnull=True).update(started_at=now, finished_at=now)
        else:
            d.steps.filter(finished_at__isnull=True).update(finished_at=now)

    return finish


def resolve(
    dossier: Dossier,
    *,
    by: Any,
    digital: bool = False,
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The result is ready (signed, issued): judged early / on time / late against the original due."""

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        if _leader_must_sign(d, user_roles_in(by, d.processing_unit)):
            raise NotAllowed(
                _(
                    "Thủ tục này có bước lãnh đạo ký duyệt: hãy trình lãnh đạo (chuyển bước) "
                    "thay vì ghi nhận kết quả."
                )
            )
        _finish(EndType.RESOLVED, by)(d, now)
        d.result_digital = digital
        return {"outcome": d.outcome, "digital": digital}

    return _transition(
        dossier,
        Action.RESOLVE,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=note,
    )


def refuse(
    dossier: Dossier,
    *,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Not eligible after appraisal (Mẫu 03): counts as resolved, with the reason."""
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ lý do từ chối giải quyết."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        _finish(EndType.REFUSED, by)(d, now)
        return {"outcome": d.outcome}

    return _transition(
        dossier,
        Action.REFUSE,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
        reason=reason.strip(),
    )


def withdraw(
    dossier: Dossier,
    *,
    by: Any,
    reason: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The citizen asks for the dossier back."""
    return _transition(
        dossier,
        Action.WITHDRAW,
        by=by,
        expected_version=expected_version,
        at=at,
        change=_finish(EndType.WITHDRAWN),
        reason=reason.strip(),
    )


def stop(
    dossier: Dossier,
    *,
    by: Any,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    if not reason.strip():
        raise InvalidDossierData(_("Phải ghi rõ lý do dừng xử lý."))
    return _transition(
        dossier,
        Action.STOP,
        by=by,
        expected_version=expected_version,
        at=at,
        change=_finish(EndType.STOPPED),
        reason=reason.strip(),
    )


def return_result(
    dossier: Dossier,
    *,
    by: Any,
    method: str | None = None,
    postal_tracking: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The result is handed over: at the counter, by post (with its tracking number) or online."""
    if method is not None and method not in ReturnMethod.values:
        raise InvalidDossierData(_("Hình thức trả kết quả “%(v)s” không hợp lệ.") % {"v": method})
    if method == ReturnMethod.POSTAL and not postal_tracking.strip():
        raise InvalidDossierData(_("Trả qua bưu chính phải có mã bưu gửi."))

    def change(d: Dossier, now: dt.datetime) -> dict[str, Any]:
        d.returned_at = now
        if method:
            d.return_method = method
        d.postal_tracking = postal_tracking.strip()
        d.steps.filter(finished_at__isnull=True).update(finished_at=now)
        return {"method": d.return_method, "postal_tracking": d.postal_tracking}

    return _transition(
        dossier,
        Action.RETURN_RESULT,
        by=by,
        expected_version=expected_version,
        at=at,
        change=change,
    )
