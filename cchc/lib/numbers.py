"""Numbers as Vietnamese officials write them: 31.724; 0,5; 93,79 %."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format


def plain_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form (Decimal('10.00') → 10, not 1E+1)."""
    return Decimal(format(value.normalize(), "f"))


def localised(value: Decimal | int | float, decimal_places: int | None = None) -> str:
    """The number in the active language's format, grouped by thousands."""
    if isinstance(value, Decimal) and decimal_places is None:
        value = plain_decimal(value)
    return number_format(value, decimal_pos=decimal_places, use_l10n=True, force_grouping=True)
