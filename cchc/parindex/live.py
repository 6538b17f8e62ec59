"""An assessment's live projected score (issue 14 item 4): each automatic criterion measured by
its formula over the assessed unit's subtree and the assessment's year so far, scored by its
rule, and the projected totals — "a live projected score all year, not only at the deadline".

    period(assessment, now=None)     -> (1 Jan, today or 31 Dec)
    projection(assessment, now=None) -> LiveProjection

The units measured are the assessed unit and everything under it (its one-stop centre, its
offices; a district's communes): the assessment is the unit's, whoever reads it, and the caller
has already reached the assessment through its scope (`lookup.get_assessment_for`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cchc.parindex.automatic import Projection, live_projection
from cchc.parindex.choices import Method
from cchc.parindex.models import Assessment, Criterion, Score
from cchc.reports.resolution import units_in
from cchc.worktime.deadlines import TZ

ZERO = Decimal(0)


def period(assessment: Assessment, now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """The assessment's year so far: 1 January to today, or to 31 December once it is over. A
    year not begun is refused by the formulas' period check (400, naming today)."""
    today = timezone.localtime(now or timezone.now(), TZ).date()
    return dt.date(assessment.year, 1, 1), min(today, dt.date(assessment.year, 12, 31))


@dataclass(frozen=True)
class LiveRow:
    criterion: Criterion
    projection: Projection
    self_score: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.criterion.title, **self.projection.as_dict()}


@dataclass(frozen=True)
class LiveProjection:
    start: dt.date
    end: dt.date
    rows: list[LiveRow]
    # The other criteria the unit scores (appraised, else self-scored, else 0) plus the
    # automatic criteria's projection: the appraisal points the unit is heading for.
    others_points: Decimal
    appraisal_max: Decimal

    @property
    def total(self) -> Decimal:
        """The automatic criteria's projected points (an unmeasured criterion counts 0)."""
        return sum((r.projection.score or ZERO for r in self.rows), ZERO)

    @property
    def max_total(self) -> Decimal:
        return sum((r.projection.max_score for r in self.rows), ZERO)

    @property
    def projected_points(self) -> Decimal:
        return self.others_points + self.total


def projection(assessment: Assessment, *, now: dt.datetime | None = None) -> LiveProjection:
    start, end = period(assessment, now)
    scores = list(
        Score.objects.filter(assessment=assessment)
        .exclude(criterion__method=Method.SURVEY)
        .select_related("criterion")
        .order_by("criterion__order")
    )
    automatic = [s for s in scores if s.criterion.method == Method.AUTOMATIC]
    projected = live_projection(
        units_in(assessment.unit, subtree=True),
        start,
        end,
        [s.criterion for s in automatic],
        now=now,
    )
    others = sum(
        (
            s.appraised_score if s.appraised_score is not None else s.self_score or ZERO
            for s in scores
            if s.criterion.method != Method.AUTOMATIC
        ),
        ZERO,
    )
    return LiveProjection(
        start=start,
        end=end,
        rows=[
            LiveRow(s.criterion, p, s.self_score) for s, p in zip(automatic, projected, strict=True)
        ],
        others_points=others,
        appraisal_max=sum((s.criterion.max_score for s in scores), ZERO),
    )
