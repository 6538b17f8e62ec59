"""Evidence files through the API (issue 14): `POST /api/v1/par/assessments/{id}/evidence/files`,
multipart, beside the JSON endpoint for references, which keeps its contract.

The unit's TTHC-control officer (carol) uploads; the province's appraiser (pat) and supervisor
(sam) read; another commune's officer (bob) gets 404. The file goes through the criterion
page's action (`actions.add_evidence`): judged by its content, never its name; over the limit
413; another kind 422; both naming the criterion, and the page and the API refuse the same file
with the same status and sentence, saving nothing.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cchc.accounts.models import User
from cchc.api import api
from cchc.parindex.actions import add_evidence
from cchc.parindex.actions.errors import DuplicateEvidence
from cchc.parindex.models import Assessment, Evidence
from cchc.parindex.tests.support import round_one_closed, submitted
from cchc.records.tests.support import pdf_bytes
from cchc.testing import bearer, logged_in, run_together

pytestmark = pytest.mark.django_db

CODE = "2.1"  # an appraised criterion of PAR-XA, free score up to 2 points
# A Windows program renamed to look like a scan: the name and the browser's word say PDF.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 400
MIB = 1024 * 1024


def files_url(a: Assessment) -> str:
    return f"/api/v1/par/assessments/{a.pk}/evidence/files"


def crit(a: Assessment, code: str = CODE) -> str:
    return f"/lam-viec/chi-so-cchc/{a.pk}/tieu-chi/{code}/"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def api_upload(
    user: User, a: Assessment, content: bytes, *, code: str = CODE, label: str = "Biên bản"
) -> tuple[int, Any]:
    """The API's answer to a multipart upload with the user's token: status and JSON body."""
    response = Client().post(
        files_url(a),
        {"code": code, "label": label, "file": upload("bien-ban.pdf", content)},
        **bearer(user),
    )
    return response.status_code, response.json()


_FIELD_ERROR = re.compile(r'<ul class="errorlist"[^>]*>\s*<li>(.*?)</li>', re.S)


def page_upload(user: User, a: Assessment, content: bytes) -> tuple[int, str]:
    """The criterion page's answer to the same file: status and the refusal shown at the field."""
    response = logged_in(user).post(
        crit(a),
        {
            "form": "evidence",
            "ev-kind": "file",
            "ev-label": "Biên bản",
            "ev-file": upload("bien-ban.pdf", content),
        },
    )
    found = _FIELD_ERROR.search(response.content.decode())
    return response.status_code, html.unescape(found.group(1)) if found else ""


def stored_files(settings: Any) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_a_real_pdf_is_taken_and_downloaded_by_those_who_see_the_assessment_only(
    assessment: Assessment, carol: User, pat: User, sam: User, bob: User
) -> None:
    pdf = pdf_bytes("Bien ban kiem tra CCHC 2025")
    status, body = api_upload(carol, assessment, pdf, label="Biên bản kiểm tra CCHC")
    assert status == 201, body
    evidence = Evidence.objects.get()
    assert body == {
        "id": evidence.pk,
        "code": CODE,
        "kind": "file",
        "label": "Biên bản kiểm tra CCHC",
        "content_type": "application/pdf",
        "size": len(pdf),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "added_at": body["added_at"],
        "download": f"/api/v1/par/assessments/{assessment.pk}/evidence/files/{evidence.pk}",
    }
    assert evidence.score.criterion.code == CODE and evidence.added_by == carol
    assessment.refresh_from_db()
    assert assessment.status == "self_assessing"  # the first evidence starts self-assessment

    page_url = f"/lam-viec/chi-so-cchc/{assessment.pk}/minh-chung/{evidence.pk}/"
    for user in (carol, pat, sam):
        response = Client().get(body["download"], **bearer(user))
        assert response.status_code == 200, user.username
        assert b"".join(response.streaming_content) == pdf  # type: ignore[attr-defined]
        assert response["Content-Type"] == "application/pdf"
        assert f"minh-chung-{evidence.pk}.pdf" in response["Content-Disposition"]
        assert logged_in(user).get(page_url).status_code == 200
    assert Client().get(body["download"], **bearer(bob)).status_code == 404
    assert logged_in(bob).get(page_url).status_code == 404
    assert Client().get(body["download"]).status_code == 401

    listed = Client().get(f"/api/v1/par/assessments/{assessment.pk}/evidence", **bearer(sam))
    assert listed.json()[0]["code"] == CODE
    assert listed.json()[0]["evidence"][0]["kind"] == "file"


