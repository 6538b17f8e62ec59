"""Number and symbol (số, ký hiệu) of an official document, as Vietnamese administration writes
them (Decree 30/2020/NĐ-CP, Phụ lục I mục II.3 and Phụ lục III):

    "20/KH-UBND"        number 20, type KH (kế hoạch), issued by UBND
    "05/BC-UBND"        number 5 (written with a leading 0 below 10)
    "125/QĐ-UBND"       quyết định
    "123/UBND-VP"       công văn: no type abbreviation, the issuing body then the drafting office
    "05/2025/QĐ-UBND"   a legal normative document carries its year

Pure functions: the table of abbreviations is passed in (it is data, `DocumentType` rows), so the
rules can be tested without a database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cchc.lib.text import fold

MAX_NUMBER_DIGITS = 6
MAX_SYMBOL_CHARS = 60
# "Số: 20/KH-UBND", "Số 20/KH-UBND", "so 20/KH-UBND": the word people copy from the header.
_PREFIX = re.compile(r"^\s*(số|so)\s*[:.]?\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class InvalidReference(ValueError):
    """The number and symbol cannot be read; the message says why, for the person typing it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Reference:
    number: int
    year: int | None  # only a legal normative document writes its year in the number
    type_key: str
    abbreviation: str  # "" for a công văn
    issuer: str  # "UBND", "UBND-VP"
    symbol: str  # everything after the number (and year): "KH-UBND", "UBND-VP"

    @property
    def text(self) -> str:
        """The canonical form: a leading 0 below 10, as the header prints it."""
        year = f"{self.year}/" if self.year else ""
        return f"{self.number:02d}/{year}{self.symbol}"

    @property
    def key(self) -> str:
        """What search compares with (`search_key`): the number without leading zeros and the
        folded symbol, so "5/bc-ubnd" finds "05/BC-UBND"."""
        return f"{self.number} {fold(self.symbol)}"


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    return _SPACES.sub("", _PREFIX.sub("", text, count=1))


def _match_type(segment: str, abbreviations: Mapping[str, str]) -> str | None:
    """The table's abbreviation `segment` stands for: exact, then ignoring case, then ignoring
    diacritics ("QD" for "QĐ") when that is not ambiguous ("DA" is dự án, "ĐA" đề án)."""
    if segment in abbreviations and segment:
        return segment
    known = [a for a in abbreviations if a]
    by_case = [a for a in known if a.casefold() == segment.casefold()]
    if len(by_case) == 1:
        return by_case[0]
    by_fold = [a for a in known if fold(a) == fold(segment)]
    if len(by_fold) == 1:
        return by_fold[0]
    return None


