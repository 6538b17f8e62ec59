"""Names used by the working calendar, defined once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """What a calendar entry makes of its date. Every kind but MAKEUP_WORKING is a day off."""

    HOLIDAY = "holiday", _("Ngày lễ")
    TET = "tet", _("Tết Nguyên đán")
    COMPENSATORY = "compensatory", _("Nghỉ bù")
    SWAPPED = "swapped", _("Nghỉ hoán đổi")
    MAKEUP_WORKING = "makeup_working", _("Làm bù")

    @classmethod
    def days_off(cls) -> frozenset[str]:
        return frozenset({cls.HOLIDAY, cls.TET, cls.COMPENSATORY, cls.SWAPPED})


class DaySource(models.TextChoices):
    """Where an entry comes from: computed from the Labour Code rules, or an official notice."""

    COMPUTED = "computed", _("Dự tính theo Bộ luật Lao động")
    OFFICIAL = "official", _("Theo thông báo chính thức")


class Outcome(models.TextChoices):
    """How a finished dossier is judged against its due moment (CALENDAR.md)."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class OpenState(models.TextChoices):
    """Where an open dossier stands against its due moment."""

    WITHIN_TIME = "within_time", _("Trong hạn")
    OVERDUE = "overdue", _("Quá hạn")


class ChangeAction(models.TextChoices):
    DAY_SET = "day_set", _("Đặt ngày")
    DAY_REMOVED = "day_removed", _("Bỏ ngày")
    HOURS_SET = "hours_set", _("Đặt giờ làm việc")
    HOURS_REMOVED = "hours_removed", _("Bỏ giờ làm việc riêng")
    CLOSURE_ADDED = "closure_added", _("Thêm ngày đơn vị nghỉ")
    CLOSURE_REMOVED = "closure_removed", _("Bỏ ngày đơn vị nghỉ")


class RescheduleRefusal(models.TextChoices):
    """Why a rescheduling (apology letter, Mẫu 04) is refused."""

    ALREADY_RESCHEDULED = "already_rescheduled", _("Hồ sơ đã được hẹn lại một lần.")
    TOO_LATE = "too_late", _("Phải xin hẹn lại chậm nhất 1 ngày làm việc trước ngày hẹn trả.")
    NOT_LATER = "not_later", _("Ngày hẹn mới phải sau ngày hẹn cũ.")


class TimeUnit(models.TextChoices):
    """How a legal time limit is counted (the catalogue states each procedure's in one of these)."""

    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    SAME_DAY = "same_day", _("trong ngày")
