"""The PAR Index (Chỉ số CCHC): criteria sets as trees, one assessment per unit and set, a score
row per assessment and criterion with its evidence and its history, the cycle's events and the
remediation tasks that follow lost points.

Only the leaves of a criteria set are scored; a field's or a criterion's points are the sum of
its children's (`results.py`). Thresholds, targets and classification bands are the set's data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.parindex.choices import (
    SET_KIND_CHOICES,
    Action,
    EvidenceKind,
    Method,
    ScoreRule,
    SetStatus,
    Status,
    TaskAction,
    TaskStatus,
)
from cchc.workflow.models import WorkflowEvent

# Points carry two decimals (0,25; 1,5); no criterion or set reaches 10.000 points
# (max_digits=6, decimal_places=2 on every column of points).
ZERO = Decimal(0)


class CriteriaSet(models.Model):
    """A criteria set as a province (or the ministry) issues it for one year and one kind of
    unit: its tree of criteria, its maximum and its classification bands."""

    code = models.CharField(_("mã bộ tiêu chí"), max_length=40)
    name = models.CharField(_("tên"), max_length=300)
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    unit_kind = models.CharField(_("áp dụng cho"), max_length=20, choices=SET_KIND_CHOICES)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SetStatus.choices, default=SetStatus.DRAFT
    )
    max_total = models.DecimalField(_("tổng điểm tối đa"), max_digits=6, decimal_places=2)
    # [{"label": "Tốt", "min": 90}, …], best first: the index (out of 100) a unit needs for each
    # grade. Data per set and year (PAR.md: the provinces' thresholds are not national rules).
    bands = models.JSONField(_("xếp loại"), default=list, blank=True)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bộ tiêu chí Chỉ số CCHC")
        verbose_name_plural = _("bộ tiêu chí Chỉ số CCHC")
        ordering = ["-year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="par_set_code_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.year})"


class Criterion(models.Model):
    """A node of a set's tree: a field (lĩnh vực), a criterion (tiêu chí) or a sub-criterion
    (tiêu chí thành phần). `order` is the node's place in a walk of the whole tree, so one
    ordered query reads the set as printed."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("mã"), max_length=20)
    title = models.CharField(_("nội dung"), max_length=500)
    max_score = models.DecimalField(
        _("điểm tối đa"), validators=[MinValueValidator(ZERO)], max_digits=6, decimal_places=2
    )
    method = models.CharField(_("phương pháp"), max_length=10, choices=Method.choices)
    rule = models.CharField(
        _("cách chấm"), max_length=12, choices=ScoreRule.choices, default=ScoreRule.FREE
    )
    # stepped: {"steps": [[threshold, points], …]} ("empty_score": the points when nothing was
    # to be counted; an automatic criterion's thresholds are rates, 0.98, and its params must
    # pass scoring.parse_rule); proportional: {"target": 1.0}; free: {"levels": [1, 0.5, 0]}
    # when only those are allowed.
    rule_params = models.JSONField(_("tham số cách chấm"), default=dict, blank=True)
    formula = models.CharField(
        _("công thức tự động"),
        max_length=60,
        blank=True,
        help_text=_("Khóa công thức tính từ dữ liệu hệ thống (phương pháp tự động)."),
    )
    evidence_required = models.TextField(_("tài liệu kiểm chứng"), blank=True)
    guidance = models.TextField(_("hướng dẫn chấm"), blank=True)
    order = models.PositiveIntegerField(_("thứ tự"))
    is_leaf = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["criteria_set", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "code"], name="par_criterion_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def field_code(self) -> str:
        """The code of the field this node belongs to: "3" for "3.1.2"."""
        return self.code.split(".", 1)[0]


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def visible_to(self, user: Any) -> AssessmentQuerySet:
        from cchc.units.models import visible_unit_ids

        return self.filter(unit_id__in=visible_unit_ids(user))


