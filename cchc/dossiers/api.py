"""Dossier endpoints: receipt, detail, actions, worklists. Token or session auth, scoped like the pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from typing import Annotated, Any, Literal, cast

from annotated_types import MaxLen
from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from cchc.accounts.auth import staff_auth
from cchc.accounts.models import User
from cchc.catalogue.models import Field as CatalogueField
from cchc.catalogue.models import Procedure, RequiredDocument
from cchc.dossiers import actions
from cchc.dossiers.choices import NATIONAL_CODE
from cchc.dossiers.desk import desk_for
from cchc.dossiers.importing import import_dossiers, may_import, refuse_import
from cchc.dossiers.inputs import (
    MAX_LIST_ITEMS,
    VERSION_HELP,
    ActionIn,
    ItemText,
    MissingItemIn,
    attach,
    known_action,
    missing_items,
    read_counter_outcome,
    record_at_counter,
    run_action,
)
from cchc.dossiers.lookup import document_response, get_document_for, get_dossier_for
from cchc.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    IdempotentReceipt,
)
from cchc.dossiers.worklists import WORKLISTS, Filters, page, worklist_rows
from cchc.lib.apierrors import STAFF, refusals
from cchc.lib.inputs import (
    FreeText,
    Id,
    IsoDate,
    ShortText,
    column,
    text,
    whole_number,
)
from cchc.units.lookup import get_unit_for
from cchc.units.models import Unit

logger = logging.getLogger(__name__)

router = Router(tags=["dossiers"], auth=staff_auth)

UnitCode = Annotated[str, column(Unit, "code")]
ProcedureCode = Annotated[str, column(Procedure, "code")]
DossierCode = Annotated[str, column(Dossier, "code")]


class ApplicantIn(Schema):
    name: Annotated[str, column(Dossier, "applicant_name")]
    kind: Literal["person", "organisation"] = "person"
    id_number: Annotated[str, column(Dossier, "applicant_id_number")] = ""
    phone: Annotated[str, column(Dossier, "applicant_phone")] = ""
    email: Annotated[str, column(Dossier, "applicant_email")] = ""
    address: Annotated[str, column(Dossier, "applicant_address")] = ""


class DocumentIn(Schema):
    position: Annotated[int, column(RequiredDocument, "position")] | None = None
    name: Annotated[str, column(DossierDocument, "name")] = ""
    originals: Annotated[int, column(DossierDocument, "originals")] = 0
    copies: Annotated[int, column(DossierDocument, "copies")] = 0


class ReceiptIn(Schema):
    procedure: ProcedureCode
    unit: UnitCode
    receiving_unit: UnitCode | None = None
    applicant: ApplicantIn
    documents: Annotated[list[DocumentIn], MaxLen(MAX_LIST_ITEMS)] = []
    channel: Literal["counter", "postal", "online_full", "online_partial"] = "counter"
    return_method: Literal["counter", "postal", "online"] = "counter"
    outcome: Literal["received", "incomplete", "refused"] = "received"
    missing: Annotated[list[ItemText | MissingItemIn], MaxLen(MAX_LIST_ITEMS)] = []
    reason: FreeText = ""


class StepOut(Schema):
    position: int
    name: str
    role: str
    body: str
    due: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    assignee: str | None
    outcome: str


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor: str | None
    reason: str
    data: dict[str, Any]


class DossierOut(Schema):
    code: str
    status: str
    national_status: int
    version: int
    procedure: str
    procedure_name: str
    unit: str
    receiving_unit: str
    channel: str
    return_method: str
    applicant_name: str
    received_at: dt.datetime | None
    due: dt.datetime | None
    original_due: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str
    returned_at: dt.datetime | None
    steps: list[StepOut] | None = None
    history: list[EventOut] | None = None
    # The actions the caller is expected to take now, the expected one first (the dossier
    # page's "Việc cần làm" then "Thao tác khác"); only on a single dossier's detail.
    allowed_actions: list[str] | None = None


def dossier_out(d: Dossier, *, detail: bool = False, user: Any = None) -> DossierOut:
    out = DossierOut(
        code=d.code,
        status=d.status,
        national_status=NATIONAL_CODE[d.status],
        version=d.row_version,
        procedure=d.procedure.code,
        procedure_name=d.procedure.name,
        unit=d.processing_unit.code,
        receiving_unit=d.receiving_unit.code,
        channel=d.channel,
        return_method=d.return_method,
        applicant_name=d.applicant_name,
        received_at=d.received_at,
        due=d.due_at,
        original_due=d.original_due_at,
        finished_at=d.finished_at,
        outcome=d.outcome,
        returned_at=d.returned_at,
    )
    if detail:
        out.steps = [
            StepOut(
                position=s.position,
                name=s.name,
                role=s.role,
                body=s.body,
                due=s.due_at,
                started_at=s.started_at,
                finished_at=s.finished_at,
                assignee=s.assignee.username if s.assignee else None,
                outcome=s.outcome,
            )
            for s in d.steps.select_related("assignee").order_by("position")
        ]
        out.history = [
            EventOut(
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                at=e.at,
                actor=e.actor.username if e.actor else None,
                reason=e.reason,
                data=e.data,
            )
            for e in d.events.select_related("actor").order_by("at", "id")
        ]
        if user is not None:
            out.allowed_actions = [str(a) for a in desk_for(d, user).allowed]
    return out


def _unit(code: str, what: str) -> Unit:
    unit = Unit.objects.current().filter(code=code).first()
    if unit is None:
        raise HttpError(422, f"Không có {what} mã {code!r}.")
    return unit


def _receipt(payload: ReceiptIn, user: Any) -> actions.Receipt:
    # The receiving unit must be one of the caller's; the processing unit may be any commune of
    # the province (phi địa giới) and is checked by the action.
    receiving = get_unit_for(user, payload.receiving_unit or payload.unit)
    processing = (
        receiving if not payload.receiving_unit else _unit(payload.unit, "đơn vị giải quyết")
    )
    return actions.Receipt(
        procedure_code=payload.procedure,
        processing_unit=processing,
        receiving_unit=receiving,
        applicant=actions.Applicant(**payload.applicant.dict()),
        documents=[actions.ReceivedDocument(**d.dict()) for d in payload.documents],
        channel=payload.channel,
        return_method=payload.return_method,
    )


def _create(payload: ReceiptIn, user: Any) -> Dossier:
    receipt = _receipt(payload, user)
    decision = read_counter_outcome(
        payload.outcome, missing=missing_items(payload.missing), reason=payload.reason
    )
    return record_at_counter(receipt, decision, by=user)


# Printable ASCII, as HTTP headers are in practice; the column holds 100 characters.
_IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,100}")


@router.post(
    "",
    response={201: DossierOut, **refusals(*STAFF, 404, 409, 422)},
    summary="Tiếp nhận hồ sơ",
)
def create_dossier(request: HttpRequest, payload: ReceiptIn) -> Status[DossierOut]:
    """Receive a dossier (or record it as incomplete, Mẫu 02, or refused, Mẫu 03).

    With an `Idempotency-Key` header (1–100 printable ASCII characters) a retried request
    returns the dossier the first one created instead of creating a second one; the same key
    with a different body answers 422.
    """
    user = cast(User, request.user)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return Status(201, dossier_out(_create(payload, user)))
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise HttpError(
            400, _("Idempotency-Key phải gồm 1 đến 100 ký tự ASCII in được (chữ, số, dấu).")
        )
    fingerprint = hashlib.sha256(
        json.dumps(payload.dict(), sort_keys=True, default=str).encode()
    ).hexdigest()
    earlier = IdempotentReceipt.objects.select_related("dossier").filter(user=user, key=key).first()
    if earlier is None:
        try:
            with transaction.atomic():
                dossier = _create(payload, user)
                IdempotentReceipt.objects.create(
                    user=user, key=key, request_hash=fingerprint, dossier=dossier
                )
            return Status(201, dossier_out(dossier))
        except IntegrityError as exc:
            # The same key raced us and won: its dossier is the answer.
            earlier = (
                IdempotentReceipt.objects.select_related("dossier")
                .filter(user=user, key=key)
                .first()
            )
            if earlier is None:
                # Not a race on the key: the receipt itself broke a constraint the checks did
                # not foresee. Nothing was written; the class only, as the database's message
                # may quote the applicant's data.
                logger.error("receipt refused by a database constraint: %s", type(exc).__name__)
                raise HttpError(
                    409,
                    _("Không ghi được hồ sơ vì xung đột với dữ liệu đã có; chưa có gì được lưu."),
                ) from None
    if earlier.request_hash != fingerprint:
        raise HttpError(422, "Idempotency-Key này đã dùng cho một yêu cầu khác.")
    return Status(201, dossier_out(earlier.dossier))


class ListParams(Schema):
    list: Annotated[str, text(40)] = "open"
    field: Annotated[str, column(CatalogueField, "code")] = ""
    procedure: Annotated[str, column(Procedure, "code")] = ""
    channel: Annotated[str, column(Dossier, "channel")] = ""
    received_from: IsoDate | None = None
    received_to: IsoDate | None = None
    q: ShortText = ""
    cursor: Annotated[str, text(200)] | None = None
    limit: Annotated[int, whole_number(1, 200)] = 50


class DossierPage(Schema):
    items: list[DossierOut]
    next_cursor: str | None


@router.get(
    "",
    response={200: DossierPage, **refusals(*STAFF)},
    summary="Danh sách hồ sơ theo danh mục công việc",
)
def list_dossiers(request: HttpRequest, params: Query[ListParams]) -> DossierPage:
    """Worklists: `list` is one of to_receive, mine, open, due_1, due_3, overdue, supplement,
    payment, to_return, not_returned, finished. Pages by keyset: pass `next_cursor` back as `cursor`."""
    if params.list not in WORKLISTS:
        raise HttpError(400, f"list phải là một trong: {', '.join(WORKLISTS)}.")
    filters = Filters(
        field=params.field,
        procedure=params.procedure,
        channel=params.channel,
        received_from=params.received_from,
        received_to=params.received_to,
        q=params.q,
    )
    rows = worklist_rows(request.user, params.list, filters).select_related("receiving_unit")
    try:
        result = page(rows, WORKLISTS[params.list], cursor=params.cursor, size=params.limit)
    except ValueError as exc:
        raise HttpError(400, "cursor không hợp lệ.") from exc
    return DossierPage(items=[dossier_out(d) for d in result.rows], next_cursor=result.next_cursor)


class ImportLineError(Schema):
    line: int
    error: str


class ImportOut(Schema):
    lines: int
    created: int
    unchanged: int
    failed: int
    errors: list[ImportLineError]
    errors_truncated: bool


@router.post(
    "/import",
    response={200: ImportOut, **refusals(*STAFF, 413, 415)},
    summary="Nhập hồ sơ lịch sử (NDJSON, mỗi dòng một hồ sơ)",
    openapi_extra={
        "requestBody": {
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            "required": True,
        }
    },
)
def import_history(request: HttpRequest) -> ImportOut:
    """Body `application/x-ndjson`, one dossier per line (format in docs/formats.md). Valid lines
    are written and invalid ones reported with their line numbers (`failed`, `errors`); sending
    the same lines again creates nothing new (idempotent by `external_id`). Importing history
    is a permission of its own (the TTHC-control officer and the administrator by default,
    setting DOSSIER_IMPORT_ROLES): anyone else gets 403 before a line is read."""
    if not may_import(request.user):
        raise HttpError(403, refuse_import())
    if (request.content_type or "") not in ("application/x-ndjson", "application/jsonl"):
        raise HttpError(415, "Gửi dữ liệu dạng application/x-ndjson, mỗi dòng một hồ sơ.")
    # The request is read line by line as a stream, never loaded whole.
    return ImportOut(**import_dossiers(request, by=request.user).as_dict())


@router.get(
    "/{code}",
    response={200: DossierOut, **refusals(*STAFF, 404)},
    summary="Chi tiết hồ sơ: trạng thái, hạn, các bước, lịch sử",
)
def get_dossier(request: HttpRequest, code: Path[DossierCode]) -> DossierOut:
    return dossier_out(get_dossier_for(request.user, code), detail=True, user=request.user)


@router.post(
    "/{code}/actions/{action}",
    response={200: DossierOut, **refusals(*STAFF, 404, 409, 422)},
    summary="Thực hiện một thao tác trên hồ sơ",
)
def act(
    request: HttpRequest,
    code: Path[DossierCode],
    action: Path[Annotated[str, column(DossierEvent, "action")]],
    payload: ActionIn,
) -> DossierOut:
    """200 with the new state; 409 for a move the status does not allow or a stale `version`;
    422 for bad data or a missing `version`; 403 when the role may not; 404 for another unit's
    dossier or an `action` that is not the name of an action."""
    known_action(action)
    dossier = get_dossier_for(request.user, code)
    updated = run_action(dossier, action, payload, by=request.user)
    return dossier_out(
        Dossier.objects.select_related("procedure", "processing_unit", "receiving_unit").get(
            pk=updated.pk
        ),
        detail=True,
        user=request.user,
    )


class DocumentOut(Schema):
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    digitised: bool


@router.post(
    "/{code}/documents",
    response={201: DocumentOut, **refusals(*STAFF, 404, 409, 413, 422)},
    summary="Thêm giấy tờ (tệp quét, kết quả) vào hồ sơ",
)
def upload_document(
    request: HttpRequest,
    code: Path[DossierCode],
    file: File[UploadedFile],
    # The default inside Annotated: ninja drops a `= default` given next to constraints.
    name: Annotated[str, column(DossierDocument, "name"), Form("")],
    kind: Annotated[str, column(DossierDocument, "kind"), Form("submitted")],
    version: Annotated[
        Annotated[int, column(Dossier, "row_version")] | None, Form(None, description=VERSION_HELP)
    ],
    position: Form[Annotated[int, column(RequiredDocument, "position")] | None] = None,
    digitised: Form[bool] = False,
) -> Status[DocumentOut]:
    """Multipart upload; the type is judged by content (PDF, JPG, PNG, DOCX, XLSX), 422 otherwise.
    `version` is required as for every action (422 without it, 409 when the dossier changed):
    a retried upload is never stored twice."""
    document = attach(
        get_dossier_for(request.user, code),
        version=version,
        by=request.user,
        file=file,
        name=name,
        kind=kind,
        position=position,
        digitised=digitised,
    )
    return Status(
        201,
        DocumentOut(
            id=document.pk,
            name=document.name,
            kind=document.kind,
            content_type=document.content_type,
            size=document.size,
            sha256=document.sha256,
            digitised=document.digitised,
        ),
    )


@router.get(
    "/{code}/documents/{document_id}",
    summary="Tải giấy tờ của hồ sơ",
    response={200: None, **refusals(*STAFF, 404)},
)
def download_document(
    request: HttpRequest, code: Path[DossierCode], document_id: Path[Id]
) -> FileResponse:
    return document_response(get_document_for(request.user, code, document_id))
