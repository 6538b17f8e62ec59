"""Import and export of the procedure catalogue (docs/formats.md, "Procedure catalogue").

Both file formats are read into the same raw shape, `CatalogueData`: items holding the values
as found in the file and where they came from. One validator turns that into a clean
`Catalogue` (collecting every error, naming sheet or JSON path, row and column), and one
writer stores it in a single transaction. Export goes the other way: the database is read
into a `Catalogue`, which is rendered as JSON or xlsx, so export → import → export gives the
same file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as list_field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import openpyxl
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from cchc.catalogue.choices import AuthorityLevel, OnlineService
from cchc.catalogue.models import (
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    StepTemplate,
    UnitProcedure,
)
from cchc.units.choices import Role
from cchc.units.models import Unit
from cchc.worktime.choices import TimeUnit

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

_SLUG = re.compile(r"^[a-z0-9-]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DIGITS = re.compile(r"^\d+$")
SHARE_TOTAL = Decimal(100)
SHARE_TOLERANCE = Decimal("0.01")
SMALL_INT_MAX = 32767  # PositiveSmallIntegerField on every backend


class CatalogueImportError(Exception):
    """The file has errors; `messages` lists every one of them. Nothing was written."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


# ---------------------------------------------------------------------------------------------
# Raw representation: what both parsers produce and the validator reads.


@dataclass(frozen=True)
class Where:
    """Where an item came from, so that a message can name it: a JSON path or a sheet row."""

    path: str = ""
    sheet: str = ""
    row: int = 0

    def at(self, key: str) -> str:
        if self.sheet:
            return _('Trang "%(sheet)s", dòng %(row)d, cột "%(column)s"') % {
                "sheet": self.sheet,
                "row": self.row,
                "column": key,
            }
        return f"{self.path}.{key}" if self.path else key


@dataclass
class Item:
    """One object of the file with its values as found there (str, number, date, bool, None)."""

    values: dict[str, Any]
    where: Where


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
    # while reading it; the validator reports them together with its own.
    errors: list[str] = list_field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Clean representation: what the validator produces, the writer stores and export renders.


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


@dataclass
class ImportResult:
    """Counts per kind of row ("fields", "procedures", "versions", "adoptions")."""

    created: Counter[str] = list_field(default_factory=Counter)
    updated: Counter[str] = list_field(default_factory=Counter)
    unchanged: Counter[str] = list_field(default_factory=Counter)

    def add(self, kind: str, status: str) -> None:
        """Count one row of `kind` as "created", "updated" or "unchanged"."""
        getattr(self, status)[kind] += 1

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def summary(self) -> str:
        labels = {
            "fields": _("Lĩnh vực"),
            "procedures": _("Thủ tục"),
            "versions": _("Phiên bản"),
            "adoptions": _("Áp dụng tại đơn vị"),
        }
        return "\n".join(
            _("%(label)s: %(created)d thêm mới, %(updated)d cập nhật, %(unchanged)d không đổi.")
            % {
                "label": label,
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            }
            for kind, label in labels.items()
        )


# ---------------------------------------------------------------------------------------------
# Reading JSON.


def parse_catalogue_json(data: bytes | str) -> CatalogueData:
    out = CatalogueData()
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        out.errors.append(_("Không đọc được tệp JSON: %(error)s") % {"error": exc})
        return out
    if not isinstance(doc, dict):
        out.errors.append(_("Tệp JSON phải là một đối tượng {…}."))
        return out
    if doc.get("format") != FORMAT:
        out.errors.append(
            _('format: %(value)s không hợp lệ (phải là "%(format)s").')
            % {"value": _show(doc.get("format")), "format": FORMAT}
        )
    if doc.get("version") != FORMAT_VERSION:
        out.errors.append(
            _("version: %(value)s không được hỗ trợ (phải là %(version)d).")
            % {"value": _show(doc.get("version")), "version": FORMAT_VERSION}
        )
    _reject_unknown_keys(doc, ("format", "version", "fields", "procedures", "adoptions"), "", out)

    for path, obj in _json_objects(doc, "fields", "", out):
        out.fields.append(_json_item(obj, FIELD_KEYS, path, out))
    for path, obj in _json_objects(doc, "procedures", "", out):
        procedure = ProcedureItem(**vars(_json_item(obj, PROCEDURE_KEYS, path, out, ("versions",))))
        for version_path, version_obj in _json_objects(obj, "versions", path, out):
            version = VersionItem(
                **vars(_json_item(version_obj, VERSION_KEYS, version_path, out, CHILD_SHEETS))
            )
            for child_path, child in _json_objects(version_obj, "documents", version_path, out):
                version.documents.append(_json_item(child, DOCUMENT_KEYS, child_path, out))
            for child_path, child in _json_objects(version_obj, "fees", version_path, out):
                version.fees.append(_json_item(child, FEE_KEYS, child_path, out))
            for child_path, child in _json_objects(version_obj, "steps", version_path, out):
                version.steps.append(_json_item(child, STEP_KEYS, child_path, out))
            procedure.versions.append(version)
        out.procedures.append(procedure)
    for path, obj in _json_objects(doc, "adoptions", "", out):
        out.adoptions.append(_json_item(obj, ADOPTION_KEYS, path, out))
    return out


