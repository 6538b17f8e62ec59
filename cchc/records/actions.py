"""What people do with the evidence register: one function per business action, used by the
pages and the API alike. Each runs in one transaction (nothing half-saved), takes the acting user
as `by`, checks that the user keeps the unit's register (`RECORD_KEEPERS`, 403) and refuses bad
input with a `RecordsError` carrying its HTTP status and a Vietnamese message."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.errors import DomainError
from cchc.lib.pdfsignatures import check_pdf
from cchc.lib.text import fold
from cchc.lib.uploads import UploadRejected, check_upload
from cchc.records.choices import (
    PLAN_TYPE,
    RECORD_KEEPERS,
    ActivityKind,
    EditKind,
    FileSignature,
    InitiativeStatus,
    PlanTopic,
    TaskProgress,
    TaskStatus,
)
from cchc.records.models import (
    CchcPlan,
    CommunicationActivity,
    DocumentEdit,
    DocumentType,
    Initiative,
    OfficialDocument,
    PlanTask,
)
from cchc.records.numbering import InvalidReference, Reference, parse_reference
from cchc.units.models import Unit, user_roles_in, visible_unit_ids

MAX_TITLE_CHARS = 2000
MAX_TEXT_CHARS = 5000


class RecordsError(DomainError):
    status_code = 409


class InvalidRecord(RecordsError):
    status_code = 422


class DuplicateDocument(RecordsError):
    status_code = 409


class NotAllowed(RecordsError):
    status_code = 403


# -- who may write ---------------------------------------------------------------------------------


def may_keep(user: Any, unit: Unit) -> bool:
    return bool(user_roles_in(user, unit) & RECORD_KEEPERS)


def _check_keeper(user: Any, unit: Unit) -> None:
    if unit.pk not in visible_unit_ids(user):
        raise Http404("Không tìm thấy đơn vị")
    if not may_keep(user, unit):
        raise NotAllowed(
            _(
                "Chỉ đầu mối kiểm soát TTHC, lãnh đạo hoặc quản trị của %(unit)s được cập nhật sổ văn bản."
            )
            % {"unit": unit.name}
        )


# -- numbers and symbols ---------------------------------------------------------------------------


def abbreviations() -> dict[str, str]:
    """The types' abbreviations as the register reads them now (abbreviation → key)."""
    return dict(DocumentType.objects.values_list("abbreviation", "key"))


def read_reference(text: str) -> Reference:
    """The number and symbol typed, or InvalidRecord (422) naming the field and the reason."""
    try:
        return parse_reference(text, abbreviations())
    except InvalidReference as exc:
        raise InvalidRecord(exc.message, field="reference") from exc


def document_by_reference(unit: Unit, text: str, *, field: str) -> OfficialDocument | None:
    """The unit's registered document with this number and symbol (the newest year's when the
    number recurs), None for an empty text, InvalidRecord (422 on `field`) when there is none."""
    if not (text or "").strip():
        return None
    try:
        reference = parse_reference(text, abbreviations())
    except InvalidReference as exc:
        raise InvalidRecord(exc.message, field=field) from exc
    found = (
        OfficialDocument.objects.filter(unit=unit, number=reference.number, symbol=reference.symbol)
        .order_by("-year")
        .first()
    )
    if found is None:
        raise InvalidRecord(
            _("Sổ văn bản của %(unit)s chưa có văn bản số %(reference)s.")
            % {"unit": unit.name, "reference": reference.text},
            field=field,
        )
    return found


# -- documents -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentFields:
    """What an officer types about a document (the file comes apart)."""

    reference: str
    issued_on: dt.date
    title: str
    signer: str = ""
    declared_signed: bool = False


