"""A PAR Index criterion's scoring rule applied to a value: the one place a rule's parameters are
checked and a score is worked out, for the self-assessment, the appraisal and the live projection
of the automatic criteria alike (issue 14, PAR.md §2.6 and §4).

    parse_rule(code, rule, params, max_score) -> Rule   (ScoringRuleError if the rule is wrong)
    Rule.score(value, places=2)               -> Decimal | None
    apply_rule(code, rule, params, max_score, value, places=2) -> Decimal | None

The rules (their names are stored on each criterion):
- "free": the score is the value given (an appraiser's or the unit's own); refused when negative,
  above the maximum, or finer than `places` decimals (a score is never rounded behind a person's
  back). No params.
- "yes_no": the maximum when the value says yes, else 0. A value is yes when it is True, or a
  number at least `at_least` (default: above 0, so a count of one or more is yes; with
  {"at_least": 1} a rate is yes only at 100 %).
- "stepped": {"steps": [[threshold, score], ...]}: the score of the highest threshold the value
  reaches (a value exactly at a threshold reaches it); 0 below every threshold. Thresholds and
  scores are data (PAR.md: "store thresholds as data, not code"), in any order; scores lie
  between 0 and the maximum.
- "proportional": {"target": t, "floor": f (optional)}: maximum × min(1, value / t), and 0 for a
  value below the floor (PAR.md §3.9: "9 × satisfaction %" is target 1, no floor).

Every rule also takes "empty_score": the score when there is nothing to measure (the value is
None), e.g. PAR.md §4.2 3.4 "no PAKN received in the year: 2 points" (Quyết định 25/2021/QĐ-TTg
gives the full points then). Without it a None value has no score (None), never a guess.

Rounding: neither PAR.md nor REFERENCE §5 states one for the PAR Index (TT 01/2018's one decimal
is for its own indicators, REFERENCE §2.4); scores are rounded to `places` decimals (2 by
default), half up, as the service index rounds its points (reports/scoring.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.lib.errors import DomainError
from cchc.lib.numbers import localised

FREE = "free"
YES_NO = "yes_no"
STEPPED = "stepped"
PROPORTIONAL = "proportional"

RULE_NAMES: dict[str, str | Promise] = {
    FREE: gettext_lazy("Chấm điểm tự do đến điểm tối đa"),
    YES_NO: gettext_lazy("Có/không"),
    STEPPED: gettext_lazy("Theo mức (ngưỡng)"),
    PROPORTIONAL: gettext_lazy("Tỷ lệ thuận với kết quả đạt được"),
}
RULES: tuple[str, ...] = tuple(RULE_NAMES)

# The params each rule accepts (anything else is a typo the administrator must hear about).
_PARAMS: dict[str, frozenset[str]] = {
    FREE: frozenset(),
    YES_NO: frozenset({"at_least"}),
    STEPPED: frozenset({"steps"}),
    PROPORTIONAL: frozenset({"target", "floor"}),
}
EMPTY_SCORE = "empty_score"
DEFAULT_PLACES = 2


class ScoringRuleError(DomainError):
    """A rule, its params or the value given to it cannot score the criterion."""

    status_code = 422


def _number(value: Any) -> Decimal | None:
    """A finite Decimal from a number or a numeric string; None for anything else (a bool is not
    a number here: True in a list of thresholds is a mistake, not 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _shown(value: Decimal) -> str:
    # "0,5", "1,25": the way a Vietnamese score sheet writes points.
    return localised(value)


@dataclass(frozen=True)
class Rule:
    """A checked rule of one criterion (`code`, for the messages), ready to score values."""

    code: str
    kind: str
    max_score: Decimal
    steps: tuple[tuple[Decimal, Decimal], ...] = ()  # highest threshold first
    target: Decimal | None = None
    floor: Decimal | None = None
    at_least: Decimal | None = None
    empty_score: Decimal | None = None

    def _refuse(self, message: str) -> ScoringRuleError:
        return ScoringRuleError(
            _("Tiêu chí %(code)s: %(message)s") % {"code": self.code, "message": message},
            field="score",
        )

    def score(self, value: Any, *, places: int = DEFAULT_PLACES) -> Decimal | None:
        """The criterion's score for `value` (None: nothing measured), rounded to `places`."""
        if value is None:
            return self._round(self.empty_score, places) if self.empty_score is not None else None
        if self.kind == YES_NO:
            return self._round(self.max_score if self._yes(value) else Decimal(0), places)
        number = _number(value)
        if number is None:
            raise self._refuse(_("giá trị “%(value)s” không phải là một số.") % {"value": value})
        if self.kind == FREE:
            return self._free(number, places)
        if number < 0:
            raise self._refuse(
                _("giá trị đo được (%(value)s) không được âm.") % {"value": _shown(number)}
            )
        if self.kind == STEPPED:
            for threshold, points in self.steps:
                if number >= threshold:
                    return self._round(points, places)
            return self._round(Decimal(0), places)
        assert self.target is not None  # proportional, checked by parse_rule
        if self.floor is not None and number < self.floor:
            return self._round(Decimal(0), places)
        return self._round(self.max_score * min(Decimal(1), number / self.target), places)

    def _yes(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        number = _number(value)
        if number is None:
            raise self._refuse(
                _("giá trị “%(value)s” không phải là có/không hay một số.") % {"value": value}
            )
        return number >= self.at_least if self.at_least is not None else number > 0

    def _free(self, number: Decimal, places: int) -> Decimal:
        if number < 0:
            raise self._refuse(_("điểm không được âm (%(score)s).") % {"score": _shown(number)})
        if number > self.max_score:
            raise self._refuse(
                _("điểm %(score)s vượt điểm tối đa %(max)s.")
                % {"score": _shown(number), "max": _shown(self.max_score)}
            )
        if number != self._round(number, places):
            raise self._refuse(
                _("điểm %(score)s có quá %(places)s chữ số thập phân.")
                % {"score": _shown(number), "places": places}
            )
        return self._round(number, places)

    @staticmethod
    def _round(value: Decimal, places: int) -> Decimal:
        if places < 0:
            raise ValueError("places must be 0 or more")
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def parse_rule(code: str, rule: str, params: Mapping[str, Any] | None, max_score: Any) -> Rule:
    """Check a criterion's rule and params against its maximum; ScoringRuleError (naming the
    criterion) for the first thing wrong."""
    code = str(code)

    def refuse(message: str) -> ScoringRuleError:
        return ScoringRuleError(
            _("Tiêu chí %(code)s: %(message)s") % {"code": code, "message": message},
            field="rule_params" if rule in RULES else "rule",
        )

    if rule not in RULES:
        raise refuse(
            _("cách chấm “%(rule)s” không có; hãy dùng một trong: %(rules)s.")
            % {"rule": rule, "rules": ", ".join(RULES)}
        )
    maximum = _number(max_score)
    if maximum is None or maximum <= 0:
        raise refuse(
            _("điểm tối đa phải là một số lớn hơn 0 (đang là “%(max)s”).") % {"max": max_score}
        )
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise refuse(_("tham số của cách chấm phải là một đối tượng JSON (khóa: giá trị)."))
    unknown = sorted(str(k) for k in params if k not in _PARAMS[rule] | {EMPTY_SCORE})
    if unknown:
        raise refuse(
            _("cách chấm “%(rule)s” không có tham số %(keys)s.")
            % {"rule": rule, "keys": ", ".join(unknown)}
        )

    def score_within(raw: Any, what: str) -> Decimal:
        points = _number(raw)
        if points is None or points < 0 or points > maximum:
            raise refuse(
                _("%(what)s phải là một số từ 0 đến điểm tối đa %(max)s (đang là “%(value)s”).")
                % {"what": what, "max": _shown(maximum), "value": raw}
            )
        return points

    def positive(raw: Any, what: str, *, zero: bool) -> Decimal:
        number = _number(raw)
        if number is None or number < 0 or (number == 0 and not zero):
            wanted = _("từ 0 trở lên") if zero else _("lớn hơn 0")
            raise refuse(
                _("%(what)s phải là một số %(wanted)s (đang là “%(value)s”).")
                % {"what": what, "wanted": wanted, "value": raw}
            )
        return number

    empty = params.get(EMPTY_SCORE)
    empty_score = (
        score_within(empty, _("điểm khi không phát sinh (empty_score)"))
        if empty is not None
        else None
    )
    parsed: dict[str, Any] = {"code": code, "kind": rule, "max_score": maximum}
    if rule == YES_NO and params.get("at_least") is not None:
        parsed["at_least"] = positive(params["at_least"], _("ngưỡng “có” (at_least)"), zero=False)
    elif rule == STEPPED:
        parsed["steps"] = _steps(params.get("steps"), refuse, score_within)
    elif rule == PROPORTIONAL:
        target = positive(params.get("target"), _("chỉ tiêu (target)"), zero=False)
        parsed["target"] = target
        if params.get("floor") is not None:
            floor = positive(params["floor"], _("mức sàn (floor)"), zero=True)
            if floor > target:
                raise refuse(
                    _("mức sàn %(floor)s cao hơn chỉ tiêu %(target)s.")
                    % {"floor": _shown(floor), "target": _shown(target)}
                )
            parsed["floor"] = floor
    return Rule(**parsed, empty_score=empty_score)


def _steps(raw: Any, refuse: Any, score_within: Any) -> tuple[tuple[Decimal, Decimal], ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise refuse(_("cách chấm theo mức cần danh sách các mức “steps”: [[ngưỡng, điểm], ...]."))
    steps: list[tuple[Decimal, Decimal]] = []
    for position, step in enumerate(raw, start=1):
        if not isinstance(step, Sequence) or isinstance(step, str) or len(step) != 2:
            raise refuse(
                _("mức thứ %(n)s phải là một cặp [ngưỡng, điểm] (đang là “%(value)s”).")
                % {"n": position, "value": step}
            )
        threshold = _number(step[0])
        if threshold is None:
            raise refuse(
                _("ngưỡng của mức thứ %(n)s không phải là một số (“%(value)s”).")
                % {"n": position, "value": step[0]}
            )
        points = score_within(step[1], _("điểm của mức thứ %(n)s") % {"n": position})
        steps.append((threshold, points))
    thresholds = [t for t, _p in steps]
    repeated = sorted({t for t in thresholds if thresholds.count(t) > 1})
    if repeated:
        raise refuse(_("ngưỡng %(value)s được ghi hai lần.") % {"value": _shown(repeated[0])})
    return tuple(sorted(steps, key=lambda s: s[0], reverse=True))


def apply_rule(
    code: str,
    rule: str,
    params: Mapping[str, Any] | None,
    max_score: Any,
    value: Any,
    *,
    places: int = DEFAULT_PLACES,
) -> Decimal | None:
    """`parse_rule(...).score(value)`: one criterion, one value."""
    return parse_rule(code, rule, params, max_score).score(value, places=places)
