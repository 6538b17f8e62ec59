"""Per-dossier ratings and citizen feedback (phản ánh, kiến nghị — PAKN).

A rating copies the dossier's units and procedure so satisfaction reports never join through
dossiers. A PAKN stores its deadlines (forward, answer) as timestamps computed at receipt on the
unit's working calendar, and the outcome of each against them once done, so worklists and
reports filter plain indexed columns.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.feedback.choices import (
    ANSWERED_STATUSES,
    FORWARD_CATEGORIES,
    OPEN_STATUSES,
    Action,
    Category,
    Kind,
    Level,
    RatingChannel,
    Status,
    Subject,
)
from cchc.workflow.models import WorkflowEvent
from cchc.worktime.choices import Outcome

DEFAULT_FORWARD_WORKING_DAYS = 5  # ND 20/2008 Art. 9(4)
DEFAULT_ANSWER_WORKING_DAYS = 10  # ministry circulars: 5–7, or 10 for complex cases


class Rating(models.Model):
    """The applicant's rating of one returned dossier: at most one per dossier."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="ratings"
    )
    level = models.PositiveSmallIntegerField(_("mức độ hài lòng"), choices=Level.choices)
    reasons = models.JSONField(_("về các mặt"), default=list, blank=True)
    comment = models.TextField(_("ý kiến khác"), blank=True)
    channel = models.CharField(_("kênh đánh giá"), max_length=10, choices=RatingChannel.choices)
    created_at = models.DateTimeField(_("thời điểm đánh giá"), db_index=True)
    # Copied from the dossier for reporting.
    processing_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("nơi giải quyết")
    )
    receiving_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("nơi tiếp nhận")
    )
    procedure = models.ForeignKey(
        "catalogue.Procedure", on_delete=models.PROTECT, related_name="+", verbose_name=_("thủ tục")
    )
    # The officer who handed over the counter tablet (kiosk ratings only).
    kiosk_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("đánh giá hài lòng")
        verbose_name_plural = _("đánh giá hài lòng")
        constraints = [
            models.UniqueConstraint(fields=["dossier"], name="rating_once_per_dossier"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_1_5"
            ),
        ]
        indexes = [
            models.Index(fields=["processing_unit", "created_at"], name="rating_unit_created"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.level}"


class FeedbackSettings(models.Model):
    """A unit's PAKN deadlines; communes without a row use their nearest ancestor's, then the
    defaults."""

    unit = models.OneToOneField(
        "units.Unit",
        on_delete=models.CASCADE,
        related_name="feedback_settings",
        verbose_name=_("đơn vị"),
    )
    forward_working_days = models.PositiveSmallIntegerField(
        _("hạn chuyển cơ quan có thẩm quyền (ngày làm việc)"), default=DEFAULT_FORWARD_WORKING_DAYS
    )
    answer_working_days = models.PositiveSmallIntegerField(
        _("hạn trả lời (ngày làm việc)"), default=DEFAULT_ANSWER_WORKING_DAYS
    )

    class Meta:
        verbose_name = _("thời hạn xử lý phản ánh, kiến nghị")
        verbose_name_plural = _("thời hạn xử lý phản ánh, kiến nghị")
        constraints = [
            models.CheckConstraint(
                condition=Q(forward_working_days__gte=1, answer_working_days__gte=1),
                name="feedback_settings_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.forward_working_days}/{self.answer_working_days}"


def to_forward_q() -> Q:
    """Classified as outside the unit's competence or as conduct, not yet forwarded."""
    return Q(status=Status.CLASSIFIED, category__in=FORWARD_CATEGORIES)


def to_answer_q() -> Q:
    return Q(status=Status.FORWARDED) | Q(
        status=Status.CLASSIFIED, category__in=[Category.WITHIN, ""]
    )


def overdue_q(now: Any) -> Q:
    """Forward deadline passed while still to classify or forward, or answer deadline passed
    while still open."""
    late_forward = Q(forward_due_at__lt=now) & (Q(status=Status.RECEIVED) | to_forward_q())
    late_answer = Q(answer_due_at__lt=now, status__in=OPEN_STATUSES)
    return late_forward | late_answer


class FeedbackQuerySet(models.QuerySet["Feedback"]):
    def visible_to(self, user: Any) -> FeedbackQuerySet:
        from cchc.units.models import visible_unit_ids

        return self.filter(unit_id__in=visible_unit_ids(user))

    def open(self) -> FeedbackQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def published(self) -> FeedbackQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def to_forward(self) -> FeedbackQuerySet:
        return self.filter(to_forward_q())

    def to_answer(self) -> FeedbackQuerySet:
        return self.filter(to_answer_q())

    def overdue(self, now: Any) -> FeedbackQuerySet:
        return self.filter(overdue_q(now))


class Feedback(models.Model):
    """One phản ánh, kiến nghị or complaint, from receipt to its published answer."""

    code = models.CharField(_("mã tra cứu"), max_length=20, unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    subject = models.CharField(_("về"), max_length=12, choices=Subject.choices)
    procedure = models.ForeignKey(
        "catalogue.Procedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thủ tục"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="feedback_items",
        verbose_name=_("gửi đến"),
    )
    content = models.TextField(_("nội dung"))
    # Personal data: staff pages only, never public pages, the public API or published text.
    name = models.CharField(_("họ tên"), max_length=200, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)

    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    category = models.CharField(_("phân loại"), max_length=10, choices=Category.choices, blank=True)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    forward_due_at = models.DateTimeField(_("hạn phân loại, chuyển"))
    answer_due_at = models.DateTimeField(_("hạn trả lời"))
    classified_at = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    forwarded_to_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chuyển đến đơn vị"),
    )
    forwarded_to = models.CharField(_("chuyển đến cơ quan"), max_length=300, blank=True)
    forward_outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answer_outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    public_summary = models.TextField(_("tóm tắt nội dung (công khai)"), blank=True)
    public_answer = models.TextField(_("kết quả trả lời (công khai)"), blank=True)
    published_at = models.DateTimeField(_("thời điểm công khai"), null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(_("lý do không xử lý"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        indexes = [
            models.Index(fields=["unit", "status", "received_at"], name="feedback_unit_status"),
            models.Index(
                fields=["answer_due_at"],
                condition=Q(answered_at__isnull=True, rejected_at__isnull=True),
                name="feedback_open_due",
            ),
            models.Index(fields=["unit", "published_at"], name="feedback_unit_published"),
        ]
        constraints = [
            # A complaint about an officer names its sender and a way to reach them.
            models.CheckConstraint(
                condition=~Q(kind=Kind.COMPLAINT) | (~Q(name="") & (~Q(phone="") | ~Q(email=""))),
                name="feedback_complaint_identified",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED_STATUSES

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def needs_forwarding(self) -> bool:
        return self.category in FORWARD_CATEGORIES

    def forward_overdue(self, now: Any) -> bool:
        waiting = self.status == Status.RECEIVED or (
            self.status == Status.CLASSIFIED and self.needs_forwarding
        )
        return waiting and self.forward_due_at < now

    def answer_overdue(self, now: Any) -> bool:
        return self.is_open and self.answer_due_at < now


def attachment_path(instance: FeedbackAttachment, filename: str) -> str:
    # Never the sender's file name: a random name, with the extension of the type found in
    # the content (passed in as `filename`).
    return f"feedback/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class FeedbackAttachment(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["feedback", "id"]

    def __str__(self) -> str:
        return f"{self.feedback_id}/{self.pk}"


class FeedbackEvent(WorkflowEvent):
    """Append-only history of a PAKN: every action leaves one row; none is ever updated."""

    subject_field = "feedback"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["feedback", "at", "id"]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.action} {self.at:%d/%m/%Y %H:%M}"
