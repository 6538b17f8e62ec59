from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.lib.personal import InvalidPhone, normalise_phone


class BookingForm(forms.Form):
    name = forms.CharField(label=_("Họ và tên"), max_length=100)
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        help_text=_("Mã lịch hẹn được gửi qua tin nhắn tới số này."),
    )
    # Honeypot: hidden from people by CSS, left empty by them; bots fill every box. No captcha,
    # which would shut out the elderly and screen-reader users.
    website = forms.CharField(label=_("Để trống ô này"), required=False, max_length=200)

    def clean_phone(self) -> str:
        """The mobile the code is sent to, normalised: "0912 345 678", "+84912345678" → one."""
        try:
            return normalise_phone(self.cleaned_data["phone"], mobile_only=True)
        except InvalidPhone as exc:
            raise forms.ValidationError(str(exc)) from exc

    def phone_key(self) -> str:
        """The normalised phone, so that "0912 345 678" and "+84912345678" count as one booking."""
        return self.cleaned_data.get("phone", "") if hasattr(self, "cleaned_data") else ""
