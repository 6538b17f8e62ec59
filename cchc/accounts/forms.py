from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class LoginForm(AuthenticationForm):
    """User name and password, plus the 6-digit code for accounts that turned on two-factor."""

    otp_token = forms.CharField(
        label=_("Mã xác thực (nếu đã bật xác thực hai bước)"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    device: TOTPDevice | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is not None:
            device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
            if device is not None:
                token = (cleaned.get("otp_token") or "").strip()
                if not token:
                    raise forms.ValidationError(
                        _("Tài khoản này đã bật xác thực hai bước: hãy nhập mã 6 số."),
                        code="otp_required",
                    )
                if not device.verify_token(token):
                    raise forms.ValidationError(
                        _("Mã xác thực không đúng hoặc đã hết hạn."), code="otp_invalid"
                    )
                self.device = device
        return cleaned


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Mã 6 số từ ứng dụng xác thực"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
