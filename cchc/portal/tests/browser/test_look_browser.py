"""The public pages on a 360-px phone and a 1366-px desk: the header folds into a menu that
works without JavaScript, the call to action sits near the top on one line, whole cards are
tappable, radios are big enough, and a failed form says what to fix at the top and at the field."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cchc.testing import World, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_header_menu_cta_and_cards(phone_page: Any, world: World) -> None:
    page = phone_page
    page.goto("/")
    cta = page.locator("header .cta")
    box = cta.bounding_box()
    assert box is not None and box["y"] < 150
    assert box["height"] < 50  # one line: "Nộp hồ sơ trực tuyến" does not wrap
    track = page.locator("#site-menu nav").get_by_role("link", name="Tra cứu hồ sơ")
    assert not track.is_visible()
    page.locator("#site-menu > summary").click()
    assert track.is_visible()
    assert_accessible(page)
    # The whole card is the link: a tap in its empty corner opens the field's procedures.
    card = page.locator("ul.cards li").first
    card_box = card.bounding_box()
    assert card_box is not None
    page.mouse.click(card_box["x"] + card_box["width"] - 6, card_box["y"] + card_box["height"] - 6)
    page.wait_for_url(re.compile(r"/thu-tuc/\?field="))


def test_the_menu_works_without_javascript(browser: Any, live_server: Any, world: World) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")
    link = page.locator("#site-menu nav").get_by_role("link", name="Phản ánh, kiến nghị")
    assert not link.is_visible()
    page.locator("#site-menu > summary").click()
    assert link.is_visible()
    context.close()


def test_desk_header_shows_every_link_without_a_menu_button(
    browser: Any, live_server: Any, world: World
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server.url)
    page = context.new_page()
    page.goto("/")
    assert not page.locator("#site-menu > summary").is_visible()
    assert page.locator("#site-menu nav").get_by_role("link", name="Tra cứu hồ sơ").is_visible()
    assert "UBND tỉnh Thanh Hóa" in page.locator("footer").inner_text()
    assert_accessible(page)
    context.close()


def test_a_failed_form_is_summarised_and_marked_at_the_field(phone_page: Any, world: World) -> None:
    page = phone_page
    page.goto("/phan-anh/")
    radio = page.locator("input[type=radio]").first.bounding_box()
    assert radio is not None and radio["width"] >= 24 and radio["height"] >= 24
    # The browser's own checks would stop an empty form; switch them off to see the server's.
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.locator("main form[method=post] button[type=submit]").last.click()
    summary = page.locator(".error-summary[role=alert]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    link = summary.locator("a[href='#id_content']")
    link.click()
    field = page.locator("#id_content")
    assert field.get_attribute("aria-invalid") == "true"
    assert "id_content_error" in (field.get_attribute("aria-describedby") or "")
    assert page.evaluate("document.activeElement.id") == "id_content"
    assert_accessible(page)
