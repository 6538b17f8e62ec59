"""Staff pages of the PAR Index: the assessments a user may see, an assessment (totals, criteria,
the cycle's next step, the lost points, the history) and a criterion (self-score, evidence,
appraisal, explanation), with the lost-points report's downloads.

Thin: every change goes through `actions` (which check the cycle's order and the actor's role
and refuse with a message naming the criterion), every lookup through `lookup` (another unit's
assessment is a 404). A control is shown only when `actions.allowed_actions` and the action's
own preconditions say it would be accepted. Forms post, then redirect (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cchc.lib.numbers import localised
from cchc.parindex import actions
from cchc.parindex.choices import Action, EvidenceKind, Method, Status
from cchc.parindex.compare import chart_spec, comparison
from cchc.parindex.forms import AppraisalForm, EvidenceForm, ExplanationForm, SelfScoreForm
from cchc.parindex.lookup import evidence_response, get_assessment_for, get_evidence_file_for
from cchc.parindex.models import (
    Assessment,
    AssessmentEvent,
    Criterion,
    Score,
    ScoreChange,
)
from cchc.parindex.report import DOCX, XLSX, lost_points_docx, lost_points_xlsx
from cchc.parindex.results import (
    evidence_by_code,
    evidence_row,
    indices_of,
    lost_points,
    progress,
    progress_of,
    totals,
)
from cchc.parindex.tasks import tasks_by_code, today
from cchc.reports.charts import data_uri, svg
from cchc.units.lookup import get_unit_for

# The moves of the cycle taken from the assessment's page, in the cycle's order. Each one ends a
# stage for good (the unit cannot change its self-scores after sending them, the council cannot
# reopen a closed round, a published result stays), so each asks for the confirmation tick.
STEPS: dict[str, Any] = {
    Action.SUBMIT: gettext_lazy(
        "gửi kết quả tự đánh giá cho hội đồng thẩm định; sau đó đơn vị không sửa được điểm tự chấm."
    ),
    Action.CLOSE_ROUND_1: gettext_lazy(
        "kết thúc thẩm định lần 1; đơn vị được giải trình các tiêu chí bị trừ điểm."
    ),
    Action.CLOSE_ROUND_2: gettext_lazy(
        "kết thúc thẩm định lần 2; tiêu chí không chấm lại giữ điểm thẩm định lần 1."
    ),
    Action.MERGE_SURVEY: gettext_lazy(
        "tổng hợp điểm điều tra xã hội học vào kết quả; để trống tất cả nếu không điều tra."
    ),
    Action.FINALISE: gettext_lazy("chốt kết quả Chỉ số CCHC; điểm không còn thay đổi."),
    Action.PUBLISH: gettext_lazy("công bố kết quả; không thể thu hồi."),
}
CHANGE_LABELS = {
    "self_score": gettext_lazy("Điểm tự chấm"),
    "appraised_1": gettext_lazy("Điểm thẩm định lần 1"),
    "appraised_2": gettext_lazy("Điểm thẩm định lần 2"),
    "survey_score": gettext_lazy("Điểm điều tra xã hội học"),
    "reason": gettext_lazy("Lý do trừ điểm"),
    "explanation": gettext_lazy("Giải trình"),
    "note": gettext_lazy("Ghi chú"),
}
HISTORY_ROWS = 300


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def lost_points_word(request: HttpRequest, assessment_id: int) -> HttpResponse:
    a = get_assessment_for(request.user, assessment_id)
    name = f"chi-so-cchc-{a.unit.code}-{a.year}-diem-bi-tru.docx"
    return _download(lost_points_docx(a), DOCX, name)


@login_required
def lost_points_workbook(request: HttpRequest, assessment_id: int) -> HttpResponse:
    a = get_assessment_for(request.user, assessment_id)
    name = f"chi-so-cchc-{a.unit.code}-{a.year}-diem-bi-tru.xlsx"
    return _download(lost_points_xlsx(a), XLSX, name)


# -- the list ----------------------------------------------------------------------------------


@login_required
def assessments(request: HttpRequest) -> HttpResponse:
    rows = []
    found = list(
        Assessment.objects.visible_to(request.user)
        .select_related("unit", "criteria_set")
        .order_by("-year", "unit__path")
    )
    # Two queries for the whole list (a province's council sees every commune), not a few per
    # assessment.
    indices = indices_of(found)
    progresses = progress_of(found)
    any_provisional = False
    for a in found:
        index = indices[a.pk]
        shown = {
            "index": index.value,
            "provisional": index.provisional,
            "band": index.grade(a.criteria_set.bands),
        }
        any_provisional |= index.value is not None and index.provisional
        rows.append({"a": a, "totals": shown, "progress": progresses[a.pk]})
    return render(
        request, "parindex/assessments.html", {"rows": rows, "any_provisional": any_provisional}
    )


# -- an assessment -----------------------------------------------------------------------------


@dataclass
class Row:
    """One node of the set as the assessment's table shows it; a parent's points are its
    leaves' sums."""

    criterion: Criterion
    depth: int
    score: Score | None = None
    evidence_n: int = 0
    # Some of the criterion's evidence has a warning (results.evidence_row: an unsigned
    # document where a signed one is asked).
    warned: bool = False
    self_score: Decimal | None = None
    appraised: Decimal | None = None
    survey: Decimal | None = None
    # Points lost by the criteria that have a score to compare (appraised, or the merged
    # survey's): a criterion not yet scored loses nothing yet, so a field does not count its
    # unmerged survey criterion as lost.
    lost: Decimal | None = None
    children_ids: list[int] = field(default_factory=list)


