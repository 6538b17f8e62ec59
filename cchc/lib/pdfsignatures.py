"""Digital signatures found in an uploaded PDF, checked with pyHanko.

Every signature is validated against the trust roots in SIGNING_TRUST_ROOTS (a PEM bundle: the
national root CA and the CAs the province accepts), without network access (revocation is not
fetched). Shared by the dossiers' uploads (cchc/dossiers/signing.py, which also signs) and the
evidence register (cchc/records): a plan or a report that is not digitally signed costs a unit
PAR Index points, so both need the same answer for the same file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)
# pyHanko logs a full traceback at WARNING for every signer it cannot chain to a trust root, which
# is an expected answer here (shown on the page), not an incident.
logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.ERROR)

_lock = threading.Lock()


@dataclass(frozen=True)
class SignatureCheck:
    """One signature in a PDF, as the dossier page shows it."""

    signer: str
    organisation: str
    signed_at: str  # ISO 8601, as the signer's software reported it ("" if absent)
    intact: bool  # the signed bytes are unchanged and the signature verifies
    trusted: bool  # the certificate chains to a configured trust root and is in force
    unmodified: bool  # nothing was changed after signing but what a signature allows
    problem: str = ""

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.unmodified

    @property
    def signed_moment(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.signed_at) if self.signed_at else None


_roots: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


def trust_roots() -> tuple[str, list[Any]]:
    """(a fingerprint of the trust configuration, the root certificates), read again only when
    the file changes."""
    from pyhanko.keys import load_certs_from_pemder

    path = getattr(settings, "SIGNING_TRUST_ROOTS", "")
    if not path:
        return "none", []
    file = Path(path)
    try:
        stat = file.stat()
        key = (path, stat.st_size, stat.st_mtime_ns)
        known = _roots.get(key)
        if known is not None:
            return known
        data = file.read_bytes()
        roots = list(load_certs_from_pemder([str(file)]))
    except (OSError, ValueError):
        logger.warning("SIGNING_TRUST_ROOTS unreadable: %s", path)
        return "unreadable", []
    answer = (hashlib.sha256(data).hexdigest()[:16], roots)
    with _lock:
        _roots.clear()
        _roots[key] = answer
    return answer


def _attribute(name: Any, key: str) -> str:
    value = name.native.get(key, "")
    return ", ".join(value) if isinstance(value, list) else str(value or "")


def check_pdf(content: bytes) -> list[SignatureCheck]:
    """Every signature in the PDF, validated; [] when it has none. Never raises for a bad file:
    an unreadable signature is reported as such."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _fingerprint, roots = trust_roots()
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # a broken PDF is the uploader's problem, not a page error
        logger.info("PDF not readable for signatures", exc_info=True)
        return []
    checks = []
    for signature in embedded:
        try:
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            status = validate_pdf_signature(signature, context)
            cert = status.signing_cert
            reported = status.signer_reported_dt
            # Later revisions are fine if they only add what a signature may be followed by
            # (another signature, validation data, form filling), as pyHanko's diff analysis says.
            level = status.modification_level
            unmodified = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
                status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                and level is not None
                and level <= ModificationLevel.FORM_FILLING
            )
            checks.append(
                SignatureCheck(
                    signer=_attribute(cert.subject, "common_name"),
                    organisation=_attribute(cert.subject, "organization_name"),
                    signed_at=reported.isoformat() if reported else "",
                    intact=bool(status.intact and status.valid),
                    trusted=bool(status.trusted),
                    unmodified=unmodified,
                    problem="" if roots else "no-trust-roots",
                )
            )
        except Exception as exc:  # pyHanko raises many kinds for malformed signatures
            logger.info("Signature not checkable: %s", exc.__class__.__name__)
            checks.append(SignatureCheck("", "", "", False, False, False, problem="unreadable"))
    return checks
