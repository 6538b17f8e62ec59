"""Helpers the tests of every app share, imported from here (never from a conftest file).

Test code may reach across apps to build its world, so this module sits above every app in the
import order (`pyproject.toml`, `[tool.importlinter]`) and no application module may import it.
The pytest fixtures built on these helpers (personas, the world, the browser, the SMTP server and
the SMS gateway) stay in `cchc/conftest.py`; helpers only one app's tests use live in that app's
`tests/support.py`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import os
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import connection
from django.test import Client

from cchc.accounts.models import ApiToken, User
from cchc.catalogue.models import (
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    StepTemplate,
)
from cchc.dossiers.actions import (
    Applicant,
    Receipt,
    ReceivedDocument,
    receive_dossier,
)
from cchc.dossiers.models import Dossier
from cchc.units.choices import Role
from cchc.units.models import Membership, Unit

PASSWORD = "a-Strong-pass-2026"

# Receipts happen at fixed moments on the real 2025–2026 calendar (shipped as data), so every due
# moment in the tests can be checked by hand against CALENDAR.md.
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The smallest file the upload check accepts as a PDF (a scan handed in or uploaded).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """Province 38 with communes A (16300, with its one-stop centre) and B (16303), and two
    procedures (the `world` fixture of cchc/conftest.py builds it)."""

    province: Unit
    commune_a: Unit
    centre_a: Unit
    commune_b: Unit
    birth: Procedure
    copy: Procedure


def make_user(
    username: str, unit: Unit | None = None, role: str | None = None, **extra: Any
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=username.title(), **extra
    )
    if unit is not None and role is not None:
        Membership.objects.create(user=user, unit=unit, role=role, valid_from=dt.date(2025, 1, 1))
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def bearer(user: User) -> dict[str, Any]:
    _token, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def at(day: str, hour: int = 9, minute: int = 0) -> dt.datetime:
    """at("2025-08-04", 9) → 09:00 on 04/08/2025 in Vietnam."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=TZ)


def receipt_for(world: World, **overrides: Any) -> Receipt:
    values: dict[str, Any] = {
        "procedure_code": world.copy.code,
        "processing_unit": world.commune_a,
        "applicant": Applicant(name="Nguyễn Văn An", id_number="038090001234", phone="0912345678"),
        "documents": [ReceivedDocument(position=1, originals=1)],
    }
    values.update(overrides)
    return Receipt(**values)


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now (a Playwright page)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert bad == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']]}" for v in bad
    )


def make_procedure(
    code: str,
    name: str,
    field: Field,
    *,
    effective_from: dt.date = dt.date(2025, 7, 1),
    days: str = "3",
) -> Procedure:
    procedure = Procedure.objects.create(code=code, field=field, authority_level="commune")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        effective_from=effective_from,
        name=name,
        processing_time=Decimal(days),
        time_unit="working_days",
        online_service="partial",
        keywords="",
    )
    RequiredDocument.objects.create(version=version, position=1, name="Tờ khai", originals=1)
    Fee.objects.create(version=version, position=1, name="Lệ phí", amount_vnd=8000)
    StepTemplate.objects.create(
        version=version, position=1, name="Tiếp nhận", role=Role.RECEPTION, share=Decimal(20)
    )
    StepTemplate.objects.create(
        version=version, position=2, name="Xử lý", role=Role.SPECIALIST, share=Decimal(80)
    )
    procedure.refresh_from_db()
    return procedure


# -- real parallel transactions: threads with their own connections (SQLite and PostgreSQL) ------


def run_together(work: list[Callable[[], Any]]) -> list[Any]:
    """Start every callable at the same moment; return each one's result or exception."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(work)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


# -- a real SMTP server and SMS gateway for the delivery tests (their fixtures: cchc/conftest.py) --

ID_NUMBER = "038090001234"
EMAIL = "an.nguyen@example.vn"
PHONE = "0912 345 678"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    refuse_recipients: bool = False
    # Seconds the server waits before accepting a recipient (a slow server, before any hand-off).
    rcpt_delay: float = 0
    # Seconds the server waits, having stored the message, before it answers the final dot: a
    # client that gives up meanwhile does not know the message was taken.
    data_delay: float = 0
    # The answer to the final dot, e.g. "554 5.6.0 refused" (the message is then not stored).
    data_reply: str = "250 Message accepted for delivery"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        if self.refuse_recipients:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if not self.data_reply.startswith("250"):
            return self.data_reply
        self.envelopes.append(envelope)
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return self.data_reply

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


@dataclass
class Gateway:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    # Seconds the gateway waits, having recorded the request, before it answers.
    delay: float = 0


def applicant(**overrides: Any) -> Applicant:
    values: dict[str, Any] = {
        "name": "Nguyễn Văn An",
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "email": EMAIL,
    }
    values.update(overrides)
    return Applicant(**values)


def receive(world: World, by: User, day: str, hour: int = 9, **applicant_overrides: Any) -> Dossier:
    """A 3-working-day certification received at `day` `hour`:00 in commune A."""
    return receive_dossier(
        receipt_for(world, applicant=applicant(**applicant_overrides)), by=by, at=at(day, hour)
    )


# -- two doors, one answer: what a page shows and what the API says for the same input -----------

_PAGE_ERROR = re.compile(r'<p class="error note" role="alert">(.*?)</p>', re.S)


def page_answer(user: User, path: str, form: dict[str, Any]) -> tuple[int, str]:
    """A staff page's answer to a POST: its status and the refusal shown in place ("" if none)."""
    response = logged_in(user).post(path, form)
    found = _PAGE_ERROR.search(response.content.decode())
    return response.status_code, html.unescape(found.group(1)) if found else ""


def api_answer(user: User, path: str, body: dict[str, Any]) -> tuple[int, str]:
    """The API's answer to a JSON POST with the user's token: its status and the refusal's
    `detail` ("" when it succeeded)."""
    response = Client().post(
        path, data=json.dumps(body), content_type="application/json", **bearer(user)
    )
    return response.status_code, "" if response.status_code == 200 else str(
        response.json().get("detail", "")
    )


# -- browser tests: signing in, and screenshots for review ----------------------------------------

# Screenshots are written only when asked: CCHC_SCREENS=/some/dir pytest … (`make screens`).
SCREENS = os.environ.get("CCHC_SCREENS", "")


def shot(page: Any, name: str) -> None:
    """A full-page screenshot `name`.png into $CCHC_SCREENS, when it is set."""
    if SCREENS:
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENS) / f"{name}.png"), full_page=True)


def log_in(page: Any, user: User | str) -> None:
    """Sign a staff member in through the login page (the test PASSWORD)."""
    page.goto("/tai-khoan/dang-nhap/")
    page.fill("#id_username", user if isinstance(user, str) else user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
