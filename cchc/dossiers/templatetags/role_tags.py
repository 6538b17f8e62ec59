"""Template checks of what a role may do, so pages show only the controls the same rule would
accept (issue 12, item 4). Each asks the rule the action itself applies."""

from __future__ import annotations

from typing import Any

from django import template

from cchc.units.choices import CATALOGUE_EDITORS
from cchc.units.models import user_roles_in

register = template.Library()


@register.filter
def may_edit_catalogue(user: Any, unit: Any) -> bool:
    """`catalogue.actions.set_adoption`'s rule: a TTHC-control officer or an administrator."""
    return bool(user_roles_in(user, unit) & CATALOGUE_EDITORS)


@register.filter
def has_role(user: Any, role: str) -> bool:
    """Whether the user holds `role` in any unit (memberships already read for the scope)."""
    from cchc.units.models import active_memberships

    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or any(m.role == role for m in active_memberships(user))
