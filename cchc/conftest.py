"""Personas and a small world shared by every app's tests.

The world: province 38 with communes A (16300, with its one-stop centre) and B (16303).
Each persona holds one role; their names say where they work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import ApiToken, User
from cchc.catalogue.models import (
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    StepTemplate,
    UnitProcedure,
)
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Membership, Unit

PASSWORD = "a-Strong-pass-2026"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class World:
    province: Unit
    commune_a: Unit
    centre_a: Unit
    commune_b: Unit
    birth: Procedure
    copy: Procedure


def make_user(
    username: str, unit: Unit | None = None, role: str | None = None, **extra: Any
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=username.title(), **extra
    )
    if unit is not None and role is not None:
        Membership.objects.create(user=user, unit=unit, role=role, valid_from=dt.date(2025, 1, 1))
    return user


def make_procedure(
    code: str,
    name: str,
    field: Field,
    *,
    effective_from: dt.date = dt.date(2025, 7, 1),
    days: str = "3",
) -> Procedure:
    procedure = Procedure.objects.create(code=code, field=field, authority_level="commune")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        effective_from=effective_from,
        name=name,
        processing_time=Decimal(days),
        time_unit="working_days",
        online_service="partial",
        keywords="",
    )
    RequiredDocument.objects.create(version=version, position=1, name="Tờ khai", originals=1)
    Fee.objects.create(version=version, position=1, name="Lệ phí", amount_vnd=8000)
    StepTemplate.objects.create(
        version=version, position=1, name="Tiếp nhận", role=Role.RECEPTION, share=Decimal(20)
    )
    StepTemplate.objects.create(
        version=version, position=2, name="Xử lý", role=Role.SPECIALIST, share=Decimal(80)
    )
    procedure.refresh_from_db()
    return procedure


@pytest.fixture
def world(db: Any) -> World:
    province = Unit.objects.create(
        code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE, agency_identifier="000.00.00.H56"
    )
    commune_a = Unit.objects.create(
        code="16300",
        name="Xã Nga Sơn",
        kind=UnitKind.COMMUNE,
        parent=province,
        agency_identifier="000.30.10.H56",
    )
    centre_a = Unit.objects.create(
        code="16300-MC", name="TTPVHCC xã Nga Sơn", kind=UnitKind.SERVICE_CENTRE, parent=commune_a
    )
    commune_b = Unit.objects.create(
        code="16303",
        name="Xã Nga Thắng",
        kind=UnitKind.COMMUNE,
        parent=province,
        agency_identifier="000.33.10.H56",
    )
    civil = Field.objects.create(code="ho-tich", name="Hộ tịch")
    certify = Field.objects.create(code="chung-thuc", name="Chứng thực")
    birth = make_procedure("1.001193", "Đăng ký khai sinh", civil, days="0.5")
    copy = make_procedure("2.000815", "Chứng thực bản sao từ bản chính", certify)
    for unit in (commune_a, commune_b):
        UnitProcedure.objects.create(unit=unit, procedure=birth, implemented=True)
    UnitProcedure.objects.create(
        unit=commune_a, procedure=copy, implemented=False, reason="Chưa phát sinh"
    )
    return World(province, commune_a, centre_a, commune_b, birth, copy)


@pytest.fixture
def alice(world: World) -> User:
    """Reception officer of commune A."""
    return make_user("alice", world.commune_a, Role.RECEPTION)


@pytest.fixture
def bob(world: World) -> User:
    """TTHC-control officer of commune B."""
    return make_user("bob", world.commune_b, Role.TTHC_CONTROL)


@pytest.fixture
def carol(world: World) -> User:
    """TTHC-control officer of commune A."""
    return make_user("carol", world.commune_a, Role.TTHC_CONTROL)


@pytest.fixture
def pat(world: World) -> User:
    """Appraiser at the province: sees every commune."""
    return make_user("pat", world.province, Role.APPRAISER)


@pytest.fixture
def sam(world: World) -> User:
    """Supervisor (People's Council) at the province: reads only."""
    return make_user("sam", world.province, Role.SUPERVISOR)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def bearer(user: User) -> dict[str, Any]:
    _token, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
