"""Every user-facing string has an English translation, and the compiled catalogue is current."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def po_entries() -> dict[str, str]:
    """msgid → msgstr (or msgstr[0]) of the .po file; enough of the format for our catalogue."""
    entries: dict[str, str] = {}
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        parts: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?|msgstr\[\d\]) (".*")$', line)
            if m:
                key = m.group(1)
                parts[key] = ast.literal_eval(m.group(2))
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
        if parts.get("msgid"):
            # A fuzzy entry is a guess by makemessages, not a translation.
            fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
            entries[parts["msgid"]] = (
                "" if fuzzy else parts.get("msgstr", parts.get("msgstr[0]", ""))
            )
    return entries


def test_every_string_is_translated() -> None:
    untranslated = [msgid for msgid, msgstr in po_entries().items() if not msgstr]
    assert untranslated == [], "run `make messages` and translate these"


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with (LOCALE / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = [msgid for msgid, msgstr in po_entries().items() if catalogue.gettext(msgid) != msgstr]
    assert stale == [], "recompile: make messages"
