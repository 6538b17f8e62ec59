from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _


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

    def phone_key(self) -> str:
        """The phone as digits only, so "0912 345 678" and "0912345678" count as one."""
        raw = self.cleaned_data.get("phone", "") if hasattr(self, "cleaned_data") else ""
        digits = re.sub(r"\D", "", raw)
        return "0" + digits[2:] if digits.startswith("84") else digits
