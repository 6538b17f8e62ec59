"""Pages: the dashboards (a leader's, the TTHC-control officer's and a supervisor's home page),
the public transparency page of a unit, and the official periodic report as documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from cchc.lib.errors import DomainError
from cchc.reports import dashboards, exports
from cchc.reports.dashboards import PRESETS, dashboard_for, dashboard_unit_for, period_from
from cchc.reports.report_content import report_period
from cchc.reports.resolution import PeriodError
from cchc.units import views as units_views
from cchc.worktime.deadlines import TZ


def _dashboard_page(request: HttpRequest, unit_code: str | None) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {"presets": PRESETS.items(), "params": request.GET}
    try:
        period = period_from(request.GET, today)
        board = dashboard_for(request.user, unit_code, period)
    except DomainError as exc:
        # A period the report cannot answer (400), or figures still being brought up to date
        # (503): the same page, saying why, with the period form to try again.
        context["error"] = exc.message
        return render(request, "reports/dashboard.html", context, status=exc.status_code)
    context.update(
        {
            "board": board,
            "unit": board.unit,
            "period": board.period,
            "as_of": timezone.localtime(board.as_of, TZ),
            "home_units": _other_dashboards(request.user, board.unit),
        }
    )
    return render(request, "reports/dashboard.html", context)


def _other_dashboards(user: Any, current: Any) -> list[Any]:
    """The units of the person's other memberships, to switch dashboards."""
    from cchc.units.models import active_memberships

    seen: dict[int, Any] = {}
    for m in active_memberships(user):
        if m.unit.pk != current.pk and m.unit.is_administrative:
            seen.setdefault(m.unit.pk, m.unit)
    return sorted(seen.values(), key=lambda u: u.path)


def home(request: HttpRequest) -> HttpResponse | None:
    """The workspace of a leader, TTHC-control officer or supervisor: their dashboard (the other
    roles keep the workspace's list of units; "?don-vi" shows that list to everyone)."""
    if "don-vi" in request.GET or dashboard_unit_for(request.user) is None:
        return None
    return _dashboard_page(request, None)


if home not in units_views.HOME_PAGES:
    units_views.HOME_PAGES.append(home)


@login_required
def dashboard(request: HttpRequest, unit_code: str | None = None) -> HttpResponse:
    return _dashboard_page(request, unit_code)


# -- the public transparency page ----------------------------------------------------------------


def cached_public_figures(unit: Any, now: dt.datetime) -> dashboards.PublicFigures:
    """The unit's public figures, from the per-process cache while nothing they count changed
    (the key: `dashboards.records_stamp`), give or take the five-minute step of "overdue now"."""
    key = f"public-results:{get_language()}:{unit.pk}:{dashboards.records_stamp(now)}"
    return dashboards.cached(key, lambda: dashboards.public_figures(unit, now=now))


def public_results(request: HttpRequest, unit_code: str) -> HttpResponse:
    """Công khai kết quả giải quyết TTHC: a unit's monthly figures, no personal data."""
    unit = dashboards.public_unit(unit_code)
    now = timezone.now()
    try:
        figures = cached_public_figures(unit, now)
    except DomainError as exc:
        return render(
            request,
            "reports/public_results.html",
            {"unit": unit, "error": exc.message},
            status=exc.status_code,
        )
    return render(
        request,
        "reports/public_results.html",
        {"unit": unit, "figures": figures, "as_of": timezone.localtime(figures.as_of, TZ)},
    )


# -- the periodic report as documents ------------------------------------------------------------


def _period_choices(today: dt.date) -> list[tuple[str, str]]:
    """The periods a report can be asked for: this year's and the two before, newest first."""
    choices = []
    for year in range(today.year, today.year - 3, -1):
        options = [
            ("year", 1),
            ("half", 2),
            ("half", 1),
            ("quarter", 4),
            ("quarter", 3),
            ("quarter", 2),
            ("quarter", 1),
        ]
        for kind, part in options:
            try:
                period = report_period(kind, year, part, today=today)
            except DomainError:
                continue
            label = period.phrase[0].upper() + period.phrase[1:]
            choices.append((f"{kind}-{part}-{year}", label))
    return choices  # fmt: skip


def _report_units(user: Any, home: Any) -> list[Any]:
    """The units a person may ask a report for: administrative units whose whole subtree they
    see, their home unit first."""
    from cchc.units.models import Unit, visible_unit_ids

    visible = visible_unit_ids(user)
    units = list(
        Unit.objects.current().administrative().filter(pk__in=visible).order_by("path")[:500]
    )
    if home is not None:
        units.sort(key=lambda u: (u.pk != home.pk, u.path))
    return units


