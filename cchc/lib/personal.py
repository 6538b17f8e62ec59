"""Phones and identity numbers as people type them: one canonical form, checked by kind.

Every door that takes a phone (counter, portal, API, import, queue, feedback) stores what
`normalise_phone` returns, so that the equality lookups that find a citizen's dossiers (their
account, the staff search, the tracking check) meet one spelling of each number.

No models and no app registry here: a data migration may import this module.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import unicodedata

from django.utils.translation import gettext as _

# The two values of `dossiers.choices.ApplicantKind`, repeated here so that this module does not
# import an app (a test holds them equal).
PERSON = "person"
ORGANISATION = "organisation"

# What people put between digits: spaces (any, including non-breaking), dots, dashes,
# parentheses around an area code. A slash is not among them: "0912…/0987…" is two numbers.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015()]")
_DIGITS = re.compile(r"[0-9]+")
# After the country code: "+84", "0084" (the international prefix dialled from Vietnam) or a
# bare "84", which no domestic number starts with (they start with the trunk 0).
_COUNTRY = re.compile(r"^(?:\+84|0084|84)")
# 10 digits: mobiles (03, 05, 07, 08, 09 since the 2018 renumbering) and any other 0[1-9] number;
# 11 digits: landlines, 02 + area code + subscriber (024 3825 1234, 0237 3870 123).
_TEN_DIGITS = re.compile(r"^0[1-9][0-9]{8}$")
_LANDLINE = re.compile(r"^02[0-9]{9}$")
_MOBILE = re.compile(r"^0[35789][0-9]{8}$")


# The session key under which the citizen sign-in (portal) keeps the signed-in citizen's phone
# and e-mail address; the PAKN pages (feedback) recognise the sender by it. Here, below both apps.
CITIZEN_CONTACTS_KEY = "citizen_contacts"


class InvalidPhone(ValueError):
    """Not a Vietnamese phone number; the message says what to type, in Vietnamese."""


class InvalidIdNumber(ValueError):
    """Not a valid CCCD number or tax code for the applicant's kind; the message says why."""


def _compact(raw: str) -> str:
    # NFKC turns full-width digits and the like into ASCII before the separators go.
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))


def normalise_phone(raw: str, *, mobile_only: bool = False) -> str:
    """The canonical domestic form of a Vietnamese phone number, e.g. "0912345678".

    "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678", "84912345678",
    "0084912345678" and "+84 0912 345 678" all give "0912345678"; "(0237) 3870 123" gives
    "02373870123". Blank input (None, "", spaces) gives "".

    Accepted after dropping separators and the country code:
    - 10 digits starting with 0 and then 1–9 (mobiles, and the few 10-digit fixed numbers);
    - 11 digits starting with 02 (landlines: 02 + area code + subscriber since 2017).
    A 9-digit number without its leading 0 is refused, not guessed: it is as likely a 10-digit
    number with a digit missing. Old 11-digit mobile numbers (01xx…, renumbered in 2018) are
    refused too.

    With `mobile_only` (where the number receives an SMS: one-time codes, bookings, PAKN), only
    mobiles are accepted: 10 digits starting with 03, 05, 07, 08 or 09.

    Raises `InvalidPhone` with a Vietnamese message for anything else.
    """
    compact = _compact(raw)
    if not compact:
        return ""
    national = compact
    country = _COUNTRY.match(compact)
    if country:
        rest = compact[country.end() :]
        # "+84 0912…": the trunk 0 kept after the country code is forgiven.
        national = rest if rest.startswith("0") else f"0{rest}"
    if _DIGITS.fullmatch(national) and (_TEN_DIGITS.match(national) or _LANDLINE.match(national)):
        if not mobile_only or _MOBILE.match(national):
            return national
        if _LANDLINE.match(national):
            raise InvalidPhone(
                _(
                    "Số máy bàn không nhận được tin nhắn: hãy nhập số điện thoại di động "
                    "(10 chữ số, ví dụ 0912 345 678)."
                )
            )
    if mobile_only:
        raise InvalidPhone(
            _("Số điện thoại di động không hợp lệ: hãy nhập 10 chữ số, ví dụ 0912 345 678.")
        )
    raise InvalidPhone(
        _(
            "Số điện thoại không hợp lệ: hãy nhập 10 chữ số bắt đầu bằng 0 (ví dụ 0912 345 678) "
            "hoặc số máy bàn kèm mã vùng (ví dụ 0237 3870 123)."
        )
    )


