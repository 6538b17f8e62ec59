"""Public calendar API: "if you submit now, your result is due on …", and a year's days off.

Every parameter is read as text and checked here so that any bad input is a 400 with a
Vietnamese message ({"detail": ...}), never a 422 or a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError

from cchc.lib.apierrors import refusals
from cchc.lib.inputs import column, text, whole_number
from cchc.units.models import Unit
from cchc.worktime.choices import DayKind
from cchc.worktime.deadlines import (
    FIRST_DAY,
    LAST_DAY,
    MAX_WORKING_DAYS,
    MAX_WORKING_HOURS,
    DeadlineError,
    Duration,
    OutOfCalendarRange,
    due,
)
from cchc.worktime.models import CalendarDay, UnitClosure
from cchc.worktime.snapshot import load_calendar

router = Router(tags=["calendar"])

# Read as text and parsed here (see above); only their length and NUL are the schema's business.
Moment = Query[Annotated[str, text(64)] | None]
Amount = Query[Annotated[str, text(20)] | None]
UnitCode = Query[Annotated[str, column(Unit, "code")] | None]


class DueOut(Schema):
    due: str


class DayOut(Schema):
    date: dt.date
    kind: str
    kind_label: str
    name: str
    legal_basis: str
    source: str


class YearOut(Schema):
    year: int
    unit: str | None
    days_off: list[DayOut]
    makeup_working_days: list[DayOut]


# An unencoded "+" in a query string arrives as a space: "…T10:00:00 07:00" means +07:00.
_LOST_PLUS = re.compile(r"T[\d:.]+ (\d{2}(:?\d{2})?)$")


def _parse_start(raw: str | None) -> dt.datetime:
    if not raw:
        raise HttpError(400, _("Thiếu tham số start (thời điểm tiếp nhận, ISO 8601 có múi giờ)."))
    text = raw.strip()
    if _LOST_PLUS.search(text):
        head, _sep, offset = text.rpartition(" ")
        text = f"{head}+{offset}"
    try:
        start = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise HttpError(
            400,
            _("start không đúng dạng ISO 8601, ví dụ 2025-01-23T10:00:00+07:00: «%(value)s».")
            % {"value": raw},
        ) from exc
    if start.tzinfo is None or start.utcoffset() is None:
        raise HttpError(400, _("start phải có múi giờ, ví dụ 2025-01-23T10:00:00+07:00."))
    return start


def _parse_amount(raw: str, name: str, limit: int) -> Decimal:
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise HttpError(
            400, _("%(name)s phải là một số: «%(value)s».") % {"name": name, "value": raw}
        ) from exc
    if not value.is_finite() or not 0 < value <= limit:
        raise HttpError(
            400,
            _("%(name)s phải lớn hơn 0 và không quá %(limit)s.") % {"name": name, "limit": limit},
        )
    return value


def _parse_flag(raw: str | None) -> bool:
    return raw is not None and raw.strip().lower() in {"1", "true", "yes", "co", "có"}


def _unit(code: str | None) -> Unit | None:
    if code is None or code == "":
        return None
    unit = Unit.objects.current().filter(code=code).first()
    if unit is None:
        raise HttpError(400, _("Không tìm thấy đơn vị có mã «%(code)s».") % {"code": code})
    return unit


@router.get(
    "/due",
    response={200: DueOut, **refusals()},
    summary="Hạn trả kết quả nếu nộp hồ sơ vào thời điểm start (công khai)",
)
def due_date(
    request: HttpRequest,
    start: Moment = None,
    working_days: Amount = None,
    working_hours: Amount = None,
    same_day: Amount = None,
    unit: UnitCode = None,
) -> DueOut:
    """Exactly one of working_days (may be fractional, 0,5 or 0.5), working_hours or
    same_day=1; optional unit (unit code) for that unit's office hours and closures."""
    moment = _parse_start(start)
    given = [
        name
        for name, value in (("working_days", working_days), ("working_hours", working_hours))
        if value
    ]
    if _parse_flag(same_day):
        given.append("same_day")
    if len(given) > 1:
        raise HttpError(
            400,
            _("Chỉ được cho một trong working_days, working_hours, same_day (đang có: %(given)s).")
            % {"given": ", ".join(given)},
        )
    if not given:
        raise HttpError(
            400, _("Cần một trong các tham số working_days, working_hours hoặc same_day=1.")
        )
    if working_days:
        duration = Duration.working_days(
            _parse_amount(working_days, "working_days", MAX_WORKING_DAYS)
        )
    elif working_hours:
        duration = Duration.working_hours(
            _parse_amount(working_hours, "working_hours", MAX_WORKING_HOURS)
        )
    else:
        duration = Duration.same_day()
    cal = load_calendar(_unit(unit))
    try:
        answer = due(moment, duration, cal)
    except OutOfCalendarRange as exc:
        raise HttpError(
            400,
            _("Thời điểm hoặc hạn tính được nằm ngoài phạm vi lịch (%(first)s – %(last)s).")
            % {"first": FIRST_DAY.year, "last": LAST_DAY.year},
        ) from exc
    except DeadlineError as exc:
        raise HttpError(400, _("Không tính được hạn: %(error)s.") % {"error": exc}) from exc
    return DueOut(due=answer.isoformat())


def _day_out(day: CalendarDay) -> DayOut:
    return DayOut(
        date=day.date,
        kind=day.kind,
        kind_label=str(day.get_kind_display()),
        name=day.name,
        legal_basis=day.legal_basis,
        source=day.source,
    )


@router.get(
    "/{int:year}",
    # 404: a "year" that is no number (nor a positive one) names no address.
    response={200: YearOut, **refusals(404)},
    summary="Ngày nghỉ và ngày làm bù của một năm (công khai)",
)
def year_calendar(
    request: HttpRequest,
    year: Path[Annotated[int, whole_number(0, 9999)]],
    unit: UnitCode = None,
) -> YearOut:
    """The year's days off and make-up working days; with unit, also that unit's closures."""
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise HttpError(
            400,
            _("Năm phải từ %(first)s đến %(last)s.")
            % {"first": FIRST_DAY.year, "last": LAST_DAY.year},
        )
    the_unit = _unit(unit)
    days = list(CalendarDay.objects.in_year(year))
    off = [_day_out(d) for d in days if d.kind in DayKind.days_off()]
    if the_unit is not None:
        chain = [int(p) for p in the_unit.path.strip("/").split("/") if p]
        closures = UnitClosure.objects.filter(unit_id__in=chain, date__year=year).select_related(
            "unit"
        )
        off += [
            DayOut(
                date=c.date,
                kind="unit_closure",
                kind_label=_("Đơn vị nghỉ"),
                name=c.reason,
                legal_basis="",
                source=c.unit.code,
            )
            for c in closures
        ]
        off.sort(key=lambda d: d.date)
    return YearOut(
        year=year,
        unit=the_unit.code if the_unit else None,
        days_off=off,
        makeup_working_days=[_day_out(d) for d in days if d.kind == DayKind.MAKEUP_WORKING],
    )
