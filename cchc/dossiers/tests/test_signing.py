"""Digital signatures: the receipt (Mẫu 01) and results signed with the unit's certificate
(PAdES, pyHanko), uploaded signed PDFs checked and shown with their signer and validity on the
dossier page. Certificates come from a CA the tests create (pki.py)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from fpdf import FPDF
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from cchc.dossiers import actions, signing
from cchc.dossiers.models import Dossier, DossierDocument
from cchc.dossiers.tests.pki import LocalCA
from cchc.testing import World, logged_in, make_user
from cchc.units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def ca() -> LocalCA:
    return LocalCA.create()


@pytest.fixture
def pki(settings: Any, tmp_path: Path, ca: LocalCA) -> Path:
    """The province's set-up: commune A's certificate in SIGNING_CERT_DIR, the test CA trusted."""
    folder = tmp_path / "signing"
    ca.write_p12(folder, "16300", "UBND xã Nga Sơn")
    settings.SIGNING_CERT_DIR = str(folder)
    settings.SIGNING_TRUST_ROOTS = str(ca.write_pem(tmp_path / "trust-roots.pem"))
    settings.MEDIA_ROOT = tmp_path / "media"
    return folder


def _pdf(text: str = "Giay khai sinh") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=16)
    pdf.cell(text=text)
    return bytes(pdf.output())


def _signed_by(ca: LocalCA, tmp_path: Path, common: str, content: bytes) -> bytes:
    """`content` signed by a person holding a certificate from `ca` (not through the platform)."""
    path = ca.write_p12(tmp_path / "people", common.replace(" ", "-"), common, passphrase=None)
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=None)
    assert signer is not None
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(content)), meta, signer=signer)
    return bytes(out.getbuffer())


def _messages(client: Client, response: Any) -> str:
    page = client.get(response["Location"])
    return page.content.decode()


# -- the receipt ------------------------------------------------------------------------------


def test_the_receipt_is_signed_with_the_receiving_units_certificate(
    pki: Path, received: Dossier, reception: Any
) -> None:
    client = logged_in(reception)
    page = client.get(f"/lam-viec/ho-so/{received.code}/").content.decode()
    assert f"/lam-viec/ho-so/{received.code}/mau-01.pdf?signed=1" in page
    response = client.get(f"/lam-viec/ho-so/{received.code}/mau-01.pdf?signed=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "ky-so" in response["Content-Disposition"]
    [signature] = signing.check_pdf(response.content)
    assert signature.signer == "UBND xã Nga Sơn"
    assert signature.valid
    assert signature.signed_moment is not None
    # The plain print carries no signature.
    plain = client.get(f"/lam-viec/ho-so/{received.code}/mau-01.pdf")
    assert signing.check_pdf(plain.content) == []


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_the_signed_receipt_looks_exactly_like_the_unsigned_one(
    pki: Path, received: Dossier, reception: Any, tmp_path: Path
) -> None:
    client = logged_in(reception)
    pages = {}
    for name, query in (("plain", ""), ("signed", "?signed=1")):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(client.get(f"/lam-viec/ho-so/{received.code}/mau-01.pdf{query}").content)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / name)], check=True)
        pages[name] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))]
    assert pages["plain"] and pages["signed"] == pages["plain"]


def test_a_one_stop_centre_signs_with_its_communes_certificate(pki: Path, world: World) -> None:
    found = signing.certificate_file(world.centre_a)
    assert found is not None and found[0] == world.commune_a
    # Never with a certificate from higher up, nor a sibling's.
    assert signing.certificate_file(world.province) is None
    assert signing.certificate_file(world.commune_b) is None


def test_only_the_units_own_staff_may_sign_its_receipt(
    pki: Path, received: Dossier, world: World, pat: Any, reception_b: Any
) -> None:
    # A province appraiser sees every commune's dossiers but does not sign in their name.
    client = logged_in(pat)
    assert "signed=1" not in client.get(f"/lam-viec/ho-so/{received.code}/").content.decode()
    response = client.get(f"/lam-viec/ho-so/{received.code}/mau-01.pdf?signed=1")
    assert response.status_code == 302
    assert "Chỉ cán bộ của Xã Nga Sơn mới ký số" in _messages(client, response)
    # Another commune's officer does not even find the dossier.
    assert (
        logged_in(reception_b)
        .get(f"/lam-viec/ho-so/{received.code}/mau-01.pdf?signed=1")
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no certificate", "chưa được cấu hình chứng thư số"),
        ("wrong passphrase", "không mở được chứng thư số"),
        ("expired", "chỉ có hiệu lực từ"),
    ],
)
def test_when_the_receipt_cannot_be_signed_the_page_says_why(
    pki: Path, ca: LocalCA, received: Dossier, reception: Any, case: str, message: str
) -> None:
    if case == "no certificate":
        (pki / "16300.p12").unlink()
    elif case == "wrong passphrase":
        (pki / "16300.pass").write_text("sai\n")
    else:
        past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        ca.write_p12(
            pki, "16300", "UBND xã Nga Sơn", valid_from=past, valid_to=past.replace(year=2021)
        )
    client = logged_in(reception)
    response = client.get(f"/lam-viec/ho-so/{received.code}/mau-01.pdf?signed=1")
    assert response.status_code == 302
    assert message in _messages(client, response).lower()


def test_a_renewed_certificate_is_used_without_a_restart(
    pki: Path, ca: LocalCA, received: Dossier, reception: Any
) -> None:
    unit = received.receiving_unit
    first = signing.check_pdf(signing.sign_pdf(_pdf(), unit, reason="x"))
    ca.write_p12(pki, "16300", "UBND xã Nga Sơn (gia hạn)")
    second = signing.check_pdf(signing.sign_pdf(_pdf(), unit, reason="x"))
    assert [s.signer for s in first + second] == ["UBND xã Nga Sơn", "UBND xã Nga Sơn (gia hạn)"]


# -- results --------------------------------------------------------------------------------------


def test_a_leader_signs_a_result_and_the_signed_copy_joins_the_dossier(
    pki: Path, received: Dossier, leader: Any
) -> None:
    result = actions.attach_document(
        received,
        by=leader,
        file=SimpleUploadedFile("kq.pdf", _pdf()),
        name="Bản sao",
        kind="result",
    )
    client = logged_in(leader)
    page = client.get(f"/lam-viec/ho-so/{received.code}/").content.decode()
    assert f"/giay-to/{result.pk}/ky-so/" in page
    response = client.post(f"/lam-viec/ho-so/{received.code}/giay-to/{result.pk}/ky-so/")
    assert response.status_code == 302
    signed = (
        DossierDocument.objects.filter(dossier=received)
        .exclude(file="")
        .exclude(pk=result.pk)
        .get()
    )
    assert signed.kind == "result" and signed.name == "Bản sao (đã ký số)"
    [signature] = signing.document_signatures(signed) or []
    assert signature.valid and signature.signer == "UBND xã Nga Sơn"
    assert "Chữ ký số hợp lệ" in _messages(client, response)


def test_a_reception_clerk_may_not_sign_results(
    pki: Path, received: Dossier, reception: Any
) -> None:
    result = actions.attach_document(
        received, by=reception, file=SimpleUploadedFile("kq.pdf", _pdf()), kind="result"
    )
    client = logged_in(reception)
    assert (
        f"/giay-to/{result.pk}/ky-so/"
        not in client.get(f"/lam-viec/ho-so/{received.code}/").content.decode()
    )
    response = client.post(f"/lam-viec/ho-so/{received.code}/giay-to/{result.pk}/ky-so/")
    assert "Chỉ lãnh đạo hoặc quản trị" in _messages(client, response)
    assert DossierDocument.objects.filter(dossier=received).count() == 2  # the form's item and kq


def test_another_communes_leader_gets_404_when_signing(
    pki: Path, received: Dossier, leader: Any, world: World
) -> None:
    result = actions.attach_document(
        received, by=leader, file=SimpleUploadedFile("kq.pdf", _pdf()), kind="result"
    )
    stranger = make_user("lanh-dao-b", world.commune_b, Role.LEADER)
    response = logged_in(stranger).post(
        f"/lam-viec/ho-so/{received.code}/giay-to/{result.pk}/ky-so/"
    )
    assert response.status_code == 404


# -- uploaded signed PDFs -------------------------------------------------------------------------


def test_the_dossier_page_shows_who_signed_an_upload_and_whether_it_is_valid(
    pki: Path, ca: LocalCA, tmp_path: Path, received: Dossier, reception: Any
) -> None:
    stranger_ca = LocalCA.create("CA không được tin cậy")
    good = _signed_by(ca, tmp_path, "Nguyen Van Truong", _pdf("Ban goc"))
    tampered = bytearray(_signed_by(ca, tmp_path, "Tran Thi Sua", _pdf("Ban sua")))
    at = tampered.index(b"/Producer")
    tampered[at + 12] ^= 1
    unknown = _signed_by(stranger_ca, tmp_path, "Le Van La", _pdf("Ban la"))
    client = logged_in(reception)
    for name, content in (
        ("good.pdf", good),
        ("tampered.pdf", bytes(tampered)),
        ("unknown.pdf", unknown),
        ("plain.pdf", _pdf()),
    ):
        response = client.post(
            f"/lam-viec/ho-so/{received.code}/giay-to/",
            {
                "file": SimpleUploadedFile(name, content),
                "name": name,
                "kind": "submitted",
                # The version the page showed: each upload moves it on.
                "version": str(Dossier.objects.get(pk=received.pk).row_version),
            },
        )
        assert response.status_code == 302, response.content
    page = client.get(f"/lam-viec/ho-so/{received.code}/").content.decode()
    blocks = {
        name: page.split(name, 1)[1].split("</li>", 1)[0]
        for name in ("good.pdf", "tampered.pdf", "unknown.pdf", "plain.pdf")
    }
    assert "Chữ ký số hợp lệ" in blocks["good.pdf"] and "Nguyen Van Truong" in blocks["good.pdf"]
    assert "tệp đã bị sửa sau khi ký" in blocks["tampered.pdf"]
    assert (
        "không do CA tin cậy cấp" in blocks["unknown.pdf"] and "Le Van La" in blocks["unknown.pdf"]
    )
    assert "chữ ký" not in blocks["plain.pdf"].lower()


def test_without_trust_roots_the_page_says_the_signer_was_not_verified(
    pki: Path, ca: LocalCA, tmp_path: Path, settings: Any
) -> None:
    settings.SIGNING_TRUST_ROOTS = ""
    [signature] = signing.check_pdf(_signed_by(ca, tmp_path, "Nguyen Van Truong", _pdf()))
    assert signature.intact and not signature.trusted and signature.problem == "no-trust-roots"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", b"%PDF-1.7\n\x00\xff garbage", b""],
)
def test_a_broken_pdf_is_reported_unsigned_not_as_an_error(content: bytes) -> None:
    assert signing.check_pdf(content) == []


def test_a_signed_pdf_is_checked_once_per_process(
    pki: Path, ca: LocalCA, tmp_path: Path, received: Dossier, reception: Any, monkeypatch: Any
) -> None:
    document = actions.attach_document(
        received,
        by=reception,
        file=SimpleUploadedFile("s.pdf", _signed_by(ca, tmp_path, "Nguyen Van Truong", _pdf())),
    )
    calls: list[bytes] = []
    real = signing.check_pdf

    def counted(content: bytes) -> list[signing.SignatureCheck]:
        calls.append(content)
        return real(content)

    monkeypatch.setattr(signing, "check_pdf", counted)
    first = signing.document_signatures(document)
    second = signing.document_signatures(document)
    assert first == second and first and first[0].valid
    assert len(calls) == 1