def is_mobile(phone: str) -> bool:
    """Whether a normalised phone can receive an SMS."""
    return bool(_MOBILE.match(phone))


def phones_match(given: str, on_file: str) -> bool:
    """Whether two spellings are one phone ("+84912345678" and "0912 345 678"). Never raises:
    a blank or invalid number on either side matches nothing, not even itself. Compared in
    constant time, as the proof that a visitor is the applicant."""
    try:
        a, b = normalise_phone(given), normalise_phone(on_file)
    except InvalidPhone:
        return False
    return bool(a) and secrets.compare_digest(a, b)


def phone_key(raw: str) -> str:
    """A key for counting uses of a phone (rate limits): the canonical form when the number is
    valid, else its digits, so that retyping an invalid number differently does not dodge the
    count either."""
    try:
        return normalise_phone(raw)
    except InvalidPhone:
        return "".join(_DIGITS.findall(_compact(raw)))


# -- identity numbers ------------------------------------------------------------------------------


def check_id_number(kind: str, value: str) -> str:
    """The applicant's identity number, cleaned, or `InvalidIdNumber` with a Vietnamese message.

    `kind` is the applicant kind ("person" or "organisation"); blank input gives "" (the field
    is optional). Spaces, dots and dashes typed between digits are dropped.

    - A person: the 12-digit personal identification number printed on the căn cước / CCCD card
      (and in VNeID). The old 9-digit CMND is refused with a message saying why: it stopped
      being valid on 1 January 2025 (Luật Căn cước 2023), and every holder has the 12-digit
      number. Historical imports do not go through this check.
    - An organisation: its tax code (mã số thuế), 10 digits, or 13 for a branch or dependent
      unit. The 13-digit form is returned as written on tax documents, "0101234567-001", whether
      it was typed with the dash or without. The check digit is not verified.

    Any other kind is a programming error: plain `ValueError`.
    """
    if kind not in (PERSON, ORGANISATION):
        raise ValueError(f"unknown applicant kind: {kind!r}")
    compact = _compact(value)
    if not compact:
        return ""
    if kind == PERSON:
        if compact.isascii() and compact.isdigit():
            if len(compact) == 12:
                return compact
            if len(compact) == 9:
                raise InvalidIdNumber(
                    _(
                        "Chứng minh nhân dân 9 số đã hết giá trị từ ngày 01/01/2025: hãy nhập số "
                        "định danh cá nhân 12 chữ số (trên thẻ căn cước, căn cước công dân hoặc "
                        "VNeID)."
                    )
                )
        raise InvalidIdNumber(
            _("Số căn cước / căn cước công dân phải gồm đúng 12 chữ số (ví dụ 038090001234).")
        )
    if compact.isascii() and compact.isdigit():
        if len(compact) == 10:
            return compact
        if len(compact) == 13:
            return f"{compact[:10]}-{compact[10:]}"
    raise InvalidIdNumber(
        _(
            "Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số với đơn vị phụ thuộc, chi nhánh "
            "(ví dụ 0101234567 hoặc 0101234567-001)."
        )
    )


# -- masking -------------------------------------------------------------------------------------


def mask_phone(phone: str) -> str:
    """A phone shortened so that a page or list does not reveal it: "09******78"."""
    with contextlib.suppress(InvalidPhone):
        phone = normalise_phone(phone) or phone
    if len(phone) <= 4:
        return "*" * len(phone)
    return f"{phone[:2]}{'*' * (len(phone) - 4)}{phone[-2:]}"


def mask_email(address: str) -> str:
    """An address shortened the same way: "n***@x.vn"."""
    local, _sep, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_id_number(value: str) -> str:
    """Only the last four characters of an identity number: "••••••••1234". Staff pages show
    a citizen's number whole only where the task needs it."""
    return ("•" * max(len(value) - 4, 0) + value[-4:]) if value else ""
