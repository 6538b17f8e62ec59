"""The refusals the API gives, stated per endpoint in its OpenAPI description.

Every refusal is `{"detail": …}`: a sentence in Vietnamese, or per field for a model's check (422);
a request the schema refuses (400) also lists the offending fields in `errors`. An endpoint
declares the codes it can give, e.g. `response={200: DossierOut, **refusals(404, 409, 422)}`:
400 (bad input) is declared for every endpoint, since any parameter can be malformed.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str | dict[str, list[str]] | list[str]
    errors: list[dict[str, Any]] | None = None


# What each code means here, for the reader of the schema (the description of the response).
MEANING = {
    400: "Dữ liệu gửi lên không hợp lệ (sai kiểu, quá dài, có ký tự NUL, thiếu trường bắt buộc).",
    401: "Cần mã truy cập API (Bearer) hoặc phiên đăng nhập của cán bộ.",
    403: "Không có quyền thực hiện.",
    404: "Không tìm thấy (hoặc thuộc đơn vị khác).",
    409: "Trạng thái hiện tại không cho phép, hoặc `version` đã cũ.",
    413: "Nội dung gửi lên quá lớn.",
    414: "Địa chỉ (URL) quá dài.",
    415: "Sai kiểu nội dung (Content-Type).",
    422: "Dữ liệu đúng dạng nhưng không hợp lệ theo nghiệp vụ.",
    429: "Gửi quá nhiều yêu cầu; thử lại sau ít phút.",
}


def refusals(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error answers of one endpoint: 400 always, plus `codes`."""
    return {code: ErrorOut for code in sorted({400, *codes})}


STAFF = (401, 403)
"""Codes every staff endpoint can give: no credentials (401), a role or second factor missing (403)."""
