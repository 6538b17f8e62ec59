"""PAR Index endpoints under /api/v1/par (token or session, scoped like the pages: another
unit's assessment answers 404). The JSON shapes are documented in docs/parindex.md. Refusals
come back as `{"detail": "<reason naming the criterion>"}` with the action error's status:
422 for a bad score or set, 409 for an action out of order, 403 for a role missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from annotated_types import Interval, MaxLen
from django.db import transaction
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AllowInfNan

from cchc.accounts.auth import staff_auth
from cchc.accounts.models import User
from cchc.lib.apierrors import STAFF, refusals
from cchc.lib.inputs import FreeText, Id, IsoDate, column, text
from cchc.parindex import actions, live
from cchc.parindex.choices import EvidenceKind
from cchc.parindex.compare import YearResult, comparison
from cchc.parindex.criteria import export_json
from cchc.parindex.inputs import RemediationMoveIn, RemediationTaskIn, give_task, move_task
from cchc.parindex.lookup import (
    evidence_response,
    get_assessment_for,
    get_evidence_file_for,
    get_task_for,
)
from cchc.parindex.models import Assessment, CriteriaSet, Evidence, RemediationTask, Score
from cchc.parindex.results import evidence_by_code, lost_points, progress, ranking, totals
from cchc.parindex.tasks import owner_name, tasks_of, today
from cchc.units.lookup import get_unit_for
from cchc.units.models import Unit

router = Router(tags=["par"])

Code = Annotated[str, text(20, min_length=1)]
SetCode = Annotated[str, text(40, min_length=1)]
Year = Annotated[int, Interval(ge=2000, le=2100)]
UnitCode = Annotated[str, column(Unit, "code")]
SetKind = Literal["commune", "ward", "department", "province"]
# A number of points as sent (a JSON number, finite): its range and the criterion's rule are
# the actions' to check, so the refusal names the criterion (422) rather than a place in the
# body (400). Read back through its decimal text, so 0.1 is 0,1 and 1.234 is refused.
Points = Annotated[float, AllowInfNan(False)]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# -- criteria sets -----------------------------------------------------------------------------


class NodeIn(Schema):
    code: Code
    title: Annotated[str, text(500)]
    max_score: Points
    method: Annotated[str, text(20)]
    rule: Annotated[str, text(20)] = "free"
    rule_params: dict[str, Any] = {}
    formula: Annotated[str, text(60)] = ""
    evidence_required: FreeText = ""
    guidance: FreeText = ""
    children: Annotated[list[NodeIn], MaxLen(500)] = []


NodeIn.model_rebuild()


class BandIn(Schema):
    label: Annotated[str, text(60)]
    min: Points


class CriteriaSetIn(Schema):
    code: SetCode
    name: Annotated[str, text(300)]
    year: Year
    unit_kind: SetKind
    status: Literal["draft", "active"] = "active"
    max_score: Points | None = None
    legal_basis: Annotated[str, text(300)] = ""
    bands: Annotated[list[BandIn], MaxLen(10)] = []
    nodes: Annotated[list[NodeIn], MaxLen(50)]


class CriteriaSetOut(Schema):
    id: int
    code: str
    name: str
    year: int
    unit_kind: str
    status: str
    max_total: float
    criteria: int
    scored: int


def _set_out(s: CriteriaSet) -> dict[str, Any]:
    return {
        "id": s.pk,
        "code": s.code,
        "name": s.name,
        "year": s.year,
        "unit_kind": s.unit_kind,
        "status": s.status,
        "max_total": float(s.max_total),
        "criteria": s.criteria.count(),
        "scored": s.criteria.filter(is_leaf=True).count(),
    }


@router.post(
    "/criteria-sets/import",
    response={201: CriteriaSetOut, **refusals(*STAFF, 409, 422)},
    auth=staff_auth,
    summary="Nhập bộ tiêu chí Chỉ số CCHC (cây JSON)",
)
def import_criteria_set(request: HttpRequest, payload: CriteriaSetIn) -> Status[Any]:
    """The set as a tree: `code, name, year, unit_kind, nodes`, each node `code, title,
    max_score, method, children` and optionally `rule, rule_params, formula,
    evidence_required, guidance`. A parent's maximum must be the sum of its children's. A set
    with the same code and year is replaced unless an assessment uses it (409)."""
    saved = actions.import_criteria_set(payload.model_dump(), by=request.user)
    return Status(201, _set_out(saved))


@router.get(
    "/criteria-sets",
    response={200: list[CriteriaSetOut], **refusals(*STAFF)},
    auth=staff_auth,
    summary="Các bộ tiêu chí Chỉ số CCHC",
)
def criteria_sets(request: HttpRequest) -> list[dict[str, Any]]:
    return [_set_out(s) for s in CriteriaSet.objects.order_by("-year", "code")]


@router.get(
    "/criteria-sets/{code}/{year}",
    response={200: dict[str, Any], **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Một bộ tiêu chí, dạng cây JSON như khi nhập",
)
def criteria_set(request: HttpRequest, code: Path[SetCode], year: Path[Year]) -> dict[str, Any]:
    from django.shortcuts import get_object_or_404

    return export_json(get_object_or_404(CriteriaSet, code=code, year=year))


# -- assessments -------------------------------------------------------------------------------


class FieldOut(Schema):
    code: str
    title: str
    max_score: float
    self_score: float
    appraised_score: float
    survey_score: float


class TotalsOut(Schema):
    max_total: float
    appraisal_max: float
    survey_max: float
    self_total: float
    appraised_total: float
    survey_total: float
    index: float | None
    provisional: bool
    band: str
    fields: list[FieldOut]


class AssessmentProgressOut(Schema):
    to_score: int
    self_scored: int
    with_evidence: int


class ScoreOut(Schema):
    code: str
    title: str
    max_score: float
    method: str
    self_score: float | None
    appraised_1: float | None
    appraised_2: float | None
    survey_score: float | None
    reason: str
    explanation: str
    note: str
    evidence: int


class AssessmentOut(Schema):
    id: int
    unit: str
    unit_name: str
    criteria_set: str
    year: int
    status: str
    version: int
    self_assessment_due: dt.date
    appraisal_due: dt.date
    with_survey: bool
    totals: TotalsOut
    progress: AssessmentProgressOut
    actions: list[str]


class AssessmentDetailOut(AssessmentOut):
    scores: list[ScoreOut]


def _assessment_out(a: Assessment, user: Any, *, scores: bool = False) -> dict[str, Any]:
    result = totals(a)
    done = progress(a)
    out: dict[str, Any] = {
        "id": a.pk,
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "criteria_set": a.criteria_set.code,
        "year": a.year,
        "status": a.status,
        "version": a.version,
        "self_assessment_due": a.self_assessment_due,
        "appraisal_due": a.appraisal_due,
        "with_survey": a.with_survey,
        "totals": {
            "max_total": float(result.max_total),
            "appraisal_max": float(result.appraisal_max),
            "survey_max": float(result.survey_max),
            "self_total": float(result.self_total),
            "appraised_total": float(result.appraised_total),
            "survey_total": float(result.survey_total),
            "index": _num(result.index),
            "provisional": result.provisional,
            "band": result.band,
            "fields": [
                {
                    "code": f.code,
                    "title": f.title,
                    "max_score": float(f.max_score),
                    "self_score": float(f.self_score),
                    "appraised_score": float(f.appraised_score),
                    "survey_score": float(f.survey_score),
                }
                for f in result.fields
            ],
        },
        "progress": {
            "to_score": done.to_score,
            "self_scored": done.self_scored,
            "with_evidence": done.with_evidence,
        },
        "actions": actions.allowed_actions(a, user),
    }
    if scores:
        from django.db.models import Count

        rows = (
            Score.objects.filter(assessment=a)
            .select_related("criterion")
            .annotate(evidence_count=Count("evidence"))
            .order_by("criterion__order")
        )
        out["scores"] = [
            {
                "code": s.criterion.code,
                "title": s.criterion.title,
                "max_score": float(s.criterion.max_score),
                "method": s.criterion.method,
                "self_score": _num(s.self_score),
                "appraised_1": _num(s.appraised_1),
                "appraised_2": _num(s.appraised_2),
                "survey_score": _num(s.survey_score),
                "reason": s.reason,
                "explanation": s.explanation,
                "note": s.note,
                "evidence": s.evidence_count,
            }
            for s in rows
        ]
    return out


def _fresh(request: HttpRequest, a: Assessment) -> dict[str, Any]:
    return _assessment_out(get_assessment_for(request.user, a.pk), request.user, scores=True)


class ScoreRowIn(Schema):
    code: Code
    self_score: Points | None = None
    appraised_score: Points | None = None
    reason: FreeText = ""
    explanation: FreeText = ""
    note: FreeText = ""


class AssessmentImportIn(Schema):
    criteria_set: SetCode
    unit: UnitCode
    year: Year
    self_assessment_due: IsoDate | None = None
    appraisal_due: IsoDate | None = None
    scores: Annotated[list[ScoreRowIn], MaxLen(2000)]


class CreatedOut(Schema):
    id: int
    status: str


@router.post(
    "/assessments/import",
    response={201: CreatedOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Nhập cả một kỳ đánh giá (điểm tự chấm, điểm thẩm định, lý do trừ điểm)",
)
def import_assessment(request: HttpRequest, payload: AssessmentImportIn) -> Status[Any]:
    """Opens the unit's assessment for the set and writes every row: all of it or nothing."""
    unit = get_unit_for(request.user, payload.unit)
    assessment = actions.import_assessment(unit, payload.model_dump(), by=request.user)
    return Status(201, {"id": assessment.pk, "status": assessment.status})


