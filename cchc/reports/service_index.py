"""The service index of QĐ 766/QĐ-TTg, computed from the platform's records for any unit and
period, kept in a daily snapshot so that trends and rankings between units are instant.

The interface (docs/reports.md):

    service_index(unit, start, end, subtree=False, units=None, now=None) -> IndexReport
    service_index_for(user, unit_code, start, end, subtree=False)       -> the same, scoped (404)
    ranking(parent, start, end, units=None, now=None, min_dossiers=None) -> Ranking
    trend(unit, start, end, subtree=False, units=None, now=None)        -> list[TrendPoint]
    lost_points(unit_ids, key, start, end, now=None, limit, offset)     -> Lost (drill-down)
    period_inputs(unit_ids, start, end, now=None)                        -> {unit id: Inputs}
    direct_inputs(unit_ids, start, end, now=None)                        -> the same, from records
    refresh_days(days), sweep(), schedule_sweep()                        -> the snapshot

What is counted, per processing unit, for the local days start..end (the weights and formulas
are data: `scoring.json`; the measures are defined here, once):
- flows, summed over the days: dossiers received (Biểu 06 column 4 + 5) and received online;
  resolved (early, on time, late: as Biểu 06 judges them, from `resolution`), online ones apart;
  refusals; results issued as electronic documents (`Dossier.result_digital`); dossiers received
  whose submitted documents are all digitised; ratings and satisfied ratings; payments and online
  payments (`DossierPayment.method`); PAKN answered on time and late;
- states at the end of the last day: dossiers in progress and overdue (Biểu 06 column 13), PAKN
  open past their deadline, and the catalogue (procedures the unit implements, those with a
  version in force, those offered fully online, those of its level it has decided on).

The snapshot holds one row per unit and day. A period it holds whole is read from it alone (its
days' flows, the states its last day ended with); days it has not reached yet, and today, are
counted from the records, so an answer is exact whether or not the job has run, the past as of
the last sweep (which counts again the days records changed on).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cchc.catalogue.choices import AuthorityLevel, OnlineService
from cchc.catalogue.models import Procedure, ProcedureVersion, UnitProcedure
from cchc.dossiers import rules
from cchc.dossiers.choices import Channel, EndType, PaymentMethod, Status
from cchc.dossiers.models import DocumentKind, Dossier, DossierDocument, DossierPayment
from cchc.feedback.choices import SATISFIED_LEVELS, Level
from cchc.feedback.models import Feedback, Rating
from cchc.reports.choices import Dimension, End
from cchc.reports.facts import DOSSIER_FIELDS, facts_of, intervals
from cchc.reports.models_index import (
    FLOW_COLUMNS,
    STATE_COLUMNS,
    ServiceIndexDay,
    ServiceIndexState,
)
from cchc.reports.resolution import PeriodError, check_period, resolution, units_in
from cchc.reports.scoring import (
    NOT_ASSESSABLE_REASONS,
    UNIT_BANDS,
    IndexIndicator,
    Scoring,
    band_of,
    config,
)
from cchc.units.choices import UnitKind
from cchc.units.models import Unit, unit_scope, visible_unit_ids
from cchc.worktime.deadlines import TZ

logger = logging.getLogger(__name__)

LOCK_ID = 7_311_766  # pg_advisory_xact_lock key of the snapshot's writer
HUNDRED = Decimal(100)
TWO = Decimal("0.01")


# -- settings (docs/reports.md) --------------------------------------------------------------------


def rank_min_dossiers() -> int:
    """Dossiers received in the period before a unit is ranked (small units are listed apart)."""
    return int(getattr(settings, "REPORTS_INDEX_RANK_MIN_DOSSIERS", 30))


def sweep_interval() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "REPORTS_INDEX_SWEEP_SECONDS", 300)))


def sweep_lag() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "REPORTS_SWEEP_LAG_SECONDS", 600)))


def recheck_days() -> int:
    """Days counted again whole once a day (dates edited by hand move a dossier between days)."""
    return int(getattr(settings, "REPORTS_INDEX_RECHECK_DAYS", 35))


def first_backfill_months() -> int:
    """How many months back the first sweep counts (older days: `refresh_service_index`)."""
    return int(getattr(settings, "REPORTS_INDEX_BACKFILL_MONTHS", 13))


# -- what is counted --------------------------------------------------------------------------------


@dataclass
class Inputs:
    """A unit's (or a set of units') numerators and denominators for one period."""

    received: int = 0
    received_online: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    online_resolved: int = 0
    online_on_time: int = 0
    refused: int = 0
    results_digital: int = 0
    documents_digitised: int = 0
    rated: int = 0
    satisfied: int = 0
    payments: int = 0
    payments_online: int = 0
    pakn_on_time: int = 0
    pakn_late: int = 0
    overdue_open: int = 0
    pakn_overdue_open: int = 0
    procedures_implemented: int = 0
    procedures_in_force: int = 0
    procedures_online_full: int = 0
    procedures_of_level: int = 0
    procedures_decided: int = 0

    def __add__(self, other: Inputs) -> Inputs:
        return Inputs(**{k: getattr(self, k) + getattr(other, k) for k in INPUT_FIELDS})

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in INPUT_FIELDS}

    def any(self) -> bool:
        return any(getattr(self, k) for k in INPUT_FIELDS)

    @property
    def results(self) -> int:
        """Resolved with a result (a refusal after appraisal is resolved without one)."""
        return self.resolved - self.refused

    @property
    def online_on_time_rate(self) -> Decimal | None:
        """Online dossiers resolved on time among online dossiers resolved (SEEDS: 93,79 %)."""
        return _percent(self.online_on_time, self.online_resolved)


INPUT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Inputs))
assert INPUT_FIELDS == FLOW_COLUMNS + STATE_COLUMNS


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (HUNDRED * part / whole).quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Measure:
    """One rate the platform can measure: numerator and denominator from `Inputs`, and what the
    drill-down lists when points are lost (dossier, procedure or PAKN codes)."""

    numerator: Callable[[Inputs], int]
    denominator: Callable[[Inputs], int]
    items: str


MEASURES: dict[str, Measure] = {
    # Procedures the unit implements whose content is in force (published on the portal).
    "procedures_published": Measure(
        lambda i: i.procedures_in_force, lambda i: i.procedures_implemented, "procedure"
    ),
    # Procedures of the unit's level (commune, province) it has decided on, implemented or not
    # with a reason: the printable public listing shows both.
    "catalogue_reviewed": Measure(
        lambda i: i.procedures_decided, lambda i: i.procedures_of_level, "procedure"
    ),
    # Resolved early or on time, among resolved plus those in progress and overdue at the end:
    # a late dossier kept open still counts against the unit.
    "on_time": Measure(
        lambda i: i.resolved_on_time, lambda i: i.resolved + i.overdue_open, "dossier"
    ),
    "results_digital": Measure(lambda i: i.results_digital, lambda i: i.results, "dossier"),
    "documents_digitised": Measure(
        lambda i: i.documents_digitised, lambda i: i.received, "dossier"
    ),
    "online_procedures": Measure(
        lambda i: i.procedures_online_full, lambda i: i.procedures_implemented, "procedure"
    ),
    "online_dossiers": Measure(lambda i: i.received_online, lambda i: i.received, "dossier"),
    "online_payment": Measure(lambda i: i.payments_online, lambda i: i.payments, "dossier"),
    "satisfaction": Measure(lambda i: i.satisfied, lambda i: i.rated, "dossier"),
    # PAR.md §4.1 [V]: handled on or before the deadline / PAKN due to be judged.
    "pakn_on_time": Measure(
        lambda i: i.pakn_on_time,
        lambda i: i.pakn_on_time + i.pakn_late + i.pakn_overdue_open,
        "feedback",
    ),
}


# -- scores -----------------------------------------------------------------------------------------


@dataclass
class SubScore:
    key: str
    name: str
    group: str
    max: Decimal
    weight_verified: bool
    formula: str
    measure: str | None
    numerator: int | None
    denominator: int | None
    rate: Decimal | None  # in %
    points: Decimal | None
    assessable: bool
    note: str = ""

    @property
    def lost(self) -> Decimal | None:
        return self.max - self.points if self.points is not None else None

    @property
    def items(self) -> str | None:
        return MEASURES[self.measure].items if self.measure else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "max": float(self.max),
            "points": float(self.points) if self.points is not None else None,
            "lost": float(self.lost) if self.lost is not None else None,
            "rate": float(self.rate) if self.rate is not None else None,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "assessable": self.assessable,
            "weight_verified": self.weight_verified,
            "formula": self.formula,
            "formula_verified": False,
            "drill_down": self.items,
            "note": self.note,
        }


@dataclass
class GroupScore:
    key: str
    name: str
    max: Decimal
    subs: list[SubScore]

    @property
    def points(self) -> Decimal:
        return sum((s.points for s in self.subs if s.points is not None), Decimal(0))

    @property
    def assessable_max(self) -> Decimal:
        return sum((s.max for s in self.subs if s.assessable), Decimal(0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "max": float(self.max),
            "points": float(self.points),
            "assessable_max": float(self.assessable_max),
            "indicators": [s.as_dict() for s in self.subs],
        }


@dataclass
class IndexResult:
    groups: list[GroupScore]
    scaled: bool
    bands_verified: bool
    version: str
    fingerprint: str

    @property
    def points(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal(0))

    @property
    def assessable_max(self) -> Decimal:
        return sum((g.assessable_max for g in self.groups), Decimal(0))

    @property
    def score(self) -> Decimal | None:
        """Out of 100: the points, or, with `scale_unassessed`, the points over what could be
        assessed, brought to 100 (so a sub-indicator the platform cannot measure neither counts
        for nor against a unit)."""
        if not self.assessable_max:
            return None
        if not self.scaled:
            return self.points.quantize(TWO, rounding=ROUND_HALF_UP)
        return (self.points * HUNDRED / self.assessable_max).quantize(TWO, rounding=ROUND_HALF_UP)

    @property
    def band(self) -> str | None:
        score = self.score
        return band_of(score, config().index.bands) if score is not None else None

    @property
    def band_label(self) -> str:
        return str(UNIT_BANDS[self.band]) if self.band else ""

    def sub(self, key: str) -> SubScore:
        for g in self.groups:
            for s in g.subs:
                if s.key == key:
                    return s
        raise KeyError(key)

    def as_dict(self) -> dict[str, Any]:
        score = self.score
        return {
            "score": float(score) if score is not None else None,
            "points": float(self.points),
            "assessable_max": float(self.assessable_max),
            "scaled": self.scaled,
            "band": self.band,
            "band_label": self.band_label,
            "bands_verified": self.bands_verified,
            "scoring_version": self.version,
            "scoring_fingerprint": self.fingerprint,
            "groups": [g.as_dict() for g in self.groups],
        }


def _sub_score(ind: IndexIndicator, inputs: Inputs) -> SubScore:
    base: dict[str, Any] = {
        "key": ind.key,
        "name": ind.name,
        "group": ind.group,
        "max": ind.max,
        "weight_verified": ind.weight_verified,
        "formula": ind.formula.kind,
        "measure": ind.measure,
    }
    if ind.measure is None:
        reason = NOT_ASSESSABLE_REASONS.get(ind.not_assessable or "", "")
        return SubScore(
            **base,
            numerator=None,
            denominator=None,
            rate=None,
            points=None,
            assessable=False,
            note=str(reason),
        )
    measure = MEASURES[ind.measure]
    num, den = measure.numerator(inputs), measure.denominator(inputs)
    if den <= 0:
        if ind.empty == "full":
            return SubScore(
                **base,
                numerator=num,
                denominator=den,
                rate=None,
                points=ind.max,
                assessable=True,
                note=_("Không phát sinh trong kỳ: đạt điểm tối đa."),
            )
        if ind.empty == "zero":
            return SubScore(
                **base,
                numerator=num,
                denominator=den,
                rate=None,
                points=Decimal(0),
                assessable=True,
                note=_("Không phát sinh trong kỳ: không có điểm."),
            )
        return SubScore(
            **base,
            numerator=num,
            denominator=den,
            rate=None,
            points=None,
            assessable=False,
            note=_("Không phát sinh trong kỳ: không đánh giá."),
        )
    rate = Decimal(min(num, den)) / Decimal(den)
    return SubScore(
        **base,
        numerator=num,
        denominator=den,
        rate=(rate * HUNDRED).quantize(TWO, rounding=ROUND_HALF_UP),
        points=ind.formula.points(rate, ind.max),
        assessable=True,
    )


def score(inputs: Inputs, scoring: Scoring | None = None) -> IndexResult:
    """The index of these inputs under the configured weights and formulas (no queries)."""
    scoring = scoring or config()
    cfg = scoring.index
    groups = [
        GroupScore(
            g.key,
            g.name,
            g.max,
            [_sub_score(i, inputs) for i in cfg.indicators if i.group == g.key],
        )
        for g in cfg.groups
    ]
    return IndexResult(
        groups, cfg.scale_unassessed, cfg.bands_verified, scoring.version, scoring.fingerprint
    )


# -- counting from the records ---------------------------------------------------------------------


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(start, dt.time.min, TZ),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, TZ),
    )


def _as_of(end: dt.date, now: dt.datetime) -> tuple[dt.datetime, bool]:
    """The moment a period's states stand at: the end of its last day, or now if that is today."""
    today = timezone.localtime(now, TZ).date()
    if end >= today:
        return now, True
    return day_bounds(end, end)[1], False


