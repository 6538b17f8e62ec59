"""Report endpoints (docs/formats.md, "Reports"): the resolution table as JSON or as the official
form's .xlsx, for the province's reporting system (Hệ thống thông tin báo cáo) to pull. Token or
session auth, scoped like the pages: a unit outside the caller's scope answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from cchc.accounts.auth import staff_auth
from cchc.reports.choices import Dimension
from cchc.reports.resolution import Counts, PeriodError, ResolutionReport, resolution_for
from cchc.reports.xlsx import filename, resolution_xlsx

router = Router(tags=["reports"], auth=staff_auth)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ResolutionCountsOut(Schema):
    """Columns 3–13 of Biểu số 06/VPCP/KSTT, then the extended columns."""

    received_total: int
    received_online: int
    received_direct: int
    carried_over: int
    resolved_total: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    in_progress_total: int
    in_progress_within: int
    in_progress_overdue: int
    received_new: int
    received_counter: int
    received_postal: int
    received_online_full: int
    received_online_partial: int
    received_cross_boundary: int
    resolved_refused: int
    resolved_late_apology: int
    resolved_late_no_apology: int
    in_progress_overdue_apology: int
    in_progress_overdue_no_apology: int
    waiting_supplement: int
    withdrawn: int
    stopped: int
    withdrawn_or_stopped: int
    rated: int
    satisfied: int
    satisfaction_rate: float | None
    on_time_rate: float | None


class ResolutionRowOut(ResolutionCountsOut):
    key: str
    name: str
    group: dict[str, str]


class ResolutionReportOut(Schema):
    unit: str
    unit_name: str
    subtree: bool
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    live: bool
    group: list[str]
    rows: list[ResolutionRowOut]
    total: ResolutionCountsOut


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(
            _(
                "Tham số %(name)s phải là ngày dạng YYYY-MM-DD (ví dụ 2026-01-31), không phải “%(value)s”."
            )
            % {"name": name, "value": value[:20]}
        ) from None


def _group(value: str) -> tuple[str, ...]:
    dims = tuple(d.strip() for d in value.split(",") if d.strip()) or (Dimension.FIELD.value,)
    unknown = [d for d in dims if d not in Dimension.values]
    if unknown or len(dims) > 2 or len(set(dims)) != len(dims):
        raise PeriodError(
            _("Tham số group phải là một hoặc hai trong: %(allowed)s.")
            % {"allowed": ", ".join(Dimension.values)}
        )
    return dims


def _flag(value: str) -> bool:
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("", "0", "false", "no"):
        return False
    raise PeriodError(_("Tham số subtree phải là 1 hoặc 0."))


def counts_out(counts: Counts) -> dict[str, Any]:
    return counts.as_dict()


def report_out(report: ResolutionReport) -> dict[str, Any]:
    return {
        "unit": report.unit.code,
        "unit_name": report.unit.name,
        "subtree": report.subtree,
        "start": report.start,
        "end": report.end,
        "as_of": report.as_of,
        "live": report.live,
        "group": list(report.group),
        "rows": [
            {
                "key": "/".join(row.key),
                "name": row.name,
                "group": dict(zip(report.group, row.key, strict=True)),
                **counts_out(row.counts),
            }
            for row in report.rows
        ],
        "total": counts_out(report.total),
    }


@router.get(
    "/resolution",
    response={200: ResolutionReportOut},
    summary="Tình hình, kết quả giải quyết TTHC (Biểu số 06/VPCP/KSTT)",
)
def resolution_table(
    request: HttpRequest,
    unit: str,
    to: str,
    from_: str = Query(..., alias="from"),
    subtree: str = "0",
    group: str = "field",
    format: Literal["json", "xlsx"] = "json",
) -> Any:
    """Counted as of the end of `to` (now, when the period reaches today), for the dossiers
    whose processing unit is `unit` or one of its agencies (`subtree=1`: anything under it);
    rows by `group` (field, procedure, level, channel, unit; two joined by a comma, e.g.
    `level,field` as the form groups them). `format=xlsx`: the official form as a workbook."""
    start, end = _date(from_, "from"), _date(to, "to")
    dims = _group(group)
    if format == "xlsx" and "group" not in request.GET:
        dims = (Dimension.LEVEL.value, Dimension.FIELD.value)
    report = resolution_for(request.user, unit, start, end, subtree=_flag(subtree), group=dims)
    if format == "xlsx":
        response = HttpResponse(resolution_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename(report)}"'
        return response
    return report_out(report)
