"""What every message's words share, whoever writes them: the three texts of one message and
how an SMS is trimmed and folded. The words themselves live with their domain
(`cchc/dossiers/notices.py`, `cchc/feedback/notices.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from cchc.notify.sms import strip_diacritics, unaccent


@dataclass(frozen=True)
class Texts:
    subject: str
    body: str
    sms: str


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sms_text(text: str) -> str:
    """The text as the SMS carries it: folded to unaccented ASCII unless SMS_STRIP_DIACRITICS
    is off (what is stored is exactly what is sent)."""
    return unaccent(text) if strip_diacritics() else text
