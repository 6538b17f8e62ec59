"""Forms rendered one way everywhere, and inputs whose browser checks match the server's.

settings.FORM_RENDERER points at `FormRenderer`: `{{ form }}` and `{{ field.as_field_group }}`
use cchc/forms/div.html and cchc/forms/field.html (label, hint, the field's own error message,
then the input: the GOV.UK Design System's order). The error summary at the top of the page is
the `error_summary` tag (cchc.lib.ui), called once from base.html.

Dates and times are typed as dd/mm/yyyy and HH:MM (24-hour) in plain text inputs: a native
<input type=date> or datetime-local shows mm/dd/yyyy and AM/PM on a browser set to English, and
people read the dates on every paper form the Vietnamese way. The server parses them with the
Vietnamese DATE_INPUT_FORMATS / TIME_INPUT_FORMATS (cchc/formats/vi)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _


class FormRenderer(TemplatesSetting):
    form_template_name = "cchc/forms/div.html"
    field_template_name = "cchc/forms/field.html"


# The browser's patterns: never stricter than the server's check, so that a value the server
# would take is never refused by the browser (and the server's message, which says why, shows).
DATE_PATTERN = r"\s*[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}\s*"
TIME_PATTERN = r"\s*([01]?[0-9]|2[0-3])[:hg.][0-5][0-9]\s*"
DATETIME_PATTERN = (
    r"\s*([01]?[0-9]|2[0-3])[:hg.][0-5][0-9]\s+[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}\s*|"
    + (r"\s*[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}\s+([01]?[0-9]|2[0-3])[:hg.][0-5][0-9]\s*")
)
# A person's 12-digit number or an organisation's tax code (10, or 13 with a branch suffix);
# spaces, dots and dashes typed between digits are dropped by the server (lib.personal).
ID_NUMBER_PATTERN = r"[0-9 .\-]{9,17}"


class DateInput(forms.DateInput):
    """dd/mm/yyyy in a text box, shown the same in every browser language."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "placeholder": "dd/mm/yyyy",
            "pattern": DATE_PATTERN,
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": "10",
            "size": "10",
            "title": _("Ngày/tháng/năm, ví dụ 25/11/2026"),
            "class": "date",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


class TimeInput(forms.TimeInput):
    """HH:MM, 24-hour, in a text box (no AM/PM whatever the browser's language)."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "placeholder": "HH:MM",
            "pattern": TIME_PATTERN,
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": "5",
            "size": "5",
            "title": _("Giờ:phút theo 24 giờ, ví dụ 14:30"),
            "class": "time",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    """ "HH:MM dd/mm/yyyy" (as the forms print it) or "dd/mm/yyyy HH:MM", in one text box."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "placeholder": "HH:MM dd/mm/yyyy",
            "pattern": DATETIME_PATTERN,
            "autocomplete": "off",
            "maxlength": "16",
            "size": "16",
            "title": _("Giờ:phút ngày/tháng/năm, ví dụ 14:30 25/11/2026"),
            "class": "datetime",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%H:%M %d/%m/%Y")


def _normalise_time(text: str) -> str:
    # "14h30", "14g30" and "14.30" are how people write times; the formats know only "14:30".
    return text.strip().replace("h", ":").replace("g", ":").replace(".", ":")


def parse_date(text: str) -> dt.date | None:
    """A date typed as dd/mm/yyyy (or ISO), by the active language's DATE_INPUT_FORMATS; None if
    it is not one."""
    text = (text or "").strip()
    for pattern in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def parse_datetime(text: str) -> dt.datetime | None:
    """An aware datetime in the current time zone from "HH:MM dd/mm/yyyy", "dd/mm/yyyy HH:MM"
    or the ISO form a datetime-local input sends; None if it is none of them."""
    text = " ".join((text or "").split())
    if not text:
        return None
    candidates = [text]
    parts = text.split(" ")
    if len(parts) == 2 and "/" in parts[1]:  # "14:30 25/11/2026" → "25/11/2026 14:30"
        candidates.append(f"{parts[1]} {_normalise_time(parts[0])}")
    elif len(parts) == 2:
        candidates.append(f"{parts[0]} {_normalise_time(parts[1])}")
    for candidate in candidates:
        for pattern in formats.get_format("DATETIME_INPUT_FORMATS"):
            try:
                parsed = dt.datetime.strptime(candidate, pattern)  # noqa: DTZ007 - made aware below
            except ValueError:
                continue
            return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
    return None


class DateField(forms.DateField):
    widget = DateInput
    default_error_messages = {
        "invalid": _("Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 25/11/2026."),
    }


class TimeField(forms.TimeField):
    widget = TimeInput
    default_error_messages = {
        "invalid": _("Hãy nhập giờ theo dạng giờ:phút (24 giờ), ví dụ 14:30."),
    }

    def to_python(self, value: Any) -> dt.time | None:
        if isinstance(value, str):
            value = _normalise_time(value)
        return super().to_python(value)


class DateTimeField(forms.DateTimeField):
    widget = DateTimeInput
    default_error_messages = {
        "invalid": _(
            "Hãy nhập giờ và ngày theo dạng giờ:phút ngày/tháng/năm, ví dụ 14:30 25/11/2026."
        ),
    }

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, str) and value.strip():
            parsed = parse_datetime(value)
            if parsed is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return parsed
        return super().to_python(value)


class PhoneInput(forms.TextInput):
    """A phone as people type it ("0912 345 678"): the phone keypad, no format forced."""

    input_type = "tel"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"inputmode": "tel", "autocomplete": "tel", **(attrs or {})})


class IdNumberInput(forms.TextInput):
    """A CCCD number (12 digits) or a tax code: the digit keypad and a pattern the server agrees
    with (lib.personal.check_id_number has the last word, and the precise message)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "inputmode": "numeric",
            "pattern": ID_NUMBER_PATTERN,
            "autocomplete": "off",
            "title": _("Số căn cước 12 chữ số, hoặc mã số thuế 10 hay 13 chữ số"),
        }
        super().__init__(attrs={**base, **(attrs or {})})
