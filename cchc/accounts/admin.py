from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from cchc.accounts.models import ApiToken, User
from cchc.units.models import Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("CCHC", {"fields": ("full_name", "phone")}))
    list_display = ("username", "full_name", "email", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "email")
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "revoked_at")
    readonly_fields = ("prefix", "created_at")
    fields = ("user", "name", "prefix", "created_at", "revoked_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are issued with `manage.py create_api_token` so the raw value is shown once.
        return False


def _admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin site's own login form knows nothing of the second factor: it would open an
    unverified session to an account that turned TOTP on. Every login goes through ours."""
    if request.user.is_authenticated:
        # Logged in without the admin's permission: sending them to log in again would loop.
        raise PermissionDenied
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(next_url, settings.LOGIN_URL)


admin.site.login = _admin_login  # type: ignore[method-assign]
