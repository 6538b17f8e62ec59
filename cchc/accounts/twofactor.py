"""Who must pass the second factor (TOTP) before a session reaches anything.

With REQUIRE_2FA on (production), a staff session must be verified when the account is a
superuser, holds a role of TWO_FACTOR_ROLES anywhere, or reaches more than one commune through
its roles in TWO_FACTOR_MULTI_COMMUNE_ROLES: a province appraiser or leader reads every
commune's identity numbers, so a stolen password alone must not open them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from cchc.units.choices import UnitKind
from cchc.units.models import Unit, active_memberships

_CACHE = "_cchc_2fa_required"


def second_factor_required(user: Any) -> bool:
    """Whether this account's sessions must be verified; read once per user object (request)."""
    if not getattr(settings, "REQUIRE_2FA", False) or not getattr(user, "is_authenticated", False):
        return False
    cached = user.__dict__.get(_CACHE)
    if cached is None:
        cached = bool(user.is_superuser) or _roles_require_it(user)
        user.__dict__[_CACHE] = cached
    return bool(cached)


def session_verified(user: Any) -> bool:
    """django-otp marks the session's user; a user not loaded from a session is not verified."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def needs_verification(user: Any) -> bool:
    return second_factor_required(user) and not session_verified(user)


def _roles_require_it(user: Any) -> bool:
    memberships = active_memberships(user)
    always = set(settings.TWO_FACTOR_ROLES)
    if any(m.role in always for m in memberships):
        return True
    wide = set(settings.TWO_FACTOR_MULTI_COMMUNE_ROLES)
    reach = Q(pk__in=[])
    for m in memberships:
        if m.role not in wide:
            continue
        if m.covers_subtree:
            reach |= Q(path__startswith=m.unit.path)
        elif m.unit.admin_owner_id is not None:
            # The unit and the agencies inside it: at most the one commune that owns them.
            reach |= Q(pk=m.unit.admin_owner_id)
    if reach == Q(pk__in=[]):
        return False
    communes = Unit.objects.filter(reach, kind__in=UnitKind.commune_level())
    return communes.values("pk")[:2].count() > 1
