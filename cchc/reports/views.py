"""The staff screen of the resolution table (Biểu 06): the form's columns, server-rendered, the
figures in Vietnamese number format, and the same table as the official .xlsx."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.reports import xlsx
from cchc.reports.choices import EXTENDED_COLUMNS, OFFICIAL_COLUMNS, Dimension
from cchc.reports.resolution import NotReady, PeriodError, ResolutionReport, resolution_for
from cchc.units.choices import UnitKind
from cchc.units.models import Unit, visible_unit_ids

# What the screen offers to group by; "level,field" is the form's own layout.
GROUPS = [
    ("level,field", gettext_lazy("Cấp, lĩnh vực (như Biểu 06)")),
    (Dimension.FIELD.value, Dimension.FIELD.label),
    (Dimension.PROCEDURE.value, Dimension.PROCEDURE.label),
    (Dimension.CHANNEL.value, Dimension.CHANNEL.label),
    (Dimension.UNIT.value, Dimension.UNIT.label),
]


def staff_units(user: Any) -> list[Unit]:
    """The administrative units a person may ask figures for (the reports' and index's pickers)."""
    return list(
        Unit.objects.current()
        .administrative()
        .filter(pk__in=visible_unit_ids(user))
        .order_by("path")[:500]
    )


def form_date(value: str, default: dt.date) -> dt.date:
    """A date typed in a report form (YYYY-MM-DD or dd/mm/yyyy); `default` when empty."""
    if not value:
        return default
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value.strip(), pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise PeriodError(
        _("Ngày “%(value)s” không hợp lệ: hãy nhập ngày/tháng/năm.") % {"value": value[:20]}
    )


def _asked(request: HttpRequest, units: list[Unit]) -> dict[str, Any]:
    """The table asked for, with defaults: the first unit the person sees (its subtree when it
    is a province), this month up to today, by level and field."""
    today = timezone.localdate()
    params = request.GET
    first = units[0] if units else None
    code = params.get("unit") or (first.code if first else "")
    group = params.get("group") or "level,field"
    if group not in {g for g, _label in GROUPS}:
        raise PeriodError(_("Cách nhóm số liệu không hợp lệ."))
    subtree_default = first is not None and first.kind == UnitKind.PROVINCE and code == first.code
    return {
        "unit": code,
        "start": form_date(params.get("from", ""), today.replace(day=1)),
        "end": form_date(params.get("to", ""), today),
        "subtree": params.get("subtree", "1" if subtree_default else "") == "1",
        "group": group,
    }


def _report(request: HttpRequest, asked: dict[str, Any]) -> ResolutionReport:
    return resolution_for(
        request.user,
        asked["unit"],
        asked["start"],
        asked["end"],
        subtree=asked["subtree"],
        group=tuple(asked["group"].split(",")),
    )


def _display(report: ResolutionReport) -> dict[str, Any]:
    """The form's rows (level subtotals, numbered rows, total) and the extended columns, as
    plain values for the template."""
    official = [c.key for c in OFFICIAL_COLUMNS]
    rows: list[dict[str, Any]] = []
    names: list[str] = []
    counts = []
    for number, (level, subtotal, members) in enumerate(xlsx.sections(report), start=1):
        if level is not None and subtotal is not None:
            values = [getattr(subtotal, k) for k in official]
            mark = xlsx.ROMAN[number - 1] if number <= len(xlsx.ROMAN) else str(number)
            rows.append({"subtotal": True, "number": mark, "name": level, "values": values})
        for n, row in enumerate(members, start=1):
            values = [getattr(row.counts, k) for k in official]
            rows.append({"subtotal": False, "number": n, "name": row.label[-1], "values": values})
            names.append(row.name)
            counts.append(row.counts)
    extended = [
        (c.label, [getattr(report.total, c.key), *(getattr(x, c.key) for x in counts)])
        for c in EXTENDED_COLUMNS
        if c.key != "received_new"
    ]
    return {
        "column_numbers": [f"({i})" for i in range(1, xlsx.LAST + 1)],
        "rows": rows,
        "total": [getattr(report.total, k) for k in official],
        "names": names,
        "extended_rows": extended,
    }


@login_required
def resolution_page(request: HttpRequest) -> HttpResponse:
    units = staff_units(request.user)
    context: dict[str, Any] = {
        "units": units,
        "groups": GROUPS,
        "official": OFFICIAL_COLUMNS,
        "report": None,
        "error": "",
    }
    status = 200
    try:
        asked = _asked(request, units)
        context["asked"] = asked
        if not asked["unit"]:
            raise Http404(_("Không tìm thấy đơn vị"))
        report = _report(request, asked)
        context["report"] = report
        context.update(_display(report))
        context["query"] = request.GET.urlencode()
    except PeriodError as exc:
        context["error"], status = exc.message, 400
        context.setdefault("asked", {"unit": request.GET.get("unit", ""), "group": "level,field"})
    except NotReady as exc:
        context["error"], status = exc.message, 503
    return render(request, "reports/resolution.html", context, status=status)


@login_required
def resolution_download(request: HttpRequest) -> HttpResponse:
    try:
        report = _report(request, _asked(request, staff_units(request.user)))
    except PeriodError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    except NotReady as exc:
        return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        xlsx.resolution_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{xlsx.filename(report)}"'
    return response
