"""In Chromium at a staff desk's real size (1366×768): the leader approves from the dossier page
with one confirmation; a read-only supervisor's pages show no control that would be refused.
axe-core finds no serious or critical violation on any of them (issue 12, Done when)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from cchc.accounts.models import User
from cchc.catalogue.models import StepTemplate
from cchc.dossiers import actions
from cchc.dossiers.models import Dossier
from cchc.testing import World, assert_accessible, at, log_in, receipt_for, shot
from cchc.units.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_page(browser: Any, live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    settings.TWO_FACTOR_ROLES = []
    settings.TWO_FACTOR_MULTI_COMMUNE_ROLES = []
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def at_leader(
    world: World, reception: User, specialist: User, leader: User, copy_implemented: None
) -> Dossier:
    """A dossier whose steps say a leader signs, handed on to the leader."""
    version = world.copy.versions.get()
    StepTemplate.objects.filter(version=version, position=2).update(share=Decimal(60))
    StepTemplate.objects.create(
        version=version, position=3, name="Ký duyệt", role=Role.LEADER, share=Decimal(10)
    )
    StepTemplate.objects.create(
        version=version, position=4, name="Trả kết quả", role=Role.RECEPTION, share=Decimal(10)
    )
    dossier = actions.receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04", 9))
    dossier = actions.hand_over(dossier, by=reception, to=specialist, at=at("2025-08-04", 10))
    return actions.hand_over(dossier, by=specialist, to=leader, at=at("2025-08-04", 11))


def test_the_leader_approves_from_the_dossier_page_with_one_confirmation(
    desk_page: Any, at_leader: Dossier, leader: User
) -> None:
    page = desk_page
    log_in(page, leader)
    page.goto(f"/lam-viec/ho-so/{at_leader.code}/")
    first = page.locator(".next-act")
    assert first.is_visible()
    approve = first.get_by_role("button", name="Có kết quả / Phê duyệt")
    assert approve.is_visible()  # in view without scrolling past the history
    assert approve.bounding_box()["y"] < 768 * 2
    assert_accessible(page)
    shot(page, "dossier-leader")
    # Without the box ticked the browser keeps the form (the server would refuse it too).
    approve.click()
    assert page.url.endswith(f"/lam-viec/ho-so/{at_leader.code}/")
    at_leader.refresh_from_db()
    assert at_leader.status == "processing"
    first.get_by_label("Tôi xác nhận", exact=False).check()
    approve.click()
    page.wait_for_load_state()
    page.locator(".message[role=status]").wait_for()
    assert "Đã thực hiện" in page.locator(".message[role=status]").inner_text()
    at_leader.refresh_from_db()
    assert at_leader.status == "resolved"
    # Nothing more for the leader to do: no forms are offered.
    assert page.locator("form[action*='/thao-tac/']").count() == 0
    assert_accessible(page)


def test_a_supervisors_pages_show_no_control_that_would_be_refused(
    desk_page: Any, at_leader: Dossier, world: World, sam: Any
) -> None:
    page = desk_page
    log_in(page, sam)
    for name, path in [
        ("workspace-supervisor", "/lam-viec/"),
        ("worklist-supervisor", "/lam-viec/ho-so/?list=open"),
        ("dossier-supervisor", f"/lam-viec/ho-so/{at_leader.code}/"),
        ("catalogue-supervisor", "/lam-viec/don-vi/16300/thu-tuc/"),
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        main = page.locator("main")
        text = main.inner_text()
        for refused in ("Tiếp nhận hồ sơ mới", "Thêm giấy tờ", "Lưu"):
            assert refused not in text.split(), (path, refused)
        assert "Tiếp nhận hồ sơ mới" not in text and "Thêm giấy tờ" not in text
        # Only searches (GET) may be offered; nothing that changes anything.
        assert main.locator("form[method=post]").count() == 0, path
        # (Read attribute by attribute: a script string would be eval'd, which the CSP refuses.)
        hrefs = [urljoin(page.url, a.get_attribute("href")) for a in main.locator("a[href]").all()]
        for href in hrefs:
            if urlsplit(href).netloc == urlsplit(page.url).netloc:
                status = page.request.get(href).status
                assert status != 403, (path, href)
        assert_accessible(page)
        shot(page, name)


def test_reception_and_specialist_see_their_own_next_act(
    desk_page: Any,
    world: World,
    reception: User,
    specialist: User,
    leader: User,
    copy_implemented: None,
) -> None:
    """Reception: hand over to a specialist; the specialist: submit to the leader or ask for a
    supplement. Each first on the page, each page accessible."""
    version = world.copy.versions.get()
    StepTemplate.objects.create(
        version=version, position=3, name="Ký duyệt", role=Role.LEADER, share=Decimal(10)
    )
    fresh = actions.receive_dossier(receipt_for(world), by=reception)
    page = desk_page
    log_in(page, reception)
    page.goto("/lam-viec/ho-so/?list=mine")
    assert page.locator("main tbody a", has_text=fresh.code).count() == 1
    assert_accessible(page)
    shot(page, "worklist-reception")
    page.goto(f"/lam-viec/ho-so/{fresh.code}/")
    first = page.locator(".next-act")
    first.get_by_label("Chuyển cho").select_option(specialist.username)
    assert_accessible(page)
    shot(page, "dossier-reception")
    first.get_by_role("button", name="Chuyển chuyên viên xử lý").click()
    page.locator(".message[role=status]").wait_for()
    assert page.locator(".next-act").count() == 0
    page.context.clear_cookies()
    log_in(page, specialist)
    page.goto(f"/lam-viec/ho-so/{fresh.code}/")
    first = page.locator(".next-act")
    assert first.get_by_role("button", name="Trình lãnh đạo ký duyệt").is_visible()
    assert first.get_by_role("button", name="Yêu cầu bổ sung (Mẫu 02)").is_visible()
    options = first.get_by_label("Chuyển cho").locator("option").all_inner_texts()
    assert options[1:] == ["Hung – Lãnh đạo phê duyệt"]
    assert_accessible(page)
    shot(page, "dossier-specialist")
