"""A unit's PAR Index year over year: each year's index out of 100, grade and rank, its fields'
points and their share of the index, the change against the year before, and the criteria
that lost points in two assessments running ("lost again"). Read-only.

Which score counts (`basis`): a final or published result; else the council's latest round
(round 2 where it re-scored, else round 1); else the unit's self-scores. The index and the
grade are the assessment page's (`results.index_of`, `results.Index.grade`), so both pages agree.

A field's share is its points over the index's own denominator × 100, so the shares add up to
the index: the set's maximum once the survey is merged (appraised + survey points), else the
appraised criteria's maximum (appraised or self-scored points, survey criteria left out).

Sets differ between years (PAR-XA-8LV 2022 has 8 fields, PAR-XA 2025 has 7), so a field or a
criterion is compared with last year's only when it **matches**: the same code, and titles
that say the same thing — the words the two titles share (lower-case, accents and punctuation
ignored, a few function words left out) are at least two thirds of the shorter title's words.
"Công tác chỉ đạo, điều hành" matches "Công tác chỉ đạo, điều hành cải cách hành chính"; field
4 "Nâng cao chất lượng đội ngũ cán bộ, công chức" does not match field 4 "Xây dựng chính quyền
cơ sở", and the output says so instead of comparing them.

A unit that took others over (a merger: `units.UnitSuccession`) shows their years before the
change beside its own, figured the same way, and its first year after the change beside each
one's last year: their indices in a note (another unit's index is not subtracted from its
own), and the criteria they lost that it lost again.

Queries: a fixed number whatever the years (one per generation of forebears, the assessments,
their sets' criteria, their scores, and the ranking's two per province), never one per year.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from cchc.lib.numbers import localised
from cchc.lib.text import fold
from cchc.parindex.choices import RANKED_STATUSES, Method
from cchc.parindex.models import Assessment, Criterion, Score
from cchc.parindex.results import SURVEY_DONE, best_known, index_of, indices_of
from cchc.reports.charts import GOOD, SOFT, Chart, Series
from cchc.units.lookup import Forebear, forebears_of
from cchc.units.models import Unit

ZERO = Decimal(0)
CENT = Decimal("0.01")

# Which score a year's figures stand on, best first.
FINAL = "final"
APPRAISAL_2 = "appraisal_2"
APPRAISAL_1 = "appraisal_1"
SELF = "self"
NONE = "none"
BASIS_ORDER = (FINAL, APPRAISAL_2, APPRAISAL_1, SELF, NONE)


def basis_label(basis: str) -> str:
    return {
        FINAL: _("Kết quả đã chốt"),
        APPRAISAL_2: _("Điểm thẩm định lần 2 (chưa chốt)"),
        APPRAISAL_1: _("Điểm thẩm định lần 1 (chưa chốt)"),
        SELF: _("Điểm tự chấm (chưa thẩm định)"),
        NONE: _("Chưa có điểm"),
    }[basis]


# How a field compares with last year's.
MATCHED = "matched"
DIFFERENT = "different"  # the same code, another subject
NEW = "new"  # no field of that code last year
FIRST = ""  # the first year listed: nothing to compare with

# -- matching ------------------------------------------------------------------------------------

# Function words left out before comparing titles; matched before the accents are folded, as
# folding makes "của" (of) the "cửa" of "một cửa" and "tại" (at) the "tài" of "tài chính".
STOP_WORDS = frozenset({"và", "của", "các", "những", "trong", "về", "cho", "theo", "với", "tại"})
SHARED_SHARE = Decimal(2) / Decimal(3)
_WORD = re.compile(r"\w+")


def title_words(title: str) -> frozenset[str]:
    """The words a title is compared by: lower-case, without function words, accents folded."""
    return frozenset(
        fold(w) for w in _WORD.findall(title.lower()) if w not in STOP_WORDS and fold(w)
    )


def titles_match(a: str, b: str) -> bool:
    """True when the words the titles share are at least two thirds of the shorter one's."""
    wa, wb = title_words(a), title_words(b)
    if not wa or not wb:
        return False
    shared = len(wa & wb)
    return shared > 0 and Decimal(shared) >= SHARED_SHARE * min(len(wa), len(wb))


