"""Digital signatures (PAdES) on the PDFs the platform issues, and checks of signed PDFs people
upload.

Signing: a unit signs with its organisation certificate (PKCS#12), kept on the server outside
the repository and outside the database: SIGNING_CERT_DIR holds `<unit code>.p12` and, when the
file has a passphrase, `<unit code>.pass` (its first line). A unit without its own file signs
with the file of its administrative owner (a commune's one-stop centre with the commune's
People's Committee's certificate); nobody signs with a certificate from higher up. Files are
read when they change (keyed by size and modification time), so a renewed certificate needs no
restart, on any number of servers. Signing is a step after rendering: the PDF the printing
module made gets an invisible PAdES B-B signature as an incremental update, so the page looks
exactly as before and any earlier signature stays valid.

Checking (cchc/lib/pdfsignatures.py, shared with the evidence register): every signature in an
uploaded PDF is validated with pyHanko against the trust roots in SIGNING_TRUST_ROOTS, without
network access. The result is kept in the per-process cache
under the file's SHA-256 and the trust roots' fingerprint (a stored document's file never
changes), so the dossier page checks a file about once an hour per process, and costs no query.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.dossiers.models import Dossier, DossierDocument
from cchc.lib.pdfsignatures import SignatureCheck, check_pdf
from cchc.lib.pdfsignatures import trust_roots as _trust_roots
from cchc.units.choices import Role
from cchc.units.models import Unit, active_memberships

logger = logging.getLogger(__name__)

# Printed forms that may carry the unit's signature, with the unit that issues each (as in
# the form's header): the receipt is the one-stop's, the apology the processing body's.
SIGNABLE_FORMS: dict[str, Callable[[Dossier], Unit]] = {
    "01": lambda d: d.receiving_unit,
    "04": lambda d: d.processing_unit,
}
# Who may sign in the unit's name: people of the same administrative unit in these roles.
FORM_SIGNERS = frozenset({Role.RECEPTION, Role.LEADER, Role.TTHC_CONTROL, Role.ADMINISTRATOR})
RESULT_SIGNERS = frozenset({Role.LEADER, Role.ADMINISTRATOR})

_SAFE_CODE = re.compile(r"^[0-9A-Za-z._-]{1,50}$")
_CHECK_VERSION = 1
# A PDF larger than this is not parsed for signatures on a page view.
MAX_CHECK_BYTES = 30 * 1024 * 1024


class SigningUnavailable(Exception):
    """Signing cannot happen; the message says why, for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- the units' certificates ----------------------------------------------------------------------


def _cert_dir() -> Path | None:
    folder = getattr(settings, "SIGNING_CERT_DIR", "")
    return Path(folder) if folder else None


def certificate_file(unit: Unit) -> tuple[Unit, Path] | None:
    """(the unit whose certificate signs for `unit`, its .p12 file), or None without one."""
    folder = _cert_dir()
    if folder is None:
        return None
    path = folder / f"{unit.code}.p12"
    if _SAFE_CODE.match(unit.code) and path.is_file():
        return unit, path
    # Read only when needed: the owner is one more query.
    owner = unit.admin_owner if unit.admin_owner_id and unit.admin_owner_id != unit.pk else None
    if owner is not None:
        path = folder / f"{owner.code}.p12"
        if _SAFE_CODE.match(owner.code) and path.is_file():
            return owner, path
    return None


@dataclass(frozen=True)
class _Loaded:
    stamp: tuple[Any, ...]
    signer: Any
    subject: str
    not_before: dt.datetime
    not_after: dt.datetime


_loaded: dict[Path, _Loaded] = {}
_lock = threading.Lock()


def _stamp(path: Path, passfile: Path) -> tuple[Any, ...]:
    stat = path.stat()
    extra: tuple[Any, ...] = ()
    if passfile.is_file():
        pstat = passfile.stat()
        extra = (pstat.st_size, pstat.st_mtime_ns)
    return (stat.st_size, stat.st_mtime_ns, *extra)


def _load(path: Path) -> _Loaded:
    from pyhanko.sign import signers

    passfile = path.with_suffix(".pass")
    stamp = _stamp(path, passfile)
    with _lock:
        known = _loaded.get(path)
    if known is not None and known.stamp == stamp:
        return known
    passphrase = None
    if passfile.is_file():
        lines = passfile.read_text(encoding="utf-8").splitlines()
        passphrase = lines[0].encode() if lines else b""
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase)
    except (ValueError, OSError):
        signer = None
    if signer is None:
        # pyHanko logs the cause; never the passphrase.
        raise SigningUnavailable(
            _("Không mở được chứng thư số của đơn vị (tệp %(name)s hoặc mật khẩu không đúng).")
            % {"name": path.name}
        )
    cert = signer.signing_cert
    loaded = _Loaded(
        stamp=stamp,
        signer=signer,
        subject=cert.subject.human_friendly,
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
    )
    with _lock:
        _loaded[path] = loaded
    return loaded


@dataclass(frozen=True)
class UnitCertificate:
    unit: Unit
    subject: str
    not_after: dt.datetime


