"""Evidence register endpoints under /api/v1/records (token or session, scoped like the pages:
another unit's document or plan answers 404).

Refusals are `{"detail": …}` with the action's status: 422 for bad input (per field:
`{"reference": ["…reason…"]}`), 409 for a number and symbol already in the year's register,
403 for a user who does not keep the unit's register.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from cchc.accounts.auth import staff_auth
from cchc.lib.apierrors import STAFF, refusals
from cchc.lib.inputs import Id, IsoDate, ShortText, column, text, whole_number
from cchc.records import actions
from cchc.records.actions import MAX_TITLE_CHARS, DocumentFields, TaskFields
from cchc.records.choices import ActivityKind, InitiativeStatus, PlanTopic
from cchc.records.lookup import get_document_for, get_plan_for
from cchc.records.models import (
    CchcPlan,
    CommunicationActivity,
    Initiative,
    OfficialDocument,
    PlanTask,
)
from cchc.records.queries import Progress, plan_progress, year_summary
from cchc.records.search import DocumentSearch, search_documents
from cchc.units.lookup import get_unit_for
from cchc.units.models import Unit

router = Router(tags=["records"])

UnitCode = Annotated[str, column(Unit, "code")]
Reference = Annotated[str, text(80, min_length=1)]
Title = Annotated[str, text(MAX_TITLE_CHARS)]
Signer = Annotated[str, column(OfficialDocument, "signer")]


class RecordOut(Schema):
    id: int
    unit: str
    reference: str
    number: int
    symbol: str
    issuer: str
    type: str
    type_name: str
    issued_on: dt.date
    year: int
    title: str
    signer: str
    declared_signed: bool
    file_signature: str
    digitally_signed: bool
    has_file: bool


class SignatureOut(Schema):
    signer: str
    organisation: str
    signed_at: str
    intact: bool
    trusted: bool
    unmodified: bool


class EditOut(Schema):
    kind: str
    at: dt.datetime
    by: str
    changes: dict[str, Any]


class RecordDetailOut(RecordOut):
    content_type: str
    size: int
    sha256: str
    signatures: list[SignatureOut]
    plan: int | None
    history: list[EditOut]


class RecordPage(Schema):
    count: int
    items: list[RecordOut]


def _out(d: OfficialDocument) -> dict[str, Any]:
    return {
        "id": d.pk,
        "unit": d.unit.code,
        "reference": d.reference,
        "number": d.number,
        "symbol": d.symbol,
        "issuer": d.issuer,
        "type": d.type.key,
        "type_name": d.type.name,
        "issued_on": d.issued_on,
        "year": d.year,
        "title": d.title,
        "signer": d.signer,
        "declared_signed": d.declared_signed,
        "file_signature": d.file_signature,
        "digitally_signed": d.digitally_signed,
        "has_file": bool(d.file),
    }


def _detail(d: OfficialDocument) -> dict[str, Any]:
    plan = CchcPlan.objects.filter(document=d).values_list("pk", flat=True).first()
    return {
        **_out(d),
        "content_type": d.content_type,
        "size": d.size,
        "sha256": d.sha256,
        "signatures": d.file_signatures,
        "plan": plan,
        "history": [
            {"kind": e.kind, "at": e.at, "by": e.by.username, "changes": e.changes}
            for e in d.edits.select_related("by").order_by("at", "id")
        ],
    }


class RecordQuery(Schema):
    q: ShortText = ""
    type: Annotated[str, text(30)] = ""
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    signed: bool | None = None
    unit: UnitCode | None = None
    year: Annotated[int, whole_number(1945, 2100)] | None = None
    limit: Annotated[int, whole_number(1, 500)] = 100
    offset: Annotated[int, whole_number(0, 1_000_000)] = 0


@router.get(
    "/documents",
    response={200: RecordPage, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Tìm văn bản trong sổ (số, ký hiệu; trích yếu có hoặc không dấu; loại; ngày; ký số)",
)
def list_documents(request: HttpRequest, query: Query[RecordQuery]) -> dict[str, Any]:
    """`q` starting with a number and "/" finds documents by their number and symbol ("20/KH"
    finds 20/KH-UBND); other words are looked up in the title, without diacritics. Newest first."""
    unit_id = get_unit_for(request.user, query.unit).pk if query.unit else None
    found = search_documents(
        request.user,
        DocumentSearch(
            q=query.q,
            type=query.type,
            date_from=query.date_from,
            date_to=query.date_to,
            signed=query.signed,
            unit_id=unit_id,
            year=query.year,
        ),
    )
    rows = found[query.offset : query.offset + query.limit]
    return {"count": found.count(), "items": [_out(d) for d in rows]}


class RecordIn(Schema):
    unit: UnitCode
    reference: Reference
    issued_on: IsoDate
    title: Title
    signer: Signer = ""
    declared_signed: bool = False


@router.post(
    "/documents",
    response={201: RecordDetailOut, **refusals(*STAFF, 404, 409, 413, 422)},
    auth=staff_auth,
    summary="Vào sổ một văn bản (kèm tệp)",
)
def register_document(
    request: HttpRequest,
    payload: Form[RecordIn],
    file: File[UploadedFile | None] = None,
) -> Status[dict[str, Any]]:
    """Multipart form: the fields, and optionally `file` (PDF, DOCX, XLSX; judged by content).
    The type comes from the symbol ("KH" → plan; no abbreviation → công văn). A PDF's digital
    signature is found and answered in `file_signature` and `signatures`."""
    unit = get_unit_for(request.user, payload.unit)
    document = actions.register_document(
        unit,
        DocumentFields(
            reference=payload.reference,
            issued_on=payload.issued_on,
            title=payload.title,
            signer=payload.signer,
            declared_signed=payload.declared_signed,
        ),
        by=request.user,
        file=file,
    )
    return Status(201, _detail(get_document_for(request.user, document.pk)))


@router.get(
    "/documents/{id}",
    response={200: RecordDetailOut, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Một văn bản: chữ ký số, lịch sử sửa",
)
def document_detail(request: HttpRequest, id: Path[Id]) -> dict[str, Any]:
    return _detail(get_document_for(request.user, id))


class RecordEditIn(Schema):
    reference: Reference
    issued_on: IsoDate
    title: Title
    signer: Signer = ""
    declared_signed: bool = False


@router.put(
    "/documents/{id}",
    response={200: RecordDetailOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Sửa thông tin văn bản (lịch sử được lưu)",
)
def edit_document(request: HttpRequest, id: Path[Id], payload: RecordEditIn) -> dict[str, Any]:
    document = get_document_for(request.user, id)
    actions.edit_document(
        document,
        DocumentFields(
            reference=payload.reference,
            issued_on=payload.issued_on,
            title=payload.title,
            signer=payload.signer,
            declared_signed=payload.declared_signed,
        ),
        by=request.user,
    )
    return _detail(get_document_for(request.user, id))


@router.post(
    "/documents/{id}/file",
    response={200: RecordDetailOut, **refusals(*STAFF, 404, 413, 422)},
    auth=staff_auth,
    summary="Đính kèm (hoặc thay) tệp của văn bản",
)
def attach_file(request: HttpRequest, id: Path[Id], file: File[UploadedFile]) -> dict[str, Any]:
    document = get_document_for(request.user, id)
    actions.attach_file(document, file, by=request.user)
    return _detail(get_document_for(request.user, id))


# -- plans -----------------------------------------------------------------------------------------


class TaskIn(Schema):
    content: Annotated[str, text(actions.MAX_TEXT_CHARS)]
    due_on: IsoDate
    owner_person: Annotated[str, column(PlanTask, "owner_person")] = ""
    owner_body: Annotated[str, column(PlanTask, "owner_body")] = ""


class PlanIn(Schema):
    topic: Literal[tuple(PlanTopic.values)] = PlanTopic.CCHC  # type: ignore[valid-type]
    tasks: Annotated[list[TaskIn], MaxLen(500)] = []


class TaskOut(Schema):
    number: int
    content: str
    owner_person: str
    owner_body: str
    due_on: dt.date
    progress: str
    status: str  # progress, or "late" once past due and not done (derived, never stored)
    done_on: dt.date | None
    finished_late: bool
    result: str
    evidence: str | None


class PlanProgressOut(Schema):
    total: int
    done: int
    late: int
    done_late: int
    in_progress: int
    not_started: int


class PlanOut(Schema):
    id: int
    document: int
    reference: str
    unit: str
    year: int
    topic: str
    progress: PlanProgressOut
    tasks: list[TaskOut]


def _progress(p: Progress) -> dict[str, int]:
    return {
        "total": p.total,
        "done": p.done,
        "late": p.late,
        "done_late": p.done_late,
        "in_progress": p.in_progress,
        "not_started": p.not_started,
    }


def _task(t: PlanTask, today: dt.date) -> dict[str, Any]:
    return {
        "number": t.position,
        "content": t.content,
        "owner_person": t.owner_person,
        "owner_body": t.owner_body,
        "due_on": t.due_on,
        "progress": t.progress,
        "status": t.status_on(today),
        "done_on": t.done_on,
        "finished_late": t.finished_late,
        "result": t.result,
        "evidence": t.evidence.reference if t.evidence else None,
    }


def _plan(plan: CchcPlan) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "id": plan.pk,
        "document": plan.document_id,
        "reference": plan.document.reference,
        "unit": plan.unit.code,
        "year": plan.year,
        "topic": plan.topic,
        "progress": _progress(plan_progress(plan, today)),
        "tasks": [_task(t, today) for t in plan.tasks.select_related("evidence")],
    }


@router.post(
    "/documents/{id}/plan",
    response={201: PlanOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Lập kế hoạch theo dõi từ văn bản loại Kế hoạch (KH), với các nhiệm vụ",
)
def create_plan(request: HttpRequest, id: Path[Id], payload: PlanIn) -> Status[dict[str, Any]]:
    document = get_document_for(request.user, id)
    plan = actions.create_plan(
        document,
        by=request.user,
        topic=payload.topic,
        tasks=[
            TaskFields(t.content, t.due_on, t.owner_person, t.owner_body) for t in payload.tasks
        ],
    )
    return Status(201, _plan(get_plan_for(request.user, plan.pk)))


@router.get(
    "/plans/{id}/tasks",
    response={200: PlanOut, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Các nhiệm vụ của kế hoạch, tiến độ (quá hạn tính theo hạn)",
)
def plan_tasks(request: HttpRequest, id: Path[Id]) -> dict[str, Any]:
    return _plan(get_plan_for(request.user, id))


class TaskUpdateIn(Schema):
    progress: Literal["not_started", "in_progress", "done", "late"]
    result: Annotated[str, text(actions.MAX_TEXT_CHARS)] = ""
    done_on: IsoDate | None = None
    evidence: Id | None = None


@router.put(
    "/plans/{id}/tasks/{number}",
    response={200: PlanOut, **refusals(*STAFF, 404, 422)},
    auth=staff_auth,
    summary="Cập nhật tiến độ, kết quả của nhiệm vụ số `number`",
)
def update_task(
    request: HttpRequest,
    id: Path[Id],
    number: Path[Annotated[int, column(PlanTask, "position")]],
    payload: TaskUpdateIn,
) -> dict[str, Any]:
    """`late` is refused with the reason (422): a task is late by its due date, not by choice."""
    plan = get_plan_for(request.user, id)
    task = plan.tasks.filter(position=number).first()
    if task is None:
        raise Http404("Không tìm thấy nhiệm vụ")
    evidence = get_document_for(request.user, payload.evidence) if payload.evidence else None
    actions.update_task(
        task,
        by=request.user,
        progress=payload.progress,
        result=payload.result,
        done_on=payload.done_on,
        evidence=evidence,
    )
    return _plan(get_plan_for(request.user, id))


# -- the year's counts -----------------------------------------------------------------------------


class TypeCountOut(Schema):
    type: str
    name: str
    abbreviation: str
    total: int
    signed: int


class SummaryOut(Schema):
    unit: str
    year: int
    documents: list[TypeCountOut]
    documents_total: int
    documents_signed: int
    plans: PlanProgressOut
    plan_topics: dict[str, int]
    communication: dict[str, int]
    initiatives: dict[str, int]


@router.get(
    "/summary",
    response={200: SummaryOut, **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Số liệu năm của sổ minh chứng (cho Chỉ số CCHC)",
)
def summary(
    request: HttpRequest,
    unit: Query[UnitCode],
    year: Query[Annotated[int, whole_number(1945, 2100)]],
) -> dict[str, Any]:
    found = year_summary(get_unit_for(request.user, unit), year)
    return {
        "unit": unit,
        "year": year,
        "documents": [
            {
                "type": t.key,
                "name": t.name,
                "abbreviation": t.abbreviation,
                "total": t.total,
                "signed": t.signed,
            }
            for t in found.documents
        ],
        "documents_total": found.documents_total,
        "documents_signed": found.documents_signed,
        "plans": _progress(found.plans),
        "plan_topics": found.plan_topics,
        "communication": found.communication,
        "initiatives": found.initiatives,
    }


# -- initiatives and communication -----------------------------------------------------------------


class InitiativeIn(Schema):
    unit: UnitCode
    title: Annotated[str, column(Initiative, "title")]
    author: Annotated[str, column(Initiative, "author")]
    year: Annotated[int, whole_number(2000, 2100)]
    status: Literal[tuple(InitiativeStatus.values)] = InitiativeStatus.PROPOSED  # type: ignore[valid-type]
    recognised_by: Annotated[str, text(80)] = ""
    note: Annotated[str, text(actions.MAX_TEXT_CHARS)] = ""


class InitiativeOut(Schema):
    id: int
    unit: str
    year: int
    title: str
    author: str
    status: str
    recognised_by: str | None
    note: str


def _initiative(i: Initiative) -> dict[str, Any]:
    return {
        "id": i.pk,
        "unit": i.unit.code,
        "year": i.year,
        "title": i.title,
        "author": i.author,
        "status": i.status,
        "recognised_by": i.recognised_by.reference if i.recognised_by else None,
        "note": i.note,
    }


class YearQuery(Schema):
    unit: UnitCode
    year: Annotated[int, whole_number(1945, 2100)]


@router.get(
    "/initiatives",
    response={200: list[InitiativeOut], **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Sáng kiến CCHC của đơn vị trong năm",
)
def list_initiatives(request: HttpRequest, query: Query[YearQuery]) -> list[dict[str, Any]]:
    unit = get_unit_for(request.user, query.unit)
    rows = Initiative.objects.filter(unit=unit, year=query.year).select_related(
        "unit", "recognised_by"
    )
    return [_initiative(i) for i in rows]


@router.post(
    "/initiatives",
    response={201: InitiativeOut, **refusals(*STAFF, 404, 422)},
    auth=staff_auth,
    summary="Ghi nhận sáng kiến (văn bản công nhận theo số, ký hiệu trong sổ)",
)
def record_initiative(request: HttpRequest, payload: InitiativeIn) -> Status[dict[str, Any]]:
    unit = get_unit_for(request.user, payload.unit)
    initiative = actions.record_initiative(
        unit,
        by=request.user,
        title=payload.title,
        author=payload.author,
        year=payload.year,
        status=payload.status,
        recognised_by=actions.document_by_reference(
            unit, payload.recognised_by, field="recognised_by"
        ),
        note=payload.note,
    )
    return Status(201, _initiative(initiative))


class ActivityIn(Schema):
    unit: UnitCode
    kind: Literal[tuple(ActivityKind.values)]  # type: ignore[valid-type]
    on: IsoDate
    count: Annotated[int, whole_number(1, 100_000)] = 1
    note: Annotated[str, text(actions.MAX_TEXT_CHARS)] = ""
    evidence: Annotated[str, text(80)] = ""


class ActivityOut(Schema):
    id: int
    unit: str
    kind: str
    on: dt.date
    count: int
    note: str
    evidence: str | None


def _activity(a: CommunicationActivity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "unit": a.unit.code,
        "kind": a.kind,
        "on": a.on,
        "count": a.count,
        "note": a.note,
        "evidence": a.evidence.reference if a.evidence else None,
    }


@router.get(
    "/activities",
    response={200: list[ActivityOut], **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Hoạt động tuyên truyền CCHC của đơn vị trong năm",
)
def list_activities(request: HttpRequest, query: Query[YearQuery]) -> list[dict[str, Any]]:
    unit = get_unit_for(request.user, query.unit)
    rows = CommunicationActivity.objects.filter(unit=unit, year=query.year).select_related(
        "unit", "evidence"
    )
    return [_activity(a) for a in rows]


@router.post(
    "/activities",
    response={201: ActivityOut, **refusals(*STAFF, 404, 422)},
    auth=staff_auth,
    summary="Ghi nhận hoạt động tuyên truyền (ví dụ 25 tin trên loa truyền thanh)",
)
def record_activity(request: HttpRequest, payload: ActivityIn) -> Status[dict[str, Any]]:
    unit = get_unit_for(request.user, payload.unit)
    activity = actions.record_activity(
        unit,
        by=request.user,
        kind=payload.kind,
        on=payload.on,
        count=payload.count,
        note=payload.note,
        evidence=actions.document_by_reference(unit, payload.evidence, field="evidence"),
    )
    return Status(201, _activity(activity))