def test_a_piece_of_another_assessment_or_a_reference_is_not_downloaded(
    assessment: Assessment, carol: User
) -> None:
    _status, body = api_upload(carol, assessment, pdf_bytes())
    reference = Client().post(
        f"/api/v1/par/assessments/{assessment.pk}/evidence",
        {"code": CODE, "kind": "record", "label": "Kế hoạch", "ref": "20/KH-UBND"},
        content_type="application/json",
        **bearer(carol),
    )
    assert reference.status_code == 200
    ref_id = Evidence.objects.get(kind="record").pk
    base = f"/api/v1/par/assessments/{assessment.pk}/evidence/files"
    assert Client().get(f"{base}/{ref_id}", **bearer(carol)).status_code == 404
    other = f"/api/v1/par/assessments/{assessment.pk + 1}/evidence/files/{body['id']}"
    assert Client().get(other, **bearer(carol)).status_code == 404


def test_a_renamed_program_is_refused_by_both_doors_alike_and_nothing_is_kept(
    assessment: Assessment, carol: User, settings: Any
) -> None:
    page_status, page_reason = page_upload(carol, assessment, EXE)
    api_status, api_body = api_upload(carol, assessment, EXE)
    assert (page_status, api_status) == (422, 422)
    assert (
        page_reason
        == api_body["detail"]
        == (
            "Tiêu chí 2.1: Chỉ nhận tệp PDF, JPG, PNG, DOCX hoặc XLSX (kiểm tra theo nội dung tệp)."
        )
    )
    assert not Evidence.objects.exists() and stored_files(settings) == []
    assessment.refresh_from_db()
    assert assessment.status == "open"  # not even the move to self-assessing


def test_a_file_over_the_limit_is_refused_with_413_by_both_doors_alike(
    assessment: Assessment, carol: User, settings: Any
) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = MIB
    big = pdf_bytes() + b"%" + b"0" * MIB  # a PDF by its content, a little over 1 MB
    page_status, page_reason = page_upload(carol, assessment, big)
    api_status, api_body = api_upload(carol, assessment, big)
    assert (page_status, api_status) == (413, 413)
    assert page_reason == api_body["detail"] == "Tiêu chí 2.1: Tệp lớn hơn 1 MB."
    assert not Evidence.objects.exists() and stored_files(settings) == []
    # At the limit exactly, it is taken.
    at_limit = pdf_bytes() + b"%" + b"0" * (MIB - len(pdf_bytes()) - 1)
    assert len(at_limit) == MIB
    assert api_upload(carol, assessment, at_limit)[0] == 201


def test_another_units_assessment_is_404_and_nothing_is_saved(
    assessment: Assessment, bob: User, settings: Any
) -> None:
    status, body = api_upload(bob, assessment, pdf_bytes())
    assert status == 404
    assert not Evidence.objects.exists() and stored_files(settings) == []


def test_the_council_reads_but_does_not_add_the_units_evidence(
    assessment: Assessment, pat: User
) -> None:
    status, body = api_upload(pat, assessment, pdf_bytes())
    assert status == 403
    assert not Evidence.objects.exists()


