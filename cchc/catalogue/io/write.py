"""Writing a checked catalogue: in one transaction, matched on codes and dates, so that importing
the same file again changes nothing; `ImportResult` counts what changed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from dataclasses import field as list_field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from cchc.catalogue.io.check import validate_catalogue
from cchc.catalogue.io.export import spec_of_version
from cchc.catalogue.io.shapes import (
    FORM_FOLDER,
    AdoptionSpec,
    Catalogue,
    CatalogueData,
    CatalogueImportError,
    ProcedureSpec,
    VersionSpec,
)
from cchc.catalogue.models import Field, Procedure, ProcedureVersion, UnitProcedure
from cchc.units.models import Unit


@dataclass
class ImportResult:
    """Counts per kind of row ("fields", "procedures", "versions", "adoptions")."""

    created: Counter[str] = list_field(default_factory=Counter)
    updated: Counter[str] = list_field(default_factory=Counter)
    unchanged: Counter[str] = list_field(default_factory=Counter)

    def add(self, kind: str, status: str) -> None:
        """Count one row of `kind` as "created", "updated" or "unchanged"."""
        getattr(self, status)[kind] += 1

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def summary(self) -> str:
        labels = {
            "fields": _("Lĩnh vực"),
            "procedures": _("Thủ tục"),
            "versions": _("Phiên bản"),
            "adoptions": _("Áp dụng tại đơn vị"),
        }
        return "\n".join(
            _("%(label)s: %(created)d thêm mới, %(updated)d cập nhật, %(unchanged)d không đổi.")
            % {
                "label": label,
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            }
            for kind, label in labels.items()
        )


def import_catalogue(data: CatalogueData) -> ImportResult:
    """Validate `data` and, only if it has no error, write it all in one transaction.

    Fields are matched by code, procedures by code, versions by procedure and effective date
    (their documents, fees and steps are replaced when they differ), adoptions by unit and
    procedure. Importing the same file again changes nothing.
    """
    with transaction.atomic():
        catalogue = validate_catalogue(data)
        return _write(catalogue)


def _write(catalogue: Catalogue) -> ImportResult:
    result = ImportResult()
    field_codes = {spec.code for spec in catalogue.fields} | {p.field for p in catalogue.procedures}
    fields = {f.code: f for f in Field.objects.filter(code__in=field_codes)}
    renamed: list[Field] = []
    for spec in catalogue.fields:
        field = fields.get(spec.code)
        if field is None:
            fields[spec.code] = Field.objects.create(code=spec.code, name=spec.name)
            result.created["fields"] += 1
        elif field.name != spec.name:
            field.name = spec.name
            field.save(update_fields=["name"])
            renamed.append(field)
            result.updated["fields"] += 1
        else:
            result.unchanged["fields"] += 1

    stale: set[int] = set()  # procedures whose denormalised name/search text needs a refresh
    for procedure_spec in catalogue.procedures:
        procedure, status = _write_procedure(procedure_spec, fields[procedure_spec.field])
        result.add("procedures", status)
        if status == "updated":
            stale.add(procedure.pk)
        existing = {
            v.effective_from: v
            for v in procedure.versions.prefetch_related("documents", "fees", "steps")
        }
        for version_spec in procedure_spec.versions:
            status = _write_version(
                procedure, version_spec, existing.get(version_spec.effective_from)
            )
            result.add("versions", status)
    # The search text holds the field's name, so a renamed field touches all its procedures.
    for procedure in Procedure.objects.filter(
        models.Q(pk__in=stale) | models.Q(field__in=renamed)
    ).select_related("field"):
        procedure.refresh_denormalised()

    _write_adoptions(catalogue.adoptions, result)
    return result


def _write_procedure(spec: ProcedureSpec, field: Field) -> tuple[Procedure, str]:
    procedure = Procedure.objects.select_related("field").filter(code=spec.code).first()
    if procedure is None:
        procedure = Procedure.objects.create(
            code=spec.code, field=field, authority_level=spec.authority_level
        )
        return procedure, "created"
    if procedure.field_id == field.pk and procedure.authority_level == spec.authority_level:
        return procedure, "unchanged"
    procedure.field = field
    procedure.authority_level = spec.authority_level
    procedure.save(update_fields=["field", "authority_level"])
    return procedure, "updated"


def _write_version(
    procedure: Procedure, spec: VersionSpec, version: ProcedureVersion | None
) -> str:
    if version is None:
        version = ProcedureVersion(procedure=procedure, effective_from=spec.effective_from)
        for key, value in spec.scalars().items():
            setattr(version, key, value)
        version.save()
        _replace_children(version, spec)
        return "created"
    status = "unchanged"
    scalars = spec.scalars()
    current = spec_of_version(version)
    scalars_differ = any(getattr(version, key) != value for key, value in scalars.items())
    children_differ = (current.documents, current.fees, current.steps) != (
        spec.documents,
        spec.fees,
        spec.steps,
    )
    if (scalars_differ or children_differ) and version.dossiers.exists():
        # A dossier keeps the version in force at its receipt: its content must not move under
        # it. The transaction around the import rolls back whatever was written before.
        raise CatalogueImportError(
            [
                _(
                    "Thủ tục %(code)s, phiên bản hiệu lực từ %(date)s đã được dùng cho hồ sơ: "
                    "không sửa được. Hãy thêm phiên bản mới với ngày hiệu lực khác."
                )
                % {"code": procedure.code, "date": version.effective_from.strftime("%d/%m/%Y")}
            ]
        )
    if scalars_differ:
        for key, value in scalars.items():
            setattr(version, key, value)
        version.procedure = procedure
        version.save()
        status = "updated"
    if children_differ:
        version.documents.all().delete()
        version.fees.all().delete()
        version.steps.all().delete()
        _replace_children(version, spec)
        status = "updated"
    return status


def _replace_children(version: ProcedureVersion, spec: VersionSpec) -> None:
    # The specs' fields are the models' columns; a document's form names a file of the folder.
    documents = [
        {**vars(doc), "form_template": FORM_FOLDER + doc.form_template if doc.form_template else ""}
        for doc in spec.documents
    ]
    children: list[tuple[Any, list[dict[str, Any]]]] = [
        (version.documents, documents),
        (version.fees, [vars(fee) for fee in spec.fees]),
        (version.steps, [vars(step) for step in spec.steps]),
    ]
    # Positions are stored 1, 2, 3… in file order whatever the file numbered them, so that a
    # JSON and an xlsx import of the same catalogue leave the same rows.
    for manager, rows in children:
        manager.bulk_create(
            manager.model(version=version, position=position, **row)
            for position, row in enumerate(rows, start=1)
        )


def _write_adoptions(specs: list[AdoptionSpec], result: ImportResult) -> None:
    units = {u.code: u for u in Unit.objects.current().filter(code__in={s.unit for s in specs})}
    procedures = {
        p.code: p for p in Procedure.objects.filter(code__in={s.procedure for s in specs})
    }
    existing = {
        (a.unit_id, a.procedure_id): a
        for a in UnitProcedure.objects.filter(
            unit__in=units.values(), procedure__in=procedures.values()
        )
    }
    for spec in specs:
        unit, procedure = units[spec.unit], procedures[spec.procedure]
        adoption = existing.get((unit.pk, procedure.pk))
        if adoption is None:
            UnitProcedure.objects.create(
                unit=unit, procedure=procedure, implemented=spec.implemented, reason=spec.reason
            )
            result.created["adoptions"] += 1
        elif (adoption.implemented, adoption.reason) != (spec.implemented, spec.reason):
            adoption.implemented = spec.implemented
            adoption.reason = spec.reason
            adoption.save(update_fields=["implemented", "reason"])
            result.updated["adoptions"] += 1
        else:
            result.unchanged["adoptions"] += 1