def _json_objects(
    parent: dict[str, Any], key: str, path: str, out: CatalogueData
) -> list[tuple[str, dict[str, Any]]]:
    """The objects of list `key` with their paths; a missing list is an empty one."""
    list_path = f"{path}.{key}" if path else key
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        out.errors.append(_("%(path)s: phải là một danh sách […].") % {"path": list_path})
        return []
    objects = []
    for index, obj in enumerate(value):
        item_path = f"{list_path}[{index}]"
        if isinstance(obj, dict):
            objects.append((item_path, obj))
        else:
            out.errors.append(_("%(path)s: phải là một đối tượng {…}.") % {"path": item_path})
    return objects


def _json_item(
    obj: dict[str, Any],
    keys: tuple[str, ...],
    path: str,
    out: CatalogueData,
    lists: tuple[str, ...] = (),
) -> Item:
    _reject_unknown_keys(obj, keys + lists, path, out)
    return Item({key: obj.get(key) for key in keys}, Where(path=path))


def _reject_unknown_keys(
    obj: dict[str, Any], allowed: tuple[str, ...], path: str, out: CatalogueData
) -> None:
    for key in obj:
        if key not in allowed:
            out.errors.append(
                _("%(path)s: khóa không hợp lệ (các khóa: %(allowed)s).")
                % {"path": f"{path}.{key}" if path else key, "allowed": ", ".join(allowed)}
            )


# ---------------------------------------------------------------------------------------------
# Reading xlsx.


def parse_catalogue_xlsx(data: bytes | IO[bytes]) -> CatalogueData:
    out = CatalogueData()
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        out.errors.append(_("Tệp không phải là bảng tính xlsx hợp lệ."))
        return out
    try:
        sheets: dict[str, list[Item]] = {}
        for name in workbook.sheetnames:
            if name in SHEETS:
                sheets[name] = _sheet_items(workbook[name], name, out)
            else:
                out.errors.append(
                    _('Trang "%(sheet)s" không hợp lệ (các trang: %(sheets)s).')
                    % {"sheet": name, "sheets": ", ".join(SHEETS)}
                )
    finally:
        workbook.close()

    out.fields = sheets.get("fields", [])
    out.adoptions = sheets.get("adoptions", [])
    # One row per version: group them by procedure code, in the order they appear.
    procedures: dict[str, ProcedureItem] = {}
    versions: dict[tuple[str, str], VersionItem] = {}
    for row in sheets.get("procedures", []):
        code = _cell_key(row.values["code"])
        procedure = procedures.get(code) if code else None
        if procedure is None:
            procedure = ProcedureItem({k: row.values[k] for k in PROCEDURE_KEYS}, row.where)
            out.procedures.append(procedure)
            if code:
                procedures[code] = procedure
        else:
            for key in ("field", "authority_level"):
                if _cell_key(row.values[key]) != _cell_key(procedure.values[key]):
                    out.errors.append(
                        _("%(where)s: %(value)s khác với %(first)s của cùng thủ tục %(code)s.")
                        % {
                            "where": row.where.at(key),
                            "value": _show(row.values[key]),
                            "first": procedure.where.at(key),
                            "code": code,
                        }
                    )
        version = VersionItem({k: row.values.get(k) for k in VERSION_KEYS}, row.where)
        procedure.versions.append(version)
        versions.setdefault((code, _cell_key(row.values["effective_from"])), version)

    for sheet in CHILD_SHEETS:
        for row in sheets.get(sheet, []):
            ref = (_cell_key(row.values["procedure"]), _cell_key(row.values["effective_from"]))
            parent = versions.get(ref)
            if parent is None:
                out.errors.append(
                    _(
                        '%(where)s: không có dòng nào trong trang "procedures" với code %(code)s '
                        "và effective_from %(date)s."
                    )
                    % {
                        "where": row.where.at("procedure"),
                        "code": _show(ref[0]),
                        "date": _show(ref[1]),
                    }
                )
                continue
            child = Item(
                {k: row.values[k] for k in SHEETS[sheet] if k not in CHILD_KEYS[:2]}, row.where
            )
            getattr(parent, sheet).append(child)
    return out