def _clean_fields(fields: DocumentFields, today: dt.date) -> tuple[Reference, str, str]:
    reference = read_reference(fields.reference)
    title = " ".join((fields.title or "").split())
    if not title:
        raise InvalidRecord(_("Chưa nhập trích yếu của văn bản."), field="title")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidRecord(
            _("Trích yếu dài quá %(n)s ký tự.") % {"n": MAX_TITLE_CHARS}, field="title"
        )
    signer = " ".join((fields.signer or "").split())
    if len(signer) > 200:
        raise InvalidRecord(_("Tên người ký dài quá 200 ký tự."), field="signer")
    if fields.issued_on > today:
        raise InvalidRecord(
            _("Ngày ban hành %(day)s chưa đến: chỉ vào sổ văn bản đã ban hành.")
            % {"day": fields.issued_on.strftime("%d/%m/%Y")},
            field="issued_on",
        )
    if reference.year is not None and reference.year != fields.issued_on.year:
        raise InvalidRecord(
            _("Năm trong số hiệu (%(year)s) khác năm ban hành (%(issued)s).")
            % {"year": reference.year, "issued": fields.issued_on.year},
            field="reference",
        )
    return reference, title, signer


def _duplicate_check(
    unit: Unit, reference: Reference, year: int, *, exclude: int | None = None
) -> None:
    same = OfficialDocument.objects.filter(
        unit=unit, year=year, number=reference.number, symbol=reference.symbol
    )
    if exclude is not None:
        same = same.exclude(pk=exclude)
    existing = same.first()
    if existing is not None:
        raise DuplicateDocument(
            _(
                "Văn bản số %(reference)s năm %(year)s đã có trong sổ của %(unit)s "
                "(ban hành ngày %(day)s)."
            )
            % {
                "reference": reference.text,
                "year": year,
                "unit": unit.name,
                "day": existing.issued_on.strftime("%d/%m/%Y"),
            },
            field="reference",
        )


def _apply(
    document: OfficialDocument,
    reference: Reference,
    title: str,
    signer: str,
    fields: DocumentFields,
    types: dict[str, DocumentType],
) -> None:
    document.number = reference.number
    document.number_year = reference.year
    document.symbol = reference.symbol
    document.issuer = reference.issuer
    document.type = types[reference.type_key]
    document.reference = reference.text
    document.reference_key = reference.key
    document.issued_on = fields.issued_on
    document.year = fields.issued_on.year
    document.title = title
    document.signer = signer
    document.declared_signed = fields.declared_signed
    document.search_text = fold(f"{reference.text} {title} {signer}")


def _types() -> dict[str, DocumentType]:
    return {t.key: t for t in DocumentType.objects.all()}


def _snapshot(document: OfficialDocument) -> dict[str, Any]:
    """The facts a history row compares, as text (dates dd/mm/yyyy)."""
    return {
        "reference": document.reference,
        "type": document.type.name if document.type_id else "",
        "issued_on": document.issued_on.strftime("%d/%m/%Y") if document.issued_on else "",
        "title": document.title,
        "signer": document.signer,
        "declared_signed": document.declared_signed,
    }


def _save_unique(document: OfficialDocument, unit: Unit, reference: Reference) -> None:
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:
        # Two officers registering the same number at the same moment: the second one is told.
        _duplicate_check(unit, reference, document.year, exclude=document.pk)
        raise DuplicateDocument(_("Số, ký hiệu này vừa được vào sổ.")) from exc


def register_document(
    unit: Unit,
    fields: DocumentFields,
    *,
    by: Any,
    file: UploadedFile | None = None,
    at: dt.datetime | None = None,
) -> OfficialDocument:
    """Enter one of the unit's documents in its register (with its file, when given)."""
    now = at or timezone.now()
    _check_keeper(by, unit)
    reference, title, signer = _clean_fields(fields, timezone.localdate(now))
    with transaction.atomic():
        _duplicate_check(unit, reference, fields.issued_on.year)
        document = OfficialDocument(unit=unit, created_by=by, created_at=now, updated_at=now)
        _apply(document, reference, title, signer, fields, _types())
        _save_unique(document, unit, reference)
        DocumentEdit.objects.create(
            document=document, kind=EditKind.REGISTERED, changes=_snapshot(document), by=by, at=now
        )
        if file is not None:
            _store_file(document, file, by=by, at=now)
    return document