class OpenIn(Schema):
    unit: UnitCode
    criteria_set: SetCode
    year: Year
    self_assessment_due: IsoDate
    appraisal_due: IsoDate
    appraisers: Annotated[list[Annotated[str, column(User, "username")]], MaxLen(50)] = []


@router.post(
    "/assessments",
    response={201: AssessmentOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Mở kỳ đánh giá Chỉ số CCHC cho một đơn vị",
)
def open_assessment(request: HttpRequest, payload: OpenIn) -> Status[Any]:
    from django.shortcuts import get_object_or_404

    unit = get_unit_for(request.user, payload.unit)
    criteria_set = get_object_or_404(CriteriaSet, code=payload.criteria_set, year=payload.year)
    members = list(User.objects.filter(username__in=payload.appraisers))
    if len(members) != len(set(payload.appraisers)):
        raise actions.InvalidScore("Có tên đăng nhập thành viên thẩm định không tồn tại.")
    assessment = actions.open_assessment(
        unit,
        criteria_set,
        by=request.user,
        self_assessment_due=payload.self_assessment_due,
        appraisal_due=payload.appraisal_due,
        appraisers=members,
    )
    return Status(201, _assessment_out(assessment, request.user))


class AssessmentListQuery(Schema):
    year: Year | None = None


@router.get(
    "/assessments",
    response={200: list[AssessmentOut], **refusals(*STAFF)},
    auth=staff_auth,
    summary="Các kỳ đánh giá trong phạm vi của người dùng",
)
def assessments(request: HttpRequest, query: Query[AssessmentListQuery]) -> list[dict[str, Any]]:
    rows = Assessment.objects.visible_to(request.user).select_related("unit", "criteria_set")
    if query.year:
        rows = rows.filter(year=query.year)
    return [_assessment_out(a, request.user) for a in rows.order_by("-year", "unit__name")[:500]]


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentDetailOut, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Một kỳ đánh giá: tổng điểm, tiến độ, điểm từng tiêu chí",
)
def assessment(request: HttpRequest, assessment_id: Path[Id]) -> dict[str, Any]:
    return _assessment_out(
        get_assessment_for(request.user, assessment_id), request.user, scores=True
    )


