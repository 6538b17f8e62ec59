"""Export: the database read into a `Catalogue`, rendered as JSON or xlsx, so that export →
import → export gives the same file."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.db import models
from django.db.models import Prefetch

from cchc.catalogue.io.shapes import (
    FORM_FOLDER,
    FORMAT,
    FORMAT_VERSION,
    OPTIONAL_COLUMNS,
    SHEETS,
    VERSION_KEYS,
    AdoptionSpec,
    Catalogue,
    DocumentSpec,
    FeeSpec,
    FieldSpec,
    ProcedureSpec,
    StepSpec,
    VersionSpec,
    decimal_text,
)
from cchc.catalogue.models import (
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    StepTemplate,
    UnitProcedure,
)
from cchc.units.models import Unit


def catalogue_from_db(queryset: models.QuerySet[Procedure] | None = None) -> Catalogue:
    """The catalogue as stored: all procedures, or those of `queryset`, with what they need.

    Adoptions are exported only for units in force today, the only ones an import accepts.
    """
    procedures = list(
        (queryset if queryset is not None else Procedure.objects.all())
        .select_related("field")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ProcedureVersion.objects.order_by("effective_from").prefetch_related(
                    Prefetch(
                        "documents", queryset=RequiredDocument.objects.order_by("position", "pk")
                    ),
                    Prefetch("fees", queryset=Fee.objects.order_by("position", "pk")),
                    Prefetch("steps", queryset=StepTemplate.objects.order_by("position", "pk")),
                ),
            )
        )
        .order_by("code")
    )
    if queryset is None:
        fields = list(Field.objects.order_by("code"))
    else:
        fields = sorted({p.field.code: p.field for p in procedures}.values(), key=lambda f: f.code)
    adoptions = (
        UnitProcedure.objects.filter(procedure__in=procedures, unit__in=Unit.objects.current())
        .select_related("unit", "procedure")
        .order_by("unit__code", "procedure__code")
    )
    return Catalogue(
        fields=[FieldSpec(f.code, f.name) for f in fields],
        procedures=[
            ProcedureSpec(
                code=p.code,
                field=p.field.code,
                authority_level=p.authority_level,
                versions=[spec_of_version(v) for v in p.versions.all()],
            )
            for p in procedures
        ],
        adoptions=[
            AdoptionSpec(a.unit.code, a.procedure.code, a.implemented, a.reason) for a in adoptions
        ],
    )


def spec_of_version(version: ProcedureVersion) -> VersionSpec:
    """A stored version as a spec: what export renders, and what the writer compares a file's
    version with to tell "unchanged" from "updated"."""
    # `.all()` so that prefetched children are used during export; the Meta ordering
    # (position) applies when they are not.
    return VersionSpec(
        effective_from=version.effective_from,
        **{key: getattr(version, key) for key in VERSION_KEYS if key != "effective_from"},
        documents=[
            DocumentSpec(
                name=d.name,
                originals=d.originals,
                copies=d.copies,
                required=d.required,
                form_template=d.form_template.name.removeprefix(FORM_FOLDER)
                if d.form_template
                else "",
                note=d.note,
            )
            for d in version.documents.all()
        ],
        fees=[FeeSpec(f.name, f.amount_vnd, f.note) for f in version.fees.all()],
        steps=[
            StepSpec(s.name, s.role, s.body, s.share.normalize() + 0) for s in version.steps.all()
        ],
    )


def export_catalogue_json(queryset: models.QuerySet[Procedure] | None = None) -> dict[str, Any]:
    catalogue = catalogue_from_db(queryset)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "fields": [{"code": f.code, "name": f.name} for f in catalogue.fields],
        "procedures": [
            {
                "code": p.code,
                "field": p.field,
                "authority_level": p.authority_level,
                "versions": [_version_json(v) for v in p.versions],
            }
            for p in catalogue.procedures
        ],
        "adoptions": [
            {
                "unit": a.unit,
                "procedure": a.procedure,
                "implemented": a.implemented,
                "reason": a.reason,
            }
            for a in catalogue.adoptions
        ],
    }


def _version_json(version: VersionSpec) -> dict[str, Any]:
    scalars = version.scalars()
    if version.extended_time is None:
        # Most procedures have no longer time: their JSON stays as it was.
        for key in OPTIONAL_COLUMNS:
            scalars.pop(key)
    return {
        "effective_from": version.effective_from.isoformat(),
        **{
            key: decimal_text(value) if isinstance(value, Decimal) else value
            for key, value in scalars.items()
        },
        "documents": [vars(doc) for doc in version.documents],
        "fees": [vars(fee) for fee in version.fees],
        "steps": [{**vars(step), "share": decimal_text(step.share)} for step in version.steps],
    }


def export_catalogue_xlsx(queryset: models.QuerySet[Procedure] | None = None) -> bytes:
    catalogue = catalogue_from_db(queryset)
    rows: dict[str, list[list[Any]]] = {name: [] for name in SHEETS}
    rows["fields"] = [[f.code, f.name] for f in catalogue.fields]
    for p in catalogue.procedures:
        for v in p.versions:
            date = v.effective_from.isoformat()
            rows["procedures"].append(
                [p.code, p.field, p.authority_level, date]
                + [_cell(value) for value in v.scalars().values()]
            )
            for position, doc in enumerate(v.documents, start=1):
                rows["documents"].append(
                    [p.code, date, position, doc.name, doc.originals, doc.copies]
                    + [int(doc.required), doc.form_template, doc.note]
                )
            for position, fee in enumerate(v.fees, start=1):
                rows["fees"].append([p.code, date, position, fee.name, fee.amount_vnd, fee.note])
            for position, step in enumerate(v.steps, start=1):
                rows["steps"].append(
                    [p.code, date, position, step.name, step.role, step.body, _cell(step.share)]
                )
    rows["adoptions"] = [
        [a.unit, a.procedure, int(a.implemented), a.reason] for a in catalogue.adoptions
    ]

    workbook = openpyxl.Workbook(write_only=True)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(columns))
        for row in rows[name]:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    # Dates and codes stay text (Excel would reformat them); decimals become numbers so that
    # they can be edited as such, read back through str() without loss at 2 decimal places.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
