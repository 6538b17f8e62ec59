"""The notify tests' dossier: received with an e-mail address and a phone."""

from __future__ import annotations

import pytest

from cchc.accounts.models import User
from cchc.dossiers.models import Dossier
from cchc.testing import World, receive


@pytest.fixture
def received(world: World, reception: User, copy_implemented: None) -> Dossier:
    """Received Monday 04/08/2025 09:00 with e-mail and phone: due Thursday 07/08 17:00."""
    return receive(world, reception, "2025-08-04")
