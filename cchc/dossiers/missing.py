"""What a dossier lacks, item by item with its reason (Mẫu 02: "nội dung cần bổ sung, lý do").

Events store a list of `{"name", "reason"}`; those recorded before reasons were kept hold plain
strings, and every reader goes through `missing_lines` so both read the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# On a page, one line per item: "Giấy chứng sinh — bản sao không rõ" (also "|" or " - ").
_SEPARATOR = re.compile(r"\s+[—–-]\s+|\s*\|\s*")


@dataclass(frozen=True)
class MissingItem:
    name: str
    reason: str = ""

    @classmethod
    def parse(cls, line: str) -> MissingItem:
        name, _sep, reason = (part.strip() for part in _partition(line))
        return cls(name, reason)

    def as_data(self) -> dict[str, str]:
        return {"name": self.name.strip(), "reason": self.reason.strip()}


def _partition(line: str) -> tuple[str, str, str]:
    match = _SEPARATOR.search(line)
    if match is None:
        return line, "", ""
    return line[: match.start()], match.group(0), line[match.end() :]


def clean_items(items: Sequence[str | MissingItem | dict[str, Any]]) -> list[dict[str, str]]:
    """The non-empty items as event data."""
    out = []
    for item in items:
        if isinstance(item, str):
            item = MissingItem(item)
        elif isinstance(item, dict):
            item = MissingItem(str(item.get("name", "")), str(item.get("reason", "") or ""))
        data = item.as_data()
        if data["name"]:
            out.append(data)
    return out


def missing_lines(raw: Iterable[Any]) -> list[str]:
    """Each item as one line of text, "name (reason)", for messages and pages."""
    lines = []
    for entry in raw:
        if isinstance(entry, dict):
            name, reason = str(entry.get("name", "")), str(entry.get("reason", "") or "")
            lines.append(f"{name} ({reason})" if reason else name)
        else:
            lines.append(str(entry))
    return lines