class LostRowOut(Schema):
    code: str
    title: str
    max_score: float
    self_score: float | None
    appraised_score: float
    lost: float
    reason: str


@router.get(
    "/assessments/{assessment_id}/lost-points",
    response={200: list[LostRowOut], **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Các tiêu chí bị trừ điểm, theo lĩnh vực",
)
def assessment_lost_points(request: HttpRequest, assessment_id: Path[Id]) -> list[dict[str, Any]]:
    a = get_assessment_for(request.user, assessment_id)
    return [
        {
            **row,
            "max_score": float(row["max_score"]),
            "self_score": _num(row["self_score"]),
            "appraised_score": float(row["appraised_score"]),
            "lost": float(row["lost"]),
        }
        for group in lost_points(a)
        for row in group.rows
    ]


class MeasureOut(Schema):
    value: float | None
    numerator: float
    denominator: float
    explanation: str


class ProjectionRowOut(Schema):
    code: str
    title: str
    formula: str
    max_score: float
    score: float | None
    lost: float | None
    self_score: float | None
    measure: MeasureOut


class ProjectionOut(Schema):
    start: dt.date
    end: dt.date
    rows: list[ProjectionRowOut]
    total: float
    max_total: float
    projected_points: float
    appraisal_max: float


def _projection_out(a: Assessment) -> dict[str, Any]:
    found = live.projection(a)
    return {
        "start": found.start,
        "end": found.end,
        "rows": [
            {
                "code": r.criterion.code,
                "title": r.criterion.title,
                "formula": r.projection.formula,
                "max_score": float(r.projection.max_score),
                "score": _num(r.projection.score),
                "lost": _num(r.projection.lost),
                "self_score": _num(r.self_score),
                "measure": {
                    "value": _num(r.projection.measure.value),
                    "numerator": float(r.projection.measure.numerator),
                    "denominator": float(r.projection.measure.denominator),
                    "explanation": r.projection.measure.explanation,
                },
            }
            for r in found.rows
        ],
        "total": float(found.total),
        "max_total": float(found.max_total),
        "projected_points": float(found.projected_points),
        "appraisal_max": float(found.appraisal_max),
    }


@router.get(
    "/assessments/{assessment_id}/projection",
    response={200: ProjectionOut, **refusals(*STAFF, 400, 404, 422)},
    auth=staff_auth,
    summary="Điểm dự kiến của các tiêu chí chấm tự động, từ số liệu của hệ thống trong năm",
)
def assessment_projection(request: HttpRequest, assessment_id: Path[Id]) -> dict[str, Any]:
    """Each automatic criterion measured over the unit and its subtree from 1 January to today
    (or 31 December), the score its rule gives, and the projected points (docs/parindex.md)."""
    return _projection_out(get_assessment_for(request.user, assessment_id))


class ProjectionApplyIn(Schema):
    overwrite: bool = False


@router.post(
    "/assessments/{assessment_id}/projection/apply",
    response={200: AssessmentDetailOut, **refusals(*STAFF, 400, 404, 409, 422)},
    auth=staff_auth,
    summary="Lấy điểm dự kiến làm điểm tự chấm của các tiêu chí chấm tự động",
)
def apply_projection(
    request: HttpRequest, assessment_id: Path[Id], payload: ProjectionApplyIn
) -> Any:
    """Criteria without a self-score take their projected score (`overwrite`: all of them)."""
    a = get_assessment_for(request.user, assessment_id)
    actions.self_assess_from_projection(a, by=request.user, overwrite=payload.overwrite)
    return _fresh(request, a)


class SelfScoreIn(Schema):
    code: Code
    score: Points
    note: FreeText | None = None


class SelfScoresIn(Schema):
    scores: Annotated[list[SelfScoreIn], MaxLen(2000)]


@router.post(
    "/assessments/{assessment_id}/self-scores",
    response={200: AssessmentDetailOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Tự chấm điểm (một hay nhiều tiêu chí)",
)
def self_scores(request: HttpRequest, assessment_id: Path[Id], payload: SelfScoresIn) -> Any:
    a = get_assessment_for(request.user, assessment_id)
    entries = [actions.SelfEntry(s.code, s.score, s.note) for s in payload.scores]
    actions.self_assess(a, entries, by=request.user)
    return _fresh(request, a)


class EvidenceIn(Schema):
    code: Code
    kind: Literal["record", "plan", "report", "dossier_stats", "link"]
    # With `record` (a document id of the unit's register, kind "record") the label may be
    # left out (the document's date and title) and the ref is the document's number/symbol.
    label: Annotated[str, text(300)] = ""
    ref: Annotated[str, text(500)] = ""
    record: Id | None = None


@router.post(
    "/assessments/{assessment_id}/evidence",
    response={200: AssessmentDetailOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Thêm tài liệu kiểm chứng dạng tham chiếu (văn bản, kế hoạch, báo cáo, số liệu, đường dẫn)",
)
def add_evidence(request: HttpRequest, assessment_id: Path[Id], payload: EvidenceIn) -> Any:
    a = get_assessment_for(request.user, assessment_id)
    actions.add_evidence(
        a,
        payload.code,
        by=request.user,
        kind=payload.kind,
        label=payload.label,
        ref=payload.ref,
        record=payload.record,
    )
    return _fresh(request, a)


# A file goes on its own path, multipart: the JSON endpoint above keeps its body and its
# OpenAPI description as they were (a ninja operation has one request body, JSON or form).
class EvidenceFileIn(Schema):
    code: Code
    label: Annotated[str, text(300)] = ""


class EvidenceFileOut(Schema):
    id: int
    code: str
    kind: str
    label: str
    content_type: str
    size: int
    sha256: str
    added_at: dt.datetime
    download: str


def _evidence_file_out(assessment: Assessment, evidence: Evidence, code: str) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "code": code,
        "kind": evidence.kind,
        "label": evidence.label,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "added_at": evidence.added_at,
        "download": f"/api/v1/par/assessments/{assessment.pk}/evidence/files/{evidence.pk}",
    }


@router.post(
    "/assessments/{assessment_id}/evidence/files",
    response={201: EvidenceFileOut, **refusals(*STAFF, 404, 409, 413, 422)},
    auth=staff_auth,
    summary="Thêm tài liệu kiểm chứng dạng tệp (PDF, Word, Excel, ảnh)",
)
def add_evidence_file(
    request: HttpRequest,
    assessment_id: Path[Id],
    payload: Form[EvidenceFileIn],
    file: File[UploadedFile],
) -> Status[dict[str, Any]]:
    """Multipart form: `code`, `label` and `file`. The file is judged by its content (PDF, JPG,
    PNG, DOCX, XLSX; another kind: 422 naming the criterion), over the upload limit: 413. The
    same action and the same checks as the criterion's page; 409 once the unit may no longer add
    evidence (after submission, until the explanation round), and 409 for a file the criterion
    already has (a retried upload stores nothing more)."""
    a = get_assessment_for(request.user, assessment_id)
    evidence = actions.add_evidence(
        a, payload.code, by=request.user, kind=EvidenceKind.FILE, label=payload.label, file=file
    )
    return Status(201, _evidence_file_out(a, evidence, payload.code))


@router.get(
    "/assessments/{assessment_id}/evidence/files/{evidence_id}",
    response={200: None, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Tải tệp tài liệu kiểm chứng",
)
def download_evidence_file(
    request: HttpRequest, assessment_id: Path[Id], evidence_id: Path[Id]
) -> FileResponse:
    return evidence_response(get_evidence_file_for(request.user, assessment_id, evidence_id))


class EvidenceRecordOut(Schema):
    id: int
    reference: str
    issued_on: str  # dd/mm/yyyy
    title: str
    signed: bool


class EvidenceOut(Schema):
    kind: str
    label: str
    ref: str
    record: EvidenceRecordOut | None
    warning: str


class CriterionEvidenceOut(Schema):
    code: str
    evidence: list[EvidenceOut]
    warnings: list[str]


@router.get(
    "/assessments/{assessment_id}/evidence",
    response={200: list[CriterionEvidenceOut], **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Tài liệu kiểm chứng từng tiêu chí, kèm cảnh báo văn bản chưa ký số",
)
def assessment_evidence(request: HttpRequest, assessment_id: Path[Id]) -> list[dict[str, Any]]:
    """Per criterion with evidence: each piece (a registered document with its number and
    symbol, date and digital signature), and a warning for an unsigned document where the
    criterion's evidence must be digitally signed (SEEDS §4)."""
    a = get_assessment_for(request.user, assessment_id)
    return [
        {"code": code, "evidence": rows, "warnings": [r["warning"] for r in rows if r["warning"]]}
        for code, rows in evidence_by_code(a).items()
    ]


class VersionIn(Schema):
    version: Annotated[int, Interval(ge=0, le=2147483647)] | None = None


@router.post(
    "/assessments/{assessment_id}/submit",
    response={200: AssessmentDetailOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Gửi tự đánh giá",
)
def submit(request: HttpRequest, assessment_id: Path[Id], payload: VersionIn) -> Any:
    a = get_assessment_for(request.user, assessment_id)
    actions.submit(a, by=request.user, expected_version=payload.version)
    return _fresh(request, a)


class AppraisalRowIn(Schema):
    code: Code
    score: Points | None = None
    reason: FreeText = ""


class AppraisalIn(Schema):
    scores: Annotated[list[AppraisalRowIn], MaxLen(2000)] = []
    close: bool = False


@router.post(
    "/assessments/{assessment_id}/appraisal/{round}",
    response={200: AssessmentDetailOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Thẩm định lần 1 hoặc 2: công nhận (score bỏ trống) hoặc điều chỉnh, kèm lý do trừ điểm",
)
def appraisal(
    request: HttpRequest,
    assessment_id: Path[Id],
    round: Path[Annotated[int, Interval(ge=1, le=2)]],
    payload: AppraisalIn,
) -> Any:
    """`close: true` ends the round after these scores (round 1: every criterion appraised)."""
    a = get_assessment_for(request.user, assessment_id)
    with transaction.atomic():
        entries = [actions.AppraisalEntry(s.code, s.score, s.reason) for s in payload.scores]
        if entries:
            actions.appraise(a, round, entries, by=request.user)
        if payload.close:
            actions.close_round(a, round, by=request.user)
    return _fresh(request, a)


class ExplanationIn(Schema):
    code: Code
    text: Annotated[str, text(min_length=1)]


class ExplanationsIn(Schema):
    explanations: Annotated[list[ExplanationIn], MaxLen(2000)]


@router.post(
    "/assessments/{assessment_id}/explanations",
    response={200: AssessmentDetailOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Giải trình các tiêu chí bị trừ điểm ở lần thẩm định 1",
)
def explanations(request: HttpRequest, assessment_id: Path[Id], payload: ExplanationsIn) -> Any:
    a = get_assessment_for(request.user, assessment_id)
    actions.explain(a, {e.code: e.text for e in payload.explanations}, by=request.user)
    return _fresh(request, a)


class SurveyScoreIn(Schema):
    code: Code
    score: Points


class SurveyIn(Schema):
    scores: Annotated[list[SurveyScoreIn], MaxLen(2000)] = []
    # "sipas": the scores from the unit's published SIPAS index for the year (`scores` unused).
    source: Literal["scores", "sipas"] = "scores"


@router.post(
    "/assessments/{assessment_id}/survey",
    response={200: AssessmentDetailOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Tổng hợp điểm điều tra xã hội học (danh sách trống: không tổ chức điều tra; source=sipas: từ chỉ số SIPAS đã công bố)",
)
def survey(request: HttpRequest, assessment_id: Path[Id], payload: SurveyIn) -> Any:
    a = get_assessment_for(request.user, assessment_id)
    scores = None if payload.source == "sipas" else {s.code: s.score for s in payload.scores}
    actions.merge_survey(a, scores, by=request.user)
    return _fresh(request, a)


# -- remediation tasks -------------------------------------------------------------------------
# Declared before `/assessments/{assessment_id}/{step}`: its pattern would take
# "remediation-tasks" for a step.


class RemediationRecordOut(Schema):
    id: int
    reference: str
    issued_on: str  # dd/mm/yyyy
    title: str


class RemediationEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str | None
    actor_name: str
    at: dt.datetime
    note: str


class RemediationTaskOut(Schema):
    id: int
    version: int
    code: str
    criterion_title: str
    title: str
    owner: str
    owner_name: str
    due_on: dt.date
    status: str
    late: bool
    evidence: str
    evidence_record: RemediationRecordOut | None
    created_at: dt.datetime
    done_at: dt.datetime | None
    actions: list[str]
    history: list[RemediationEventOut]


def _task_out(task: RemediationTask, user: Any, unit_roles: set[str]) -> dict[str, Any]:
    document = task.evidence_record
    return {
        "id": task.pk,
        "version": task.version,
        "code": task.criterion.code,
        "criterion_title": task.criterion.title,
        "title": task.title,
        "owner": task.owner.username,
        "owner_name": owner_name(task.owner),
        "due_on": task.due_on,
        "status": task.status,
        "late": task.is_late(today()),
        "evidence": task.evidence,
        "evidence_record": None
        if document is None
        else {
            "id": document.pk,
            "reference": document.reference,
            "issued_on": f"{document.issued_on:%d/%m/%Y}",
            "title": document.title,
        },
        "created_at": task.created_at,
        "done_at": task.done_at,
        "actions": actions.task_actions(task, user, unit_roles),
        "history": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor.username if e.actor else None,
                "actor_name": owner_name(e.actor) if e.actor else "",
                "at": e.at,
                "note": e.note,
            }
            for e in task.events.all()
        ],
    }


def _one_task(request: HttpRequest, a: Assessment, task_id: int) -> dict[str, Any]:
    task = tasks_of(a).get(pk=task_id)
    return _task_out(task, request.user, actions.own_roles(request.user, a.unit))


@router.get(
    "/assessments/{assessment_id}/remediation-tasks",
    response={200: list[RemediationTaskOut], **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Các nhiệm vụ khắc phục tiêu chí bị trừ điểm, kèm lịch sử",
)
def remediation_tasks(request: HttpRequest, assessment_id: Path[Id]) -> list[dict[str, Any]]:
    """Each task: criterion, task, owner, due date, status, `late` (not done or cancelled and
    due before today in Vietnam: derived, never stored), evidence, the moves the caller may
    make and its history."""
    a = get_assessment_for(request.user, assessment_id)
    roles = actions.own_roles(request.user, a.unit)
    return [_task_out(t, request.user, roles) for t in tasks_of(a)]


@router.post(
    "/assessments/{assessment_id}/remediation-tasks",
    response={201: RemediationTaskOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Giao nhiệm vụ khắc phục cho một tiêu chí bị trừ điểm",
)
def give_remediation_task(
    request: HttpRequest, assessment_id: Path[Id], payload: RemediationTaskIn
) -> Status[Any]:
    """`code` (a criterion that lost points), `title`, `owner` (the username of one of the
    unit's staff), `due_on` (YYYY-MM-DD, not past). By the unit's leader or TTHC-control
    officer, once the council's scores exist."""
    a = get_assessment_for(request.user, assessment_id)
    task = give_task(a, payload, by=request.user)
    return Status(201, _one_task(request, a, task.pk))


@router.post(
    "/assessments/{assessment_id}/remediation-tasks/{task_id}/{action}",
    response={200: RemediationTaskOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Bắt đầu (start), báo cáo hoàn thành (complete) hoặc hủy (cancel) nhiệm vụ khắc phục",
)
def move_remediation_task(
    request: HttpRequest,
    assessment_id: Path[Id],
    task_id: Path[Id],
    action: Path[Literal["start", "complete", "cancel"]],
    payload: RemediationMoveIn,
) -> dict[str, Any]:
    """open → in_progress (`start`) → done (`complete`: `evidence` required, `record` optional:
    a document id of the unit's register); open or in_progress → cancelled (`cancel`: `reason`
    required). By the owner or the unit's leader or TTHC-control officer. `version` optional:
    sent, a task changed since answers 409; a move out of order or repeated answers 409."""
    task = get_task_for(request.user, assessment_id, task_id)
    move_task(task, action, payload, by=request.user)
    return _one_task(request, task.assessment, task.pk)


@router.post(
    "/assessments/{assessment_id}/{step}",
    response={200: AssessmentDetailOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Chốt kết quả (finalise) hoặc công bố (publish)",
)
def final_step(
    request: HttpRequest, assessment_id: Path[Id], step: Path[Literal["finalise", "publish"]]
) -> Any:
    a = get_assessment_for(request.user, assessment_id)
    if step == "finalise":
        actions.finalise(a, by=request.user)
    else:
        actions.publish(a, by=request.user)
    return _fresh(request, a)


# -- rankings ----------------------------------------------------------------------------------


class RankingQuery(Schema):
    year: Year
    unit_kind: SetKind = "commune"
    provisional: bool = False


class RankOut(Schema):
    rank: int
    assessment: int
    unit: str
    unit_name: str
    index: float
    provisional: bool
    band: str
    status: str


@router.get(
    "/rankings",
    response={200: list[RankOut], **refusals(*STAFF)},
    auth=staff_auth,
    summary="Xếp hạng Chỉ số CCHC các đơn vị cùng loại trong năm (trong phạm vi người dùng)",
)
def rankings(request: HttpRequest, query: Query[RankingQuery]) -> list[dict[str, Any]]:
    """Results the council fixed (final, published); `provisional=true` adds every assessment on
    its provisional index (appraised, else self-scored, over the appraised criteria's maximum)."""
    rows = ranking(
        Assessment.objects.visible_to(request.user),
        year=query.year,
        unit_kind=query.unit_kind,
        provisional=query.provisional,
    )
    return [
        {
            "rank": r.rank,
            "assessment": r.assessment.pk,
            "unit": r.assessment.unit.code,
            "unit_name": r.assessment.unit.name,
            "index": float(r.index),
            "provisional": r.provisional,
            "band": r.band,
            "status": r.assessment.status,
        }
        for r in rows
    ]


# -- a unit's years side by side -----------------------------------------------------------------


class ComparedFieldOut(Schema):
    code: str
    title: str
    max_score: float
    points: float | None
    share: float | None
    share_max: float | None
    match: str
    previous_title: str
    change: float | None
    note: str


class ComparedYearOut(Schema):
    year: int
    assessment: int
    criteria_set: str
    status: str
    basis: str
    basis_label: str
    index: float | None
    provisional: bool
    band: str
    rank: int | None
    ranked_of: int
    previous_year: int | None
    index_change: float | None
    rank_change: int | None
    fields: list[ComparedFieldOut]
    notes: list[str]


class LostAgainRowOut(Schema):
    code: str
    title: str
    previous_title: str
    max_score: float
    points: float
    lost: float
    reason: str
    previous_max: float
    previous_points: float
    previous_lost: float
    previous_reason: str


class LostAgainOut(Schema):
    year: int
    previous_year: int
    # The unit taken over whose year is compared (its code), or null for the unit's own.
    previous_unit: str | None
    previous_unit_name: str
    rows: list[LostAgainRowOut]


class ForebearOut(Schema):
    unit: str
    unit_name: str
    successor: str
    effective_on: dt.date
    legal_basis: str
    depth: int
    years: list[ComparedYearOut]


class ComparisonOut(Schema):
    unit: str
    unit_name: str
    years: list[ComparedYearOut]
    lost_again: list[LostAgainOut]
    forebears: list[ForebearOut]


@router.get(
    "/units/{unit_code}/comparison",
    response={200: ComparisonOut, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="So sánh Chỉ số CCHC của một đơn vị qua các năm",
)
def unit_comparison(request: HttpRequest, unit_code: Path[UnitCode]) -> dict[str, Any]:
    """Each year's index, grade, rank and fields with the change against the year before
    (fields compared only where code and title match), and the criteria that lost points in
    two assessments running. A unit that took others over (a merger) lists their years before
    the change under `forebears`, and its first year after it beside each one's last year in
    `lost_again` (`previous_unit`). Another unit: 404."""

    result = comparison(get_unit_for(request.user, unit_code))
    return {
        "unit": result.unit.code,
        "unit_name": result.unit.name,
        "years": [_compared_year(y) for y in result.years],
        "lost_again": [
            {
                "year": pair.year,
                "previous_year": pair.previous_year,
                "previous_unit": pair.previous_unit.code if pair.previous_unit else None,
                "previous_unit_name": pair.previous_unit.name if pair.previous_unit else "",
                "rows": [
                    {
                        "code": r.code,
                        "title": r.title,
                        "previous_title": r.previous_title,
                        "max_score": float(r.max_score),
                        "points": float(r.points),
                        "lost": float(r.lost),
                        "reason": r.reason,
                        "previous_max": float(r.previous_max),
                        "previous_points": float(r.previous_points),
                        "previous_lost": float(r.previous_lost),
                        "previous_reason": r.previous_reason,
                    }
                    for r in pair.rows
                ],
            }
            for pair in result.lost_again
        ],
        "forebears": [
            {
                "unit": f.unit.code,
                "unit_name": f.unit.name,
                "successor": f.forebear.successor.code,
                "effective_on": f.forebear.effective_on,
                "legal_basis": f.forebear.legal_basis,
                "depth": f.forebear.depth,
                "years": [_compared_year(y) for y in f.years],
            }
            for f in result.forebears
        ],
    }


def _compared_year(y: YearResult) -> dict[str, Any]:
    return {
        "year": y.year,
        "assessment": y.assessment.pk,
        "criteria_set": y.assessment.criteria_set.code,
        "status": y.assessment.status,
        "basis": y.basis,
        "basis_label": y.basis_label,
        "index": _num(y.index),
        "provisional": y.provisional,
        "band": y.band,
        "rank": y.rank,
        "ranked_of": y.ranked_of,
        "previous_year": y.previous_year,
        "index_change": _num(y.index_change),
        "rank_change": y.rank_change,
        "fields": [
            {
                "code": f.code,
                "title": f.title,
                "max_score": float(f.max_score),
                "points": _num(f.points),
                "share": _num(f.share),
                "share_max": _num(f.share_max),
                "match": f.match,
                "previous_title": f.previous_title,
                "change": _num(f.change),
                "note": f.note,
            }
            for f in y.fields
        ],
        "notes": y.notes,
    }
