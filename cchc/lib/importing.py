"""The checker every file import shares (units, the procedure catalogue): values read out of the
file's rows into typed values, every error collected with the place it was found (a sheet row,
a CSV line or a JSON path) and the column, and one report: `ImportFileError.messages`.

An import reads its file into `Item`s (values as found, and where: `make_item`), checks them all with one
`RowChecker` that records each error instead of stopping at the first, and raises
`ImportFileError` with the whole list when any was found: nothing is written, and the person
fixes the file in one go. The management commands (cchc.lib.commands) print that list.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DIGITS = re.compile(r"^\d+$")


class ImportFileError(Exception):
    """The file has errors; `messages` lists every one of them. Nothing was written."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Where:
    """Where an item came from, so that a message can name it: a sheet row, a JSON path or a
    CSV line (numbered as a spreadsheet numbers it: the header is line 1)."""

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
        if self.path:
            return f"{self.path}.{key}"
        if self.row:
            return _('Dòng %(row)d, cột "%(column)s"') % {"row": self.row, "column": key}
        return key


@dataclass
class Item:
    """One object of the file with its values as found there (str, number, date, bool, None)."""

    values: dict[str, Any]
    where: Where


def make_item(values: dict[str, Any], where: Where, errors: list[str]) -> Item:
    """An item of the file as read, its NUL characters refused.

    PostgreSQL refuses NUL in text, so a value holding one would fail the import's look-ups or
    its writes with a database error. It is an error of the file, named like any other, and the
    NUL is dropped so that the checks and look-ups after reading see text the database holds.
    """
    for key, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            errors.append(f"{where.at(key)}: {_('có ký tự không hợp lệ (NUL).')}")
            values[key] = value.replace("\x00", "")
    return Item(values, where)


def load_json_object(
    data: bytes | str, errors: list[str], not_an_object: str
) -> dict[str, Any] | None:
    """The file's JSON object; None, with the error recorded, when it is not JSON or not an
    object (`not_an_object` says what the format wants)."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        errors.append(_("Không đọc được tệp JSON: %(error)s") % {"error": exc})
        return None
    if not isinstance(doc, dict):
        errors.append(not_an_object)
        return None
    return doc


def show(value: Any) -> str:
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


def cell_text(value: Any) -> str:
    """A cell as text, the way it matches rows across sheets (a date cell as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class RowChecker:
    """Reads typed values out of items, recording an error for each one that is wrong."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors

    def error(self, item: Item, key: str, message: str) -> None:
        self.errors.append(f"{item.where.at(key)}: {message}")

    def invalid(self, item: Item, key: str, message: str, **params: Any) -> None:
        """An error about the value itself: `message` shows it as %(value)s."""
        self.error(item, key, message % {"value": show(item.values.get(key)), **params})

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
            value = cell_text(raw)
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
        """A required date: a date cell or YYYY-MM-DD."""
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

    def optional_date(self, item: Item, key: str) -> dt.date | None:
        """A date typed as text, YYYY-MM-DD or dd/mm/yyyy (as people write it); blank is None."""
        value = self.text(item, key)
        if not value:
            return None
        try:
            if _ISO_DATE.match(value):
                return dt.date.fromisoformat(value)
            match = _VN_DATE.match(value)
            if match:
                day, month, year = (int(part) for part in match.groups())
                return dt.date(year, month, day)
        except ValueError:
            pass
        self.invalid(
            item, key, _("%(value)s không phải là ngày hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy).")
        )
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
