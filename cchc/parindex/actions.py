"""What people do with the PAR Index: one function per business action, used by pages and API
alike.

Every action runs in one transaction with the assessment row locked, checks the transition
table (`choices.TRANSITIONS`) and the actor's role, and changes scores only through
`_set`, which appends a `ScoreChange` for each column it changes. Moves of the cycle append an
`AssessmentEvent` through the one workflow mechanism. A refused action raises a
`ParIndexError` whose message, in Vietnamese, names the criterion at fault; nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.errors import DomainError
from cchc.lib.numbers import plain_decimal
from cchc.lib.uploads import UploadRejected, check_upload
from cchc.parindex import live
from cchc.parindex.choices import (
    APPRAISED_STATUSES,
    OPENERS,
    SET_UNIT_KINDS,
    TRANSITIONS,
    UNIT,
    Action,
    EvidenceKind,
    Method,
    ScoreRule,
    SetStatus,
    Status,
    TaskStatus,
)
from cchc.parindex.criteria import points_text, read_json, save_set
from cchc.parindex.models import (
    Assessment,
    AssessmentEvent,
    CriteriaSet,
    Criterion,
    Evidence,
    RemediationTask,
    Score,
    ScoreChange,
)
from cchc.parindex.scoring import parse_rule
from cchc.records.models import OfficialDocument
from cchc.reports.resolution import units_in
from cchc.surveys.index import UnitIndex, unit_index
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Unit, active_memberships, user_roles_in
from cchc.workflow.table import Rule
from cchc.workflow.transition import Workflow, actor, record, transition

# -- errors: the API's one handler for DomainError answers them as JSON -------------------------


class ParIndexError(DomainError):
    status_code = 409


class IllegalMove(ParIndexError):
    status_code = 409


class NotAllowed(ParIndexError):
    status_code = 403


class InvalidScore(ParIndexError):
    status_code = 422


CENT = Decimal("0.01")


def _now(at: dt.datetime | None) -> dt.datetime:
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("naive datetime")
    return moment


# -- who may do what ---------------------------------------------------------------------------


def own_roles(user: Any, unit: Unit) -> set[str]:
    """The roles `user` holds in `unit` itself or an agency inside it: the unit's own staff. A
    province role reaching down does not make its holder a self-assessor of the commune."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return set(Role.values)
    return {m.role for m in active_memberships(user) if m.unit.path.startswith(unit.path)}


def council_roles(user: Any, assessment: Assessment) -> set[str]:
    """The appraiser role, if `user` holds it over the unit and — when the assessment names its
    council members — is one of them."""
    roles = user_roles_in(user, assessment.unit) & {Role.APPRAISER}
    if roles and not user.is_superuser:
        named = set(assessment.appraisers.values_list("pk", flat=True))
        if named and user.pk not in named:
            return set()
    return roles


def _roles_of(assessment: Assessment, user: Any, where: str) -> set[str]:
    return own_roles(user, assessment.unit) if where == UNIT else council_roles(user, assessment)


