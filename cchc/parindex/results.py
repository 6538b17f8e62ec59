"""What an assessment adds up to: totals per field and overall, the index out of 100 and its
grade, progress, the lost-points rows, and rankings. Read-only; the arithmetic is in
`index_of` so a single assessment and a ranking of many compute the same way.

The index (PAR.md, REFERENCE §5): (appraised points + survey points) ÷ the set's maximum × 100.
Without a survey (optional at commune level) it is the appraised points ÷ the appraised
criteria's maximum × 100. Until the survey is merged an assessment has a provisional index on
the same appraisal-only basis: once the council has scored anything, criterion by criterion the
council's score where it has given one, else the unit's self-score; before that, the
self-scores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from cchc.parindex.choices import RANKED_STATUSES, Method, Status
from cchc.parindex.models import Assessment, Criterion, Evidence, Score

ZERO = Decimal(0)
CENT = Decimal("0.01")
SURVEY_DONE = frozenset({Status.SURVEY_MERGED, Status.FINAL, Status.PUBLISHED})


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part / whole * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def best_known(score: Score) -> Decimal:
    """A criterion's points as far as they are known: the council's, else the unit's own."""
    if score.appraised_score is not None:
        return score.appraised_score
    return score.self_score or ZERO


def band_for(bands: Iterable[dict[str, Any]], index: Decimal | None) -> str:
    """The grade of an index under a set's bands (best first); "" with no index or no band."""
    if index is None:
        return ""
    for band in sorted(bands, key=lambda b: b["min"], reverse=True):
        if index >= Decimal(str(band["min"])):
            return str(band["label"])
    return ""


@dataclass(frozen=True)
class Index:
    value: Decimal | None
    provisional: bool

    def grade(self, bands: Iterable[dict[str, Any]]) -> str:
        """The grade under a set's bands: none for a provisional index (not yet a result)."""
        return "" if self.provisional else band_for(bands, self.value)


def index_of(
    *,
    status: str,
    with_survey: bool,
    max_total: Decimal,
    appraisal_max: Decimal,
    self_total: Decimal,
    appraised_total: Decimal | None,
    survey_total: Decimal,
) -> Index:
    """The index of one assessment from its sums (see the module's docstring)."""
    if status in SURVEY_DONE:
        if with_survey:
            return Index(_percent((appraised_total or ZERO) + survey_total, max_total), False)
        return Index(_percent(appraised_total or ZERO, appraisal_max), False)
    basis = appraised_total if appraised_total is not None else self_total
    return Index(_percent(basis, appraisal_max), True)


@dataclass
class FieldTotal:
    code: str
    title: str
    max_score: Decimal = ZERO
    self_score: Decimal = ZERO
    appraised_score: Decimal = ZERO
    survey_score: Decimal = ZERO

    @property
    def points(self) -> Decimal:
        return self.appraised_score + self.survey_score


@dataclass
class Totals:
    fields: list[FieldTotal]
    max_total: Decimal
    appraisal_max: Decimal
    survey_max: Decimal
    self_total: Decimal
    appraised_total: Decimal
    survey_total: Decimal
    index: Decimal | None
    provisional: bool
    band: str

    @property
    def points(self) -> Decimal:
        return self.appraised_total + self.survey_total


@dataclass
class Progress:
    """How far the unit is: criteria it scores, self-scored, with at least one evidence."""

    to_score: int
    self_scored: int
    with_evidence: int


@dataclass
class LostGroup:
    code: str
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def lost(self) -> Decimal:
        return sum((r["lost"] for r in self.rows), ZERO)


def _fields_of(criteria: list[Criterion]) -> dict[int, Criterion]:
    """Each criterion's field (its root), by criterion id."""
    roots: dict[int, Criterion] = {}
    for c in criteria:  # ordered as a walk of the tree: a parent comes before its children
        roots[c.pk] = roots[c.parent_id] if c.parent_id else c
    return roots


def _scored(assessment: Assessment) -> tuple[list[Criterion], list[Score]]:
    criteria = list(assessment.criteria_set.criteria.order_by("order"))
    scores = list(
        Score.objects.filter(assessment=assessment)
        .select_related("criterion")
        .order_by("criterion__order")
    )
    return criteria, scores


