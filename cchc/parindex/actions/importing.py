"""A whole assessment from a spreadsheet, the way units move their records today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.parindex.actions.common import FLOW, _leaf_score, _now, _points, _scores_by_code, _set
from cchc.parindex.actions.errors import InvalidScore
from cchc.parindex.actions.opening import open_assessment
from cchc.parindex.choices import Action, Method, Status
from cchc.parindex.models import Assessment, CriteriaSet
from cchc.units.models import Unit
from cchc.workflow.transition import record


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
