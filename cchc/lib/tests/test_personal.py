"""Phones and identity numbers as people type them (issue 9, item 11)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.dossiers.choices import ApplicantKind
from cchc.lib import personal
from cchc.lib.personal import (
    InvalidIdNumber,
    InvalidPhone,
    check_id_number,
    is_mobile,
    mask_id_number,
    mask_phone,
    normalise_phone,
    phone_key,
    phones_match,
)


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        " 0912\u00a0345\u00a0678 ",
        "(0912) 345 678",
        "+84912345678",
        "+84 912 345 678",
        "+84 (0) 912 345 678",
        "84912345678",
        "84-912-345-678",
        "0084 912 345 678",
        "+84 0912 345 678",
        "０９１２３４５６７８",
    ],
)
def test_every_way_of_typing_a_mobile_gives_one_number(raw: str) -> None:
    assert normalise_phone(raw) == "0912345678"
    assert normalise_phone(raw, mobile_only=True) == "0912345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(0237) 3870 123", "02373870123"),
        ("024 3825 1234", "02438251234"),
        ("+84 24 3825 1234", "02438251234"),
        ("0212345678", "0212345678"),  # a 10-digit number starting with 02 is taken as written
    ],
)
def test_landlines_are_phones_too(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected
    assert not is_mobile(expected)


@pytest.mark.parametrize("raw", ["", "   ", " - . "])
def test_blank_stays_blank(raw: str) -> None:
    assert normalise_phone(raw) == ""
    assert normalise_phone(raw, mobile_only=True) == ""


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "0912",
        "912345678",  # the leading 0 forgotten: not guessed
        "09123456789",  # one digit too many
        "01681234567",  # an old 11-digit mobile
        "0012345678",
        "+1 415 555 0100",
        "0912345678/0987654321",
        "0912abc678",
        "không có",
    ],
)
def test_what_is_not_a_vietnamese_phone_is_refused_in_vietnamese(raw: str) -> None:
    with pytest.raises(InvalidPhone, match="Số điện thoại không hợp lệ"):
        normalise_phone(raw)


def test_only_mobiles_where_an_sms_is_sent() -> None:
    with pytest.raises(InvalidPhone, match="Số máy bàn không nhận được tin nhắn"):
        normalise_phone("0237 3870 123", mobile_only=True)
    with pytest.raises(InvalidPhone, match="Số điện thoại di động không hợp lệ"):
        normalise_phone("0412 345 678", mobile_only=True)
    assert normalise_phone("0412 345 678") == "0412345678"
    for prefix in "35789":
        assert is_mobile(normalise_phone(f"0{prefix}12345678", mobile_only=True))


def test_invalid_phone_is_a_value_error() -> None:
    assert issubclass(InvalidPhone, ValueError)
    assert issubclass(InvalidIdNumber, ValueError)


def test_phones_match_across_spellings_and_never_raises() -> None:
    assert phones_match("+84912345678", "0912 345 678")
    assert phones_match("0912.345.678", "84912345678")
    assert not phones_match("0912345678", "0912345679")
    assert not phones_match("", "")
    assert not phones_match("12345", "12345")  # an invalid number proves nothing
    assert not phones_match("0912345678", "")
    assert not phones_match("0912345678", "0912")


def test_phone_key_counts_one_number_once_even_when_invalid() -> None:
    assert phone_key("+84 912 345 678") == phone_key("0912345678") == "0912345678"
    assert phone_key("12 34 5") == "12345"
    assert phone_key("") == ""


# Hypothesis: any valid mobile, written any common way, normalises to itself.
mobiles = st.builds(
    lambda prefix, rest: f"0{prefix}{rest}",
    st.sampled_from("35789"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
separators = st.sampled_from(["", " ", ".", "-", " - "])


def _spell(number: str, sep: str, country: str) -> str:
    national = number[1:] if country else number
    groups = [national[: len(national) - 6], national[-6:-3], national[-3:]]
    return country + sep.join(groups)


@given(mobiles, separators, st.sampled_from(["", "+84", "+84 ", "84", "0084"]))
def test_any_spelling_of_a_mobile_normalises_to_it(number: str, sep: str, country: str) -> None:
    spelled = _spell(number, sep, country)
    assert normalise_phone(spelled) == number
    assert normalise_phone(spelled, mobile_only=True) == number
    assert phones_match(spelled, number)


@given(st.text(max_size=25))
def test_normalising_is_idempotent_or_refuses(raw: str) -> None:
    try:
        once = normalise_phone(raw)
    except InvalidPhone:
        assert not phones_match(raw, raw)
        return
    assert normalise_phone(once) == once
    assert once == "" or (once.isdigit() and once.startswith("0") and len(once) in (10, 11))


@given(st.text(max_size=25), st.text(max_size=25))
def test_phones_match_is_symmetric_and_never_raises(a: str, b: str) -> None:
    assert phones_match(a, b) == phones_match(b, a)


# -- identity numbers --------------------------------------------------------------------------


def test_the_kinds_are_the_applicant_kinds() -> None:
    assert personal.PERSON == ApplicantKind.PERSON
    assert personal.ORGANISATION == ApplicantKind.ORGANISATION


@pytest.mark.parametrize("raw", ["038090001234", " 038 090 001 234 ", "038.090.001.234"])
def test_a_person_gives_the_12_digit_cccd_number(raw: str) -> None:
    assert check_id_number(ApplicantKind.PERSON, raw) == "038090001234"


@pytest.mark.parametrize("raw", ["03809000123", "0380900012345", "03809000123A", "B1234567"])
def test_a_person_number_of_another_length_is_refused(raw: str) -> None:
    with pytest.raises(InvalidIdNumber, match="đúng 12 chữ số"):
        check_id_number("person", raw)


def test_the_old_9_digit_cmnd_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidIdNumber, match="hết giá trị từ ngày 01/01/2025"):
        check_id_number("person", "172 345 678")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0101234567", "0101234567"),
        ("0101 234 567", "0101234567"),
        ("0101234567-001", "0101234567-001"),
        ("0101234567001", "0101234567-001"),
        ("0101234567 - 001", "0101234567-001"),
        ("0101.234.567-001", "0101234567-001"),
    ],
)
def test_an_organisation_gives_its_tax_code_in_one_form(raw: str, expected: str) -> None:
    assert check_id_number(ApplicantKind.ORGANISATION, raw) == expected


@pytest.mark.parametrize(
    "raw", ["010123456", "01012345678", "038090001234", "0101234567-01", "MST"]
)
def test_a_tax_code_of_another_length_is_refused(raw: str) -> None:
    with pytest.raises(InvalidIdNumber, match="Mã số thuế"):
        check_id_number("organisation", raw)


@pytest.mark.parametrize("kind", ["person", "organisation"])
def test_an_empty_number_stays_empty(kind: str) -> None:
    assert check_id_number(kind, "") == ""
    assert check_id_number(kind, "  ") == ""


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown applicant kind") as caught:
        check_id_number("robot", "038090001234")
    assert not isinstance(caught.value, InvalidIdNumber)


@given(st.text(alphabet="0123456789", min_size=13, max_size=13), separators)
def test_a_13_digit_tax_code_has_one_form_however_typed(digits: str, sep: str) -> None:
    typed = f"{digits[:10]}{sep}{digits[10:]}"
    assert check_id_number("organisation", typed) == f"{digits[:10]}-{digits[10:]}"


# -- masking -----------------------------------------------------------------------------------


def test_masks_keep_only_what_identifies_nothing() -> None:
    assert mask_phone("0912345678") == "09******78"
    assert mask_phone("0912 345 678") == "09******78"
    assert mask_phone("123") == "***"
    assert mask_phone("") == ""
    assert mask_id_number("038090001234") == "••••••••1234"
    assert mask_id_number("123") == "123"
    assert mask_id_number("") == ""


def test_the_module_loads_no_app() -> None:
    """A data migration imports it: no models, no app registry at import time."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(personal.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not {m for m in imported if m.startswith(("cchc", "django.db", "django.apps"))}
