"""What the survey actions share: the clock and who may manage or collect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.surveys.actions.errors import NotAllowed
from cchc.surveys.choices import COLLECTOR_ROLES, MANAGER_ROLES
from cchc.surveys.models import SurveyRound
from cchc.units.models import Unit, user_roles_in

# The largest sample a round may draw (a commune's year of returned dossiers is far below it).
MAX_SAMPLE = 10_000


def _now(at: dt.datetime | None) -> dt.datetime:
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("naive datetime")
    return moment


def _check_roles(user: Any, unit: Unit, roles: frozenset[str], message: str) -> None:
    if not roles & user_roles_in(user, unit):
        raise NotAllowed(message % {"unit": unit.name})


def _manager_message() -> str:
    return _("Chỉ lãnh đạo hoặc đầu mối kiểm soát TTHC của %(unit)s được thực hiện việc này.")


def may_collect(survey: SurveyRound, user: Any) -> bool:
    return bool(COLLECTOR_ROLES & user_roles_in(user, survey.unit))


def may_manage(unit: Unit, user: Any) -> bool:
    return bool(MANAGER_ROLES & user_roles_in(user, unit))


def managed_units(user: Any, units: Iterable[Unit]) -> list[Unit]:
    return [u for u in units if may_manage(u, user)]
