from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from cchc.catalogue.models import ProcedureVersion
from cchc.lib.numbers import localised
from cchc.worktime.choices import TimeUnit

register = template.Library()


@register.filter
def processing_time(version: ProcedureVersion | None) -> str:
    """'Trong ngày', '3 ngày làm việc', '0,5 ngày làm việc', '4 giờ làm việc' (localised number)."""
    if version is None:
        return ""
    if version.time_unit == TimeUnit.SAME_DAY:
        return _("Trong ngày")
    amount = localised(version.processing_time)
    return f"{amount} {TimeUnit(version.time_unit).label}"


@register.filter
def number(value: Decimal | int | None) -> str:
    return "" if value is None else localised(value)


@register.filter
def vnd(amount: int | None) -> str:
    if amount is None:
        return ""
    return f"{localised(amount)} đ" if amount else _("Không thu")
