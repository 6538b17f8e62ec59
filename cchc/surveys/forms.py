"""The staff forms of the survey pages (rendered by the shared form renderer, cchc/lib/forms.py),
and the reading of a filled-in questionnaire from a page's POST."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.lib.forms import DateInput
from cchc.surveys.actions import MAX_SAMPLE
from cchc.surveys.models import Question, Questionnaire
from cchc.units.models import Unit

MAX_FILE_BYTES = 1_000_000


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def answers_from(
    data: Mapping[str, Any], questions: Iterable[Question], *, zero_is_blank: bool = False
) -> dict[str, str]:
    """The answers a page posted, keyed by question code, as typed (the action checks them).
    `zero_is_blank`: on the paper-entry page 0 stands for "no answer" (one key per question)."""
    answers = {q.code: str(data.get(field_name(q), "")).strip()[:5] for q in questions}
    if zero_is_blank:
        answers = {code: "" if value == "0" else value for code, value in answers.items()}
    return answers


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class QuestionnaireChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Questionnaire) -> str:
        return f"{obj.code} v{obj.version} – {obj.title}"


class QuestionnaireImportForm(forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Đơn vị ban hành"))
    file = forms.FileField(
        label=_("Tệp bộ câu hỏi (JSON)"),
        help_text=_("Cấu trúc tệp: xem hướng dẫn docs/surveys.md (yếu tố → tiêu chí → câu hỏi)."),
    )

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Tệp lớn quá 1 MB."))
        return bytes(upload.read())


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Tên đợt khảo sát"), max_length=300)
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Đơn vị thực hiện"))
    questionnaire = QuestionnaireChoiceField(
        queryset=Questionnaire.objects.none(), label=_("Bộ câu hỏi")
    )
    period_start = forms.DateField(label=_("Hồ sơ trả kết quả từ ngày"), widget=DateInput())
    period_end = forms.DateField(label=_("đến ngày"), widget=DateInput())
    answer_until = forms.DateField(label=_("Hạn trả lời phiếu"), widget=DateInput())
    sample_size = forms.IntegerField(
        label=_("Cỡ mẫu (số người được mời)"), min_value=1, max_value=MAX_SAMPLE
    )

    def __init__(
        self,
        *args: Any,
        units: Iterable[Unit] = (),
        questionnaires: Iterable[Questionnaire] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        q_field = self.fields["questionnaire"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        assert isinstance(q_field, forms.ModelChoiceField)
        unit_field.queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
        q_field.queryset = Questionnaire.objects.filter(pk__in=[q.pk for q in questionnaires])