def nodes_match(a: Criterion, b: Criterion) -> bool:
    return a.code == b.code and titles_match(a.title, b.title)


# -- one year --------------------------------------------------------------------------------


@dataclass
class FieldYear:
    """A field in one year, on the year's basis: points of its maximum, and both as a share of
    the index out of 100; how it compares with last year's field of the same code."""

    code: str
    title: str
    max_score: Decimal
    points: Decimal | None
    share: Decimal | None
    share_max: Decimal | None
    match: str = FIRST
    previous_title: str = ""
    change: Decimal | None = None
    note: str = ""


@dataclass
class YearResult:
    year: int
    assessment: Assessment
    basis: str
    index: Decimal | None
    provisional: bool
    band: str
    rank: int | None
    ranked_of: int
    fields: list[FieldYear]
    previous_year: int | None = None
    index_change: Decimal | None = None
    # Places moved up since last year (negative: down); None unless ranked both years.
    rank_change: int | None = None
    # Last year's fields that match none of this year's.
    previous_unmatched: list[FieldYear] = field(default_factory=list)
    # The first year after the unit took over others: their last years, said in words.
    forebears_note: str = ""

    @property
    def basis_label(self) -> str:
        return basis_label(self.basis)

    @property
    def notes(self) -> list[str]:
        """What was not compared with last year, and why."""
        out = [self.forebears_note] if self.forebears_note else []
        out += [f.note for f in self.fields if f.note]
        for f in self.previous_unmatched:
            out.append(
                _(
                    "Lĩnh vực %(code)s năm %(last)d (“%(title)s”) không khớp lĩnh vực nào năm "
                    "%(year)d: không so sánh."
                )
                % {"code": f.code, "last": self.previous_year, "title": f.title, "year": self.year}
            )
        return out


@dataclass
class LostRow:
    code: str
    title: str
    previous_title: str
    max_score: Decimal
    points: Decimal
    lost: Decimal
    reason: str
    previous_max: Decimal
    previous_points: Decimal
    previous_lost: Decimal
    previous_reason: str


@dataclass
class LostAgain:
    year: int
    previous_year: int
    rows: list[LostRow]
    # Set when the earlier year is a forebear's (the unit it took over), not the unit's own.
    previous_unit: Unit | None = None


@dataclass
class ForebearYears:
    """A unit this one took over (`units.lookup.forebears_of`) with its own years before the
    change, figured as the unit's are; its ranks are among its own province's units."""

    forebear: Forebear
    years: list[YearResult]  # oldest first

    @property
    def unit(self) -> Unit:
        return self.forebear.unit

    @property
    def newest_first(self) -> list[YearResult]:
        return list(reversed(self.years))


@dataclass
class Comparison:
    unit: Unit
    years: list[YearResult]  # oldest first
    lost_again: list[LostAgain]  # newest pair first; a year's own pair before its forebears'
    # The units it took over (nearest first) that have assessments before the change.
    forebears: list[ForebearYears] = field(default_factory=list)

    @property
    def newest_first(self) -> list[YearResult]:
        return list(reversed(self.years))


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return _round(part / whole * 100) if whole else None


def basis_of(assessment: Assessment, scores: Iterable[Score]) -> str:
    if assessment.status in RANKED_STATUSES:
        return FINAL
    rows = [s for s in scores if s.criterion.method != Method.SURVEY]
    if any(s.appraised_2 is not None for s in rows):
        return APPRAISAL_2
    if any(s.appraised_1 is not None for s in rows):
        return APPRAISAL_1
    if any(s.self_score is not None for s in rows):
        return SELF
    return NONE


