from __future__ import annotations

from decimal import Decimal

from django import template

from cchc.lib.numbers import localised
from cchc.parindex.choices import Action

register = template.Library()


@register.filter
def pts(value: Decimal | int | None) -> str:
    """Points the Vietnamese way (0,5; 93,79), "—" when there are none yet."""
    return "—" if value is None or value == "" else localised(value)


@register.filter
def par_action(action: str) -> str:
    return str(Action(action).label)