def _sheet_items(sheet: Any, name: str, out: CatalogueData) -> list[Item]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    columns = [str(cell).strip() if cell is not None else "" for cell in header]
    expected = SHEETS[name]
    problems = []
    for column in dict.fromkeys(columns):
        if column and column not in expected:
            problems.append(
                _("%(where)s: cột không hợp lệ (các cột: %(columns)s).")
                % {"where": Where(sheet=name, row=1).at(column), "columns": ", ".join(expected)}
            )
        elif column and columns.count(column) > 1:
            problems.append(
                _("%(where)s: cột bị lặp lại.") % {"where": Where(sheet=name, row=1).at(column)}
            )
    for column in expected:
        if column not in columns and column not in OPTIONAL_COLUMNS:
            problems.append(
                _('Trang "%(sheet)s": thiếu cột "%(column)s".') % {"sheet": name, "column": column}
            )
    if problems:
        out.errors.extend(problems)
        return []
    items = []
    for number, row in enumerate(rows, start=2):
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue
        values = {
            column: row[index] if index < len(row) else None
            for index, column in enumerate(columns)
            if column
        }
        items.append(Item(values, Where(sheet=name, row=number)))
    return items


def _cell_key(value: Any) -> str:
    """A cell as the text used to match rows across sheets (a date cell as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------------------------------------
# Validation: one pass over the whole document, every error collected.


def _show(value: Any) -> str:
    """A value as the user wrote it, quoted when it is text, for messages."""
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "…"
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return '""'
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


class _Checker:
    """Reads typed values out of items, recording an error for each one that is wrong."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors

    def error(self, item: Item, key: str, message: str) -> None:
        self.errors.append(f"{item.where.at(key)}: {message}")

    def invalid(self, item: Item, key: str, message: str, **params: Any) -> None:
        """An error about the value itself: `message` shows it as %(value)s."""
        self.error(item, key, message % {"value": _show(item.values.get(key)), **params})

    def text(
        self, item: Item, key: str, *, required: bool = False, max_length: int | None = None
    ) -> str:
        raw = item.values.get(key)
        if raw is None:
            value = ""
        elif isinstance(raw, str):
            value = raw.strip()
        elif isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | dt.date):
            self.invalid(item, key, _("%(value)s phải là chuỗi ký tự."))
            return ""
        else:
            # Spreadsheets turn codes and numbers typed into text columns into numbers or dates.
            value = _cell_key(raw)
        if required and not value:
            self.error(item, key, _("bắt buộc, không được để trống."))
        elif max_length is not None and len(value) > max_length:
            self.error(item, key, _("dài quá %(max)d ký tự.") % {"max": max_length})
        return value

    def choice(
        self, item: Item, key: str, choices: type[models.TextChoices], *, blank: bool = False
    ) -> str:
        value = self.text(item, key, required=not blank)
        if value and value not in choices.values:
            self.invalid(
                item,
                key,
                _("%(value)s không hợp lệ (%(choices)s)."),
                choices=", ".join(choices.values),
            )
        return value

    def date(self, item: Item, key: str) -> dt.date | None:
        raw = item.values.get(key)
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.error(item, key, _("bắt buộc, không được để trống."))
            return None
        if isinstance(raw, str) and _ISO_DATE.match(raw.strip()):
            try:
                return dt.date.fromisoformat(raw.strip())
            except ValueError:
                pass
        self.invalid(item, key, _("%(value)s không phải là ngày hợp lệ (YYYY-MM-DD)."))
        return None

    def integer(self, item: Item, key: str, *, maximum: int) -> int | None:
        raw = item.values.get(key)
        value: int | None = None
        if isinstance(raw, bool):
            value = None
        elif isinstance(raw, int):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif isinstance(raw, str) and _DIGITS.match(raw.strip()):
            value = int(raw.strip())
        if raw is None or raw == "":
            self.error(item, key, _("bắt buộc, không được để trống."))
            return None
        if value is None or value < 0:
            self.invalid(item, key, _("%(value)s không phải là số nguyên không âm."))
            return None
        if value > maximum:
            self.invalid(item, key, _("%(value)s lớn quá (tối đa %(max)d)."), max=maximum)
            return None
        return value

    def decimal(self, item: Item, key: str, *, max_digits: int, places: int) -> Decimal | None:
        raw = item.values.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.error(item, key, _("bắt buộc, không được để trống."))
            return None
        value: Decimal | None = None
        if not isinstance(raw, bool) and isinstance(raw, str | int | float | Decimal):
            try:
                value = Decimal(str(raw).strip())
            except InvalidOperation:
                value = None
        if value is None or not value.is_finite() or value < 0:
            self.invalid(item, key, _("%(value)s không phải là số thập phân không âm."))
            return None
        if value != value.quantize(Decimal(1).scaleb(-places)):
            self.invalid(
                item, key, _("%(value)s có quá %(places)d chữ số thập phân."), places=places
            )
            return None
        if value >= Decimal(10) ** (max_digits - places):
            self.invalid(item, key, _("%(value)s lớn quá."))
            return None
        return value.normalize() + 0  # "+ 0" turns -0 and 1E+2 back into plain values

    def boolean(self, item: Item, key: str) -> bool | None:
        raw = item.values.get(key)
        if isinstance(raw, bool):
            return raw
        if raw in (0, 1) and isinstance(raw, int | float):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in ("1", "0", "true", "false"):
            return raw.strip().lower() in ("1", "true")
        if raw is None or raw == "":
            self.error(item, key, _("bắt buộc, không được để trống."))
        else:
            self.invalid(item, key, _("%(value)s không hợp lệ (1/0 hoặc true/false)."))
        return None

    def unique(self, seen: dict[Any, Item], key: Any, item: Item, column: str, what: str) -> None:
        """Record that `key` was used by `item`; a second use is an error naming the first."""
        first = seen.setdefault(key, item)
        if first is not item:
            self.error(
                item,
                column,
                _("%(what)s trùng với %(first)s.")
                % {"what": what, "first": first.where.at(column)},
            )


