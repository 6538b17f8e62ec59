"""One lookup per model that checks the unit: the object, or 404 — never another unit's row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404

from cchc.lib.text import collation_key
from cchc.units.models import Unit, UnitSuccession, unit_scope


def get_unit_for(user: Any, code: str) -> Unit:
    unit = Unit.objects.current().filter(unit_scope(user), code=code).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị")
    return unit


@dataclass(frozen=True)
class Forebear:
    """A unit that `successor` took over in whole or in part (units.UnitSuccession) on
    `effective_on`; `depth` 1 for the unit's own predecessors, 2 for theirs, and so on."""

    unit: Unit
    successor: Unit
    effective_on: dt.date
    legal_basis: str
    depth: int


MAX_FOREBEAR_DEPTH = 5  # mergers within mergers: 2008, 2019–2020 and 2025 in the same place


def forebears_of(unit: Unit) -> list[Forebear]:
    """The units `unit` took over, theirs in turn, nearest first: one query per generation,
    at most MAX_FOREBEAR_DEPTH. A unit reached twice (a split and a merge) is listed once, at
    its nearest. Whoever may read `unit` reads what it inherited: its forebears are checked
    by nobody's scope here (their records passed to it)."""
    found: list[Forebear] = []
    seen = {unit.pk}
    generation = {unit.pk: unit}
    for depth in range(1, MAX_FOREBEAR_DEPTH + 1):
        rows = sorted(
            UnitSuccession.objects.filter(successor_id__in=generation).select_related(
                "predecessor"
            ),
            key=lambda r: (-r.effective_on.toordinal(), collation_key(r.predecessor.name), r.pk),
        )
        following: dict[int, Unit] = {}
        for row in rows:
            if row.predecessor_id in seen:
                continue
            seen.add(row.predecessor_id)
            following[row.predecessor_id] = row.predecessor
            found.append(
                Forebear(
                    unit=row.predecessor,
                    successor=generation[row.successor_id],
                    effective_on=row.effective_on,
                    legal_basis=row.legal_basis,
                    depth=depth,
                )
            )
        if not following:
            break
        generation = following
    return found
