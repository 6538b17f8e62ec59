"""Filters of the year-over-year comparison page: a change with its sign, places moved."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cchc.parindex.compare import signed

register = template.Library()


@register.filter
def change(value: Decimal | None) -> str:
    """+2,5; −1; 0; "—" when there is nothing to compare."""
    return signed(value)


@register.filter
def places(value: int | None) -> str:
    """Places moved in the ranking since last year, in words."""
    if value is None:
        return "—"
    if value == 0:
        return _("giữ nguyên")
    if value > 0:
        return ngettext("lên %(n)d bậc", "lên %(n)d bậc", value) % {"n": value}
    return ngettext("xuống %(n)d bậc", "xuống %(n)d bậc", -value) % {"n": -value}
