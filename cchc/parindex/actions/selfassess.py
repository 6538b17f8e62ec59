"""The unit's self-assessment: scores, notes, evidence, the live projection taken as scores, and
submission to the council."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.uploads import UploadRejected, check_upload, max_file_bytes
from cchc.parindex import live
from cchc.parindex.actions.common import (
    FLOW,
    _guard,
    _leaf_score,
    _now,
    _points,
    _scores_by_code,
    _set,
    _start_self_assessment,
)
from cchc.parindex.actions.errors import DuplicateEvidence, FileTooLarge, InvalidScore
from cchc.parindex.choices import Action, EvidenceKind, Method, Status
from cchc.parindex.models import Assessment, Evidence, Score
from cchc.records.models import OfficialDocument
from cchc.reports.resolution import units_in
from cchc.workflow.transition import actor, transition


@dataclass(frozen=True)
class SelfEntry:
    code: str
    score: Any
    note: str | None = None


def self_assess(
    assessment: Assessment,
    entries: Sequence[SelfEntry],
    *,
    by: Any,
    why: str = "",
    at: dt.datetime | None = None,
) -> Assessment:
    """The unit's self-scores (and notes) for some criteria, all of them or none."""
    now = _now(at)
    with transaction.atomic():
        current = _guard(assessment, Action.SELF_ASSESS, by)
        current = _start_self_assessment(current, by, now)
        scores = _scores_by_code(current)
        for entry in entries:
            score = _leaf_score(current, scores, entry.code)
            value = _points(score.criterion, entry.score, _("điểm tự chấm"))
            changed = _set(score, "self_score", value, by=by, at=now, why=why)
            if entry.note is not None:
                changed |= _set(score, "note", entry.note.strip(), by=by, at=now, why=why)
            if changed:
                score.save(update_fields=["self_score", "note"])
    return current


def set_self_score(
    assessment: Assessment,
    code: str,
    score: Any,
    *,
    by: Any,
    note: str | None = None,
    at: dt.datetime | None = None,
) -> Assessment:
    return self_assess(assessment, [SelfEntry(code, score, note)], by=by, at=at)


def self_assess_from_projection(
    assessment: Assessment,
    *,
    by: Any,
    overwrite: bool = False,
    at: dt.datetime | None = None,
) -> list[str]:
    """The automatic criteria's self-scores default to their live projection (live.projection)
    while the unit may self-assess: each criterion without a self-score takes its projected
    score (every one with `overwrite`), with the measure in its history. A criterion the
    formula could not measure and whose rule gives nothing for that keeps its score: the unit
    scores it by hand. Answers the codes changed; all or nothing."""
    now = _now(at)
    with transaction.atomic():
        current = _guard(assessment, Action.SELF_ASSESS, by)
        found = live.projection(current, now=now)
        current = _start_self_assessment(current, by, now)
        scores = _scores_by_code(current)
        changed: list[str] = []
        for row in found.rows:
            projected = row.projection.score
            score = scores[row.criterion.code]
            if projected is None or (score.self_score is not None and not overwrite):
                continue
            value = _points(score.criterion, projected, _("điểm tự chấm"))
            why = _("Điểm dự kiến từ số liệu của hệ thống, %(start)s–%(end)s. %(measure)s") % {
                "start": f"{found.start:%d/%m/%Y}",
                "end": f"{found.end:%d/%m/%Y}",
                "measure": row.projection.measure.explanation,
            }
            if _set(score, "self_score", value, by=by, at=now, why=why):
                score.save(update_fields=["self_score"])
                changed.append(row.criterion.code)
    return changed


def _unit_document(
    assessment: Assessment, record: OfficialDocument | int, by: Any
) -> OfficialDocument:
    """A document of the assessed unit's own register (the unit and its agencies) that `by`
    sees; 404 otherwise, as for anything out of scope (another unit's register is not named)."""
    pk = record.pk if isinstance(record, OfficialDocument) else record
    document = (
        OfficialDocument.objects.visible_to(by)
        .filter(pk=pk, unit_id__in=units_in(assessment.unit, subtree=False))
        .first()
    )
    if document is None:
        raise Http404(_("Không tìm thấy văn bản trong sổ đăng ký của đơn vị."))
    return document


def _document_label(document: OfficialDocument) -> str:
    return _("%(reference)s ngày %(date)s: %(title)s") % {
        "reference": document.reference,
        "date": f"{document.issued_on:%d/%m/%Y}",
        "title": document.title,
    }


def _size_of(file: IO[bytes]) -> int:
    """The file's size in bytes: as uploaded (Django's UploadedFile), else measured."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
    return int(size)


def _refuse_duplicate(
    score: Score,
    code: str,
    *,
    sha256: str = "",
    kind: str = "",
    ref: str = "",
    record: OfficialDocument | None = None,
) -> None:
    """409 when the criterion already has this evidence: a file by its content, a register
    document by itself, any other reference by its kind and text. Called under the
    assessment's row lock, so two copies sent together store one."""
    if sha256:
        same = score.evidence.filter(kind=EvidenceKind.FILE, sha256=sha256)
    elif record is not None:
        same = score.evidence.filter(record=record)
    else:
        same = score.evidence.filter(kind=kind, ref=ref, record__isnull=True)
    first = same.order_by("added_at", "id").first()
    if first is not None:
        raise DuplicateEvidence(
            _("Tiêu chí %(code)s đã có tài liệu kiểm chứng này (“%(label)s”, thêm lúc %(at)s).")
            % {
                "code": code,
                "label": first.label,
                "at": f"{timezone.localtime(first.added_at):%H:%M %d/%m/%Y}",
            }
        )