def edit_document(
    document: OfficialDocument, fields: DocumentFields, *, by: Any, at: dt.datetime | None = None
) -> OfficialDocument:
    """Correct a registered document; each changed fact is kept in its history (before, after)."""
    now = at or timezone.now()
    unit = document.unit
    _check_keeper(by, unit)
    reference, title, signer = _clean_fields(fields, timezone.localdate(now))
    with transaction.atomic():
        locked = (
            OfficialDocument.objects.select_for_update()
            .select_related("type", "unit")
            .get(pk=document.pk)
        )
        before = _snapshot(locked)
        types = _types()
        if reference.type_key != PLAN_TYPE and CchcPlan.objects.filter(document=locked).exists():
            raise InvalidRecord(
                _("Văn bản này là kế hoạch có nhiệm vụ đang theo dõi: ký hiệu phải giữ loại KH."),
                field="reference",
            )
        _duplicate_check(unit, reference, fields.issued_on.year, exclude=locked.pk)
        _apply(locked, reference, title, signer, fields, types)
        after = _snapshot(locked)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if not changes:
            return locked
        locked.updated_at = now
        _save_unique(locked, unit, reference)
        CchcPlan.objects.filter(document=locked).update(year=locked.year)
        DocumentEdit.objects.create(
            document=locked, kind=EditKind.EDITED, changes=changes, by=by, at=now
        )
    return locked


def detect_signature(content_type: str, content: bytes) -> tuple[str, list[dict[str, Any]]]:
    """What a file says about its digital signature: (FileSignature, the signatures found)."""
    if content_type != "application/pdf":
        return FileSignature.NOT_PDF, []
    checks = check_pdf(content)
    found = [
        {
            "signer": c.signer,
            "organisation": c.organisation,
            "signed_at": c.signed_at,
            "intact": c.intact,
            "trusted": c.trusted,
            "unmodified": c.unmodified,
        }
        for c in checks
    ]
    if not checks:
        return FileSignature.UNSIGNED, found
    if any(c.intact and c.unmodified for c in checks):
        return FileSignature.SIGNED, found
    return FileSignature.ALTERED, found


def _store_file(
    document: OfficialDocument, file: UploadedFile | IO[bytes], *, by: Any, at: dt.datetime
) -> None:
    try:
        checked = check_upload(file, size=getattr(file, "size", None))
    except UploadRejected as exc:
        raise InvalidRecord(str(exc), field="file") from exc
    file.seek(0)
    content = file.read()
    file.seek(0)
    signature, found = detect_signature(checked.content_type, content)
    before = {"file": document.original_filename, "file_signature": document.file_signature}
    document.original_filename = (getattr(file, "name", "") or "")[:255]
    document.content_type = checked.content_type
    document.size = checked.size
    document.sha256 = checked.sha256
    document.file_signature = signature
    document.file_signatures = found
    document.updated_at = at
    document.file.save(f"document.{checked.extension}", file, save=False)
    document.save()
    DocumentEdit.objects.create(
        document=document,
        kind=EditKind.FILE,
        changes={
            "file": [before["file"], document.original_filename],
            "file_signature": [before["file_signature"], signature],
        },
        by=by,
        at=at,
    )


def attach_file(
    document: OfficialDocument, file: UploadedFile, *, by: Any, at: dt.datetime | None = None
) -> OfficialDocument:
    """Attach (or replace) the document's file: PDF or office files, judged by content; a PDF's
    digital signature is found and kept with it."""
    now = at or timezone.now()
    _check_keeper(by, document.unit)
    with transaction.atomic():
        locked = OfficialDocument.objects.select_for_update().get(pk=document.pk)
        _store_file(locked, file, by=by, at=now)
    return locked


# -- plans and tasks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFields:
    content: str
    due_on: dt.date
    owner_person: str = ""
    owner_body: str = ""


def _clean_task(fields: TaskFields, *, index: int | None = None) -> TaskFields:
    where = _("Nhiệm vụ %(n)s: ") % {"n": index} if index is not None else ""
    content = (fields.content or "").strip()
    if not content:
        raise InvalidRecord(where + _("chưa nhập nội dung nhiệm vụ."), field="content")
    if len(content) > MAX_TEXT_CHARS:
        raise InvalidRecord(
            where + _("nội dung dài quá %(n)s ký tự.") % {"n": MAX_TEXT_CHARS}, field="content"
        )
    person = " ".join((fields.owner_person or "").split())[:200]
    body = " ".join((fields.owner_body or "").split())[:200]
    if not person and not body:
        # Rõ người, rõ trách nhiệm: a task nobody owns is what an appraiser marks down.
        raise InvalidRecord(
            where + _("chưa ghi người thực hiện hoặc bộ phận chủ trì."), field="owner_person"
        )
    return TaskFields(content=content, due_on=fields.due_on, owner_person=person, owner_body=body)