def validate_catalogue(data: CatalogueData) -> Catalogue:
    """Check the whole document; raise CatalogueImportError with every message if it is wrong."""
    check = _Checker(list(data.errors))

    fields: list[FieldSpec] = []
    seen_fields: dict[Any, Item] = {}
    for item in data.fields:
        code = check.text(item, "code", required=True, max_length=40)
        if code and not _SLUG.match(code):
            check.invalid(item, "code", _("%(value)s không hợp lệ (chỉ gồm a-z, 0-9 và dấu -)."))
        elif code:
            check.unique(seen_fields, code, item, "code", _("Mã lĩnh vực"))
        fields.append(FieldSpec(code, check.text(item, "name", required=True, max_length=200)))

    known_fields = {spec.code for spec in fields} | set(
        Field.objects.filter(
            code__in={_cell_key(p.values.get("field")) for p in data.procedures}
        ).values_list("code", flat=True)
    )
    procedures: list[ProcedureSpec] = []
    seen_procedures: dict[Any, Item] = {}
    for item in data.procedures:
        code = check.text(item, "code", required=True, max_length=30)
        if code:
            check.unique(seen_procedures, code, item, "code", _("Mã thủ tục"))
        field_code = check.text(item, "field", required=True)
        if field_code and field_code not in known_fields:
            check.invalid(
                item,
                "field",
                _("%(value)s không có trong danh sách lĩnh vực của tệp hay trong hệ thống."),
            )
        authority = check.choice(item, "authority_level", AuthorityLevel)
        if not item.versions:
            check.error(item, "versions", _("thủ tục phải có ít nhất một phiên bản."))
        seen_versions: dict[Any, Item] = {}
        versions = []
        for version_item in item.versions:
            version = _check_version(check, version_item)
            if version.effective_from != dt.date.min:
                check.unique(
                    seen_versions,
                    version.effective_from,
                    version_item,
                    "effective_from",
                    _("Phiên bản hiệu lực từ %(date)s của thủ tục %(code)s")
                    % {"date": version.effective_from.isoformat(), "code": code},
                )
            versions.append(version)
        procedures.append(ProcedureSpec(code, field_code, authority, versions))

    adoptions = _check_adoptions(check, data.adoptions, {p.code for p in procedures})
    if check.errors:
        raise CatalogueImportError(check.errors)
    return Catalogue(fields, procedures, adoptions)


