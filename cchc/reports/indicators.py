"""The nine evaluation indicators of TT 01/2018/TT-VPCP Art. 13-15 (REFERENCE §2.4), per
dossier, per unit and per officer, from the platform's records; what the records cannot answer is
"not assessable", never guessed. The bands are data (`scoring.json`, `scoring.Tt01Config`).

    dossier_scores(unit_ids, start, end)             -> list[DossierScores]
    unit_indicators(unit, start, end, subtree, units) -> UnitIndicators
    children_indicators(parent, start, end, units)    -> list[UnitIndicators]
    officer_indicators(unit_ids, start, end)          -> list[OfficerRow]

The dossiers evaluated in a period are those that left processing with a decision in it
(resolved, or refused after appraisal: Biểu 06's "đã giải quyết"), in the scope's processing
units. Each indicator, and the data that answers it:

1. Total time against the time allowed: the dossier's outcome (early 2, on time 1, late 0).
2. Each body's time against its share: the steps' outcomes (`DossierStep.outcome`); a dossier
   scores as its slowest step (2 only if every body was early); a dossier without timed steps
   (imported) is not assessable. An officer is judged on their own steps.
3. Times the citizen had to come back to complete the dossier: supplement requests after
   receipt plus completion requests before it (Mẫu 02 online): 0 → 2, 1 → 1, more → 0. "Unless
   it was the citizen's fault" is not recorded: every request counts.
4. Bodies contacted to complete it: none (no request) → 2, the one-stop unit → 1. A citizen sent
   to another body is not recorded, so 0 is never given: the figure is an upper bound.
5. Share of procedures received, appraised and decided at the one-stop: not assessable (the
   platform does not record where the appraisal and the decision were made).
6. Publicity: every procedure of the platform's catalogue is published electronically; it is
   posted when it is on the unit's public listing (implemented there), which is the list the
   unit prints and posts (`publicity_posted_from_listing`): listed 2, not listed 1.
7. Staff attitude: a dissatisfied rating (1-2) citing the attitude → 0; otherwise early 2, on
   time 1, late 0 (the text gives no point to a late dossier). PAKN complaints about conduct
   cannot be tied to a dossier: they are shown beside the unit's figure.
8. PAKN handling: the rule of `feedback.reports.Timeliness.indicator_8` on the PAKN answered in
   the period and those overdue at its end (all on time 2, ≥ 90 % 1, otherwise 0; none: 2).
9. Online services: procedures offered online (toàn trình or một phần, read as levels 4 and 3)
   among those implemented, online dossiers among those received, online dossiers resolved
   late: ≥ 20 % and ≥ 30 % and none late → 2; 15 % to under 30 % online → 1; otherwise 0.

A unit's score for 1-4, 6, 7 is the dossiers' mean rounded to one decimal; the total adds the
nine. With `scale_unassessed`, a total missing indicators is brought to the 18-point scale before
its band is read (the page says how many indicators it rests on).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.accounts.models import User
from cchc.catalogue.choices import OnlineService
from cchc.catalogue.models import ProcedureVersion, UnitProcedure
from cchc.dossiers.choices import Action
from cchc.dossiers.models import Dossier, DossierEvent, DossierStep
from cchc.feedback.choices import SATISFIED_LEVELS, Kind, Level, Reason
from cchc.feedback.models import Feedback, Rating
from cchc.feedback.reports import Timeliness
from cchc.reports.resolution import check_period, units_in
from cchc.reports.scoring import OFFICER_BANDS, TT01_NAMES, UNIT_BANDS, band_of, config
from cchc.reports.service_index import (
    RESOLVED_ANY,
    Inputs,
    day_bounds,
    period_inputs,
)
from cchc.units.models import Unit
from cchc.worktime import deadlines
from cchc.worktime.choices import Outcome
from cchc.worktime.deadlines import TZ

ONE = Decimal("0.1")
SCALE = Decimal(18)

_OUTCOME_POINTS: dict[str, int] = {Outcome.EARLY: 2, Outcome.ON_TIME: 1, Outcome.LATE: 0}
STEP_SCORE = Case(
    When(outcome=Outcome.EARLY, then=Value(2)),
    When(outcome=Outcome.ON_TIME, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)
DISSATISFIED = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)

# Why an indicator has no figure, and what an upper bound leaves out.
NOT_ASSESSABLE = {
    5: gettext_lazy("Nền tảng không ghi nhận nơi thẩm định, phê duyệt hồ sơ: không đánh giá được."),
}


def _mean(total: int, n: int) -> Decimal | None:
    if not n:
        return None
    return (Decimal(total) / n).quantize(ONE, rounding=ROUND_HALF_UP)


# -- per dossier ----------------------------------------------------------------------------------


@dataclass
class DossierScores:
    id: int
    code: str
    unit_id: int
    finished: dt.date
    contacts: int
    complaint: bool
    listed: bool
    scores: dict[int, int | None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "finished": self.finished.isoformat(),
            "contacts": self.contacts,
            "complaint": self.complaint,
            "scores": {str(n): s for n, s in sorted(self.scores.items())},
        }


def evaluated(unit_ids: Sequence[int], start: dt.date, end: dt.date) -> Any:
    """The dossiers evaluated in the period: decided (resolved or refused) in it."""
    since, until = day_bounds(start, end)
    return Dossier.objects.filter(
        RESOLVED_ANY,
        processing_unit_id__in=list(unit_ids),
        finished_at__gte=since,
        finished_at__lt=until,
        received_at__isnull=False,
    )


def dossier_scores(unit_ids: Sequence[int], start: dt.date, end: dt.date) -> list[DossierScores]:
    """Indicators 1, 2, 3, 4, 6 and 7 of each dossier evaluated in the period. Six set-based
    queries (the dossiers; their slowest steps and completion requests, grouped over the same
    dossiers; the attitude complaints; the public listings; the units), not one lookup per
    dossier."""
    cfg = config().tt01
    base = evaluated(unit_ids, start, end)
    chosen = base.values("id")
    slowest = dict(
        DossierStep.objects.filter(dossier__in=chosen)
        .exclude(outcome="")
        .values_list("dossier_id")
        .annotate(m=Min(STEP_SCORE))
        .order_by()
    )
    asks = dict(
        DossierEvent.objects.filter(dossier__in=chosen, action=Action.ASK_COMPLETION)
        .values_list("dossier_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    # A rating comes after the result: those of the period's dossiers were given since `start`
    # (the rating copies the processing unit: its own index answers this).
    complained = set(
        Rating.objects.filter(
            processing_unit_id__in=list(unit_ids),
            created_at__gte=day_bounds(start, end)[0],
            level__in=DISSATISFIED,
        )
        .annotate(text=Cast("reasons", TextField()))
        .filter(text__contains=f'"{Reason.ATTITUDE.value}"')
        .values_list("dossier_id", flat=True)
    )
    # The public listing of the processing unit, or of the administrative unit it belongs to.
    owners = dict(Unit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "admin_owner_id"))
    listed = set(
        UnitProcedure.objects.filter(
            unit_id__in={*owners, *(o for o in owners.values() if o)}, implemented=True
        ).values_list("unit_id", "procedure_id")
    )
    rows = base.order_by("processing_unit_id", "finished_at", "id").values_list(
        "id",
        "code",
        "processing_unit_id",
        "procedure_id",
        "finished_at",
        "outcome",
        "original_due_at",
        "supplement_count",
    )
    out = []
    for pk, code, unit_id, procedure_id, finished_at, outcome, due, supplements in rows.iterator(
        chunk_size=5000
    ):
        judged = outcome or (deadlines.outcome(due, finished_at) if due is not None else "")
        time_points = _OUTCOME_POINTS.get(judged)
        contacts = (supplements or 0) + asks.get(pk, 0)
        is_listed = (unit_id, procedure_id) in listed or (
            owners.get(unit_id),
            procedure_id,
        ) in listed
        scores: dict[int, int | None] = {
            1: time_points,
            2: slowest.get(pk),
            3: 2 if contacts == 0 else 1 if contacts == 1 else 0,
            4: 2 if contacts == 0 else 1,
            6: (2 if is_listed else 1) if cfg.publicity_posted_from_listing else None,
            7: 0 if pk in complained else time_points,
        }
        out.append(
            DossierScores(
                pk,
                code,
                unit_id,
                timezone.localtime(finished_at, TZ).date(),
                contacts,
                pk in complained,
                is_listed,
                scores,
            )
        )
    return out


# -- per unit -------------------------------------------------------------------------------------


@dataclass
class IndicatorScore:
    number: int
    scope: str  # "dossier" (mean of the dossiers' scores) or "unit"
    score: Decimal | None
    dossiers: int = 0  # dossiers with a score (per-dossier indicators)
    detail: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def name(self) -> str:
        return str(TT01_NAMES[self.number])

    @property
    def assessable(self) -> bool:
        return self.score is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "scope": self.scope,
            "score": float(self.score) if self.score is not None else None,
            "assessable": self.assessable,
            "dossiers": self.dossiers,
            "detail": self.detail,
            "note": self.note,
        }


@dataclass
class UnitIndicators:
    unit: Unit
    start: dt.date
    end: dt.date
    dossiers: int
    indicators: list[IndicatorScore]
    conduct_complaints: int = 0

    @property
    def total(self) -> Decimal:
        return sum((i.score for i in self.indicators if i.score is not None), Decimal(0))

    @property
    def assessed(self) -> int:
        return sum(1 for i in self.indicators if i.assessable)

    @property
    def scaled_total(self) -> Decimal | None:
        """The total on the 18-point scale the bands are set on (`scale_unassessed`)."""
        if not self.assessed:
            return None
        if not config().tt01.scale_unassessed or self.assessed == len(self.indicators):
            return self.total
        return (self.total * SCALE / (2 * self.assessed)).quantize(ONE, rounding=ROUND_HALF_UP)

    @property
    def band(self) -> str | None:
        value = self.scaled_total
        return band_of(value, config().tt01.unit_bands) if value is not None else None

    @property
    def band_label(self) -> str:
        return str(UNIT_BANDS[self.band]) if self.band else ""

    def indicator(self, number: int) -> IndicatorScore:
        return next(i for i in self.indicators if i.number == number)

    def as_dict(self) -> dict[str, Any]:
        cfg = config().tt01
        scaled = self.scaled_total
        return {
            "unit": {"code": self.unit.code, "name": self.unit.name},
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "dossiers": self.dossiers,
            "indicators": [i.as_dict() for i in self.indicators],
            "total": float(self.total),
            "assessed": self.assessed,
            "scaled_total": float(scaled) if scaled is not None else None,
            "band": self.band,
            "band_label": self.band_label,
            "bands_verified": cfg.unit_bands_verified,
            "conduct_complaints": self.conduct_complaints,
        }


@dataclass
class _Sums:
    dossiers: int = 0
    points: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    counted: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    inputs: Inputs = field(default_factory=Inputs)
    procedures_online_any: int = 0
    complaints: int = 0

    def add(self, other: _Sums) -> None:
        self.dossiers += other.dossiers
        for n, v in other.points.items():
            self.points[n] += v
        for n, v in other.counted.items():
            self.counted[n] += v
        self.inputs = self.inputs + other.inputs
        self.procedures_online_any += other.procedures_online_any
        self.complaints += other.complaints


def _online_any(unit_ids: Sequence[int], on: dt.date) -> dict[int, int]:
    """Implemented procedures offered online in either form (levels 3-4) in force on `on`."""
    service = Subquery(
        ProcedureVersion.objects.filter(procedure=OuterRef("procedure_id"), effective_from__lte=on)
        .order_by("-effective_from")
        .values("online_service")[:1]
    )
    rows = (
        UnitProcedure.objects.filter(unit_id__in=list(unit_ids), implemented=True)
        .annotate(service=service)
        .filter(service__in=[OnlineService.FULL, OnlineService.PARTIAL])
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def _complaints(unit_ids: Sequence[int], start: dt.date, end: dt.date) -> dict[int, int]:
    since, until = day_bounds(start, end)
    rows = (
        Feedback.objects.filter(
            unit_id__in=list(unit_ids),
            kind=Kind.COMPLAINT,
            received_at__gte=since,
            received_at__lt=until,
        )
        .exclude(rejected_at__isnull=False)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def _sums(
    unit_ids: Sequence[int], start: dt.date, end: dt.date, now: dt.datetime
) -> dict[int, _Sums]:
    """Everything the nine indicators need, per processing unit, in a bounded number of queries
    whatever the number of units."""
    out: dict[int, _Sums] = defaultdict(_Sums)
    for d in dossier_scores(unit_ids, start, end):
        s = out[d.unit_id]
        s.dossiers += 1
        for n, value in d.scores.items():
            if value is not None:
                s.points[n] += value
                s.counted[n] += 1
    for pk, inputs in period_inputs(unit_ids, start, end, now=now).items():
        out[pk].inputs = inputs
    for pk, n in _online_any(unit_ids, end).items():
        out[pk].procedures_online_any = n
    for pk, n in _complaints(unit_ids, start, end).items():
        out[pk].complaints = n
    return out


def _indicators(s: _Sums) -> list[IndicatorScore]:
    cfg = config().tt01
    out: list[IndicatorScore] = []
    i = s.inputs
    for number in range(1, 10):
        if number in (1, 2, 3, 4, 6, 7):
            note = ""
            if number == 4:
                note = _("Nền tảng chỉ ghi nhận liên hệ qua Bộ phận Một cửa: là mức tối đa.")
            if number == 6 and not cfg.publicity_posted_from_listing:
                note = _("Chưa xác nhận việc niêm yết tại trụ sở: không đánh giá được.")
            if number == 7 and s.complaints:
                note = _("%(n)s khiếu nại về thái độ cán bộ gửi đến đơn vị trong kỳ.") % {
                    "n": s.complaints
                }
            out.append(
                IndicatorScore(
                    number,
                    "dossier",
                    _mean(s.points[number], s.counted[number]),
                    dossiers=s.counted[number],
                    note=note,
                )
            )
        elif number == 5:
            out.append(IndicatorScore(5, "unit", None, note=str(NOT_ASSESSABLE[5])))
        elif number == 8:
            timeliness = Timeliness(i.pakn_on_time, i.pakn_late, 0, i.pakn_overdue_open)
            share = timeliness.on_time_share
            out.append(
                IndicatorScore(
                    8,
                    "unit",
                    Decimal(timeliness.indicator_8),
                    detail={
                        "answered_on_time": i.pakn_on_time,
                        "answered_late": i.pakn_late,
                        "open_overdue": i.pakn_overdue_open,
                        "on_time_share": float(share) if share is not None else None,
                    },
                )
            )
        else:
            out.append(_indicator_9(s, cfg))
    return out


def _indicator_9(s: _Sums, cfg: Any) -> IndicatorScore:
    i = s.inputs
    procedures = _share(s.procedures_online_any, i.procedures_implemented)
    dossiers = _share(i.received_online, i.received)
    late_online = i.online_resolved - i.online_on_time
    detail = {
        "procedures_online": s.procedures_online_any,
        "procedures_implemented": i.procedures_implemented,
        "procedures_online_share": float(procedures) if procedures is not None else None,
        "received_online": i.received_online,
        "received": i.received,
        "dossiers_online_share": float(dossiers) if dossiers is not None else None,
        "online_resolved_late": late_online,
    }
    if procedures is None or dossiers is None:
        return IndicatorScore(
            9, "unit", None, detail=detail, note=_("Không có thủ tục hoặc hồ sơ trong kỳ.")
        )
    if (
        procedures >= cfg.procedures_online_min
        and dossiers >= cfg.dossiers_online_min
        and late_online == 0
    ):
        value = 2
    elif cfg.dossiers_online_partial_min <= dossiers < cfg.dossiers_online_min:
        value = 1
    else:
        value = 0
    return IndicatorScore(9, "unit", Decimal(value), detail=detail)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return Decimal(100) * part / whole


def _combine(sums: dict[int, _Sums], ids: Collection[int]) -> _Sums:
    total = _Sums()
    for pk in ids:
        if pk in sums:
            total.add(sums[pk])
    return total


def unit_indicators(
    unit: Unit,
    start: dt.date,
    end: dt.date,
    *,
    subtree: bool = False,
    units: Collection[int] | None = None,
    now: dt.datetime | None = None,
) -> UnitIndicators:
    """The nine indicators of `unit` (with its agencies, or its whole subtree) for the period."""
    now = now or timezone.now()
    check_period(start, end, timezone.localtime(now, TZ).date())
    ids = sorted(units if units is not None else units_in(unit, subtree=subtree))
    s = _combine(_sums(ids, start, end, now), ids)
    return UnitIndicators(unit, start, end, s.dossiers, _indicators(s), s.complaints)


def children_indicators(
    parent: Unit,
    start: dt.date,
    end: dt.date,
    *,
    units: Collection[int] | None = None,
    now: dt.datetime | None = None,
) -> list[UnitIndicators]:
    """The units directly under `parent`, each with everything under it: one pass over the
    records for all of them."""
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    check_period(start, end, today)
    tree = list(Unit.objects.filter(path__startswith=parent.path).values_list("pk", "path"))
    allowed = set(units) if units is not None else {pk for pk, _p in tree}
    children = [
        u
        for u in Unit.objects.filter(parent=parent).current(on=min(end, today)).order_by("path")
        if u.pk in allowed
    ]
    members = {
        c.pk: [pk for pk, path in tree if path.startswith(c.path) and pk in allowed]
        for c in children
    }
    sums = _sums(sorted({pk for ids in members.values() for pk in ids}), start, end, now)
    out = []
    for child in children:
        s = _combine(sums, members[child.pk])
        out.append(UnitIndicators(child, start, end, s.dossiers, _indicators(s), s.complaints))
    return out


# -- per officer ----------------------------------------------------------------------------------


@dataclass
class OfficerRow:
    user_id: int
    username: str
    name: str
    steps: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    dossiers: int = 0
    supplement_requests: int = 0
    completion_requests: int = 0
    rated: int = 0
    satisfied: int = 0
    evaluated: int = 0  # dossiers decided in the period that they worked on
    means: dict[int, Decimal | None] = field(default_factory=dict)

    @property
    def points(self) -> Decimal | None:
        values = [v for v in self.means.values() if v is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def band(self) -> str | None:
        value = self.points
        return band_of(value, config().tt01.officer_bands) if value is not None else None

    @property
    def band_label(self) -> str:
        return str(OFFICER_BANDS[self.band]) if self.band else ""

    @property
    def satisfaction_rate(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(100) * self.satisfied / self.rated).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    def as_dict(self) -> dict[str, Any]:
        points = self.points
        rate = self.satisfaction_rate
        return {
            "username": self.username,
            "name": self.name,
            "steps": self.steps,
            "early": self.early,
            "on_time": self.on_time,
            "late": self.late,
            "dossiers": self.dossiers,
            "supplement_requests": self.supplement_requests,
            "completion_requests": self.completion_requests,
            "rated": self.rated,
            "satisfied": self.satisfied,
            "satisfaction_rate": float(rate) if rate is not None else None,
            "evaluated": self.evaluated,
            "indicators": {
                str(n): float(v) if v is not None else None for n, v in sorted(self.means.items())
            },
            "points": float(points) if points is not None else None,
            "band": self.band,
            "band_label": self.band_label,
        }


def officer_indicators(
    unit_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
) -> list[OfficerRow]:
    """Per officer, for the dossiers processed in these units (staff evaluation, "đánh giá cán
    bộ trên cơ sở kết quả công việc"): steps they finished in the period, early / on time / late
    against each step's own share; the dossiers those steps belong to; supplement and completion
    requests they made; the ratings of those dossiers; and their TT 01/2018 points over the
    dossiers decided in the period that they worked on (the indicators in
    `officer_indicators`, indicator 2 from their own steps).

    A step is the officer's it was given to (`assignee`), or, given to a body rather than a
    person, the officer who handed it on (the next step's `given_by`). The steps of the dossiers
    concerned are read once, in order, and attributed here; a bounded number of queries."""
    now = now or timezone.now()
    check_period(start, end, timezone.localtime(now, TZ).date())
    ids = list(unit_ids)
    since, until = day_bounds(start, end)
    rows: dict[int, OfficerRow] = {}

    def row(pk: int) -> OfficerRow:
        if pk not in rows:
            rows[pk] = OfficerRow(pk, "", "")
        return rows[pk]

    in_period = Q(finished_at__gte=since, finished_at__lt=until)
    touched = (
        DossierStep.objects.filter(in_period, dossier__processing_unit_id__in=ids)
        .exclude(outcome="")
        .values("dossier_id")
    )
    decided = evaluated(ids, start, end).values("id")
    scores = {d.id: d for d in dossier_scores(ids, start, end)}
    ratings = dict(Rating.objects.filter(dossier__in=touched).values_list("dossier_id", "level"))

    # (handler, dossier) → the officer's slowest step score there, for the dossiers decided.
    own: dict[tuple[int, int], int] = {}
    handled: dict[int, set[int]] = defaultdict(set)
    touched_ids = set(touched.values_list("dossier_id", flat=True))
    steps = (
        DossierStep.objects.filter(Q(dossier__in=touched) | Q(dossier__in=decided))
        .order_by("dossier_id", "position")
        .values_list("dossier_id", "assignee_id", "given_by_id", "outcome", "finished_at")
    )

    def attribute(dossier_steps: list[tuple[Any, ...]]) -> None:
        for k, (dossier_id, assignee, _given, outcome, finished) in enumerate(dossier_steps):
            if not outcome:
                continue
            following = dossier_steps[k + 1][2] if k + 1 < len(dossier_steps) else None
            handler = assignee or following
            if handler is None:
                continue
            if dossier_id in touched_ids and since <= finished < until:
                o = row(handler)
                o.steps += 1
                o.early += outcome == Outcome.EARLY
                o.on_time += outcome == Outcome.ON_TIME
                o.late += outcome == Outcome.LATE
                handled[handler].add(dossier_id)
            if dossier_id in scores:
                key = (handler, dossier_id)
                own[key] = min(own.get(key, 2), _OUTCOME_POINTS[outcome])

    current: list[tuple[Any, ...]] = []
    for step in steps.iterator(chunk_size=5000):
        if current and current[0][0] != step[0]:
            attribute(current)
            current = []
        current.append(step)
    attribute(current)

    for handler, dossiers in handled.items():
        o = row(handler)
        o.dossiers = len(dossiers)
        levels = [ratings[d] for d in dossiers if d in ratings]
        o.rated = len(levels)
        o.satisfied = sum(1 for level in levels if level in SATISFIED_LEVELS)

    requests = (
        DossierEvent.objects.filter(
            dossier__processing_unit_id__in=ids,
            at__gte=since,
            at__lt=until,
            action__in=[Action.REQUEST_SUPPLEMENT, Action.ASK_COMPLETION],
            actor__isnull=False,
        )
        .values_list("actor_id", "action")
        .annotate(n=Count("id"))
        .order_by()
    )
    for actor, action, n in requests:
        if action == Action.REQUEST_SUPPLEMENT:
            row(actor).supplement_requests += n
        else:
            row(actor).completion_requests += n

    # TT 01/2018 points: the dossiers decided in the period, each officer on those they worked on.
    cfg = config().tt01
    totals: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for (handler, dossier_id), own_step in own.items():
        d = scores[dossier_id]
        row(handler).evaluated += 1
        for n in cfg.officer_indicators:
            value = own_step if n == 2 else d.scores.get(n)
            if value is not None:
                totals[handler][n].append(value)
    for pk, o in rows.items():
        o.means = {n: _mean(sum(totals[pk][n]), len(totals[pk][n])) for n in cfg.officer_indicators}

    for pk, username, full_name in User.objects.filter(pk__in=list(rows)).values_list(
        "pk", "username", "full_name"
    ):
        rows[pk].username, rows[pk].name = username, full_name or username
    return sorted(rows.values(), key=lambda o: (o.name, o.user_id))
