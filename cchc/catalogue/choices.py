from django.db import models
from django.utils.translation import gettext_lazy as _


class AuthorityLevel(models.TextChoices):
    CENTRAL = "central", _("Cấp trung ương")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    SAME_DAY = "same_day", _("trong ngày")


class OnlineService(models.TextChoices):
    FULL = "full", _("Trực tuyến toàn trình")
    PARTIAL = "partial", _("Trực tuyến một phần")
    NONE = "none", _("Không trực tuyến")