def unit_certificate(unit: Unit) -> UnitCertificate | None:
    """The certificate `unit` would sign with, or None when it has none configured."""
    found = certificate_file(unit)
    if found is None:
        return None
    owner, path = found
    loaded = _load(path)
    return UnitCertificate(owner, loaded.subject, loaded.not_after)


def may_sign(user: Any, unit: Unit, roles: frozenset[str]) -> bool:
    """Whether `user` may sign in `unit`'s name: a role in `roles` held in the same
    administrative unit (a province officer does not sign for a commune)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        m.role in roles and m.unit.admin_owner_id == unit.admin_owner_id
        for m in active_memberships(user)
    )


def sign_pdf(
    content: bytes, unit: Unit, *, reason: str, location: str = "", now: dt.datetime | None = None
) -> bytes:
    """`content` with an invisible PAdES signature of `unit` (or its administrative owner)
    added as an incremental update. For reports and exports too:

        signed = sign_pdf(pdf_bytes, unit, reason="Báo cáo tình hình giải quyết TTHC")
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers

    found = certificate_file(unit)
    if found is None:
        raise SigningUnavailable(
            _("Đơn vị %(unit)s chưa được cấu hình chứng thư số để ký.") % {"unit": unit.name}
        )
    owner, path = found
    loaded = _load(path)
    moment = now or timezone.now()
    if not loaded.not_before <= moment <= loaded.not_after:
        raise SigningUnavailable(
            _("Chứng thư số của %(unit)s chỉ có hiệu lực từ %(start)s đến %(end)s.")
            % {
                "unit": owner.name,
                "start": timezone.localtime(loaded.not_before).strftime("%d/%m/%Y"),
                "end": timezone.localtime(loaded.not_after).strftime("%d/%m/%Y"),
            }
        )
    try:
        existing = len(PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures)
        writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=f"CCHC{existing + 1}",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location or owner.name,
            name=owner.name,
        )
        signed = signers.sign_pdf(writer, meta, signer=loaded.signer)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise SigningUnavailable(
            _("Không ký được tệp này: tệp PDF bị hỏng hoặc không đúng chuẩn.")
        ) from exc
    # Which unit signed, never what: the document carries personal data.
    logger.info("PDF signed with the certificate of unit %s", owner.code)
    return bytes(signed.getbuffer())


def form_signing_unit(dossier: Dossier, form: str) -> Unit | None:
    pick = SIGNABLE_FORMS.get(form)
    return pick(dossier) if pick else None


def sign_form(content: bytes, dossier: Dossier, form: str, *, by: Any) -> bytes:
    """The printed form `form` of `dossier`, signed by the unit that issues it; raises
    SigningUnavailable (with the reason) when that cannot be, PermissionDenied-like cases
    included."""
    unit = form_signing_unit(dossier, form)
    if unit is None:
        raise SigningUnavailable(_("Mẫu %(form)s không ký số được.") % {"form": form})
    if not may_sign(by, unit, FORM_SIGNERS):
        raise SigningUnavailable(
            _("Chỉ cán bộ của %(unit)s mới ký số giấy tờ của đơn vị.") % {"unit": unit.name}
        )
    # Part of the signed document: in Vietnamese whatever the language of the page.
    return sign_pdf(content, unit, reason=f"Mẫu {form}, hồ sơ {dossier.code}")


def signable_forms(dossier: Dossier, user: Any) -> set[str]:
    """The form numbers the dossier page offers as signed PDFs to this user."""
    if _cert_dir() is None:
        return set()
    offered = set()
    for form, pick in SIGNABLE_FORMS.items():
        unit = pick(dossier)
        if certificate_file(unit) is not None and may_sign(user, unit, FORM_SIGNERS):
            offered.add(form)
    return offered


def can_sign_results(dossier: Dossier, user: Any) -> bool:
    unit = dossier.processing_unit
    return certificate_file(unit) is not None and may_sign(user, unit, RESULT_SIGNERS)


# -- checking signed PDFs -----------------------------------------------------------------------


def document_signatures(document: DossierDocument) -> list[SignatureCheck] | None:
    """The checked signatures of a stored document; None when it is not a PDF (or too large
    to check on a page view)."""
    if document.content_type != "application/pdf" or not document.file:
        return None
    if document.size > MAX_CHECK_BYTES:
        return None
    fingerprint, _roots = _trust_roots()
    digest = document.sha256 or ""
    key = f"pdfsig:{_CHECK_VERSION}:{fingerprint}:{digest}" if digest else ""
    store = caches["local"]
    if key:
        cached = store.get(key)
        if cached is not None:
            return [SignatureCheck(**item) for item in cached]
    try:
        with document.file.open("rb") as f:
            content = f.read()
    except OSError:
        logger.warning("Stored document %s unreadable", document.pk)
        return None
    checks = check_pdf(content)
    if key:
        # An hour: validity depends on the time too (a certificate expires), not only on bytes.
        store.set(key, [asdict(c) for c in checks], timeout=3600)
    return checks
