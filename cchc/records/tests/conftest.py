"""Register tests reuse the world of `cchc/conftest.py` (commune A, commune B next door).

Commune A's TTHC-control officer keeps its register; commune B's keeps B's. Files go to a
temporary folder; "today" is fixed by passing `at=` to the actions (2026-03-02)."""

from __future__ import annotations

from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.testing import World, make_user
from cchc.units.choices import Role


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIGNING_TRUST_ROOTS = ""


@pytest.fixture
def keeper(world: World) -> User:
    """Commune A's TTHC-control officer: keeps A's register."""
    return make_user("thu", world.commune_a, Role.TTHC_CONTROL)


@pytest.fixture
def keeper_b(world: World) -> User:
    return make_user("vy", world.commune_b, Role.TTHC_CONTROL)


@pytest.fixture
def clerk(world: World) -> User:
    """Commune A's reception clerk: reads the register, does not keep it."""
    return make_user("lan", world.commune_a, Role.RECEPTION)
