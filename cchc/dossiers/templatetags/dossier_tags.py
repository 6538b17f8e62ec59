from __future__ import annotations

from django import template

from cchc.dossiers.choices import Action

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return str(Action(action).label)


@register.filter
def consequence(action: str) -> str:
    """What an irreversible act will do, for its confirmation; empty for the others."""
    from cchc.dossiers.desk import IRREVERSIBLE

    return str(IRREVERSIBLE.get(action, ""))


@register.filter
def get_count(counts: dict[str, int], key: str) -> str:
    """A tab's count in Vietnamese digit grouping (1.234)."""
    from cchc.lib.numbers import localised

    return localised(int(counts.get(key, 0)))
