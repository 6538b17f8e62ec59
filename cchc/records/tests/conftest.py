"""Register tests reuse the world of `cchc/conftest.py` (commune A, commune B next door).

Commune A's TTHC-control officer keeps its register; commune B's keeps B's. Files go to a
temporary folder; "today" is fixed by passing `at=` to the actions (2026-03-02)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fpdf import FPDF

from cchc.accounts.models import User
from cchc.conftest import World, at, make_user
from cchc.records import actions
from cchc.records.actions import DocumentFields
from cchc.records.models import OfficialDocument
from cchc.units.choices import Role

NOW = at("2026-03-02", 9)


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


def pdf_bytes(text: str = "Ke hoach CCHC nam 2026") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=16)
    pdf.cell(text=text)
    return bytes(pdf.output())


def register(
    world: World,
    by: User,
    reference: str = "20/KH-UBND",
    *,
    title: str = "Kế hoạch cải cách hành chính năm 2026",
    issued_on: dt.date = dt.date(2026, 2, 6),
    unit: Any = None,
    **extra: Any,
) -> OfficialDocument:
    fields = DocumentFields(
        reference=reference,
        issued_on=issued_on,
        title=title,
        signer=extra.pop("signer", "Lê Văn Chủ tịch"),
        declared_signed=extra.pop("declared_signed", False),
    )
    return actions.register_document(
        unit or world.commune_a, fields, by=by, at=extra.pop("at", NOW), **extra
    )
