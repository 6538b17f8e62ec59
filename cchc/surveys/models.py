"""SIPAS surveys: questionnaires (factor → criterion → question, versioned), survey rounds with
their sample (invitations), and the responses collected on paper, at the kiosk and online.

A questionnaire that a round uses is never edited: a changed text is a new version (same code,
next number), so that every result stays readable against the questions that were asked.
Responses copy the surveyed unit so that results per unit never join through invitations.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.surveys.choices import (
    DEFAULT_SCALE,
    QuestionKind,
    QuestionnaireStatus,
    ResponseChannel,
    RoundAction,
    RoundStatus,
)
from cchc.workflow.models import WorkflowEvent


class Questionnaire(models.Model):
    """One version of a questionnaire, issued by a unit (usually the province) for a year."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị ban hành")
    )
    code = models.CharField(_("mã bộ câu hỏi"), max_length=40)
    version = models.PositiveSmallIntegerField(_("phiên bản"))
    year = models.PositiveSmallIntegerField(_("năm áp dụng"))
    title = models.CharField(_("tên bộ câu hỏi"), max_length=300)
    introduction = models.TextField(_("lời giới thiệu, hướng dẫn"), blank=True)
    # The five labels of the answer scale, 1 (worst) to 5 (best): data, never code.
    scale = models.JSONField(_("nhãn thang đo"), default=list)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=QuestionnaireStatus.choices,
        default=QuestionnaireStatus.DRAFT,
    )
    created_at = models.DateTimeField(_("thời điểm tạo"))
    activated_at = models.DateTimeField(_("thời điểm áp dụng"), null=True, blank=True)

    class Meta:
        verbose_name = _("bộ câu hỏi khảo sát")
        verbose_name_plural = _("bộ câu hỏi khảo sát")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_code_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def labels(self) -> list[str]:
        return (
            list(self.scale)
            if len(self.scale or []) == len(DEFAULT_SCALE)
            else [str(label) for label in DEFAULT_SCALE]
        )


class Factor(models.Model):
    """A SIPAS factor (yếu tố), e.g. "Tiếp cận dịch vụ"."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="factors"
    )
    position = models.PositiveSmallIntegerField()
    code = models.CharField(_("mã yếu tố"), max_length=20)
    title = models.CharField(_("tên yếu tố"), max_length=300)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="factor_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class SurveyCriterion(models.Model):
    """A criterion (tiêu chí) of a factor."""

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(_("mã tiêu chí"), max_length=20)
    title = models.CharField(_("tên tiêu chí"), max_length=300)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["factor", "code"], name="survey_criterion_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Question(models.Model):
    """One closed question on the 5-point scale. The questionnaire is repeated here so that a
    code names one question in the whole questionnaire (what answers are keyed by)."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    criterion = models.ForeignKey(
        SurveyCriterion, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    code = models.CharField(_("mã câu hỏi"), max_length=20)
    text = models.TextField(_("câu hỏi"))
    kind = models.CharField(_("nội dung đo"), max_length=12, choices=QuestionKind.choices)
    # This question's own five labels (an expectation is not asked as "satisfied"); empty: the
    # questionnaire's.
    scale = models.JSONField(_("nhãn thang đo riêng"), default=list, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_once"),
        ]

    def __str__(self) -> str:
        return self.code


class SurveyRoundQuerySet(models.QuerySet["SurveyRound"]):
    def visible_to(self, user: Any) -> SurveyRoundQuerySet:
        from cchc.units.models import visible_unit_ids

        return self.filter(unit_id__in=visible_unit_ids(user))


class SurveyRound(models.Model):
    """One survey (đợt khảo sát) run by a unit over the dossiers returned in a period."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds"
    )
    # The unit running the round: whoever sees it sees the round (the scoping rule).
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị thực hiện")
    )
    # The units whose citizens are surveyed: the running unit or units under it.
    surveyed_units = models.ManyToManyField(
        "units.Unit", related_name="+", verbose_name=_("đơn vị được khảo sát")
    )
    title = models.CharField(_("tên đợt khảo sát"), max_length=300)
    period_start = models.DateField(_("từ ngày (trả kết quả)"))
    period_end = models.DateField(_("đến ngày (trả kết quả)"))
    answer_until = models.DateField(_("hạn trả lời phiếu"))
    sample_size = models.PositiveIntegerField(_("cỡ mẫu"))
    # The seed of the draw, kept so that the same data and seed give the same sample.
    seed = models.BigIntegerField(_("hạt giống chọn mẫu"))
    # Applicants eligible at the draw (the population the sample was drawn from).
    population = models.PositiveIntegerField(_("tổng thể"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    created_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt khảo sát")
        verbose_name_plural = _("đợt khảo sát")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="survey_round_period_order",
            ),
            models.CheckConstraint(condition=Q(sample_size__gte=1), name="survey_round_sample"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyRoundEvent(WorkflowEvent):
    """A round's history on the one workflow mechanism (append-only)."""

    subject_field: ClassVar[str] = "round"

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30, choices=RoundAction.choices)
    from_status = models.CharField(max_length=20, blank=True, choices=RoundStatus.choices)
    to_status = models.CharField(max_length=20, choices=RoundStatus.choices)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Invitation(models.Model):
    """One sampled applicant of a round: the dossier they were drawn through and the one-time
    link they answer by. The citizen's phone and address stay on the dossier; pages show them
    masked (`lib.personal`), messages are logged by a digest only (`notify`)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    # A digest of the applicant's identity (id number, else phone, else e-mail): one invitation
    # per applicant and round, without keeping the identity here.
    applicant_key = models.CharField(max_length=32)
    token = models.CharField(max_length=43, unique=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)

    class Meta:
        verbose_name = _("lời mời khảo sát")
        verbose_name_plural = _("lời mời khảo sát")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "applicant_key"], name="invitation_once_per_applicant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.pk}"


class Response(models.Model):
    """One filled-in questionnaire."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    channel = models.CharField(_("kênh"), max_length=10, choices=ResponseChannel.choices)
    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, null=True, blank=True, related_name="response"
    )
    # Paper: the officer who typed it in; kiosk: the officer who opened the tablet.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The number written on a paper form, so that one form is never typed in twice.
    form_number = models.CharField(_("số phiếu"), max_length=20, blank=True)
    at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("phiếu khảo sát")
        verbose_name_plural = _("phiếu khảo sát")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "form_number"],
                condition=~Q(form_number=""),
                name="response_form_number_once",
            ),
        ]
        indexes = [models.Index(fields=["round", "unit"], name="response_round_unit")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.pk} ({self.channel})"


class Answer(models.Model):
    """The value chosen for one question: 1..5, or none (left blank)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5),
                name="answer_value_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.value}"