def _lost_of(criterion: Criterion, score: Score) -> Decimal | None:
    points = score.survey_score if criterion.method == Method.SURVEY else score.appraised_score
    return None if points is None else criterion.max_score - points


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    if value is None:
        return total
    return value if total is None else total + value


def _rows(assessment: Assessment) -> list[Row]:
    criteria = list(assessment.criteria_set.criteria.order_by("order"))
    scores = {
        s.criterion_id: s
        for s in Score.objects.filter(assessment=assessment).annotate(evidence_n=Count("evidence"))
    }
    warned = {
        code
        for code, items in evidence_by_code(assessment).items()
        if any(i["warning"] for i in items)
    }
    rows: dict[int, Row] = {}
    depth: dict[int, int] = {}
    for c in criteria:
        depth[c.pk] = depth[c.parent_id] + 1 if c.parent_id else 0
        rows[c.pk] = Row(c, depth[c.pk])
    # A leaf's points are added to itself and each ancestor (a walk of the tree: parents first).
    for c in criteria:
        score = scores.get(c.pk)
        if score is None:
            continue
        row = rows[c.pk]
        row.score = score
        row.evidence_n = score.evidence_n
        row.warned = c.code in warned
        lost = _lost_of(c, score)
        node: Criterion | None = c
        while node is not None:
            target = rows[node.pk]
            target.lost = _add(target.lost, lost)
            if c.method == Method.SURVEY:
                target.survey = _add(target.survey, score.survey_score)
            else:
                target.self_score = _add(target.self_score, score.self_score)
                target.appraised = _add(target.appraised, score.appraised_score)
            node = rows[node.parent_id].criterion if node.parent_id else None
    return list(rows.values())


POINT_COLUMNS = frozenset({"self_score", "appraised_1", "appraised_2", "survey_score"})


def _points_text(raw: str) -> str:
    # Stored as "0.5" (actions.common._set); shown the Vietnamese way.
    return localised(Decimal(raw)) if raw else "—"


