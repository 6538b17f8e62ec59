"""Notify personas and real servers on 127.0.0.1: an SMTP server (aiosmtpd) and a tiny JSON
HTTP server standing in for an SMS gateway. Dossier helpers come from the dossiers' tests."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from cchc.accounts.models import User
from cchc.conftest import World
from cchc.dossiers.actions import Applicant, receive_dossier
from cchc.dossiers.models import Dossier
from cchc.dossiers.tests.conftest import at, receipt_for

ID_NUMBER = "038090001234"
EMAIL = "an.nguyen@example.vn"
PHONE = "0912 345 678"

__all__ = ["ID_NUMBER", "at", "receipt_for"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- SMTP ---------------------------------------------------------------------------------


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


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


# -- the SMS gateway ------------------------------------------------------------------------


@dataclass
class Gateway:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    # Seconds the gateway waits, having recorded the request, before it answers.
    delay: float = 0


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


# -- personas and dossiers --------------------------------------------------------------------


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


@pytest.fixture
def received(world: World, reception: User, copy_implemented: None) -> Dossier:
    """Received Monday 04/08/2025 09:00 with e-mail and phone: due Thursday 07/08 17:00."""
    return receive(world, reception, "2025-08-04")