def _check_version(check: _Checker, item: VersionItem) -> VersionSpec:
    # dt.date.min stands in for a bad date: its error is recorded, nothing will be written.
    effective_from = check.date(item, "effective_from") or dt.date.min
    name = check.text(item, "name", required=True, max_length=500)
    time = check.decimal(item, "processing_time", max_digits=7, places=2)
    time_unit = check.choice(item, "time_unit", TimeUnit)
    if time_unit == TimeUnit.SAME_DAY and time:
        check.invalid(
            item, "processing_time", _("%(value)s phải bằng 0 khi time_unit là same_day.")
        )
    step_items = _in_order(check, item.steps)
    shares = [_check_share(check, step) for step in step_items]
    valid_shares = [share for share in shares if share is not None]
    # Only a sum of valid shares means anything; a bad share has its own message.
    if step_items and len(valid_shares) == len(shares):
        total = sum(valid_shares, Decimal(0))
        if abs(total - SHARE_TOTAL) > SHARE_TOLERANCE:
            check.error(
                item.steps[0],
                "share",
                _("tổng tỷ lệ thời gian các bước của phiên bản là %(total)s, phải bằng 100.")
                % {"total": _decimal_text(total)},
            )
    return VersionSpec(
        effective_from=effective_from,
        name=name,
        processing_time=time if time is not None else Decimal(0),
        time_unit=time_unit,
        time_note=check.text(item, "time_note"),
        fee_note=check.text(item, "fee_note"),
        legal_basis=check.text(item, "legal_basis"),
        online_service=check.choice(item, "online_service", OnlineService),
        result_type=check.text(item, "result_type", max_length=300),
        conditions=check.text(item, "conditions"),
        keywords=check.text(item, "keywords"),
        published_by=check.text(item, "published_by", max_length=300),
        **_check_extended_time(check, item),
        documents=[_check_document(check, doc) for doc in _in_order(check, item.documents)],
        fees=[_check_fee(check, fee) for fee in _in_order(check, item.fees)],
        steps=[
            _check_step(check, step, share or Decimal(0))
            for step, share in zip(step_items, shares, strict=True)
        ],
    )


def _check_extended_time(check: _Checker, item: VersionItem) -> dict[str, Any]:
    """The optional longer time of a stated case: a positive amount with its unit and its
    condition, or none of the three."""
    raw = item.values.get("extended_time")
    given = not (raw is None or (isinstance(raw, str) and not raw.strip()))
    amount = check.decimal(item, "extended_time", max_digits=7, places=2) if given else None
    unit = check.choice(item, "extended_time_unit", TimeUnit, blank=not given)
    condition = check.text(item, "extended_time_condition", max_length=500)
    if given and amount is not None and amount <= 0 and unit != TimeUnit.SAME_DAY:
        check.invalid(item, "extended_time", _("%(value)s phải lớn hơn 0."))
    if given and not condition:
        check.error(
            item,
            "extended_time_condition",
            _("phải ghi trường hợp được áp dụng thời hạn kéo dài."),
        )
    if not given and unit:
        check.error(item, "extended_time", _("bắt buộc khi có extended_time_unit."))
    return {
        "extended_time": amount,
        "extended_time_unit": unit,
        "extended_time_condition": condition,
    }


def _in_order(check: _Checker, items: list[Item]) -> list[Item]:
    """Items in their order: xlsx rows carry a `position`, JSON lists are already in order."""
    if not items or "position" not in items[0].values:
        return items
    seen: dict[Any, Item] = {}
    keyed = []
    for index, item in enumerate(items):
        position = check.integer(item, "position", maximum=SMALL_INT_MAX)
        if position is not None:
            check.unique(
                seen, position, item, "position", _("Thứ tự %(position)d") % {"position": position}
            )
        keyed.append((position if position is not None else SMALL_INT_MAX + 1, index, item))
    return [item for _position, _index, item in sorted(keyed, key=lambda k: (k[0], k[1]))]


def _check_document(check: _Checker, item: Item) -> DocumentSpec:
    template = check.text(item, "form_template")
    if template and (
        template.startswith(("/", "\\"))
        or ".." in template.replace("\\", "/").split("/")
        or len(FORM_FOLDER + template) > FORM_PATH_MAX
    ):
        check.invalid(
            item,
            "form_template",
            _(
                "%(value)s không phải là tên tệp hợp lệ trong thư mục biểu mẫu (tối đa %(max)d ký tự)."
            ),
            max=FORM_PATH_MAX - len(FORM_FOLDER),
        )
    return DocumentSpec(
        name=check.text(item, "name", required=True, max_length=500),
        originals=check.integer(item, "originals", maximum=SMALL_INT_MAX) or 0,
        copies=check.integer(item, "copies", maximum=SMALL_INT_MAX) or 0,
        required=bool(check.boolean(item, "required")),
        form_template=template,
        note=check.text(item, "note", max_length=500),
    )


def _check_fee(check: _Checker, item: Item) -> FeeSpec:
    # PositiveBigIntegerField: the database's signed 64-bit range.
    amount = check.integer(item, "amount_vnd", maximum=2**63 - 1)
    return FeeSpec(
        name=check.text(item, "name", required=True, max_length=300),
        amount_vnd=amount or 0,
        note=check.text(item, "note", max_length=500),
    )


def _check_share(check: _Checker, item: Item) -> Decimal | None:
    share = check.decimal(item, "share", max_digits=5, places=2)
    if share is not None and share > SHARE_TOTAL:
        check.invalid(item, "share", _("%(value)s lớn hơn 100."))
        return None
    return share


