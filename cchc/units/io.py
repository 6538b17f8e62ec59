"""Import of administrative units (docs/formats.md, "Administrative units").

CSV and JSON are read into the same raw rows; one validator checks the whole file (collecting
every error, naming row and column, with the import checker the catalogue shares:
cchc.lib.importing) and one writer stores it in a single transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as list_field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.importing import (
    ImportFileError,
    Item,
    RowChecker,
    Where,
    load_json_object,
    make_item,
    show,
)
from cchc.units.choices import UnitKind
from cchc.units.models import Unit, UnitSuccession

FORMAT = "cchc-units"
FORMAT_VERSION = 1
COLUMNS = (
    "code",
    "name",
    "kind",
    "parent_code",
    "agency_identifier",
    "valid_from",
    "valid_to",
    "successor_codes",
    "succession_date",
    "legal_basis",
    "address",
    "hotline",
    "email",
)
REQUIRED_COLUMNS = ("code", "name", "kind")

# A unit is identified by (code, valid_from): the same code may come back after a merger.
Key = tuple[str, dt.date | None]


class UnitImportError(ImportFileError):
    """The file has errors; `messages` lists every one of them. Nothing was written."""


# One unit as found in the file: its text values, and where it came from for messages (a CSV
# line as a spreadsheet numbers it, the header being line 1; or a JSON path, units[3]).
Row = Item


@dataclass
class UnitsData:
    rows: list[Row] = list_field(default_factory=list)
    errors: list[str] = list_field(default_factory=list)


@dataclass
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: Key | None
    agency_identifier: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    successors: list[Key]
    succession_date: dt.date | None
    legal_basis: str
    address: str
    hotline: str
    email: str

    @property
    def key(self) -> Key:
        return (self.code, self.valid_from)


@dataclass
class UnitsResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    successions_unchanged: int = 0

    def summary(self) -> str:
        return _(
            "Đơn vị: %(created)d thêm mới, %(updated)d cập nhật, %(unchanged)d không đổi.\n"
            "Kế thừa: %(s_created)d thêm mới, %(s_updated)d cập nhật, %(s_unchanged)d không đổi."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "s_created": self.successions_created,
            "s_updated": self.successions_updated,
            "s_unchanged": self.successions_unchanged,
        }


# ---------------------------------------------------------------------------------------------
# Reading.


def parse_units_csv(data: bytes | str) -> UnitsData:
    out = UnitsData()
    if isinstance(data, bytes):
        try:
            # utf-8-sig: spreadsheets often save UTF-8 CSV with a byte-order mark.
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            out.errors.append(_("Tệp CSV phải được lưu với bảng mã UTF-8."))
            return out
    reader = csv.reader(io.StringIO(data.removeprefix("\ufeff")))
    header = [column.strip() for column in next(reader, [])]
    _check_columns(header, out, Where(row=1).at)
    if out.errors:
        return out
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            out.errors.append(
                _("Dòng %(row)d: có %(cells)d ô, nhiều hơn %(columns)d cột của dòng tiêu đề.")
                % {"row": number, "cells": len(cells), "columns": len(header)}
            )
            continue
        values = {column: cell for column, cell in zip(header, cells, strict=False) if column}
        out.rows.append(make_item(values, Where(row=number), out.errors))
    return out


def parse_units_json(data: bytes | str) -> UnitsData:
    out = UnitsData()
    shape = _('Tệp JSON phải là {"format": "cchc-units", "version": 1, "units": […]}.')
    doc = load_json_object(data, out.errors, shape)
    if doc is None:
        return out
    if not isinstance(doc.get("units"), list):
        out.errors.append(shape)
        return out
    if doc.get("format") != FORMAT or doc.get("version") != FORMAT_VERSION:
        out.errors.append(
            _('format, version: phải là "%(format)s", %(version)d.')
            % {"format": FORMAT, "version": FORMAT_VERSION}
        )
    for index, obj in enumerate(doc["units"]):
        path = f"units[{index}]"
        if not isinstance(obj, dict):
            out.errors.append(_("%(path)s: phải là một đối tượng {…}.") % {"path": path})
            continue
        _check_columns(list(obj), out, Where(path=path).at, header=False)
        values = {}
        for column in COLUMNS:
            value = obj.get(column)
            if column == "successor_codes" and isinstance(value, list):
                value = ";".join(str(code) for code in value)
            if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
                out.errors.append(
                    _("%(path)s.%(column)s: phải là chuỗi ký tự.")
                    % {"path": path, "column": column}
                )
                value = None
            values[column] = "" if value is None else str(value)
        out.rows.append(make_item(values, Where(path=path), out.errors))
    return out


def _check_columns(
    columns: list[str], out: UnitsData, at: Callable[[str], str], *, header: bool = True
) -> None:
    for column in columns:
        if column not in COLUMNS:
            out.errors.append(
                _("%(where)s: cột không hợp lệ (các cột: %(columns)s).")
                % {"where": at(column), "columns": ", ".join(COLUMNS)}
            )
    # A JSON object may leave out any key (an empty value); a CSV header needs the required ones.
    if header:
        for column in REQUIRED_COLUMNS:
            if column not in columns:
                out.errors.append(_('Thiếu cột "%(column)s".') % {"column": column})


# ---------------------------------------------------------------------------------------------
# Validation.


@dataclass(frozen=True)
class _Known:
    """A unit that rows may point at: one of the database, or one earlier in the file."""

    code: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    parent: Key | None

    @property
    def key(self) -> Key:
        return (self.code, self.valid_from)

    def covers(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )


def _pick(candidates: list[_Known], on: dt.date) -> _Known | None:
    """The unit a code means on a date: the one in force then, or the code's only unit."""
    if len(candidates) == 1:
        return candidates[0]
    in_force = [c for c in candidates if c.covers(on)]
    return in_force[0] if len(in_force) == 1 else None