def totals(assessment: Assessment) -> Totals:
    criteria, scores = _scored(assessment)
    roots = _fields_of(criteria)
    fields = {c.pk: FieldTotal(c.code, c.title) for c in criteria if c.parent_id is None}
    appraisal_max = survey_max = self_total = appraised_total = survey_total = ZERO
    any_appraised = False
    for score in scores:
        criterion = score.criterion
        total = fields[roots[criterion.pk].pk]
        total.max_score += criterion.max_score
        if criterion.method == Method.SURVEY:
            survey_max += criterion.max_score
            total.survey_score += score.survey_score or ZERO
            survey_total += score.survey_score or ZERO
            continue
        appraisal_max += criterion.max_score
        total.self_score += score.self_score or ZERO
        self_total += score.self_score or ZERO
        if score.appraised_score is not None:
            any_appraised = True
            total.appraised_score += score.appraised_score
        # Criterion by criterion, the council's score where it has given one, else the unit's:
        # half-way through a sitting the provisional index must not fall by what is not yet read.
        appraised_total += best_known(score)
    index = index_of(
        status=assessment.status,
        with_survey=assessment.with_survey,
        max_total=assessment.criteria_set.max_total,
        appraisal_max=appraisal_max,
        self_total=self_total,
        appraised_total=appraised_total if any_appraised else None,
        survey_total=survey_total,
    )
    return Totals(
        fields=list(fields.values()),
        max_total=assessment.criteria_set.max_total,
        appraisal_max=appraisal_max,
        survey_max=survey_max,
        self_total=self_total,
        appraised_total=appraised_total,
        survey_total=survey_total,
        index=index.value,
        provisional=index.provisional,
        band=index.grade(assessment.criteria_set.bands),
    )


def progress_of(assessments: Sequence[Assessment]) -> dict[int, Progress]:
    """The progress of several assessments in one query (the list of assessments)."""
    counted = (
        Score.objects.filter(assessment__in=list(assessments))
        .exclude(criterion__method=Method.SURVEY)
        .values("assessment_id")
        .annotate(
            to_score=Count("id", distinct=True),
            self_scored=Count("id", filter=Q(self_score__isnull=False), distinct=True),
            with_evidence=Count("id", filter=Q(evidence__isnull=False), distinct=True),
        )
    )
    found = {
        c["assessment_id"]: Progress(c["to_score"], c["self_scored"], c["with_evidence"])
        for c in counted
    }
    # An assessment without scored criteria has nothing to do yet.
    return {a.pk: found.get(a.pk, Progress(0, 0, 0)) for a in assessments}


def progress(assessment: Assessment) -> Progress:
    return progress_of([assessment])[assessment.pk]


# A criterion asks for digitally signed evidence when its "evidence required" says so (SEEDS §4:
# points lost for minutes, plans, reports not digitally signed): "văn bản ký số", "có chữ ký số".
SIGNED_ASKED = re.compile(r"ký\s+số", re.IGNORECASE)


def asks_signed(criterion: Criterion) -> bool:
    return bool(SIGNED_ASKED.search(criterion.evidence_required or ""))


def evidence_row(evidence: Evidence, criterion: Criterion) -> dict[str, Any]:
    """One piece of evidence as the outputs show it; a registered document with its number and
    symbol, date and signature, and a warning when the criterion asks for a signed document
    and this one is not digitally signed."""
    document = evidence.record
    warning = ""
    record: dict[str, Any] | None = None
    if document is not None:
        signed = document.digitally_signed
        record = {
            "id": document.pk,
            "reference": document.reference,
            "issued_on": f"{document.issued_on:%d/%m/%Y}",
            "title": document.title,
            "signed": signed,
        }
        if not signed and asks_signed(criterion):
            warning = _(
                "Tiêu chí %(code)s: văn bản %(reference)s chưa được ký số, trong khi tài liệu "
                "kiểm chứng yêu cầu văn bản ký số (có thể bị trừ điểm)."
            ) % {"code": criterion.code, "reference": document.reference}
    return {
        "kind": evidence.kind,
        "label": evidence.label,
        "ref": evidence.ref,
        "record": record,
        "warning": warning,
    }


