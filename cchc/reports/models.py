"""The reports' own tables: what each dossier was last counted as, and the counts summed by
group (processing unit × field × procedure × channel) per day and per month, and per month
without the procedure (processing unit × field × channel).

Reports only read the domain tables; these are written by `aggregates.py` alone. A period's
table is then a sum over a bounded number of these rows (months inside the period, days at its
ragged ends, the month starts for what was in progress), never a scan of the dossiers.
References to units, fields and procedures carry no database constraint and no index of their
own: the rows are counts, and the one index each table has starts with the period.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


def _ref(model: str) -> models.ForeignKey:
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )


class CountedDossier(models.Model):
    """One dossier's facts as last counted (`facts.Facts`): what to take away from the
    aggregates when its facts change. No constraint to the dossier: a deleted dossier is
    found and taken away by the full check (`refresh_reports --full`)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    unit = _ref("units.Unit")
    field = _ref("catalogue.Field")
    procedure = _ref("catalogue.Procedure")
    channel = models.PositiveSmallIntegerField()
    received = models.DateField(null=True)
    cross_boundary = models.BooleanField(default=False)
    finished = models.DateField(null=True)
    end = models.PositiveSmallIntegerField(default=0)
    refused = models.BooleanField(default=False)
    overdue_from = models.DateField(null=True)
    overdue_until = models.DateField(null=True)
    apology = models.DateField(null=True)
    supplement_from = models.DateField(null=True)
    supplement_until = models.DateField(null=True)
    rated = models.DateField(null=True)
    satisfied = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("hồ sơ đã tổng hợp")
        verbose_name_plural = _("hồ sơ đã tổng hợp")

    def __str__(self) -> str:
        return str(self.pk)


class _Group(models.Model):
    unit = _ref("units.Unit")
    field = _ref("catalogue.Field")
    channel = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True


class _Counts(_Group):
    procedure = _ref("catalogue.Procedure")

    class Meta:
        abstract = True


class ResolutionDay(_Counts):
    """Per day: the flows (received, finished by outcome, rated) and the changes of state
    (+1 the day a dossier becomes overdue or starts waiting for a supplement, -1 the day that
    ends)."""

    day = models.DateField()
    received = models.IntegerField(default=0)
    received_cross = models.IntegerField(default=0)
    early = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late_apology = models.IntegerField(default=0)
    late_no_apology = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    overdue_apology = models.IntegerField(default=0)
    overdue_no_apology = models.IntegerField(default=0)
    supplement = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("tổng hợp theo ngày")
        verbose_name_plural = _("tổng hợp theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "field", "procedure", "channel"],
                name="resolution_day_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"


class _MonthCounts(models.Model):
    """Per month: the month's flows, and what stood at the start of its first day (in
    progress, overdue with or without apology, waiting for a supplement) — kept for every month
    up to `ReportsState.horizon`."""

    month = models.DateField(help_text="The first day of the month.")
    received = models.IntegerField(default=0)
    received_cross = models.IntegerField(default=0)
    early = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late_apology = models.IntegerField(default=0)
    late_no_apology = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    open_start = models.IntegerField(default=0)
    overdue_apology_start = models.IntegerField(default=0)
    overdue_no_apology_start = models.IntegerField(default=0)
    supplement_start = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class ResolutionMonth(_Counts, _MonthCounts):
    """Per month and procedure (what a report by procedure reads)."""

    class Meta:
        verbose_name = _("tổng hợp theo tháng")
        verbose_name_plural = _("tổng hợp theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "field", "procedure", "channel"],
                name="resolution_month_key",
            )
        ]


class ResolutionMonthField(_Group, _MonthCounts):
    """`ResolutionMonth` summed over the procedures (month × unit × field × channel): every
    report not grouped by procedure reads this one, several times fewer rows (a province's year
    by field at 10,000,000 dossiers read 354,787 rows of the other). Written by the same code
    paths, always from the same rows (`aggregates.without_procedure`); `aggregates.check()`
    compares both with a recount."""

    class Meta:
        verbose_name = _("tổng hợp theo tháng và lĩnh vực")
        verbose_name_plural = _("tổng hợp theo tháng và lĩnh vực")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "field", "channel"],
                name="resolution_month_field_key",
            )
        ]


class ReportsState(models.Model):
    """One row: how far the aggregates have been brought."""

    # Dossiers changed (updated_at) and ratings given (created_at) from `watermark - lag` on
    # may not be counted yet: every report adds their difference, and the next sweep counts them.
    watermark = models.DateTimeField(null=True, blank=True)
    # The last month whose start-of-month states are kept (first day of that month).
    horizon = models.DateField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    swept_at = models.DateTimeField(null=True, blank=True)
    next_sweep_at = models.DateTimeField(null=True, blank=True)
    # Settings the facts depend on, as they were when counted: a change means a rebuild.
    payment_stops_clock = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("trạng thái tổng hợp báo cáo")
        verbose_name_plural = _("trạng thái tổng hợp báo cáo")

    def __str__(self) -> str:
        return f"{self.watermark}"


from cchc.reports.models_index import ServiceIndexDay, ServiceIndexState  # noqa: E402, F401