# A dossier that left processing with a result (Biểu 06's "resolved" without the refusals), and
# with or without one (refusals included), named as `facts.facts_of` reads the columns: an
# imported dossier without an end type counts as resolved unless its status says otherwise.
_NO_END_TYPE = Q(end_type="") & ~Q(status__in=[Status.WITHDRAWN, Status.STOPPED])
WITH_RESULT = Q(end_type=EndType.RESOLVED) | _NO_END_TYPE
RESOLVED_ANY = Q(end_type__in=[EndType.RESOLVED, EndType.REFUSED]) | _NO_END_TYPE
INPUT_DOCUMENTS = (DocumentKind.SUBMITTED, DocumentKind.SUPPLEMENT)


def _code_map(unit_ids: Collection[int]) -> dict[str, int]:
    """Unit code → id, for the rows of `resolution` (keyed by code). Two units sharing a code (a
    successor that took over a merged commune's code) are counted under the one in force."""
    out: dict[str, int] = {}
    today = timezone.localdate()
    rows = Unit.objects.filter(pk__in=list(unit_ids)).values_list(
        "pk", "code", "valid_from", "valid_to"
    )
    for pk, code, valid_from, valid_to in sorted(rows, key=lambda r: r[0]):
        in_force = (valid_from is None or valid_from <= today) and (
            valid_to is None or valid_to >= today
        )
        if code not in out or in_force:
            out[code] = pk
    return out