def validate_units(data: UnitsData) -> list[UnitSpec]:
    """Check the whole file; raise UnitImportError with every message if anything is wrong."""
    check = RowChecker(list(data.errors))
    by_code: dict[str, list[_Known]] = {}
    for unit in Unit.objects.select_related("parent").order_by("pk"):
        db_parent = (unit.parent.code, unit.parent.valid_from) if unit.parent else None
        by_code.setdefault(unit.code, []).append(
            _Known(unit.code, unit.valid_from, unit.valid_to, db_parent)
        )
    # Successors may come later in the file, so they are resolved against every row.
    in_file: dict[str, list[_Known]] = {}
    specs: list[UnitSpec] = []
    first_row: dict[Key, Row] = {}
    successors_by_row: list[list[str]] = []
    today = timezone.localdate()

    for row in data.rows:
        code = check.text(row, "code", required=True, max_length=40)
        kind = check.text(row, "kind", required=True, max_length=20)
        if kind and kind not in UnitKind.values:
            check.invalid(
                row,
                "kind",
                _("%(value)s không hợp lệ (%(kinds)s)."),
                kinds=", ".join(UnitKind.values),
            )
        valid_from = check.optional_date(row, "valid_from")
        valid_to = check.optional_date(row, "valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            check.invalid(row, "valid_to", _("%(value)s trước ngày valid_from."))
        email = check.text(row, "email", max_length=254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                check.invalid(
                    row, "email", _("%(value)s không phải là địa chỉ thư điện tử hợp lệ.")
                )

        key: Key = (code, valid_from)
        if code:
            first = first_row.setdefault(key, row)
            if first is not row:
                check.invalid(
                    row,
                    "code",
                    _("%(value)s (cùng valid_from) trùng với %(first)s."),
                    first=first.where.at("code"),
                )

        # The parent: earlier in the file (rows before this one override the database), or
        # in the database; among several units with that code, the one in force on this
        # unit's first day.
        parent: Key | None = None
        parent_code = check.text(row, "parent_code", max_length=40)
        if parent_code:
            candidates = _merge(by_code.get(parent_code, []), in_file.get(parent_code, []))
            chosen = _pick(candidates, valid_from or valid_to or today)
            if not candidates:
                check.invalid(
                    row,
                    "parent_code",
                    _("%(value)s không có ở các dòng trước hay trong hệ thống."),
                )
            elif chosen is None:
                check.invalid(
                    row,
                    "parent_code",
                    _("%(value)s ứng với nhiều đơn vị; không xác định được đơn vị cấp trên."),
                )
            else:
                parent = chosen.key
        if kind == UnitKind.PROVINCE and parent_code:
            check.error(row, "parent_code", _("tỉnh không có đơn vị cấp trên."))

        succession_date = check.optional_date(row, "succession_date")
        successor_codes = [
            c.strip() for c in row.values.get("successor_codes", "").split(";") if c.strip()
        ]
        if successor_codes and succession_date is None and valid_to is None:
            check.error(
                row, "succession_date", _("bắt buộc khi có successor_codes mà không có valid_to.")
            )
        if code:
            in_file.setdefault(code, []).append(_Known(code, valid_from, valid_to, parent))
        successors_by_row.append(successor_codes)
        specs.append(
            UnitSpec(
                code=code,
                name=check.text(row, "name", required=True, max_length=200),
                kind=kind,
                parent=parent,
                agency_identifier=check.text(row, "agency_identifier", max_length=40),
                valid_from=valid_from,
                valid_to=valid_to,
                successors=[],  # resolved below, once every row is known
                succession_date=succession_date
                or (valid_to + dt.timedelta(days=1) if valid_to else None),
                legal_basis=check.text(row, "legal_basis", max_length=300),
                address=check.text(row, "address", max_length=300),
                hotline=check.text(row, "hotline", max_length=40),
                email=email,
            )
        )

    for spec, row, successor_codes in zip(specs, data.rows, successors_by_row, strict=True):
        for successor_code in successor_codes:
            candidates = _merge(by_code.get(successor_code, []), in_file.get(successor_code, []))
            chosen = _pick(candidates, spec.succession_date or today)
            if chosen is None:
                check.invalid(
                    row,
                    "successor_codes",
                    _("%(code)s không có trong tệp hay trong hệ thống.")
                    if not candidates
                    else _("%(code)s ứng với nhiều đơn vị; không xác định được đơn vị kế thừa."),
                    code=show(successor_code),
                )
            elif chosen.key == spec.key:
                check.error(row, "successor_codes", _("đơn vị không thể kế thừa chính nó."))
            else:
                spec.successors.append(chosen.key)

    _check_cycles(check, specs, data.rows, by_code)
    if check.errors:
        raise UnitImportError(check.errors)
    return specs


def _merge(in_db: list[_Known], in_file: list[_Known]) -> list[_Known]:
    """Units with one code: the file's rows replace the database's with the same key."""
    merged = {known.key: known for known in in_db}
    merged.update({known.key: known for known in in_file})
    return list(merged.values())


def _check_cycles(
    check: RowChecker, specs: list[UnitSpec], rows: list[Row], by_code: dict[str, list[_Known]]
) -> None:
    # Re-parenting an existing unit under one of its own descendants would make Unit.save
    # re-root the subtree forever; refuse it here.
    parents: dict[Key, Key | None] = {
        known.key: known.parent for units in by_code.values() for known in units
    }
    parents.update({spec.key: spec.parent for spec in specs})
    for spec, row in zip(specs, rows, strict=True):
        seen = {spec.key}
        current = spec.parent
        while current is not None:
            if current in seen:
                check.invalid(
                    row, "parent_code", _("%(value)s tạo thành vòng lặp đơn vị cấp trên.")
                )
                break
            seen.add(current)
            current = parents.get(current)


# ---------------------------------------------------------------------------------------------
# Writing.


def import_units(data: UnitsData) -> UnitsResult:
    """Validate `data` and, only if it has no error, write it all in one transaction.

    Units are matched by (code, valid_from); successions by predecessor and successor.
    Importing the same file again changes nothing.
    """
    with transaction.atomic():
        specs = validate_units(data)
        return _write(specs)


def _find(key: Key) -> Unit | None:
    code, valid_from = key
    # filter(valid_from=None) is an IS NULL test, which is what an open start means.
    return Unit.objects.filter(code=code, valid_from=valid_from).select_related("parent").first()


def _write(specs: list[UnitSpec]) -> UnitsResult:
    result = UnitsResult()
    written: dict[Key, Unit] = {}

    def unit_for(key: Key) -> Unit:
        if key not in written:
            unit = _find(key)
            assert unit is not None, key  # the validator resolved it
            written[key] = unit
        return written[key]

    # File order puts every parent before its children, so each parent has its final path
    # when a child computes its own.
    for spec in specs:
        parent = unit_for(spec.parent) if spec.parent else None
        values = {
            "name": spec.name,
            "kind": spec.kind,
            "parent_id": parent.pk if parent else None,
            "agency_identifier": spec.agency_identifier,
            "valid_to": spec.valid_to,
            "address": spec.address,
            "hotline": spec.hotline,
            "email": spec.email,
        }
        unit = _find(spec.key)
        if unit is None:
            unit = Unit(code=spec.code, valid_from=spec.valid_from)
            result.created += 1
        elif any(getattr(unit, name) != value for name, value in values.items()):
            result.updated += 1
        else:
            written[spec.key] = unit
            result.unchanged += 1
            continue
        for name, value in values.items():
            setattr(unit, name, value)
        unit.parent = parent
        unit.save()
        written[spec.key] = unit

    for spec in specs:
        for successor_key in spec.successors:
            assert spec.succession_date is not None  # the validator requires it
            _write_succession(
                result,
                unit_for(spec.key),
                unit_for(successor_key),
                spec.succession_date,
                spec.legal_basis,
            )
    return result


def _write_succession(
    result: UnitsResult, predecessor: Unit, successor: Unit, on: dt.date, legal_basis: str
) -> None:
    succession = UnitSuccession.objects.filter(predecessor=predecessor, successor=successor).first()
    if succession is None:
        UnitSuccession.objects.create(
            predecessor=predecessor, successor=successor, effective_on=on, legal_basis=legal_basis
        )
        result.successions_created += 1
    elif (succession.effective_on, succession.legal_basis) != (on, legal_basis):
        succession.effective_on = on
        succession.legal_basis = legal_basis
        succession.save(update_fields=["effective_on", "legal_basis"])
        result.successions_updated += 1
    else:
        result.successions_unchanged += 1
