from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

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