@login_required
def report_form(request: HttpRequest) -> HttpResponse:
    """Ask for the periodic CCHC report (.docx or .pdf): queued, then followed on its own page."""
    today = timezone.localdate()
    home_unit = dashboard_unit_for(request.user, roles=None)
    context: dict[str, Any] = {
        "periods": _period_choices(today),
        "units": _report_units(request.user, home_unit),
        "formats": exports.FORMATS,
        "values": request.POST or {"unit": home_unit.code if home_unit else ""},
        "jobs": _jobs_for_page(exports.recent_jobs(request.user)),
    }
    if request.method != "POST":
        return render(request, "reports/dashboard_export.html", context)
    try:
        export = _export_request(request)
        result = exports.enqueue(export)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "reports/dashboard_export.html", context, status=exc.status_code)
    return redirect("dashboards:export_status", job_id=result.id)


def _export_request(request: HttpRequest) -> exports.Request:
    post = request.POST
    unit = dashboards.find_unit_for(request.user, post.get("unit", "").strip())
    dashboards.scope_of(request.user, unit)  # the whole subtree, or 404
    try:
        kind, part, year = post.get("period", "").split("-")
        period = report_period(kind, int(year), int(part))
    except ValueError as exc:
        raise PeriodError(_("Hãy chọn kỳ báo cáo.")) from exc
    fmt = post.get("format", "docx")
    if fmt not in exports.FORMATS:
        raise PeriodError(_("Định dạng tệp không hợp lệ."))
    number_text = post.get("number", "").strip()
    number = None
    if number_text:
        if not number_text.isdigit() or not 0 < int(number_text) < 100000:
            raise PeriodError(_("Số báo cáo phải là số nguyên dương (ví dụ 5 cho 05/BC-UBND)."))
        number = int(number_text)
    signer = " ".join(post.get("signer", "").split())
    if len(signer) > 100:
        raise PeriodError(_("Họ và tên người ký dài quá 100 ký tự."))
    return exports.Request(
        user_id=int(request.user.pk or 0),
        unit_id=unit.pk,
        kind=period.kind,
        year=period.year,
        part=period.part,
        fmt=fmt,
        number=number,
        signer=signer,
        deputy=post.get("deputy") == "1",
    )


def _describe(args: list[Any]) -> dict[str, Any]:
    """What a job's arguments stand for, for its page."""
    from cchc.units.models import Unit

    _user, unit_id, kind, year, part, fmt = args[:6]
    unit = Unit.objects.filter(pk=unit_id).only("name", "code").first()
    try:
        phrase = report_period(kind, year, part).phrase
    except DomainError:
        phrase = f"{kind} {part}/{year}"
    return {"unit": unit, "period": phrase, "format": fmt}


def _jobs_for_page(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {"id": row.id, "status": row.status, "enqueued_at": row.enqueued_at, **_describe(row.args_kwargs["args"])}
        for row in rows
    ]  # fmt: skip


@login_required
def export_status(request: HttpRequest, job_id: str) -> HttpResponse:
    result = exports.job_for(request.user, str(job_id))
    context: dict[str, Any] = {
        "job": result,
        "job_id": str(job_id),
        "progress": exports.progress_of(str(job_id)),
        "done": result.status == TaskResultStatus.SUCCESSFUL,
        "failed": result.status == TaskResultStatus.FAILED,
        **_describe(result.args),
    }
    if context["done"]:
        context["file"] = result.return_value
    return render(request, "reports/dashboard_export_status.html", context)


@login_required
def export_download(request: HttpRequest, job_id: str) -> FileResponse:
    result = exports.job_for(request.user, str(job_id))
    if result.status != TaskResultStatus.SUCCESSFUL:
        raise Http404(_("Báo cáo chưa sẵn sàng"))
    made = result.return_value or {}
    path, name = made.get("path", ""), made.get("name", "bao-cao")
    if not path or not default_storage.exists(path):
        raise Http404(
            _("Tệp báo cáo không còn (chỉ lưu trong %(n)s ngày).") % {"n": exports.keep_days()}
        )
    fmt = name.rsplit(".", 1)[-1]
    return FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=name,
        content_type=exports.FORMATS.get(fmt, "application/octet-stream"),
    )
