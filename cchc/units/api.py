from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from cchc.lib.apierrors import refusals
from cchc.lib.inputs import IsoDate
from cchc.units.models import Unit

router = Router(tags=["units"])


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    agency_identifier: str
    valid_from: dt.date | None
    valid_to: dt.date | None


def unit_out(unit: Unit, parent_codes: dict[int, str]) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        parent_code=parent_codes.get(unit.parent_id) if unit.parent_id else None,
        agency_identifier=unit.agency_identifier,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
    )


@router.get(
    "",
    response={200: list[UnitOut], **refusals()},
    summary="Đơn vị hành chính đang có hiệu lực (công khai)",
)
def list_units(
    request: HttpRequest, on: IsoDate | None = None, history: bool = False
) -> list[UnitOut]:
    """Units in force today (or on `on`); `history=true` lists every unit, merged ones included."""
    units = list(Unit.objects.all() if history else Unit.objects.current(on))
    parent_codes = dict(Unit.objects.values_list("id", "code"))
    return [unit_out(u, parent_codes) for u in units]