def test_after_submission_the_upload_is_refused_with_409(
    assessment: Assessment, carol: User, settings: Any
) -> None:
    submitted(assessment, carol)
    status, body = api_upload(carol, assessment, pdf_bytes())
    assert status == 409
    assert body["detail"] == (
        "Không thể “Tự chấm điểm” khi kỳ đánh giá đang ở trạng thái “Đã gửi tự đánh giá”."
    )
    assert not Evidence.objects.exists() and stored_files(settings) == []


def test_with_the_explanation_after_round_one_a_file_is_taken_again(
    assessment: Assessment, carol: User, pat: User
) -> None:
    round_one_closed(assessment, carol, pat)
    assessment.refresh_from_db()
    assert assessment.status == "explaining"
    status, body = api_upload(carol, assessment, pdf_bytes(), code="1.4")
    assert status == 201, body
    assert Evidence.objects.get().score.criterion.code == "1.4"


@pytest.mark.parametrize(
    ("code", "label", "status", "says"),
    [
        ("1.7", "Phiếu", 422, "Tiêu chí 1.7"),  # a survey criterion takes no evidence
        ("2", "Phiếu", 422, "Tiêu chí 2"),  # a field, not a criterion that is scored
        ("9.9", "Phiếu", 422, "9.9"),  # not in the set
        (CODE, "", 422, "Tiêu chí 2.1: hãy ghi tên tài liệu kiểm chứng."),
        (CODE, "x" * 301, 400, "label"),
    ],
)
def test_bad_fields_are_refused_naming_the_criterion_or_the_field(
    assessment: Assessment, carol: User, code: str, label: str, status: int, says: str
) -> None:
    answer = api_upload(carol, assessment, pdf_bytes(), code=code, label=label)
    assert answer[0] == status
    assert says in str(answer[1]["detail"]) + str(answer[1].get("errors", ""))
    assert not Evidence.objects.exists()


def test_an_upload_without_a_file_is_refused_with_400(assessment: Assessment, carol: User):
    response = Client().post(
        files_url(assessment), {"code": CODE, "label": "Biên bản"}, **bearer(carol)
    )
    assert response.status_code == 400
    assert "file" in str(response.json())
    assert not Evidence.objects.exists()


def test_the_json_endpoint_keeps_its_contract_and_the_file_one_is_multipart() -> None:
    paths = api.get_openapi_schema()["paths"]
    references = paths["/api/v1/par/assessments/{assessment_id}/evidence"]["post"]
    assert list(references["requestBody"]["content"]) == ["application/json"]
    files = paths["/api/v1/par/assessments/{assessment_id}/evidence/files"]["post"]
    (form,) = files["requestBody"]["content"].values()
    assert list(files["requestBody"]["content"]) == ["multipart/form-data"]
    assert {"code", "label", "file"} <= set(form["schema"]["properties"])
    assert {201, 413} <= set(files["responses"])
    download = paths["/api/v1/par/assessments/{assessment_id}/evidence/files/{evidence_id}"]
    assert "get" in download


