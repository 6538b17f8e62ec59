"""Forms that help: dd/mm/yyyy and 24-hour inputs in every language, and the error pattern
(a summary at the top linking to each field, the message at the field)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from cchc.lib.forms import (
    DateField,
    DateTimeField,
    IdNumberInput,
    TimeField,
    parse_date,
    parse_datetime,
)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_are_read_day_first_in_every_language(language: str) -> None:
    with translation.override(language):
        assert parse_date("25/11/2026") == dt.date(2026, 11, 25)
        assert parse_date(" 5/1/2026 ") == dt.date(2026, 1, 5)
        assert parse_date("2026-11-25") == dt.date(2026, 11, 25)
        assert parse_date("11/25/2026") is None  # no month-first reading, even in English
        assert parse_date("hôm qua") is None


@pytest.mark.parametrize(
    "text",
    [
        "14:30 25/11/2026",
        "25/11/2026 14:30",
        "14h30 25/11/2026",
        "2026-11-25T14:30",
        "25/11/2026  14:30",
    ],
)
def test_datetimes_are_read_24_hour_in_vietnam_time(text: str) -> None:
    with translation.override("en"):
        moment = parse_datetime(text)
    assert moment is not None
    local = timezone.localtime(moment)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2026, 11, 25, 14, 30)
    assert local.utcoffset() == dt.timedelta(hours=7)


@pytest.mark.parametrize("text", ["2:30 PM 25/11/2026", "25/11/2026", "31/02/2026 10:00", "x"])
def test_what_is_not_a_datetime_is_none(text: str) -> None:
    assert parse_datetime(text) is None


class _Form(forms.Form):
    day = DateField(label="Ngày hẹn")
    at = TimeField(label="Giờ hẹn", required=False)
    due = DateTimeField(label="Hẹn trả", required=False)
    email = forms.EmailField(label="Thư điện tử", required=False)
    id_number = forms.CharField(
        label="Số CCCD", required=False, max_length=20, widget=IdNumberInput
    )


def test_date_and_time_inputs_are_text_boxes_with_the_vietnamese_pattern() -> None:
    html = str(_Form(initial={"day": dt.date(2026, 11, 25)}))
    day = re.search(r"<input[^>]*name=\"day\"[^>]*>", html)
    assert day is not None
    assert 'type="text"' in day.group(0) and 'placeholder="dd/mm/yyyy"' in day.group(0)
    assert 'value="25/11/2026"' in day.group(0) and "pattern=" in day.group(0)
    assert 'type="date"' not in html and "datetime-local" not in html
    assert 'placeholder="HH:MM"' in html
    assert 'type="email"' in html and 'inputmode="numeric"' in html and 'maxlength="20"' in html


def test_the_browser_pattern_accepts_what_the_server_accepts() -> None:
    from cchc.lib.forms import DATE_PATTERN, DATETIME_PATTERN, ID_NUMBER_PATTERN, TIME_PATTERN

    for pattern, good in (
        (DATE_PATTERN, ["25/11/2026", "5/1/2026"]),
        (TIME_PATTERN, ["14:30", "9:05", "14h30"]),
        (DATETIME_PATTERN, ["14:30 25/11/2026", "25/11/2026 14:30"]),
        (ID_NUMBER_PATTERN, ["038090001234", "038 090 001 234", "0101234567-001", "012345678"]),
    ):
        for value in good:
            assert re.fullmatch(f"(?:{pattern})", value), (pattern, value)
    with translation.override("vi"):
        bound = _Form(data={"day": "25/11/2026", "at": "14h30", "due": "14:30 25/11/2026"})
        assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["at"] == dt.time(14, 30)


def test_a_field_error_is_marked_at_the_field_and_summarised_with_a_link() -> None:
    form = _Form(data={"day": "11/25/2026", "email": "not-an-address"})
    assert not form.is_valid()
    html = str(form)
    day = re.search(r"<input[^>]*name=\"day\"[^>]*>", html)
    assert day is not None and 'aria-invalid="true"' in day.group(0)
    assert 'aria-describedby="id_day_error"' in day.group(0)
    assert 'id="id_day_error"' in html and "ngày/tháng/năm" in html
    # The message comes before the input, as in the GOV.UK pattern.
    assert html.index('id="id_day_error"') < html.index('name="day"')
    summary = Template("{% error_summary %}").render(Context({"form": form}))
    assert 'role="alert"' in summary and 'class="error-summary"' in summary
    assert 'href="#id_day"' in summary and 'href="#id_email"' in summary
    assert Template("{% error_summary %}").render(Context({"form": _Form()})) == ""


def test_every_page_shows_the_summary_of_its_failed_form(world: Any, settings: Any) -> None:
    """The booking page renders its fields by hand; the summary still comes from base.html."""
    from cchc.tickets.models import Counter, SlotPlan

    settings.RATELIMIT_ENABLE = False
    Counter.objects.create(unit=world.commune_a, number=1)
    SlotPlan.objects.create(unit=world.commune_a)
    response = Client().post("/dat-lich/16300/", {"name": "", "phone": "12"})
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary is not None, page
    assert 'href="#id_name"' in summary.group(0) and 'href="#id_phone"' in summary.group(0)
    assert page.index("error-summary") < page.index("<h1>")


def test_the_reschedule_date_is_read_day_first_and_a_bad_one_is_explained(
    received: Any, reception: Any
) -> None:
    from cchc.testing import logged_in

    client = logged_in(reception)
    url = f"/lam-viec/ho-so/{received.code}/thao-tac/reschedule/"
    bad = client.post(url, {"version": "1", "new_due": "2:30 PM 11/25/2026", "reason": "x"})
    assert bad.status_code == 422
    assert "hãy nhập giờ:phút ngày/tháng/năm" in bad.content.decode()
    good = client.post(url, {"version": "1", "new_due": "14:30 25/11/2026", "reason": "x"})
    assert "hãy nhập giờ:phút ngày/tháng/năm" not in good.content.decode()
    assert good.status_code < 500
