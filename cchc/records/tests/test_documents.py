"""Registering, editing and attaching files: duplicates refused (409), bad input refused (422)
with nothing saved, history kept, PDF signatures found."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from cchc.accounts.models import User
from cchc.dossiers.tests.pki import LocalCA
from cchc.records import actions
from cchc.records.actions import DocumentFields
from cchc.records.choices import EditKind, FileSignature
from cchc.records.models import DocumentEdit, OfficialDocument
from cchc.records.tests.support import NOW, pdf_bytes, register
from cchc.testing import World


def signed_pdf(tmp_path: Path, content: bytes, common: str = "UBND xa Nga Son") -> bytes:
    """`content` signed with pyHanko by a certificate of a CA made for the test."""
    ca = LocalCA.create()
    path = ca.write_p12(tmp_path / "people", "signer", common, passphrase=None)
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=None)
    assert signer is not None
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(content)), meta, signer=signer)
    return bytes(out.getbuffer())


def test_a_document_is_registered_with_its_parts(world: World, keeper: User) -> None:
    document = register(world, keeper, "5/bc-ubnd", title="Báo cáo kết quả CCHC quý I")
    assert (document.reference, document.number, document.issuer) == ("05/BC-UBND", 5, "UBND")
    assert (document.type.key, document.year) == ("report", 2026)
    [history] = DocumentEdit.objects.filter(document=document)
    assert history.kind == EditKind.REGISTERED and history.by == keeper
    assert history.changes["issued_on"] == "06/02/2026"


def test_a_second_document_with_the_same_number_and_symbol_in_the_year_is_refused(
    world: World, keeper: User
) -> None:
    register(world, keeper, "20/KH-UBND")
    with pytest.raises(actions.DuplicateDocument) as caught:
        register(world, keeper, "20/kh-ubnd", title="Một kế hoạch khác")
    assert caught.value.status_code == 409
    assert "20/KH-UBND năm 2026 đã có trong sổ" in caught.value.message
    assert "06/02/2026" in caught.value.message
    assert OfficialDocument.objects.count() == 1


def test_the_same_number_is_free_another_year_and_in_another_unit(
    world: World, keeper: User, keeper_b: User
) -> None:
    register(world, keeper, "20/KH-UBND")
    register(world, keeper, "20/KH-UBND", issued_on=dt.date(2025, 2, 6))
    register(world, keeper_b, "20/KH-UBND", unit=world.commune_b)
    assert OfficialDocument.objects.count() == 3


def test_a_bad_number_is_refused_with_the_reason_and_nothing_is_saved(
    world: World, keeper: User
) -> None:
    with pytest.raises(actions.InvalidRecord) as caught:
        register(world, keeper, "20/KH")
    assert caught.value.status_code == 422
    assert caught.value.field == "reference"
    assert "Thiếu chữ viết tắt tên cơ quan ban hành" in caught.value.message
    assert not OfficialDocument.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"title": "   "}, "title", "Chưa nhập trích yếu"),
        ({"issued_on": dt.date(2026, 3, 3)}, "issued_on", "chưa đến"),
        ({"reference": "05/2025/QĐ-UBND"}, "reference", "khác năm ban hành"),
    ],
)
def test_other_bad_input_is_refused_naming_the_field(
    world: World, keeper: User, change: dict, field: str, reason: str
) -> None:
    fields = DocumentFields("20/KH-UBND", dt.date(2026, 2, 6), "Kế hoạch CCHC")
    with pytest.raises(actions.InvalidRecord) as caught:
        actions.register_document(
            world.commune_a, dataclasses.replace(fields, **change), by=keeper, at=NOW
        )
    assert (caught.value.field, reason in caught.value.message) == (field, True)


def test_a_clerk_reads_but_does_not_keep_the_register(world: World, clerk: User) -> None:
    with pytest.raises(actions.NotAllowed) as caught:
        register(world, clerk)
    assert caught.value.status_code == 403


def test_another_communes_officer_cannot_register_for_commune_a(
    world: World, keeper_b: User
) -> None:
    with pytest.raises(Http404):
        register(world, keeper_b)
    assert not OfficialDocument.objects.exists()


def test_an_edit_is_kept_in_the_history_with_what_changed(world: World, keeper: User) -> None:
    document = register(world, keeper, "20/KH-UBND")
    edited = actions.edit_document(
        document,
        DocumentFields("21/KH-UBND", dt.date(2026, 2, 7), document.title, document.signer),
        by=keeper,
        at=NOW,
    )
    assert edited.reference == "21/KH-UBND"
    last = edited.edits.order_by("-id").first()
    assert last is not None and last.kind == EditKind.EDITED
    assert last.changes == {
        "reference": ["20/KH-UBND", "21/KH-UBND"],
        "issued_on": ["06/02/2026", "07/02/2026"],
    }


def test_an_edit_onto_another_documents_number_is_refused(world: World, keeper: User) -> None:
    register(world, keeper, "20/KH-UBND")
    other = register(world, keeper, "21/KH-UBND")
    with pytest.raises(actions.DuplicateDocument):
        actions.edit_document(
            other, DocumentFields("20/KH-UBND", other.issued_on, other.title), by=keeper, at=NOW
        )
    other.refresh_from_db()
    assert other.reference == "21/KH-UBND"


def test_a_file_that_is_no_pdf_or_office_file_is_refused_and_nothing_saved(
    world: World, keeper: User
) -> None:
    exe = SimpleUploadedFile("kehoach.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(actions.InvalidRecord) as caught:
        register(world, keeper, file=exe)
    assert (caught.value.status_code, caught.value.field) == (422, "file")
    assert "Chỉ nhận tệp PDF" in caught.value.message
    assert not OfficialDocument.objects.exists()


def test_an_unsigned_pdf_is_found_unsigned_even_when_declared_signed(
    world: World, keeper: User
) -> None:
    document = register(
        world,
        keeper,
        declared_signed=True,
        file=SimpleUploadedFile("kh.pdf", pdf_bytes()),
    )
    assert document.file_signature == FileSignature.UNSIGNED
    assert not document.digitally_signed
    assert document.declared_but_unsigned


def test_a_digitally_signed_pdf_is_found_signed(world: World, keeper: User, tmp_path: Path) -> None:
    content = signed_pdf(tmp_path, pdf_bytes())
    document = register(world, keeper, file=SimpleUploadedFile("kh.pdf", content))
    assert document.file_signature == FileSignature.SIGNED
    assert document.digitally_signed
    [found] = document.file_signatures
    assert found["signer"] == "UBND xa Nga Son" and found["intact"]
    assert OfficialDocument.objects.signed().get() == document


def test_a_pdf_changed_after_signing_is_not_counted_signed(
    world: World, keeper: User, tmp_path: Path
) -> None:
    content = bytearray(signed_pdf(tmp_path, pdf_bytes()))
    at = content.find(b"/OneColumn")
    assert at > 0
    content[at : at + 10] = b"/TwoColumn"[:10]  # same length, inside the signed range
    document = register(world, keeper, file=SimpleUploadedFile("kh.pdf", bytes(content)))
    assert document.file_signature == FileSignature.ALTERED
    assert not document.digitally_signed


def test_an_office_file_counts_on_the_officers_word(world: World, keeper: User) -> None:
    word = docx.Document()
    word.add_paragraph("Kế hoạch cải cách hành chính năm 2026")
    buffer = io.BytesIO()
    word.save(buffer)
    document = register(
        world,
        keeper,
        declared_signed=True,
        file=SimpleUploadedFile("kh.docx", buffer.getvalue()),
    )
    assert document.file_signature == FileSignature.NOT_PDF
    assert document.digitally_signed


def test_attaching_a_file_later_is_kept_in_the_history(
    world: World, keeper: User, tmp_path: Path
) -> None:
    document = register(world, keeper)
    actions.attach_file(
        document, SimpleUploadedFile("kh.pdf", signed_pdf(tmp_path, pdf_bytes())), by=keeper
    )
    document.refresh_from_db()
    assert document.file_signature == FileSignature.SIGNED
    last = document.edits.order_by("-id").first()
    assert last is not None and last.changes["file_signature"] == ["", "signed"]
