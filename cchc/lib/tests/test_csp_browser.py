"""In Chromium, with the Content-Security-Policy on: no page breaks a rule of it (public pages,
the counter screens, the staff workspace, the admin and the API docs), and the print button of
the public listing still prints now that its handler lives in a static file."""

from __future__ import annotations

from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.dossiers.models import Dossier
from cchc.testing import PASSWORD, World, make_user
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import Counter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects every violation the page reports (the browser fires the event on the document).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
window.print = function () { window.__printed = (window.__printed || 0) + 1; };
"""


def violations(page: Any, console: list[str]) -> list[str]:
    return list(page.evaluate("window.__csp || []")) + [
        m for m in console if "Content Security Policy" in m
    ]


def test_no_page_breaks_the_policy(
    phone_page: Any, world: World, received: Dossier, settings: Any
) -> None:
    settings.REQUIRE_2FA = False
    root = make_user("root", is_superuser=True, is_staff=True)
    counter = Counter.objects.create(unit=world.commune_a, number=1)
    ticket = queue_actions.issue_ticket(world.commune_a)
    page = phone_page
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.add_init_script(LISTEN)

    public = [
        "/",
        f"/thu-tuc/{world.birth.code}/",
        "/tra-cuu/",
        "/phan-anh/",
        "/xep-hang/16300/",
        "/man-hinh/16300/",
        f"/xep-hang/ve/{ticket.token}/in/",
    ]
    for url in public:
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert violations(page, console) == [], url

    page.goto("/don-vi/16300/niem-yet/")
    page.click("[data-print]")
    assert page.evaluate("window.__printed") == 1
    assert violations(page, console) == []

    page.goto("/tai-khoan/dang-nhap/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/lam-viec/")
    staff = [
        "/lam-viec/",
        "/lam-viec/ho-so/",
        f"/lam-viec/ho-so/{received.code}/",
        f"/lam-viec/quay/{counter.pk}/",
        "/tai-khoan/xac-thuc-hai-buoc/",
        "/quan-tri/",
        "/quan-tri/worktime/calendarday/year/2025/",
        "/quan-tri/accounts/user/",
        f"/quan-tri/accounts/user/{root.pk}/change/",
        "/api/v1/docs",
    ]
    for url in staff:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert violations(page, console) == [], url


def test_the_two_factor_page_shows_its_qr_code_within_the_policy(
    phone_page: Any, world: World, reception: User
) -> None:
    page = phone_page
    page.add_init_script(LISTEN)
    page.goto("/tai-khoan/dang-nhap/")
    page.fill("#id_username", "lan")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/lam-viec/")
    page.goto("/tai-khoan/xac-thuc-hai-buoc/")
    box = page.locator(".qr-box svg").bounding_box()
    assert box is not None and box["width"] <= 14 * 16 + 1
    assert page.evaluate("window.__csp") == []
