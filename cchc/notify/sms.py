"""SMS gateways: one small interface, chosen by the `SMS_GATEWAY` setting (a dotted path).

Vietnamese gateways (brand-name SMS) commonly accept only unaccented GSM-7 text, and an
unaccented message fits 160 characters per segment instead of 70, so texts are folded to ASCII by
default (`SMS_STRIP_DIACRITICS`). Folding happens when the message is written, so the stored
body is exactly what was sent.
"""

from __future__ import annotations

import json
import unicodedata
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

DEFAULT_GATEWAY = "cchc.notify.sms.FileSmsGateway"

# Typographic characters with no GSM-7 equivalent, replaced by their plain ASCII look-alikes.
_ASCII_LOOKALIKES = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)


def unaccent(text: str) -> str:
    """Vietnamese without diacritics, keeping case and punctuation (unlike `cchc.lib.text.fold`,
    which is for search keys).

    >>> unaccent("Đã tiếp nhận hồ sơ – hẹn trả “07/08/2025”.")
    'Da tiep nhan ho so - hen tra "07/08/2025".'
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_ASCII_LOOKALIKES))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def strip_diacritics() -> bool:
    return bool(getattr(settings, "SMS_STRIP_DIACRITICS", True))


class SmsError(Exception):
    """The gateway refused or could not take the message; worth retrying later."""


class SmsGateway:
    """Hands one text to one phone number. Returns the gateway's message id, if it gives one.

    `reference` is the message's idempotency key, the same on every try: a gateway that drops a
    second request with a reference it has seen sets `deduplicates`, and then a try whose outcome
    is unknown (a timeout after the request went out) is simply retried; otherwise the message
    is marked possibly sent and left to an administrator (cchc.notify.delivery).

    Implementations raise on failure (any exception counts as a failed attempt) and must not put
    the phone number or the text into the exception's message: only the class and a status code
    are recorded, but a traceback may reach a log. `SmsError` says the gateway certainly did not
    take the message.
    """

    deduplicates = False

    def send(self, phone: str, text: str, *, reference: str = "") -> str | None:
        raise NotImplementedError


class FileSmsGateway(SmsGateway):
    """Development: appends one JSON line per message to `DATA_DIR/sms.log` (or `SMS_FILE_PATH`)."""

    def __init__(self, path: str | Path | None = None) -> None:
        configured = path or getattr(settings, "SMS_FILE_PATH", None)
        self.path = Path(configured) if configured else Path(settings.DATA_DIR) / "sms.log"

    def send(self, phone: str, text: str, *, reference: str = "") -> str | None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": phone, "text": text, "reference": reference},
            ensure_ascii=False,
        )
        # One write of one line in append mode: concurrent workers do not interleave lines.
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
        return None


class HttpSmsGateway(SmsGateway):
    """A generic JSON gateway: POST {"to", "text", "sender", "reference"} to `SMS_HTTP_URL` with
    `Authorization: Bearer <SMS_HTTP_TOKEN>` and the reference also as `Idempotency-Key`; any 2xx
    is success, and a JSON reply's "id" (or "message_id") is kept as the provider reference.
    `SMS_HTTP_DEDUPLICATES=1` says the gateway drops a repeated reference."""

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        sender: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url if url is not None else getattr(settings, "SMS_HTTP_URL", "")
        self.token = token if token is not None else getattr(settings, "SMS_HTTP_TOKEN", "")
        self.sender = sender if sender is not None else getattr(settings, "SMS_SENDER", "CCHC")
        self.timeout = float(
            timeout if timeout is not None else getattr(settings, "SMS_HTTP_TIMEOUT", 10)
        )
        self.deduplicates = bool(getattr(settings, "SMS_HTTP_DEDUPLICATES", False))
        # urllib also opens file:// and ftp:// URLs: refuse anything but HTTP(S) up front.
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("SMS_HTTP_URL must be an http:// or https:// URL")

    def send(self, phone: str, text: str, *, reference: str = "") -> str | None:
        payload = json.dumps(
            {"to": phone, "text": text, "sender": self.sender, "reference": reference}
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
                **({"Idempotency-Key": reference} if reference else {}),
            },
        )
        # HTTPError (4xx/5xx) and URLError propagate: the caller records their class and code.
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            raw = response.read(64 * 1024)
        return _provider_ref(raw)


def _provider_ref(raw: bytes) -> str | None:
    try:
        data: Any = json.loads(raw or b"null")
    except ValueError:
        return None
    if isinstance(data, dict):
        ref = data.get("id", data.get("message_id"))
        if ref is not None:
            return str(ref)[:100]
    return None


def get_gateway() -> SmsGateway:
    path = getattr(settings, "SMS_GATEWAY", DEFAULT_GATEWAY) or DEFAULT_GATEWAY
    cls = import_string(path)
    gateway = cls()
    if not isinstance(gateway, SmsGateway):
        raise ImproperlyConfigured(f"SMS_GATEWAY {path} is not an SmsGateway")
    return gateway
