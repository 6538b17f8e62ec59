"""Helpers of the records tests, imported from here (never from a conftest file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fpdf import FPDF

from cchc.accounts.models import User
from cchc.records import actions
from cchc.records.actions import DocumentFields
from cchc.records.models import OfficialDocument
from cchc.testing import World, at

NOW = at("2026-03-02", 9)


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
