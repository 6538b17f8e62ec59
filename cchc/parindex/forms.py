"""The PAR Index pages' forms. They only shape the input; the scores' bounds, levels and the
cycle's order are checked once, by the actions, whose refusals the views show on the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.lib.numbers import localised
from cchc.parindex.choices import EvidenceKind
from cchc.parindex.models import Criterion

# A score as people type it: "0,5" or "0.5"; the browser only stops what no score could be.
SCORE_PATTERN = r"\s*[0-9]+([.,][0-9]+)?\s*"


def score_input(criterion: Criterion, *, autofocus: bool) -> forms.TextInput:
    attrs = {
        "inputmode": "decimal",
        "pattern": SCORE_PATTERN,
        "autocomplete": "off",
        "size": "6",
        "maxlength": "8",
        "class": "score",
    }
    if autofocus:
        attrs["autofocus"] = "autofocus"
    return forms.TextInput(attrs=attrs)


def _hint(criterion: Criterion) -> str:
    return str(_("Từ 0 đến %(max)s điểm, ví dụ 0,5.") % {"max": localised(criterion.max_score)})


class SelfScoreForm(forms.Form):
    prefix = "self"
    score = forms.CharField(label=_("Điểm tự chấm"), max_length=8)
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, criterion: Criterion, autofocus: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["score"].widget = score_input(criterion, autofocus=autofocus)
        self.fields["score"].help_text = _hint(criterion)


class EvidenceForm(forms.Form):
    prefix = "ev"
    kind = forms.ChoiceField(label=_("Loại tài liệu"), choices=EvidenceKind.choices)
    label = forms.CharField(label=_("Tên tài liệu"), max_length=300)
    file = forms.FileField(
        label=_("Tệp (nếu loại là tệp đính kèm)"),
        required=False,
        help_text=_("PDF, Word, Excel hoặc ảnh."),
    )
    ref = forms.CharField(
        label=_("Số, ký hiệu hoặc địa chỉ (các loại khác)"),
        required=False,
        max_length=500,
        help_text=_("Ví dụ: 20/KH-UBND ngày 15/01/2025; hoặc https://…"),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)


class AppraisalForm(forms.Form):
    prefix = "ap"
    score = forms.CharField(
        label=_("Điểm thẩm định"),
        required=False,
        max_length=8,
    )
    reason = forms.CharField(
        label=_("Lý do trừ điểm"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi điểm thẩm định thấp hơn điểm tối đa."),
    )

    def __init__(
        self, *args: Any, criterion: Criterion, round: int, autofocus: bool = True, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["score"].widget = score_input(criterion, autofocus=autofocus)
        base = _("điểm tự chấm") if round == 1 else _("điểm thẩm định lần 1")
        self.fields["score"].help_text = (
            str(_hint(criterion)) + " " + str(_("Để trống: công nhận %(base)s.") % {"base": base})
        )


class ExplanationForm(forms.Form):
    prefix = "ex"
    text = forms.CharField(
        label=_("Nội dung giải trình"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
