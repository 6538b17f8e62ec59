"""Checking a read catalogue: one pass over the whole document, every error collected (naming
sheet or JSON path, row and column), the result a clean `Catalogue` or CatalogueImportError."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from cchc.catalogue.choices import AuthorityLevel, OnlineService
from cchc.catalogue.io.shapes import (
    FORM_FOLDER,
    FORM_PATH_MAX,
    SHARE_TOLERANCE,
    SHARE_TOTAL,
    SMALL_INT_MAX,
    AdoptionSpec,
    Catalogue,
    CatalogueData,
    CatalogueImportError,
    DocumentSpec,
    FeeSpec,
    FieldSpec,
    ProcedureSpec,
    StepSpec,
    VersionItem,
    VersionSpec,
    decimal_text,
)
from cchc.catalogue.models import Field, Procedure
from cchc.lib.importing import Item, RowChecker, cell_text
from cchc.units.choices import Role
from cchc.units.models import Unit
from cchc.worktime.choices import TimeUnit

_SLUG = re.compile(r"^[a-z0-9-]+$")


def validate_catalogue(data: CatalogueData) -> Catalogue:
    """Check the whole document; raise CatalogueImportError with every message if it is wrong."""
    check = RowChecker(list(data.errors))

    fields: list[FieldSpec] = []
    seen_fields: dict[Any, Item] = {}
    for item in data.fields:
        code = check.text(item, "code", required=True, max_length=40)
        if code and not _SLUG.match(code):
            check.invalid(item, "code", _("%(value)s không hợp lệ (chỉ gồm a-z, 0-9 và dấu -)."))
        elif code:
            check.unique(seen_fields, code, item, "code", _("Mã lĩnh vực"))
        fields.append(FieldSpec(code, check.text(item, "name", required=True, max_length=200)))

    known_fields = {spec.code for spec in fields} | set(
        Field.objects.filter(
            code__in={cell_text(p.values.get("field")) for p in data.procedures}
        ).values_list("code", flat=True)
    )
    procedures: list[ProcedureSpec] = []
    seen_procedures: dict[Any, Item] = {}
    for item in data.procedures:
        code = check.text(item, "code", required=True, max_length=30)
        if code:
            check.unique(seen_procedures, code, item, "code", _("Mã thủ tục"))
        field_code = check.text(item, "field", required=True)
        if field_code and field_code not in known_fields:
            check.invalid(
                item,
                "field",
                _("%(value)s không có trong danh sách lĩnh vực của tệp hay trong hệ thống."),
            )
        authority = check.choice(item, "authority_level", AuthorityLevel)
        if not item.versions:
            check.error(item, "versions", _("thủ tục phải có ít nhất một phiên bản."))
        seen_versions: dict[Any, Item] = {}
        versions = []
        for version_item in item.versions:
            version = _check_version(check, version_item)
            if version.effective_from != dt.date.min:
                check.unique(
                    seen_versions,
                    version.effective_from,
                    version_item,
                    "effective_from",
                    _("Phiên bản hiệu lực từ %(date)s của thủ tục %(code)s")
                    % {"date": version.effective_from.isoformat(), "code": code},
                )
            versions.append(version)
        procedures.append(ProcedureSpec(code, field_code, authority, versions))

    adoptions = _check_adoptions(check, data.adoptions, {p.code for p in procedures})
    if check.errors:
        raise CatalogueImportError(check.errors)
    return Catalogue(fields, procedures, adoptions)


def _check_version(check: RowChecker, item: VersionItem) -> VersionSpec:
    # dt.date.min stands in for a bad date: its error is recorded, nothing will be written.
    effective_from = check.date(item, "effective_from") or dt.date.min
    name = check.text(item, "name", required=True, max_length=500)
    time = check.decimal(item, "processing_time", max_digits=7, places=2)
    time_unit = check.choice(item, "time_unit", TimeUnit)
    if time_unit == TimeUnit.SAME_DAY and time:
        check.invalid(
            item, "processing_time", _("%(value)s phải bằng 0 khi time_unit là same_day.")
        )
    step_items = _in_order(check, item.steps)
    shares = [_check_share(check, step) for step in step_items]
    valid_shares = [share for share in shares if share is not None]
    # Only a sum of valid shares means anything; a bad share has its own message.
    if step_items and len(valid_shares) == len(shares):
        total = sum(valid_shares, Decimal(0))
        if abs(total - SHARE_TOTAL) > SHARE_TOLERANCE:
            check.error(
                item.steps[0],
                "share",
                _("tổng tỷ lệ thời gian các bước của phiên bản là %(total)s, phải bằng 100.")
                % {"total": decimal_text(total)},
            )
    return VersionSpec(
        effective_from=effective_from,
        name=name,
        processing_time=time if time is not None else Decimal(0),
        time_unit=time_unit,
        time_note=check.text(item, "time_note"),
        fee_note=check.text(item, "fee_note"),
        legal_basis=check.text(item, "legal_basis"),
        online_service=check.choice(item, "online_service", OnlineService),
        result_type=check.text(item, "result_type", max_length=300),
        conditions=check.text(item, "conditions"),
        keywords=check.text(item, "keywords"),
        published_by=check.text(item, "published_by", max_length=300),
        **_check_extended_time(check, item),
        documents=[_check_document(check, doc) for doc in _in_order(check, item.documents)],
        fees=[_check_fee(check, fee) for fee in _in_order(check, item.fees)],
        steps=[
            _check_step(check, step, share or Decimal(0))
            for step, share in zip(step_items, shares, strict=True)
        ],
    )


def _check_extended_time(check: RowChecker, item: VersionItem) -> dict[str, Any]:
    """The optional longer time of a stated case: a positive amount with its unit and its
    condition, or none of the three."""
    raw = item.values.get("extended_time")
    given = not (raw is None or (isinstance(raw, str) and not raw.strip()))
    amount = check.decimal(item, "extended_time", max_digits=7, places=2) if given else None
    unit = check.choice(item, "extended_time_unit", TimeUnit, blank=not given)
    condition = check.text(item, "extended_time_condition", max_length=500)
    if given and amount is not None and amount <= 0 and unit != TimeUnit.SAME_DAY:
        check.invalid(item, "extended_time", _("%(value)s phải lớn hơn 0."))
    if given and not condition:
        check.error(
            item,
            "extended_time_condition",
            _("phải ghi trường hợp được áp dụng thời hạn kéo dài."),
        )
    if not given and unit:
        check.error(item, "extended_time", _("bắt buộc khi có extended_time_unit."))
    return {
        "extended_time": amount,
        "extended_time_unit": unit,
        "extended_time_condition": condition,
    }


def _in_order(check: RowChecker, items: list[Item]) -> list[Item]:
    """Items in their order: xlsx rows carry a `position`, JSON lists are already in order."""
    if not items or "position" not in items[0].values:
        return items
    seen: dict[Any, Item] = {}
    keyed = []
    for index, item in enumerate(items):
        position = check.integer(item, "position", maximum=SMALL_INT_MAX)
        if position is not None:
            check.unique(
                seen, position, item, "position", _("Thứ tự %(position)d") % {"position": position}
            )
        keyed.append((position if position is not None else SMALL_INT_MAX + 1, index, item))
    return [item for _position, _index, item in sorted(keyed, key=lambda k: (k[0], k[1]))]


def _check_document(check: RowChecker, item: Item) -> DocumentSpec:
    template = check.text(item, "form_template")
    if template and (
        template.startswith(("/", "\\"))
        or ".." in template.replace("\\", "/").split("/")
        or len(FORM_FOLDER + template) > FORM_PATH_MAX
    ):
        check.invalid(
            item,
            "form_template",
            _(
                "%(value)s không phải là tên tệp hợp lệ trong thư mục biểu mẫu (tối đa %(max)d ký tự)."
            ),
            max=FORM_PATH_MAX - len(FORM_FOLDER),
        )
    return DocumentSpec(
        name=check.text(item, "name", required=True, max_length=500),
        originals=check.integer(item, "originals", maximum=SMALL_INT_MAX) or 0,
        copies=check.integer(item, "copies", maximum=SMALL_INT_MAX) or 0,
        required=bool(check.boolean(item, "required")),
        form_template=template,
        note=check.text(item, "note", max_length=500),
    )


def _check_fee(check: RowChecker, item: Item) -> FeeSpec:
    # PositiveBigIntegerField: the database's signed 64-bit range.
    amount = check.integer(item, "amount_vnd", maximum=2**63 - 1)
    return FeeSpec(
        name=check.text(item, "name", required=True, max_length=300),
        amount_vnd=amount or 0,
        note=check.text(item, "note", max_length=500),
    )


def _check_share(check: RowChecker, item: Item) -> Decimal | None:
    share = check.decimal(item, "share", max_digits=5, places=2)
    if share is not None and share > SHARE_TOTAL:
        check.invalid(item, "share", _("%(value)s lớn hơn 100."))
        return None
    return share


def _check_step(check: RowChecker, item: Item, share: Decimal) -> StepSpec:
    role = check.choice(item, "role", Role, blank=True)
    body = check.text(item, "body", max_length=300)
    if not role and not body:
        check.error(item, "role", _("bắt buộc khi không ghi cơ quan thực hiện (body)."))
    return StepSpec(
        name=check.text(item, "name", required=True, max_length=300),
        role=role,
        body=body,
        share=share,
    )


def _check_adoptions(
    check: RowChecker, items: list[Item], procedures_in_file: set[str]
) -> list[AdoptionSpec]:
    unit_codes = {cell_text(item.values.get("unit")) for item in items}
    procedure_codes = {cell_text(item.values.get("procedure")) for item in items}
    units = Counter(
        Unit.objects.current().filter(code__in=unit_codes).values_list("code", flat=True)
    )
    known_procedures = procedures_in_file | set(
        Procedure.objects.filter(code__in=procedure_codes).values_list("code", flat=True)
    )
    adoptions = []
    seen: dict[Any, Item] = {}
    for item in items:
        unit = check.text(item, "unit", required=True)
        if unit and units[unit] == 0:
            check.invalid(
                item, "unit", _("%(value)s không phải là mã của một đơn vị đang hoạt động.")
            )
        elif units[unit] > 1:
            check.invalid(item, "unit", _("%(value)s trùng mã của nhiều đơn vị đang hoạt động."))
        procedure = check.text(item, "procedure", required=True)
        if procedure and procedure not in known_procedures:
            check.invalid(item, "procedure", _("%(value)s không có trong tệp hay trong hệ thống."))
        if unit and procedure:
            check.unique(
                seen,
                (unit, procedure),
                item,
                "procedure",
                _("Thủ tục %(procedure)s tại đơn vị %(unit)s")
                % {"procedure": procedure, "unit": unit},
            )
        implemented = check.boolean(item, "implemented")
        reason = check.text(item, "reason", max_length=500)
        if implemented is False and not reason:
            check.error(item, "reason", _("bắt buộc khi implemented là false (0)."))
        adoptions.append(AdoptionSpec(unit, procedure, bool(implemented), reason))
    return adoptions
