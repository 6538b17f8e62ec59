"""Personas and a small world shared by every app's tests.

The world: province 38 with communes A (16300, with its one-stop centre) and B (16303).
Each persona holds one role; their names say where they work.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.accounts.models import User
from cchc.catalogue.models import (
    Field,
    UnitProcedure,
)
from cchc.dossiers.actions import Applicant, OnlineDocument, receive_dossier, submit_online
from cchc.dossiers.models import Dossier
from cchc.lib.uploads import check_upload
from cchc.surveys import actions as survey_actions
from cchc.surveys.models import Questionnaire, SurveyRound
from cchc.surveys.tests.support import example_doc, new_round
from cchc.testing import (
    PDF,
    Gateway,
    Mailbox,
    World,
    at,
    free_port,
    make_procedure,
    make_user,
    receipt_for,
)
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Unit


@pytest.fixture(autouse=True)
def _empty_local_cache() -> None:
    # Each test's database starts afresh (and SQLite may hand out the same ids again), so the
    # per-process cache must too.
    caches["local"].clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db: Any) -> World:
    province = Unit.objects.create(
        code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE, agency_identifier="000.00.00.H56"
    )
    commune_a = Unit.objects.create(
        code="16300",
        name="Xã Nga Sơn",
        kind=UnitKind.COMMUNE,
        parent=province,
        agency_identifier="000.30.10.H56",
    )
    centre_a = Unit.objects.create(
        code="16300-MC", name="TTPVHCC xã Nga Sơn", kind=UnitKind.SERVICE_CENTRE, parent=commune_a
    )
    commune_b = Unit.objects.create(
        code="16303",
        name="Xã Nga Thắng",
        kind=UnitKind.COMMUNE,
        parent=province,
        agency_identifier="000.33.10.H56",
    )
    civil = Field.objects.create(code="ho-tich", name="Hộ tịch")
    certify = Field.objects.create(code="chung-thuc", name="Chứng thực")
    birth = make_procedure("1.001193", "Đăng ký khai sinh", civil, days="0.5")
    copy = make_procedure("2.000815", "Chứng thực bản sao từ bản chính", certify)
    for unit in (commune_a, commune_b):
        UnitProcedure.objects.create(unit=unit, procedure=birth, implemented=True)
    UnitProcedure.objects.create(
        unit=commune_a, procedure=copy, implemented=False, reason="Chưa phát sinh"
    )
    return World(province, commune_a, centre_a, commune_b, birth, copy)


@pytest.fixture
def bob(world: World) -> User:
    """TTHC-control officer of commune B."""
    return make_user("bob", world.commune_b, Role.TTHC_CONTROL)


@pytest.fixture
def carol(world: World) -> User:
    """TTHC-control officer of commune A."""
    return make_user("carol", world.commune_a, Role.TTHC_CONTROL)


@pytest.fixture
def pat(world: World) -> User:
    """Appraiser at the province: sees every commune."""
    return make_user("pat", world.province, Role.APPRAISER)


@pytest.fixture
def sam(world: World) -> User:
    """Supervisor (People's Council) at the province: reads only."""
    return make_user("sam", world.province, Role.SUPERVISOR)


# -- dossier personas: the one-stop of commune A (Nga Sơn) and its colleagues ------------------
# Receipts happen at fixed moments on the real 2025–2026 calendar (shipped as data), so every due
# moment in the tests can be checked by hand against CALENDAR.md.


@pytest.fixture
def reception(world: World) -> User:
    """Reception officer of commune A: the one persona of the role (each role has one)."""
    return make_user("lan", world.commune_a, Role.RECEPTION, email="lan@nga-son.gov.vn")


@pytest.fixture
def specialist(world: World) -> User:
    return make_user("minh", world.commune_a, Role.SPECIALIST, email="minh@nga-son.gov.vn")


@pytest.fixture
def leader(world: World) -> User:
    return make_user("hung", world.commune_a, Role.LEADER, email="hung@nga-son.gov.vn")


@pytest.fixture
def reception_b(world: World) -> User:
    return make_user("mai", world.commune_b, Role.RECEPTION)


@pytest.fixture
def copy_implemented(world: World) -> None:
    """Commune A implements the 3-working-day certification procedure."""
    world.copy.adoptions.filter(unit=world.commune_a).update(implemented=True, reason="")


@pytest.fixture
def received(world: World, reception: User, copy_implemented: None) -> Dossier:
    """A 3-working-day dossier received Monday 04/08/2025 at 09:00: due Thu 07/08 17:00."""
    return receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04"))


@pytest.fixture
def submitted(world: World, copy_implemented: None, settings: Any, tmp_path: Any) -> Dossier:
    """An online submission waiting at commune A's counter (status 1), made as the portal makes it:
    the form uploaded and stored, then the citizen's own action (`submit_online`) on Sunday
    03/08/2025 at 21:00, so the dossier has its code, its event and its document."""
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")
    checked = check_upload(upload, size=upload.size)
    form = OnlineDocument(
        name="",
        file_name=default_storage.save(f"online/2025/08/to-khai.{checked.extension}", upload),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        position=1,
    )
    return submit_online(
        procedure_code=world.copy.code,
        unit=world.commune_a,
        applicant=Applicant(name="Phạm Minh Châu", phone="0933000111"),
        documents=[form],
        at=at("2025-08-03", 21),
    )


# -- a SIPAS round of commune A on the province's questionnaire (surveys' and parindex' tests) -----


@pytest.fixture
def prov(world: World) -> User:
    """TTHC-control officer of the province: issues the questionnaire."""
    return make_user("thao", world.province, Role.TTHC_CONTROL)


@pytest.fixture
def questionnaire(prov: User, world: World) -> Questionnaire:
    q = survey_actions.import_questionnaire(
        example_doc(), unit=world.province, by=prov, at=at("2025-07-01")
    )
    return survey_actions.activate_questionnaire(q, by=prov, at=at("2025-07-01"))


@pytest.fixture
def survey(questionnaire: Questionnaire, carol: User, world: World) -> SurveyRound:
    """Commune A's round over August 2025, open since 01/09/2025."""
    created = new_round(questionnaire, carol, world.commune_a)
    return survey_actions.open_round(created, by=carol, at=at("2025-09-01", 8, 5))


# -- browser tests: Debian's Chromium driven by Playwright against the live test server ---------
# Locally they are skipped when Chromium is missing; under CI (CI=true) a missing browser fails.

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium is required for the browser tests in CI (apt-get install chromium)"
            )
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests still read the database
    # directly to check what the pages did.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser: Any, live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    """A 360-px-wide phone screen on the live server."""
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()


# -- a real SMTP server, SMS gateway and SMS file (notify's and ops' delivery tests) -------------


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server on a free localhost port, and Django's SMTP backend pointed at it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    """A JSON endpoint on 127.0.0.1 that records each POST and answers with an id."""
    port = free_port()
    state = Gateway(url=f"http://127.0.0.1:{port}/sms")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "json": json.loads(self.rfile.read(length)),
                }
            )
            body = json.dumps({"id": f"gw-{len(state.requests)}"}).encode()
            if state.delay:
                time.sleep(state.delay)
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up waiting (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sms_file(settings: Any, tmp_path: Path) -> Path:
    """The development gateway, writing under a temporary DATA_DIR."""
    settings.DATA_DIR = tmp_path
    settings.SMS_GATEWAY = "cchc.notify.sms.FileSmsGateway"
    return tmp_path / "sms.log"
