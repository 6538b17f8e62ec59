"""Login lockout with a limit of its own for each lockout parameter (django-axes handler).

Axes counts failures per combination of AXES_LOCKOUT_PARAMETERS but compares every count with
one AXES_FAILURE_LIMIT. We want two: few failures per user name from one address (a person who
forgot a password), more per user name across all addresses (password spraying from many
addresses, which the per-address count never sees). LOGIN_LOCKOUT_LIMITS maps an entry of
AXES_LOCKOUT_PARAMETERS ("username", or "username+ip_address" for a combination) to its own
limit; the others use AXES_FAILURE_LIMIT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def parameter_key(parameter: str | Sequence[str]) -> str:
    return parameter if isinstance(parameter, str) else "+".join(parameter)


class PerParameterLimitHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures as axes compares them with AXES_FAILURE_LIMIT: each parameter's count is
        scaled so that it reaches AXES_FAILURE_LIMIT exactly when it reaches its own limit."""
        base = get_failure_limit(request, credentials)
        limits = getattr(settings, "LOGIN_LOCKOUT_LIMITS", {})
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            limit = int(limits.get(parameter_key(parameter), base))
            worst = max(worst, count * base // max(limit, 1))
        return worst

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A successful login forgives the failures from its own address only: the count per
        user name across addresses stays until it cools off, so the owner logging in every
        morning does not wipe a spraying attacker's tally."""
        attempts_list = self.filter_user_attempts(request, credentials)
        if not attempts_list:
            return 0
        count, _ = attempts_list[0].delete()
        return count