def evidence_by_code(assessment: Assessment) -> dict[str, list[dict[str, Any]]]:
    """Each criterion's evidence (code → rows, in the order added), one query."""
    out: dict[str, list[dict[str, Any]]] = {}
    rows = (
        Evidence.objects.filter(score__assessment=assessment)
        .select_related("score__criterion", "record")
        .order_by("score__criterion__order", "added_at", "id")
    )
    for evidence in rows:
        criterion = evidence.score.criterion
        out.setdefault(criterion.code, []).append(evidence_row(evidence, criterion))
    return out


def lost_points(assessment: Assessment) -> list[LostGroup]:
    """The criteria that lost points at appraisal, grouped by field, as the supervision
    conclusion lists them (SEEDS.md §4). Survey criteria are not in it: their points are not
    lost through the unit's work or evidence."""
    criteria, scores = _scored(assessment)
    roots = _fields_of(criteria)
    evidence = evidence_by_code(assessment)
    groups: dict[int, LostGroup] = {}
    for score in scores:
        criterion = score.criterion
        appraised = score.appraised_score
        if criterion.method == Method.SURVEY or appraised is None:
            continue
        if appraised >= criterion.max_score:
            continue
        root = roots[criterion.pk]
        group = groups.setdefault(root.pk, LostGroup(root.code, root.title))
        group.rows.append(
            {
                "code": criterion.code,
                "title": criterion.title,
                "max_score": criterion.max_score,
                "self_score": score.self_score,
                "appraised_score": appraised,
                "lost": criterion.max_score - appraised,
                "reason": score.reason,
                "evidence": evidence.get(criterion.code, []),
            }
        )
    return list(groups.values())


@dataclass
class RankRow:
    rank: int
    assessment: Assessment
    index: Decimal
    provisional: bool
    band: str


def indices_of(rows: list[Assessment]) -> dict[int, Index]:
    """The index of each of several assessments (their sets and units already read) in one
    query: the rankings' and the comparison's arithmetic, the same as `totals`."""
    decimal: DecimalField[Decimal, Decimal] = DecimalField(max_digits=8, decimal_places=2)
    not_survey = ~Q(criterion__method=Method.SURVEY)
    sums = {
        s["assessment_id"]: s
        for s in Score.objects.filter(assessment__in=rows)
        .values("assessment_id")
        .annotate(
            appraisal_max=Sum("criterion__max_score", filter=not_survey),
            self_total=Sum("self_score", filter=not_survey),
            appraised_total=Sum(
                Coalesce("appraised_2", "appraised_1", "self_score", output_field=decimal),
                filter=not_survey,
            ),
            survey_total=Sum("survey_score", filter=Q(criterion__method=Method.SURVEY)),
        )
    }
    out = {}
    for a in rows:
        s = sums.get(a.pk, {})
        out[a.pk] = index_of(
            status=a.status,
            with_survey=a.with_survey,
            max_total=a.criteria_set.max_total,
            appraisal_max=s.get("appraisal_max") or ZERO,
            self_total=s.get("self_total") or ZERO,
            appraised_total=s.get("appraised_total"),
            survey_total=s.get("survey_total") or ZERO,
        )
    return out


def ranking(
    assessments: QuerySet[Assessment], *, year: int, unit_kind: str, provisional: bool = False
) -> list[RankRow]:
    """The units of one kind assessed in one year, best index first; equal indices share a
    rank. `assessments` is the caller's scoped queryset. Only results the council fixed count,
    unless `provisional` (then every assessment, on its provisional index where it has no
    other)."""
    chosen = (
        assessments.filter(year=year, criteria_set__unit_kind=unit_kind)
        .select_related("unit", "criteria_set")
        .order_by("pk")
    )
    if not provisional:
        chosen = chosen.filter(status__in=RANKED_STATUSES)
    rows = list(chosen)
    indices = indices_of(rows)
    ranked: list[tuple[Decimal, Assessment, Index]] = []
    for a in rows:
        index = indices[a.pk]
        if index.value is not None:
            ranked.append((index.value, a, index))
    ranked.sort(key=lambda r: (-r[0], r[1].unit.name))
    out: list[RankRow] = []
    for position, (value, a, index) in enumerate(ranked, start=1):
        rank = out[-1].rank if out and out[-1].index == value else position
        out.append(RankRow(rank, a, value, index.provisional, index.grade(a.criteria_set.bands)))
    return out
