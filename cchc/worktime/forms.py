from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.worktime.choices import DayKind, DaySource
from cchc.worktime.deadlines import FIRST_DAY, LAST_DAY
from cchc.worktime.models import CalendarDay, OfficeHours, UnitClosure

ORDINARY = ""

REASON_HELP = _("Ghi vào nhật ký thay đổi lịch, ví dụ số hiệu văn bản công bố.")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thay đổi"), widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )


class DayForm(ReasonForm):
    """Sets one date of the national calendar; "ordinary day" removes its entry."""

    kind = forms.ChoiceField(
        label=_("Loại ngày"),
        choices=[(ORDINARY, _("Ngày thường (không nghỉ, không làm bù)")), *DayKind.choices],
        required=False,
    )
    name = forms.CharField(label=_("Tên"), max_length=200, required=False)
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý"), max_length=300, required=False)
    source = forms.ChoiceField(
        label=_("Nguồn"), choices=DaySource.choices, initial=DaySource.OFFICIAL
    )

    field_order = ["kind", "name", "legal_basis", "source", "reason"]

    def __init__(self, *args: Any, day: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day = day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind and not (data.get("name") or "").strip():
            self.add_error("name", _("Cần ghi tên ngày."))
        if kind == DayKind.MAKEUP_WORKING and self.day.weekday() < 5:
            self.add_error("kind", _("Ngày làm bù phải là Thứ Bảy hoặc Chủ nhật."))
        return data


class CalendarDayAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Lý do thay đổi"), widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "legal_basis", "source"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, kind = data.get("date"), data.get("kind")
        if day and not FIRST_DAY <= day <= LAST_DAY:
            self.add_error("date", _("Ngày nằm ngoài phạm vi lịch."))
        if day and kind == DayKind.MAKEUP_WORKING and day.weekday() < 5:
            self.add_error("kind", _("Ngày làm bù phải là Thứ Bảy hoặc Chủ nhật."))
        if self.instance.pk and day and day != self.instance.date:
            self.add_error("date", _("Không đổi ngày của một mục: bỏ mục cũ và thêm mục mới."))
        return data


class ImportForm(ReasonForm):
    file = forms.FileField(
        label=_("Tệp CSV (UTF-8)"),
        help_text=_("Cột: ngay, loai, ten, can_cu. Xem docs/calendar.md."),
    )


class PrefillForm(ReasonForm):
    year = forms.IntegerField(label=_("Năm"), min_value=FIRST_DAY.year, max_value=LAST_DAY.year)


class OfficeHoursAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Lý do thay đổi"), widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )

    class Meta:
        model = OfficeHours
        fields = [
            "unit",
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
            "same_day_cutoff",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        times = [
            data.get(k)
            for k in ("morning_start", "morning_end", "afternoon_start", "afternoon_end")
        ]
        if all(times) and not (times[0] < times[1] <= times[2] < times[3]):  # type: ignore[operator]
            raise forms.ValidationError(
                _("Giờ làm việc phải tăng dần và không chồng nhau (sáng trước chiều).")
            )
        if self.instance.pk and data.get("unit") != self.instance.unit:
            self.add_error("unit", _("Không đổi đơn vị của một mục: bỏ mục cũ và thêm mục mới."))
        return data


class UnitClosureAdminForm(forms.ModelForm):
    class Meta:
        model = UnitClosure
        fields = ["unit", "date", "reason"]
        labels = {"reason": _("Lý do (sự kiện địa phương)")}
