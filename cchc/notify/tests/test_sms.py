"""The SMS gateways: the development file and a generic HTTP gateway on localhost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from cchc.dossiers.models import Dossier
from cchc.notify.choices import AttemptOutcome, Channel, MessageStatus
from cchc.notify.delivery import deliver_message, idempotency_digest
from cchc.notify.models import Message
from cchc.notify.sms import FileSmsGateway, HttpSmsGateway, unaccent
from cchc.testing import Gateway


def sms_of(dossier: Dossier) -> Message:
    return Message.objects.get(dossier=dossier, channel=Channel.SMS)


def test_unaccent_keeps_case_and_punctuation() -> None:
    assert unaccent("Đã tiếp nhận hồ sơ – hẹn trả “07/08/2025”.") == (
        'Da tiep nhan ho so - hen tra "07/08/2025".'
    )
    assert unaccent("ĐƯỜNG Ở XÃ NGA SƠN") == "DUONG O XA NGA SON"


def test_the_file_gateway_appends_one_json_line(tmp_path: Path) -> None:
    gateway = FileSmsGateway(tmp_path / "sms.log")
    gateway.send("0912345678", "Xin chao")
    gateway.send("0987654321", "Lan hai")
    lines = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["0912345678", "0987654321"]
    assert json.loads(lines[0])["text"] == "Xin chao"


@pytest.mark.django_db
def test_a_queued_sms_lands_in_the_development_file(sms_file: Path, received: Dossier) -> None:
    message = sms_of(received)
    assert deliver_message(message.pk) == MessageStatus.SENT
    (line,) = sms_file.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["to"] == "0912345678"
    assert received.code in record["text"] and "07/08/2025" in record["text"]


@pytest.mark.django_db
def test_the_http_gateway_posts_json_with_the_token(
    settings: Any, gateway: Gateway, received: Dossier
) -> None:
    settings.SMS_GATEWAY = "cchc.notify.sms.HttpSmsGateway"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TOKEN = "s3cret"
    settings.SMS_SENDER = "UBND-NGASON"
    message = sms_of(received)

    assert deliver_message(message.pk) == MessageStatus.SENT

    (request,) = gateway.requests
    assert request["path"] == "/sms"
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    reference = f"cchc-{message.pk}-{idempotency_digest(message)}"
    assert request["json"] == {
        "to": "0912345678",
        "text": message.body,
        "sender": "UBND-NGASON",
        "reference": reference,
    }
    assert request["headers"]["Idempotency-Key"] == reference
    assert message.delivery_attempts.get().provider_ref == "gw-1"


@pytest.mark.django_db
def test_a_gateway_error_is_recorded_by_status_code_and_retried(
    settings: Any, gateway: Gateway, received: Dossier
) -> None:
    settings.SMS_GATEWAY = "cchc.notify.sms.HttpSmsGateway"
    settings.SMS_HTTP_URL = gateway.url
    gateway.status = 503
    message = sms_of(received)

    assert deliver_message(message.pk) == MessageStatus.QUEUED

    attempt = message.delivery_attempts.get()
    assert (attempt.outcome, attempt.error) == (
        AttemptOutcome.ERROR,
        "urllib.error.HTTPError (503)",
    )
    gateway.status = 200
    assert deliver_message(message.pk) == MessageStatus.SENT
    assert len(gateway.requests) == 2


def test_the_http_gateway_refuses_urls_that_are_not_http() -> None:
    with pytest.raises(ImproperlyConfigured):
        HttpSmsGateway(url="file:///etc/passwd")
