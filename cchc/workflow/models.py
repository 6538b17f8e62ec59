"""The abstract event model every workflow's history inherits (no table of its own)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class WorkflowEvent(models.Model):
    """One row per action, append-only: nothing here is ever updated.

    The common columns; a workflow's event table adds the foreign key to its row (named by
    `subject_field`) and its own details (a reason, a note, data, the counters), and may
    override a column to give it its choices or length: the columns stay exactly those the
    tables already had, so inheriting changes no table."""

    subject_field: ClassVar[str]

    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)
