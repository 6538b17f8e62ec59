"""The evidence register: a unit's own official documents, its plans with their tasks, its
initiatives and its communication activities — what the PAR Index asks a unit to prove.

A document's number and symbol are parsed once (`numbering.parse_reference`) and kept as parts
(number, symbol, issuer, type) plus the canonical text and a folded search key, so the register
filters and searches plain indexed columns. A task's lateness is never stored: it follows from
its due date and the day it is looked at (`PlanTask.status_on`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.records.choices import (
    ActivityKind,
    EditKind,
    FileSignature,
    InitiativeStatus,
    PlanTopic,
    TaskProgress,
    TaskStatus,
)
from cchc.units.models import visible_unit_ids


class DocumentType(models.Model):
    """A type of administrative document and its abbreviation in the symbol (Phụ lục III of
    Decree 30/2020/NĐ-CP). Data, not code: seeded by a migration, changed in the admin."""

    key = models.SlugField(_("khóa"), max_length=30, unique=True)
    name = models.CharField(_("tên loại văn bản"), max_length=100)
    abbreviation = models.CharField(
        _("chữ viết tắt"),
        max_length=10,
        blank=True,
        help_text=_("Trong ký hiệu văn bản, ví dụ KH trong 20/KH-UBND; để trống cho công văn."),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("loại văn bản")
        verbose_name_plural = _("loại văn bản")
        ordering = ["position", "name"]
        constraints = [
            # One type per abbreviation, and one type (the công văn) without any.
            models.UniqueConstraint(fields=["abbreviation"], name="document_type_abbreviation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


class OfficialDocumentQuerySet(models.QuerySet["OfficialDocument"]):
    def visible_to(self, user: Any) -> OfficialDocumentQuerySet:
        return self.filter(unit_id__in=visible_unit_ids(user))

    def signed(self, flag: bool = True) -> OfficialDocumentQuerySet:
        return self.filter(signed_q()) if flag else self.exclude(signed_q())


def signed_q() -> Q:
    """Digitally signed: the PDF carries an intact signature; a file that cannot be checked
    (not a PDF, or none yet) counts on the officer's word."""
    return Q(file_signature=FileSignature.SIGNED) | Q(
        file_signature__in=[FileSignature.NO_FILE, FileSignature.NOT_PDF], declared_signed=True
    )