def _anchor(unit_ids: Sequence[int]) -> Unit:
    unit = Unit.objects.filter(pk__in=list(unit_ids)[:1]).first()
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị"))
    return unit


def _from_resolution(
    out: dict[int, Inputs],
    unit_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    *,
    flows: bool = True,
) -> None:
    """Biểu 06's figures by unit and channel: received, resolved by outcome, ratings, and the
    dossiers in progress and overdue at the end."""
    report = resolution(
        _anchor(unit_ids),
        start,
        end,
        group=(Dimension.UNIT, Dimension.CHANNEL),
        now=now,
        units=unit_ids,
    )
    codes = _code_map(unit_ids)
    online = set(Channel.online())
    for row in report.rows:
        unit_code, channel = row.key
        pk = codes.get(unit_code)
        if pk is None:
            continue
        c = row.counts
        i = out[pk]
        i.overdue_open += c.in_progress_overdue
        if not flows:
            continue
        on_time = c.resolved_early + c.resolved_on_time
        i.received += c.received_new
        i.resolved += c.resolved_total
        i.resolved_on_time += on_time
        i.refused += c.resolved_refused
        i.rated += c.rated
        i.satisfied += c.satisfied
        if channel in online:
            i.received_online += c.received_new
            i.online_resolved += c.resolved_total
            i.online_on_time += on_time


