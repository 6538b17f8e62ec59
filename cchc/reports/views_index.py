"""Staff pages of the service index (QĐ 766) and the TT 01/2018 indicators: the index of a unit
with every sub-indicator and the points it lost (each linked to the dossiers, procedures or PAKN
that lost them), the ranking of the units under it, and the indicators with the officers'
figures. Scoped like everything else: another unit is 404; a bad period is shown in place (400).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.errors import DomainError
from cchc.reports import index_xlsx
from cchc.reports import indicators as ind
from cchc.reports import service_index as si
from cchc.reports.scoring import INDICATOR_NAMES, config
from cchc.reports.views import form_date, staff_units
from cchc.units.choices import UnitKind
from cchc.units.models import Unit

LOST_PAGE_SIZE = 500


def _asked(request: HttpRequest, units: list[Unit]) -> dict[str, Any]:
    """The unit and period asked for: by default the first unit the person sees, this month."""
    today = timezone.localdate()
    params = request.GET
    first = units[0] if units else None
    code = params.get("unit") or (first.code if first else "")
    subtree_default = first is not None and first.kind == UnitKind.PROVINCE and code == first.code
    return {
        "unit": code,
        "start": form_date(params.get("from", ""), today.replace(day=1)),
        "end": form_date(params.get("to", ""), today),
        "subtree": params.get("subtree", "1" if subtree_default else "") == "1",
    }


def _page(
    request: HttpRequest, template: str, build: Any, extra: dict[str, Any] | None = None
) -> HttpResponse:
    """Render `template` with the form's context and what `build(asked, unit, ids)` adds; a bad
    period or a report not ready is shown in place with its status."""
    units = staff_units(request.user)
    context: dict[str, Any] = {
        "units": units,
        "error": "",
        "min_dossiers": si.rank_min_dossiers(),
        "scoring": config(),
        **(extra or {}),
    }
    status = 200
    try:
        asked = _asked(request, units)
        context["asked"] = asked
        if not asked["unit"]:
            raise Http404(_("Không tìm thấy đơn vị"))
        unit = si.scoped_unit(request.user, asked["unit"])
        ids = si.scope_ids(request.user, unit, subtree=asked["subtree"])
        context["unit"] = unit
        context["query"] = request.GET.urlencode()
        built = build(asked, unit, ids)
        if isinstance(built, HttpResponse):
            return built
        context.update(built)
    except DomainError as exc:
        context["error"], status = exc.message, exc.status_code
        context.setdefault("asked", {"unit": request.GET.get("unit", "")})
    return render(request, template, context, status=status)


@login_required
def index_page(request: HttpRequest) -> HttpResponse:
    def build(asked: dict[str, Any], unit: Unit, ids: list[int]) -> dict[str, Any]:
        report = si.service_index(
            unit, asked["start"], asked["end"], subtree=asked["subtree"], units=ids
        )
        months = (asked["end"].year - asked["start"].year) * 12 + asked["end"].month
        months -= asked["start"].month
        trend = (
            si.trend(unit, asked["start"], asked["end"], subtree=asked["subtree"], units=ids)
            if 0 < months < 24
            else []
        )
        return {"report": report, "result": report.result, "trend": trend}

    return _page(request, "reports/index_service.html", build)


@login_required
def index_download(request: HttpRequest) -> HttpResponse:
    def build(asked: dict[str, Any], unit: Unit, ids: list[int]) -> HttpResponse:
        report = si.service_index(
            unit, asked["start"], asked["end"], subtree=asked["subtree"], units=ids
        )
        response = HttpResponse(index_xlsx.index_xlsx(report), content_type=index_xlsx.XLSX)
        name = f"chi-so-phuc-vu-{unit.code}-{asked['start']:%Y%m%d}-{asked['end']:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    return _page(request, "reports/index_service.html", build)


@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    def build(asked: dict[str, Any], unit: Unit, ids: list[int]) -> dict[str, Any]:
        whole = si.scope_ids(request.user, unit, subtree=True)
        return {"ranking": si.ranking(unit, asked["start"], asked["end"], units=whole)}

    return _page(request, "reports/index_ranking.html", build)


@login_required
def lost_page(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("indicator", "")

    def build(asked: dict[str, Any], unit: Unit, ids: list[int]) -> dict[str, Any]:
        lost = si.lost_points(ids, key, asked["start"], asked["end"])
        return {
            "lost": lost,
            "items": lost.items[:LOST_PAGE_SIZE],
            "more": max(0, lost.total - LOST_PAGE_SIZE),
            "indicator_name": INDICATOR_NAMES.get(key, key),
        }

    return _page(request, "reports/index_lost.html", build, {"indicator": key[:40]})


@login_required
def indicators_page(request: HttpRequest) -> HttpResponse:
    def build(asked: dict[str, Any], unit: Unit, ids: list[int]) -> dict[str, Any]:
        result = ind.unit_indicators(
            unit, asked["start"], asked["end"], subtree=asked["subtree"], units=ids
        )
        children = (
            ind.children_indicators(unit, asked["start"], asked["end"], units=ids)
            if asked["subtree"]
            else []
        )
        officers = ind.officer_indicators(ids, asked["start"], asked["end"])
        return {"result": result, "children": children, "officers": officers}

    return _page(request, "reports/index_indicators.html", build)