def leaf_points(score: Score, basis: str) -> Decimal | None:
    """A leaf's points on the year's basis (survey criteria: their merged score)."""
    if score.criterion.method == Method.SURVEY:
        return score.survey_score
    if basis == SELF:
        return score.self_score
    if basis == NONE:
        return None
    # Half-way through a sitting the criteria not yet read keep the unit's score (as results).
    return best_known(score)


@dataclass
class _Year:
    """What one assessment's rows give, before ranks and last year are known."""

    assessment: Assessment
    criteria: list[Criterion]
    scores: list[Score]
    basis: str
    index: Decimal | None
    provisional: bool
    band: str
    fields: list[FieldYear]
    # Per node id: (maximum, points, lost) over its leaves on the basis, survey criteria out.
    lost: dict[int, tuple[Decimal, Decimal, Decimal]]
    # Per node id: the council's reasons for its leaves' lost points ("1.1.2: …" under a parent).
    reasons: dict[int, list[str]]


def _year(assessment: Assessment, criteria: list[Criterion], scores: list[Score]) -> _Year:
    basis = basis_of(assessment, scores)
    with_survey_points = assessment.status in SURVEY_DONE and assessment.with_survey
    parents = {c.pk: c.parent_id for c in criteria}
    roots: dict[int, int] = {}
    for c in criteria:  # a walk of the tree: a parent before its children
        roots[c.pk] = roots[c.parent_id] if c.parent_id else c.pk
    field_max: dict[int, Decimal] = defaultdict(Decimal)
    field_points: dict[int, Decimal] = defaultdict(Decimal)
    lost: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
    reasons: dict[int, list[str]] = defaultdict(list)
    appraisal_max = self_total = appraised_total = survey_total = ZERO
    any_appraised = False
    for s in scores:
        c = s.criterion
        root = roots[c.pk]
        if c.method == Method.SURVEY:
            survey_total += s.survey_score or ZERO
            if with_survey_points:
                field_max[root] += c.max_score
                field_points[root] += s.survey_score or ZERO
            continue
        appraisal_max += c.max_score
        self_total += s.self_score or ZERO
        if s.appraised_score is not None:
            any_appraised = True
        appraised_total += best_known(s)
        field_max[root] += c.max_score
        points = leaf_points(s, basis)
        field_points[root] += points or ZERO
        if points is None:
            continue
        node: int | None = c.pk
        while node is not None:  # the leaf's loss counts for it and each ancestor
            m, p, lo = lost.get(node, (ZERO, ZERO, ZERO))
            lost[node] = (m + c.max_score, p + points, lo + c.max_score - points)
            if points < c.max_score and s.reason:
                reasons[node].append(s.reason if node == c.pk else f"{c.code}: {s.reason}")
            node = parents[node]
    index = index_of(
        status=assessment.status,
        with_survey=assessment.with_survey,
        max_total=assessment.criteria_set.max_total,
        appraisal_max=appraisal_max,
        self_total=self_total,
        appraised_total=appraised_total if any_appraised else None,
        survey_total=survey_total,
    )
    whole = assessment.criteria_set.max_total if with_survey_points else appraisal_max
    fields = [
        FieldYear(
            code=c.code,
            title=c.title,
            max_score=field_max[c.pk],
            points=field_points[c.pk] if basis != NONE else None,
            share=_share(field_points[c.pk], whole) if basis != NONE else None,
            share_max=_share(field_max[c.pk], whole),
        )
        for c in criteria
        if c.parent_id is None
    ]
    return _Year(
        assessment=assessment,
        criteria=criteria,
        scores=scores,
        basis=basis,
        index=index.value,
        provisional=index.provisional,
        band=index.grade(assessment.criteria_set.bands),
        fields=fields,
        lost=lost,
        reasons=reasons,
    )


