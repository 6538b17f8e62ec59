from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from cchc.accounts.forms import LoginForm, TokenForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if form.device is not None:
            otp_login(self.request, form.device)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo"] = settings.DEMO
        context["require_2fa"] = settings.REQUIRE_2FA
        context["idle_minutes"] = settings.STAFF_IDLE_TIMEOUT_MINUTES
        return context


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn on TOTP: show the secret as a QR code, confirm with the first code. An account that
    has a device already only types a code: its secret is never shown again, so a session
    opened with the password alone cannot copy it."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None and user.is_verified():  # type: ignore[union-attr]
        return render(request, "accounts/two_factor.html", {"enabled": True})
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].strip()):
            newly = not device.confirmed
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            if newly:
                messages.success(request, _("Đã bật xác thực hai bước."))
            return redirect(_next_page(request))
        form.add_error("otp_token", _("Mã xác thực không đúng hoặc đã hết hạn."))
    if confirmed is not None:
        return render(request, "accounts/two_factor.html", {"verify": True, "form": form})
    qr_svg = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8
    ).to_string(encoding="unicode")
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": False,
            "form": form,
            "qr_svg": qr_svg,
            "secret": device.config_url.split("secret=")[1].split("&")[0],
        },
    )


def _next_page(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)
