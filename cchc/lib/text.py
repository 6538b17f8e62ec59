"""Vietnamese text normalisation for search: citizens type without diacritics, in any order."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Each character's folded form, filled as characters are met: folding a whole catalogue is then
# one str.translate instead of a Python loop over every character.
_FOLDED: dict[int, str] = {}


def _fold_char(char: str) -> str:
    if char == "đ":
        return "d"
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse punctuation to single spaces.

    >>> fold("Đăng ký khai sinh!")
    'dang ky khai sinh'
    """
    lowered = text.lower()
    for char in set(lowered):
        if ord(char) not in _FOLDED:
            _FOLDED[ord(char)] = _fold_char(char)
    return _NON_WORD.sub(" ", lowered.translate(_FOLDED)).strip()


def words(text: str) -> list[str]:
    return fold(text).split()