# -- the ranks, every year in two queries --------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    rank: int
    assessment_id: int
    index: Decimal


def province_of(unit: Unit) -> int:
    """The id of the unit's root (its province): the ranks are among that province's units of
    the same kind, whoever reads them."""
    return int(unit.path.strip("/").split("/")[0]) if unit.path else unit.pk


def ranks(root: int, wanted: Iterable[tuple[int, str]]) -> dict[tuple[int, str], list[Ranked]]:
    """For each (year, set kind): the ranked assessments of the province `root`
    (`province_of`), best first, by `results.ranking`'s rule (final and published results,
    equal indices share a rank, then by unit name) — in two queries for all the years, where
    `ranking` takes two per year."""
    pairs = set(wanted)
    if not pairs:
        return {}
    match = Q()
    for year, kind in pairs:
        match |= Q(year=year, criteria_set__unit_kind=kind)
    rows = list(
        Assessment.objects.filter(match, status__in=RANKED_STATUSES)
        .filter(Q(unit_id=root) | Q(unit__path__startswith=f"/{root}/"))
        .select_related("unit", "criteria_set")
        .order_by("pk")
    )
    indices = indices_of(rows)
    grouped: dict[tuple[int, str], list[tuple[Decimal, str, int]]] = defaultdict(list)
    for a in rows:
        value = indices[a.pk].value
        if value is not None:
            grouped[(a.year, a.criteria_set.unit_kind)].append((value, a.unit.name, a.pk))
    out: dict[tuple[int, str], list[Ranked]] = {}
    for key, entries in grouped.items():
        entries.sort(key=lambda e: (-e[0], e[1]))
        ranked: list[Ranked] = []
        for position, (value, _name, pk) in enumerate(entries, start=1):
            rank = ranked[-1].rank if ranked and ranked[-1].index == value else position
            ranked.append(Ranked(rank, pk, value))
        out[key] = ranked
    return out


# -- against last year ---------------------------------------------------------------------------


def _compare_fields(this: _Year, last: _Year) -> list[FieldYear]:
    """Mark each of this year's fields against last year's; return last year's fields whose
    code this year's set does not have."""
    previous = {f.code: f for f in last.fields}
    year, last_year = this.assessment.year, last.assessment.year
    for f in this.fields:
        before = previous.get(f.code)
        if before is None:
            f.match = NEW
            f.note = _(
                "Lĩnh vực %(code)s không có trong bộ tiêu chí năm %(last)d: không so sánh."
            ) % {"code": f.code, "last": last_year}
            continue
        f.previous_title = before.title
        if not titles_match(f.title, before.title):
            f.match = DIFFERENT
            f.note = _(
                "Lĩnh vực %(code)s năm %(year)d (“%(title)s”) khác lĩnh vực %(code)s năm "
                "%(last)d (“%(before)s”): không so sánh."
            ) % {
                "code": f.code,
                "year": year,
                "title": f.title,
                "last": last_year,
                "before": before.title,
            }
            continue
        f.match = MATCHED
        if f.share is not None and before.share is not None:
            f.change = f.share - before.share
    # A field of the same code was reported above (matched or not); these have no namesake.
    codes = {f.code for f in this.fields}
    return [f for f in last.fields if f.code not in codes]


def _lost_again(this: _Year, last: _Year) -> list[LostRow]:
    """The criteria (below the fields) matched by code and title that lost points on both
    years' bases, the finest level that did: a parent is left out when a matched criterion
    under it is listed. Survey criteria are left out (their points are not lost through the
    unit's work), as in the lost-points list."""
    before = {c.code: c for c in last.criteria if c.parent_id is not None}
    found: list[LostRow] = []
    for c in this.criteria:
        if c.parent_id is None:
            continue
        old = before.get(c.code)
        if old is None or not titles_match(c.title, old.title):
            continue
        now, then = this.lost.get(c.pk), last.lost.get(old.pk)
        if now is None or then is None or now[2] <= 0 or then[2] <= 0:
            continue
        found.append(
            LostRow(
                code=c.code,
                title=c.title,
                previous_title=old.title,
                max_score=now[0],
                points=now[1],
                lost=now[2],
                reason="; ".join(this.reasons.get(c.pk, [])),
                previous_max=then[0],
                previous_points=then[1],
                previous_lost=then[2],
                previous_reason="; ".join(last.reasons.get(old.pk, [])),
            )
        )
    codes = [r.code for r in found]
    return [r for r in found if not any(o.startswith(r.code + ".") for o in codes)]