def document_path(instance: OfficialDocument, filename: str) -> str:
    # The stored name never comes from the user: a random name under the unit and year, with the
    # extension of the type found in the content (passed in as `filename`).
    return f"records/{instance.unit_id}/{instance.year}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class OfficialDocument(models.Model):
    """One of the unit's own official documents, as its register (sổ đăng ký văn bản đi) holds it."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    number = models.PositiveIntegerField(_("số"))
    number_year = models.PositiveSmallIntegerField(_("năm trong số hiệu"), null=True, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=60)
    issuer = models.CharField(_("cơ quan ban hành (viết tắt)"), max_length=60)
    type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("loại văn bản")
    )
    reference = models.CharField(_("số, ký hiệu"), max_length=80)
    reference_key = models.CharField(max_length=80, editable=False, db_index=True)
    issued_on = models.DateField(_("ngày ban hành"))
    year = models.PositiveSmallIntegerField(_("năm"), editable=False)
    title = models.TextField(_("trích yếu"))
    signer = models.CharField(_("người ký"), max_length=200, blank=True)
    search_text = models.TextField(editable=False, default="")
    file = models.FileField(_("tệp"), upload_to=document_path, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    file_signature = models.CharField(
        _("chữ ký số trong tệp"),
        max_length=10,
        choices=FileSignature.choices,
        blank=True,
        default=FileSignature.NO_FILE,
    )
    # The signatures found when the file was attached (lib.pdfsignatures.SignatureCheck fields).
    file_signatures = models.JSONField(default=list, blank=True)
    declared_signed = models.BooleanField(
        _("đã ký số (cán bộ xác nhận)"),
        default=False,
        help_text=_("Văn bản điện tử đã được ký số; với tệp PDF, hệ thống tự kiểm tra chữ ký."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OfficialDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["-issued_on", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number", "symbol"], name="official_document_reference"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "year", "type"], name="official_document_unit_year"),
            models.Index(fields=["unit", "-issued_on"], name="official_document_unit_date"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def digitally_signed(self) -> bool:
        if self.file_signature == FileSignature.SIGNED:
            return True
        return self.file_signature in (FileSignature.NO_FILE, FileSignature.NOT_PDF) and (
            self.declared_signed
        )

    @property
    def declared_but_unsigned(self) -> bool:
        """The officer says signed, the PDF says otherwise: what an appraiser marks down."""
        return self.declared_signed and self.file_signature in (
            FileSignature.UNSIGNED,
            FileSignature.ALTERED,
        )


class DocumentEdit(models.Model):
    """One change of a registered document: who, when, what (field → [before, after])."""

    document = models.ForeignKey(OfficialDocument, on_delete=models.CASCADE, related_name="edits")
    kind = models.CharField(max_length=12, choices=EditKind.choices)
    changes = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lịch sử sửa văn bản")
        verbose_name_plural = _("lịch sử sửa văn bản")
        ordering = ["document", "at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.kind} {self.at:%d/%m/%Y}"


class CchcPlan(models.Model):
    """A plan (an official document of type KH) whose tasks are followed through the year:
    rõ người, rõ việc, rõ trách nhiệm, rõ quy trình, rõ hiệu quả."""

    document = models.OneToOneField(
        OfficialDocument, on_delete=models.PROTECT, related_name="plan", verbose_name=_("văn bản")
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    topic = models.CharField(
        _("nội dung kế hoạch"), max_length=20, choices=PlanTopic.choices, default=PlanTopic.CCHC
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kế hoạch CCHC")
        verbose_name_plural = _("kế hoạch CCHC")
        ordering = ["-year", "id"]
        indexes = [models.Index(fields=["unit", "year"], name="cchc_plan_unit_year")]

    def __str__(self) -> str:
        return f"{self.document.reference} ({self.year})"


def late_q(on: dt.date) -> Q:
    """Tasks late on `on`: past their due date and not done."""
    return Q(due_on__lt=on) & ~Q(progress=TaskProgress.DONE)


class PlanTask(models.Model):
    plan = models.ForeignKey(CchcPlan, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    content = models.TextField(_("nội dung nhiệm vụ"))
    owner_person = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    owner_body = models.CharField(_("bộ phận chủ trì"), max_length=200, blank=True)
    due_on = models.DateField(_("hạn hoàn thành"))
    progress = models.CharField(
        _("tiến độ"), max_length=12, choices=TaskProgress.choices, default=TaskProgress.NOT_STARTED
    )
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    result = models.TextField(_("kết quả"), blank=True)
    evidence = models.ForeignKey(
        OfficialDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("văn bản minh chứng"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("nhiệm vụ của kế hoạch")
        verbose_name_plural = _("nhiệm vụ của kế hoạch")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner_person="", owner_body=""), name="plan_task_has_owner"
            ),
            models.CheckConstraint(
                condition=Q(progress=TaskProgress.DONE, done_on__isnull=False)
                | (~Q(progress=TaskProgress.DONE) & Q(done_on__isnull=True)),
                name="plan_task_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.content[:60]

    @property
    def owner(self) -> str:
        return " – ".join(p for p in (self.owner_person, self.owner_body) if p)

    def status_on(self, on: dt.date) -> str:
        """The task as shown on `on`: late once its due date has passed and it is not done."""
        if self.progress == TaskProgress.DONE:
            return TaskStatus.DONE
        if self.due_on < on:
            return TaskStatus.LATE
        return str(self.progress)

    @property
    def finished_late(self) -> bool:
        return self.done_on is not None and self.done_on > self.due_on


class Initiative(models.Model):
    """A CCHC initiative (sáng kiến), recognised or not, counted for its criterion."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên sáng kiến"), max_length=500)
    author = models.CharField(_("tác giả"), max_length=300)
    status = models.CharField(
        _("tình trạng"),
        max_length=20,
        choices=InitiativeStatus.choices,
        default=InitiativeStatus.PROPOSED,
    )
    recognised_by = models.ForeignKey(
        OfficialDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("văn bản công nhận"),
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sáng kiến CCHC")
        verbose_name_plural = _("sáng kiến CCHC")
        ordering = ["-year", "title"]
        indexes = [models.Index(fields=["unit", "year"], name="initiative_unit_year")]

    def __str__(self) -> str:
        return self.title


class CommunicationActivity(models.Model):
    """A CCHC communication activity: "25 news items on the loudspeaker" is one row with count
    25, or 25 rows of 1 — the yearly count adds them up either way."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    kind = models.CharField(_("hình thức"), max_length=20, choices=ActivityKind.choices)
    on = models.DateField(_("ngày"))
    year = models.PositiveSmallIntegerField(_("năm"), editable=False)
    count = models.PositiveIntegerField(_("số lượng"), default=1)
    note = models.TextField(_("nội dung"), blank=True)
    evidence = models.ForeignKey(
        OfficialDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("văn bản minh chứng"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hoạt động tuyên truyền CCHC")
        verbose_name_plural = _("hoạt động tuyên truyền CCHC")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="communication_count_positive"),
        ]
        indexes = [
            models.Index(fields=["unit", "year", "kind"], name="communication_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d/%m/%Y}"
