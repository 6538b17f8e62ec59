"""The citizen's questionnaire in Chromium: on a 360-px phone (no sideways scrolling, nothing
serious for axe-core, one answer taken) and on the counter's 1080 × 1920 tablet."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.surveys import actions
from cchc.surveys.models import Invitation, Questionnaire, Response, SurveyRound
from cchc.surveys.tests.support import new_round, returned_dossier
from cchc.testing import World, assert_accessible, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOTS_DIR", "")


@pytest.fixture
def live_round(questionnaire: Questionnaire, carol: User, world: World) -> SurveyRound:
    # Answers are taken until far ahead: the live server runs on the real clock.
    created = new_round(questionnaire, carol, world.commune_a, answer_until=dt.date(2099, 12, 31))
    return actions.open_round(created, by=carol, at=at("2025-09-01", 8))


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_the_phone_answers_the_questionnaire(
    phone_page: Any, live_round: SurveyRound, carol: User, world: World, reception: User
) -> None:
    returned_dossier(world, reception, name="Nguyễn Thị Hoa", phone="0912345600")
    actions.draw_sample(live_round, by=carol, at=at("2025-09-01", 10))
    invitation = Invitation.objects.get()
    phone_page.goto(f"/khao-sat/{invitation.token}/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    assert_accessible(phone_page)
    _shot(phone_page, "survey-phone.png")
    for question in ("Nơi ngồi chờ", "Thái độ công chức"):
        fieldset = phone_page.locator("fieldset.question", has_text=question).first
        fieldset.get_by_text("4 · Hài lòng", exact=True).click()
    phone_page.get_by_role("button", name="Gửi phiếu").click()
    phone_page.get_by_text("Cảm ơn ông/bà").wait_for()
    values = dict(Response.objects.get().answers.values_list("question__code", "value"))
    assert values["Q1"] == 4 and values["Q3"] == 4 and values["Q2"] is None


def test_the_counter_tablet_fills_a_portrait_screen(
    browser: Any, live_server: Any, live_round: SurveyRound, reception: User, world: World
) -> None:
    token = actions.open_kiosk(live_round, unit=world.commune_a, by=reception)
    context = browser.new_context(
        viewport={"width": 1080, "height": 1920}, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    try:
        page.goto(f"/khao-sat/quay/{token}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1080
        assert_accessible(page)
        _shot(page, "survey-kiosk.png")
        page.locator("fieldset.question").first.get_by_text("5 ·").click()
        page.get_by_role("button", name="Gửi phiếu").click()
        page.get_by_role("link", name="Phiếu mới cho người tiếp theo").click()
        page.locator("fieldset.question").first.wait_for()
    finally:
        context.close()
    assert Response.objects.get().channel == "kiosk"
