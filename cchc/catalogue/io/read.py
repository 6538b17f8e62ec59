"""Reading a catalogue file, JSON or xlsx, into the raw `CatalogueData` the checker reads.

Both readers keep values as found and where they came from; problems with the file's structure
(unreadable file, unknown key, sheet or column, orphan row) are collected in `errors`.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO, Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from cchc.catalogue.io.shapes import (
    ADOPTION_KEYS,
    CHILD_KEYS,
    CHILD_SHEETS,
    DOCUMENT_KEYS,
    FEE_KEYS,
    FIELD_KEYS,
    FORMAT,
    FORMAT_VERSION,
    OPTIONAL_COLUMNS,
    PROCEDURE_KEYS,
    SHEETS,
    STEP_KEYS,
    VERSION_KEYS,
    CatalogueData,
    ProcedureItem,
    VersionItem,
)
from cchc.lib.importing import Item, Where, cell_text, load_json_object, make_item, show

# ---------------------------------------------------------------------------------------------
# Reading JSON.


def parse_catalogue_json(data: bytes | str) -> CatalogueData:
    out = CatalogueData()
    doc = load_json_object(data, out.errors, _("Tệp JSON phải là một đối tượng {…}."))
    if doc is None:
        return out
    if doc.get("format") != FORMAT:
        out.errors.append(
            _('format: %(value)s không hợp lệ (phải là "%(format)s").')
            % {"value": show(doc.get("format")), "format": FORMAT}
        )
    if doc.get("version") != FORMAT_VERSION:
        out.errors.append(
            _("version: %(value)s không được hỗ trợ (phải là %(version)d).")
            % {"value": show(doc.get("version")), "version": FORMAT_VERSION}
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
    return make_item({key: obj.get(key) for key in keys}, Where(path=path), out.errors)


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
        code = cell_text(row.values["code"])
        procedure = procedures.get(code) if code else None
        if procedure is None:
            procedure = ProcedureItem({k: row.values[k] for k in PROCEDURE_KEYS}, row.where)
            out.procedures.append(procedure)
            if code:
                procedures[code] = procedure
        else:
            for key in ("field", "authority_level"):
                if cell_text(row.values[key]) != cell_text(procedure.values[key]):
                    out.errors.append(
                        _("%(where)s: %(value)s khác với %(first)s của cùng thủ tục %(code)s.")
                        % {
                            "where": row.where.at(key),
                            "value": show(row.values[key]),
                            "first": procedure.where.at(key),
                            "code": code,
                        }
                    )
        version = VersionItem({k: row.values.get(k) for k in VERSION_KEYS}, row.where)
        procedure.versions.append(version)
        versions.setdefault((code, cell_text(row.values["effective_from"])), version)

    for sheet in CHILD_SHEETS:
        for row in sheets.get(sheet, []):
            ref = (cell_text(row.values["procedure"]), cell_text(row.values["effective_from"]))
            parent = versions.get(ref)
            if parent is None:
                out.errors.append(
                    _(
                        '%(where)s: không có dòng nào trong trang "procedures" với code %(code)s '
                        "và effective_from %(date)s."
                    )
                    % {
                        "where": row.where.at("procedure"),
                        "code": show(ref[0]),
                        "date": show(ref[1]),
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
        items.append(make_item(values, Where(sheet=name, row=number), out.errors))
    return items