def may_manage_sets(user: Any) -> bool:
    """Criteria sets are issued by a province: its appraisal council or its administrator."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(
        m.role in OPENERS and m.unit.kind == UnitKind.PROVINCE for m in active_memberships(user)
    )


def _lock(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    # Read after the lock, not joined: FOR UPDATE would lock the unit and set rows too.
    locked.unit = Unit.objects.get(pk=locked.unit_id)
    locked.criteria_set = CriteriaSet.objects.get(pk=locked.criteria_set_id)
    return locked


def _illegal(assessment: Assessment, action: str) -> ParIndexError:
    if assessment.status == Status.PUBLISHED:
        return IllegalMove(
            _("Kết quả Chỉ số CCHC của %(unit)s đã công bố: không thể “%(action)s”.")
            % {"unit": assessment.unit.name, "action": Action(action).label}
        )
    return IllegalMove(
        _("Không thể “%(action)s” khi kỳ đánh giá đang ở trạng thái “%(status)s”.")
        % {"action": Action(action).label, "status": Status(assessment.status).label}
    )


def _stale(assessment: Assessment) -> ParIndexError:
    return IllegalMove(
        _("Kỳ đánh giá đã thay đổi từ lần đọc trước (version %(v)s): hãy tải lại rồi thao tác.")
        % {"v": assessment.version}
    )


def _not_allowed(assessment: Assessment, action: str, rule: Rule) -> ParIndexError:
    if rule.where == UNIT:
        return NotAllowed(
            _("Chỉ lãnh đạo hoặc đầu mối kiểm soát TTHC của %(unit)s được “%(action)s”.")
            % {"unit": assessment.unit.name, "action": Action(action).label}
        )
    return NotAllowed(
        _("Chỉ thành viên hội đồng thẩm định được phân công cho %(unit)s được “%(action)s”.")
        % {"unit": assessment.unit.name, "action": Action(action).label}
    )


# The assessment cycle on the one mechanism (`cchc.workflow`).
FLOW: Workflow[Assessment] = Workflow(
    table=TRANSITIONS,
    event=AssessmentEvent,
    lock=_lock,
    illegal=_illegal,
    version_field="version",
    stale=_stale,
    roles_of=_roles_of,
    not_allowed=_not_allowed,
)


def _guard(assessment: Assessment, action: str, by: Any) -> Assessment:
    """Lock the assessment and check, as a move would, that `action` may happen now and that
    `by` may take it: for the edits that are no move of the table (scores, evidence)."""
    current = FLOW.lock(assessment)
    if FLOW.table.target(action, current.status) is None:
        raise FLOW.illegal(current, action)
    FLOW.check_role(current, action, by)
    return current


def allowed_actions(assessment: Assessment, user: Any) -> list[str]:
    """The moves this user may make on this assessment now (for the pages' buttons)."""
    out = []
    for action in TRANSITIONS:
        rule = TRANSITIONS.rules[action]
        if TRANSITIONS.target(action, assessment.status) is not None and rule.roles & _roles_of(
            assessment, user, rule.where
        ):
            out.append(action)
    return out


# -- scores and their history ------------------------------------------------------------------


def _set(score: Score, column: str, value: Any, *, by: Any, at: dt.datetime, why: str) -> bool:
    """Change one column of a score, appending its history row; False when nothing changed."""
    old = getattr(score, column)
    if old == value or (old in (None, "") and value in (None, "")):
        return False
    setattr(score, column, value)
    ScoreChange.objects.create(
        score=score,
        field=column,
        old="" if old is None else str(plain_decimal(old) if isinstance(old, Decimal) else old),
        new=""
        if value is None
        else str(plain_decimal(value) if isinstance(value, Decimal) else value),
        why=why,
        actor=actor(by),
        at=at,
    )
    return True


def _points(criterion: Criterion, raw: Any, what: str) -> Decimal:
    """`raw` as points for `criterion`: a number from 0 to its maximum, at most two decimals,
    and one the criterion's rule allows."""
    try:
        value = Decimal(str(raw).strip().replace(",", ".")) if not isinstance(raw, bool) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise InvalidScore(
            _("Tiêu chí %(code)s: %(what)s “%(raw)s” không phải là số.")
            % {"code": criterion.code, "what": what, "raw": raw}
        )
    if value < 0 or value > criterion.max_score:
        raise InvalidScore(
            _("Tiêu chí %(code)s: %(what)s %(value)s ngoài khoảng 0 đến %(max)s (điểm tối đa).")
            % {
                "code": criterion.code,
                "what": what,
                "value": points_text(value),
                "max": points_text(criterion.max_score),
            }
        )
    if value != value.quantize(CENT):
        raise InvalidScore(
            _("Tiêu chí %(code)s: %(what)s chỉ có tối đa 2 chữ số thập phân.")
            % {"code": criterion.code, "what": what}
        )
    allowed: list[Decimal] | None = None
    if criterion.rule == ScoreRule.YES_NO:
        allowed = [Decimal(0), criterion.max_score]
    elif criterion.rule == ScoreRule.FREE and criterion.rule_params.get("levels"):
        allowed = [Decimal(str(v)) for v in criterion.rule_params["levels"]]
    if allowed is not None and value not in allowed:
        raise InvalidScore(
            _("Tiêu chí %(code)s: %(what)s chỉ được là một trong các mức %(levels)s.")
            % {
                "code": criterion.code,
                "what": what,
                "levels": "; ".join(points_text(v) for v in allowed),
            }
        )
    return value + 0


def _scores_by_code(assessment: Assessment) -> dict[str, Score]:
    return {
        s.criterion.code: s
        for s in Score.objects.filter(assessment=assessment).select_related("criterion")
    }


def _leaf_score(
    assessment: Assessment, scores: Mapping[str, Score], code: str, *, survey: bool = False
) -> Score:
    """The score row of criterion `code`, refused with the reason when the set has no such
    criterion, when it is a parent (scored through its children) or of the wrong method."""
    score = scores.get(code)
    if score is None:
        if Criterion.objects.filter(criteria_set_id=assessment.criteria_set_id, code=code).exists():
            raise InvalidScore(
                _(
                    "Tiêu chí %(code)s là tiêu chí tổng hợp: điểm được cộng từ các tiêu chí thành phần."
                )
                % {"code": code}
            )
        raise InvalidScore(
            _("Tiêu chí %(code)s không có trong bộ tiêu chí %(set)s.")
            % {"code": code, "set": assessment.criteria_set.code}
        )
    is_survey = score.criterion.method == Method.SURVEY
    if is_survey and not survey:
        raise InvalidScore(
            _(
                "Tiêu chí %(code)s chấm bằng điều tra xã hội học: điểm được tổng hợp từ kết quả điều tra."
            )
            % {"code": code}
        )
    if survey and not is_survey:
        raise InvalidScore(
            _("Tiêu chí %(code)s không chấm bằng điều tra xã hội học.") % {"code": code}
        )
    return score


def _start_self_assessment(current: Assessment, by: Any, at: dt.datetime) -> Assessment:
    if current.status == Status.OPEN:
        return transition(FLOW, current, Action.SELF_ASSESS, by=by, at=at, locked=True)
    return current


# -- criteria sets ------------------------------------------------------------------------------


def import_criteria_set(doc: Any, *, by: Any) -> CriteriaSet:
    """A criteria set from its JSON tree (docs/parindex.md), all of it or nothing."""
    if not may_manage_sets(by):
        raise NotAllowed(
            _("Chỉ hội đồng thẩm định hoặc quản trị cấp tỉnh được nhập bộ tiêu chí Chỉ số CCHC.")
        )
    return save_set(read_json(doc))


# -- opening -----------------------------------------------------------------------------------


def open_assessment(
    unit: Unit,
    criteria_set: CriteriaSet,
    *,
    by: Any,
    self_assessment_due: dt.date,
    appraisal_due: dt.date,
    appraisers: Iterable[Any] = (),
    at: dt.datetime | None = None,
) -> Assessment:
    """Open a unit's PAR Index for a set: one score row per criterion to score, the deadlines,
    the council members assigned (none: every appraiser over the unit)."""
    now = _now(at)
    if not OPENERS & user_roles_in(by, unit):
        raise NotAllowed(
            _("Chỉ hội đồng thẩm định hoặc quản trị cấp trên được mở kỳ đánh giá cho %(unit)s.")
            % {"unit": unit.name}
        )
    if criteria_set.status != SetStatus.ACTIVE:
        raise IllegalMove(
            _("Bộ tiêu chí %(code)s đang là dự thảo: hãy ban hành trước khi mở kỳ đánh giá.")
            % {"code": criteria_set.code}
        )
    if unit.kind not in SET_UNIT_KINDS.get(criteria_set.unit_kind, ()):
        raise InvalidScore(
            _("Bộ tiêu chí %(code)s dành cho %(kind)s, không áp dụng cho %(unit)s.")
            % {
                "code": criteria_set.code,
                "kind": criteria_set.get_unit_kind_display(),
                "unit": unit.name,
            }
        )
    if appraisal_due < self_assessment_due:
        raise InvalidScore(
            _("Hạn thẩm định (%(a)s) không được trước hạn tự đánh giá (%(s)s).")
            % {"a": f"{appraisal_due:%d/%m/%Y}", "s": f"{self_assessment_due:%d/%m/%Y}"}
        )
    members = list(appraisers)
    for member in members:
        if Role.APPRAISER not in user_roles_in(member, unit):
            raise InvalidScore(
                _("%(name)s không phải thành viên hội đồng thẩm định của %(unit)s.")
                % {"name": member.get_full_name() or member.username, "unit": unit.name}
            )
    with transaction.atomic():
        if Assessment.objects.filter(unit=unit, criteria_set=criteria_set).exists():
            raise IllegalMove(
                _("%(unit)s đã có kỳ đánh giá theo bộ tiêu chí %(code)s năm %(year)d.")
                % {"unit": unit.name, "code": criteria_set.code, "year": criteria_set.year}
            )
        assessment = Assessment.objects.create(
            unit=unit,
            criteria_set=criteria_set,
            year=criteria_set.year,
            self_assessment_due=self_assessment_due,
            appraisal_due=appraisal_due,
            opened_at=now,
        )
        if members:
            assessment.appraisers.set(members)
        Score.objects.bulk_create(
            Score(assessment=assessment, criterion=c)
            for c in criteria_set.criteria.filter(is_leaf=True).order_by("order")
        )
        record(
            FLOW,
            assessment,
            Action.OPEN,
            "",
            Status.OPEN,
            by=by,
            at=now,
            data={
                "self_assessment_due": self_assessment_due.isoformat(),
                "appraisal_due": appraisal_due.isoformat(),
            },
        )
    return assessment


# -- self-assessment ---------------------------------------------------------------------------


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
    explanation after round 1. A file is judged by its content (cchc.lib.uploads). With
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
        if file is not None:
            try:
                checked = check_upload(file, size=getattr(file, "size", None))
            except UploadRejected as exc:
                raise InvalidScore(
                    _("Tiêu chí %(code)s: %(reason)s") % {"code": code, "reason": exc}
                ) from exc
            evidence.content_type = checked.content_type
            evidence.extension = checked.extension
            evidence.size = checked.size
            evidence.sha256 = checked.sha256
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


# -- appraisal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppraisalEntry:
    """The council's word on one criterion: `score` None accepts the unit's self-score (round
    1) or keeps round 1's score (round 2); `reason` says why points were lost."""

    code: str
    score: Any = None
    reason: str = ""


ROUNDS = {1: (Action.APPRAISE_1, "appraised_1"), 2: (Action.APPRAISE_2, "appraised_2")}


def appraise(
    assessment: Assessment,
    round: int,
    entries: Sequence[AppraisalEntry],
    *,
    by: Any,
    at: dt.datetime | None = None,
) -> Assessment:
    """Round 1 or 2 of the appraisal: accept or adjust each score; a score below the maximum
    needs the reason for the points lost. The council may score in several sittings."""
    if round not in ROUNDS:
        raise InvalidScore(_("Lần thẩm định phải là 1 hoặc 2."))
    action, column = ROUNDS[round]
    now = _now(at)
    with transaction.atomic():
        current = _guard(assessment, action, by)
        if current.status != TRANSITIONS.target(action, current.status):
            current = transition(FLOW, current, action, by=by, at=now, locked=True)
        scores = _scores_by_code(current)
        for entry in entries:
            score = _leaf_score(current, scores, entry.code)
            criterion = score.criterion
            if entry.score is None:
                base = score.self_score if round == 1 else score.appraised_1
                if base is None:
                    raise InvalidScore(
                        _("Tiêu chí %(code)s: chưa có điểm để công nhận; hãy ghi điểm thẩm định.")
                        % {"code": criterion.code}
                    )
                value = base
            else:
                value = _points(criterion, entry.score, _("điểm thẩm định"))
            reason = entry.reason.strip()
            if value < criterion.max_score and not (reason or score.reason):
                raise InvalidScore(
                    _(
                        "Tiêu chí %(code)s: điểm thẩm định %(value)s thấp hơn điểm tối đa %(max)s, "
                        "cần ghi lý do trừ điểm."
                    )
                    % {
                        "code": criterion.code,
                        "value": points_text(value),
                        "max": points_text(criterion.max_score),
                    }
                )
            why = _("Thẩm định lần %(n)d") % {"n": round}
            changed = _set(score, column, value, by=by, at=now, why=why)
            if reason:
                changed |= _set(score, "reason", reason, by=by, at=now, why=why)
            if changed:
                score.save(update_fields=[column, "reason"])
    return current


def close_round(
    assessment: Assessment, round: int, *, by: Any, at: dt.datetime | None = None
) -> Assessment:
    """End round 1 (every appraised criterion scored; the unit may now explain) or round 2 (the
    scores not re-appraised keep round 1's)."""
    if round not in ROUNDS:
        raise InvalidScore(_("Lần thẩm định phải là 1 hoặc 2."))
    action = Action.CLOSE_ROUND_1 if round == 1 else Action.CLOSE_ROUND_2

    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        if round == 2:
            return {}
        missing = list(
            Score.objects.filter(assessment=a, appraised_1__isnull=True)
            .exclude(criterion__method=Method.SURVEY)
            .order_by("criterion__order")
            .values_list("criterion__code", flat=True)
        )
        if missing:
            shown = ", ".join(missing[:10]) + (", …" if len(missing) > 10 else "")
            raise InvalidScore(
                _("Chưa thẩm định %(n)d tiêu chí: %(codes)s.") % {"n": len(missing), "codes": shown}
            )
        return {}

    return transition(FLOW, assessment, action, by=by, at=_now(at), change=change)


def explain(
    assessment: Assessment,
    explanations: Mapping[str, str],
    *,
    by: Any,
    at: dt.datetime | None = None,
) -> Assessment:
    """The unit's explanation (giải trình) of criteria that lost points in round 1."""
    now = _now(at)

    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        scores = _scores_by_code(a)
        for code, text in explanations.items():
            score = _leaf_score(a, scores, code)
            if score.appraised_1 is None or score.appraised_1 >= score.criterion.max_score:
                raise InvalidScore(
                    _(
                        "Tiêu chí %(code)s không bị trừ điểm ở lần thẩm định 1: không cần giải trình."
                    )
                    % {"code": code}
                )
            if not text.strip():
                raise InvalidScore(
                    _("Tiêu chí %(code)s: nội dung giải trình trống.") % {"code": code}
                )
            if _set(score, "explanation", text.strip(), by=by, at=moment, why=_("Giải trình")):
                score.save(update_fields=["explanation"])
        return {"criteria": sorted(explanations)}

    return transition(FLOW, assessment, Action.EXPLAIN, by=by, at=now, change=change)


class NoSurveyResult(ParIndexError):
    status_code = 409


def sipas_scores(assessment: Assessment) -> tuple[dict[str, Decimal], UnitIndex]:
    """Each survey criterion's score from the unit's published SIPAS index for the assessment's
    year (cchc.surveys.index.unit_index): the criterion's rule applied to the index as a share
    (the shipped sets: proportional, target 1 → maximum × index ÷ 100), rounded half up to
    0,01; a criterion with the free rule takes maximum × share. The SIPAS index is one figure
    per unit and year and no set names questionnaire factors on its survey criteria, so every
    survey criterion takes the same share (docs/parindex.md). NoSurveyResult (409) when no
    published round has answers for the unit that year."""
    found = unit_index(assessment.unit, assessment.year)
    if found.index is None:
        raise NoSurveyResult(
            _(
                "%(unit)s chưa có kết quả điều tra SIPAS đã công bố năm %(year)d: hãy nhập điểm "
                "điều tra xã hội học, hoặc gửi danh sách trống nếu không tổ chức điều tra."
            )
            % {"unit": assessment.unit.name, "year": assessment.year}
        )
    share = Decimal(str(found.index)) / 100
    out: dict[str, Decimal] = {}
    for score in Score.objects.filter(
        assessment=assessment, criterion__method=Method.SURVEY
    ).select_related("criterion"):
        c = score.criterion
        if c.rule == ScoreRule.FREE:
            value = (c.max_score * share).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            points = parse_rule(c.code, c.rule, c.rule_params, c.max_score).score(share)
            value = points if points is not None else Decimal(0)
        out[c.code] = value
    return out, found


def merge_survey(
    assessment: Assessment,
    scores: Mapping[str, Any] | None,
    *,
    by: Any,
    at: dt.datetime | None = None,
) -> Assessment:
    """Merge the survey component: a score for every survey criterion (rounded to 0,01), or
    none at all when no survey was run (optional at commune level: the index is then the
    appraised points over their own maximum). `scores=None`: from the unit's published SIPAS
    index for the year (`sipas_scores`)."""
    now = _now(at)

    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        nonlocal scores
        rows = _scores_by_code(a)
        survey_codes = [c for c, s in rows.items() if s.criterion.method == Method.SURVEY]
        source: dict[str, Any] = {}
        if scores is None:
            scores, found = sipas_scores(a)
            source = {
                "sipas": {
                    "index": f"{found.index:.4f}",
                    "responses": found.responses,
                    "rounds": found.rounds,
                }
            }
        if not scores:
            a.with_survey = False
            return {"with_survey": False}
        missing = [c for c in survey_codes if c not in scores]
        if missing:
            raise InvalidScore(
                _("Thiếu điểm điều tra xã hội học của tiêu chí: %(codes)s.")
                % {"codes": ", ".join(missing)}
            )
        for code, raw in scores.items():
            score = _leaf_score(a, rows, code, survey=True)
            try:
                rounded = Decimal(str(raw)).quantize(CENT, rounding=ROUND_HALF_UP)
            except InvalidOperation:
                rounded = raw
            value = _points(score.criterion, rounded, _("điểm điều tra xã hội học"))
            if _set(score, "survey_score", value, by=by, at=moment, why=_("Tổng hợp ĐTXHH")):
                score.save(update_fields=["survey_score"])
        a.with_survey = True
        return {"with_survey": True, "criteria": len(scores), **source}

    return transition(FLOW, assessment, Action.MERGE_SURVEY, by=by, at=now, change=change)


def finalise(assessment: Assessment, *, by: Any, at: dt.datetime | None = None) -> Assessment:
    """The council fixes the result: the index and its grade are written in the event."""
    from cchc.parindex.results import totals

    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        result = totals(a)
        return {"index": str(result.index), "band": result.band}

    return transition(FLOW, assessment, Action.FINALISE, by=by, at=_now(at), change=change)


def publish(assessment: Assessment, *, by: Any, at: dt.datetime | None = None) -> Assessment:
    def change(a: Assessment, moment: dt.datetime) -> dict[str, Any]:
        a.published_at = moment
        return {}

    return transition(FLOW, assessment, Action.PUBLISH, by=by, at=_now(at), change=change)


# -- remediation -------------------------------------------------------------------------------


def create_remediation_task(
    assessment: Assessment,
    code: str,
    *,
    by: Any,
    title: str,
    owner: Any,
    due_on: dt.date,
    at: dt.datetime | None = None,
) -> RemediationTask:
    """A task to recover the points a criterion lost, owned by one of the unit's staff."""
    now = _now(at)
    with transaction.atomic():
        current = FLOW.lock(assessment)
        if not own_roles(by, current.unit) & {Role.LEADER, Role.TTHC_CONTROL}:
            raise NotAllowed(
                _(
                    "Chỉ lãnh đạo hoặc đầu mối kiểm soát TTHC của %(unit)s được giao nhiệm vụ khắc phục."
                )
                % {"unit": current.unit.name}
            )
        if current.status not in APPRAISED_STATUSES:
            raise IllegalMove(_("Nhiệm vụ khắc phục được giao sau khi có điểm thẩm định."))
        score = _leaf_score(current, _scores_by_code(current), code)
        lost = (
            score.appraised_score is not None and score.appraised_score < score.criterion.max_score
        )
        if not lost:
            raise InvalidScore(_("Tiêu chí %(code)s không bị trừ điểm.") % {"code": code})
        if not own_roles(owner, current.unit):
            raise InvalidScore(
                _("Người chịu trách nhiệm phải là cán bộ của %(unit)s.")
                % {"unit": current.unit.name}
            )
        if not title.strip():
            raise InvalidScore(_("Tiêu chí %(code)s: hãy ghi việc cần làm.") % {"code": code})
        return RemediationTask.objects.create(
            assessment=current,
            criterion=score.criterion,
            title=title.strip(),
            owner=owner,
            due_on=due_on,
            created_at=now,
        )


def update_remediation_task(
    task: RemediationTask,
    *,
    by: Any,
    status: str,
    evidence: str = "",
    at: dt.datetime | None = None,
) -> RemediationTask:
    """Move a task on; done needs what shows it was done."""
    now = _now(at)
    with transaction.atomic():
        task = (
            RemediationTask.objects.select_for_update()
            .select_related("assessment__unit", "criterion")
            .get(pk=task.pk)
        )
        unit = task.assessment.unit
        if task.owner_id != getattr(by, "pk", None) and not own_roles(by, unit) & {
            Role.LEADER,
            Role.TTHC_CONTROL,
        }:
            raise NotAllowed(
                _("Chỉ người được giao hoặc lãnh đạo đơn vị được cập nhật nhiệm vụ này.")
            )
        if task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
            raise IllegalMove(_("Nhiệm vụ đã kết thúc."))
        if status not in TaskStatus.values:
            raise InvalidScore(_("Trạng thái nhiệm vụ không hợp lệ."))
        if status == TaskStatus.DONE and not evidence.strip():
            raise InvalidScore(
                _("Tiêu chí %(code)s: hãy ghi kết quả, minh chứng khi hoàn thành.")
                % {"code": task.criterion.code}
            )
        task.status = status
        task.evidence = evidence.strip() or task.evidence
        task.done_at = now if status == TaskStatus.DONE else None
        task.save()
    return task


# -- a whole assessment from a spreadsheet -----------------------------------------------------


def _date(value: Any) -> dt.date | None:
    """A deadline as the file gives it: a date, or text YYYY-MM-DD."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidScore(
            _("Hạn “%(value)s” không phải là ngày (YYYY-MM-DD).") % {"value": value}
        ) from exc


def import_assessment(
    unit: Unit,
    doc: Mapping[str, Any],
    *,
    by: Any,
    at: dt.datetime | None = None,
) -> Assessment:
    """A unit's assessment as units keep it in spreadsheets today (docs/parindex.md): opened,
    self-scored, and appraised in round 1 where the file gives an appraised score — all of it
    or nothing, every error listed with its criterion. The caller finds `unit` in the user's
    scope (another unit is not found)."""
    now = _now(at)
    set_code, year = doc["criteria_set"], int(doc["year"])
    criteria_set = CriteriaSet.objects.filter(code=set_code, year=year).first()
    if criteria_set is None:
        raise InvalidScore(
            _("Không có bộ tiêu chí %(code)s năm %(year)s.") % {"code": set_code, "year": year}
        )
    end_of_year = dt.date(year, 12, 31)
    self_due = _date(doc.get("self_assessment_due")) or end_of_year
    appraisal_due = _date(doc.get("appraisal_due")) or max(self_due, end_of_year)
    rows = list(doc.get("scores") or [])
    with transaction.atomic():
        assessment = open_assessment(
            unit,
            criteria_set,
            by=by,
            self_assessment_due=self_due,
            appraisal_due=appraisal_due,
            at=now,
        )
        current = FLOW.lock(assessment)
        scores = _scores_by_code(current)
        errors: list[str] = []
        seen: set[str] = set()
        appraised = 0
        why = _("Nhập từ tệp")
        for row in rows:
            code = row["code"]
            try:
                if code in seen:
                    raise InvalidScore(_("Tiêu chí %(code)s xuất hiện hai lần.") % {"code": code})
                seen.add(code)
                score = _leaf_score(current, scores, code)
                criterion = score.criterion
                columns = []
                if row.get("self_score") is not None:
                    value = _points(criterion, row["self_score"], _("điểm tự chấm"))
                    _set(score, "self_score", value, by=by, at=now, why=why)
                    columns.append("self_score")
                if row.get("appraised_score") is not None:
                    value = _points(criterion, row["appraised_score"], _("điểm thẩm định"))
                    reason = (row.get("reason") or "").strip()
                    if value < criterion.max_score and not reason:
                        raise InvalidScore(
                            _(
                                "Tiêu chí %(code)s: điểm thẩm định thấp hơn điểm tối đa, cần ghi lý do trừ điểm."
                            )
                            % {"code": code}
                        )
                    _set(score, "appraised_1", value, by=by, at=now, why=why)
                    columns.append("appraised_1")
                    appraised += 1
                for column in ("reason", "explanation", "note"):
                    if (row.get(column) or "").strip():
                        _set(score, column, row[column].strip(), by=by, at=now, why=why)
                        columns.append(column)
                if columns:
                    score.save(update_fields=columns)
            except InvalidScore as exc:
                errors.append(str(exc.message))
        if errors:
            shown = "; ".join(errors[:20]) + ("; …" if len(errors) > 20 else "")
            raise InvalidScore(_("Tệp kết quả có lỗi: %(errors)s") % {"errors": shown})
        to_score = [s for s in scores.values() if s.criterion.method != Method.SURVEY]
        if appraised:
            complete = all(s.appraised_1 is not None for s in to_score)
            status = Status.EXPLAINING if complete else Status.APPRAISING_1
            current.submitted_at = now
        elif any(s.self_score is not None for s in to_score):
            status = Status.SELF_ASSESSING
        else:
            status = Status.OPEN
        from_status = current.status
        current.status = status
        current.version += 1
        current.save(update_fields=["status", "version", "submitted_at"])
        record(
            FLOW,
            current,
            Action.IMPORT,
            from_status,
            status,
            by=by,
            at=now,
            data={"rows": len(rows), "appraised": appraised},
        )
    return current
