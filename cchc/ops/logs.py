"""Logs that operations can read and that carry no personal data.

- Each request gets an id (the `X-Request-ID` nginx sends, else a fresh one), kept in a context
  variable for every record logged while it is served and returned as a response header, so a
  citizen's "mã lỗi" finds the lines of their request.
- `JsonFormatter` writes one JSON object per line (python-json-logger) for the journal or a log
  shipper; `TextFormatter` the same fields as text for a terminal (`LOG_FORMAT`).
- Both pass every string through `redact`: phones, identity numbers and e-mail addresses are
  replaced wherever they come from (an exception's text quoting a row, a URL with a query). The
  code logs ids, never such values; this is the net under that rule.

Imported by the logging configuration, before the apps are ready: no models here.
"""

from __future__ import annotations

import contextvars
import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Vietnamese phones however typed: 0912345678, 0912 345 678, +84 912-345-678, 84912345678.
_PHONE = re.compile(r"(?<![\w.])(?:\+?84|0)(?:[ .-]?\d){8,10}(?!\w)")
# Identity numbers (CCCD 12, CMND 9), tax codes (10 or 13), any other long digit run.
_LONG_NUMBER = re.compile(r"(?<![\w.])\d{9,}(?!\w)")
# Job and request ids are UUIDs, whose last group is sometimes twelve digits: left as they are, or
# an operator could not find the task a line names.
_UUID = re.compile(r"(?<![\w-])([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})(?![\w-])")


def redact(text: str) -> str:
    """`text` with e-mail addresses, phones and long numbers replaced.

    >>> redact("an.nguyen@example.vn, +84 912 345 678, 038090001234, 000.30.10.H56-250804-0001")
    '[email], [phone], [number], 000.30.10.H56-250804-0001'
    """
    parts = _UUID.split(text)  # UUIDs at the odd positions
    for i in range(0, len(parts), 2):
        part = _EMAIL.sub("[email]", parts[i])
        part = _PHONE.sub("[phone]", part)
        parts[i] = _LONG_NUMBER.sub("[number]", part)
    return "".join(parts)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (a dash outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time, level, logger, message, request id, extras, exception."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s %(request_id)s", *args, **kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # Django's request logs pass the request object, whose text shows the query string.
        request = log_data.pop("request", None)
        if request is not None:
            log_data["path"] = getattr(request, "path", "")
        # The request id is ours (hex), and may begin with a run of digits.
        return {
            key: value if key == "request_id" else _clean(value) for key, value in log_data.items()
        }


class TextFormatter(logging.Formatter):
    """The same information for a terminal (the embedded `make run`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return redact(super().format(record))
