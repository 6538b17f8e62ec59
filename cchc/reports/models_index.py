"""The service index's daily snapshot (QĐ 766): per processing unit and local day, what that
day added to each sub-indicator's numerator and denominator, the states that stood at its end,
and the unit's month-to-date score as it was computed that day.

A period's index is the sum of its days' flows plus the states at its last day, so trends and
rankings between units read a few thousand of these rows instead of the dossiers. Written only
by `service_index.refresh_days` (the sweep job, `manage.py refresh_service_index`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The columns summed over a period's days (flows) and those read at its last day (states), in
# the order `service_index.Inputs` declares them.
FLOW_COLUMNS: tuple[str, ...] = (
    "received",
    "received_online",
    "resolved",
    "resolved_on_time",
    "online_resolved",
    "online_on_time",
    "refused",
    "results_digital",
    "documents_digitised",
    "rated",
    "satisfied",
    "payments",
    "payments_online",
    "pakn_on_time",
    "pakn_late",
)
STATE_COLUMNS: tuple[str, ...] = (
    "overdue_open",
    "pakn_overdue_open",
    "procedures_implemented",
    "procedures_in_force",
    "procedures_online_full",
    "procedures_of_level",
    "procedures_decided",
)


class ServiceIndexDay(models.Model):
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    day = models.DateField()
    # Flows of the day.
    received = models.IntegerField(default=0)
    received_online = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolved_on_time = models.IntegerField(default=0)
    online_resolved = models.IntegerField(default=0)
    online_on_time = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    results_digital = models.IntegerField(default=0)
    documents_digitised = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    payments = models.IntegerField(default=0)
    payments_online = models.IntegerField(default=0)
    pakn_on_time = models.IntegerField(default=0)
    pakn_late = models.IntegerField(default=0)
    # States at the end of the day (the catalogue's as it stood when the day was counted: the
    # catalogue keeps no history of adoptions).
    overdue_open = models.IntegerField(default=0)
    pakn_overdue_open = models.IntegerField(default=0)
    procedures_implemented = models.IntegerField(default=0)
    procedures_in_force = models.IntegerField(default=0)
    procedures_online_full = models.IntegerField(default=0)
    procedures_of_level = models.IntegerField(default=0)
    procedures_decided = models.IntegerField(default=0)
    # The unit's (with its own agencies) index from the first of the month to this day, out of
    # 100, under the scoring file whose fingerprint is `score_version`; None: nothing to score.
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score_version = models.CharField(max_length=12, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("chỉ số phục vụ theo ngày")
        verbose_name_plural = _("chỉ số phục vụ theo ngày")
        constraints = [
            models.UniqueConstraint(fields=["day", "unit"], name="service_index_day_key"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%d/%m/%Y}"


class ServiceIndexState(models.Model):
    """One row: how far the snapshot has been brought."""

    # Every day from `since` to `through` has been counted (None: never).
    since = models.DateField(null=True, blank=True)
    through = models.DateField(null=True, blank=True)
    # Records changed at or after `watermark - lag` may not be counted in their days yet.
    watermark = models.DateTimeField(null=True, blank=True)
    # The last day the recent window was counted again whole (catches dates edited by hand).
    rechecked_on = models.DateField(null=True, blank=True)
    swept_at = models.DateTimeField(null=True, blank=True)
    next_sweep_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("trạng thái chỉ số phục vụ")
        verbose_name_plural = _("trạng thái chỉ số phục vụ")

    def __str__(self) -> str:
        return f"{self.through}"