def _flows_from_records(
    out: dict[int, Inputs], unit_ids: Sequence[int], start: dt.date, end: dt.date
) -> None:
    """The flows Biểu 06 does not carry: electronic results, digitised dossiers, payments, PAKN
    answered. Four grouped queries, whatever the number of units."""
    since, until = day_bounds(start, end)
    ids = list(unit_ids)
    digital = (
        Dossier.objects.filter(
            WITH_RESULT,
            processing_unit_id__in=ids,
            finished_at__gte=since,
            finished_at__lt=until,
            received_at__isnull=False,
            result_digital=True,
        )
        .values("processing_unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in digital:
        out[row["processing_unit_id"]].results_digital += row["n"]

    documents = DossierDocument.objects.filter(dossier=OuterRef("pk"), kind__in=INPUT_DOCUMENTS)
    digitised = (
        Dossier.objects.filter(
            processing_unit_id__in=ids, received_at__gte=since, received_at__lt=until
        )
        .filter(Exists(documents), ~Exists(documents.filter(digitised=False)))
        .values("processing_unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in digitised:
        out[row["processing_unit_id"]].documents_digitised += row["n"]

    payments = (
        DossierPayment.objects.filter(
            paid_at__gte=since, paid_at__lt=until, dossier__processing_unit_id__in=ids
        )
        .values("dossier__processing_unit_id")
        .annotate(n=Count("id"), online=Count("id", filter=Q(method=PaymentMethod.ONLINE)))
        .order_by()
    )
    for row in payments:
        i = out[row["dossier__processing_unit_id"]]
        i.payments += row["n"]
        i.payments_online += row["online"]

    # A rejected PAKN is never answered (feedback.choices.TRANSITIONS): answered ones all count.
    answered = (
        Feedback.objects.filter(unit_id__in=ids, answered_at__gte=since, answered_at__lt=until)
        .values("unit_id")
        .annotate(
            on_time=Count("id", filter=Q(answered_at__lte=F("answer_due_at"))),
            late=Count("id", filter=Q(answered_at__gt=F("answer_due_at"))),
        )
        .order_by()
    )
    for row in answered:
        i = out[row["unit_id"]]
        i.pakn_on_time += row["on_time"]
        i.pakn_late += row["late"]


def pakn_overdue_q(as_of: dt.datetime) -> Q:
    """PAKN received by `as_of`, past their answer deadline and still unanswered then (the
    conditions of `feedback.reports.feedback_timeliness`)."""
    return (
        Q(received_at__lte=as_of, answer_due_at__lt=as_of)
        & (Q(answered_at__isnull=True) | Q(answered_at__gt=as_of))
        & ~Q(rejected_at__lte=as_of)
    )


def _pakn_overdue(out: dict[int, Inputs], unit_ids: Sequence[int], as_of: dt.datetime) -> None:
    rows = (
        Feedback.objects.filter(pakn_overdue_q(as_of), unit_id__in=list(unit_ids))
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        out[row["unit_id"]].pakn_overdue_open += row["n"]


def level_of(unit: Unit | None) -> str | None:
    """The authority level of the procedures an administrative unit is responsible for."""
    if unit is None:
        return None
    if unit.kind == UnitKind.PROVINCE:
        return AuthorityLevel.PROVINCE
    if unit.kind in UnitKind.commune_level():
        return AuthorityLevel.COMMUNE
    return None


def _in_force(on: dt.date) -> Exists:
    return Exists(
        ProcedureVersion.objects.filter(procedure=OuterRef("procedure_id"), effective_from__lte=on)
    )


def catalogue_states(unit_ids: Sequence[int], on: dt.date) -> dict[int, dict[str, int]]:
    """Per unit, the catalogue as it stands now for the versions in force on `on`: procedures
    implemented, with content in force, offered fully online; and, for an administrative unit,
    the procedures of its level in force and those it has decided on. Three queries."""
    ids = list(unit_ids)
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CATALOGUE_COLUMNS, 0))
    service = Subquery(
        ProcedureVersion.objects.filter(procedure=OuterRef("procedure_id"), effective_from__lte=on)
        .order_by("-effective_from")
        .values("online_service")[:1]
    )
    implemented = (
        UnitProcedure.objects.filter(unit_id__in=ids, implemented=True)
        .annotate(in_force=_in_force(on), service=service)
        .values("unit_id")
        .annotate(
            n=Count("id"),
            in_force_n=Count("id", filter=Q(in_force=True)),
            online=Count("id", filter=Q(service=OnlineService.FULL)),
        )
        .order_by()
    )
    for row in implemented:
        s = out[row["unit_id"]]
        s["procedures_implemented"] = row["n"]
        s["procedures_in_force"] = row["in_force_n"]
        s["procedures_online_full"] = row["online"]

    admin = {
        u.pk: level_of(u)
        for u in Unit.objects.filter(pk__in=ids, kind__in=UnitKind.administrative())
    }
    levels = {lv for lv in admin.values() if lv}
    if levels:
        in_force = Exists(
            ProcedureVersion.objects.filter(procedure=OuterRef("pk"), effective_from__lte=on)
        )
        per_level = dict(
            Procedure.objects.filter(in_force, authority_level__in=levels)
            .values_list("authority_level")
            .annotate(n=Count("id"))
            .order_by()
        )
        decided = (
            UnitProcedure.objects.filter(
                unit_id__in=[pk for pk, lv in admin.items() if lv],
                procedure__authority_level__in=levels,
            )
            .filter(_in_force(on))
            .values_list("unit_id", "procedure__authority_level")
            .annotate(n=Count("id"))
            .order_by()
        )
        decided_by = {(u, lv): n for u, lv, n in decided}
        for pk, lv in admin.items():
            if lv and per_level.get(lv):
                out[pk]["procedures_of_level"] = per_level[lv]
                out[pk]["procedures_decided"] = decided_by.get((pk, lv), 0)
    return out


CATALOGUE_COLUMNS: tuple[str, ...] = (
    "procedures_implemented",
    "procedures_in_force",
    "procedures_online_full",
    "procedures_of_level",
    "procedures_decided",
)


def direct_inputs(
    unit_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
    catalogue: bool = True,
) -> dict[int, Inputs]:
    """Every input of the period, per processing unit, counted from the records (Biểu 06 and a
    handful of grouped queries): what the snapshot stores, and what a period beyond its reach
    reads."""
    now = now or timezone.now()
    out: dict[int, Inputs] = defaultdict(Inputs)
    ids = sorted(set(unit_ids))
    if not ids:
        return out
    _from_resolution(out, ids, start, end, now)
    _flows_from_records(out, ids, start, end)
    as_of, _live = _as_of(end, now)
    _pakn_overdue(out, ids, as_of)
    if catalogue:
        for pk, states in catalogue_states(ids, end).items():
            for column, n in states.items():
                setattr(out[pk], column, n)
    return out


# -- the snapshot --------------------------------------------------------------------------------


def state(*, primary: bool = False) -> ServiceIndexState:
    """The snapshot's state row; the writer reads it from the primary (a replica may lag)."""
    rows = (
        ServiceIndexState.objects.using(DEFAULT_DB_ALIAS) if primary else ServiceIndexState.objects
    )
    found = rows.filter(pk=1).first()
    return found if found is not None else ServiceIndexState(pk=1)


def _primary_days() -> Any:
    """The writer reads the rows it writes from the primary: reports' reads go to a replica
    when one is configured (cchc/dbrouter.py), and a replica may lag."""
    return ServiceIndexDay.objects.using(DEFAULT_DB_ALIAS)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])


def _covered(current: ServiceIndexState) -> tuple[dt.date, dt.date] | None:
    """The days the snapshot holds whole, without a gap: `since` to `through`."""
    if current.through is None or current.since is None:
        return None
    return current.since, current.through


def _sum_rows(unit_ids: Sequence[int], start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    rows = (
        ServiceIndexDay.objects.filter(unit_id__in=list(unit_ids), day__gte=start, day__lte=end)
        .values("unit_id")
        .annotate(**{c: Sum(c) for c in FLOW_COLUMNS})
        .order_by()
    )
    return {row["unit_id"]: {c: row[c] or 0 for c in FLOW_COLUMNS} for row in rows}


def period_inputs(
    unit_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
) -> dict[int, Inputs]:
    """The period's inputs per unit. A period the snapshot holds whole is read from it alone:
    its days' flows and the states its last day ended with (two queries whatever the units; as
    of the last sweep, at most REPORTS_INDEX_SWEEP_SECONDS old). Days it has not reached, and
    today, are counted from the records, and then so are the end's states."""
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    check_period(start, end, today)
    ids = sorted(set(unit_ids))
    out: dict[int, Inputs] = defaultdict(Inputs)
    if not ids:
        return out
    current = state()
    covered = _covered(current)
    if covered is None or covered[1] < today - dt.timedelta(days=1):
        # Behind (or never built): the answer is still exact, counted from the records; the
        # worker is asked to catch up so that the next one reads the snapshot.
        schedule_sweep(now, soon=True)
    snap_end: dt.date | None = None
    if covered is not None and covered[0] <= start:
        snap_end = min(end, covered[1], today - dt.timedelta(days=1))
        if snap_end < start:
            snap_end = None
    if snap_end is None:
        return direct_inputs(ids, start, end, now=now)
    for pk, flows in _sum_rows(ids, start, snap_end).items():
        for column, n in flows.items():
            setattr(out[pk], column, n)
    if snap_end < end:
        rest = direct_inputs(ids, snap_end + dt.timedelta(days=1), end, now=now)
        for pk, inputs in rest.items():
            out[pk] = out[pk] + inputs
        return out
    # The whole period is in the snapshot: the states its last day ended with, as counted.
    for row in ServiceIndexDay.objects.filter(unit_id__in=ids, day=end).values(
        "unit_id", *STATE_COLUMNS
    ):
        for column in STATE_COLUMNS:
            setattr(out[row["unit_id"]], column, row[column])
    return out


UnitRow = tuple[int, str, int | None]


def _unit_sets(units: Sequence[UnitRow]) -> dict[int, list[int]]:
    """Each unit with the agencies inside it (the set `units_in(unit, subtree=False)` names)."""
    by_owner: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for pk, path, owner in units:
        by_owner[owner].append((pk, path))
    return {
        pk: [other for other, other_path in by_owner[owner] if other_path.startswith(path)]
        for pk, path, owner in units
    }


def refresh_days(
    days: Iterable[dt.date], *, now: dt.datetime | None = None, keep_catalogue: bool = True
) -> int:
    """Count these days anew for every unit and store them (with the month-to-date scores of
    the days after them in the same months). A day already stored keeps its catalogue columns:
    the catalogue keeps no history, so a day's catalogue is the one it had when first counted.
    Returns how many rows were written."""
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    wanted = sorted({d for d in days if d <= today})
    if not wanted:
        return 0
    units: list[UnitRow] = list(Unit.objects.values_list("pk", "path", "admin_owner_id"))
    ids = [pk for pk, _p, _o in units]
    written = 0
    for day in wanted:
        with transaction.atomic():
            _lock()
            stored_catalogue = {
                row["unit_id"]: row
                for row in _primary_days().filter(day=day).values("unit_id", *CATALOGUE_COLUMNS)
            }
            # Today's catalogue is the live one; a past day keeps what it was first counted with.
            keep = keep_catalogue and bool(stored_catalogue) and day < today
            inputs = direct_inputs(ids, day, day, now=now, catalogue=not keep)
            if keep:
                for pk, row in stored_catalogue.items():
                    for column in CATALOGUE_COLUMNS:
                        setattr(inputs[pk], column, row[column])
            ServiceIndexDay.objects.filter(day=day).delete()
            rows = [
                ServiceIndexDay(unit_id=pk, day=day, computed_at=now, **i.as_dict())
                for pk, i in sorted(inputs.items())
                if i.any()
            ]
            ServiceIndexDay.objects.bulk_create(rows, batch_size=500)
            written += len(rows)
    months: dict[dt.date, dt.date] = {}
    for day in wanted:
        month = day.replace(day=1)
        months[month] = min(months.get(month, day), day)
    for month, first in sorted(months.items()):
        _rescore(month, first, units, now)
    return written


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _rescore(
    month: dt.date,
    first: dt.date,
    units: Sequence[UnitRow],
    now: dt.datetime,
) -> None:
    """Month-to-date scores of each unit (with its agencies) for the stored days of `month` from
    `first` on: one read of the month's rows, one write."""
    scoring = config()
    today = timezone.localtime(now, TZ).date()
    last = min(_month_end(month), today)
    stored: dict[dt.date, dict[int, Inputs]] = defaultdict(dict)
    for row in (
        _primary_days()
        .filter(day__gte=month, day__lte=last)
        .values("unit_id", "day", *INPUT_FIELDS)
    ):
        stored[row["day"]][row["unit_id"]] = Inputs(**{c: row[c] for c in INPUT_FIELDS})
    sets = _unit_sets(units)
    running: dict[int, Inputs] = defaultdict(Inputs)
    updates: list[ServiceIndexDay] = []
    day = month
    while day <= last:
        todays = stored.get(day, {})
        for pk, i in todays.items():
            flows = Inputs(**{c: getattr(i, c) for c in FLOW_COLUMNS})
            running[pk] = running[pk] + flows
        if day >= first and todays:
            for pk, members in sets.items():
                total = Inputs()
                for m in members:
                    if m in running:
                        total = total + running[m]
                    if m in todays:
                        total = total + Inputs(**{c: getattr(todays[m], c) for c in STATE_COLUMNS})
                result = score(total, scoring)
                value = result.score
                if pk in todays or value is not None:
                    updates.append(
                        ServiceIndexDay(
                            unit_id=pk,
                            day=day,
                            score=value,
                            score_version=scoring.fingerprint,
                            computed_at=now,
                            **(todays[pk].as_dict() if pk in todays else {}),
                        )
                    )
        day += dt.timedelta(days=1)
    if updates:
        with transaction.atomic():
            _lock()
            ServiceIndexDay.objects.bulk_create(
                updates,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["day", "unit"],
                update_fields=["score", "score_version"],
            )


def _changed_days(since: dt.datetime, today: dt.date) -> set[dt.date]:
    """The local days whose figures records changed at or after `since` touch: a changed
    dossier's receipt, finish, payments and the days it stood overdue (`facts.intervals`); a new
    rating; an answered or new PAKN and the days it stood overdue; a new document. An open
    dossier's or PAKN's overdue days count from the recheck window on: touching an old open
    dossier (a hand-over) changes none of its past days, and the window's daily recount catches
    a due moment moved by a calendar change."""
    window = today - dt.timedelta(days=recheck_days())
    days: set[dt.date] = set()

    def add(moment: dt.datetime | None) -> None:
        if moment is not None:
            days.add(timezone.localtime(moment, TZ).date())

    def add_span(first: dt.date, until: dt.date | None, *, still_open: bool) -> None:
        if still_open:
            first = max(first, window)
        last = (until - dt.timedelta(days=1)) if until is not None else today
        days.update(_days(first, min(last, today)) if first <= last else [])

    payment_stops = rules.payment_stops_clock()
    changed = Dossier.objects.filter(updated_at__gte=since).values_list(*DOSSIER_FIELDS)
    for row in changed.iterator(chunk_size=5000):
        f = facts_of(row, None, payment_stops=payment_stops)
        if f is None:
            continue
        days.update(d for d in (f.received, f.finished) if d is not None)
        for column, first, until in intervals(f):
            if column.startswith("overdue"):
                add_span(first, until, still_open=f.finished is None)
    for (paid,) in DossierPayment.objects.filter(dossier__updated_at__gte=since).values_list(
        "paid_at"
    ):
        add(paid)
    for (rated,) in Rating.objects.filter(created_at__gte=since).values_list("created_at"):
        add(rated)
    for answered, due, rejected in Feedback.objects.filter(updated_at__gte=since).values_list(
        "answered_at", "answer_due_at", "rejected_at"
    ):
        add(answered)
        local_due = timezone.localtime(due, TZ).date()
        ended = answered or rejected
        add_span(
            local_due,
            timezone.localtime(ended, TZ).date() + dt.timedelta(days=1) if ended else None,
            still_open=ended is None,
        )
    for (received,) in DossierDocument.objects.filter(uploaded_at__gte=since).values_list(
        "dossier__received_at"
    ):
        add(received)
    return {d for d in days if d <= today}


@dataclass
class SweepResult:
    days: int = 0
    rows: int = 0


def sweep(now: dt.datetime | None = None) -> SweepResult:
    """Bring the snapshot up to date: the days since it last ran (the first time, the last
    `REPORTS_INDEX_BACKFILL_MONTHS` months), today, the days records changed on since the last
    sweep, and once a day the last `REPORTS_INDEX_RECHECK_DAYS` days whole."""
    started = now or timezone.now()
    today = timezone.localtime(started, TZ).date()
    current = state(primary=True)
    days: set[dt.date] = {today}
    if current.through is None:
        month = today.replace(day=1)
        for _ in range(first_backfill_months()):
            month = (month - dt.timedelta(days=1)).replace(day=1)
        # From the first of the first record's month: whole months, so trends read them whole.
        first = max(month, (_earliest_record_day() or today).replace(day=1))
        days.update(_days(first, today))
    else:
        days.update(_days(current.through + dt.timedelta(days=1), today))
        if current.watermark is not None:
            days.update(_changed_days(current.watermark - sweep_lag(), today))
    if current.rechecked_on is None or current.rechecked_on < today:
        days.update(_days(today - dt.timedelta(days=recheck_days()), today))
        current.rechecked_on = today
    rows = refresh_days(days, now=started)
    if current.through is None:
        current.since = min(days)
    current.through = today - dt.timedelta(days=1)
    current.watermark = started
    current.swept_at = timezone.now()
    ServiceIndexState.objects.update_or_create(
        pk=1,
        defaults={
            "since": current.since,
            "through": current.through,
            "watermark": current.watermark,
            "rechecked_on": current.rechecked_on,
            "swept_at": current.swept_at,
        },
    )
    logger.info("service index: %d days counted, %d rows", len(days), rows)
    return SweepResult(days=len(days), rows=rows)


def backfill(start: dt.date, end: dt.date, *, now: dt.datetime | None = None) -> SweepResult:
    """Count the days start..end (e.g. after importing history); days before the snapshot's
    first day become part of it when the range reaches it."""
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    end = min(end, today)
    if end < start:
        return SweepResult()
    rows = refresh_days(_days(start, end), now=now)
    # The snapshot covers one run of days without a gap: extend it where this range touches it.
    current = state(primary=True)
    last = min(end, today - dt.timedelta(days=1))
    since, through = current.since, current.through
    if since is None or through is None:
        since, through = start, last
    else:
        if start < since and end >= since - dt.timedelta(days=1):
            since = start
        if start <= through + dt.timedelta(days=1) and last > through:
            through = last
    if through >= since:
        ServiceIndexState.objects.update_or_create(
            pk=1,
            defaults={"since": since, "through": through, "watermark": current.watermark or now},
        )
    return SweepResult(days=(end - start).days + 1, rows=rows)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _earliest_record_day() -> dt.date | None:
    first = (
        Dossier.objects.filter(received_at__isnull=False)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    return timezone.localtime(first, TZ).date() if first is not None else None


def schedule_sweep(now: dt.datetime | None = None, *, soon: bool = False) -> bool:
    """Queue the next sweep unless one is queued (like `aggregates.schedule_sweep`); False when
    the task backend cannot defer jobs (then cron runs `refresh_service_index`)."""
    if not sweep_job.get_backend().supports_defer:
        return False
    now = now or timezone.now()
    run_after = now if soon else now + sweep_interval()
    with transaction.atomic():
        current, _created = ServiceIndexState.objects.select_for_update().get_or_create(pk=1)
        queued = current.next_sweep_at
        if queued is not None and queued > now - 10 * sweep_interval() and queued <= run_after:
            return True
        current.next_sweep_at = run_after
        current.save(update_fields=["next_sweep_at"])
        sweep_job.using(run_after=run_after).enqueue()
    return True


@task()
def sweep_job() -> int:
    """The worker's sweep; queues the next one first, so one failure never ends the chain."""
    ServiceIndexState.objects.filter(pk=1).update(next_sweep_at=None)
    schedule_sweep()
    return sweep().rows


def check(start: dt.date, end: dt.date, *, now: dt.datetime | None = None) -> list[Any]:
    """Stored rows against a count from the records, day by day (for tests and `--check`):
    the differences as (day, unit id, column, stored, counted)."""
    now = now or timezone.now()
    ids = list(Unit.objects.values_list("pk", flat=True))
    differences = []
    for day in _days(start, end):
        counted = direct_inputs(ids, day, day, now=now, catalogue=False)
        stored = {
            row["unit_id"]: row
            for row in _primary_days().filter(day=day).values("unit_id", *INPUT_FIELDS)
        }
        for pk in sorted(set(counted) | set(stored)):
            for column in INPUT_FIELDS:
                if column in CATALOGUE_COLUMNS:
                    continue
                a = stored.get(pk, {}).get(column, 0)
                b = getattr(counted[pk], column) if pk in counted else 0
                if a != b:
                    differences.append((day, pk, column, a, b))
    return differences


# -- reports --------------------------------------------------------------------------------------


@dataclass
class IndexReport:
    unit: Unit
    subtree: bool
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    live: bool
    inputs: Inputs
    result: IndexResult

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": {"code": self.unit.code, "name": self.unit.name},
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "subtree": self.subtree,
            "as_of": timezone.localtime(self.as_of, TZ).isoformat(),
            "live": self.live,
            **self.result.as_dict(),
            "inputs": self.inputs.as_dict(),
            "online_on_time_rate": _float(self.inputs.online_on_time_rate),
        }


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _total(inputs: dict[int, Inputs], ids: Iterable[int]) -> Inputs:
    total = Inputs()
    for pk in ids:
        if pk in inputs:
            total = total + inputs[pk]
    return total


def scoped_unit(user: Any, unit_code: str) -> Unit:
    """The unit of that code the user may see (in force, else the newest): 404 otherwise."""
    candidates = Unit.objects.filter(unit_scope(user), code=unit_code)
    unit = (
        candidates.current().first()
        or candidates.order_by(F("valid_from").desc(nulls_last=True)).first()
    )
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị"))
    return unit


def scope_ids(user: Any, unit: Unit, *, subtree: bool) -> list[int]:
    visible = visible_unit_ids(user)
    return [pk for pk in units_in(unit, subtree=subtree) if pk in visible]


def service_index(
    unit: Unit,
    start: dt.date,
    end: dt.date,
    *,
    subtree: bool = False,
    units: Collection[int] | None = None,
    now: dt.datetime | None = None,
) -> IndexReport:
    now = now or timezone.now()
    ids = sorted(units if units is not None else units_in(unit, subtree=subtree))
    inputs = period_inputs(ids, start, end, now=now)
    total = _total(inputs, ids)
    as_of, live = _as_of(end, now)
    return IndexReport(unit, subtree, start, end, as_of, live, total, score(total))


def service_index_for(
    user: Any,
    unit_code: str,
    start: dt.date,
    end: dt.date,
    *,
    subtree: bool = False,
    now: dt.datetime | None = None,
) -> IndexReport:
    unit = scoped_unit(user, unit_code)
    return service_index(
        unit, start, end, subtree=subtree, units=scope_ids(user, unit, subtree=subtree), now=now
    )


@dataclass
class RankEntry:
    unit: Unit
    inputs: Inputs
    result: IndexResult
    rank: int | None = None  # None: not ranked (too few dossiers, or nothing to score)

    @property
    def dossiers(self) -> int:
        return self.inputs.received

    def as_dict(self) -> dict[str, Any]:
        score_ = self.result.score
        return {
            "unit": {"code": self.unit.code, "name": self.unit.name},
            "rank": self.rank,
            "score": float(score_) if score_ is not None else None,
            "band": self.result.band,
            "band_label": self.result.band_label,
            "dossiers": self.dossiers,
            "groups": {g.key: float(g.points) for g in self.result.groups},
        }


@dataclass
class Ranking:
    parent: Unit
    start: dt.date
    end: dt.date
    min_dossiers: int
    as_of: dt.datetime
    live: bool
    ranked: list[RankEntry] = field(default_factory=list)
    unranked: list[RankEntry] = field(default_factory=list)
    # The parent's own index over everything under it the caller may see (its subtree), counted
    # in the same pass: a dashboard showing both asks once.
    inputs: Inputs = field(default_factory=Inputs)
    result: IndexResult | None = None

    def as_dict(self) -> dict[str, Any]:
        score_ = self.result.score if self.result is not None else None
        return {
            "unit": {"code": self.parent.code, "name": self.parent.name},
            "score": float(score_) if score_ is not None else None,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": timezone.localtime(self.as_of, TZ).isoformat(),
            "live": self.live,
            "min_dossiers": self.min_dossiers,
            "ranked": [e.as_dict() for e in self.ranked],
            "unranked": [e.as_dict() for e in self.unranked],
        }


def ranking(
    parent: Unit,
    start: dt.date,
    end: dt.date,
    *,
    units: Collection[int] | None = None,
    now: dt.datetime | None = None,
    min_dossiers: int | None = None,
) -> Ranking:
    """The units directly under `parent` (in force at the period's end), each with everything
    under it, ranked by score; a unit with fewer than `min_dossiers` dossiers received in the
    period (REPORTS_INDEX_RANK_MIN_DOSSIERS) is listed apart, unranked. Ties share a rank.
    `Ranking.result` is the parent's own index (its whole subtree), from the same count."""
    now = now or timezone.now()
    minimum = rank_min_dossiers() if min_dossiers is None else min_dossiers
    today = timezone.localtime(now, TZ).date()
    tree = list(
        Unit.objects.filter(path__startswith=parent.path).values_list("pk", "path", "parent_id")
    )
    everything = {pk for pk, _p, _o in tree}
    allowed = everything & set(units) if units is not None else everything
    children = [
        u
        for u in Unit.objects.filter(parent=parent).current(on=min(end, today)).order_by("path")
        if u.pk in allowed
    ]
    members = {
        child.pk: [pk for pk, path, _o in tree if path.startswith(child.path) and pk in allowed]
        for child in children
    }
    inputs = period_inputs(sorted(allowed), start, end, now=now)
    scoring = config()
    entries = []
    for child in children:
        total = _total(inputs, members[child.pk])
        entries.append(RankEntry(child, total, score(total, scoring)))
    as_of, live = _as_of(end, now)
    out = Ranking(parent, start, end, minimum, as_of, live)
    out.inputs = _total(inputs, allowed)
    out.result = score(out.inputs, scoring)
    rankable = [e for e in entries if e.dossiers >= minimum and e.result.score is not None]
    rankable.sort(key=lambda e: (-(e.result.score or 0), e.unit.name))
    previous: Decimal | None = None
    for position, entry in enumerate(rankable, start=1):
        entry.rank = position if entry.result.score != previous else rankable[position - 2].rank
        previous = entry.result.score
    out.ranked = rankable
    ranked_ids = {id(e) for e in rankable}
    out.unranked = sorted(
        (e for e in entries if id(e) not in ranked_ids), key=lambda e: (-e.dossiers, e.unit.name)
    )
    return out


@dataclass
class TrendPoint:
    month: dt.date
    start: dt.date
    end: dt.date
    inputs: Inputs
    result: IndexResult

    def as_dict(self) -> dict[str, Any]:
        score_ = self.result.score
        return {
            "month": self.month.strftime("%Y-%m"),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "score": float(score_) if score_ is not None else None,
            "groups": {g.key: float(g.points) for g in self.result.groups},
            "dossiers": self.inputs.received,
        }


def trend(
    unit: Unit,
    start: dt.date,
    end: dt.date,
    *,
    subtree: bool = False,
    units: Collection[int] | None = None,
    now: dt.datetime | None = None,
) -> list[TrendPoint]:
    """The index month by month over start..end (the first and last months cut to the period).

    The months the snapshot holds whole are read from it in two queries, whatever their number
    (flows by month; the states each month's last day had when it was counted); the others are
    counted like any period (`period_inputs`)."""
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    check_period(start, end, today)
    ids = sorted(units if units is not None else units_in(unit, subtree=subtree))
    scoring = config()
    months: list[tuple[dt.date, dt.date, dt.date]] = []
    month = start.replace(day=1)
    while month <= min(end, today):
        months.append((month, max(start, month), min(end, _month_end(month))))
        month = _month_end(month) + dt.timedelta(days=1)
    covered = _covered(state())
    stored: set[dt.date] = set()
    if covered is not None:
        last_whole = min(covered[1], today - dt.timedelta(days=1))
        stored = {m for m, a, b in months if covered[0] <= a and b <= last_whole}
    totals: dict[dt.date, Inputs] = defaultdict(Inputs)
    if stored:
        first = min(a for m, a, _b in months if m in stored)
        last = max(b for m, _a, b in months if m in stored)
        flows = (
            ServiceIndexDay.objects.filter(unit_id__in=ids, day__gte=first, day__lte=last)
            .annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(**{c: Sum(c) for c in FLOW_COLUMNS})
            .order_by()
        )
        for row in flows:
            key = row["month"] if isinstance(row["month"], dt.date) else row["month"].date()
            if key in stored:
                totals[key] = totals[key] + Inputs(**{c: row[c] or 0 for c in FLOW_COLUMNS})
        ends = {b: m for m, _a, b in months if m in stored}
        states = (
            ServiceIndexDay.objects.filter(unit_id__in=ids, day__in=sorted(ends))
            .values("day")
            .annotate(**{c: Sum(c) for c in STATE_COLUMNS})
            .order_by()
        )
        for row in states:
            key = ends[row["day"]]
            totals[key] = totals[key] + Inputs(**{c: row[c] or 0 for c in STATE_COLUMNS})
    points = []
    for m, a, b in months:
        total = totals[m] if m in stored else _total(period_inputs(ids, a, b, now=now), ids)
        points.append(TrendPoint(m, a, b, total, score(total, scoring)))
    return points


# -- drill-down: what lost the points ---------------------------------------------------------------


@dataclass
class LostItem:
    code: str
    reason: str
    unit: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "reason": self.reason, "unit": self.unit}


@dataclass
class Lost:
    key: str
    items_kind: str  # dossier, procedure or feedback
    total: int
    items: list[LostItem]

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.key,
            "kind": self.items_kind,
            "total": self.total,
            "items": [i.as_dict() for i in self.items],
        }