# -- the whole comparison ------------------------------------------------------------------------


def _one_per_year(assessments: list[Assessment], bases: dict[int, str]) -> list[Assessment]:
    """One assessment a year: the furthest in the cycle (a set replaced mid-year leaves two)."""
    chosen: dict[int, Assessment] = {}
    for a in assessments:
        other = chosen.get(a.year)
        if other is None or BASIS_ORDER.index(bases[a.pk]) < BASIS_ORDER.index(bases[other.pk]):
            chosen[a.year] = a
    return [chosen[y] for y in sorted(chosen)]


def comparison(unit: Unit) -> Comparison:
    """The unit's assessments, year by year, and those of the units it took over before the
    change. The caller has checked the unit is the reader's (`units.lookup.get_unit_for`:
    another unit is a 404); what it took over is read with it, as its records passed to it."""
    forebears = forebears_of(unit)
    units = {unit.pk} | {f.unit.pk for f in forebears}
    assessments = list(
        Assessment.objects.filter(unit_id__in=units)
        .select_related("criteria_set")
        .order_by("year", "pk")
    )
    set_ids = {a.criteria_set_id for a in assessments}
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for c in Criterion.objects.filter(criteria_set_id__in=set_ids).order_by(
        "criteria_set_id", "order"
    ):
        criteria[c.criteria_set_id].append(c)
    by_id = {c.pk: c for rows in criteria.values() for c in rows}
    scores: dict[int, list[Score]] = defaultdict(list)
    for s in Score.objects.filter(assessment__in=assessments).order_by("criterion__order"):
        s.criterion = by_id[s.criterion_id]
        scores[s.assessment_id].append(s)
    bases = {a.pk: basis_of(a, scores[a.pk]) for a in assessments}

    def years_of(unit_id: int, before: int | None = None) -> list[_Year]:
        mine = [
            a for a in assessments if a.unit_id == unit_id and (before is None or a.year < before)
        ]
        chosen = _one_per_year(mine, bases)
        return [_year(a, criteria[a.criteria_set_id], scores[a.pk]) for a in chosen]

    own = years_of(unit.pk)
    # A forebear's years end with the year its successor took it over: that year is assessed
    # as the successor's.
    theirs = [(f, years_of(f.unit.pk, f.effective_on.year)) for f in forebears]
    theirs = [(f, ys) for f, ys in theirs if ys]
    # The ranks, two queries per province whatever the years (forebears are nearly always of
    # the unit's own province).
    wanted: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for who, ys in [(unit, own), *((f.unit, ys) for f, ys in theirs)]:
        for y in ys:
            wanted[province_of(who)].add((y.assessment.year, y.assessment.criteria_set.unit_kind))
    ranked = {root: ranks(root, pairs) for root, pairs in wanted.items()}

    out, lost_again = _results(own, ranked[province_of(unit)] if own else {})
    kept = [ForebearYears(f, _results(ys, ranked[province_of(f.unit)])[0]) for f, ys in theirs]
    lost_again += _against_forebears(own, out, [(f, ys[-1]) for f, ys in theirs if f.depth == 1])
    lost_again.sort(key=lambda pair: (-pair.year, pair.previous_unit is not None))
    return Comparison(unit=unit, years=out, lost_again=lost_again, forebears=kept)


