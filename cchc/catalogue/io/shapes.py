"""What the stages of the catalogue's import and export pass to each other: the file format's
names (docs/formats.md, "Procedure catalogue"), the raw items both parsers produce and the
checker reads, and the clean specs the checker produces, the writer stores and export renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as list_field
from decimal import Decimal
from typing import Any

from cchc.lib.importing import ImportFileError, Item

FORMAT = "cchc-catalogue"
FORMAT_VERSION = 1

# The `upload_to` of RequiredDocument.form_template: files name a form inside this folder.
FORM_FOLDER = "catalogue/forms/"
# FileField's default max_length, which RequiredDocument.form_template keeps.
FORM_PATH_MAX = 100

FIELD_KEYS = ("code", "name")
PROCEDURE_KEYS = ("code", "field", "authority_level")
VERSION_KEYS = (
    "effective_from",
    "name",
    "processing_time",
    "time_unit",
    "time_note",
    "fee_note",
    "legal_basis",
    "online_service",
    "result_type",
    "conditions",
    "keywords",
    "published_by",
    # The longer time the law allows in a stated case (optional; all three or none).
    "extended_time",
    "extended_time_unit",
    "extended_time_condition",
)
# Columns added after files were first exchanged: a sheet without them is still read.
OPTIONAL_COLUMNS = frozenset({"extended_time", "extended_time_unit", "extended_time_condition"})
DOCUMENT_KEYS = ("name", "originals", "copies", "required", "form_template", "note")
FEE_KEYS = ("name", "amount_vnd", "note")
STEP_KEYS = ("name", "role", "body", "share")
ADOPTION_KEYS = ("unit", "procedure", "implemented", "reason")

# xlsx: one sheet per list; the rows of documents, fees and steps point at their version.
CHILD_KEYS = ("procedure", "effective_from", "position")
SHEETS: dict[str, tuple[str, ...]] = {
    "fields": FIELD_KEYS,
    "procedures": PROCEDURE_KEYS + VERSION_KEYS,
    "documents": CHILD_KEYS + DOCUMENT_KEYS,
    "fees": CHILD_KEYS + FEE_KEYS,
    "steps": CHILD_KEYS + STEP_KEYS,
    "adoptions": ADOPTION_KEYS,
}
CHILD_SHEETS = ("documents", "fees", "steps")

SHARE_TOTAL = Decimal(100)
SHARE_TOLERANCE = Decimal("0.01")
SMALL_INT_MAX = 32767  # PositiveSmallIntegerField on every backend


class CatalogueImportError(ImportFileError):
    """The file has errors; `messages` lists every one of them. Nothing was written."""


# ---------------------------------------------------------------------------------------------
# Raw representation: what both parsers produce and the checker reads: lib's Item (values as
# found, and where), with the lists a procedure and a version carry.


@dataclass
class VersionItem(Item):
    documents: list[Item] = list_field(default_factory=list)
    fees: list[Item] = list_field(default_factory=list)
    steps: list[Item] = list_field(default_factory=list)


@dataclass
class ProcedureItem(Item):
    versions: list[VersionItem] = list_field(default_factory=list)


@dataclass
class CatalogueData:
    fields: list[Item] = list_field(default_factory=list)
    procedures: list[ProcedureItem] = list_field(default_factory=list)
    adoptions: list[Item] = list_field(default_factory=list)
    # Problems with the file's structure (unreadable file, missing column, orphan row), found
    # while reading it; the checker reports them together with its own.
    errors: list[str] = list_field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Clean representation: what the checker produces, the writer stores and export renders.


@dataclass(frozen=True)
class FieldSpec:
    code: str
    name: str


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    originals: int
    copies: int
    required: bool
    form_template: str
    note: str


@dataclass(frozen=True)
class FeeSpec:
    name: str
    amount_vnd: int
    note: str


@dataclass(frozen=True)
class StepSpec:
    name: str
    role: str
    body: str
    share: Decimal


@dataclass
class VersionSpec:
    effective_from: dt.date
    name: str
    processing_time: Decimal
    time_unit: str
    time_note: str
    fee_note: str
    legal_basis: str
    online_service: str
    result_type: str
    conditions: str
    keywords: str
    published_by: str
    extended_time: Decimal | None
    extended_time_unit: str
    extended_time_condition: str
    documents: list[DocumentSpec]
    fees: list[FeeSpec]
    steps: list[StepSpec]

    def scalars(self) -> dict[str, Any]:
        """The version's own columns (everything but its key and its lists)."""
        return {key: getattr(self, key) for key in VERSION_KEYS if key != "effective_from"}


@dataclass
class ProcedureSpec:
    code: str
    field: str
    authority_level: str
    versions: list[VersionSpec]


@dataclass(frozen=True)
class AdoptionSpec:
    unit: str
    procedure: str
    implemented: bool
    reason: str


@dataclass
class Catalogue:
    fields: list[FieldSpec]
    procedures: list[ProcedureSpec]
    adoptions: list[AdoptionSpec]


def decimal_text(value: Decimal) -> str:
    """`Decimal("10.00")` as "10", `Decimal("0.50")` as "0.5"."""
    return format(value.normalize(), "f")