def _check_step(check: _Checker, item: Item, share: Decimal) -> StepSpec:
    role = check.choice(item, "role", Role, blank=True)
    body = check.text(item, "body", max_length=300)
    if not role and not body:
        check.error(item, "role", _("bắt buộc khi không ghi cơ quan thực hiện (body)."))
    return StepSpec(
        name=check.text(item, "name", required=True, max_length=300),
        role=role,
        body=body,
        share=share,
    )


def _check_adoptions(
    check: _Checker, items: list[Item], procedures_in_file: set[str]
) -> list[AdoptionSpec]:
    unit_codes = {_cell_key(item.values.get("unit")) for item in items}
    procedure_codes = {_cell_key(item.values.get("procedure")) for item in items}
    units = Counter(
        Unit.objects.current().filter(code__in=unit_codes).values_list("code", flat=True)
    )
    known_procedures = procedures_in_file | set(
        Procedure.objects.filter(code__in=procedure_codes).values_list("code", flat=True)
    )
    adoptions = []
    seen: dict[Any, Item] = {}
    for item in items:
        unit = check.text(item, "unit", required=True)
        if unit and units[unit] == 0:
            check.invalid(
                item, "unit", _("%(value)s không phải là mã của một đơn vị đang hoạt động.")
            )
        elif units[unit] > 1:
            check.invalid(item, "unit", _("%(value)s trùng mã của nhiều đơn vị đang hoạt động."))
        procedure = check.text(item, "procedure", required=True)
        if procedure and procedure not in known_procedures:
            check.invalid(item, "procedure", _("%(value)s không có trong tệp hay trong hệ thống."))
        if unit and procedure:
            check.unique(
                seen,
                (unit, procedure),
                item,
                "procedure",
                _("Thủ tục %(procedure)s tại đơn vị %(unit)s")
                % {"procedure": procedure, "unit": unit},
            )
        implemented = check.boolean(item, "implemented")
        reason = check.text(item, "reason", max_length=500)
        if implemented is False and not reason:
            check.error(item, "reason", _("bắt buộc khi implemented là false (0)."))
        adoptions.append(AdoptionSpec(unit, procedure, bool(implemented), reason))
    return adoptions


# ---------------------------------------------------------------------------------------------
# Writing.


def import_catalogue(data: CatalogueData) -> ImportResult:
    """Validate `data` and, only if it has no error, write it all in one transaction.

    Fields are matched by code, procedures by code, versions by procedure and effective date
    (their documents, fees and steps are replaced when they differ), adoptions by unit and
    procedure. Importing the same file again changes nothing.
    """
    with transaction.atomic():
        catalogue = validate_catalogue(data)
        return _write(catalogue)


def _write(catalogue: Catalogue) -> ImportResult:
    result = ImportResult()
    field_codes = {spec.code for spec in catalogue.fields} | {p.field for p in catalogue.procedures}
    fields = {f.code: f for f in Field.objects.filter(code__in=field_codes)}
    renamed: list[Field] = []
    for spec in catalogue.fields:
        field = fields.get(spec.code)
        if field is None:
            fields[spec.code] = Field.objects.create(code=spec.code, name=spec.name)
            result.created["fields"] += 1
        elif field.name != spec.name:
            field.name = spec.name
            field.save(update_fields=["name"])
            renamed.append(field)
            result.updated["fields"] += 1
        else:
            result.unchanged["fields"] += 1

    stale: set[int] = set()  # procedures whose denormalised name/search text needs a refresh
    for procedure_spec in catalogue.procedures:
        procedure, status = _write_procedure(procedure_spec, fields[procedure_spec.field])
        result.add("procedures", status)
        if status == "updated":
            stale.add(procedure.pk)
        existing = {
            v.effective_from: v
            for v in procedure.versions.prefetch_related("documents", "fees", "steps")
        }
        for version_spec in procedure_spec.versions:
            status = _write_version(
                procedure, version_spec, existing.get(version_spec.effective_from)
            )
            result.add("versions", status)
    # The search text holds the field's name, so a renamed field touches all its procedures.
    for procedure in Procedure.objects.filter(
        models.Q(pk__in=stale) | models.Q(field__in=renamed)
    ).select_related("field"):
        procedure.refresh_denormalised()

    _write_adoptions(catalogue.adoptions, result)
    return result


def _write_procedure(spec: ProcedureSpec, field: Field) -> tuple[Procedure, str]:
    procedure = Procedure.objects.select_related("field").filter(code=spec.code).first()
    if procedure is None:
        procedure = Procedure.objects.create(
            code=spec.code, field=field, authority_level=spec.authority_level
        )
        return procedure, "created"
    if procedure.field_id == field.pk and procedure.authority_level == spec.authority_level:
        return procedure, "unchanged"
    procedure.field = field
    procedure.authority_level = spec.authority_level
    procedure.save(update_fields=["field", "authority_level"])
    return procedure, "updated"


