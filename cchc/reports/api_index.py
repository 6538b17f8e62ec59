"""The service index (QĐ 766) and the TT 01/2018 indicators under /api/v1/reports/ (docs/formats.md,
"Service index and indicators"): JSON, or `format=xlsx`. Token or session auth, scoped like the
pages: a unit outside the caller's scope answers 404; a bad date, period or parameter 400."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import StringConstraints

from cchc.accounts.auth import staff_auth
from cchc.reports import index_xlsx
from cchc.reports import indicators as ind
from cchc.reports import service_index as si
from cchc.reports.resolution import PeriodError, check_period
from cchc.reports.scoring import INDICATOR_NAMES, config
from cchc.units.models import Unit

router = Router(tags=["reports"], auth=staff_auth)


def text(max_length: int, *, min_length: int = 0) -> StringConstraints:
    """A bounded string without NUL (PostgreSQL refuses NUL in text: a 400, never a 500)."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=r"^[^\x00]*$")


Code = Annotated[str, text(40, min_length=1)]
Day = Annotated[str, text(20, min_length=1)]
From = Annotated[str, text(20, min_length=1), Query(alias="from")]
Flag = Annotated[str, text(5)]
Format = Literal["json", "xlsx"]


def parse_day(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(
            _(
                "Tham số %(name)s phải là ngày dạng YYYY-MM-DD (ví dụ 2026-01-31), không phải “%(value)s”."
            )
            % {"name": name, "value": value[:20]}
        ) from None


def parse_flag(value: str, name: str = "subtree") -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("", "0", "false", "no"):
        return False
    raise PeriodError(_("Tham số %(name)s phải là 1 hoặc 0.") % {"name": name})


def max_trend_months() -> int:
    return int(getattr(settings, "REPORTS_INDEX_TREND_MAX_MONTHS", 60))


def xlsx_too(schema: str) -> dict[str, Any]:
    """`format=xlsx` answers a workbook: stated beside the JSON answer in the OpenAPI file, so
    that clients (and the fuzz) expect either."""
    return {
        "responses": {
            200: {
                "description": "OK",
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}},
                    index_xlsx.XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    }


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=index_xlsx.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _name(prefix: str, unit: Unit, start: dt.date, end: dt.date) -> str:
    return f"{prefix}-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"


# -- schemas ----------------------------------------------------------------------------------


class ReportUnitOut(Schema):
    code: str
    name: str


class SubIndicatorOut(Schema):
    key: str
    name: str
    max: float
    points: float | None
    lost: float | None
    rate: float | None
    numerator: int | None
    denominator: int | None
    assessable: bool
    weight_verified: bool
    formula: str
    formula_verified: bool
    drill_down: str | None
    note: str


class GroupOut(Schema):
    key: str
    name: str
    max: float
    points: float
    assessable_max: float
    indicators: list[SubIndicatorOut]


class ServiceIndexOut(Schema):
    unit: ReportUnitOut
    start: dt.date
    end: dt.date
    subtree: bool
    as_of: dt.datetime
    live: bool
    score: float | None
    points: float
    assessable_max: float
    scaled: bool
    band: str | None
    band_label: str
    bands_verified: bool
    scoring_version: str
    scoring_fingerprint: str
    groups: list[GroupOut]
    inputs: dict[str, int]
    online_on_time_rate: float | None


class RankEntryOut(Schema):
    unit: ReportUnitOut
    rank: int | None
    score: float | None
    band: str | None
    band_label: str
    dossiers: int
    groups: dict[str, float]


class RankingOut(Schema):
    unit: ReportUnitOut
    score: float | None
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    live: bool
    min_dossiers: int
    ranked: list[RankEntryOut]
    unranked: list[RankEntryOut]


class TrendPointOut(Schema):
    month: str
    start: dt.date
    end: dt.date
    score: float | None
    groups: dict[str, float]
    dossiers: int


class TrendOut(Schema):
    unit: ReportUnitOut
    points: list[TrendPointOut]


class LostItemOut(Schema):
    code: str
    reason: str
    unit: str


class LostOut(Schema):
    indicator: str
    kind: str
    total: int
    offset: int
    items: list[LostItemOut]


class IndicatorOut(Schema):
    number: int
    name: str
    scope: str
    score: float | None
    assessable: bool
    dossiers: int
    detail: dict[str, Any]
    note: str


class UnitIndicatorsOut(Schema):
    unit: ReportUnitOut
    start: dt.date
    end: dt.date
    dossiers: int
    indicators: list[IndicatorOut]
    total: float
    assessed: int
    scaled_total: float | None
    band: str | None
    band_label: str
    bands_verified: bool
    conduct_complaints: int


class IndicatorsOut(UnitIndicatorsOut):
    units: list[UnitIndicatorsOut]


class DossierScoresOut(Schema):
    code: str
    finished: dt.date
    contacts: int
    complaint: bool
    scores: dict[str, int | None]


class DossierScoresPage(Schema):
    total: int
    offset: int
    items: list[DossierScoresOut]


class OfficerOut(Schema):
    username: str
    name: str
    steps: int
    early: int
    on_time: int
    late: int
    dossiers: int
    supplement_requests: int
    completion_requests: int
    rated: int
    satisfied: int
    satisfaction_rate: float | None
    evaluated: int
    indicators: dict[str, float | None]
    points: float | None
    band: str | None
    band_label: str


class OfficersOut(Schema):
    unit: ReportUnitOut
    start: dt.date
    end: dt.date
    officers_verified: bool
    officers: list[OfficerOut]


# -- endpoints ----------------------------------------------------------------------------------


def _scope(
    request: HttpRequest, unit: str, start: str, end: str, subtree: str
) -> tuple[Unit, list[int], dt.date, dt.date, bool]:
    first, last = parse_day(start, "from"), parse_day(end, "to")
    whole = parse_flag(subtree)
    found = si.scoped_unit(request.user, unit)
    return found, si.scope_ids(request.user, found, subtree=whole), first, last, whole


@router.get(
    "/service-index",
    response={200: ServiceIndexOut},
    summary="Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)",
    openapi_extra=xlsx_too("ServiceIndexOut"),
)
def service_index(
    request: HttpRequest,
    unit: Code,
    to: Day,
    from_: From,
    subtree: Flag = "0",
    format: Format = "json",
) -> Any:
    """The five groups (18 + 20 + 22 + 22 + 18 = 100) and their sub-indicators for `unit` (with
    its agencies; `subtree=1`: everything under it) over the local days from..to. Each
    sub-indicator gives its numerator, denominator, rate, points, whether its weight is verified
    (REFERENCE §4) and what its drill-down lists; `score` is out of 100 over what could be
    assessed. JSON keys are `from`/`to`."""
    found, ids, start, end, whole = _scope(request, unit, from_, to, subtree)
    report = si.service_index(found, start, end, subtree=whole, units=ids)
    if format == "xlsx":
        return _xlsx(index_xlsx.index_xlsx(report), _name("chi-so-phuc-vu", found, start, end))
    return report.as_dict()


@router.get(
    "/service-index/ranking",
    response={200: RankingOut},
    summary="Xếp hạng chỉ số phục vụ của các đơn vị trực thuộc",
    openapi_extra=xlsx_too("RankingOut"),
)
def service_index_ranking(
    request: HttpRequest,
    unit: Code,
    to: Day,
    from_: From,
    min: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
    format: Format = "json",
) -> Any:
    """The units directly under `unit` (each with everything under it), ranked by score. A unit
    with fewer dossiers received in the period than `min` (default
    REPORTS_INDEX_RANK_MIN_DOSSIERS) is listed under `unranked`."""
    found, ids, start, end, _whole = _scope(request, unit, from_, to, "1")
    result = si.ranking(found, start, end, units=ids, min_dossiers=min)
    if format == "xlsx":
        return _xlsx(index_xlsx.ranking_xlsx(result), _name("xep-hang", found, start, end))
    return result.as_dict()


@router.get(
    "/service-index/trend",
    response={200: TrendOut},
    summary="Diễn biến chỉ số phục vụ theo tháng",
    openapi_extra=xlsx_too("TrendOut"),
)
def service_index_trend(
    request: HttpRequest,
    unit: Code,
    to: Day,
    from_: From,
    subtree: Flag = "0",
    format: Format = "json",
) -> Any:
    """The index month by month (the first and last months cut to the period); at most
    REPORTS_INDEX_TREND_MAX_MONTHS months."""
    found, ids, start, end, whole = _scope(request, unit, from_, to, subtree)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months > max_trend_months():
        raise PeriodError(
            _("Diễn biến tối đa %(max)s tháng; kỳ đã chọn có %(n)s tháng.")
            % {"max": max_trend_months(), "n": months}
        )
    points = si.trend(found, start, end, subtree=whole, units=ids)
    if format == "xlsx":
        return _xlsx(
            index_xlsx.trend_xlsx(found, start, end, points), _name("dien-bien", found, start, end)
        )
    return {
        "unit": {"code": found.code, "name": found.name},
        "points": [p.as_dict() for p in points],
    }


@router.get(
    "/service-index/lost",
    response={200: LostOut},
    summary="Hồ sơ, thủ tục, phản ánh làm mất điểm một chỉ tiêu",
    openapi_extra=xlsx_too("LostOut"),
)
def service_index_lost(
    request: HttpRequest,
    unit: Code,
    indicator: Annotated[str, text(40, min_length=1)],
    to: Day,
    from_: From,
    subtree: Flag = "0",
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    format: Format = "json",
) -> Any:
    """Exactly the dossiers (or procedures, or PAKN) counted in the sub-indicator's denominator
    and not in its numerator: `total` of them, `limit` from `offset` (the .xlsx lists all)."""
    found, ids, start, end, _whole = _scope(request, unit, from_, to, subtree)
    lost = si.lost_points(ids, indicator, start, end)
    if format == "xlsx":
        name = str(INDICATOR_NAMES.get(indicator, indicator))
        return _xlsx(
            index_xlsx.lost_xlsx(found, start, end, name, lost),
            _name(f"mat-diem-{indicator}", found, start, end),
        )
    data = lost.as_dict()
    data["items"] = data["items"][offset : offset + limit]
    data["offset"] = offset
    return data


@router.get(
    "/indicators",
    response={200: IndicatorsOut},
    summary="Chỉ số đánh giá việc giải quyết TTHC (TT 01/2018/TT-VPCP Điều 13-15)",
    openapi_extra=xlsx_too("IndicatorsOut"),
)
def indicators(
    request: HttpRequest,
    unit: Code,
    to: Day,
    from_: From,
    subtree: Flag = "0",
    format: Format = "json",
) -> Any:
    """The nine indicators (0-2 points each) of `unit`, its total, the total on the 18-point
    scale over the indicators the records can answer, and its band; with `subtree=1`, the same
    for each unit directly under it in `units`."""
    found, ids, start, end, whole = _scope(request, unit, from_, to, subtree)
    result = ind.unit_indicators(found, start, end, subtree=whole, units=ids)
    children = ind.children_indicators(found, start, end, units=ids) if whole else []
    if format == "xlsx":
        return _xlsx(
            index_xlsx.indicators_xlsx(result, children), _name("chi-so-tt01", found, start, end)
        )
    return {**result.as_dict(), "units": [c.as_dict() for c in children]}


@router.get(
    "/indicators/dossiers",
    response={200: DossierScoresPage},
    summary="Điểm từng hồ sơ theo các chỉ số TT 01/2018",
)
def indicator_dossiers(
    request: HttpRequest,
    unit: Code,
    to: Day,
    from_: From,
    subtree: Flag = "0",
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    """Each dossier decided in the period with its scores for indicators 1, 2, 3, 4, 6 and 7
    (null: not assessable for that dossier)."""
    _found, ids, start, end, _whole = _scope(request, unit, from_, to, subtree)
    check_period(start, end, timezone.localdate())
    rows = ind.dossier_scores(ids, start, end)
    return {
        "total": len(rows),
        "offset": offset,
        "items": [d.as_dict() for d in rows[offset : offset + limit]],
    }


@router.get(
    "/officers",
    response={200: OfficersOut},
    summary="Kết quả giải quyết hồ sơ theo cán bộ (đánh giá cán bộ theo kết quả công việc)",
    openapi_extra=xlsx_too("OfficersOut"),
)
def officers(
    request: HttpRequest,
    unit: Code,
    to: Day,
    from_: From,
    subtree: Flag = "0",
    format: Format = "json",
) -> Any:
    """Per officer who worked on the unit's dossiers: steps finished in the period early, on
    time and late against each step's own time, dossiers, supplement and completion requests
    made, ratings of those dossiers, and their TT 01/2018 points with the duty band."""
    found, ids, start, end, _whole = _scope(request, unit, from_, to, subtree)
    rows = ind.officer_indicators(ids, start, end)
    if format == "xlsx":
        return _xlsx(
            index_xlsx.officers_xlsx(found, start, end, rows), _name("can-bo", found, start, end)
        )
    return {
        "unit": {"code": found.code, "name": found.name},
        "start": start.isoformat(),
        "end": end.isoformat(),
        "officers_verified": config().tt01.officer_indicators_verified,
        "officers": [o.as_dict() for o in rows],
    }
