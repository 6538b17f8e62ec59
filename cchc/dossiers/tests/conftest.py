"""Dossier personas: the one-stop of commune A (Nga Sơn) and its colleagues.

Receipts happen at fixed moments on the real 2025–2026 calendar (shipped as data), so every
due moment in these tests can be checked by hand against CALENDAR.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cchc.accounts.models import User
from cchc.conftest import World, make_user
from cchc.dossiers.actions import Applicant, Receipt, ReceivedDocument, receive_dossier
from cchc.dossiers.models import Dossier
from cchc.units.choices import Role

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, hour: int = 9, minute: int = 0) -> dt.datetime:
    """at("2025-08-04", 9) → 09:00 on 04/08/2025 in Vietnam."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=TZ)


@pytest.fixture
def reception(world: World) -> User:
    return make_user("lan", world.commune_a, Role.RECEPTION)


@pytest.fixture
def specialist(world: World) -> User:
    return make_user("minh", world.commune_a, Role.SPECIALIST)


@pytest.fixture
def leader(world: World) -> User:
    return make_user("hung", world.commune_a, Role.LEADER)


@pytest.fixture
def reception_b(world: World) -> User:
    return make_user("mai", world.commune_b, Role.RECEPTION)


def receipt_for(world: World, **overrides: Any) -> Receipt:
    values: dict[str, Any] = {
        "procedure_code": world.copy.code,
        "processing_unit": world.commune_a,
        "applicant": Applicant(name="Nguyễn Văn An", id_number="038090001234", phone="0912345678"),
        "documents": [ReceivedDocument(position=1, originals=1)],
    }
    values.update(overrides)
    return Receipt(**values)


@pytest.fixture
def copy_implemented(world: World) -> None:
    """Commune A implements the 3-working-day certification procedure."""
    world.copy.adoptions.filter(unit=world.commune_a).update(implemented=True, reason="")


@pytest.fixture
def received(world: World, reception: User, copy_implemented: None) -> Dossier:
    """A 3-working-day dossier received Monday 04/08/2025 at 09:00: due Thu 07/08 17:00."""
    return receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04"))


@pytest.fixture
def submitted(world: World, copy_implemented: None) -> Dossier:
    """An online submission waiting at commune A's counter (status 1), as the portal leaves it."""
    version = world.copy.versions.get()
    return Dossier.objects.create(
        code="000.30.10.H56-250804-0900",
        status="submitted",
        procedure=world.copy,
        procedure_version=version,
        field=world.copy.field,
        receiving_unit=world.commune_a,
        processing_unit=world.commune_a,
        channel="online_partial",
        return_method="online",
        applicant_name="Phạm Minh Châu",
        applicant_phone="0933000111",
        submitted_at=at("2025-08-03", 21),
    )
