from __future__ import annotations

from django import template

from cchc.dossiers.choices import Action

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return str(Action(action).label)
