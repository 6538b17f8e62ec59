"""Public forms: the PAKN form (with its honeypot) and the rating forms.

Forms check shape only; the business rules (complaints need a contact, files judged by content,
one rating per dossier) live in `actions`, whose refusals the views show as form errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.catalogue.models import Procedure
from cchc.feedback.choices import Kind, Level, Reason, Subject
from cchc.feedback.pakn import MAX_CONTENT_CHARS, addressable_units
from cchc.feedback.ratings import MAX_COMMENT_CHARS
from cchc.lib.forms import PhoneInput
from cchc.units.models import Unit

# The honeypot's name: one that form-filling robots like to fill.
HONEYPOT = "website"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); judged later by content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class FeedbackForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label=_("Gửi đến xã, phường"),
        to_field_name="code",
        empty_label=_("— Chọn xã, phường —"),
    )
    kind = forms.ChoiceField(
        label=_("Loại"), choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.REPORT
    )
    subject = forms.ChoiceField(label=_("Về việc"), choices=Subject.choices)
    procedure = forms.CharField(
        label=_("Mã thủ tục (nếu phản ánh về một thủ tục)"), required=False, max_length=40
    )
    content = forms.CharField(
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_CONTENT_CHARS,
    )
    name = forms.CharField(label=_("Họ và tên"), required=False, max_length=200)
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        required=False,
        max_length=20,
        widget=PhoneInput,
    )
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    attachments = MultipleFileField(
        label=_("Tệp đính kèm (PDF, JPG, PNG, DOCX, XLSX; tối đa 3 tệp)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )
    # Humans never see this field (hidden from sight and from screen readers); robots fill it.
    website = forms.CharField(
        required=False,
        label=_("Để trống ô này"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = addressable_units()  # type: ignore[attr-defined]

    def clean_procedure(self) -> Procedure | None:
        code = self.cleaned_data.get("procedure", "").strip()
        if not code:
            return None
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            raise forms.ValidationError(_("Không có thủ tục mã này; hãy để trống nếu không rõ."))
        return procedure

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT))


class CodeLookupForm(forms.Form):
    code = forms.CharField(label=_("Mã tra cứu phản ánh"), max_length=20)
    # Optional: with the phone given when sending, the sender also sees the answer sent to them
    # (not only the published one).
    phone = forms.CharField(
        label=_("Số điện thoại đã khai khi gửi (không bắt buộc, để xem nội dung trả lời)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def _levels() -> list[tuple[int, Any]]:
    return list(Level.choices)


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Mức độ hài lòng"), choices=_levels, coerce=int, widget=forms.RadioSelect
    )
    reasons = forms.MultipleChoiceField(
        label=_("Ông/bà đánh giá về những mặt nào? (không bắt buộc)"),
        choices=Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Ý kiến khác (không bắt buộc)"),
        required=False,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RatingByCodeForm(RatingForm):
    code = forms.CharField(label=_("Mã hồ sơ (trên giấy tiếp nhận)"), max_length=64)
    phone = forms.CharField(
        label=_("Số điện thoại đã khai khi nộp hồ sơ"),
        max_length=20,
        widget=PhoneInput,
    )

    field_order = ["code", "phone", "level", "reasons", "comment"]
