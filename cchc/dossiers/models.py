from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.dossiers.choices import (
    FINAL_STATUSES,
    NATIONAL_CODE,
    OPEN_STATUSES,
    Action,
    ApplicantKind,
    Channel,
    EndType,
    PaymentMethod,
    ReturnMethod,
    Status,
)
from cchc.lib.text import fold
from cchc.units.choices import Role
from cchc.units.models import Unit
from cchc.workflow.models import WorkflowEvent
from cchc.worktime.choices import Outcome


class DossierCounter(models.Model):
    """The per-agency, per-day sequence behind dossier codes; a row is locked while it is used."""

    agency_identifier = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency_identifier", "day"], name="dossier_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_identifier} {self.day:%y%m%d}: {self.last}"


class DossierQuerySet(models.QuerySet["Dossier"]):
    def visible_to(self, user: Any) -> DossierQuerySet:
        """Dossiers received by or processed in a unit the user may see."""
        from cchc.units.models import visible_unit_ids

        ids = visible_unit_ids(user)
        return self.filter(Q(processing_unit_id__in=ids) | Q(receiving_unit_id__in=ids))

    def open(self) -> DossierQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Dossier(models.Model):
    """One application for one procedure, from submission or receipt to the returned result.

    Besides the workflow state it keeps, as plain indexed columns maintained by the actions, the
    facts every official table is counted from (channel, received, original and current due
    moment, finished with its outcome, returned), so that reports never replay history.
    """

    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    row_version = models.PositiveIntegerField(
        default=1, help_text="Optimistic lock: forms send the version they showed."
    )
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, db_index=True)

    procedure = models.ForeignKey(
        "catalogue.Procedure", on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure_version = models.ForeignKey(
        "catalogue.ProcedureVersion", on_delete=models.PROTECT, related_name="dossiers"
    )
    field = models.ForeignKey("catalogue.Field", on_delete=models.PROTECT, related_name="dossiers")
    receiving_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name=_("nơi tiếp nhận"),
    )
    processing_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="processed_dossiers",
        verbose_name=_("nơi giải quyết"),
    )
    channel = models.CharField(_("kênh nộp"), max_length=20, choices=Channel.choices)
    return_method = models.CharField(
        _("hình thức nhận kết quả"), max_length=20, choices=ReturnMethod.choices
    )

    applicant_kind = models.CharField(
        max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = models.CharField(_("người nộp"), max_length=200)
    # The name without diacritics, lower-case (lib.text.fold): staff type "le thi hoa" for
    # Lê Thị Hoa, and one indexed column answers both ways of typing.
    applicant_name_folded = models.CharField(max_length=200, blank=True, editable=False)
    applicant_id_number = models.CharField(
        _("số giấy tờ tùy thân / mã số thuế"), max_length=20, blank=True
    )
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True, db_index=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)

    sets = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)
    cross_boundary = models.BooleanField(
        _("phi địa giới"),
        default=False,
        help_text="Received at another commune's one-stop place than the one that resolves it.",
    )

    submitted_at = models.DateTimeField(_("thời điểm nộp"))
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    clock_started_at = models.DateTimeField(
        null=True, blank=True, help_text="Receipt, or the return of a complete supplement."
    )
    original_due_at = models.DateTimeField(_("hạn trả kết quả ban đầu"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    rescheduled_at = models.DateTimeField(_("thời điểm xin lỗi, hẹn lại"), null=True, blank=True)
    reschedule_count = models.PositiveSmallIntegerField(default=0)
    extended_at = models.DateTimeField(
        _("thời điểm áp dụng thời hạn kéo dài theo quy định"), null=True, blank=True
    )
    supplement_requested_at = models.DateTimeField(null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    supplement_wait = models.DurationField(
        null=True, blank=True, help_text="Time waiting for the citizen's supplement."
    )
    payment_requested_at = models.DateTimeField(null=True, blank=True)
    payment_wait = models.DurationField(null=True, blank=True)
    fee_due_vnd = models.PositiveBigIntegerField(default=0)
    fee_paid_vnd = models.PositiveBigIntegerField(default=0)
    finished_at = models.DateTimeField(_("thời điểm có kết quả"), null=True, blank=True)
    end_type = models.CharField(max_length=20, choices=EndType.choices, blank=True)
    outcome = models.CharField(
        _("kết quả đánh giá"), max_length=10, choices=Outcome.choices, blank=True
    )
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    result_digital = models.BooleanField(_("kết quả điện tử"), default=False)
    postal_tracking = models.CharField(_("mã bưu gửi"), max_length=40, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            # Worklists and reports: a unit's dossiers by status, by due moment, by period.
            models.Index(
                fields=["processing_unit", "status", "due_at", "id"], name="dossier_unit_status_due"
            ),
            models.Index(fields=["processing_unit", "received_at"], name="dossier_unit_received"),
            models.Index(fields=["processing_unit", "finished_at"], name="dossier_unit_finished"),
            models.Index(
                fields=["receiving_unit", "status", "id"], name="dossier_receiving_status"
            ),
            # The open lists (due soon, overdue, open) filter on the open statuses: a partial
            # index on exactly that keeps a province's first page at a fraction of a millisecond.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="dossier_open_due",
            ),
            models.Index(
                fields=["finished_at", "id"],
                condition=Q(status=Status.RESOLVED),
                name="dossier_resolved_finished",
            ),
            models.Index(fields=["-updated_at", "-id"], name="dossier_updated_desc"),
            models.Index(fields=["assignee", "status", "due_at"], name="dossier_assignee"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.applicant_name_folded = fold(self.applicant_name)[:200]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "applicant_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "applicant_name_folded"}
        super().save(*args, **kwargs)

    @property
    def national_status(self) -> int:
        return NATIONAL_CODE[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_cross_boundary(self) -> bool:
        return self.cross_boundary


def crosses_boundary(receiving: Unit, processing: Unit) -> bool:
    """Phi địa giới (ND 118/2025): the administrative unit that owns the receiving place is not
    the one that resolves the dossier. A commune's own one-stop centre, or any of its agencies,
    receiving for that commune is not cross-boundary, whatever the unit rows are."""

    return receiving.admin_owner_id != processing.admin_owner_id


class DossierStep(models.Model):
    """One body's or role's share of the work: the rows of the control slip (Mẫu 05)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    body = models.CharField(max_length=300, blank=True)
    allotted = models.DurationField(help_text="Working time allotted to this step.")
    due_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["dossier", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "position"], name="dossier_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.position} {self.name}"


class DossierEvent(WorkflowEvent):
    """Append-only history: every action leaves one row; nothing here is ever updated."""

    subject_field = "dossier"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    at = models.DateTimeField(db_index=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True, help_text="Shown on the citizen's tracking page.")

    class Meta:
        ordering = ["dossier", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="dossier_event_dossier_at")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%d/%m/%Y %H:%M}"


class DossierPayment(models.Model):
    """One payment of fees or taxes towards a dossier (ND 61 Art. 22): amount, receipt number and
    how it was paid, so that partial payments add up and the online-payment rate (QĐ 766) can be
    counted. Append-only, like the events."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="payments")
    amount_vnd = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    method = models.CharField(_("hình thức nộp"), max_length=20, choices=PaymentMethod.choices)
    receipt_number = models.CharField(_("số biên lai"), max_length=60, blank=True)
    paid_at = models.DateTimeField(_("thời điểm nộp"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["dossier", "paid_at", "id"]
        indexes = [models.Index(fields=["paid_at", "method"], name="dossier_payment_paid")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="dossier_payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.amount_vnd} ({self.method})"


class DocumentKind(models.TextChoices):
    SUBMITTED = "submitted", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Hồ sơ bổ sung")
    RESULT = "result", _("Kết quả giải quyết")
    INTERNAL = "internal", _("Tài liệu xử lý")


def document_path(instance: DossierDocument, filename: str) -> str:
    # The stored name never comes from the user: a random name under the dossier's month, with
    # the extension of the type found in the content (passed in as `filename`).
    moment = instance.dossier.received_at or instance.dossier.submitted_at
    return f"dossiers/{moment:%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class DossierDocument(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(
        max_length=20, choices=DocumentKind.choices, default=DocumentKind.SUBMITTED
    )
    required_document = models.ForeignKey(
        "catalogue.RequiredDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(max_length=500)
    originals = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=document_path, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    digitised = models.BooleanField(
        default=False, help_text="Số hóa: reusable by the same citizen later."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "kind", "id"]

    def __str__(self) -> str:
        return self.name


class IdempotentReceipt(models.Model):
    """An `Idempotency-Key` seen on a receipt: a retried request gets the same dossier back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_receipt_unique")
        ]

    def __str__(self) -> str:
        return self.key
