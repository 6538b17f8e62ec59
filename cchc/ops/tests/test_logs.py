"""JSON logs with a request id, and no personal data in them: a receipt, its messages and a
lookup by phone are logged, and the log is searched for the applicant's phone, identity number,
e-mail address and name."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from cchc.notify.delivery import deliver_message
from cchc.notify.models import Message
from cchc.ops.logs import JsonFormatter, RequestIdFilter, redact
from cchc.testing import World, bearer

PHONE = "0912345678"
ID_NUMBER = "038090001234"
EMAIL = "an.nguyen@example.vn"
NAME = "Nguyễn Văn An"


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """Everything logged, at every level, as the production handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_a_receipt_and_its_messages_leave_no_personal_data_in_the_log(
    world: World, reception: Any, copy_implemented: None, log: io.StringIO, sms_file: Any
) -> None:
    receipt = {
        "procedure": world.copy.code,
        "unit": "16300",
        "applicant": {
            "name": NAME,
            "id_number": ID_NUMBER,
            "phone": "0912 345 678",
            "email": EMAIL,
            "address": "Thôn 3, xã Nga Sơn",
        },
        "documents": [{"position": 1, "originals": 1}],
    }
    client = Client()
    response = client.post(
        "/api/v1/dossiers",
        data=json.dumps(receipt),
        content_type="application/json",
        **bearer(reception),
    )
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    for message in Message.objects.all():
        deliver_message(message.pk)  # e-mail to the locmem outbox, SMS to the file
    # A lookup with the phone in the query string, a wrong phone, and a bad request.
    client.get(f"/api/v1/public/dossiers/{code}?phone={PHONE}")
    client.get(f"/api/v1/public/dossiers/{code}?phone=0987654321")
    client.post(
        "/api/v1/dossiers",
        data=json.dumps({**receipt, "channel": "fax"}),
        content_type="application/json",
        **bearer(reception),
    )

    text = log.getvalue()
    lines = records(log)
    assert any(r["logger"] == "cchc.access" and r["path"] == "/api/v1/dossiers" for r in lines)
    assert any("notify: message" in r["message"] for r in lines)
    for value in (PHONE, "0912 345 678", "912345678", ID_NUMBER, EMAIL, NAME, "Thôn 3"):
        assert value not in text, f"{value!r} reached the log"
    # Every line written while a request was served carries its id.
    access = [r for r in lines if r["logger"] == "cchc.access"]
    assert len(access) == 4 and all(len(r["request_id"]) == 32 for r in access)
    assert response["X-Request-ID"] == access[0]["request_id"]


def test_a_record_quoting_personal_data_is_masked(log: io.StringIO) -> None:
    logger = logging.getLogger("cchc.test")
    try:
        raise ValueError(f"duplicate key (phone)=({PHONE}) for {EMAIL}, CCCD {ID_NUMBER}")
    except ValueError:
        logger.exception("could not save +84 912 345 678")
    (record,) = records(log)
    dumped = json.dumps(record, ensure_ascii=False)
    assert PHONE not in dumped and EMAIL not in dumped and ID_NUMBER not in dumped
    assert "912 345 678" not in dumped
    assert record["message"] == "could not save [phone]"
    assert "[phone]" in record["exc_info"] and "[email]" in record["exc_info"]
    assert record["level"] == "ERROR" and record["request_id"] == "-"


def test_what_is_not_personal_stays_readable() -> None:
    line = (
        "dossier 000.30.10.H56-250804-0001 message 1234 at 2025-08-04T09:00:00+07:00 "
        "took 0.035 s from 127.0.0.1, unit 16300, "
        "task 5c896b74-6a8d-4fbf-80d4-038090001234 and 1ad8c0de-0000-4000-8000-0912345678ab"
    )
    assert redact(line) == line
    # A UUID does not shelter what stands next to it.
    assert redact("5c896b74-6a8d-4fbf-80d4-038090001234 038090001234") == (
        "5c896b74-6a8d-4fbf-80d4-038090001234 [number]"
    )


@pytest.mark.django_db
def test_a_request_id_from_nginx_is_kept_and_a_forged_one_replaced(world: World) -> None:
    client = Client()
    kept = client.get("/thu-tuc/", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert kept["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    forged = client.get("/thu-tuc/", HTTP_X_REQUEST_ID="x\nFAKE LOG LINE")
    assert forged["X-Request-ID"] != "x\nFAKE LOG LINE" and len(forged["X-Request-ID"]) == 32