def parse_reference(text: str, abbreviations: Mapping[str, str]) -> Reference:
    """The number and symbol typed by an officer, read against `abbreviations` (type
    abbreviation → type key; the empty abbreviation is the công văn's). Raises InvalidReference
    with the reason when it cannot be one."""
    cleaned = _clean(text)
    if not cleaned:
        raise InvalidReference(_("Chưa nhập số, ký hiệu văn bản (ví dụ 20/KH-UBND)."))
    if "/" not in cleaned:
        raise InvalidReference(_("Thiếu dấu “/” giữa số và ký hiệu văn bản (ví dụ 20/KH-UBND)."))
    parts = cleaned.split("/")
    if len(parts) > 3:
        raise InvalidReference(
            _("Số, ký hiệu có quá nhiều dấu “/”: chỉ có số, năm (nếu có) và ký hiệu.")
        )
    number_text, symbol = parts[0], parts[-1]
    year: int | None = None
    if not number_text:
        raise InvalidReference(_("Thiếu số văn bản trước dấu “/” (ví dụ 20/KH-UBND)."))
    if not number_text.isascii() or not number_text.isdigit():
        raise InvalidReference(
            _("Số văn bản phải là chữ số (ví dụ 20 hoặc 05), không phải “%(text)s”.")
            % {"text": number_text}
        )
    if len(number_text.lstrip("0")) > MAX_NUMBER_DIGITS:
        raise InvalidReference(_("Số văn bản dài quá %(n)s chữ số.") % {"n": MAX_NUMBER_DIGITS})
    number = int(number_text)
    if number == 0:
        raise InvalidReference(_("Số văn bản bắt đầu từ 01, không thể là 0."))
    if len(parts) == 3:
        middle = parts[1]
        if not (len(middle) == 4 and middle.isascii() and middle.isdigit()):
            raise InvalidReference(
                _("Giữa số và ký hiệu chỉ có năm ban hành (4 chữ số), không phải “%(text)s”.")
                % {"text": middle}
            )
        year = int(middle)
    if not symbol:
        raise InvalidReference(_("Thiếu ký hiệu văn bản sau dấu “/” (ví dụ 20/KH-UBND)."))
    if len(symbol) > MAX_SYMBOL_CHARS:
        raise InvalidReference(_("Ký hiệu văn bản dài quá %(n)s ký tự.") % {"n": MAX_SYMBOL_CHARS})
    bad = sorted({c for c in symbol if not (c.isalnum() or c == "-")})
    if bad:
        raise InvalidReference(
            _("Ký hiệu chỉ gồm chữ, số và dấu “-”; có ký tự không hợp lệ: %(chars)s")
            % {"chars": " ".join(f"“{c}”" for c in bad)}
        )
    segments = symbol.split("-")
    if any(not s for s in segments):
        raise InvalidReference(
            _("Ký hiệu “%(symbol)s” có đoạn trống: các chữ viết tắt cách nhau một dấu “-”.")
            % {"symbol": symbol}
        )
    abbreviation = _match_type(segments[0], abbreviations)
    if abbreviation is not None:
        if len(segments) == 1:
            raise InvalidReference(
                _(
                    "Thiếu chữ viết tắt tên cơ quan ban hành sau “%(abbr)s-” "
                    "(ví dụ %(number)s/%(abbr)s-UBND)."
                )
                % {"abbr": abbreviation, "number": number_text}
            )
        issuer_segments = segments[1:]
    elif "" in abbreviations:
        # No type abbreviation: a công văn, whose symbol is the issuing body (and its office).
        abbreviation = ""
        issuer_segments = segments
    else:
        raise InvalidReference(
            _("Không nhận ra loại văn bản “%(abbr)s” trong ký hiệu.") % {"abbr": segments[0]}
        )
    if issuer_segments[0].isdigit():
        raise InvalidReference(
            _(
                "Sau loại văn bản phải là chữ viết tắt tên cơ quan ban hành, không phải số “%(text)s”."
            )
            % {"text": issuer_segments[0]}
        )
    issuer = "-".join(s.upper() for s in issuer_segments)
    canonical_symbol = f"{abbreviation}-{issuer}" if abbreviation else issuer
    return Reference(
        number=number,
        year=year,
        type_key=abbreviations[abbreviation],
        abbreviation=abbreviation,
        issuer=issuer,
        symbol=canonical_symbol,
    )


def search_key(text: str) -> str:
    """The start of a `Reference.key` that a search box's text stands for, or "" when the text
    is not a number and symbol (or the start of one): "20/KH" → "20 kh", "05/bc-ub" →
    "5 bc ub", "5/2025/QĐ" → "5 qd"."""
    cleaned = _clean(text)
    number_text, slash, rest = cleaned.partition("/")
    if not slash or not number_text.isascii() or not number_text.isdigit():
        return ""
    if len(number_text.lstrip("0")) > MAX_NUMBER_DIGITS or int(number_text) == 0:
        return ""
    year, slash2, after = rest.partition("/")
    if slash2 and len(year) == 4 and year.isdigit():
        rest = after
    # "20 " (with its space) when only the number is typed: 200/KH-UBND does not start with it.
    return f"{int(number_text)} {fold(rest)}"