def create_plan(
    document: OfficialDocument,
    *,
    by: Any,
    topic: str = PlanTopic.CCHC,
    tasks: list[TaskFields] | tuple[TaskFields, ...] = (),
    at: dt.datetime | None = None,
) -> CchcPlan:
    """Follow a registered plan (type KH) through the year, with its tasks."""
    now = at or timezone.now()
    _check_keeper(by, document.unit)
    if document.type.key != PLAN_TYPE:
        raise InvalidRecord(
            _("Chỉ lập kế hoạch theo dõi từ văn bản loại Kế hoạch (KH); %(reference)s là %(type)s.")
            % {"reference": document.reference, "type": document.type.name}
        )
    if topic not in PlanTopic.values:
        raise InvalidRecord(_("Nội dung kế hoạch không hợp lệ."), field="topic")
    cleaned = [_clean_task(t, index=i) for i, t in enumerate(tasks, start=1)]
    with transaction.atomic():
        OfficialDocument.objects.select_for_update().filter(pk=document.pk).first()
        if CchcPlan.objects.filter(document=document).exists():
            raise RecordsError(
                _("Văn bản %(reference)s đã được lập kế hoạch theo dõi.")
                % {"reference": document.reference}
            )
        plan = CchcPlan.objects.create(
            document=document,
            unit=document.unit,
            year=document.year,
            topic=topic,
            created_by=by,
            created_at=now,
        )
        PlanTask.objects.bulk_create(
            [
                PlanTask(
                    plan=plan,
                    position=i,
                    content=t.content,
                    owner_person=t.owner_person,
                    owner_body=t.owner_body,
                    due_on=t.due_on,
                    updated_by=by,
                    updated_at=now,
                )
                for i, t in enumerate(cleaned, start=1)
            ]
        )
    return plan


def add_task(
    plan: CchcPlan, fields: TaskFields, *, by: Any, at: dt.datetime | None = None
) -> PlanTask:
    now = at or timezone.now()
    _check_keeper(by, plan.unit)
    cleaned = _clean_task(fields)
    with transaction.atomic():
        CchcPlan.objects.select_for_update().filter(pk=plan.pk).first()
        last = plan.tasks.order_by("-position").values_list("position", flat=True).first() or 0
        return PlanTask.objects.create(
            plan=plan,
            position=last + 1,
            content=cleaned.content,
            owner_person=cleaned.owner_person,
            owner_body=cleaned.owner_body,
            due_on=cleaned.due_on,
            updated_by=by,
            updated_at=now,
        )


def _evidence(unit_id: int, evidence: OfficialDocument | None) -> OfficialDocument | None:
    if evidence is not None and evidence.unit_id != unit_id:
        raise InvalidRecord(
            _("Văn bản minh chứng phải là văn bản của chính đơn vị."), field="evidence"
        )
    return evidence


