"""The Sổ theo dõi hồ sơ (Mẫu 06) as data: which dossiers it lists and the number each carries.

TT 01/2018 Art. 10: a ledger is opened per year and its sequence numbers run continuously from
01 through the year. Nothing is stored for it: a dossier's number is its rank among the book's
entries of its year, one COUNT away; `printing/ledger.py` prints a period of it.

The book. One per administrative unit (a commune, a province): the dossiers received at the unit
and at the agencies inside it (its one-stop centre) share one sequence, as they share the code
counter of the unit's agency identifier and one printed ledger (`entries`).

The entries. Every dossier that was given a code, whatever became of it: received, turned away
as incomplete (Mẫu 02), refused at the counter (Mẫu 03), withdrawn before receipt, or an online
submission still waiting. A code the ledger leaves out would be a gap nobody can explain.

The order. The moment the code was given, `submitted_at`, then the id (two dossiers of the same
instant keep the order their codes were taken in). At the counter that is the moment of receipt
(or of turning away, or refusal). An online submission takes its code when the citizen submits
(`actions.submit_online`), so it enters the ledger then, not when an officer receives it: its
number does not depend on how long it waited, and a submission withdrawn before anyone looked at
it still has its line. `submitted_at` never changes afterwards (a resubmission after completion
is recorded in the history, not there), so a number once printed on Mẫu 01 stays true.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from cchc.dossiers.models import Dossier
from cchc.units.models import Unit

# The order of the entries; `numbers` and `ledger_number` rank by exactly this.
ORDER = ("submitted_at", "id")


def book_owner_id(unit: Unit) -> int:
    """The administrative unit whose ledger lists what `unit` receives."""
    return unit.admin_owner_id or unit.pk


def _book(owner_id: int) -> QuerySet[Dossier]:
    return Dossier.objects.filter(receiving_unit__admin_owner_id=owner_id)


def _midnight(day: dt.date) -> dt.datetime:
    # Days and years are Vietnam's: a dossier coded at 06:30 on 1 January (23:30 UTC the day
    # before) opens the new year's ledger.
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first moment of `date_from`, first moment after `date_to`)."""
    return _midnight(date_from), _midnight(date_to + dt.timedelta(days=1))


def entries(
    unit: Unit, date_from: dt.date, date_to: dt.date, dossiers: QuerySet[Dossier] | None = None
) -> QuerySet[Dossier]:
    """The ledger of `unit` over the period, in ledger order.

    For an administrative unit, its whole book; for an agency, the lines it received (the
    numbers stay the book's). Units below with their own ledger (a province's communes) are
    not included. `dossiers` narrows the rows further (to what a user may see).
    """
    lower, upper = period_bounds(date_from, date_to)
    base = Dossier.objects.all() if dossiers is None else dossiers
    return base.filter(
        receiving_unit__path__startswith=unit.path,
        receiving_unit__admin_owner_id=book_owner_id(unit),
        submitted_at__gte=lower,
        submitted_at__lt=upper,
    ).order_by(*ORDER)


def ledger_number(dossier: Dossier) -> int:
    """The dossier's số thứ tự in its receiving unit's ledger for the year it was coded.

    One COUNT of the book's earlier entries that year.
    """
    moment = dossier.submitted_at
    year_start = _midnight(dt.date(timezone.localtime(moment).year, 1, 1))
    earlier = _book(book_owner_id(dossier.receiving_unit)).filter(
        Q(submitted_at__lt=moment) | Q(submitted_at=moment, id__lt=dossier.pk),
        submitted_at__gte=year_start,
    )
    return earlier.count() + 1


def numbers(unit: Unit, date_from: dt.date, date_to: dt.date) -> dict[int, int]:
    """Dossier id → number for every entry of `unit`'s book in the period, in two queries
    whatever its length: the entries of the year before the period are counted, those of the
    period are read (ids and moments only) and numbered on, starting again at 1 on 1 January
    when the period runs into a new year."""
    owner = book_owner_id(unit)
    lower, upper = period_bounds(date_from, date_to)
    year_start = _midnight(dt.date(date_from.year, 1, 1))
    number = (
        _book(owner).filter(submitted_at__gte=year_start, submitted_at__lt=lower).count()
        if lower > year_start
        else 0
    )
    year = date_from.year
    out: dict[int, int] = {}
    rows = (
        _book(owner)
        .filter(submitted_at__gte=lower, submitted_at__lt=upper)
        .order_by(*ORDER)
        .values_list("id", "submitted_at")
    )
    for pk, moment in rows:
        entry_year = timezone.localtime(moment).year
        if entry_year != year:
            year, number = entry_year, 0
        number += 1
        out[pk] = number
    return out
