"""Looks like a public service: the province's name and emblem, a footer naming who answers,
a phone menu that works without JavaScript, and the fee asked shown with how to pay."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cchc.dossiers.choices import Status
from cchc.dossiers.models import Dossier
from cchc.testing import World

pytestmark = pytest.mark.django_db


def test_every_page_names_the_province_and_who_answers(world: World, settings: Any) -> None:
    settings.BRAND_AUTHORITY = "UBND tỉnh Thử Nghiệm"
    settings.FOOTER_AGENCY = "Văn phòng UBND tỉnh Thử Nghiệm"
    settings.FOOTER_HOTLINE = "0237 3000 111"
    settings.FOOTER_ADDRESS = "1 Đường Một, tỉnh Thử Nghiệm"
    page = Client().get("/").content.decode()
    header = page[page.index('<header class="top">') : page.index("</header>")]
    assert "UBND tỉnh Thử Nghiệm" in header and "emblem.svg" in header
    footer = page[page.index('<footer class="foot">') :]
    assert "Văn phòng UBND tỉnh Thử Nghiệm" in footer and "1 Đường Một" in footer
    assert 'href="tel:02373000111"' in footer


def test_the_header_menu_is_a_details_element_and_the_cta_comes_first(world: World) -> None:
    page = Client().get("/").content.decode()
    header = page[page.index('<header class="top">') : page.index("</header>")]
    assert re.search(r'<details class="menu" id="site-menu">\s*<summary>', header)
    assert header.index("Nộp hồ sơ trực tuyến") < header.index("<details")


def test_messages_of_error_and_success_are_told_apart(world: World) -> None:
    from django.template import engines

    class _Msg:
        def __init__(self, text: str, level: int, tags: str) -> None:
            self.text, self.level, self.level_tag = text, level, tags

        def __str__(self) -> str:
            return self.text

    html = (
        engines["django"]
        .get_template("cchc/_messages.html")
        .render(
            {"messages": [_Msg("Đã lưu.", 25, "success"), _Msg("Không lưu được.", 40, "error")]}
        )
    )
    assert re.search(r'class="message message-error" role="alert">Không lưu được.', html)
    assert re.search(r'class="message message-success" role="status">Đã lưu.', html)


def test_the_fee_asked_is_shown_with_how_to_pay(received: Dossier) -> None:
    Dossier.objects.filter(pk=received.pk).update(
        status=Status.PAYMENT, fee_due_vnd=1_250_000, fee_paid_vnd=250_000
    )
    page = Client().get(f"/tra-cuu/{received.code}/").content.decode()
    assert 'id="fee"' in page
    assert re.search(r'id="fee-due"><strong>1\.250\.000 đ', page)
    assert re.search(r'id="fee-left"><strong>1\.000\.000 đ', page)
    assert "Tiền mặt tại bộ phận một cửa" in page and "Chuyển khoản" in page


def test_no_fee_section_when_nothing_is_due(received: Dossier) -> None:
    Dossier.objects.filter(pk=received.pk).update(fee_due_vnd=0)
    assert 'id="fee"' not in Client().get(f"/tra-cuu/{received.code}/").content.decode()
