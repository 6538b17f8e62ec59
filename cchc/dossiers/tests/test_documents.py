"""Uploads: judged by content and size, stored under names the user never chose, scoped downloads."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cchc.dossiers import actions
from cchc.dossiers.actions import InvalidDossierData
from cchc.dossiers.models import Dossier, DossierDocument
from cchc.dossiers.tests.support import PNG
from cchc.testing import PDF, bearer, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_a_scanned_pdf_is_stored_under_a_random_name(received: Dossier, reception) -> None:
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF, content_type="application/pdf")
    document = actions.attach_document(
        received, by=reception, file=upload, position=1, digitised=True
    )
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert "passwd" not in document.file.name and document.file.name.endswith(".pdf")
    assert document.file.name.startswith("dossiers/2025/08/")
    assert document.name == "Tờ khai" and document.digitised
    assert received.events.filter(action="attach").count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("empty.pdf", b""),
    ],
)
def test_a_disguised_or_empty_file_is_refused(
    received: Dossier, reception, name: str, content: bytes
) -> None:
    with pytest.raises(InvalidDossierData):
        actions.attach_document(received, by=reception, file=SimpleUploadedFile(name, content))
    assert DossierDocument.objects.filter(dossier=received).exclude(file="").count() == 0


def test_size_limits_per_file_and_per_dossier(received: Dossier, reception, settings: Any) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = 100
    with pytest.raises(InvalidDossierData, match="MB"):
        actions.attach_document(
            received, by=reception, file=SimpleUploadedFile("big.png", PNG + b"\x00" * 200)
        )
    settings.UPLOAD_MAX_FILE_BYTES = 10_000
    settings.DOSSIER_MAX_BYTES = 100
    actions.attach_document(received, by=reception, file=SimpleUploadedFile("a.png", PNG))
    with pytest.raises(InvalidDossierData, match="Tổng dung lượng"):
        actions.attach_document(received, by=reception, file=SimpleUploadedFile("b.png", PNG))


def test_upload_and_download_through_the_page(received: Dossier, reception, reception_b) -> None:
    client = logged_in(reception)
    response = client.post(
        f"/lam-viec/ho-so/{received.code}/giay-to/",
        {"file": SimpleUploadedFile("x.pdf", PDF), "kind": "result", "version": "1"},
    )
    assert response.status_code == 302
    document = received.documents.exclude(file="").get()
    got: Any = client.get(f"/lam-viec/ho-so/{received.code}/giay-to/{document.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert f'filename="{received.code}-{document.pk}.pdf"' in got["Content-Disposition"]
    assert (
        logged_in(reception_b)
        .get(f"/lam-viec/ho-so/{received.code}/giay-to/{document.pk}/")
        .status_code
        == 404
    )


def test_upload_through_the_api(received: Dossier, reception) -> None:
    response = Client().post(
        f"/api/v1/dossiers/{received.code}/documents",
        {"file": SimpleUploadedFile("x.png", PNG), "name": "Ảnh chân dung", "version": 1},
        **bearer(reception),
    )
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"
    bad = Client().post(
        f"/api/v1/dossiers/{received.code}/documents",
        {"file": SimpleUploadedFile("x.pdf", b"hello"), "version": 2},
        **bearer(reception),
    )
    assert bad.status_code == 422
    fetched = Client().get(
        f"/api/v1/dossiers/{received.code}/documents/{response.json()['id']}", **bearer(reception)
    )
    assert fetched.status_code == 200