class Assessment(models.Model):
    """One unit's PAR Index for one set (hence one year): the cycle's status and deadlines."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    criteria_set = models.ForeignKey(
        CriteriaSet,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("bộ tiêu chí"),
    )
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    self_assessment_due = models.DateField(_("hạn tự đánh giá"))
    appraisal_due = models.DateField(_("hạn thẩm định"))
    # The council members assigned to this unit; nobody named: every appraiser over the unit.
    appraisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("thành viên thẩm định"),
    )
    # False once the survey round is merged without a survey (optional at commune level): the
    # index is then the appraised points over the appraised criteria's maximum.
    with_survey = models.BooleanField(_("có điều tra xã hội học"), default=True)
    version = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(_("mở lúc"))
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("kỳ đánh giá Chỉ số CCHC")
        verbose_name_plural = _("kỳ đánh giá Chỉ số CCHC")
        ordering = ["-year", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "criteria_set"], name="par_assessment_unit_set_unique"
            ),
            models.CheckConstraint(
                condition=Q(appraisal_due__gte=models.F("self_assessment_due")),
                name="par_assessment_deadlines_in_order",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"], name="par_assessment_year_idx")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.criteria_set}"


class Score(models.Model):
    """What one criterion (a leaf) earned in one assessment, at each step of the cycle. Changed
    only by the actions, each change written to `ScoreChange`."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField(
        _("điểm tự chấm"), null=True, blank=True, max_digits=6, decimal_places=2
    )
    appraised_1 = models.DecimalField(
        _("điểm thẩm định lần 1"), null=True, blank=True, max_digits=6, decimal_places=2
    )
    appraised_2 = models.DecimalField(
        _("điểm thẩm định lần 2"), null=True, blank=True, max_digits=6, decimal_places=2
    )
    survey_score = models.DecimalField(
        _("điểm điều tra xã hội học"), null=True, blank=True, max_digits=6, decimal_places=2
    )
    reason = models.TextField(_("lý do trừ điểm"), blank=True)
    explanation = models.TextField(_("giải trình của đơn vị"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        ordering = ["assessment", "criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="par_score_criterion_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.criterion_id}"

    @property
    def appraised_score(self) -> Decimal | None:
        """The council's latest word: round 2 where it re-scored, else round 1."""
        return self.appraised_2 if self.appraised_2 is not None else self.appraised_1


class ScoreChange(models.Model):
    """Append-only history of a score row: who changed which column, from what to what, why."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=20)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    why = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["score", "at", "id"]

    def __str__(self) -> str:
        return f"{self.score_id} {self.field}: {self.old} → {self.new}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("ScoreChange rows are append-only")
        super().save(*args, **kwargs)


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is ours (the upload's name may carry personal data or odd characters).
    return f"parindex/{instance.score.assessment_id}/{instance.sha256[:16]}.{instance.extension}"


class Evidence(models.Model):
    """One piece of evidence for a criterion: a file, or a reference (a registered document's
    number, a plan, a report, a period's dossier statistics, an address)."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("loại"), max_length=16, choices=EvidenceKind.choices)
    label = models.CharField(_("tên tài liệu"), max_length=300)
    file = models.FileField(_("tệp"), upload_to=evidence_path, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    extension = models.CharField(max_length=10, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    ref = models.CharField(
        _("tham chiếu"),
        max_length=500,
        blank=True,
        help_text=_("Số, ký hiệu văn bản, mã kế hoạch/báo cáo, kỳ số liệu hoặc địa chỉ web."),
    )
    # A document of the unit's register (kind "record"): its number and symbol, date and
    # digital signature are read from it, so a later correction in the register shows here.
    record = models.ForeignKey(
        "records.OfficialDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("văn bản trong sổ đăng ký"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")
        ordering = ["score", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=EvidenceKind.FILE) & ~Q(file=""))
                | (~Q(kind=EvidenceKind.FILE) & ~Q(ref="")),
                name="par_evidence_file_or_ref",
            ),
            models.CheckConstraint(
                condition=Q(record__isnull=True) | Q(kind=EvidenceKind.RECORD),
                name="par_evidence_record_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class AssessmentEvent(WorkflowEvent):
    """Append-only history of an assessment: every step of the cycle, dated, with its actor."""

    subject_field = "assessment"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["assessment", "at", "id"]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.action} {self.at:%d/%m/%Y %H:%M}"


class RemediationTask(models.Model):
    """What the unit will do about a criterion that lost points, tracked to closure."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="remediation_tasks"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("việc cần làm"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người chịu trách nhiệm"),
    )
    due_on = models.DateField(_("hạn hoàn thành"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    # What shows it was done: a registered document's number, a plan, an address.
    evidence = models.CharField(_("kết quả, minh chứng"), max_length=500, blank=True)
    # Optionally the document of the unit's own register that shows it (records), read from
    # there so that a later correction in the register shows here too.
    evidence_record = models.ForeignKey(
        "records.OfficialDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("văn bản minh chứng"),
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every move (cchc.workflow): a form sent at an older version is refused (409).
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("nhiệm vụ khắc phục")
        verbose_name_plural = _("nhiệm vụ khắc phục")
        ordering = ["assessment", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.DONE) | ~Q(evidence=""),
                name="par_task_done_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_late(self, on: dt.date | None = None) -> bool:
        """Late (quá hạn): not done nor cancelled and due before `on` (today in Vietnam).
        Derived, never stored."""
        on = on or timezone.localdate()
        return self.status not in (TaskStatus.DONE, TaskStatus.CANCELLED) and self.due_on < on


class RemediationEvent(WorkflowEvent):
    """Append-only history of a remediation task: given, started, completed (with its
    evidence) or cancelled (with the reason), by whom and when. Tasks given before this table
    existed have no events: their history was never kept."""

    subject_field = "task"

    task = models.ForeignKey(RemediationTask, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=TaskAction.choices)
    from_status = models.CharField(max_length=12, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=TaskStatus.choices)
    # Why: the cancellation's reason, the evidence of completion.
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("diễn biến nhiệm vụ khắc phục")
        verbose_name_plural = _("diễn biến nhiệm vụ khắc phục")
        ordering = ["task", "at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action} {self.at:%d/%m/%Y %H:%M}"
