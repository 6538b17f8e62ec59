from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.catalogue.choices import AuthorityLevel, OnlineService
from cchc.lib.text import fold
from cchc.units.choices import Role
from cchc.worktime.choices import TimeUnit
from cchc.worktime.deadlines import Duration


class Field(models.Model):
    """Lĩnh vực: the subject area a procedure belongs to (hộ tịch, chứng thực, đất đai…)."""

    code = models.SlugField(_("mã lĩnh vực"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcedureQuerySet(models.QuerySet["Procedure"]):
    def implemented_at(self, unit: Any) -> ProcedureQuerySet:
        return self.filter(adoptions__unit=unit, adoptions__implemented=True)


class Procedure(models.Model):
    """A TTHC identified by its national code; what it requires lives in its versions."""

    code = models.CharField(
        _("mã thủ tục"), max_length=30, unique=True, help_text=_("Mã quốc gia, ví dụ 1.001193")
    )
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("lĩnh vực")
    )
    authority_level = models.CharField(
        _("cấp thực hiện"), max_length=20, choices=AuthorityLevel.choices
    )
    # Name and folded search text of the newest version, kept by ProcedureVersion.save so that
    # listing and searching never join the version table.
    name = models.CharField(_("tên thủ tục"), max_length=500, editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def version_at(self, on: dt.date | None = None) -> ProcedureVersion | None:
        """The version in force on a date: the newest one whose effective date is not after it."""
        on = on or timezone.localdate()
        return self.versions.filter(effective_from__lte=on).order_by("-effective_from").first()

    def refresh_denormalised(self) -> None:
        latest = self.versions.order_by("-effective_from").first()
        if latest is None:
            return
        self.name = latest.name
        self.search_text = fold(
            " ".join([self.code, latest.name, latest.keywords, self.field.name])
        )
        self.save(update_fields=["name", "search_text"])


class ProcedureVersion(models.Model):
    """The content of a procedure from one effective date on. A dossier keeps the version in
    force at its receipt, so a version's content is never edited in place once used."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField(_("hiệu lực từ"))
    name = models.CharField(_("tên thủ tục"), max_length=500)
    processing_time = models.DecimalField(
        _("thời hạn giải quyết"),
        max_digits=7,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    time_unit = models.CharField(_("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices)
    time_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    # A longer time the law allows in a stated case ("trường hợp cần xác minh … không quá 05 ngày
    # làm việc"): the whole time in that case, in its own unit, applied by an officer with a reason.
    extended_time = models.DecimalField(
        _("thời hạn kéo dài theo quy định"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    extended_time_unit = models.CharField(
        _("đơn vị thời hạn kéo dài"), max_length=20, choices=TimeUnit.choices, blank=True
    )
    extended_time_condition = models.CharField(
        _("trường hợp được kéo dài"), max_length=500, blank=True
    )
    fee_note = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    online_service = models.CharField(
        _("dịch vụ công trực tuyến"), max_length=10, choices=OnlineService.choices
    )
    result_type = models.CharField(_("kết quả thực hiện"), max_length=300, blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    keywords = models.TextField(
        _("từ khóa tìm kiếm"), blank=True, help_text=_("Những cách người dân hay gọi thủ tục này")
    )
    published_by = models.CharField(_("quyết định công bố"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "effective_from"], name="procedure_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(processing_time__gte=0), name="procedure_version_time_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} ({self.effective_from:%d/%m/%Y})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self.procedure.refresh_denormalised()

    @property
    def duration(self) -> Duration:
        """The processing time as the deadline functions take it (0 days counts as same day)."""
        if self.time_unit == TimeUnit.SAME_DAY or self.processing_time == 0:
            return Duration.same_day()
        return Duration(self.time_unit, self.processing_time)

    @property
    def extended_duration(self) -> Duration | None:
        """The longer time of the stated case, or None where the procedure has none."""
        if self.extended_time is None or not self.extended_time_unit:
            return None
        if self.extended_time_unit == TimeUnit.SAME_DAY:
            return Duration.same_day()
        return Duration(self.extended_time_unit, self.extended_time)

    @property
    def total_fee_vnd(self) -> int:
        return sum(fee.amount_vnd for fee in self.fees.all())


class RequiredDocument(models.Model):
    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="documents"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    form_template = models.FileField(
        _("mẫu đơn, tờ khai"), upload_to="catalogue/forms/", blank=True, max_length=255
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("loại phí, lệ phí"), max_length=300)
    amount_vnd = models.PositiveBigIntegerField(_("mức thu (đồng)"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount_vnd}"


class StepTemplate(models.Model):
    """One step of the procedure's workflow; `share` is its percentage of the total time."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò thực hiện"), max_length=20, choices=Role.choices, blank=True)
    body = models.CharField(
        _("cơ quan thực hiện"),
        max_length=300,
        blank=True,
        help_text=_("Khi bước do cơ quan khác thực hiện (liên thông)"),
    )
    share = models.DecimalField(_("tỷ lệ thời gian (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("quy trình xử lý")
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.name


class UnitProcedure(models.Model):
    """Whether a unit implements a procedure (the commune counts 156 implemented, 18 not)."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("đơn vị")
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("thủ tục")
    )
    implemented = models.BooleanField(_("đang thực hiện"), default=True)
    reason = models.CharField(_("lý do không thực hiện"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("thủ tục áp dụng tại đơn vị")
        verbose_name_plural = _("thủ tục áp dụng tại đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["unit", "procedure"], name="unit_procedure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.procedure.code}"
