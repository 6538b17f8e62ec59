"""Vietnamese text normalisation for search: citizens type without diacritics, in any order."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

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


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
# The Unicode Collation Algorithm (pyuca's DUCET table) treats đ, ă, â, ê, ô, ơ and ư as
# accented d, a, e, o and u, so "Ân" would sort before "Anh" and "Ưu đãi" before
# "Uỷ thác". Those seven letters are made letters of their own by following the base letter with a
# character whose primary weight comes after every Latin letter (Greek alpha, beta), which keeps
# ă before b, as the alphabet wants. Tone marks stay secondary differences, as in a dictionary.
_ALPHA, _BETA = "\u03b1", "\u03b2"
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_LETTER_MARKS = {
    ("a", _BREVE): _ALPHA,
    ("a", _CIRCUMFLEX): _BETA,
    ("e", _CIRCUMFLEX): _ALPHA,
    ("o", _CIRCUMFLEX): _ALPHA,
    ("o", _HORN): _BETA,
    ("u", _HORN): _ALPHA,
}
_collator: Any = None
T = TypeVar("T")


def _tailored(text: str) -> str:
    out: list[str] = []
    base = ""
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            sentinel = _LETTER_MARKS.get((base.lower(), char))
            if sentinel is not None:
                out.append(sentinel)
                continue
        else:
            base = char
            if char in "đĐ":  # no decomposition; DUCET makes it a d with a secondary difference
                out.append("D" if char == "Đ" else "d")
                out.append(_ALPHA)
                continue
        out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=8192)
def collation_key(text: str) -> tuple[int, ...]:
    """A sort key putting names in Vietnamese alphabetical order: "Dân tộc" < "Đất đai" <
    "Giáo dục", "Anh" < "Ân xá", "Uỷ thác" < "Ưu đãi" (code-point order puts every Đ last)."""
    global _collator
    if _collator is None:
        from pyuca import Collator

        _collator = Collator()
    return cast(tuple[int, ...], _collator.sort_key(_tailored(text or "")))


def vi_sorted(items: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """`items` in Vietnamese alphabetical order of `key(item)` (default: the item's name, else
    the item itself as text). For the lists of names people read: fields, units, procedures,
    staff. Stable, so an earlier order by code survives among equal names."""
    if key is None:

        def key(item: T) -> str:
            return str(getattr(item, "name", item))

    return sorted(items, key=lambda item: collation_key(key(item)))


# The same order inside the database, so that paginated lists and form choices need no Python
# sort: PostgreSQL's ICU collation for Vietnamese, or on SQLite (demo, tests) a collation of that
# name registered on each connection from `collation_key` (see register_sqlite_collation).
PG_VI_COLLATION = "vi-x-icu"
SQLITE_VI_COLLATION = "vi"


def by_name(field: str = "name", *, descending: bool = False) -> Any:
    """An order_by() term sorting `field` in Vietnamese alphabetical order:
    `Unit.objects.order_by(by_name())`, `procedures.order_by(by_name("field__name"), by_name())`."""
    from django.db import connection
    from django.db.models import F
    from django.db.models.functions import Collate

    if connection.vendor == "postgresql":
        term: Any = Collate(F(field), PG_VI_COLLATION)
    elif connection.vendor == "sqlite":
        term = Collate(F(field), SQLITE_VI_COLLATION)
    else:
        term = F(field)
    return term.desc() if descending else term.asc()


def _compare(left: str, right: str) -> int:
    a, b = collation_key(left), collation_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: teaches each SQLite connection the "vi" collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_VI_COLLATION, _compare)


def person_key(full_name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A sort key for people's names the Vietnamese way: by given name (the last word), then by
    the whole name, so "Lê Văn Hùng" comes before "Nguyễn Thị Lan" and "Trần Văn An" before both.
    """
    words_ = (full_name or "").split()
    given = words_[-1] if words_ else ""
    return collation_key(given), collation_key(full_name or "")
