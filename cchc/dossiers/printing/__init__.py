"""Printable forms of the one-stop: Mẫu 01–06 of TT 01/2018/TT-VPCP as PDF bytes.

Pure functions of the stored dossier (no request), so views, e-mail attachments and batch
printing all produce the same document.
"""

from __future__ import annotations

from collections.abc import Callable

from cchc.dossiers.models import Dossier

from .forms import (
    FormNotApplicable,
    apology_pdf,
    control_slip_pdf,
    incomplete_pdf,
    public_status_path,
    public_status_url,
    receipt_pdf,
    refusal_pdf,
)
from .ledger import ledger_pdf

# The per-dossier forms by their number in the circular.
FORMS: dict[str, Callable[[Dossier], bytes]] = {
    "01": receipt_pdf,
    "02": incomplete_pdf,
    "03": refusal_pdf,
    "04": apology_pdf,
    "05": control_slip_pdf,
}

__all__ = [
    "FORMS",
    "FormNotApplicable",
    "apology_pdf",
    "control_slip_pdf",
    "incomplete_pdf",
    "ledger_pdf",
    "public_status_path",
    "public_status_url",
    "receipt_pdf",
    "refusal_pdf",
]