def _change_item(ch: ScoreChange) -> dict[str, Any]:
    label = CHANGE_LABELS.get(ch.field, ch.field)
    if ch.field in POINT_COLUMNS:
        detail = f"{_points_text(ch.old)} → {_points_text(ch.new)}"
    else:
        detail = ch.new
    return {
        "at": ch.at,
        "actor": ch.actor,
        "what": _("Tiêu chí %(code)s: %(field)s")
        % {"code": ch.score.criterion.code, "field": label},
        "detail": detail,
        "why": ch.why,
    }


def _history(assessment: Assessment) -> list[dict[str, Any]]:
    """The cycle's events and the score changes, newest first: when, who, what, why."""
    items: list[dict[str, Any]] = []
    for e in AssessmentEvent.objects.filter(assessment=assessment).select_related("actor"):
        items.append(
            {
                "at": e.at,
                "actor": e.actor,
                "what": Action(e.action).label,
                "detail": Status(e.to_status).label if e.to_status else "",
                "why": e.note,
            }
        )
    changes = (
        ScoreChange.objects.filter(score__assessment=assessment)
        .select_related("score__criterion", "actor")
        .order_by("-at", "-id")[:HISTORY_ROWS]
    )
    items.extend(_change_item(ch) for ch in changes)
    items.sort(key=lambda i: i["at"], reverse=True)
    return items


def _missing(assessment: Assessment, column: str) -> int:
    return (
        Score.objects.filter(assessment=assessment, **{f"{column}__isnull": True})
        .exclude(criterion__method=Method.SURVEY)
        .count()
    )


def _steps(assessment: Assessment, allowed: Iterable[str]) -> tuple[list[str], list[str]]:
    """The moves to offer as buttons, and why an allowed one is not offered yet. The actions
    refuse a submission with unscored criteria and a round 1 closed with unappraised ones: the
    page says so instead of showing a button that would be refused."""
    steps, waiting = [], []
    for action in STEPS:
        if action not in allowed:
            continue
        if action == Action.SUBMIT and (n := _missing(assessment, "self_score")):
            waiting.append(
                _("Còn %(n)d tiêu chí chưa tự chấm: chấm đủ rồi mới gửi được.") % {"n": n}
            )
            continue
        if action == Action.CLOSE_ROUND_1 and (n := _missing(assessment, "appraised_1")):
            waiting.append(
                _("Còn %(n)d tiêu chí chưa thẩm định lần 1: thẩm định đủ rồi mới kết thúc được.")
                % {"n": n}
            )
            continue
        steps.append(action)
    return steps, waiting


def _scoring_hint(allowed: Iterable[str]) -> str:
    allowed = set(allowed)
    if Action.SELF_ASSESS in allowed:
        return _("Tự chấm: chọn mã tiêu chí trong bảng để chấm điểm và thêm tài liệu kiểm chứng.")
    if Action.EXPLAIN in allowed:
        return _("Giải trình: chọn mã tiêu chí bị trừ điểm để ghi giải trình, bổ sung tài liệu.")
    if Action.APPRAISE_1 in allowed or Action.APPRAISE_2 in allowed:
        return _("Thẩm định: chọn mã tiêu chí trong bảng để công nhận hoặc điều chỉnh điểm.")
    return ""


def _survey_criteria(assessment: Assessment) -> list[Score]:
    return list(
        Score.objects.filter(assessment=assessment, criterion__method=Method.SURVEY)
        .select_related("criterion")
        .order_by("criterion__order")
    )


def _field_rows(rows: list[Row]) -> dict[str, Any]:
    """The fields' lines of the totals table, read from the criteria table's rows so the two
    agree: a field none of whose criteria is appraised (or whose survey is not merged) shows
    "—", not 0; the total likewise."""
    fields = [r for r in rows if r.depth == 0]
    total: dict[str, Decimal | None] = {"self": None, "appraised": None, "survey": None}
    for r in fields:
        total["self"] = _add(total["self"], r.self_score)
        total["appraised"] = _add(total["appraised"], r.appraised)
        total["survey"] = _add(total["survey"], r.survey)
    return {"rows": fields, "total": total}