class UnknownIndicator(PeriodError):
    """A sub-indicator that is not in the index, or is scored by hand (no measure): 400 with
    the same sentence through the page and the API."""

    def __init__(self, key: str) -> None:
        super().__init__(
            _("Chỉ tiêu “%(key)s” không có hoặc không đo được từ số liệu của nền tảng.")
            % {"key": key[:40]}
        )


def measure_of(key: str) -> str:
    for ind in config().index.indicators:
        if ind.key == key:
            if ind.measure is None:
                raise UnknownIndicator(key)
            return ind.measure
    raise UnknownIndicator(key)


def lost_points(
    unit_ids: Sequence[int],
    key: str,
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
) -> Lost:
    """Exactly the dossiers, procedures or PAKN that made a sub-indicator lose points: those in
    its denominator and not in its numerator (their number is denominator - numerator)."""
    now = now or timezone.now()
    today = timezone.localtime(now, TZ).date()
    check_period(start, end, today)
    measure = measure_of(key)
    ids = sorted(set(unit_ids))
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "code"))
    rows = _LOST[measure](ids, start, end, now)
    items = [LostItem(code, reason, names.get(unit, "")) for code, reason, unit in rows]
    items.sort(key=lambda i: (i.unit, i.code))
    return Lost(key, MEASURES[measure].items, len(items), items)


