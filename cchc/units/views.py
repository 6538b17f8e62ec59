from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cchc.lib.text import by_name, person_key
from cchc.units.lookup import get_unit_for
from cchc.units.models import Membership, Unit, visible_unit_ids

# Pages another app may show as a person's home instead (reports: the dashboard of a leader, the
# TTHC-control officer or a supervisor), registered by that app so that units imports none of
# them; the first to answer wins.
HOME_PAGES: list[Callable[[HttpRequest], HttpResponse | None]] = []


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """The staff home: the units this person works in and what they may do there."""
    for page in HOME_PAGES:
        response = page(request)
        if response is not None:
            return response
    memberships = (
        Membership.objects.active()
        .filter(user=cast(Any, request.user))
        .select_related("unit")
        .order_by("unit__path")
    )
    units = (
        Unit.objects.current()
        .administrative()
        .filter(id__in=visible_unit_ids(request.user))
        .order_by("path")
    )
    return render(request, "units/workspace.html", {"memberships": memberships, "units": units})


@login_required
def unit_detail(request: HttpRequest, unit_code: str) -> HttpResponse:
    unit = get_unit_for(request.user, unit_code)
    children = (
        Unit.objects.current()
        .filter(parent=unit, id__in=visible_unit_ids(request.user))
        .order_by(by_name())
    )
    # By role, then by given name as Vietnamese staff lists are read (lib.text.person_key).
    staff = sorted(
        Membership.objects.active().filter(unit=unit).select_related("user"),
        key=lambda m: (m.role, person_key(str(m.user))),
    )
    predecessors = Unit.objects.filter(succession_to__successor=unit)
    return render(
        request,
        "units/unit_detail.html",
        {"unit": unit, "children": children, "staff": staff, "predecessors": predecessors},
    )
