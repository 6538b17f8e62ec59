from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cchc.catalogue.actions import CatalogueError, set_adoption
from cchc.catalogue.models import Field, Procedure, UnitProcedure
from cchc.catalogue.search import search_procedures
from cchc.lib.text import by_name
from cchc.units.choices import UnitKind
from cchc.units.lookup import get_unit_for
from cchc.units.models import Unit
from cchc.worktime import deadlines
from cchc.worktime.snapshot import load_calendar


def public_list(request: HttpRequest) -> HttpResponse:
    """The public catalogue: filter by unit and field, search without diacritics."""
    units = (
        Unit.objects.current()
        .filter(kind__in={UnitKind.PROVINCE, *UnitKind.commune_level()})
        .order_by("path")
    )
    unit = units.filter(code=request.GET.get("unit", "")).first()
    field = Field.objects.filter(code=request.GET.get("field", "")).first()
    q = request.GET.get("q", "").strip()[:200]
    procedures = Procedure.objects.select_related("field").order_by(
        by_name("field__name"), by_name()
    )
    if unit:
        procedures = procedures.implemented_at(unit)
    if field:
        procedures = procedures.filter(field=field)
    if q:
        procedures = search_procedures(procedures, q)
    page = Paginator(procedures, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/public_list.html",
        {
            "units": units,
            "unit": unit,
            "fields": Field.objects.order_by(by_name()),
            "field": field,
            "q": q,
            "page": page,
        },
    )


def procedure_page(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(Procedure.objects.select_related("field"), code=code)
    version = procedure.version_at(timezone.localdate())
    if version is None:
        version = procedure.versions.order_by("effective_from").first()
    units = (
        Unit.objects.current()
        .filter(adoptions__procedure=procedure, adoptions__implemented=True)
        .order_by(by_name())
    )
    # "If you submit now, the result is due on …": the national calendar, receipt at this moment.
    due_if_now = (
        deadlines.due(timezone.now(), version.duration, load_calendar()) if version else None
    )
    return render(
        request,
        "catalogue/procedure.html",
        {
            "procedure": procedure,
            "version": version,
            "documents": version.documents.all() if version else [],
            "fees": version.fees.all() if version else [],
            "steps": version.steps.all() if version else [],
            "versions": procedure.versions.order_by("-effective_from"),
            "units": units,
            "due_if_now": due_if_now,
        },
    )


def public_listing(request: HttpRequest, unit_code: str) -> HttpResponse:
    """Niêm yết công khai: the printable list of procedures a unit implements, and those it doesn't."""
    unit = get_object_or_404(Unit.objects.current(), code=unit_code)
    adoptions = (
        UnitProcedure.objects.filter(unit=unit)
        .select_related("procedure__field")
        .order_by(by_name("procedure__field__name"), by_name("procedure__name"))
    )
    implemented = [a for a in adoptions if a.implemented]
    not_implemented = [a for a in adoptions if not a.implemented]
    return render(
        request,
        "catalogue/public_listing.html",
        {
            "unit": unit,
            "implemented": implemented,
            "not_implemented": not_implemented,
            "today": timezone.localdate(),
        },
    )


@login_required
def unit_catalogue(request: HttpRequest, unit_code: str) -> HttpResponse:
    """Staff view of a unit's catalogue adoption; TTHC-control officers can change it."""
    unit = get_unit_for(request.user, unit_code)
    adoptions = {a.procedure_id: a for a in UnitProcedure.objects.filter(unit=unit)}
    procedures = Procedure.objects.select_related("field").order_by(
        by_name("field__name"), by_name()
    )
    rows = [(p, adoptions.get(p.id)) for p in procedures]
    implemented = sum(1 for a in adoptions.values() if a.implemented)
    return render(
        request,
        "catalogue/unit_catalogue.html",
        {
            "unit": unit,
            "rows": rows,
            "implemented": implemented,
            "not_implemented": len(adoptions) - implemented,
        },
    )


@login_required
@require_POST
def unit_adoption_update(request: HttpRequest, unit_code: str, code: str) -> HttpResponse:
    unit = get_unit_for(request.user, unit_code)
    procedure = get_object_or_404(Procedure, code=code)
    try:
        set_adoption(
            unit,
            procedure,
            implemented=request.POST.get("implemented") == "1",
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except CatalogueError as exc:
        return render(
            request,
            "catalogue/unit_catalogue_error.html",
            {"unit": unit, "message": exc.message},
            status=exc.status_code,
        )
    return redirect("catalogue:unit_catalogue", unit_code=unit.code)