LostRow = tuple[str, str, int]
LATE_ENDS = (End.LATE_APOLOGY, End.LATE_NO_APOLOGY)


def _lost_on_time(ids: list[int], start: dt.date, end: dt.date, now: dt.datetime) -> list[LostRow]:
    """Resolved late in the period, and in progress and overdue at its end, judged as Biểu 06
    judges them (`facts.facts_of`, and for a period reaching today, overdue now)."""
    since, until = day_bounds(start, end)
    as_of, live = _as_of(end, now)
    payment_stops = rules.payment_stops_clock()
    late: list[LostRow] = []
    resolved = Dossier.objects.filter(
        RESOLVED_ANY,
        processing_unit_id__in=ids,
        finished_at__gte=since,
        finished_at__lt=until,
        received_at__isnull=False,
    ).filter(Q(outcome="late") | Q(outcome=""))
    for row in resolved.values_list("code", *DOSSIER_FIELDS).iterator(chunk_size=2000):
        f = facts_of(row[1:], None, payment_stops=payment_stops)
        if (
            f is not None
            and f.finished is not None
            and start <= f.finished <= end
            and f.end in LATE_ENDS
        ):
            late.append((row[0], _("Giải quyết quá hạn"), row[2]))
    open_at_end = Dossier.objects.filter(
        Q(finished_at__isnull=True) | Q(finished_at__gte=until),
        processing_unit_id__in=ids,
        received_at__lt=until,
        original_due_at__lt=as_of,
    )
    if live:
        stopped = [Status.SUPPLEMENT] + ([Status.PAYMENT] if payment_stops else [])
        for code, unit in open_at_end.exclude(status__in=stopped).values_list(
            "code", "processing_unit_id"
        ):
            late.append((code, _("Đang giải quyết, đã quá hạn"), unit))
        return late
    for row in open_at_end.values_list("code", *DOSSIER_FIELDS).iterator(chunk_size=2000):
        f = facts_of(row[1:], None, payment_stops=payment_stops)
        if f is None:
            continue
        for column, a, b in intervals(f):
            if column.startswith("overdue") and a <= end and (b is None or end < b):
                late.append((row[0], _("Đang giải quyết, đã quá hạn"), row[2]))
                break
    return late


