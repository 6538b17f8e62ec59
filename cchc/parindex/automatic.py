"""The automatic criteria of the PAR Index (issue 14 item 4): documented formulas that measure a
unit's own records, and the live projection of a criteria set's automatic criteria.

    FORMULAS[key](unit_ids, start, end, now=None) -> Measure(value, numerator, denominator,
                                                              explanation)
    units_for(user, unit_code, subtree=True)     -> the unit ids a user may measure (404)
    live_projection(unit_ids, start, end, criteria, now=None, places=2) -> list[Projection]

Every figure is read through the reports' read-only modules, never counted a second time here:
- `reports.service_index.period_inputs`: Biểu 06's received, resolved and on-time figures, ratings,
  payments, digitised documents and results, PAKN answered and overdue, the catalogue (the
  snapshot where it holds the period, the records otherwise), with `service_index.MEASURES`
  for the QĐ 766 rates and `service_index.score` for its index;
- `reports.resolution.resolution_series`: Biểu 06's extended columns (late with or without an
  apology letter);
- `reports.indicators.unit_indicators`: the nine TT 01/2018 indicators.
Only "procedures with full information" is counted here, from the catalogue, because no report
counts it. docs/parindex-formulas.md lists each formula with its legal basis.

A value is a rate from 0 to 1 (an exact Decimal, not rounded: a threshold of 98 % must not be
reached by rounding 97.996 %); a unit with nothing to measure gets None and says so. Formulas and
the projection take unit ids already scoped by the caller (`units_for`, the reports' rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.catalogue.models import ProcedureVersion, RequiredDocument, StepTemplate, UnitProcedure
from cchc.lib.errors import DomainError
from cchc.lib.numbers import localised
from cchc.parindex.scoring import DEFAULT_PLACES, FREE, Rule, parse_rule
from cchc.reports.indicators import UnitIndicators, unit_indicators
from cchc.reports.resolution import Counts, check_period, resolution_series
from cchc.reports.scoring import GROUP_NAMES, TT01_NAMES
from cchc.reports.service_index import (
    MEASURES,
    IndexResult,
    Inputs,
    period_inputs,
    scope_ids,
    scoped_unit,
    score,
)
from cchc.units.models import Unit
from cchc.worktime.deadlines import TZ

HUNDRED = Decimal(100)
TT01_MAX = Decimal(2)  # each indicator scores 2, 1 or 0 (REFERENCE §2.4)
TT01_SCALE = Decimal(18)  # nine indicators × 2: the scale the agencies' bands are set on


class UnknownFormula(DomainError):
    status_code = 422


Number = int | Decimal


@dataclass(frozen=True)
class Measure:
    """What a formula measured: `value` = numerator / denominator (None when the denominator is
    0: nothing to measure), and the sentence a unit reads beside its projected score."""

    value: Decimal | None
    numerator: Number
    denominator: Number
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": str(self.value) if self.value is not None else None,
            "numerator": str(self.numerator),
            "denominator": str(self.denominator),
            "explanation": self.explanation,
        }


class Sources:
    """What the formulas read for one set of units and one period, each read at most once: a
    projection of twenty criteria costs what its few sources cost, whatever the dossiers."""

    def __init__(
        self,
        unit_ids: Iterable[int],
        start: dt.date,
        end: dt.date,
        now: dt.datetime | None = None,
    ) -> None:
        self.unit_ids = sorted(set(unit_ids))
        self.start, self.end = start, end
        self.now = now or timezone.now()
        # A wrong period is refused before anything is read (PeriodError, 400).
        check_period(start, end, timezone.localtime(self.now, TZ).date())

    @cached_property
    def inputs(self) -> Inputs:
        total = Inputs()
        if self.unit_ids:
            for inputs in period_inputs(self.unit_ids, self.start, self.end, now=self.now).values():
                total = total + inputs
        return total

    @cached_property
    def anchor(self) -> Unit | None:
        # The reports' functions name a unit; with `units` given they count those units only.
        return Unit.objects.filter(pk__in=self.unit_ids[:1]).first() if self.unit_ids else None

    @cached_property
    def counts(self) -> Counts:
        if self.anchor is None:
            return Counts()
        (total,) = resolution_series(
            self.anchor, [(self.start, self.end)], units=self.unit_ids, now=self.now
        )
        return total

    @cached_property
    def index(self) -> IndexResult:
        return score(self.inputs)

    @cached_property
    def tt01(self) -> UnitIndicators | None:
        if self.anchor is None:
            return None
        return unit_indicators(self.anchor, self.start, self.end, units=self.unit_ids, now=self.now)

    @cached_property
    def complete_procedures(self) -> tuple[int, int]:
        """(implemented procedures whose content in force on `end` is complete, implemented
        procedures): one query. Complete is the platform's reading (no text read defines it):
        what the public listing needs to be followed without asking, i.e. the decision that
        published it, its legal basis, at least one required document, the processing steps
        and the result."""
        if not self.unit_ids:
            return 0, 0
        in_force = ProcedureVersion.objects.filter(
            procedure=OuterRef("procedure_id"), effective_from__lte=self.end
        ).order_by("-effective_from")
        complete = (
            ProcedureVersion.objects.filter(pk=OuterRef("version_id"))
            .exclude(published_by="")
            .exclude(legal_basis="")
            .exclude(result_type="")
            .filter(
                Exists(RequiredDocument.objects.filter(version=OuterRef("pk"))),
                Exists(StepTemplate.objects.filter(version=OuterRef("pk"))),
            )
        )
        totals = (
            UnitProcedure.objects.filter(unit_id__in=self.unit_ids, implemented=True)
            .annotate(version_id=Subquery(in_force.values("pk")[:1]))
            .annotate(complete=Exists(complete))
            .aggregate(n=Count("id"), complete_n=Count("id", filter=Q(complete=True)))
        )
        return totals["complete_n"] or 0, totals["n"] or 0


Reader = Callable[[Sources], tuple[Number, Number]]


@dataclass(frozen=True)
class Formula:
    """One documented formula: what it counts, from where, on which legal basis."""

    key: str
    name: str | Promise
    numerator: str | Promise
    denominator: str | Promise
    source: str
    basis: str | Promise
    read: Reader
    empty: str | Promise  # why there is no value when nothing was there to measure

    def measure(self, sources: Sources) -> Measure:
        numerator, denominator = self.read(sources)
        if not denominator:
            return Measure(None, numerator, denominator, f"{self.name}: {self.empty}")
        value = Decimal(numerator) / Decimal(denominator)
        explanation = _("%(name)s: %(num)s/%(den)s = %(percent)s %% (%(what)s trên %(of)s).") % {
            "name": self.name,
            "num": localised(Decimal(numerator)),
            "den": localised(Decimal(denominator)),
            "percent": localised((value * HUNDRED).quantize(Decimal("0.01"))),
            "what": _mid_sentence(str(self.numerator)),
            "of": _mid_sentence(str(self.denominator)),
        }
        return Measure(value, numerator, denominator, explanation)

    def __call__(
        self,
        unit_ids: Iterable[int],
        start: dt.date,
        end: dt.date,
        *,
        now: dt.datetime | None = None,
    ) -> Measure:
        return self.measure(Sources(unit_ids, start, end, now))


def _mid_sentence(text: str) -> str:
    """A label placed inside a sentence: "Hồ sơ …" → "hồ sơ …", but "PAKN …" and "TTHC …" stay."""
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _measure(key: str) -> Reader:
    """A QĐ 766 rate exactly as the service index defines it (`service_index.MEASURES`)."""
    found = MEASURES[key]
    return lambda s: (found.numerator(s.inputs), found.denominator(s.inputs))


def _late_with_apology(s: Sources) -> tuple[int, int]:
    c = s.counts
    late = c.resolved_late + c.in_progress_overdue
    return c.resolved_late_apology + c.in_progress_overdue_apology, late


def _index_total(s: Sources) -> tuple[Decimal, Decimal]:
    return s.index.points, s.index.assessable_max


def _index_group(key: str) -> Reader:
    def read(s: Sources) -> tuple[Decimal, Decimal]:
        group = next(g for g in s.index.groups if g.key == key)
        return group.points, group.assessable_max

    return read


def _tt01_indicator(number: int) -> Reader:
    def read(s: Sources) -> tuple[Decimal, Decimal]:
        found = s.tt01.indicator(number) if s.tt01 is not None else None
        if found is None or found.score is None:
            return Decimal(0), Decimal(0)
        return found.score, TT01_MAX

    return read


def _tt01_total(s: Sources) -> tuple[Decimal, Decimal]:
    total = s.tt01.scaled_total if s.tt01 is not None else None
    return (total, TT01_SCALE) if total is not None else (Decimal(0), Decimal(0))


_NO_RESOLVED = gettext_lazy("không có hồ sơ nào được giải quyết trong kỳ: chưa có gì để đo.")
_NO_RECEIVED = gettext_lazy("không có hồ sơ nào được tiếp nhận trong kỳ: chưa có gì để đo.")
_NO_PROCEDURES = gettext_lazy("đơn vị chưa thực hiện thủ tục nào: chưa có gì để đo.")
_NO_INDEX = gettext_lazy("không có chỉ tiêu nào của nhóm đánh giá được trong kỳ.")
_QD766 = gettext_lazy("Quyết định 766/QĐ-TTg ngày 23/06/2022 (REFERENCE §4)")

_FORMULAS: list[Formula] = [
    Formula(
        "on_time_rate",
        gettext_lazy("Tỷ lệ hồ sơ giải quyết đúng hạn"),
        gettext_lazy("Hồ sơ giải quyết trước hạn và đúng hạn"),
        gettext_lazy("Hồ sơ đã giải quyết trong kỳ"),
        "reports.service_index.period_inputs: Inputs.resolved_on_time / Inputs.resolved "
        "(Biểu 06 cột 8 + 9 / cột 7, reports.resolution)",
        gettext_lazy(
            "Biểu số 06/VPCP/KSTT, Thông tư 01/2020/TT-VPCP; tiêu chí 3.2 bộ chỉ số cấp xã "
            "(PAR.md §4.2); Quyết định 25/2021/QĐ-TTg"
        ),
        lambda s: (s.inputs.resolved_on_time, s.inputs.resolved),
        _NO_RESOLVED,
    ),
    Formula(
        "on_time_766",
        gettext_lazy("Tỷ lệ hồ sơ xử lý đúng hạn (tính cả hồ sơ đang quá hạn)"),
        gettext_lazy("Hồ sơ giải quyết trước hạn và đúng hạn"),
        gettext_lazy("Hồ sơ đã giải quyết cộng hồ sơ đang giải quyết đã quá hạn cuối kỳ"),
        "reports.service_index.MEASURES['on_time']",
        _QD766,
        _measure("on_time"),
        _NO_RESOLVED,
    ),
    Formula(
        "procedures_published",
        gettext_lazy("Tỷ lệ TTHC được công khai (có nội dung còn hiệu lực)"),
        gettext_lazy("Thủ tục đơn vị thực hiện có phiên bản còn hiệu lực"),
        gettext_lazy("Thủ tục đơn vị thực hiện"),
        "reports.service_index.MEASURES['procedures_published']",
        format_lazy(
            "{}, {}", _QD766, gettext_lazy("nhóm Công khai, minh bạch; tiêu chí 3.1 (PAR.md §4.2)")
        ),
        _measure("procedures_published"),
        _NO_PROCEDURES,
    ),
    Formula(
        "procedures_complete",
        gettext_lazy("Tỷ lệ TTHC được công khai đầy đủ thông tin"),
        gettext_lazy(
            "Thủ tục đơn vị thực hiện có phiên bản còn hiệu lực đủ quyết định công bố, căn cứ "
            "pháp lý, thành phần hồ sơ, trình tự thực hiện và kết quả"
        ),
        gettext_lazy("Thủ tục đơn vị thực hiện"),
        "catalogue: UnitProcedure (implemented) × ProcedureVersion in force on the period's end "
        "(published_by, legal_basis, result_type, RequiredDocument, StepTemplate)",
        gettext_lazy(
            "Tiêu chí 3.1.1 (PAR.md §4.2); chỉ số 6 Thông tư 01/2018/TT-VPCP (công khai TTHC); "
            '"đầy đủ thông tin" là định nghĩa của nền tảng, chưa đối chiếu văn bản'
        ),
        lambda s: s.complete_procedures,
        _NO_PROCEDURES,
    ),
    Formula(
        "catalogue_reviewed",
        gettext_lazy("Tỷ lệ TTHC thuộc thẩm quyền đã được rà soát, quyết định áp dụng"),
        gettext_lazy("Thủ tục cùng cấp đơn vị đã quyết định thực hiện hoặc không"),
        gettext_lazy("Thủ tục cùng cấp còn hiệu lực"),
        "reports.service_index.MEASURES['catalogue_reviewed']",
        _QD766,
        _measure("catalogue_reviewed"),
        _NO_PROCEDURES,
    ),
    Formula(
        "online_share",
        gettext_lazy("Tỷ lệ hồ sơ tiếp nhận trực tuyến"),
        gettext_lazy("Hồ sơ tiếp nhận trực tuyến (toàn trình và một phần)"),
        gettext_lazy("Hồ sơ tiếp nhận mới trong kỳ"),
        "reports.service_index.MEASURES['online_dossiers'] (Biểu 06 cột 4 / cột 4 + 5)",
        format_lazy(
            "{}, {}",
            _QD766,
            gettext_lazy("nhóm Cung cấp dịch vụ trực tuyến; tiêu chí 3.6 (PAR.md §4.2)"),
        ),
        _measure("online_dossiers"),
        _NO_RECEIVED,
    ),
    Formula(
        "online_procedures",
        gettext_lazy("Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến toàn trình"),
        gettext_lazy("Thủ tục đơn vị thực hiện được cung cấp trực tuyến toàn trình"),
        gettext_lazy("Thủ tục đơn vị thực hiện"),
        "reports.service_index.MEASURES['online_procedures']",
        _QD766,
        _measure("online_procedures"),
        _NO_PROCEDURES,
    ),
    Formula(
        "online_payment",
        gettext_lazy("Tỷ lệ thanh toán trực tuyến"),
        gettext_lazy("Khoản phí, lệ phí thanh toán trực tuyến"),
        gettext_lazy("Khoản phí, lệ phí đã thanh toán trong kỳ"),
        "reports.service_index.MEASURES['online_payment']",
        format_lazy("{}; {}", _QD766, gettext_lazy("tiêu chí 3.7 (PAR.md §4.2)")),
        _measure("online_payment"),
        gettext_lazy("không có khoản phí, lệ phí nào được thanh toán trong kỳ."),
    ),
    Formula(
        "apology_for_late",
        gettext_lazy("Tỷ lệ hồ sơ trễ hạn có văn bản xin lỗi"),
        gettext_lazy("Hồ sơ trễ hạn đã có phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        gettext_lazy("Hồ sơ giải quyết quá hạn cộng hồ sơ đang giải quyết đã quá hạn cuối kỳ"),
        "reports.resolution.resolution_series: Counts.resolved_late_apology + "
        "in_progress_overdue_apology / resolved_late + in_progress_overdue",
        gettext_lazy(
            "Nghị định 61/2018/NĐ-CP Điều 19 (hồ sơ quá hạn: phiếu xin lỗi và hẹn lại ngày trả "
            "kết quả, Mẫu 04 Thông tư 01/2018/TT-VPCP); tiêu chí 3.3 (PAR.md §4.2)"
        ),
        _late_with_apology,
        gettext_lazy("không có hồ sơ trễ hạn trong kỳ."),
    ),
    Formula(
        "satisfaction_rate",
        gettext_lazy("Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"),
        gettext_lazy("Đánh giá hài lòng và rất hài lòng"),
        gettext_lazy("Đánh giá nhận được trong kỳ"),
        "reports.service_index.MEASURES['satisfaction'] (Biểu 06: Counts.satisfied / rated)",
        format_lazy(
            "{}, {}",
            _QD766,
            gettext_lazy(
                "nhóm Mức độ hài lòng; Quyết định 25/2021/QĐ-TTg; tiêu chí 3.9 (PAR.md §4.1–4.2)"
            ),
        ),
        _measure("satisfaction"),
        gettext_lazy("không có đánh giá nào trong kỳ."),
    ),
    Formula(
        "pakn_on_time",
        gettext_lazy("Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn"),
        gettext_lazy("PAKN trả lời trong hạn trong kỳ"),
        gettext_lazy("PAKN trả lời trong kỳ cộng PAKN chưa trả lời đã quá hạn cuối kỳ"),
        "reports.service_index.MEASURES['pakn_on_time']",
        format_lazy(
            "{}, {}",
            _QD766,
            gettext_lazy(
                "nhóm Mức độ hài lòng; Nghị định 20/2008/NĐ-CP; chỉ số 8 Thông tư "
                "01/2018/TT-VPCP; tiêu chí 3.4 (PAR.md §4.1–4.2)"
            ),
        ),
        _measure("pakn_on_time"),
        gettext_lazy("không có phản ánh, kiến nghị nào đến hạn trả lời trong kỳ."),
    ),
    Formula(
        "documents_digitised",
        gettext_lazy("Tỷ lệ hồ sơ được số hóa thành phần hồ sơ"),
        gettext_lazy("Hồ sơ tiếp nhận có mọi giấy tờ nộp vào đã được số hóa"),
        gettext_lazy("Hồ sơ tiếp nhận mới trong kỳ"),
        "reports.service_index.MEASURES['documents_digitised']",
        format_lazy(
            "{}, {}", _QD766, gettext_lazy("nhóm Số hóa hồ sơ; tiêu chí 3.5 (PAR.md §4.2)")
        ),
        _measure("documents_digitised"),
        _NO_RECEIVED,
    ),
    Formula(
        "results_digital",
        gettext_lazy("Tỷ lệ cấp kết quả điện tử"),
        gettext_lazy("Hồ sơ có kết quả được cấp dưới dạng điện tử"),
        gettext_lazy("Hồ sơ giải quyết có kết quả trong kỳ"),
        "reports.service_index.MEASURES['results_digital']",
        format_lazy(
            "{}, {}", _QD766, gettext_lazy("nhóm Số hóa hồ sơ; tiêu chí 3.5 (PAR.md §4.2)")
        ),
        _measure("results_digital"),
        _NO_RESOLVED,
    ),
    Formula(
        "qd766_index",
        gettext_lazy("Chỉ số phục vụ theo Quyết định 766/QĐ-TTg"),
        gettext_lazy("Điểm đạt được"),
        gettext_lazy("Điểm tối đa của các chỉ tiêu đánh giá được"),
        "reports.service_index.score(period_inputs): IndexResult.points / assessable_max",
        _QD766,
        _index_total,
        _NO_INDEX,
    ),
    *(
        Formula(
            f"qd766_{key}",
            format_lazy(gettext_lazy("Chỉ số 766, nhóm {group}"), group=name),
            gettext_lazy("Điểm đạt được của nhóm"),
            gettext_lazy("Điểm tối đa các chỉ tiêu đánh giá được của nhóm"),
            f"reports.service_index.score(period_inputs): group '{key}' points / assessable_max",
            _QD766,
            _index_group(key),
            _NO_INDEX,
        )
        for key, name in GROUP_NAMES.items()
    ),
    Formula(
        "tt01_total",
        gettext_lazy("Tổng điểm 9 chỉ số đánh giá việc giải quyết TTHC (Thông tư 01/2018/TT-VPCP)"),
        gettext_lazy("Tổng điểm (quy về thang 18 điểm khi có chỉ số không đánh giá được)"),
        gettext_lazy("Thang 18 điểm"),
        "reports.indicators.unit_indicators: UnitIndicators.scaled_total / 18",
        gettext_lazy("Thông tư 01/2018/TT-VPCP Điều 13–15 (REFERENCE §2.4)"),
        _tt01_total,
        gettext_lazy("không có chỉ số nào đánh giá được trong kỳ."),
    ),
    *(
        Formula(
            f"tt01_{number}",
            format_lazy(
                gettext_lazy("Chỉ số {n} (Thông tư 01/2018/TT-VPCP): {name}"), n=number, name=name
            ),
            gettext_lazy("Điểm của chỉ số"),
            gettext_lazy("Điểm tối đa 2"),
            f"reports.indicators.unit_indicators: indicator {number} score / 2",
            gettext_lazy("Thông tư 01/2018/TT-VPCP Điều 13–15 (REFERENCE §2.4)"),
            _tt01_indicator(number),
            gettext_lazy("chỉ số không đánh giá được trong kỳ (không có hồ sơ hay số liệu)."),
        )
        for number, name in TT01_NAMES.items()
    ),
]
FORMULAS: dict[str, Formula] = {f.key: f for f in _FORMULAS}
assert len(FORMULAS) == len(_FORMULAS), "formula keys are unique"


def units_for(user: Any, unit_code: str, *, subtree: bool = True) -> list[int]:
    """The ids a user may measure for the unit of that code: with `subtree`, everything under it
    they may see, else the unit and its own agencies (the reports' rule); 404 for a unit outside
    their scope."""
    return scope_ids(user, scoped_unit(user, unit_code), subtree=subtree)


# -- the live projection ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """What the projection needs of an automatic criterion (a model row with these attributes,
    or a mapping with these keys, does as well)."""

    code: str
    max_score: Any
    rule: str
    rule_params: Mapping[str, Any] | None
    formula: str


@dataclass(frozen=True)
class Projection:
    code: str
    formula: str
    max_score: Decimal
    measure: Measure
    score: Decimal | None  # None: nothing measured and the rule gives no score for that

    @property
    def lost(self) -> Decimal | None:
        return self.max_score - self.score if self.score is not None else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "formula": self.formula,
            "max_score": str(self.max_score),
            "score": str(self.score) if self.score is not None else None,
            "lost": str(self.lost) if self.lost is not None else None,
            "measure": self.measure.as_dict(),
        }


_FIELDS = ("code", "max_score", "rule", "rule_params", "formula")


def _criterion(item: Any) -> Criterion:
    if isinstance(item, Criterion):
        return item
    values: dict[str, Any]
    if isinstance(item, Mapping):
        values = {name: item.get(name) for name in _FIELDS}
    else:
        values = {name: getattr(item, name, None) for name in _FIELDS}
    return Criterion(**values)


def check_criterion(item: Any) -> tuple[Rule, Formula]:
    """An automatic criterion's formula (registered) and rule (parsed): UnknownFormula or
    ScoringRuleError naming the criterion otherwise. The criteria set's import calls it so a set
    whose automatic criteria cannot be projected is refused before it is saved."""
    return _checked(_criterion(item))


def _checked(criterion: Criterion) -> tuple[Rule, Formula]:
    code = str(criterion.code)
    formula = FORMULAS.get(str(criterion.formula or ""))
    if formula is None:
        raise UnknownFormula(
            _(
                "Tiêu chí %(code)s: công thức tự động “%(formula)s” không có (xem docs/parindex-formulas.md)."
            )
            % {"code": code, "formula": criterion.formula or ""},
            field="formula",
        )
    if criterion.rule == FREE:
        raise UnknownFormula(
            _(
                "Tiêu chí %(code)s: cách chấm tự do cần người chấm, không tính được từ số liệu; "
                "hãy chọn cách chấm có/không, theo mức hoặc tỷ lệ."
            )
            % {"code": code},
            field="rule",
        )
    return parse_rule(code, criterion.rule, criterion.rule_params, criterion.max_score), formula


def live_projection(
    unit_ids: Iterable[int],
    start: dt.date,
    end: dt.date,
    criteria: Iterable[Any],
    *,
    now: dt.datetime | None = None,
    places: int = DEFAULT_PLACES,
) -> list[Projection]:
    """Each automatic criterion's measure over the units and the period, and the score its rule
    gives that measure today (issue 14 item 4: "a live projected score all year"). Every rule
    and formula is checked before anything is read; each source is read once for all of them."""
    checked = [_checked(c) for c in map(_criterion, criteria)]
    sources = Sources(unit_ids, start, end, now)
    measured: dict[str, Measure] = {}
    out: list[Projection] = []
    for rule, formula in checked:
        if formula.key not in measured:
            measured[formula.key] = formula.measure(sources)
        measure = measured[formula.key]
        out.append(
            Projection(
                rule.code,
                formula.key,
                rule.max_score,
                measure,
                rule.score(measure.value, places=places),
            )
        )
    return out


def formula_rows() -> Sequence[dict[str, str]]:
    """Each formula's documentation (for a page or an API listing the formulas to choose from)."""
    return [
        {
            "key": f.key,
            "name": str(f.name),
            "numerator": str(f.numerator),
            "denominator": str(f.denominator),
            "source": f.source,
            "basis": str(f.basis),
        }
        for f in _FORMULAS
    ]