def _results(
    years: list[_Year], ranked: dict[tuple[int, str], list[Ranked]]
) -> tuple[list[YearResult], list[LostAgain]]:
    """One unit's years with their ranks and the change against the year before; the lost
    again pairs, oldest first."""
    out: list[YearResult] = []
    lost_again: list[LostAgain] = []
    last: _Year | None = None
    for y in years:
        a = y.assessment
        ranking = ranked.get((a.year, a.criteria_set.unit_kind), [])
        rank = next((r.rank for r in ranking if r.assessment_id == a.pk), None)
        result = YearResult(
            year=a.year,
            assessment=a,
            basis=y.basis,
            index=y.index,
            provisional=y.provisional,
            band=y.band,
            rank=rank,
            ranked_of=len(ranking),
            fields=y.fields,
        )
        if last is not None:
            previous = out[-1]
            result.previous_year = previous.year
            if y.index is not None and previous.index is not None:
                result.index_change = y.index - previous.index
            if result.rank is not None and previous.rank is not None:
                result.rank_change = previous.rank - result.rank
            result.previous_unmatched = _compare_fields(y, last)
            lost_again.append(LostAgain(a.year, previous.year, _lost_again(y, last)))
        out.append(result)
        last = y
    return out, lost_again


def _against_forebears(
    own: list[_Year], out: list[YearResult], direct: list[tuple[Forebear, _Year]]
) -> list[LostAgain]:
    """The unit's first year after taking others over, beside each one's last year: what they
    lost that the unit lost again (a weakness of the place, not only of one body), and a note
    with their indices. The indices are not subtracted: the units differ."""
    if not direct:
        return []
    took_over = min(f.effective_on for f, _last in direct)
    first = next((i for i, y in enumerate(own) if y.assessment.year >= took_over.year), None)
    if first is None:
        return []
    year, result = own[first], out[first]
    result.forebears_note = _(
        "Đơn vị tiếp nhận %(units)s từ ngày %(day)s: %(indices)s (chỉ số của đơn vị khác, "
        "không trừ ra mức thay đổi)."
    ) % {
        "units": ", ".join(f.unit.name for f, _last in direct),
        "day": f"{took_over:%d/%m/%Y}",
        "indices": "; ".join(
            _("năm %(year)s %(unit)s đạt %(index)s")
            % {
                "year": last.assessment.year,
                "unit": f.unit.name,
                "index": localised(last.index) if last.index is not None else "—",
            }
            for f, last in direct
        ),
    }
    return [
        LostAgain(
            year.assessment.year,
            last.assessment.year,
            _lost_again(year, last),
            previous_unit=f.unit,
        )
        for f, last in direct
    ]


def signed(value: Decimal | int | None) -> str:
    """A change the Vietnamese way with its sign: +2,5; −1; 0."""
    if value is None:
        return "—"
    if value > 0:
        return "+" + localised(value)
    if value < 0:
        return "−" + localised(-value)
    return "0"


def chart_spec(result: Comparison) -> Chart:
    """The index by year as a column chart (`reports.charts`): results the council fixed in
    blue, figures not yet final in a lighter blue, the index written over each column."""
    years = [y for y in result.years if y.index is not None]
    fixed = tuple(float(y.index or 0) if y.basis == FINAL else 0.0 for y in years)
    provisional = tuple(float(y.index or 0) if y.basis != FINAL else 0.0 for y in years)
    return Chart(
        kind="columns",
        categories=tuple(str(y.year) for y in years),
        series=(
            Series(_("Kết quả chính thức"), fixed, GOOD),
            Series(_("Chưa chốt (dự kiến)"), provisional, SOFT),
        ),
        notes=tuple(localised(y.index) for y in years if y.index is not None),
        scale=100,
        empty_text=_("Chưa có chỉ số năm nào."),
        width=max(3.2, 1.0 + 0.9 * len(years)),
    )