def _write_version(
    procedure: Procedure, spec: VersionSpec, version: ProcedureVersion | None
) -> str:
    if version is None:
        version = ProcedureVersion(procedure=procedure, effective_from=spec.effective_from)
        for key, value in spec.scalars().items():
            setattr(version, key, value)
        version.save()
        _replace_children(version, spec)
        return "created"
    status = "unchanged"
    scalars = spec.scalars()
    current = _version_spec(version)
    scalars_differ = any(getattr(version, key) != value for key, value in scalars.items())
    children_differ = (current.documents, current.fees, current.steps) != (
        spec.documents,
        spec.fees,
        spec.steps,
    )
    if (scalars_differ or children_differ) and version.dossiers.exists():
        # A dossier keeps the version in force at its receipt: its content must not move under
        # it. The transaction around the import rolls back whatever was written before.
        raise CatalogueImportError(
            [
                _(
                    "Thủ tục %(code)s, phiên bản hiệu lực từ %(date)s đã được dùng cho hồ sơ: "
                    "không sửa được. Hãy thêm phiên bản mới với ngày hiệu lực khác."
                )
                % {"code": procedure.code, "date": version.effective_from.strftime("%d/%m/%Y")}
            ]
        )
    if scalars_differ:
        for key, value in scalars.items():
            setattr(version, key, value)
        version.procedure = procedure
        version.save()
        status = "updated"
    if children_differ:
        version.documents.all().delete()
        version.fees.all().delete()
        version.steps.all().delete()
        _replace_children(version, spec)
        status = "updated"
    return status


def _replace_children(version: ProcedureVersion, spec: VersionSpec) -> None:
    # Positions are stored 1, 2, 3… in file order whatever the file numbered them, so that a
    # JSON and an xlsx import of the same catalogue leave the same rows.
    RequiredDocument.objects.bulk_create(
        RequiredDocument(
            version=version,
            position=position,
            name=doc.name,
            originals=doc.originals,
            copies=doc.copies,
            required=doc.required,
            form_template=FORM_FOLDER + doc.form_template if doc.form_template else "",
            note=doc.note,
        )
        for position, doc in enumerate(spec.documents, start=1)
    )
    Fee.objects.bulk_create(
        Fee(
            version=version,
            position=position,
            name=fee.name,
            amount_vnd=fee.amount_vnd,
            note=fee.note,
        )
        for position, fee in enumerate(spec.fees, start=1)
    )
    StepTemplate.objects.bulk_create(
        StepTemplate(
            version=version,
            position=position,
            name=step.name,
            role=step.role,
            body=step.body,
            share=step.share,
        )
        for position, step in enumerate(spec.steps, start=1)
    )


def _write_adoptions(specs: list[AdoptionSpec], result: ImportResult) -> None:
    units = {u.code: u for u in Unit.objects.current().filter(code__in={s.unit for s in specs})}
    procedures = {
        p.code: p for p in Procedure.objects.filter(code__in={s.procedure for s in specs})
    }
    existing = {
        (a.unit_id, a.procedure_id): a
        for a in UnitProcedure.objects.filter(
            unit__in=units.values(), procedure__in=procedures.values()
        )
    }
    for spec in specs:
        unit, procedure = units[spec.unit], procedures[spec.procedure]
        adoption = existing.get((unit.pk, procedure.pk))
        if adoption is None:
            UnitProcedure.objects.create(
                unit=unit, procedure=procedure, implemented=spec.implemented, reason=spec.reason
            )
            result.created["adoptions"] += 1
        elif (adoption.implemented, adoption.reason) != (spec.implemented, spec.reason):
            adoption.implemented = spec.implemented
            adoption.reason = spec.reason
            adoption.save(update_fields=["implemented", "reason"])
            result.updated["adoptions"] += 1
        else:
            result.unchanged["adoptions"] += 1


# ---------------------------------------------------------------------------------------------
# Export.


