"""The register's forms. They check shape only; the number and symbol is read by the action's
own parser as the form is validated, so the page and the API refuse it with the same reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.lib.forms import DateField
from cchc.records.actions import MAX_TITLE_CHARS, RecordsError, read_reference
from cchc.records.choices import ActivityKind, InitiativeStatus, PlanTopic, TaskProgress
from cchc.records.models import DocumentType, OfficialDocument
from cchc.units.models import Unit

# The browser's check: a number, a slash, then anything (the server says precisely what is wrong).
REFERENCE_PATTERN = r"\s*([Ss]ố\s*:?\s*)?[0-9]+\s*/.+"


class DocumentForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Đơn vị"), to_field_name="code", empty_label=None
    )
    reference = forms.CharField(
        label=_("Số, ký hiệu"),
        max_length=80,
        # Left to the parser, which says what is missing (the same sentence as the API's).
        required=False,
        help_text=_("Như trên văn bản: 20/KH-UBND, 125/QĐ-UBND; công văn: 123/UBND-VP."),
        widget=forms.TextInput(
            attrs={"pattern": REFERENCE_PATTERN, "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    issued_on = DateField(label=_("Ngày ban hành"))
    title = forms.CharField(
        label=_("Trích yếu"),
        max_length=MAX_TITLE_CHARS,
        required=False,  # the action says it is missing, as it does to the API
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signer = forms.CharField(
        label=_("Người ký"),
        max_length=200,
        required=False,
        help_text=_("Họ tên và chức vụ, ví dụ: Lê Văn A, Chủ tịch."),
    )
    declared_signed = forms.BooleanField(
        label=_("Văn bản đã được ký số"),
        required=False,
        help_text=_("Với tệp PDF, hệ thống tự kiểm tra chữ ký số trong tệp."),
    )
    file = forms.FileField(
        label=_("Tệp văn bản"),
        required=False,
        help_text=_("PDF (nên là bản đã ký số), DOCX hoặc XLSX."),
    )

    def __init__(self, *args: Any, units: Any = None, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            # A document stays in its unit's register; its file is attached on its own page.
            del self.fields["unit"]
            del self.fields["file"]
        else:
            chosen = units if units is not None else Unit.objects.none()
            self.fields["unit"].queryset = chosen  # type: ignore[attr-defined]

    def clean_reference(self) -> str:
        text: str = self.cleaned_data["reference"]
        try:
            read_reference(text)
        except RecordsError as exc:
            raise forms.ValidationError(exc.message, code="reference") from exc
        return text


class FileForm(forms.Form):
    file = forms.FileField(label=_("Tệp văn bản"), help_text=_("PDF, DOCX hoặc XLSX."))


class PlanForm(forms.Form):
    topic = forms.ChoiceField(label=_("Nội dung kế hoạch"), choices=PlanTopic.choices)


class TaskForm(forms.Form):
    content = forms.CharField(
        label=_("Nội dung nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 2})
    )
    owner_person = forms.CharField(label=_("Người thực hiện"), max_length=200, required=False)
    owner_body = forms.CharField(label=_("Bộ phận chủ trì"), max_length=200, required=False)
    due_on = DateField(label=_("Hạn hoàn thành"))


class TaskUpdateForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput)
    progress = forms.ChoiceField(label=_("Tiến độ"), choices=TaskProgress.choices)
    result = forms.CharField(
        label=_("Kết quả"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    done_on = DateField(label=_("Ngày hoàn thành"), required=False)
    evidence = forms.ModelChoiceField(
        queryset=OfficialDocument.objects.none(),
        label=_("Văn bản minh chứng"),
        required=False,
    )

    def __init__(self, *args: Any, documents: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if documents is not None:
            self.fields["evidence"].queryset = documents  # type: ignore[attr-defined]


class RegisterFilter(forms.Form):
    """The register's filters (GET): a bad value is ignored, never an error page."""

    q = forms.CharField(label=_("Số, ký hiệu hoặc trích yếu"), required=False, max_length=200)
    type = forms.ModelChoiceField(
        queryset=DocumentType.objects.all(),
        label=_("Loại văn bản"),
        required=False,
        to_field_name="key",
        empty_label=_("— Mọi loại —"),
    )
    date_from = DateField(label=_("Từ ngày"), required=False)
    date_to = DateField(label=_("Đến ngày"), required=False)
    signed = forms.ChoiceField(
        label=_("Ký số"),
        required=False,
        choices=[("", _("— Tất cả —")), ("1", _("Đã ký số")), ("0", _("Chưa ký số"))],
    )


class InitiativeForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Đơn vị"), to_field_name="code", empty_label=None
    )
    title = forms.CharField(label=_("Tên sáng kiến"), max_length=500, required=False)
    author = forms.CharField(label=_("Tác giả"), max_length=300, required=False)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Tình trạng"), choices=InitiativeStatus.choices)
    recognised_by = forms.CharField(
        label=_("Văn bản công nhận (số, ký hiệu)"),
        max_length=80,
        required=False,
        help_text=_("Văn bản đã vào sổ của đơn vị, ví dụ 125/QĐ-UBND."),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]


class ActivityForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Đơn vị"), to_field_name="code", empty_label=None
    )
    kind = forms.ChoiceField(label=_("Hình thức"), choices=ActivityKind.choices)
    on = DateField(label=_("Ngày"))
    count = forms.IntegerField(label=_("Số lượng (tin, bài, buổi…)"), min_value=1, initial=1)
    note = forms.CharField(
        label=_("Nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.CharField(
        label=_("Văn bản minh chứng (số, ký hiệu)"), max_length=80, required=False
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
