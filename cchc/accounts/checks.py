"""Start-up checks of the security settings that environment variables set."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

from cchc.accounts.lockout import parameter_key
from cchc.units.choices import Role


@register()
def security_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    for name in ("TWO_FACTOR_ROLES", "TWO_FACTOR_MULTI_COMMUNE_ROLES"):
        unknown = sorted(set(getattr(settings, name, [])) - set(Role.values))
        if unknown:
            problems.append(
                Error(
                    f"{name} names unknown roles: {', '.join(unknown)}",
                    hint=f"Known roles: {', '.join(Role.values)}",
                    id="accounts.E001",
                )
            )
    parameters = {parameter_key(p) for p in settings.AXES_LOCKOUT_PARAMETERS}
    stray = sorted(set(getattr(settings, "LOGIN_LOCKOUT_LIMITS", {})) - parameters)
    if stray:
        problems.append(
            Error(
                f"LOGIN_LOCKOUT_LIMITS names parameters axes does not count: {', '.join(stray)}",
                id="accounts.E002",
            )
        )
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies":
        # That store checks SESSION_COOKIE_AGE only, never the per-session expiry that the
        # staff idle timeout sets.
        problems.append(
            Warning(
                "Signed-cookie sessions ignore the staff idle timeout on the server side",
                hint="Use the database, cache or cached_db session store.",
                id="accounts.W001",
            )
        )
    return problems
