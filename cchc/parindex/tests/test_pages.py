"""The PAR Index's staff pages as each role sees them: the unit's TTHC-control officer (carol)
self-scores and explains, the province's appraiser (pat) appraises and moves the cycle on, the
supervisor (sam) only reads, another commune's officer (bob) gets 404. Each form's good and bad
input; a refused form saves nothing; no control is shown that the actions would refuse."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.choices import Method, Status
from cchc.parindex.models import Assessment, Evidence, Score, ScoreChange
from cchc.testing import at, logged_in

pytestmark = pytest.mark.django_db

CODE = "2.1"  # free score up to 2 points


def page(a: Assessment) -> str:
    return f"/lam-viec/chi-so-cchc/{a.pk}/"


def crit(a: Assessment, code: str = CODE) -> str:
    return f"/lam-viec/chi-so-cchc/{a.pk}/tieu-chi/{code}/"


def step(a: Assessment, action: str) -> str:
    return f"/lam-viec/chi-so-cchc/{a.pk}/buoc/{action}/"


def score(a: Assessment, code: str = CODE) -> Score:
    return Score.objects.get(assessment=a, criterion__code=code)


def leaves(a: Assessment) -> list[Score]:
    return list(
        Score.objects.filter(assessment=a)
        .exclude(criterion__method=Method.SURVEY)
        .select_related("criterion")
        .order_by("criterion__order")
    )


def self_score_all(a: Assessment, carol: User) -> None:
    entries = [actions.SelfEntry(s.criterion.code, s.criterion.max_score) for s in leaves(a)]
    actions.self_assess(a, entries, by=carol, at=at("2025-11-01"))


def submitted(a: Assessment, carol: User) -> Assessment:
    self_score_all(a, carol)
    return actions.submit(a, by=carol, at=at("2025-11-10"))


def appraise_all(a: Assessment, pat: User, *, lose: str = CODE) -> Assessment:
    entries = [
        actions.AppraisalEntry(s.criterion.code)
        if s.criterion.code != lose
        else actions.AppraisalEntry(lose, "1", "Kế hoạch không ký số")
        for s in leaves(a)
    ]
    return actions.appraise(a, 1, entries, by=pat, at=at("2025-11-20"))


def html(response: Any) -> str:
    return response.content.decode()


STEP_FORMS = 'action="/lam-viec/chi-so-cchc/'


# -- the list and the scoping ------------------------------------------------------------------


def test_nav_and_list_show_the_assessment_with_progress(assessment: Assessment, carol: User):
    actions.set_self_score(assessment, CODE, "1,5", by=carol, at=at("2025-10-05"))
    actions.add_evidence(
        assessment, CODE, by=carol, kind="record", label="Kế hoạch CCHC", ref="20/KH-UBND"
    )
    body = html(logged_in(carol).get("/lam-viec/chi-so-cchc/"))
    assert 'href="/lam-viec/chi-so-cchc/"' in body  # the navigation link
    assert f'href="{page(assessment)}"' in body
    assert f"1/{len(leaves(assessment))} tiêu chí có minh chứng" in body
    assert "15/11/2025" in body and "20/12/2025" in body
    assert "Đang tự đánh giá" in body
    assert "2025" in body and "2.025" not in body
    assert "(dự kiến)" in body


def test_the_list_reads_all_assessments_in_the_same_queries_with_each_ones_index(
    assessment: Assessment, world: Any, carol: User, pat: User, commune_set: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cchc.parindex.results import totals

    actions.set_self_score(assessment, CODE, "1,5", by=carol, at=at("2025-10-05"))
    client = logged_in(pat)
    client.get("/lam-viec/chi-so-cchc/")  # the session and the user's units, read once
    with CaptureQueriesContext(connection) as one:
        client.get("/lam-viec/chi-so-cchc/")
    other = actions.open_assessment(
        world.commune_b,
        commune_set,
        by=pat,
        self_assessment_due=assessment.self_assessment_due,
        appraisal_due=assessment.appraisal_due,
        at=at("2025-10-01"),
    )
    with CaptureQueriesContext(connection) as two:
        body = html(client.get("/lam-viec/chi-so-cchc/"))
    assert len(two) == len(one)
    assert f'href="{page(other)}"' in body and f'href="{page(assessment)}"' in body
    # The list's index is the assessment page's (results.totals), 1,5 of 70 appraised points.
    index = totals(assessment).index
    assert index == Decimal("2.14") and "2,14" in body


@pytest.mark.parametrize("who", ["carol", "pat", "sam"])
def test_each_role_of_the_unit_sees_every_page(assessment: Assessment, who: str, request: Any):
    user = request.getfixturevalue(who)
    client = logged_in(user)
    assert f'href="{page(assessment)}"' in html(client.get("/lam-viec/chi-so-cchc/"))
    assert client.get(page(assessment)).status_code == 200
    assert client.get(crit(assessment)).status_code == 200


def test_another_communes_officer_gets_404_everywhere(assessment: Assessment, bob: User, carol):
    evidence = actions.add_evidence(
        assessment,
        CODE,
        by=carol,
        kind="file",
        label="Biên bản",
        file=SimpleUploadedFile("b.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
    )
    client = logged_in(bob)
    assert f'href="{page(assessment)}"' not in html(client.get("/lam-viec/chi-so-cchc/"))
    for url in (
        page(assessment),
        crit(assessment),
        f"/lam-viec/chi-so-cchc/{assessment.pk}/minh-chung/{evidence.pk}/",
        f"/lam-viec/chi-so-cchc/{assessment.pk}/diem-bi-tru.docx",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(crit(assessment), {"form": "self", "self-score": "1"})
    assert response.status_code == 404
    assert client.post(step(assessment, "submit"), {"confirm": "1"}).status_code == 404
    assert score(assessment).self_score is None


def test_a_parent_criterion_or_unknown_code_is_404(assessment: Assessment, carol: User):
    client = logged_in(carol)
    assert client.get(crit(assessment, "2")).status_code == 404
    assert client.get(crit(assessment, "9.9")).status_code == 404


def test_evidence_file_downloads_for_the_unit(assessment: Assessment, carol: User, sam: User):
    pdf = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    evidence = actions.add_evidence(
        assessment, CODE, by=carol, kind="file", label="Biên bản", file=io.BytesIO(pdf)
    )
    response = logged_in(sam).get(
        f"/lam-viec/chi-so-cchc/{assessment.pk}/minh-chung/{evidence.pk}/"
    )
    assert response.status_code == 200
    assert response.getvalue() == pdf


# -- self-assessment ---------------------------------------------------------------------------


def test_self_score_form_focuses_the_score_and_saves(assessment: Assessment, carol: User):
    client = logged_in(carol)
    body = html(client.get(crit(assessment)))
    assert 'name="self-score"' in body and "autofocus" in body
    response = client.post(
        crit(assessment), {"form": "self", "self-score": "1,5", "self-note": "Đã ban hành KH"}
    )
    assert response.status_code == 302 and response["Location"] == crit(assessment)
    row = score(assessment)
    assert row.self_score == Decimal("1.5") and row.note == "Đã ban hành KH"
    followed = html(client.get(crit(assessment)))
    assert "Đã lưu điểm tự chấm tiêu chí 2.1" in followed
    assert "— → 1,5" in followed  # the history, in the Vietnamese number format
    assessment.refresh_from_db()
    assert assessment.status == Status.SELF_ASSESSING


@pytest.mark.parametrize(
    ("typed", "says"),
    [("2,5", "ngoài khoảng 0 đến 2"), ("-1", "ngoài khoảng"), ("0,125", "2 chữ số thập phân")],
)
def test_a_bad_self_score_is_refused_naming_the_criterion(
    assessment: Assessment, carol: User, typed: str, says: str
):
    response = logged_in(carol).post(
        crit(assessment), {"form": "self", "self-score": typed, "self-note": "x"}
    )
    assert response.status_code == 422
    body = html(response)
    assert "Tiêu chí 2.1" in body and says in body
    assert 'class="error-summary' in body or 'role="alert"' in body
    assert "Trường này là bắt buộc" not in body  # only the posted form is judged
    row = score(assessment)
    assert row.self_score is None and row.note == ""
    assert not ScoreChange.objects.filter(score=row).exists()
    assessment.refresh_from_db()
    assert assessment.status == Status.OPEN  # not even the move to self-assessing


def test_a_level_not_allowed_is_refused(assessment: Assessment, carol: User):
    response = logged_in(carol).post(
        crit(assessment, "1.1.1"), {"form": "self", "self-score": "0,7"}
    )
    assert response.status_code == 422
    assert "Tiêu chí 1.1.1" in html(response) and "một trong các mức" in html(response)
    assert score(assessment, "1.1.1").self_score is None


def test_evidence_by_reference_and_file(assessment: Assessment, carol: User):
    client = logged_in(carol)
    response = client.post(
        crit(assessment),
        {
            "form": "evidence",
            "ev-kind": "record",
            "ev-label": "Kế hoạch CCHC năm 2025",
            "ev-ref": "20/KH-UBND",
        },
    )
    assert response.status_code == 302
    pdf = SimpleUploadedFile(
        "bien-ban.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf"
    )
    response = client.post(
        crit(assessment),
        {"form": "evidence", "ev-kind": "file", "ev-label": "Biên bản", "ev-file": pdf},
    )
    assert response.status_code == 302
    kinds = sorted(Evidence.objects.filter(score=score(assessment)).values_list("kind", flat=True))
    assert kinds == ["file", "record"]
    body = html(client.get(crit(assessment)))
    assert "20/KH-UBND" in body and "/minh-chung/" in body


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"ev-kind": "file", "ev-label": "Tệp lạ"}, "hãy chọn tệp"),
        ({"ev-kind": "record", "ev-label": "KH"}, "hãy ghi số, ký hiệu"),
        ({"ev-kind": "link", "ev-label": "Trang", "ev-ref": "ftp://x"}, "https://"),
    ],
)
def test_bad_evidence_is_refused(assessment: Assessment, carol: User, data: dict, says: str):
    response = logged_in(carol).post(crit(assessment), {"form": "evidence", **data})
    assert response.status_code == 422
    assert "Tiêu chí 2.1" in html(response) and says in html(response)
    assert not Evidence.objects.exists()


def test_an_evidence_file_of_the_wrong_kind_is_refused(assessment: Assessment, carol: User):
    exe = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = logged_in(carol).post(
        crit(assessment), {"form": "evidence", "ev-kind": "file", "ev-label": "KH", "ev-file": exe}
    )
    assert response.status_code == 422
    assert "Tiêu chí 2.1" in html(response)
    assert not Evidence.objects.exists()


def test_submit_is_offered_only_when_every_criterion_is_self_scored(
    assessment: Assessment, carol: User
):
    client = logged_in(carol)
    body = html(client.get(page(assessment)))
    assert step(assessment, "submit") not in body
    assert "chưa tự chấm" in body
    self_score_all(assessment, carol)
    body = html(client.get(page(assessment)))
    assert step(assessment, "submit") in body and 'name="confirm"' in body
    # Without the tick nothing moves.
    response = client.post(step(assessment, "submit"), {"version": assessment.version})
    assert response.status_code == 422 and "ô xác nhận" in html(response)
    assessment.refresh_from_db()
    assert assessment.status == Status.SELF_ASSESSING
    response = client.post(step(assessment, "submit"), {"confirm": "1"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED and assessment.submitted_at
    # Submitted: the unit's forms are gone, and a late post changes nothing.
    body = html(client.get(crit(assessment)))
    assert 'name="self-score"' not in body and 'name="ev-kind"' not in body
    client.post(crit(assessment), {"form": "self", "self-score": "0"})
    assert score(assessment).self_score == Decimal(2)


# -- appraisal, explanation, the end of the cycle ----------------------------------------------


def test_the_appraiser_sees_no_unit_form_and_no_step_before_submission(
    assessment: Assessment, pat: User, carol: User
):
    client = logged_in(pat)
    body = html(client.get(crit(assessment)))
    assert 'name="self-score"' not in body and 'name="ap-score"' not in body
    assert STEP_FORMS not in html(client.get(page(assessment))).replace(
        f'action="/lam-viec/chi-so-cchc/{assessment.pk}/diem', ""
    )
    response = client.post(crit(assessment), {"form": "self", "self-score": "1"})
    assert response.status_code == 302
    assert score(assessment).self_score is None


def test_appraisal_form_good_and_bad(assessment: Assessment, carol: User, pat: User):
    submitted(assessment, carol)
    client = logged_in(pat)
    body = html(client.get(crit(assessment)))
    assert 'name="ap-score"' in body and "Thẩm định lần 1" in body
    # Below the maximum without a reason: refused, nothing saved, the status unchanged.
    response = client.post(crit(assessment), {"form": "appraise", "ap-score": "1", "ap-reason": ""})
    assert response.status_code == 422
    assert "Tiêu chí 2.1" in html(response) and "lý do trừ điểm" in html(response)
    assert score(assessment).appraised_1 is None
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED
    response = client.post(
        crit(assessment),
        {"form": "appraise", "ap-score": "1", "ap-reason": "Kế hoạch chưa ký số"},
    )
    assert response.status_code == 302
    row = score(assessment)
    assert row.appraised_1 == 1 and row.reason == "Kế hoạch chưa ký số"
    # An empty score accepts the self-score.
    response = client.post(crit(assessment, "2.2"), {"form": "appraise", "ap-score": ""})
    assert response.status_code == 302
    assert score(assessment, "2.2").appraised_1 == Decimal(2)


def test_close_round_explain_and_publish_from_the_pages(
    assessment: Assessment, carol: User, pat: User, sam: User
):
    submitted(assessment, carol)
    unit, council = logged_in(carol), logged_in(pat)
    assert step(assessment, "close_round_1") not in html(council.get(page(assessment)))
    appraise_all(assessment, pat)
    body = html(council.get(page(assessment)))
    assert step(assessment, "close_round_1") in body
    assert council.post(step(assessment, "close_round_1"), {"confirm": "1"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.EXPLAINING
    # The unit explains the criterion that lost points, and may add evidence with it.
    body = html(unit.get(crit(assessment)))
    assert 'name="ex-text"' in body and 'name="ev-kind"' in body
    assert 'name="ex-text"' not in html(unit.get(crit(assessment, "2.2")))  # lost nothing
    response = unit.post(crit(assessment), {"form": "explain", "ex-text": "   "})
    assert response.status_code == 422
    assert score(assessment).explanation == ""
    response = unit.post(
        crit(assessment), {"form": "explain", "ex-text": "Đã ký số lại, gửi kèm bản ký số."}
    )
    assert response.status_code == 302
    assert score(assessment).explanation.startswith("Đã ký số lại")
    # The lost-points table and its downloads.
    body = html(unit.get(page(assessment)))
    assert "Kế hoạch không ký số" in body and "diem-bi-tru.docx" in body
    # Round 2, then the survey (none), final and published.
    response = council.post(
        crit(assessment), {"form": "appraise", "ap-score": "2", "ap-reason": ""}
    )
    assert response.status_code == 302
    for action in ("close_round_2", "merge_survey", "finalise", "publish"):
        body = html(council.get(page(assessment)))
        assert step(assessment, action) in body, action
        assert council.post(step(assessment, action), {"confirm": "1"}).status_code == 302, action
    assessment.refresh_from_db()
    assert assessment.status == Status.PUBLISHED and assessment.with_survey is False
    # Published: no control for anyone, the history says who did what.
    for client in (unit, council, logged_in(sam)):
        body = html(client.get(page(assessment)))
        assert "/buoc/" not in body
        assert 'name="form"' not in html(client.get(crit(assessment)))
    body = html(unit.get(page(assessment)))
    assert "Công bố kết quả" in body and "Pat" in body and "— → 2" in body


def test_a_refused_step_shows_why_and_moves_nothing(assessment: Assessment, carol: User, pat):
    submitted(assessment, carol)
    # Round 1 is not finished: the action refuses (the page would not have offered it).
    response = logged_in(pat).post(step(assessment, "close_round_1"), {"confirm": "1"})
    assert response.status_code == 422
    assert "Chưa thẩm định" in html(response)
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED
    # The unit cannot take the council's steps.
    response = logged_in(carol).post(step(assessment, "finalise"), {"confirm": "1"})
    assert response.status_code in (403, 409)
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED


def test_the_supervisor_only_reads(assessment: Assessment, carol: User, sam: User):
    self_score_all(assessment, carol)
    client = logged_in(sam)
    assert "/buoc/" not in html(client.get(page(assessment)))
    assert 'name="form"' not in html(client.get(crit(assessment)))
    client.post(crit(assessment), {"form": "self", "self-score": "0"})
    client.post(step(assessment, "submit"), {"confirm": "1"})
    assert score(assessment).self_score == Decimal(2)
    assessment.refresh_from_db()
    assert assessment.status == Status.SELF_ASSESSING
