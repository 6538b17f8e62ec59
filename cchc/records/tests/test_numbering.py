"""Number and symbol as Vietnamese administration writes them: read, or refused with the reason."""

from __future__ import annotations

import pytest

from cchc.records.numbering import InvalidReference, parse_reference, search_key

TABLE = {
    "KH": "plan",
    "BC": "report",
    "QĐ": "decision",
    "TB": "notice",
    "BB": "minutes",
    "TTr": "submission",
    "DA": "project",
    "ĐA": "proposal",
    "": "letter",
}


@pytest.mark.parametrize(
    ("typed", "text", "type_key", "issuer"),
    [
        ("20/KH-UBND", "20/KH-UBND", "plan", "UBND"),
        ("05/BC-UBND", "05/BC-UBND", "report", "UBND"),
        ("5/BC-UBND", "05/BC-UBND", "report", "UBND"),
        ("125/QĐ-UBND", "125/QĐ-UBND", "decision", "UBND"),
        ("Số: 42/TB-UBND", "42/TB-UBND", "notice", "UBND"),
        (" 7 / bb - ubnd ", "07/BB-UBND", "minutes", "UBND"),
        ("12/TTR-UBND", "12/TTr-UBND", "submission", "UBND"),
        ("125/QD-UBND", "125/QĐ-UBND", "decision", "UBND"),
        ("123/UBND-VP", "123/UBND-VP", "letter", "UBND-VP"),
        ("05/2025/QĐ-UBND", "05/2025/QĐ-UBND", "decision", "UBND"),
        ("243/BC-UBND-VP", "243/BC-UBND-VP", "report", "UBND-VP"),
    ],
)
def test_it_reads_numbers_and_symbols(typed: str, text: str, type_key: str, issuer: str) -> None:
    reference = parse_reference(typed, TABLE)
    assert (reference.text, reference.type_key, reference.issuer) == (text, type_key, issuer)


def test_a_letter_has_no_type_abbreviation_and_its_symbol_is_the_issuer() -> None:
    reference = parse_reference("123/UBND-VP", TABLE)
    assert (reference.number, reference.abbreviation, reference.symbol) == (123, "", "UBND-VP")


def test_diacritics_decide_only_when_the_letters_alone_are_ambiguous() -> None:
    # "DA" is dự án, "ĐA" đề án: typed without diacritics it stays dự án, never a guess.
    assert parse_reference("3/DA-UBND", TABLE).type_key == "project"
    assert parse_reference("3/ĐA-UBND", TABLE).type_key == "proposal"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "Chưa nhập số, ký hiệu"),
        ("20 KH-UBND", "Thiếu dấu “/”"),
        ("/KH-UBND", "Thiếu số văn bản"),
        ("2O/KH-UBND", "phải là chữ số"),
        ("0/KH-UBND", "không thể là 0"),
        ("1234567/KH-UBND", "dài quá 6 chữ số"),
        ("20/", "Thiếu ký hiệu"),
        ("20/KH", "Thiếu chữ viết tắt tên cơ quan ban hành sau “KH-”"),
        ("20/KH-", "có đoạn trống"),
        ("20/KH--UBND", "có đoạn trống"),
        ("20/KH_UBND", "ký tự không hợp lệ: “_”"),
        ("20/25/KH-UBND", "chỉ có năm ban hành"),
        ("20/2026/KH/UBND", "quá nhiều dấu “/”"),
        ("20/KH-15", "không phải số “15”"),
    ],
)
def test_it_refuses_what_is_no_number_and_symbol_and_says_why(typed: str, reason: str) -> None:
    with pytest.raises(InvalidReference) as caught:
        parse_reference(typed, TABLE)
    assert reason in caught.value.message


def test_without_the_letters_row_an_unknown_type_is_refused() -> None:
    table = {k: v for k, v in TABLE.items() if k}
    with pytest.raises(InvalidReference, match="Không nhận ra loại văn bản “UBND”"):
        parse_reference("123/UBND-VP", table)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("20/KH", "20 kh"),
        ("05/bc-ub", "5 bc ub"),
        ("5/2025/QĐ", "5 qd"),
        ("20/", "20 "),
        ("kế hoạch", ""),
        ("20", ""),
    ],
)
def test_the_search_key_of_what_is_typed(typed: str, key: str) -> None:
    assert search_key(typed) == key


def test_a_full_reference_starts_with_the_key_of_its_beginning() -> None:
    full = parse_reference("05/BC-UBND", TABLE).key
    assert full.startswith(search_key("5/BC"))
    assert not parse_reference("200/KH-UBND", TABLE).key.startswith(search_key("20/"))
