from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.worktime.choices import ChangeAction, DayKind, DaySource
from cchc.worktime.deadlines import OfficeHours as HoursSpec


class CalendarDayQuerySet(models.QuerySet["CalendarDay"]):
    def in_year(self, year: int) -> CalendarDayQuerySet:
        return self.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))

    def days_off(self) -> CalendarDayQuerySet:
        return self.filter(kind__in=DayKind.days_off())

    def makeup_working(self) -> CalendarDayQuerySet:
        return self.filter(kind=DayKind.MAKEUP_WORKING)


class CalendarDay(models.Model):
    """One date of the national calendar that is not an ordinary day: a day off (holiday, Tết,
    compensatory, swapped) or a make-up working day. Ordinary days have no row."""

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("tên"), max_length=200)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    source = models.CharField(
        _("nguồn"), max_length=20, choices=DaySource.choices, default=DaySource.OFFICIAL
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = CalendarDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("ngày trong lịch làm việc")
        verbose_name_plural = _("lịch làm việc")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in DayKind]), name="calendar_day_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.name}"

    @property
    def is_day_off(self) -> bool:
        return self.kind in DayKind.days_off()

    def as_record(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "name": self.name,
            "legal_basis": self.legal_basis,
            "source": self.source,
        }


class OfficeHours(models.Model):
    """Office hours of a unit (and the units under it); the row without a unit is the national
    default. With no row at all, 07:30–11:30 and 13:00–17:00 apply."""

    unit = models.OneToOneField(
        "units.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="office_hours",
        verbose_name=_("đơn vị"),
    )
    morning_start = models.TimeField(_("sáng từ"), default=dt.time(7, 30))
    morning_end = models.TimeField(_("sáng đến"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("chiều từ"), default=dt.time(13, 0))
    afternoon_end = models.TimeField(_("chiều đến"), default=dt.time(17, 0))
    same_day_cutoff = models.TimeField(
        _("giờ chốt nhận trong ngày"),
        default=dt.time(15, 0),
        help_text=_("Hồ sơ “trong ngày” nhận sau giờ này trả vào ngày làm việc tiếp theo."),
    )

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(unit__isnull=True),
                name="office_hours_one_national_default",
            ),
            models.CheckConstraint(
                condition=Q(morning_start__lt=models.F("morning_end"))
                & Q(morning_end__lte=models.F("afternoon_start"))
                & Q(afternoon_start__lt=models.F("afternoon_end")),
                name="office_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        who = self.unit or _("Mặc định toàn quốc")
        return f"{who}: {self.morning_start:%H:%M}–{self.morning_end:%H:%M}, {self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"

    def spec(self) -> HoursSpec:
        return HoursSpec(
            intervals=(
                (self.morning_start, self.morning_end),
                (self.afternoon_start, self.afternoon_end),
            ),
            same_day_cutoff=self.same_day_cutoff,
        )

    def as_record(self) -> dict[str, str]:
        return {
            "morning": f"{self.morning_start:%H:%M}-{self.morning_end:%H:%M}",
            "afternoon": f"{self.afternoon_start:%H:%M}-{self.afternoon_end:%H:%M}",
            "same_day_cutoff": f"{self.same_day_cutoff:%H:%M}",
        }


class UnitClosure(models.Model):
    """A day a unit (and the units under it) is closed although the country works."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="closures", verbose_name=_("đơn vị")
    )
    date = models.DateField(_("ngày"))
    reason = models.CharField(_("lý do"), max_length=300)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("ngày đơn vị nghỉ")
        verbose_name_plural = _("ngày đơn vị nghỉ")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="unit_closure_unique")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.date:%d/%m/%Y}"


class CalendarChangeQuerySet(models.QuerySet["CalendarChange"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("calendar changes are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("calendar changes are append-only")


class CalendarChange(models.Model):
    """Audit row, append-only: who changed which calendar entry, when, why, from what to what."""

    at = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    actor_name = models.CharField(_("tên người thực hiện"), max_length=150, blank=True)
    action = models.CharField(_("thao tác"), max_length=20, choices=ChangeAction.choices)
    date = models.DateField(_("ngày"), null=True, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị"),
    )
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    reason = models.TextField(_("lý do"))

    objects = CalendarChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("thay đổi lịch")
        verbose_name_plural = _("nhật ký thay đổi lịch")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="calendar_change_has_reason")
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.get_action_display()} {self.date or ''}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("calendar changes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("calendar changes are append-only")


class CalendarRevision(models.Model):
    """A single row whose token changes with every calendar change, so that each process can
    tell with one indexed read whether its cached snapshot is still current. A random token
    rather than a counter: a rolled-back change never reuses a value another process cached."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("phiên bản lịch")
        verbose_name_plural = _("phiên bản lịch")

    def __str__(self) -> str:
        return str(self.token)