def _lost_results(ids: list[int], start: dt.date, end: dt.date, now: dt.datetime) -> list[LostRow]:
    since, until = day_bounds(start, end)
    rows = Dossier.objects.filter(
        WITH_RESULT,
        processing_unit_id__in=ids,
        finished_at__gte=since,
        finished_at__lt=until,
        received_at__isnull=False,
        result_digital=False,
    ).values_list("code", "processing_unit_id")
    return [(code, _("Kết quả chưa cấp bản điện tử"), unit) for code, unit in rows]


def _lost_documents(
    ids: list[int], start: dt.date, end: dt.date, now: dt.datetime
) -> list[LostRow]:
    since, until = day_bounds(start, end)
    documents = DossierDocument.objects.filter(dossier=OuterRef("pk"), kind__in=INPUT_DOCUMENTS)
    rows = (
        Dossier.objects.filter(
            processing_unit_id__in=ids, received_at__gte=since, received_at__lt=until
        )
        .annotate(
            has_documents=Exists(documents),
            paper=Count(
                "documents",
                filter=Q(documents__kind__in=INPUT_DOCUMENTS, documents__digitised=False),
            ),
        )
        .filter(Q(has_documents=False) | Q(paper__gt=0))
        .values_list("code", "processing_unit_id", "has_documents", "paper")
    )
    out = []
    for code, unit, has_documents, paper in rows:
        reason = (
            _("%(n)s giấy tờ chưa số hóa") % {"n": paper}
            if has_documents
            else _("Không có thành phần hồ sơ điện tử")
        )
        out.append((code, reason, unit))
    return out


