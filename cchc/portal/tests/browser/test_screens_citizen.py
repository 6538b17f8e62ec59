"""Screenshots of the citizen's pages at their real sizes (360x740 phone, 1366x768 desk), for
review under docs/screens/. Run on demand:

    CCHC_SCREENS=docs/screens .venv/bin/python -m pytest -p no:cacheprovider \
        cchc/portal/tests/browser/test_screens_citizen.py

Skipped unless CCHC_SCREENS names the folder to write to.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.dossiers import actions as dossier_actions
from cchc.dossiers.actions import Applicant, receive_dossier
from cchc.feedback import pakn as feedback_pakn
from cchc.feedback.choices import Category
from cchc.notify.models import Message
from cchc.portal.models import Citizen, Draft
from cchc.testing import World, receipt_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("CCHC_SCREENS"), reason="CCHC_SCREENS not set"),
]

SIZES = {"phone": (360, 740), "desk": (1366, 768)}


def test_citizen_screens(
    browser: Any,
    live_server: Any,
    settings: Any,
    tmp_path: Any,
    world: World,
    reception: User,
    leader: User,
    copy_implemented: None,
) -> None:
    out = Path(os.environ["CCHC_SCREENS"])
    out.mkdir(parents=True, exist_ok=True)
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    settings.DEMO = False
    applicant = Applicant(name="Đỗ Thị Mười", phone="0912 345 678")
    receive_dossier(receipt_for(world, applicant=applicant), by=reception)
    done = receive_dossier(receipt_for(world, applicant=applicant), by=reception)
    dossier_actions.resolve(done, by=leader)
    feedback = feedback_pakn.submit_feedback(
        unit=world.commune_a,
        kind="report",
        subject="regulation",
        content="Đề nghị niêm yết giờ làm việc của bộ phận một cửa.",
        phone="0912345678",
    )
    feedback_pakn.classify(feedback, by=reception, category=Category.WITHIN)
    feedback_pakn.answer(
        feedback, by=reception, text="Giờ làm việc đã được niêm yết tại cửa bộ phận một cửa."
    )
    world.copy.versions.update(online_service="partial")
    for name, (width, height) in SIZES.items():
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="vi-VN", base_url=live_server.url
        )
        page = context.new_page()
        page.goto("/")
        page.screenshot(path=str(out / f"citizen-header-{name}.png"))
        # The sign-in page as it is with the national identity configured (no call is made
        # to the provider until its button is pressed).
        settings.CITIZEN_OIDC_ISSUER = "https://sso.example.gov.vn"
        settings.CITIZEN_OIDC_CLIENT_ID = "cchc"
        page.goto("/cong-dan/dang-nhap/")
        page.screenshot(path=str(out / f"citizen-login-{name}.png"))
        settings.CITIZEN_OIDC_ISSUER = ""
        page.fill("#destination", "0912345678")
        page.click("button[type=submit]")
        body = Message.objects.filter(kind="one_time_code").latest("id").body
        page.fill("#code", body.split(": ")[1][:6])
        page.click("button[type=submit]")
        page.wait_for_url("**/cong-dan/")
        if not Draft.objects.exists():
            Draft.objects.create(
                procedure=world.copy,
                unit=world.commune_a,
                citizen=Citizen.objects.get(phone="0912345678"),
            )
            page.reload()
        page.screenshot(path=str(out / f"citizen-space-{name}.png"), full_page=True)
        page.goto(f"/phan-anh/tra-cuu/{feedback.code}/")
        page.screenshot(path=str(out / f"citizen-pakn-answer-{name}.png"), full_page=True)
        page.goto(f"/phan-anh/tra-cuu/?ma={feedback.code}")
        page.screenshot(path=str(out / f"citizen-pakn-lookup-{name}.png"), full_page=True)
        context.close()
