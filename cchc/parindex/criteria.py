"""Criteria sets in and out: the JSON tree (docs/parindex.md) and the workbook (one row per node
with its parent's code), read into one `SetSpec`, checked as a whole, and written in one
transaction — or refused with every error found, each naming its criterion.

The rules a set must keep: codes unique in the set; a known method and rule, with the rule's
parameters in shape and within the criterion's maximum; an automatic criterion names its
formula; and the maximums add up — a parent's maximum is the sum of its children's, and the
set's total the sum of its fields'.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.lib.errors import DomainError
from cchc.lib.importing import Item, RowChecker, Where, make_item, show
from cchc.lib.numbers import plain_decimal
from cchc.parindex.automatic import check_criterion
from cchc.parindex.choices import SET_UNIT_KINDS, Method, ScoreRule, SetStatus
from cchc.parindex.models import CriteriaSet, Criterion
from cchc.parindex.scoring import ScoringRuleError, parse_rule

DATA = Path(__file__).resolve().parent / "data"
# The demo sets shipped with the platform (PAR.md's reconstructed commune set, and frameworks
# shaped like SEEDS.md §4 and §5): data, loaded by `manage.py load_par_sets`.
SHIPPED_SETS = ("par-xa-2025.json", "par-xa-8lv-2022.json", "par-so-2023.json")

MAX_NODES = 2000
MAX_DEPTH = 5
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
FORMULA = re.compile(r"^[a-z][a-z0-9_]*$")
POINT_DIGITS = {"max_digits": 6, "places": 2}
# The workbook's columns, in order; the first sheet holds the set, the second its criteria.
SET_KEYS = ("code", "name", "year", "unit_kind", "status", "max_score", "legal_basis", "bands")
NODE_KEYS = (
    "code",
    "parent",
    "title",
    "max_score",
    "method",
    "rule",
    "rule_params",
    "formula",
    "evidence_required",
    "guidance",
)
SET_SHEET = "Bộ tiêu chí"
NODE_SHEET = "Tiêu chí"
# A survey criterion may name the SIPAS factor it measures, in its rule_params: the key of a
# factor of the round's questionnaire (cchc.surveys Factor.code, ≤ 20 characters), written as
# text ("2"). Without it the criterion takes the overall SIPAS index. Whether the factor exists
# is checked when the survey is merged, against the questionnaire of the rounds that count.
SIPAS_FACTOR = "sipas_factor"
FACTOR_KEY = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$")


class CriteriaSetError(DomainError):
    """The set is refused; `messages` lists every error found. Nothing was written."""

    status_code = 422

    def __init__(self, messages: list[str], *, status_code: int | None = None) -> None:
        shown = "; ".join(messages[:20]) + ("; …" if len(messages) > 20 else "")
        super().__init__(
            _("Bộ tiêu chí không hợp lệ: %(errors)s") % {"errors": shown}, status_code=status_code
        )
        self.messages = messages


@dataclass
class NodeSpec:
    code: str
    title: str
    max_score: Decimal
    method: str
    rule: str = ScoreRule.FREE
    rule_params: dict[str, Any] = field(default_factory=dict)
    formula: str = ""
    evidence_required: str = ""
    guidance: str = ""
    children: list[NodeSpec] = field(default_factory=list)


@dataclass
class SetSpec:
    code: str
    name: str
    year: int
    unit_kind: str
    status: str
    bands: list[dict[str, Any]]
    legal_basis: str
    declared_total: Decimal | None
    nodes: list[NodeSpec]

    @property
    def max_total(self) -> Decimal:
        return sum((n.max_score for n in self.nodes), Decimal(0))


@dataclass(frozen=True)
class _At(Where):
    """A place in the file that also names the criterion, once its code is known."""

    code: str = ""

    def at(self, key: str) -> str:
        place = super().at(key)
        return (
            _("Tiêu chí %(code)s (%(place)s)") % {"code": self.code, "place": place}
            if self.code
            else place
        )


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


# -- reading -----------------------------------------------------------------------------------


class _Reader:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.check = RowChecker(self.errors)
        self.count = 0

    def set_values(self, item: Item) -> dict[str, Any]:
        c = self.check
        values: dict[str, Any] = {
            "code": c.text(item, "code", required=True, max_length=40),
            "name": c.text(item, "name", required=True, max_length=300),
            "unit_kind": c.text(item, "unit_kind", required=True),
            "legal_basis": c.text(item, "legal_basis", max_length=300),
            "status": c.text(item, "status") or SetStatus.ACTIVE,
        }
        if values["unit_kind"] and values["unit_kind"] not in SET_UNIT_KINDS:
            c.invalid(
                item,
                "unit_kind",
                _("%(value)s không hợp lệ (%(choices)s)."),
                choices=", ".join(SET_UNIT_KINDS),
            )
        if values["status"] not in SetStatus.values:
            c.invalid(item, "status", _("%(value)s không hợp lệ (draft, active)."))
        year = c.integer(item, "year", maximum=2100)
        if year is not None and year < 2000:
            c.invalid(item, "year", _("%(value)s không phải là năm đánh giá hợp lệ."))
        values["year"] = year or 0
        values["declared_total"] = None
        if item.values.get("max_score") not in (None, ""):
            values["declared_total"] = c.decimal(item, "max_score", **POINT_DIGITS)
        values["bands"] = self.bands(item)
        return values

    def bands(self, item: Item) -> list[dict[str, Any]]:
        raw = item.values.get("bands")
        if raw in (None, "", []):
            return []
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = None
        bands: list[dict[str, Any]] = []
        if not isinstance(raw, list):
            self.check.error(item, "bands", _('phải là danh sách [{"label": …, "min": …}].'))
            return bands
        for band in raw:
            label = band.get("label") if isinstance(band, dict) else None
            low = _number(band.get("min")) if isinstance(band, dict) else None
            if not isinstance(label, str) or not label.strip() or len(label) > 60:
                self.check.error(item, "bands", _("mỗi mức xếp loại cần tên (label) ngắn."))
            elif low is None or not 0 <= low <= 100:
                self.check.error(
                    item,
                    "bands",
                    _("ngưỡng (min) của mức %(label)s phải từ 0 đến 100.") % {"label": label},
                )
            else:
                bands.append({"label": label.strip(), "min": float(low)})
        bands.sort(key=lambda b: b["min"], reverse=True)
        if len({b["min"] for b in bands}) != len(bands):
            self.check.error(item, "bands", _("hai mức xếp loại có cùng ngưỡng."))
        return bands

    def node(self, values: dict[str, Any], where: Where) -> NodeSpec:
        self.count += 1
        item = make_item(values, where, self.errors)
        c = self.check
        code = c.text(item, "code", required=True, max_length=20)
        if code and not CODE.match(code):
            c.invalid(
                item, "code", _("%(value)s không phải là mã tiêu chí (chữ số, chữ cái, dấu chấm).")
            )
        item = Item(item.values, _At(where.path, where.sheet, where.row, code=code))
        max_score = c.decimal(item, "max_score", **POINT_DIGITS)
        method = c.choice(item, "method", Method)
        rule = c.text(item, "rule") or ScoreRule.FREE
        if rule not in ScoreRule.values:
            c.invalid(
                item,
                "rule",
                _("%(value)s không hợp lệ (%(choices)s)."),
                choices=", ".join(ScoreRule.values),
            )
        params = item.values.get("rule_params") or {}
        if isinstance(params, str):
            try:
                params = json.loads(params)
            except ValueError:
                params = None
        if not isinstance(params, dict):
            c.error(item, "rule_params", _("phải là một đối tượng JSON."))
            params = {}
        elif "\\u0000" in json.dumps(params):
            # PostgreSQL's JSON refuses NUL anywhere in a document.
            c.error(item, "rule_params", _("có ký tự không hợp lệ (NUL)."))
            params = {}
        return NodeSpec(
            code=code,
            title=c.text(item, "title", required=True, max_length=500),
            max_score=max_score if max_score is not None else Decimal(0),
            method=method,
            rule=rule,
            rule_params=params,
            formula=c.text(item, "formula", max_length=60),
            evidence_required=c.text(item, "evidence_required", max_length=10_000),
            guidance=c.text(item, "guidance", max_length=10_000),
        )


def read_json(doc: Any) -> SetSpec:
    """The set in a JSON document (already parsed, or bytes/text), checked; CriteriaSetError
    with every error otherwise."""
    reader = _Reader()
    if isinstance(doc, bytes | str):
        try:
            doc = json.loads(doc)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CriteriaSetError(
                [_("Không đọc được tệp JSON: %(error)s") % {"error": exc}]
            ) from exc
    if not isinstance(doc, dict):
        raise CriteriaSetError(
            [_("Tệp phải là một đối tượng JSON: code, name, year, unit_kind, nodes.")]
        )
    top = make_item({k: doc.get(k) for k in SET_KEYS}, Where(path="$"), reader.errors)
    values = reader.set_values(top)

    def walk(raw: Any, path: str, depth: int) -> NodeSpec | None:
        if not isinstance(raw, dict):
            reader.errors.append(_("%(path)s: phải là một đối tượng (tiêu chí).") % {"path": path})
            return None
        if reader.count >= MAX_NODES:
            return None
        node = reader.node({k: raw.get(k) for k in NODE_KEYS if k != "parent"}, Where(path=path))
        children = raw.get("children") or []
        if not isinstance(children, list):
            reader.errors.append(
                _("Tiêu chí %(code)s: children phải là danh sách.") % {"code": node.code}
            )
        elif children and depth >= MAX_DEPTH:
            reader.errors.append(
                _("Tiêu chí %(code)s: cây tiêu chí sâu quá %(n)d cấp.")
                % {"code": node.code, "n": MAX_DEPTH}
            )
        else:
            node.children = [
                n
                for i, child in enumerate(children)
                if (n := walk(child, f"{path}.children[{i}]", depth + 1)) is not None
            ]
        return node

    raw_nodes = doc.get("nodes")
    nodes: list[NodeSpec] = []
    if not isinstance(raw_nodes, list) or not raw_nodes:
        reader.errors.append(_("nodes: bắt buộc, là danh sách các lĩnh vực."))
    else:
        nodes = [
            n for i, raw in enumerate(raw_nodes) if (n := walk(raw, f"nodes[{i}]", 1)) is not None
        ]
    return _checked(SetSpec(nodes=nodes, **values), reader)


def read_xlsx(data: bytes) -> SetSpec:
    """The set in a workbook as `export_xlsx` writes it: the set's values on the first sheet
    (one key and its value a row), the criteria on the second (a header row, then one row per
    node with its parent's code; a parent's row comes before its children's)."""
    from openpyxl import load_workbook

    reader = _Reader()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise CriteriaSetError([_("Không đọc được tệp Excel: %(error)s") % {"error": exc}]) from exc
    if SET_SHEET not in wb.sheetnames or NODE_SHEET not in wb.sheetnames:
        raise CriteriaSetError(
            [_("Tệp Excel cần hai trang “%(a)s” và “%(b)s”.") % {"a": SET_SHEET, "b": NODE_SHEET}]
        )
    pairs = {
        str(row[0]).strip(): row[1] if len(row) > 1 else None
        for row in wb[SET_SHEET].iter_rows(values_only=True)
        if row and row[0] is not None
    }
    top = make_item(
        {k: pairs.get(k) for k in SET_KEYS}, Where(sheet=SET_SHEET, row=1), reader.errors
    )
    values = reader.set_values(top)
    rows = wb[NODE_SHEET].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    missing = [k for k in ("code", "parent", "title", "max_score", "method") if k not in header]
    if missing:
        raise CriteriaSetError(
            [
                _("Trang “%(sheet)s” thiếu cột: %(cols)s.")
                % {"sheet": NODE_SHEET, "cols": ", ".join(missing)}
            ]
        )
    by_code: dict[str, NodeSpec] = {}
    depth: dict[str, int] = {}
    nodes: list[NodeSpec] = []
    for number, row in enumerate(rows, start=2):
        if not row or all(v in (None, "") for v in row):
            continue
        if reader.count >= MAX_NODES:
            break
        raw = {k: row[i] if i < len(row) else None for i, k in enumerate(header) if k in NODE_KEYS}
        where = Where(sheet=NODE_SHEET, row=number)
        node = reader.node(raw, where)
        parent_code = reader.check.text(Item(raw, where), "parent")
        if not parent_code:
            nodes.append(node)
            depth[node.code] = 1
            by_code.setdefault(node.code, node)
        elif parent_code not in by_code:
            reader.errors.append(
                _(
                    "Tiêu chí %(code)s (dòng %(row)d): không có tiêu chí cha %(parent)s ở các dòng trên."
                )
                % {"code": node.code, "row": number, "parent": show(parent_code)}
            )
        elif depth[parent_code] >= MAX_DEPTH:
            reader.errors.append(
                _("Tiêu chí %(code)s: cây tiêu chí sâu quá %(n)d cấp.")
                % {"code": node.code, "n": MAX_DEPTH}
            )
        else:
            by_code[parent_code].children.append(node)
            depth[node.code] = depth[parent_code] + 1
            by_code.setdefault(node.code, node)
    if not nodes and not reader.errors:
        reader.errors.append(_("Trang “%(sheet)s” không có tiêu chí nào.") % {"sheet": NODE_SHEET})
    return _checked(SetSpec(nodes=nodes, **values), reader)


# -- the rules of a set ------------------------------------------------------------------------


def _walk(nodes: list[NodeSpec]) -> list[NodeSpec]:
    out: list[NodeSpec] = []
    for node in nodes:
        out.append(node)
        out.extend(_walk(node.children))
    return out


def points_text(value: Decimal) -> str:
    """Points as a message writes them: 1,5 (a decimal comma, no trailing zeros)."""
    return str(plain_decimal(value)).replace(".", ",")


def _check_params(node: NodeSpec, errors: list[str]) -> None:
    def bad(message: str) -> None:
        errors.append(_("Tiêu chí %(code)s: %(message)s") % {"code": node.code, "message": message})

    def points(value: Any) -> bool:
        number = _number(value)
        return number is not None and 0 <= number <= node.max_score

    params = node.rule_params
    if node.rule == ScoreRule.STEPPED:
        steps = params.get("steps")
        if (
            not isinstance(steps, list)
            or not steps
            or not all(
                isinstance(s, list) and len(s) == 2 and _number(s[0]) is not None and points(s[1])
                for s in steps
            )
        ):
            bad(
                _("cách chấm theo mức cần steps: [[ngưỡng, điểm], …], điểm từ 0 đến %(max)s.")
                % {"max": points_text(node.max_score)}
            )
        if "empty" in params and not points(params["empty"]):
            bad(
                _("điểm khi không phát sinh (empty) phải từ 0 đến %(max)s.")
                % {"max": points_text(node.max_score)}
            )
    elif node.rule == ScoreRule.PROPORTIONAL:
        target = _number(params.get("target", 1))
        if target is None or target <= 0:
            bad(_("cách chấm tỷ lệ cần chỉ tiêu (target) lớn hơn 0."))
    elif node.rule == ScoreRule.FREE and "levels" in params:
        levels = params["levels"]
        if not isinstance(levels, list) or not levels or not all(points(v) for v in levels):
            bad(
                _("các mức điểm (levels) phải từ 0 đến %(max)s.")
                % {"max": points_text(node.max_score)}
            )


def sipas_factor(params: Any) -> str | None:
    """The SIPAS factor a criterion's rule_params name, or None (the overall index)."""
    value = params.get(SIPAS_FACTOR) if isinstance(params, dict) else None
    return value if isinstance(value, str) and value else None


def rule_params_of(params: Any) -> dict[str, Any]:
    """The parameters of the rule itself, without the factor (scoring.parse_rule's vocabulary)."""
    return {k: v for k, v in (params or {}).items() if k != SIPAS_FACTOR}


def _folded(key: str) -> str:
    return re.sub(r"[^a-z]", "", key.lower())


def _check_factor(node: NodeSpec, errors: list[str]) -> None:
    """`sipas_factor` only on a survey criterion that is scored, as a factor's key; a key that
    looks like it but is spelt otherwise is refused rather than left to be ignored."""

    def bad(message: str) -> None:
        errors.append(_("Tiêu chí %(code)s: %(message)s") % {"code": node.code, "message": message})

    params = node.rule_params
    for key in params:
        folded = _folded(str(key))
        if key != SIPAS_FACTOR and ("sipas" in folded or "factor" in folded or "yeuto" in folded):
            bad(
                _("khóa %(key)s không có trong tham số; yếu tố SIPAS ghi bằng khóa %(name)s.")
                % {"key": show(str(key)), "name": SIPAS_FACTOR}
            )
    if SIPAS_FACTOR not in params:
        return
    value = params[SIPAS_FACTOR]
    if node.children or node.method != Method.SURVEY:
        bad(
            _(
                "chỉ tiêu chí điều tra xã hội học (survey) được chấm mới gắn yếu tố SIPAS (%(name)s)."
            )
            % {"name": SIPAS_FACTOR}
        )
    if not isinstance(value, str) or not FACTOR_KEY.match(value):
        bad(
            _(
                "yếu tố SIPAS (%(name)s) %(value)s không hợp lệ: ghi mã yếu tố của bộ câu hỏi "
                "dạng chuỗi, tối đa 20 ký tự (chữ, số, dấu chấm), ví dụ “2”."
            )
            % {"name": SIPAS_FACTOR, "value": show(value)}
        )


def _checked(spec: SetSpec, reader: _Reader) -> SetSpec:
    errors = reader.errors
    if reader.count >= MAX_NODES:
        errors.append(_("Bộ tiêu chí có quá %(n)d tiêu chí.") % {"n": MAX_NODES})
    seen: set[str] = set()
    for node in _walk(spec.nodes):
        if node.code in seen:
            errors.append(_("Tiêu chí %(code)s: mã trùng trong bộ tiêu chí.") % {"code": node.code})
        seen.add(node.code)
        _check_factor(node, errors)
        if node.children:
            total = sum((c.max_score for c in node.children), Decimal(0))
            if total > node.max_score:
                errors.append(
                    _(
                        "Tiêu chí %(code)s: tổng điểm tối đa của các tiêu chí con (%(sum)s) vượt "
                        "điểm tối đa của tiêu chí (%(max)s)."
                    )
                    % {
                        "code": node.code,
                        "sum": points_text(total),
                        "max": points_text(node.max_score),
                    }
                )
            elif total < node.max_score:
                errors.append(
                    _(
                        "Tiêu chí %(code)s: tổng điểm tối đa của các tiêu chí con (%(sum)s) nhỏ "
                        "hơn điểm tối đa của tiêu chí (%(max)s); hai số phải bằng nhau."
                    )
                    % {
                        "code": node.code,
                        "sum": points_text(total),
                        "max": points_text(node.max_score),
                    }
                )
            continue
        if node.method == Method.AUTOMATIC and not node.formula:
            errors.append(
                _("Tiêu chí %(code)s: chấm tự động cần khóa công thức (formula).")
                % {"code": node.code}
            )
        if node.formula and not FORMULA.match(node.formula):
            errors.append(
                _("Tiêu chí %(code)s: khóa công thức %(formula)s chỉ gồm chữ thường, số và dấu _.")
                % {"code": node.code, "formula": show(node.formula)}
            )
        before = len(errors)
        _check_params(node, errors)
        if node.method == Method.SURVEY and node.rule != ScoreRule.FREE and len(errors) == before:
            # The merge applies the rule to the SIPAS share (actions.closing): a rule it would
            # refuse then (a missing target, a misspelt key) is refused now, before the set is
            # saved and long before the survey results come in.
            try:
                parse_rule(node.code, node.rule, rule_params_of(node.rule_params), node.max_score)
            except ScoringRuleError as error:
                errors.append(str(error.message))
        if node.method == Method.AUTOMATIC and node.formula and FORMULA.match(node.formula):
            try:
                check_criterion(node)
            except DomainError as error:
                errors.append(str(error.message))
    if spec.declared_total is not None and spec.declared_total != spec.max_total:
        errors.append(
            _("Tổng điểm tối đa khai báo (%(declared)s) khác tổng điểm các lĩnh vực (%(sum)s).")
            % {"declared": points_text(spec.declared_total), "sum": points_text(spec.max_total)}
        )
    if errors:
        raise CriteriaSetError(errors)
    return spec


# -- writing -----------------------------------------------------------------------------------


def save_set(spec: SetSpec) -> CriteriaSet:
    """Write a checked set, replacing the one with its code and year if no assessment uses it
    yet (409 otherwise: the scores would lose their criteria)."""
    with transaction.atomic():
        existing = (
            CriteriaSet.objects.select_for_update().filter(code=spec.code, year=spec.year).first()
        )
        if existing is not None:
            if existing.assessments.exists():
                raise CriteriaSetError(
                    [
                        _(
                            "Bộ tiêu chí %(code)s năm %(year)d đã được dùng để đánh giá; không thể "
                            "thay thế. Hãy nhập với mã khác."
                        )
                        % {"code": spec.code, "year": spec.year}
                    ],
                    status_code=409,
                )
            existing.delete()
        criteria_set = CriteriaSet.objects.create(
            code=spec.code,
            name=spec.name,
            year=spec.year,
            unit_kind=spec.unit_kind,
            status=spec.status,
            max_total=spec.max_total,
            bands=spec.bands,
            legal_basis=spec.legal_basis,
        )
        order = 0

        def create(nodes: list[NodeSpec], parent: Criterion | None) -> None:
            nonlocal order
            for node in nodes:
                order += 1
                row = Criterion.objects.create(
                    criteria_set=criteria_set,
                    parent=parent,
                    code=node.code,
                    title=node.title,
                    max_score=node.max_score,
                    method=node.method,
                    rule=node.rule,
                    rule_params=node.rule_params,
                    formula=node.formula,
                    evidence_required=node.evidence_required,
                    guidance=node.guidance,
                    order=order,
                    is_leaf=not node.children,
                )
                create(node.children, row)

        create(spec.nodes, None)
    return criteria_set


def load_shipped(name: str) -> SetSpec:
    return read_json((DATA / name).read_bytes())


# -- export ------------------------------------------------------------------------------------


def _json_number(value: Decimal) -> int | float:
    plain = plain_decimal(value)
    return int(plain) if plain == plain.to_integral_value() else float(plain)


def export_json(criteria_set: CriteriaSet) -> dict[str, Any]:
    """The set in the import's JSON shape: importing it again gives the same set."""
    rows = list(criteria_set.criteria.order_by("order"))
    children: dict[int | None, list[Criterion]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)

    def node(row: Criterion) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": row.code,
            "title": row.title,
            "max_score": _json_number(row.max_score),
            "method": row.method,
        }
        if row.rule != ScoreRule.FREE or row.rule_params:
            out["rule"] = row.rule
        for key in ("rule_params", "formula", "evidence_required", "guidance"):
            if getattr(row, key):
                out[key] = getattr(row, key)
        out["children"] = [node(c) for c in children.get(row.pk, [])]
        return out

    return {
        "code": criteria_set.code,
        "name": criteria_set.name,
        "year": criteria_set.year,
        "unit_kind": criteria_set.unit_kind,
        "status": criteria_set.status,
        "max_score": _json_number(criteria_set.max_total),
        "legal_basis": criteria_set.legal_basis,
        "bands": criteria_set.bands,
        "nodes": [node(r) for r in children.get(None, [])],
    }


def export_xlsx(criteria_set: CriteriaSet) -> bytes:
    """The set as a workbook `read_xlsx` reads back: the set's values, then one row per node."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    head = wb.active
    assert head is not None
    head.title = SET_SHEET
    doc = export_json(criteria_set)
    for key in SET_KEYS:
        value = doc[key]
        head.append([key, json.dumps(value, ensure_ascii=False) if key == "bands" else value])
    sheet = wb.create_sheet(NODE_SHEET)
    sheet.append(list(NODE_KEYS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    codes = {c.pk: c.code for c in criteria_set.criteria.all()}
    for row in criteria_set.criteria.order_by("order"):
        sheet.append(
            [
                row.code,
                codes.get(row.parent_id, "") if row.parent_id else "",
                row.title,
                _json_number(row.max_score),
                row.method,
                row.rule,
                json.dumps(row.rule_params, ensure_ascii=False) if row.rule_params else "",
                row.formula,
                row.evidence_required,
                row.guidance,
            ]
        )
    sheet.column_dimensions["C"].width = 60
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