def update_task(
    task: PlanTask,
    *,
    by: Any,
    progress: str,
    result: str = "",
    done_on: dt.date | None = None,
    evidence: OfficialDocument | None = None,
    at: dt.datetime | None = None,
) -> PlanTask:
    """Record how a task stands: not started, in progress or done (with its result). "Late" is
    never chosen: a task past its due date and not done is late by itself."""
    now = at or timezone.now()
    today = timezone.localdate(now)
    plan = task.plan
    _check_keeper(by, plan.unit)
    if progress == TaskStatus.LATE:
        raise InvalidRecord(
            _("Không chọn “Quá hạn”: nhiệm vụ tự chuyển quá hạn khi qua hạn mà chưa hoàn thành."),
            field="progress",
        )
    if progress not in TaskProgress.values:
        raise InvalidRecord(_("Tiến độ không hợp lệ."), field="progress")
    result = (result or "").strip()
    if len(result) > MAX_TEXT_CHARS:
        raise InvalidRecord(
            _("Kết quả dài quá %(n)s ký tự.") % {"n": MAX_TEXT_CHARS}, field="result"
        )
    if progress == TaskProgress.DONE:
        if not result:
            # Rõ hiệu quả: a task is done when its result is said.
            raise InvalidRecord(_("Nhiệm vụ đã hoàn thành cần ghi kết quả."), field="result")
        done_on = done_on or today
        if done_on > today:
            raise InvalidRecord(
                _("Ngày hoàn thành %(day)s chưa đến.") % {"day": done_on.strftime("%d/%m/%Y")},
                field="done_on",
            )
    else:
        done_on = None
    evidence = _evidence(plan.unit_id, evidence)
    with transaction.atomic():
        locked = PlanTask.objects.select_for_update().get(pk=task.pk)
        locked.progress = progress
        locked.result = result
        locked.done_on = done_on
        locked.evidence = evidence
        locked.updated_by = by
        locked.updated_at = now
        locked.save()
    return locked


# -- initiatives and communication -----------------------------------------------------------------


def record_initiative(
    unit: Unit,
    *,
    by: Any,
    title: str,
    author: str,
    year: int,
    status: str = InitiativeStatus.PROPOSED,
    recognised_by: OfficialDocument | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Initiative:
    now = at or timezone.now()
    _check_keeper(by, unit)
    title = " ".join((title or "").split())
    author = " ".join((author or "").split())
    if not title:
        raise InvalidRecord(_("Chưa nhập tên sáng kiến."), field="title")
    if len(title) > 500:
        raise InvalidRecord(_("Tên sáng kiến dài quá 500 ký tự."), field="title")
    if not author:
        raise InvalidRecord(_("Chưa nhập tác giả sáng kiến."), field="author")
    if len(author) > 300:
        raise InvalidRecord(_("Tên tác giả dài quá 300 ký tự."), field="author")
    if status not in InitiativeStatus.values:
        raise InvalidRecord(_("Tình trạng sáng kiến không hợp lệ."), field="status")
    if not 2000 <= year <= timezone.localdate(now).year + 1:
        raise InvalidRecord(_("Năm của sáng kiến không hợp lệ."), field="year")
    recognised_by = _evidence(unit.pk, recognised_by)
    if status in (InitiativeStatus.RECOGNISED, InitiativeStatus.APPLIED) and recognised_by is None:
        raise InvalidRecord(
            _("Sáng kiến được công nhận cần văn bản công nhận (ví dụ quyết định của UBND)."),
            field="recognised_by",
        )
    return Initiative.objects.create(
        unit=unit,
        year=year,
        title=title,
        author=author,
        status=status,
        recognised_by=recognised_by,
        note=(note or "").strip()[:MAX_TEXT_CHARS],
        created_by=by,
        created_at=now,
    )


def record_activity(
    unit: Unit,
    *,
    by: Any,
    kind: str,
    on: dt.date,
    count: int = 1,
    note: str = "",
    evidence: OfficialDocument | None = None,
    at: dt.datetime | None = None,
) -> CommunicationActivity:
    now = at or timezone.now()
    _check_keeper(by, unit)
    if kind not in ActivityKind.values:
        raise InvalidRecord(_("Hình thức tuyên truyền không hợp lệ."), field="kind")
    if not 1 <= count <= 100_000:
        raise InvalidRecord(_("Số lượng phải từ 1 đến 100.000."), field="count")
    if on > timezone.localdate(now):
        raise InvalidRecord(
            _("Ngày %(day)s chưa đến: chỉ ghi hoạt động đã diễn ra.")
            % {"day": on.strftime("%d/%m/%Y")},
            field="on",
        )
    return CommunicationActivity.objects.create(
        unit=unit,
        kind=kind,
        on=on,
        year=on.year,
        count=count,
        note=(note or "").strip()[:MAX_TEXT_CHARS],
        evidence=_evidence(unit.pk, evidence),
        created_by=by,
        created_at=now,
    )
