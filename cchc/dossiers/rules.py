"""The one-stop rules that the sources leave UNVERIFIED, read from settings (docs/rules.md).

Each is data a deployment sets through the environment, with today's behaviour as its default,
so that when the text of ND 118/2025 and TT 03/2025 is verified a province changes a value, not
the code. Read through these functions (never `settings.X` at import time), so that tests and a
changed setting take effect at once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

# TT 01/2018/TT-VPCP governs the forms of dossiers received before ND 118/2025 and TT 03/2025
# took effect; the forms of later receipts carry the line a deployment sets (FORMS_LEGAL_BASIS),
# by default still this one, until TT 03/2025's annex has been verified.
TT01_2018 = "Thông tư số 01/2018/TT-VPCP ngày 23/11/2018 của Văn phòng Chính phủ"
ND118_EFFECTIVE = dt.date(2025, 7, 1)


def max_reschedules() -> int:
    """How many times an apology may set a new date (ND 61 Art. 19(9): "không quá một lần")."""
    return int(getattr(settings, "ONE_STOP_MAX_RESCHEDULES", 1))


def max_supplements() -> int:
    """How many requests for supplementation after receipt (ND 61 Art. 19(4): once, complete)."""
    return int(getattr(settings, "ONE_STOP_MAX_SUPPLEMENTS", 1))


def supplement_window_days() -> int:
    """Working days after receipt within which a supplementation may be requested (Art. 19(4))."""
    return int(getattr(settings, "ONE_STOP_SUPPLEMENT_WINDOW_DAYS", 3))


def payment_stops_clock() -> bool:
    """Whether waiting for the citizen's fees or taxes stops the legal clock (REFERENCE §1.6:
    UNVERIFIED). Default: the clock runs."""
    return bool(getattr(settings, "ONE_STOP_PAYMENT_STOPS_CLOCK", False))


def next_morning_grace() -> dt.timedelta:
    """How long into the next working day "đầu giờ ngày làm việc tiếp theo" (ND 61 Art. 18) lasts
    for a paper dossier received after the cut-off: reception's hand-over is due then."""
    return dt.timedelta(minutes=int(getattr(settings, "ONE_STOP_NEXT_MORNING_MINUTES", 60)))


def dossier_code_pattern() -> str:
    """TT 01/2018 Art. 19: `<agency identifier>-YYMMDD-NNNN`; a str.format pattern with `agency`,
    `day` (a date) and `number`."""
    return str(getattr(settings, "DOSSIER_CODE_PATTERN", "{agency}-{day:%y%m%d}-{number:04d}"))


def forms_legal_basis(received_on: dt.date | None) -> str:
    """The legal-basis line printed on the forms of a dossier received on that day."""
    if received_on is not None and received_on < ND118_EFFECTIVE:
        return TT01_2018
    return str(getattr(settings, "FORMS_LEGAL_BASIS", "") or TT01_2018)