def _lost_online(ids: list[int], start: dt.date, end: dt.date, now: dt.datetime) -> list[LostRow]:
    since, until = day_bounds(start, end)
    rows = (
        Dossier.objects.filter(
            processing_unit_id__in=ids, received_at__gte=since, received_at__lt=until
        )
        .exclude(channel__in=sorted(Channel.online()))
        .values_list("code", "channel", "processing_unit_id")
    )
    return [(code, str(Channel(channel).label), unit) for code, channel, unit in rows]


def _lost_payments(ids: list[int], start: dt.date, end: dt.date, now: dt.datetime) -> list[LostRow]:
    """One item per payment not made online (a dossier paid twice in cash is listed twice)."""
    since, until = day_bounds(start, end)
    rows = (
        DossierPayment.objects.filter(
            paid_at__gte=since, paid_at__lt=until, dossier__processing_unit_id__in=ids
        )
        .exclude(method=PaymentMethod.ONLINE)
        .values_list("dossier__code", "method", "dossier__processing_unit_id")
    )
    return [(code, str(PaymentMethod(method).label), unit) for code, method, unit in rows]


def _lost_satisfaction(
    ids: list[int], start: dt.date, end: dt.date, now: dt.datetime
) -> list[LostRow]:
    since, until = day_bounds(start, end)
    rows = (
        Rating.objects.filter(
            created_at__gte=since, created_at__lt=until, dossier__processing_unit_id__in=ids
        )
        .exclude(level__in=sorted(SATISFIED_LEVELS))
        .values_list("dossier__code", "level", "dossier__processing_unit_id")
    )
    return [(code, str(Level(level).label), unit) for code, level, unit in rows]


def _lost_pakn(ids: list[int], start: dt.date, end: dt.date, now: dt.datetime) -> list[LostRow]:
    since, until = day_bounds(start, end)
    as_of, _live = _as_of(end, now)
    late = Feedback.objects.filter(
        unit_id__in=ids,
        answered_at__gte=since,
        answered_at__lt=until,
        answered_at__gt=F("answer_due_at"),
    ).values_list("code", "unit_id")
    overdue = Feedback.objects.filter(pakn_overdue_q(as_of), unit_id__in=ids).values_list(
        "code", "unit_id"
    )
    return [(code, _("Trả lời quá hạn"), unit) for code, unit in late] + [
        (code, _("Chưa trả lời, đã quá hạn"), unit) for code, unit in overdue
    ]


def _lost_published(
    ids: list[int], start: dt.date, end: dt.date, now: dt.datetime
) -> list[LostRow]:
    rows = (
        UnitProcedure.objects.filter(unit_id__in=ids, implemented=True)
        .annotate(in_force=_in_force(end))
        .filter(in_force=False)
        .values_list("procedure__code", "unit_id")
    )
    return [(code, _("Chưa có nội dung thủ tục có hiệu lực"), unit) for code, unit in rows]


def _lost_online_procedures(
    ids: list[int], start: dt.date, end: dt.date, now: dt.datetime
) -> list[LostRow]:
    service = Subquery(
        ProcedureVersion.objects.filter(procedure=OuterRef("procedure_id"), effective_from__lte=end)
        .order_by("-effective_from")
        .values("online_service")[:1]
    )
    rows = (
        UnitProcedure.objects.filter(unit_id__in=ids, implemented=True)
        .annotate(service=service)
        # No version in force yet: not offered online either (NOT (NULL = 'full') is NULL).
        .filter(Q(service__isnull=True) | ~Q(service=OnlineService.FULL))
        .values_list("procedure__code", "service", "unit_id")
    )
    return [
        (code, str(OnlineService(service).label) if service else _("Chưa có hiệu lực"), unit)
        for code, service, unit in rows
    ]


def _lost_reviewed(ids: list[int], start: dt.date, end: dt.date, now: dt.datetime) -> list[LostRow]:
    out: list[LostRow] = []
    in_force = Exists(
        ProcedureVersion.objects.filter(procedure=OuterRef("pk"), effective_from__lte=end)
    )
    for unit in Unit.objects.filter(pk__in=ids, kind__in=UnitKind.administrative()):
        level = level_of(unit)
        if level is None:
            continue
        decided = UnitProcedure.objects.filter(unit=unit).values("procedure_id")
        for (code,) in (
            Procedure.objects.filter(in_force, authority_level=level)
            .exclude(pk__in=decided)
            .values_list("code")
        ):
            out.append((code, _("Chưa rà soát, chưa niêm yết tại đơn vị"), unit.pk))
    return out


_LOST: dict[str, Callable[[list[int], dt.date, dt.date, dt.datetime], list[LostRow]]] = {
    "on_time": _lost_on_time,
    "results_digital": _lost_results,
    "documents_digitised": _lost_documents,
    "online_dossiers": _lost_online,
    "online_payment": _lost_payments,
    "satisfaction": _lost_satisfaction,
    "pakn_on_time": _lost_pakn,
    "procedures_published": _lost_published,
    "online_procedures": _lost_online_procedures,
    "catalogue_reviewed": _lost_reviewed,
}
assert set(_LOST) == set(MEASURES)
