"""Feedback tests reuse the world and dossier fixtures of `cchc/conftest.py` (commune A with
its one-stop, commune B next door).

Rate limits are off by default here so that tests posting several times are not throttled; the
rate-limit tests switch them on explicitly. Uploaded files go to a temporary folder.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from cchc.accounts.models import User
from cchc.dossiers import actions as dossier_actions
from cchc.dossiers.models import Dossier
from cchc.testing import at


@pytest.fixture(autouse=True)
def _no_rate_limits_by_default(settings: Any, tmp_path: Any) -> None:
    settings.RATELIMIT_ENABLE = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = "https://dichvucong.example"


@pytest.fixture
def rate_limits_on(settings: Any, db: Any) -> None:
    settings.RATELIMIT_ENABLE = True
    cache.clear()


@pytest.fixture
def returned(received: Dossier, leader: User, reception: User) -> Dossier:
    """The 3-day dossier resolved Wed 06/08/2025 and handed over Thu 07/08/2025."""
    dossier = dossier_actions.resolve(received, by=leader, at=at("2025-08-06", 10))
    return dossier_actions.return_result(dossier, by=reception, at=at("2025-08-07", 9))
