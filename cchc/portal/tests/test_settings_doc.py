"""Every environment variable the settings read is documented in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_setting_read_from_the_environment_is_documented() -> None:
    sources = (ROOT / "cchc" / "settings.py").read_text() + (
        ROOT / "cchc" / "portal" / "management" / "commands" / "serve.py"
    ).read_text()
    used = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', sources))
    used |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', sources))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.M))
    assert used, "the settings read no variable: the regular expressions are wrong"
    assert used - documented == set()