def _imported_at(assessment: Assessment) -> Any:
    """When the results were imported from a file (Action.IMPORT), if they were and the unit
    did not submit through the cycle afterwards: the page must not call the import time the
    submission's."""
    events = AssessmentEvent.objects.filter(
        assessment=assessment, action__in=(Action.IMPORT, Action.SUBMIT)
    ).order_by("-at", "-id")
    last = events.values_list("action", "at").first()
    return last[1] if last and last[0] == Action.IMPORT else None


@login_required
def assessment_detail(
    request: HttpRequest, assessment_id: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    a = get_assessment_for(request.user, assessment_id)
    allowed = actions.allowed_actions(a, request.user)
    steps, waiting = _steps(a, allowed)
    lost = lost_points(a)
    # Each lost criterion shows its remediation tasks (views_remediation: the tasks' pages).
    tasks = tasks_by_code(a)
    on = today()
    for group in lost:
        for lost_row in group.rows:
            lost_row["tasks"] = [
                {"task": t, "late": t.is_late(on)} for t in tasks.get(lost_row["code"], [])
            ]
    rows = _rows(a)
    return render(
        request,
        "parindex/assessment.html",
        {
            "a": a,
            "totals": totals(a),
            "fields": _field_rows(rows),
            "imported_at": _imported_at(a),
            "progress": progress(a),
            "rows": rows,
            "lost": lost,
            "may_give": actions.may_give_tasks(a, request.user),
            "task_count": sum(len(t) for t in tasks.values()),
            "history": _history(a),
            "steps": [(s, STEPS[s]) for s in steps],
            "waiting": waiting,
            "hint": _scoring_hint(allowed),
            "survey_rows": _survey_criteria(a) if Action.MERGE_SURVEY in steps else [],
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def act(request: HttpRequest, assessment_id: int, action: str) -> HttpResponse:
    a = get_assessment_for(request.user, assessment_id)
    if action not in STEPS:
        raise Http404
    label = Action(action).label
    if request.POST.get("confirm") != "1":
        # The server insists on the tick: a form sent without it (no JavaScript, an old tab)
        # changes nothing.
        return assessment_detail(
            request,
            assessment_id,
            error=_("Hãy đánh dấu ô xác nhận trước khi “%(action)s”.") % {"action": label},
            status=422,
        )
    try:
        if action == Action.SUBMIT:
            version = request.POST.get("version", "")
            actions.submit(
                a, by=request.user, expected_version=int(version) if version.isdigit() else None
            )
        elif action == Action.CLOSE_ROUND_1:
            actions.close_round(a, 1, by=request.user)
        elif action == Action.CLOSE_ROUND_2:
            actions.close_round(a, 2, by=request.user)
        elif action == Action.MERGE_SURVEY:
            typed = {
                s.criterion.code: request.POST.get(f"survey-{s.criterion.code}", "").strip()
                for s in _survey_criteria(a)
            }
            given = {code: value for code, value in typed.items() if value}
            if given and len(given) != len(typed):
                # Blank all: no survey; otherwise every survey criterion needs its score (the
                # action names the missing ones).
                given = typed
            actions.merge_survey(a, given, by=request.user)
        elif action == Action.FINALISE:
            actions.finalise(a, by=request.user)
        else:
            actions.publish(a, by=request.user)
    except actions.ParIndexError as exc:
        return assessment_detail(
            request, assessment_id, error=str(exc.message), status=exc.status_code
        )
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": label})
    return redirect("parindex:assessment", assessment_id=a.pk)


# -- a criterion -------------------------------------------------------------------------------


def _criterion_of(a: Assessment, code: str) -> tuple[Criterion, Score]:
    score = (
        Score.objects.filter(assessment=a, criterion__code=code).select_related("criterion").first()
    )
    if score is None:  # no such criterion, or a parent (scored through its children)
        raise Http404(_("Không tìm thấy tiêu chí trong bộ tiêu chí."))
    return score.criterion, score


def _neighbours(a: Assessment, criterion: Criterion) -> tuple[str | None, str | None]:
    leaves = Score.objects.filter(assessment=a).order_by("criterion__order")
    before = (
        leaves.filter(criterion__order__lt=criterion.order)
        .order_by("-criterion__order")
        .values_list("criterion__code", flat=True)
        .first()
    )
    after = (
        leaves.filter(criterion__order__gt=criterion.order)
        .values_list("criterion__code", flat=True)
        .first()
    )
    return before, after


def _appraisal_round(allowed: Iterable[str]) -> int | None:
    allowed = set(allowed)
    if Action.APPRAISE_1 in allowed:
        return 1
    if Action.APPRAISE_2 in allowed:
        return 2
    return None


@login_required
def criterion_detail(request: HttpRequest, assessment_id: int, code: str) -> HttpResponse:
    a = get_assessment_for(request.user, assessment_id)
    criterion, score = _criterion_of(a, code)
    allowed = set(actions.allowed_actions(a, request.user))
    scored_by_unit = criterion.method != Method.SURVEY
    may_self = scored_by_unit and Action.SELF_ASSESS in allowed
    # Evidence comes with the self-assessment, and again with the explanation (actions).
    evidence_action = Action.EXPLAIN if a.status == Status.EXPLAINING else Action.SELF_ASSESS
    may_evidence = scored_by_unit and evidence_action in allowed
    round = _appraisal_round(allowed) if scored_by_unit else None
    if round == 1 and score.self_score is None:
        round = None  # nothing to appraise: the unit has not scored it (actions.submit)
    lost_1 = score.appraised_1 is not None and score.appraised_1 < criterion.max_score
    may_explain = scored_by_unit and Action.EXPLAIN in allowed and lost_1

    form_name = request.POST.get("form", "") if request.method == "POST" else ""
    post = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    self_form = SelfScoreForm(
        post if form_name == "self" else None,
        criterion=criterion,
        initial={"score": _typed(score.self_score), "note": score.note},
    )
    evidence_form = EvidenceForm(
        post if form_name == "evidence" else None, files if form_name == "evidence" else None
    )
    appraisal_form = (
        AppraisalForm(
            post if form_name == "appraise" else None,
            criterion=criterion,
            round=round,
            autofocus=not may_self,
            initial={"reason": score.reason},
        )
        if round
        else None
    )
    explanation_form = ExplanationForm(
        post if form_name == "explain" else None, initial={"text": score.explanation}
    )

    if request.method == "POST":
        done = _post(
            request,
            a,
            criterion,
            form_name,
            round=round,
            allowed={
                "self": may_self,
                "evidence": may_evidence,
                "appraise": bool(round),
                "explain": may_explain,
            },
            forms={
                "self": self_form,
                "evidence": evidence_form,
                "appraise": appraisal_form,
                "explain": explanation_form,
            },
        )
        if done:
            return redirect("parindex:criterion", assessment_id=a.pk, code=criterion.code)

    before, after = _neighbours(a, criterion)
    bound_errors = any(
        f is not None and f.is_bound and f.errors
        for f in (self_form, evidence_form, appraisal_form, explanation_form)
    )
    return render(
        request,
        "parindex/criterion.html",
        {
            "a": a,
            "c": criterion,
            "score": score,
            "path": _ancestors(criterion),
            # Each piece with its outputs' row: a registered document's signature and the
            # warning when the criterion asks for a signed one (results.evidence_row).
            "evidence": [
                {"e": e, "row": evidence_row(e, criterion)}
                for e in score.evidence.select_related("added_by", "record")
            ],
            "self_form": self_form if may_self else None,
            "evidence_form": evidence_form if may_evidence else None,
            "appraisal_form": appraisal_form,
            "round": round,
            "explanation_form": explanation_form if may_explain else None,
            "history": [
                _change_item(ch)
                for ch in score.changes.select_related("actor", "score__criterion").order_by(
                    "-at", "-id"
                )
            ],
            "before": before,
            "after": after,
            "lost": (
                criterion.max_score - score.appraised_score
                if score.appraised_score is not None and scored_by_unit
                else None
            ),
        },
        # An evidence refusal keeps its own status (413: a file over the limit), as in the API.
        status=getattr(evidence_form, "refused_with", None) or (422 if bound_errors else 200),
    )


def _typed(value: Decimal | None) -> str:
    return "" if value is None else localised(value)


def _ancestors(criterion: Criterion) -> list[Criterion]:
    chain = []
    node = criterion.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def _post(
    request: HttpRequest,
    a: Assessment,
    criterion: Criterion,
    form_name: str,
    *,
    round: int | None,
    allowed: dict[str, bool],
    forms: dict[str, Any],
) -> bool:
    """Run the posted form's action; True when it was taken (then the view redirects)."""
    form = forms.get(form_name)
    if form is None or not allowed.get(form_name):
        # A form the page no longer offers (another tab moved the cycle on): say why, from the
        # actions' own check, and show the page as it is now.
        messages.error(
            request,
            _("Tiêu chí %(code)s: thao tác không còn được phép ở bước “%(status)s”.")
            % {"code": criterion.code, "status": Status(a.status).label},
        )
        return True
    if not form.is_valid():
        return False
    data = form.cleaned_data
    code = criterion.code
    try:
        if form_name == "self":
            actions.set_self_score(a, code, data["score"], note=data["note"], by=request.user)
            message = _("Đã lưu điểm tự chấm tiêu chí %(code)s.")
        elif form_name == "evidence":
            kind = data["kind"]
            upload = data["file"] if kind == EvidenceKind.FILE else None
            actions.add_evidence(
                a,
                code,
                by=request.user,
                kind=kind,
                label=data["label"],
                file=upload,
                ref="" if kind == EvidenceKind.FILE else data["ref"],
            )
            message = _("Đã thêm tài liệu kiểm chứng cho tiêu chí %(code)s.")
        elif form_name == "appraise":
            assert round is not None
            entry = actions.AppraisalEntry(code, data["score"] or None, data["reason"])
            actions.appraise(a, round, [entry], by=request.user)
            message = _("Đã lưu điểm thẩm định tiêu chí %(code)s.")
        else:
            actions.explain(a, {code: data["text"]}, by=request.user)
            message = _("Đã lưu giải trình tiêu chí %(code)s.")
    except actions.ParIndexError as exc:
        target = {"self": "score", "appraise": "score", "explain": "text"}.get(form_name)
        if form_name == "evidence":
            target = "file" if data.get("kind") == EvidenceKind.FILE else "ref"
        form.add_error(target, str(exc.message))
        form.refused_with = exc.status_code
        return False
    messages.success(request, message % {"code": code})
    return True


@login_required
def evidence_file(request: HttpRequest, assessment_id: int, evidence_id: int) -> FileResponse:
    return evidence_response(get_evidence_file_for(request.user, assessment_id, evidence_id))


# -- a unit's years side by side -----------------------------------------------------------------


@login_required
def unit_comparison(request: HttpRequest, unit_code: str) -> HttpResponse:
    unit = get_unit_for(request.user, unit_code)
    result = comparison(unit)
    alt = "; ".join(f"{y.year}: {localised(y.index)}" for y in result.years if y.index is not None)
    return render(
        request,
        "parindex/comparison.html",
        {
            "c": result,
            "unit": unit,
            "chart_uri": data_uri(svg(chart_spec(result))),
            "chart_alt": _("Chỉ số CCHC theo năm (thang 100): %(values)s") % {"values": alt or "—"},
        },
    )