def catalogue_from_db(queryset: models.QuerySet[Procedure] | None = None) -> Catalogue:
    """The catalogue as stored: all procedures, or those of `queryset`, with what they need.

    Adoptions are exported only for units in force today, the only ones an import accepts.
    """
    procedures = list(
        (queryset if queryset is not None else Procedure.objects.all())
        .select_related("field")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ProcedureVersion.objects.order_by("effective_from").prefetch_related(
                    Prefetch(
                        "documents", queryset=RequiredDocument.objects.order_by("position", "pk")
                    ),
                    Prefetch("fees", queryset=Fee.objects.order_by("position", "pk")),
                    Prefetch("steps", queryset=StepTemplate.objects.order_by("position", "pk")),
                ),
            )
        )
        .order_by("code")
    )
    if queryset is None:
        fields = list(Field.objects.order_by("code"))
    else:
        fields = sorted({p.field.code: p.field for p in procedures}.values(), key=lambda f: f.code)
    adoptions = (
        UnitProcedure.objects.filter(procedure__in=procedures, unit__in=Unit.objects.current())
        .select_related("unit", "procedure")
        .order_by("unit__code", "procedure__code")
    )
    return Catalogue(
        fields=[FieldSpec(f.code, f.name) for f in fields],
        procedures=[
            ProcedureSpec(
                code=p.code,
                field=p.field.code,
                authority_level=p.authority_level,
                versions=[_version_spec(v) for v in p.versions.all()],
            )
            for p in procedures
        ],
        adoptions=[
            AdoptionSpec(a.unit.code, a.procedure.code, a.implemented, a.reason) for a in adoptions
        ],
    )


def _version_spec(version: ProcedureVersion) -> VersionSpec:
    # `.all()` so that prefetched children are used during export; the Meta ordering
    # (position) applies when they are not.
    return VersionSpec(
        effective_from=version.effective_from,
        **{key: getattr(version, key) for key in VERSION_KEYS if key != "effective_from"},
        documents=[
            DocumentSpec(
                name=d.name,
                originals=d.originals,
                copies=d.copies,
                required=d.required,
                form_template=d.form_template.name.removeprefix(FORM_FOLDER)
                if d.form_template
                else "",
                note=d.note,
            )
            for d in version.documents.all()
        ],
        fees=[FeeSpec(f.name, f.amount_vnd, f.note) for f in version.fees.all()],
        steps=[
            StepSpec(s.name, s.role, s.body, s.share.normalize() + 0) for s in version.steps.all()
        ],
    )


def _decimal_text(value: Decimal) -> str:
    """`Decimal("10.00")` as "10", `Decimal("0.50")` as "0.5"."""
    return format(value.normalize(), "f")


def export_catalogue_json(queryset: models.QuerySet[Procedure] | None = None) -> dict[str, Any]:
    catalogue = catalogue_from_db(queryset)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "fields": [{"code": f.code, "name": f.name} for f in catalogue.fields],
        "procedures": [
            {
                "code": p.code,
                "field": p.field,
                "authority_level": p.authority_level,
                "versions": [_version_json(v) for v in p.versions],
            }
            for p in catalogue.procedures
        ],
        "adoptions": [
            {
                "unit": a.unit,
                "procedure": a.procedure,
                "implemented": a.implemented,
                "reason": a.reason,
            }
            for a in catalogue.adoptions
        ],
    }


def _version_json(version: VersionSpec) -> dict[str, Any]:
    scalars = version.scalars()
    if version.extended_time is None:
        # Most procedures have no longer time: their JSON stays as it was.
        for key in OPTIONAL_COLUMNS:
            scalars.pop(key)
    return {
        "effective_from": version.effective_from.isoformat(),
        **{
            key: _decimal_text(value) if isinstance(value, Decimal) else value
            for key, value in scalars.items()
        },
        "documents": [vars(doc) for doc in version.documents],
        "fees": [vars(fee) for fee in version.fees],
        "steps": [{**vars(step), "share": _decimal_text(step.share)} for step in version.steps],
    }


def export_catalogue_xlsx(queryset: models.QuerySet[Procedure] | None = None) -> bytes:
    catalogue = catalogue_from_db(queryset)
    rows: dict[str, list[list[Any]]] = {name: [] for name in SHEETS}
    rows["fields"] = [[f.code, f.name] for f in catalogue.fields]
    for p in catalogue.procedures:
        for v in p.versions:
            date = v.effective_from.isoformat()
            rows["procedures"].append(
                [p.code, p.field, p.authority_level, date]
                + [_cell(value) for value in v.scalars().values()]
            )
            for position, doc in enumerate(v.documents, start=1):
                rows["documents"].append(
                    [p.code, date, position, doc.name, doc.originals, doc.copies]
                    + [int(doc.required), doc.form_template, doc.note]
                )
            for position, fee in enumerate(v.fees, start=1):
                rows["fees"].append([p.code, date, position, fee.name, fee.amount_vnd, fee.note])
            for position, step in enumerate(v.steps, start=1):
                rows["steps"].append(
                    [p.code, date, position, step.name, step.role, step.body, _cell(step.share)]
                )
    rows["adoptions"] = [
        [a.unit, a.procedure, int(a.implemented), a.reason] for a in catalogue.adoptions
    ]

    workbook = openpyxl.Workbook(write_only=True)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(columns))
        for row in rows[name]:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    # Dates and codes stay text (Excel would reformat them); decimals become numbers so that
    # they can be edited as such, read back through str() without loss at 2 decimal places.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