def test_the_json_endpoint_still_takes_no_file_kind(assessment: Assessment, carol: User) -> None:
    response = Client().post(
        f"/api/v1/par/assessments/{assessment.pk}/evidence",
        {"code": CODE, "kind": "file", "label": "Biên bản"},
        content_type="application/json",
        **bearer(carol),
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_an_upload_takes_a_bounded_number_of_queries(
    assessment: Assessment, carol: User, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    headers = bearer(carol)
    with django_assert_max_num_queries(30):
        response = client.post(
            files_url(assessment),
            {"code": CODE, "label": "Biên bản", "file": upload("b.pdf", pdf_bytes())},
            **headers,
        )
    assert response.status_code == 201


def test_a_broken_multipart_body_is_refused_in_json_and_stores_nothing(
    assessment: Assessment, carol: User, settings: Any
) -> None:
    # A part whose headers never end (schemathesis sent one): Django's parser gives up; the API
    # answers its own JSON 400, not Django's HTML page.
    boundary = "b0undary"
    body = f"--{boundary}\r\n" + "X" * 10_000 + f"\r\n--{boundary}--\r\n"
    response = Client().post(
        files_url(assessment),
        data=body.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
        **bearer(carol),
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "không đúng định dạng" in response.json()["detail"]
    assert not Evidence.objects.exists() and not stored_files(settings)


# -- the same evidence twice ---------------------------------------------------------------------
# A form sent twice, an upload retried after a lost answer, or the same reference typed again is
# refused with 409 naming the criterion and the piece already there, through both doors alike,
# storing nothing more. The check runs under the assessment's row lock, so copies sent at the
# same moment store one.


def reference(user: User, a: Assessment, ref: str, *, code: str = "2.1") -> Any:
    return Client().post(
        f"/api/v1/par/assessments/{a.pk}/evidence",
        {"code": code, "kind": "record", "label": "Kế hoạch CCHC", "ref": ref},
        content_type="application/json",
        **bearer(user),
    )


def test_the_same_file_again_is_refused_by_both_doors_alike_and_stored_once(
    assessment: Assessment, carol: User, settings: Any
) -> None:
    pdf = pdf_bytes("Bien ban kiem tra")
    assert api_upload(carol, assessment, pdf)[0] == 201
    api_status, api_body = api_upload(carol, assessment, pdf, label="Biên bản (gửi lại)")
    page_status, page_reason = page_upload(carol, assessment, pdf)
    assert (api_status, page_status) == (409, 409)
    assert api_body["detail"] == page_reason
    assert page_reason.startswith(
        "Tiêu chí 2.1 đã có tài liệu kiểm chứng này (“Biên bản”, thêm lúc "
    )
    assert Evidence.objects.count() == 1 and len(stored_files(settings)) == 1


def test_the_same_file_for_another_criterion_and_another_file_for_the_same_are_taken(
    assessment: Assessment, carol: User
) -> None:
    pdf = pdf_bytes("Bien ban kiem tra")
    assert api_upload(carol, assessment, pdf)[0] == 201
    assert api_upload(carol, assessment, pdf, code="1.4")[0] == 201
    assert api_upload(carol, assessment, pdf_bytes("Bao cao quy III"))[0] == 201
    assert Evidence.objects.count() == 3


def test_the_same_reference_again_is_refused_and_another_is_taken(
    assessment: Assessment, carol: User
) -> None:
    assert reference(carol, assessment, "20/KH-UBND").status_code == 200
    again = reference(carol, assessment, "20/KH-UBND")
    assert again.status_code == 409
    assert "Tiêu chí 2.1 đã có tài liệu kiểm chứng này (“Kế hoạch CCHC”" in again.json()["detail"]
    assert reference(carol, assessment, "21/KH-UBND").status_code == 200
    assert Evidence.objects.count() == 2


def test_the_action_refuses_it_with_its_own_error(
    assessment: Assessment, carol: User, tmp_path: Path
) -> None:
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(pdf_bytes())
    for attempt in range(2):
        with path.open("rb") as file:
            if attempt == 0:
                add_evidence(assessment, "2.1", by=carol, kind="file", label="Biên bản", file=file)
            else:
                with pytest.raises(DuplicateEvidence) as refused:
                    add_evidence(
                        assessment, "2.1", by=carol, kind="file", label="Biên bản", file=file
                    )
                assert refused.value.status_code == 409
    assert Evidence.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_copies_sent_at_the_same_moment_store_one(
    assessment: Assessment, carol: User, settings: Any
) -> None:
    pdf = pdf_bytes("Bien ban kiem tra")

    def one() -> int:
        return api_upload(carol, assessment, pdf)[0]

    statuses = run_together([one] * 6)
    assert all(isinstance(s, int) for s in statuses), statuses
    assert statuses.count(201) == 1 and statuses.count(409) == 5, statuses
    assert Evidence.objects.count() == 1 and len(stored_files(settings)) == 1
