"""Vietnamese text normalisation for search: citizens type without diacritics, in any order."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse punctuation to single spaces.

    >>> fold("Đăng ký khai sinh!")
    'dang ky khai sinh'
    """
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _NON_WORD.sub(" ", stripped).strip()


def words(text: str) -> list[str]:
    return fold(text).split()
