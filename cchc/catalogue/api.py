from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from cchc.accounts.auth import staff_auth
from cchc.catalogue.actions import set_adoption
from cchc.catalogue.models import Field as CatalogueField
from cchc.catalogue.models import Procedure, ProcedureVersion, UnitProcedure
from cchc.catalogue.search import search_procedures
from cchc.lib.apierrors import STAFF, refusals
from cchc.lib.inputs import IsoDate, ShortText, column, whole_number
from cchc.lib.numbers import plain_decimal
from cchc.lib.text import by_name
from cchc.units.lookup import get_unit_for
from cchc.units.models import Unit

router = Router(tags=["catalogue"])

UnitCode = Annotated[str, column(Unit, "code")]
ProcedureCode = Annotated[str, column(Procedure, "code")]


class ProcedureItem(Schema):
    code: str
    name: str
    field: str
    field_name: str
    authority_level: str


class ProcedureListParams(Schema):
    unit: UnitCode | None = None
    q: ShortText | None = None
    field: Annotated[str, column(CatalogueField, "code")] | None = None
    limit: Annotated[int, whole_number(1, 1000)] = 100
    offset: Annotated[int, whole_number(0, 1_000_000)] = 0


@router.get(
    "",
    response={200: list[ProcedureItem], **refusals(404)},
    summary="Tra cứu thủ tục hành chính (công khai)",
)
def list_procedures(
    request: HttpRequest, params: Query[ProcedureListParams]
) -> list[ProcedureItem]:
    """Procedures, optionally those implemented at `unit` (a unit code), matching `q`
    (diacritics optional, any word order) and of `field` (a field code)."""
    if not 1 <= params.limit <= 1000 or params.offset < 0:
        raise HttpError(400, "limit phải từ 1 đến 1000 và offset không âm.")
    procedures = Procedure.objects.select_related("field")
    if params.unit:
        unit = Unit.objects.current().filter(code=params.unit).first()
        if unit is None:
            raise HttpError(404, f"Không tìm thấy đơn vị có mã {params.unit!r}.")
        procedures = procedures.implemented_at(unit)
    if params.field:
        procedures = procedures.filter(field__code=params.field)
    if params.q:
        procedures = search_procedures(procedures, params.q)
    if not params.q:
        procedures = procedures.order_by(by_name("field__name"), by_name())
    # With a query the search has ordered the rows by relevance, best first.
    page = procedures[params.offset : params.offset + params.limit]
    return [
        ProcedureItem(
            code=p.code,
            name=p.name,
            field=p.field.code,
            field_name=p.field.name,
            authority_level=p.authority_level,
        )
        for p in page
    ]


class ProcedureDocumentOut(Schema):
    position: int = Field(
        description="Số thứ tự của giấy tờ: khóa mà hồ sơ nộp dùng (documents[].position)."
    )
    name: str
    originals: int
    copies: int
    required: bool = Field(
        description="Bắt buộc: thiếu giấy tờ này thì hồ sơ không được tiếp nhận."
    )
    form_template_url: str | None


class FeeOut(Schema):
    name: str
    amount_vnd: int
    note: str


class ProcedureStepOut(Schema):
    name: str
    role: str
    body: str
    share: Decimal


class ProcedureDetail(Schema):
    code: str
    name: str
    field: str
    field_name: str
    authority_level: str
    effective_from: dt.date
    processing_time: Decimal
    time_unit: str
    time_note: str
    fee_note: str
    legal_basis: str
    online_service: str
    result_type: str
    conditions: str
    documents: list[ProcedureDocumentOut]
    fees: list[FeeOut]
    steps: list[ProcedureStepOut]
    versions: list[dt.date]


def version_detail(procedure: Procedure, version: ProcedureVersion) -> ProcedureDetail:
    return ProcedureDetail(
        code=procedure.code,
        name=version.name,
        field=procedure.field.code,
        field_name=procedure.field.name,
        authority_level=procedure.authority_level,
        effective_from=version.effective_from,
        processing_time=plain_decimal(version.processing_time),
        time_unit=version.time_unit,
        time_note=version.time_note,
        fee_note=version.fee_note,
        legal_basis=version.legal_basis,
        online_service=version.online_service,
        result_type=version.result_type,
        conditions=version.conditions,
        documents=[
            ProcedureDocumentOut(
                position=d.position,
                name=d.name,
                originals=d.originals,
                copies=d.copies,
                required=d.required,
                form_template_url=d.form_template.url if d.form_template else None,
            )
            for d in version.documents.all()
        ],
        fees=[
            FeeOut(name=f.name, amount_vnd=f.amount_vnd, note=f.note) for f in version.fees.all()
        ],
        steps=[
            ProcedureStepOut(name=s.name, role=s.role, body=s.body, share=plain_decimal(s.share))
            for s in version.steps.all()
        ],
        versions=[v.effective_from for v in procedure.versions.all()],
    )


@router.get(
    "/{code}",
    response={200: ProcedureDetail, **refusals(404)},
    summary="Chi tiết thủ tục theo mã quốc gia (công khai)",
)
def procedure_detail(
    request: HttpRequest, code: Path[ProcedureCode], on: IsoDate | None = None
) -> ProcedureDetail:
    """The version in force today, or on `on` (YYYY-MM-DD)."""
    procedure = get_object_or_404(Procedure.objects.select_related("field"), code=code)
    version = (
        procedure.versions.filter(effective_from__lte=on or timezone.localdate())
        .order_by("-effective_from")
        .prefetch_related("documents", "fees", "steps")
        .first()
    )
    if version is None:
        raise HttpError(404, "Thủ tục chưa có phiên bản có hiệu lực vào ngày này.")
    return version_detail(procedure, version)


class AdoptionOut(Schema):
    procedure: str
    name: str
    implemented: bool
    reason: str


class AdoptionIn(Schema):
    implemented: bool
    reason: Annotated[str, column(UnitProcedure, "reason")] = ""


units_router = Router(tags=["catalogue"])


@units_router.get(
    "/{unit_code}/procedures",
    response={200: list[AdoptionOut], **refusals(*STAFF, 404)},
    auth=staff_auth,
    summary="Danh mục TTHC áp dụng tại đơn vị",
)
def unit_adoptions(request: HttpRequest, unit_code: Path[UnitCode]) -> list[AdoptionOut]:
    unit = get_unit_for(request.user, unit_code)
    rows = (
        UnitProcedure.objects.filter(unit=unit)
        .select_related("procedure")
        .order_by("procedure__code")
    )
    return [
        AdoptionOut(
            procedure=r.procedure.code,
            name=r.procedure.name,
            implemented=r.implemented,
            reason=r.reason,
        )
        for r in rows
    ]


@units_router.put(
    "/{unit_code}/procedures/{code}",
    response={200: AdoptionOut, **refusals(*STAFF, 404, 409, 422)},
    auth=staff_auth,
    summary="Ghi nhận thủ tục có/không thực hiện tại đơn vị",
)
def put_adoption(
    request: HttpRequest,
    unit_code: Path[UnitCode],
    code: Path[ProcedureCode],
    payload: AdoptionIn,
) -> AdoptionOut:
    unit = get_unit_for(request.user, unit_code)
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise Http404("Không tìm thấy thủ tục")
    adoption = set_adoption(
        unit, procedure, implemented=payload.implemented, reason=payload.reason, by=request.user
    )
    return AdoptionOut(
        procedure=procedure.code,
        name=procedure.name,
        implemented=adoption.implemented,
        reason=adoption.reason,
    )
