"""Uploaded files are judged by their content, never by their name or the browser's word."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

# What citizens and officers attach: scans (PDF, JPEG, PNG) and office documents.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


class UploadRejected(ValueError):
    pass


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int
    sha256: str


def max_file_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_FILE_BYTES", 10 * 1024 * 1024))


def check_upload(file: IO[bytes], *, size: int | None = None) -> CheckedUpload:
    """The file's real type, size and hash; UploadRejected (with a message for the person) when it
    is empty, too large or not one of the accepted kinds."""
    limit = max_file_bytes()
    if size is not None and size > limit:
        raise UploadRejected(_("Tệp lớn hơn %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    file.seek(0)
    head = file.read(8192)
    if not head:
        raise UploadRejected(_("Tệp rỗng."))
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise UploadRejected(
            _("Chỉ nhận tệp PDF, JPG, PNG, DOCX hoặc XLSX (kiểm tra theo nội dung tệp).")
        )
    digest = hashlib.sha256(head)
    total = len(head)
    while chunk := file.read(1024 * 1024):
        total += len(chunk)
        if total > limit:
            raise UploadRejected(_("Tệp lớn hơn %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
        digest.update(chunk)
    file.seek(0)
    return CheckedUpload(kind.mime, ALLOWED_TYPES[kind.mime], total, digest.hexdigest())