def add_evidence(
    assessment: Assessment,
    code: str,
    *,
    by: Any,
    kind: str,
    label: str,
    file: IO[bytes] | None = None,
    ref: str = "",
    record: OfficialDocument | int | None = None,
    at: dt.datetime | None = None,
) -> Evidence:
    """A piece of evidence for a criterion: while the unit self-assesses, or with its
    explanation after round 1. A file is judged by its content (cchc.lib.uploads): another kind
    is a 422, a file over the limit a 413 (FileTooLarge), each naming the criterion. With
    `record` (kind "record"): a document of the assessed unit's register the user sees, by
    instance or id (another unit's: 404); its number and symbol stand as the reference and, with
    no label given, its date and title as the label."""
    now = _now(at)
    label, ref = label.strip(), ref.strip()
    document: OfficialDocument | None = None
    if record is not None:
        if kind != EvidenceKind.RECORD:
            raise InvalidScore(
                _("Tiêu chí %(code)s: văn bản trong sổ đăng ký chỉ gắn với loại “văn bản”.")
                % {"code": code}
            )
        document = _unit_document(assessment, record, by)
        ref = document.reference
        label = label or _document_label(document)
    if kind not in EvidenceKind.values:
        raise InvalidScore(
            _("Tiêu chí %(code)s: loại tài liệu kiểm chứng không hợp lệ.") % {"code": code}
        )
    if not label:
        raise InvalidScore(
            _("Tiêu chí %(code)s: hãy ghi tên tài liệu kiểm chứng.") % {"code": code}
        )
    if kind == EvidenceKind.FILE and file is None:
        raise InvalidScore(
            _("Tiêu chí %(code)s: hãy chọn tệp tài liệu kiểm chứng.") % {"code": code}
        )
    if kind != EvidenceKind.FILE and not ref:
        raise InvalidScore(
            _("Tiêu chí %(code)s: hãy ghi số, ký hiệu hoặc địa chỉ của tài liệu kiểm chứng.")
            % {"code": code}
        )
    if kind == EvidenceKind.LINK and not ref.lower().startswith(("https://", "http://")):
        raise InvalidScore(
            _("Tiêu chí %(code)s: đường dẫn phải bắt đầu bằng https:// hoặc http://.")
            % {"code": code}
        )
    with transaction.atomic():
        current = FLOW.lock(assessment)
        action = Action.EXPLAIN if current.status == Status.EXPLAINING else Action.SELF_ASSESS
        current = _guard(current, action, by)
        current = _start_self_assessment(current, by, now)
        score = _leaf_score(current, _scores_by_code(current), code, survey=False)
        evidence = Evidence(
            score=score,
            kind=kind,
            label=label[:300],
            ref=ref,
            record=document,
            added_by=actor(by),
            added_at=now,
        )
        if file is None:
            _refuse_duplicate(score, code, kind=kind, ref=ref, record=document)
        else:
            size, limit = _size_of(file), max_file_bytes()
            if size > limit:
                # The same sentence as the upload check's, with its own status (413).
                raise FileTooLarge(
                    _("Tiêu chí %(code)s: %(reason)s")
                    % {
                        "code": code,
                        "reason": _("Tệp lớn hơn %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
                    }
                )
            try:
                checked = check_upload(file, size=size)
            except UploadRejected as exc:
                raise InvalidScore(
                    _("Tiêu chí %(code)s: %(reason)s") % {"code": code, "reason": exc}
                ) from exc
            evidence.content_type = checked.content_type
            evidence.extension = checked.extension
            evidence.size = checked.size
            evidence.sha256 = checked.sha256
            _refuse_duplicate(score, code, sha256=checked.sha256)
            file.seek(0)
            evidence.file.save(
                f"{checked.sha256}.{checked.extension}", ContentFile(file.read()), save=False
            )
        evidence.save()
    return evidence


def submit(
    assessment: Assessment,
    *,
    by: Any,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Assessment:
    """The unit sends its self-assessment: every criterion it scores must have a self-score."""
    now = _now(at)

    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        missing = list(
            Score.objects.filter(assessment=a, self_score__isnull=True)
            .exclude(criterion__method=Method.SURVEY)
            .order_by("criterion__order")
            .values_list("criterion__code", flat=True)
        )
        if missing:
            shown = ", ".join(missing[:10]) + (", …" if len(missing) > 10 else "")
            raise InvalidScore(
                _("Chưa tự chấm %(n)d tiêu chí: %(codes)s. Hãy chấm đủ rồi gửi.")
                % {"n": len(missing), "codes": shown}
            )
        a.submitted_at = moment
        return {"late": moment.date() > a.self_assessment_due}

    return transition(
        FLOW,
        assessment,
        Action.SUBMIT,
        by=by,
        at=now,
        change=change,
        expected_version=expected_version,
    )
