"""The one configuration of the scores: the TT 01/2018 indicator bands and the QĐ 766 service
index (groups, sub-indicators, weights, formulas, rating bands).

The numbers live in `scoring.json` beside this file; a deployment points `REPORTS_SCORING_FILE`
at its own copy to change them (docs/reports.md says how). The names shown to people live here,
translatable. Every part says whether it is verified (REFERENCE §2.4, §4) or a default: pages and
the API show "mặc định, chưa được xác minh" next to the unverified ones.

    config()            -> Scoring (cached per process; `reload()` after changing the file)
    Formula.points(rate, max) -> Decimal
    band_of(score, bands)     -> the band key
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DEFAULT_FILE = Path(__file__).resolve().parent / "scoring.json"

# -- names (the JSON holds keys only) -------------------------------------------------------------

TT01_NAMES: dict[int, str | Promise] = {
    1: _("Tổng thời gian giải quyết so với thời gian quy định"),
    2: _("Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết"),
    3: _("Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ"),
    4: _("Số cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ"),
    5: _("Tỷ lệ thủ tục được tiếp nhận, thẩm định, phê duyệt tại Bộ phận Một cửa"),
    6: _("Công khai thủ tục hành chính"),
    7: _("Thái độ của cán bộ, công chức khi hướng dẫn, tiếp nhận, giải quyết hồ sơ"),
    8: _("Tiếp nhận, xử lý phản ánh, kiến nghị"),
    9: _("Cung cấp dịch vụ công trực tuyến"),
}

UNIT_BANDS: dict[str, str | Promise] = {
    "excellent": _("Xuất sắc"),
    "good": _("Tốt"),
    "fair": _("Khá"),
    "average": _("Trung bình"),
    "weak": _("Yếu"),
}

OFFICER_BANDS: dict[str, str | Promise] = {
    "complete": _("Hoàn thành 100% nhiệm vụ"),
    "mostly": _("Hoàn thành từ 70% đến dưới 100% nhiệm vụ"),
    "under": _("Hoàn thành dưới 70% nhiệm vụ"),
}

GROUP_NAMES: dict[str, str | Promise] = {
    "publicity": _("Công khai, minh bạch"),
    "progress": _("Tiến độ, kết quả giải quyết"),
    "digitisation": _("Số hóa hồ sơ"),
    "online": _("Cung cấp dịch vụ trực tuyến"),
    "satisfaction": _("Mức độ hài lòng"),
}

INDICATOR_NAMES: dict[str, str | Promise] = {
    "procedures_published": _("Tỷ lệ TTHC được cập nhật, công khai đúng hạn"),
    "catalogue_reviewed": _("Tỷ lệ TTHC thuộc thẩm quyền đã được rà soát, niêm yết"),
    "progress_synced": _("Công khai tiến độ giải quyết (đồng bộ lên Cổng DVC quốc gia)"),
    "on_time": _("Tỷ lệ hồ sơ xử lý đúng hạn"),
    "results_digital": _("Tỷ lệ cấp kết quả điện tử"),
    "documents_digitised": _("Tỷ lệ số hóa thành phần hồ sơ"),
    "data_reuse": _("Tỷ lệ khai thác, tái sử dụng dữ liệu số hóa"),
    "online_procedures": _("Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến toàn trình"),
    "online_dossiers": _("Tỷ lệ hồ sơ tiếp nhận trực tuyến"),
    "online_payment": _("Tỷ lệ thanh toán trực tuyến"),
    "satisfaction": _("Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"),
    "pakn_on_time": _("Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn"),
    "pakn_satisfaction": _("Mức độ hài lòng về xử lý phản ánh, kiến nghị"),
}

# Why a sub-indicator cannot be measured from the platform's records.
NOT_ASSESSABLE_REASONS: dict[str, str | Promise] = {
    "no_national_sync": _(
        "Nền tảng chưa đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia: không có số liệu."
    ),
    "reuse_not_recorded": _(
        "Nền tảng chưa ghi nhận việc khai thác lại giấy tờ đã số hóa: không có số liệu."
    ),
    "pakn_satisfaction_not_recorded": _(
        "Nền tảng chưa ghi nhận ý kiến hài lòng của người gửi phản ánh, kiến nghị: không có số liệu."
    ),
}

# What the platform can measure (service_index.MEASURES defines each from the records).
MEASURE_KEYS = (
    "procedures_published",
    "catalogue_reviewed",
    "on_time",
    "results_digital",
    "documents_digitised",
    "online_procedures",
    "online_dossiers",
    "online_payment",
    "satisfaction",
    "pakn_on_time",
)
FORMULA_KINDS = ("linear", "target", "steps")
EMPTY_RULES = ("not_assessable", "full", "zero")
TWO = Decimal("0.01")


def _round(value: Decimal, places: Decimal = TWO) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Formula:
    """How a rate (0..1) becomes points out of `max`:
    - linear: max × rate (REFERENCE §4's generic pattern);
    - target: max × min(1, rate / target) (full points from the target rate on);
    - steps: the points of the highest step whose rate (in %) the rate reaches,
      e.g. [[100, 1], [90, 0.5], [0, 0]] as fractions of max."""

    kind: str = "linear"
    target: Decimal | None = None
    steps: tuple[tuple[Decimal, Decimal], ...] = ()

    def points(self, rate: Decimal, maximum: Decimal) -> Decimal:
        if self.kind == "target":
            assert self.target is not None
            return _round(maximum * min(Decimal(1), rate / self.target))
        if self.kind == "steps":
            percent = rate * 100
            for threshold, share in self.steps:
                if percent >= threshold:
                    return _round(maximum * share)
            return Decimal(0)
        return _round(maximum * rate)


@dataclass(frozen=True)
class IndexIndicator:
    key: str
    group: str
    max: Decimal
    weight_verified: bool
    measure: str | None
    formula: Formula
    empty: str
    not_assessable: str | None

    @property
    def name(self) -> str:
        return str(INDICATOR_NAMES.get(self.key, self.key))


@dataclass(frozen=True)
class IndexGroup:
    key: str
    max: Decimal

    @property
    def name(self) -> str:
        return str(GROUP_NAMES.get(self.key, self.key))


@dataclass(frozen=True)
class ServiceIndexConfig:
    groups: tuple[IndexGroup, ...]
    indicators: tuple[IndexIndicator, ...]
    scale_unassessed: bool
    bands: tuple[tuple[Decimal, str], ...]
    bands_verified: bool
    source: str


@dataclass(frozen=True)
class Tt01Config:
    dossier_indicators: tuple[int, ...]
    unit_indicators: tuple[int, ...]
    officer_indicators: tuple[int, ...]
    officer_indicators_verified: bool
    publicity_posted_from_listing: bool
    procedures_online_min: Decimal
    dossiers_online_min: Decimal
    dossiers_online_partial_min: Decimal
    scale_unassessed: bool
    unit_bands: tuple[tuple[Decimal, str], ...]
    unit_bands_verified: bool
    officer_bands: tuple[tuple[Decimal, str], ...]
    officer_bands_verified: bool
    source: str


@dataclass(frozen=True)
class Scoring:
    version: str
    # A short hash of the file's content: stored with each snapshot score, so a score computed
    # under other weights can be told apart.
    fingerprint: str
    path: str
    tt01: Tt01Config
    index: ServiceIndexConfig


def band_of(score: Decimal, bands: tuple[tuple[Decimal, str], ...]) -> str:
    """The first band (highest threshold first) the score reaches."""
    for threshold, key in bands:
        if score >= threshold:
            return key
    return bands[-1][1]


def scoring_file() -> Path:
    configured = getattr(settings, "REPORTS_SCORING_FILE", "") or ""
    return Path(configured) if configured else DEFAULT_FILE


def config() -> Scoring:
    return _load(str(scoring_file()))


def reload() -> Scoring:
    _load.cache_clear()
    return config()


@lru_cache(maxsize=4)
def _load(path: str) -> Scoring:
    try:
        raw = Path(path).read_bytes()
        data = json.loads(raw)
    except OSError as exc:
        raise ImproperlyConfigured(f"REPORTS_SCORING_FILE: cannot read {path}: {exc}") from exc
    except ValueError as exc:
        raise ImproperlyConfigured(f"REPORTS_SCORING_FILE: {path} is not JSON: {exc}") from exc
    try:
        return Scoring(
            version=str(data.get("version", "")),
            fingerprint=hashlib.sha256(raw).hexdigest()[:12],
            path=path,
            tt01=_tt01(data["tt01_2018"]),
            index=_index(data["qd766"]),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ImproperlyConfigured(f"REPORTS_SCORING_FILE {path}: {exc!r}") from exc


def _dec(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not a number: {value!r}")
    return Decimal(str(value))


def _bands(rows: Any, names: dict[str, Any], what: str) -> tuple[tuple[Decimal, str], ...]:
    bands = tuple((_dec(threshold), str(key)) for threshold, key in rows)
    if not bands:
        raise ValueError(f"{what}: no bands")
    thresholds = [t for t, _k in bands]
    if thresholds != sorted(thresholds, reverse=True) or len(set(thresholds)) != len(thresholds):
        raise ValueError(f"{what}: thresholds must be strictly decreasing")
    unknown = [k for _t, k in bands if k not in names]
    if unknown:
        raise ValueError(f"{what}: unknown bands {unknown}")
    return bands


def _tt01(data: dict[str, Any]) -> Tt01Config:
    nine = data["indicator_9"]
    indicators = {
        name: tuple(int(n) for n in data[name])
        for name in ("dossier_indicators", "unit_indicators", "officer_indicators")
    }
    for name, numbers in indicators.items():
        if any(n not in TT01_NAMES for n in numbers):
            raise ValueError(f"{name}: indicators are numbered 1-9")
    return Tt01Config(
        **indicators,
        officer_indicators_verified=bool(data.get("officer_indicators_verified", False)),
        publicity_posted_from_listing=bool(data["publicity_posted_from_listing"]),
        procedures_online_min=_dec(nine["procedures_online_min"]),
        dossiers_online_min=_dec(nine["dossiers_online_min"]),
        dossiers_online_partial_min=_dec(nine["dossiers_online_partial_min"]),
        scale_unassessed=bool(data.get("scale_unassessed", True)),
        unit_bands=_bands(data["unit_bands"], UNIT_BANDS, "unit_bands"),
        unit_bands_verified=bool(data.get("unit_bands_verified", False)),
        officer_bands=_bands(data["officer_bands"], OFFICER_BANDS, "officer_bands"),
        officer_bands_verified=bool(data.get("officer_bands_verified", False)),
        source=str(data.get("source", "")),
    )


def _formula(data: dict[str, Any]) -> Formula:
    kind = data.get("kind", "linear")
    if kind not in FORMULA_KINDS:
        raise ValueError(f"formula kind {kind!r} is not one of {FORMULA_KINDS}")
    if kind == "target":
        target = _dec(data["target"]) / 100
        if not 0 < target <= 1:
            raise ValueError("a target is a percentage above 0 and at most 100")
        return Formula(kind, target=target)
    if kind == "steps":
        steps = tuple((_dec(t), _dec(share)) for t, share in data["steps"])
        if [t for t, _s in steps] != sorted((t for t, _s in steps), reverse=True):
            raise ValueError("steps must be listed from the highest rate down")
        if any(not 0 <= share <= 1 for _t, share in steps):
            raise ValueError("a step's points are a fraction of the maximum, 0 to 1")
        return Formula(kind, steps=steps)
    return Formula(kind)


def _index(data: dict[str, Any]) -> ServiceIndexConfig:
    groups = tuple(IndexGroup(str(g["key"]), _dec(g["max"])) for g in data["groups"])
    group_keys = [g.key for g in groups]
    if sorted(group_keys) != sorted(GROUP_NAMES):
        raise ValueError(f"groups must be exactly {sorted(GROUP_NAMES)}")
    if sum(g.max for g in groups) != 100:
        raise ValueError("the groups' maxima must add up to 100")
    indicators = []
    for row in data["indicators"]:
        measure = row.get("measure")
        reason = row.get("not_assessable")
        if measure is not None and measure not in MEASURE_KEYS:
            raise ValueError(f"{row.get('key')}: unknown measure {measure!r}")
        if measure is None and reason not in NOT_ASSESSABLE_REASONS:
            raise ValueError(f"{row.get('key')}: a sub-indicator without a measure needs a reason")
        empty = row.get("empty", "not_assessable")
        if empty not in EMPTY_RULES:
            raise ValueError(f"{row.get('key')}: empty must be one of {EMPTY_RULES}")
        indicators.append(
            IndexIndicator(
                key=str(row["key"]),
                group=str(row["group"]),
                max=_dec(row["max"]),
                weight_verified=bool(row.get("weight_verified", False)),
                measure=str(measure) if measure is not None else None,
                formula=_formula(row.get("formula") or {}),
                empty=empty,
                not_assessable=str(reason) if measure is None else None,
            )
        )
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys):
        raise ValueError("sub-indicator keys must be unique")
    for group in groups:
        total = sum((i.max for i in indicators if i.group == group.key), Decimal(0))
        if total != group.max:
            raise ValueError(
                f"group {group.key}: sub-indicators add up to {total}, not {group.max}"
            )
    if any(i.group not in group_keys for i in indicators):
        raise ValueError("a sub-indicator names an unknown group")
    return ServiceIndexConfig(
        groups=groups,
        indicators=tuple(indicators),
        scale_unassessed=bool(data.get("scale_unassessed", True)),
        bands=_bands(data["bands"], UNIT_BANDS, "bands"),
        bands_verified=bool(data.get("bands_verified", False)),
        source=str(data.get("source", "")),
    )
