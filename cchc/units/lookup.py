"""One lookup per model that checks the unit: the object, or 404 — never another unit's row."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cchc.units.models import Unit, unit_scope


def get_unit_for(user: Any, code: str) -> Unit:
    unit = Unit.objects.current().filter(unit_scope(user), code=code).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị")
    return unit
