"""In Chromium, keyboard only: a counter receipt from a called queue ticket, the procedure by name,
the applicant from an earlier dossier, three documents ticked, one scanned, Mẫu 01 printed.

The steps (key presses other than the letters typed into a box, and the boxes typed into) are
counted here and written in docs/counter.md beside today's count. Screenshots of each screen at
the staff desk's size are saved to $CCHC_SCREENS (docs/screens/ to refresh the kept ones)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from cchc.catalogue.models import RequiredDocument
from cchc.dossiers import actions
from cchc.dossiers.models import Dossier
from cchc.testing import World, assert_accessible, receipt_for
from cchc.tickets import queue as queue_actions
from cchc.tickets.models import Counter, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1366, "height": 768}


@dataclass
class Keys:
    """The keyboard, counting: `steps` are key presses plus boxes typed into (a box typed into
    is one step however long the text); `keystrokes` counts every key, letters included."""

    page: Any
    steps: int = 0
    keystrokes: int = 0
    log: list[str] = field(default_factory=list)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.steps += 1
        self.keystrokes += 1
        self.log.append(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.steps += 1
        self.keystrokes += len(text)
        self.log.append(f"“{text}”")


def scan_png(path: Path) -> Path:
    image = Image.new("RGB", (600, 840), (250, 250, 245))
    for y in range(80, 760, 40):
        for x in range(60, 540):
            image.putpixel((x, y), (40, 40, 40))
    image.save(path, "PNG")
    return path


def shoot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("CCHC_SCREENS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name))


@pytest.fixture
def desk(browser: Any, live_server: Any, settings: Any, tmp_path: Path, reception: Any) -> Any:
    """The counter officer's 1366×768 screen, logged in."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATELIMIT_ENABLE = False
    client = Client()
    client.force_login(reception, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(viewport=DESK, locale="vi-VN", base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    # Playwright turns the browser's file-chooser interception on only when a listener is added,
    # without waiting for it: a Space sent right after `expect_file_chooser()` can reach the page
    # first, and the chooser then opens unseen (CI, 06/12). A listener from the start keeps it on.
    page.on("filechooser", lambda chooser: None)
    yield page
    context.close()


@pytest.fixture
def birth_checklist(world: World) -> None:
    """Đăng ký khai sinh with three documents: two required, one not (ticked by hand)."""
    version = world.birth.versions.get()
    RequiredDocument.objects.create(
        version=version, position=2, name="Giấy chứng sinh", originals=1, required=True
    )
    RequiredDocument.objects.create(
        version=version,
        position=3,
        name="Giấy tờ chứng minh nơi cư trú",
        copies=1,
        required=False,
    )


def test_a_counter_receipt_by_keyboard_in_fewer_steps(
    desk: Any, world: World, reception: Any, birth_checklist: None, tmp_path: Path
) -> None:
    page = desk
    # The applicant came before: found by phone, filled in.
    actions.receive_dossier(
        receipt_for(
            world,
            procedure_code="1.001193",
            applicant=actions.Applicant(
                name="Nguyễn Văn An",
                id_number="038090001234",
                phone="0912345678",
                address="Thôn 3, xã Nga Sơn",
            ),
            documents=[
                actions.ReceivedDocument(position=1, originals=1),
                actions.ReceivedDocument(position=2, originals=1),
            ],
        ),
        by=reception,
    )
    counter = Counter.objects.create(unit=world.commune_a, number=1)
    queue_actions.issue_ticket(world.commune_a, field=world.birth.field)
    ticket = queue_actions.call_next(counter, by=reception)
    assert ticket is not None
    scan = scan_png(tmp_path / "giay-chung-sinh.png")

    page.goto(f"/lam-viec/quay/{counter.pk}/")
    expect(page.locator("#btn-receive")).to_be_visible()
    shoot(page, "counter-0-queue.png", tmp_path)
    keys = Keys(page)

    # The called ticket: one key opens the receipt with the ticket linked.
    keys.press("h")
    page.wait_for_url(f"**/tiep-nhan/?ticket={ticket.pk}")
    expect(page.locator("#pick")).to_be_focused()
    # The ticket's field lists its procedures before anything is typed.
    expect(page.locator("#pick-hits [role=option]").first).to_contain_text("Đăng ký khai sinh")
    assert_accessible(page)
    shoot(page, "counter-1-pick.png", tmp_path)

    # The procedure by name, without diacritics; Enter opens the first hit.
    keys.type("khai sinh")
    expect(page.locator("#pick-hits [role=option]").first).to_contain_text("Đăng ký khai sinh")
    keys.press("Enter")
    page.wait_for_url("**/tiep-nhan/?procedure=1.001193&ticket=*")

    # The phone finds the applicant of the earlier dossier; the CCCD is read off the card.
    expect(page.locator("#id_applicant_phone")).to_be_focused()
    keys.type("0912 345 678")
    keys.press("Enter")
    expect(page.locator("#lookup-status")).to_contain_text("Đã điền thông tin từ hồ sơ")
    expect(page.locator("#id_applicant_name")).to_have_value("Nguyễn Văn An")
    expect(page.locator("#id_applicant_id_number")).to_be_focused()
    keys.type("038090001234")
    keys.press("Enter")
    # Name and address are filled: Enter goes on to the checklist.
    expect(page.locator("#id_doc_1")).to_be_focused()
    expect(page.locator("#id_applicant_address")).to_have_value("Thôn 3, xã Nga Sơn")

    # Document 1 is ticked already (required): its scan, from the scanner's folder.
    keys.press("Tab")
    expect(page.locator("#id_doc_1_files")).to_be_focused()
    with page.expect_file_chooser() as chooser:
        keys.press("Space")
    chooser.value.set_files(str(scan))
    expect(page.locator("#thumbs_doc_1_files img")).to_have_count(1)
    expect(page.locator("#thumbs_doc_1_files")).to_contain_text("giay-chung-sinh.png")
    # Document 2 is ticked already; document 3 is ticked by hand (↓ goes document by document).
    keys.press("ArrowDown")
    expect(page.locator("#id_doc_2")).to_be_focused()
    keys.press("ArrowDown")
    expect(page.locator("#id_doc_3")).to_be_focused()
    keys.press("Space")
    expect(page.locator("#id_doc_3")).to_be_checked()
    for box in ("#id_doc_1", "#id_doc_2", "#id_doc_3"):
        expect(page.locator(box)).to_be_checked()
    # Only the outcome's own fields are shown: none for "receive".
    expect(page.locator(".only-incomplete")).to_be_hidden()
    expect(page.locator(".only-refused")).to_be_hidden()
    assert_accessible(page)
    shoot(page, "counter-2-form.png", tmp_path)

    # G records the receipt.
    keys.press("g")
    page.wait_for_url("**/tiep-nhan/?done=*")
    dossier = Dossier.objects.exclude(applicant_id_number="").latest("id")
    assert dossier.status == "received" and dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_phone == "0912345678"
    documents = list(dossier.documents.order_by("id"))
    assert [d.required_document_id for d in documents] == [
        d.pk for d in world.birth.versions.get().documents.order_by("position")
    ]
    assert documents[0].digitised and documents[0].file and not documents[1].digitised
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.dossier_code == dossier.code

    # Mẫu 01 is offered at once, focused: Enter opens it to print.
    expect(page.locator("#print-form")).to_be_focused()
    assert_accessible(page)
    shoot(page, "counter-3-done.png", tmp_path)
    with page.context.expect_event(
        "response", predicate=lambda r: r.url.endswith(f"/{dossier.code}/mau-01.pdf")
    ) as printed:
        keys.press("Enter")
    response = printed.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"

    # Written in docs/counter.md: 14 steps (3 boxes typed, 11 keys), 44 keystrokes in all.
    assert keys.steps == 14, keys.log
    assert keys.keystrokes == 9 + 12 + 12 + 11
    assert keys.steps < TODAY_STEPS


# Today's flow for the same receipt, counted on the pages before this change (docs/counter.md).
TODAY_STEPS = 106


def test_a_first_time_applicant_is_typed_in_and_enter_never_receives_by_mistake(
    desk: Any, world: World, birth_checklist: None, tmp_path: Path
) -> None:
    page = desk
    page.goto("/lam-viec/ho-so/tiep-nhan/")
    expect(page.locator("#pick")).to_be_focused()
    assert_accessible(page)
    # A name that matches nothing says so (never an empty form).
    page.keyboard.type("xyzw")
    expect(page.locator("#pick-none")).to_contain_text("Không tìm thấy thủ tục nào")
    assert_accessible(page)
    page.locator("#pick").fill("")
    keys = Keys(page)
    keys.type("dang ki khai sin")  # no diacritics, "ki" for "ký", the last word cut short
    expect(page.locator("#pick-hits [role=option]").first).to_contain_text("Đăng ký khai sinh")
    keys.press("ArrowDown")
    expect(page.locator("#pick")).to_have_attribute("aria-activedescendant", "pick-opt-0")
    keys.press("Enter")
    page.wait_for_url("**/tiep-nhan/?procedure=1.001193")
    # Wait for the page to put the caret in the phone box: typing earlier loses digits on a
    # slow machine (CI once read "33 111 222" and answered "invalid phone").
    expect(page.locator("#id_applicant_phone")).to_be_focused()
    keys.type("0933 111 222")
    keys.press("Enter")
    expect(page.locator("#lookup-status")).to_contain_text("Chưa có hồ sơ nào")
    expect(page.locator("#id_applicant_id_number")).to_be_focused()
    keys.type("038095004321")
    keys.press("Enter")
    expect(page.locator("#id_applicant_name")).to_be_focused()
    keys.type("Phạm Thị Dung")
    keys.press("Enter")
    expect(page.locator("#id_applicant_address")).to_be_focused()
    keys.type("Thôn 5, xã Nga Sơn")
    keys.press("Enter")
    # Enter moved on to the checklist; nothing was received yet.
    expect(page.locator("#id_doc_1")).to_be_focused()
    assert Dossier.objects.count() == 0
    keys.press("ArrowDown")
    keys.press("ArrowDown")
    keys.press("Space")
    keys.press("g")
    page.wait_for_url("**/tiep-nhan/?done=*")
    dossier = Dossier.objects.get()
    assert (dossier.applicant_name, dossier.applicant_phone) == ("Phạm Thị Dung", "0933111222")
    assert dossier.documents.count() == 3
    expect(page.locator("#print-form")).to_be_focused()
    keys.press("Enter")
    # docs/counter.md: 16 steps for a first-time applicant without a ticket (no scan).
    assert keys.steps == 16, keys.log


def test_the_outcome_shows_only_its_own_field_and_errors_are_listed(
    desk: Any, world: World, birth_checklist: None, tmp_path: Path
) -> None:
    page = desk
    page.goto("/lam-viec/ho-so/tiep-nhan/?procedure=1.001193")
    page.locator("#id_outcome_1").check()
    expect(page.locator("#id_missing")).to_be_visible()
    expect(page.locator("#id_reason")).to_be_hidden()
    page.locator("#id_outcome_2").check()
    expect(page.locator("#id_reason")).to_be_visible()
    expect(page.locator("#id_missing")).to_be_hidden()
    page.locator("#submit-receipt").click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Phải ghi rõ lý do từ chối tiếp nhận")
    expect(summary).to_contain_text("Họ tên / tên tổ chức")
    assert_accessible(page)
    shoot(page, "counter-4-errors.png", tmp_path)
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]


def test_without_javascript_the_name_search_lists_matches_to_choose_from(
    browser: Any, live_server: Any, desk: Any, world: World, birth_checklist: None
) -> None:
    cookies = desk.context.cookies()
    context = browser.new_context(
        viewport=DESK, locale="vi-VN", base_url=live_server.url, java_script_enabled=False
    )
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto("/lam-viec/ho-so/tiep-nhan/")
        page.locator("#pick").fill("khai sinh")
        page.keyboard.press("Enter")
        page.wait_for_url("**/tiep-nhan/?q=khai+sinh")
        page.locator("a.hit", has_text="Đăng ký khai sinh").click()
        page.wait_for_url("**/tiep-nhan/?procedure=1.001193")
        # Both outcome fields are there without JavaScript only where :has() is missing;
        # the page works either way: a refusal with its reason.
        page.locator("#id_outcome_2").check()
        page.locator("#id_applicant_name").fill("Lê Văn Em")
        page.locator("#id_reason").fill("Không thuộc thẩm quyền của xã")
        page.locator("#submit-receipt").click()
        page.wait_for_url("**/tiep-nhan/?done=*")
        assert page.locator("#print-form").inner_text().startswith("In Phiếu từ chối")
        assert Dossier.objects.get().status == "refused"
    finally:
        context.close()
